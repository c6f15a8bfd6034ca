"""Find an entry's file: validate the ID, look in the mirror, download.

Source order used by :func:`toolkit.load_structure` for a PDB ID:

1. the in-process and on-disk parsed cache (:mod:`toolkit.io.cache`);
2. the raw-file cache (earlier downloads);
3. a local mirror directory named by ``$NMDA_TOOLKIT_MIRROR`` (flat
   ``7eu8.cif.gz`` or the wwPDB divided layout ``eu/7eu8.cif.gz``; mmCIF,
   BinaryCIF and PDB, gzipped or not);
4. a download from RCSB (``$NMDA_TOOLKIT_DOWNLOAD_URL``, default
   ``https://files.rcsb.org/download``) unless downloads are disabled
   (``download=False`` or ``NMDA_TOOLKIT_OFFLINE=1``).

A download is parsed and its entry ID compared with the one requested before
it is written (atomically) into the cache; a failed or corrupt download never
leaves a file behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import DownloadError, EntryMismatch, InvalidPDBId, StructureFormatError, StructureNotFound
from .cache import atomic_write_bytes, cache_dir
from .parse import RawEntry, parse_bytes

__all__ = [
    "normalize_pdb_id",
    "mirror_dir",
    "find_in_mirror",
    "download_entry",
    "downloads_allowed",
    "DEFAULT_DOWNLOAD_URL",
]

DEFAULT_DOWNLOAD_URL = "https://files.rcsb.org/download"
_ID_RE = re.compile(r"^[0-9][A-Za-z0-9]{3}$")
_EXT_ID_RE = re.compile(r"^pdb_0000([0-9][a-z0-9]{3})$", re.I)
#: Candidate file names, in order of preference (fastest to parse first).
_SUFFIXES = (".cif.gz", ".cif", ".bcif.gz", ".bcif", ".pdb.gz", ".pdb", ".ent.gz", ".ent")


def normalize_pdb_id(value: str) -> str:
    """Return the canonical upper-case 4-character ID, or raise InvalidPDBId.

    Extended IDs of the form ``pdb_00007eu8`` are accepted.

    >>> normalize_pdb_id("7eu8")
    '7EU8'
    """
    s = str(value).strip()
    m = _EXT_ID_RE.match(s)
    if m:
        s = m.group(1)
    if not _ID_RE.match(s):
        shown = repr(value) if len(repr(value)) <= 60 else f"{repr(value)[:40]}... ({len(str(value))} characters)"
        raise InvalidPDBId(
            f"{shown} is neither an existing file nor a valid PDB ID "
            "(a PDB ID is 4 characters: a digit then 3 letters/digits, e.g. '7EU8')"
        )
    return s.upper()


def mirror_dir() -> Path | None:
    env = os.environ.get("NMDA_TOOLKIT_MIRROR")
    return Path(env) if env else None


def _candidates(root: Path, pdb_id: str) -> list[Path]:
    low = pdb_id.lower()
    out = []
    for sub in ("", low[1:3]):
        for stem in (low, pdb_id.upper()):
            for suf in _SUFFIXES:
                out.append(root / sub / f"{stem}{suf}" if sub else root / f"{stem}{suf}")
        out.append(root / sub / f"pdb{low}.ent.gz" if sub else root / f"pdb{low}.ent.gz")
    return out


def find_in_mirror(pdb_id: str, root: Path | None = None) -> Path | None:
    """Path of the entry's file in the mirror (or the given folder), or None."""
    root = root if root is not None else mirror_dir()
    if root is None:
        return None
    for p in _candidates(root, pdb_id):
        if p.is_file():
            return p
    return None


def find_in_download_cache(pdb_id: str) -> Path | None:
    return find_in_mirror(pdb_id, cache_dir() / "pdb")


def downloads_allowed(download: bool | None) -> bool:
    if download is not None:
        return download
    return os.environ.get("NMDA_TOOLKIT_OFFLINE", "").lower() not in ("1", "true", "yes")


def download_entry(pdb_id: str, *, timeout: float = 30.0, require_protein: bool = True) -> tuple[Path, RawEntry]:
    """Download ``<ID>.cif.gz``, validate it, and store it atomically.

    Raises
    ------
    StructureNotFound
        The server has no such entry (HTTP 404).
    DownloadError
        No network, time-out or another HTTP error.
    StructureFormatError, EntryMismatch
        The downloaded file is corrupt or holds another entry.
    """
    import http.client  # network modules (and ssl) load only when a download happens
    import urllib.error
    import urllib.request

    base = os.environ.get("NMDA_TOOLKIT_DOWNLOAD_URL", DEFAULT_DOWNLOAD_URL).rstrip("/")
    url = f"{base}/{pdb_id.upper()}.cif.gz"
    req = urllib.request.Request(url, headers={"User-Agent": "nmda-toolkit"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read()
            expected = resp.headers.get("Content-Length")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise StructureNotFound(f"{pdb_id}: no such entry at {url} (HTTP 404)") from exc
        raise DownloadError(f"{pdb_id}: download from {url} failed: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{pdb_id}: download from {url} failed ({reason}); no network?") from exc
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        raise DownloadError(
            f"{pdb_id}: download from {url} was interrupted ({len(data)} of {expected} bytes)"
        )
    try:
        entry = parse_bytes(data, name=url, require_protein=require_protein)
    except StructureFormatError as exc:
        raise StructureFormatError(f"{pdb_id}: downloaded file is not valid: {exc}") from exc
    got = (entry.meta.get("entry_id") or "").upper()
    if got != pdb_id.upper():
        raise EntryMismatch(f"{pdb_id}: the file downloaded from {url} holds entry {got or '?'}")
    path = cache_dir() / "pdb" / f"{pdb_id.lower()}.cif.gz"
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:  # a read-only cache must not lose a good download
        import warnings

        from ..errors import CacheWarning

        warnings.warn(f"{pdb_id}: cannot store the download in {path.parent} ({exc}); not cached",
                      CacheWarning, stacklevel=2)  # fmt: skip
    return path, entry
