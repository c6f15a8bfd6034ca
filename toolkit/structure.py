"""Loading structures: :func:`load_structure` (PDB ID or path) and friends.

Source order for a PDB ID (see :mod:`toolkit.io.fetch`): in-process cache ->
parsed on-disk cache -> earlier downloads -> mirror (``$NMDA_TOOLKIT_MIRROR``)
-> RCSB download (unless offline). A path is read directly.

ID or file? A ``pathlib.Path`` is always a file. A string that is a valid PDB
ID (``"7EU8"``, ``"pdb_00007eu8"``) is always the ID, even when a local file
of that name exists (an :class:`~toolkit.errors.AmbiguousSourceWarning` says
so; write ``"./7EU8"`` to mean the file). Any other string is a path.

Files: only regular files are read (a FIFO, a device such as ``/dev/zero`` or
a socket is refused), up to :data:`MAX_FILE_BYTES` on disk and
:data:`~toolkit.io.parse.MAX_DECOMPRESSED_BYTES` after decompression.

Cache: a cache folder that cannot be read or written (read-only, wrong
permissions, a file in its place) never stops loading: a
:class:`~toolkit.errors.CacheWarning` is issued and the entry is read from
its source.
"""

from __future__ import annotations

import os
import stat
import threading
import warnings
from pathlib import Path

from .errors import (
    AmbiguousSourceWarning,
    CacheWarning,
    DownloadError,
    EntryMismatch,
    InvalidPDBId,
    StructureFormatError,
    StructureNotFound,
)
from .io import cache as _cache
from .io import fetch as _fetch
from .io.parse import RawEntry, parse_bytes
from .model import Structure

__all__ = ["load_structure", "clear_memory_cache", "MAX_FILE_BYTES"]

#: Largest structure file read (bytes on disk). The largest wwPDB mmCIF files
#: are a few hundred MB uncompressed; this bound stops ``/dev/zero``-like input.
MAX_FILE_BYTES = 2 * 1024**3

_MEMORY: dict[tuple, Structure] = {}
_LOCK = threading.Lock()


def clear_memory_cache() -> None:
    """Forget structures kept in this process (the on-disk cache stays)."""
    with _LOCK:
        _MEMORY.clear()


def _shown(source: object, limit: int = 80) -> str:
    """A value for an error message, truncated (a 1M-character ID is not echoed whole)."""
    text = repr(source)
    return text if len(text) <= limit else f"{text[: limit - 20]}...{text[-12:]} ({len(str(source))} characters)"


def _looks_like_path(source: str | os.PathLike[str]) -> bool:
    if isinstance(source, os.PathLike):
        return True
    if not isinstance(source, str):
        raise InvalidPDBId(f"{_shown(source)} is neither an existing file nor a valid PDB ID (give a str or a path)")
    if "\x00" in source:
        raise InvalidPDBId(f"{_shown(source)} contains a NUL character: neither a file nor a PDB ID")
    try:
        exists = os.path.lexists(source)
    except (OSError, ValueError):  # name too long, ...
        exists = False
    if not exists:
        return False
    try:
        _fetch.normalize_pdb_id(source)
    except InvalidPDBId:
        return True
    warnings.warn(
        f"{source!r} is a valid PDB ID and also a local file; loading the PDB ID "
        f"(write './{source}' or pass a pathlib.Path to load the file)",
        AmbiguousSourceWarning,
        stacklevel=3,
    )
    return False


