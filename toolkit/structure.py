"""Loading structures: :func:`load_structure` (PDB ID or path) and friends.

Source order for a PDB ID (see :mod:`toolkit.io.fetch`): in-process cache ->
parsed on-disk cache -> earlier downloads -> mirror (``$NMDA_TOOLKIT_MIRROR``)
-> RCSB download (unless offline). A path is read directly.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .errors import DownloadError, EntryMismatch, StructureFormatError, StructureNotFound
from .io import cache as _cache
from .io import fetch as _fetch
from .io.parse import RawEntry, parse_bytes
from .model import Structure

__all__ = ["load_structure", "clear_memory_cache"]

_MEMORY: dict[tuple, Structure] = {}
_LOCK = threading.Lock()


def clear_memory_cache() -> None:
    """Forget structures kept in this process (the on-disk cache stays)."""
    with _LOCK:
        _MEMORY.clear()


def _looks_like_path(source: str | os.PathLike[str]) -> bool:
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str):
        from .errors import InvalidPDBId

        raise InvalidPDBId(f"{source!r} is neither an existing file nor a valid PDB ID (give a str or a path)")
    return os.path.exists(source)


def _read_file(path: Path, *, require_protein: bool) -> RawEntry:
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise StructureFormatError(f"{path}: is a directory, not a structure file") from exc
    except FileNotFoundError as exc:
        raise StructureNotFound(f"{path}: no such file") from exc
    return parse_bytes(data, name=str(path), require_protein=require_protein)


def load_structure(
    source: str | os.PathLike[str],
    *,
    download: bool | None = None,
    use_cache: bool = True,
    require_protein: bool = True,
    strict: bool = False,
) -> Structure:
    """Load a structure from a PDB ID or a file path.

    Parameters
    ----------
    source
        A PDB ID (``"7EU8"``, ``"pdb_00007eu8"``) or the path of an mmCIF,
        BinaryCIF or PDB file, gzipped or not.
    download
        Allow a download from RCSB when no local copy exists. Default: allowed
        unless ``$NMDA_TOOLKIT_OFFLINE`` is set.
    use_cache
        Read and write the parsed on-disk cache (IDs only).
    require_protein
        Raise :class:`~toolkit.errors.NoProteinError` for a file without protein.
    strict
        Raise :class:`~toolkit.errors.ComponentNotFound` when a non-polymer
        component has no entry in the Chemical Component Dictionary (the parsed
        entry is not cached). Default: keep it, with category ``unknown`` and an
        :class:`~toolkit.errors.UnknownComponentWarning` from ``ligands()``.

    Returns
    -------
    Structure

    Raises
    ------
    InvalidPDBId
        ``source`` is neither an existing path nor a valid PDB ID.
    StructureNotFound
        No copy anywhere; the message lists the places searched.
    StructureFormatError
        Empty, truncated, corrupt or non-structure file (subclasses:
        ``EntryMismatch``, ``NoProteinError``).
    ComponentNotFound
        ``strict=True`` and a component is not in the CCD.

    Examples
    --------
    >>> from toolkit import load_structure
    >>> s = load_structure("7EU8")  # doctest: +SKIP
    >>> s.chain_subunits  # doctest: +SKIP
    {'A': 'GluN1', 'B': 'GluN2B', 'C': 'GluN1', 'D': 'GluN2B'}
    """
    if _looks_like_path(source):
        path = Path(source).resolve()
        st = path.stat() if path.exists() else None
        key = ("path", str(path), st.st_mtime_ns if st else 0, st.st_size if st else 0, require_protein)
        with _LOCK:
            hit = _MEMORY.get(key)
        if hit is not None:
            return _checked(hit, strict)
        raw = _read_file(path, require_protein=require_protein)
        s = _checked(Structure(raw.meta.get("entry_id", ""), raw.atoms, raw.meta, source=f"file:{path}"), strict)
        with _LOCK:
            _MEMORY[key] = s
        return s

    pdb_id = _fetch.normalize_pdb_id(str(source))
    key = ("id", pdb_id, require_protein)
    with _LOCK:
        hit = _MEMORY.get(key)
    if hit is not None:
        return _checked(hit, strict)
    s = _load_id(pdb_id, download=download, use_cache=use_cache, require_protein=require_protein, strict=strict)
    with _LOCK:
        _MEMORY[key] = s
    return s


def _from_raw(pdb_id: str, raw: RawEntry, source: str) -> Structure:
    got = (raw.meta.get("entry_id") or "").upper()
    if got and got != pdb_id:
        raise EntryMismatch(f"{source}: asked for {pdb_id} but the file holds entry {got}")
    return Structure(pdb_id, raw.atoms, raw.meta, source=source)


def _checked(s: Structure, strict: bool) -> Structure:
    """``s`` itself; with ``strict``, first check that every component is in the CCD."""
    if strict:
        import warnings

        from .errors import ComponentNotFound, UnknownComponentWarning
        from .io.ccd import ccd_version

        with warnings.catch_warnings():  # the error below says it instead
            warnings.simplefilter("ignore", UnknownComponentWarning)
            lig = s.ligands()
        missing = sorted(set(lig.loc[~lig["in_ccd"], "ccd_code"]))
        if missing:
            raise ComponentNotFound(
                f"{s.entry_id or s.source}: component(s) {missing} have no entry in the Chemical Component "
                f"Dictionary ({ccd_version()}); load with strict=False to keep them as 'unknown', and give "
                "a SMILES template to use them"
            )
    return s


def _source_changed(src: object) -> bool:
    """True when the file a cached entry was parsed from still exists but has changed since."""
    if not isinstance(src, dict) or "path" not in src:
        return False
    try:
        st = Path(str(src["path"])).stat()
    except OSError:  # moved or removed mirror: the cached parse stays valid
        return False
    return (st.st_size, st.st_mtime_ns) != (src.get("size"), src.get("mtime_ns"))


def _load_id(pdb_id: str, *, download: bool | None, use_cache: bool, require_protein: bool,
             strict: bool = False) -> Structure:  # fmt: skip
    looked: list[str] = []
    if use_cache:
        raw = _cache.load_parsed(pdb_id)
        if raw is not None and not _source_changed(raw.meta.get("parsed_from")):
            return _checked(Structure(pdb_id, raw.atoms, raw.meta, source="cache"), strict)
        looked.append(f"parsed cache {_cache.parsed_path(pdb_id)}")

    def finish(raw: RawEntry, source: str, path: Path | None = None) -> Structure:
        s = _checked(_from_raw(pdb_id, raw, source), strict)  # before anything is cached
        if use_cache:
            meta = dict(raw.meta)
            if path is not None:  # so that a changed mirror/download file is parsed again
                st = path.stat()
                meta["parsed_from"] = {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
            _cache.store_parsed(pdb_id, RawEntry(atoms=raw.atoms, meta=meta))
        return s

    cached_file = _fetch.find_in_download_cache(pdb_id)
    if cached_file is not None:
        return finish(_read_file(cached_file, require_protein=require_protein), f"cache:{cached_file}", cached_file)
    looked.append(f"download cache {_cache.cache_dir() / 'pdb'}")

    mirror = _fetch.mirror_dir()
    if mirror is not None:
        path = _fetch.find_in_mirror(pdb_id, mirror)
        if path is not None:
            return finish(_read_file(path, require_protein=require_protein), f"mirror:{path}", path)
        looked.append(f"mirror {mirror} (flat and divided layout)")
    else:
        looked.append("mirror: not set ($NMDA_TOOLKIT_MIRROR)")

    if _fetch.downloads_allowed(download):
        try:
            path, raw = _fetch.download_entry(pdb_id, require_protein=require_protein)
        except DownloadError as exc:
            looked.append(f"download: {exc}")
        else:
            return finish(raw, f"download:{path}", Path(path))
    else:
        looked.append("download: disabled (offline)")
    raise StructureNotFound(f"{pdb_id}: no copy found. Looked in: " + "; ".join(looked))
