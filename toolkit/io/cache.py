"""On-disk cache: raw downloaded files and parsed entries (no pickle).

Layout under :func:`cache_dir` (``$NMDA_TOOLKIT_CACHE``, else
``$XDG_CACHE_HOME/nmda-toolkit``, else ``~/.cache/nmda-toolkit``)::

    pdb/7eu8.cif.gz          raw files as downloaded (validated before they land)
    parsed/v1/7eu8.npz       parsed atom arrays + JSON metadata (numpy .npz)
    ccd/<biotite version>/   look-ups in biotite's copy of the Chemical Component
                             Dictionary, one JSON file per code: ``JC9.info.json``
                             (the ``chem_comp`` record, or its absence) and
                             ``JC9.json`` (atoms and bonds of a ligand template).
                             Written when a code is first looked up (by any load,
                             also with ``use_cache=False``: they hold CCD data, not
                             the entry), so later processes skip reading the CCD.

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
from pathlib import Path

import numpy as np

from .atomic import atomic_output, atomic_write_bytes
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


def parsed_path(entry_id: str) -> Path:
    return cache_dir() / "parsed" / f"v{CACHE_FORMAT}" / f"{entry_id.lower()}.npz"


def store_parsed(entry_id: str, entry: RawEntry) -> Path:
    """Store a parsed entry; returns the file written."""
    path = parsed_path(entry_id)
    meta = dict(entry.meta, cached_as=entry_id.upper())
    with atomic_output(path, make_parents=True) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, __meta__=np.array(json.dumps(meta)), **entry.atoms)
    return path


def _check_entry(entry_id: str, atoms: dict[str, np.ndarray], meta: object) -> str | None:
    """Why a cached entry cannot be trusted for ``entry_id`` (None when it can)."""
    if not isinstance(meta, dict):
        return "metadata is not a mapping"
    want = entry_id.upper()
    if str(meta.get("cached_as") or "").upper() != want:
        return f"stored for {meta.get('cached_as')!r}, not {want!r}"
    got = str(meta.get("entry_id") or "").upper()
    if got and got != want:
        return f"holds entry {got!r}, not {want!r}"
    src = meta.get("parsed_from")
    if src is not None:
        if not isinstance(src, dict) or not isinstance(src.get("path"), str):
            return "bad source record"
        if entry_id.lower() not in Path(src["path"]).name.lower():
            return f"parsed from {Path(src['path']).name!r}, which is not a file of {want}"
    coord = atoms["coord"]
    if coord.ndim != 2 or coord.shape[1] != 3:
        return f"coordinates of shape {coord.shape}, expected (n, 3)"
    n = coord.shape[0]
    for key, dtype in ATOM_FIELDS.items():
        arr = atoms[key]
        if arr.dtype != np.dtype(dtype):
            return f"array {key!r} has dtype {arr.dtype}, expected {dtype}"
        if key != "coord" and arr.shape != (n,):
            return f"array {key!r} has shape {arr.shape}, expected ({n},)"
    if not np.isfinite(coord).all():
        return "non-finite coordinates"
    return None


def load_parsed(entry_id: str) -> RawEntry | None:
    """Read a parsed entry from the cache; None when absent, unreadable or not trustworthy.

    A cache file is used only when it is a readable ``.npz`` whose metadata
    says it was stored for ``entry_id`` and holds that entry (a file copied
    over another entry's name is rejected), whose source file (if recorded)
    is a file of that entry, and whose arrays have the shapes and dtypes of
    :data:`~toolkit.io.parse.ATOM_FIELDS` with finite coordinates. Anything
    else is removed, so the entry is parsed again from its source and the
    cache repaired.

    Raises
    ------
    OSError
        The cache folder itself cannot be read (permissions); the caller
        warns and loads without the cache.
    """
    import zipfile

    path = parsed_path(entry_id)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
            atoms = {k: z[k] for k in ATOM_FIELDS}
        problem = _check_entry(entry_id, atoms, meta)
        if problem:
            raise ValueError(problem)
    except PermissionError:
        raise
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return RawEntry(atoms=atoms, meta=meta)
