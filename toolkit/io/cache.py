"""On-disk cache: raw downloaded files and parsed entries (no pickle).

Layout under :func:`cache_dir` (``$NMDA_TOOLKIT_CACHE``, else
``$XDG_CACHE_HOME/nmda-toolkit``, else ``~/.cache/nmda-toolkit``)::

    pdb/7eu8.cif.gz          raw files as downloaded (validated before they land)
    parsed/v1/7eu8.npz       parsed atom arrays + JSON metadata (numpy .npz)

Parsed entries are stored as uncompressed ``.npz`` files holding only numeric
and fixed-width unicode arrays plus one JSON string, and are read back with
``allow_pickle=False``: no code can run from a cache file. Every write goes to
a temporary file in the same directory followed by :func:`os.replace`, so a
reader never sees a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .parse import ATOM_FIELDS, RawEntry

__all__ = ["cache_dir", "atomic_output", "atomic_write_bytes", "store_parsed", "load_parsed", "parsed_path"]

#: Bump when the parsed layout or a parsing policy changes.
CACHE_FORMAT = 1


def cache_dir() -> Path:
    """The cache root (created on demand)."""
    env = os.environ.get("NMDA_TOOLKIT_CACHE")
    if env:
        root = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = Path(base) / "nmda-toolkit"
    return root


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any exception the temporary file is removed and ``path`` is left as it
    was, so a partial file never replaces a good one.

    >>> with atomic_output("/tmp/out.csv") as tmp:  # doctest: +SKIP
    ...     tmp.write_text("a,b\\n")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename)."""
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def parsed_path(entry_id: str) -> Path:
    return cache_dir() / "parsed" / f"v{CACHE_FORMAT}" / f"{entry_id.lower()}.npz"


def store_parsed(entry_id: str, entry: RawEntry) -> Path:
    """Store a parsed entry; returns the file written."""
    path = parsed_path(entry_id)
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, __meta__=np.array(json.dumps(entry.meta)), **entry.atoms)
    return path


def load_parsed(entry_id: str) -> RawEntry | None:
    """Read a parsed entry from the cache; None when absent or unreadable.

    An unreadable file (truncated, not a zip, wrong arrays) is removed, so
    the entry is parsed again from its source and the cache repaired.
    """
    import zipfile

    path = parsed_path(entry_id)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
            atoms = {k: z[k] for k in ATOM_FIELDS}
        n = len(atoms["coord"])
        if any(len(v) != n for v in atoms.values()) or not isinstance(meta, dict):
            raise ValueError("inconsistent arrays")
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return RawEntry(atoms=atoms, meta=meta)