def _read_file(path: Path, *, require_protein: bool) -> RawEntry:
    """Read a regular file of at most MAX_FILE_BYTES (never blocks on a FIFO) and parse it."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise StructureNotFound(f"{_shown(name)}: no such file") from exc
    except IsADirectoryError as exc:
        raise StructureFormatError(f"{_shown(name)}: is a directory, not a structure file") from exc
    except PermissionError as exc:
        raise StructureFormatError(f"{_shown(name)}: permission denied") from exc
    except OSError as exc:
        raise StructureFormatError(f"{_shown(name)}: cannot be opened ({exc.strerror or exc})") from exc
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise StructureFormatError(f"{_shown(name)}: is a directory, not a structure file")
        if not stat.S_ISREG(st.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device" if
                    stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket" if
                    stat.S_ISSOCK(st.st_mode) else "not a regular file")  # fmt: skip
            raise StructureFormatError(f"{_shown(name)}: is {kind}; only regular files are read")
        if st.st_size > MAX_FILE_BYTES:
            raise StructureFormatError(
                f"{_shown(name)}: {st.st_size} bytes is more than the {MAX_FILE_BYTES} bytes read at most"
            )
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise StructureFormatError(f"{_shown(name)}: cannot be read ({exc.strerror or exc})") from exc
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise StructureFormatError(f"{_shown(name)}: more than the {MAX_FILE_BYTES} bytes read at most")
    return parse_bytes(data, name=name, require_protein=require_protein)


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
        Empty, truncated, corrupt or non-structure file, not a regular file
        (FIFO, device), or too large (subclasses: ``EntryMismatch``,
        ``NoProteinError``, ``InvalidCoordinates`` for NaN/infinite coordinates).
    ComponentNotFound
        ``strict=True`` and a component is not in the CCD.
    InvalidParameter
        A flag is not a bool.

    Warns
    -----
    AmbiguousSourceWarning
        ``source`` is a valid PDB ID and also a local file (the ID is loaded).
    CacheWarning
        The cache cannot be read or written (loading goes on without it).
    LossyFixWarning, MissingMetadataWarning
        Duplicate atom records dropped; no entity data (chains are ``other``).

    Examples
    --------
    >>> from toolkit import load_structure
    >>> s = load_structure("7EU8")  # doctest: +SKIP
    >>> s.chain_subunits  # doctest: +SKIP
    {'A': 'GluN1', 'B': 'GluN2B', 'C': 'GluN1', 'D': 'GluN2B'}
    """
    from ._checks import check_bool

    if download is not None:
        check_bool(download, "download")
    use_cache = check_bool(use_cache, "use_cache")
    require_protein = check_bool(require_protein, "require_protein")
    strict = check_bool(strict, "strict")
    if _looks_like_path(source):
        try:
            path = Path(source).resolve()
        except (RuntimeError, OSError) as exc:  # a symlink loop, a name too long
            raise StructureFormatError(f"{_shown(str(source))}: cannot be resolved ({exc.__class__.__name__}: "
                                       "a symbolic link loop?)") from None  # fmt: skip
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


def _cache_warning(action: str, exc: OSError) -> None:
    warnings.warn(
        f"cannot {action} the cache {_cache.cache_dir()} ({type(exc).__name__}: {exc.strerror or exc}); "
        "continuing without it (set NMDA_TOOLKIT_CACHE to a writable folder)",
        CacheWarning,
        stacklevel=4,
    )


def _load_id(pdb_id: str, *, download: bool | None, use_cache: bool, require_protein: bool,
             strict: bool = False) -> Structure:  # fmt: skip
    looked: list[str] = []
    if use_cache:
        try:
            raw = _cache.load_parsed(pdb_id)
        except OSError as exc:
            _cache_warning("read", exc)
            raw = None
        if raw is not None and not _source_changed(raw.meta.get("parsed_from")):
            return _checked(Structure(pdb_id, raw.atoms, raw.meta, source="cache"), strict)
        looked.append(f"parsed cache {_cache.parsed_path(pdb_id)}")

    def finish(raw: RawEntry, source: str, path: Path | None = None) -> Structure:
        s = _checked(_from_raw(pdb_id, raw, source), strict)  # before anything is cached
        if use_cache:
            meta = dict(raw.meta)
            if path is not None:  # so that a changed mirror/download file is parsed again
                try:
                    st = path.stat()
                    meta["parsed_from"] = {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
                except OSError:  # a download that could not be cached
                    meta.pop("parsed_from", None)
            try:
                _cache.store_parsed(pdb_id, RawEntry(atoms=raw.atoms, meta=meta))
            except OSError as exc:
                _cache_warning("write", exc)
        return s

    try:
        cached_file = _fetch.find_in_download_cache(pdb_id)
    except OSError as exc:
        _cache_warning("read", exc)
        cached_file = None
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
