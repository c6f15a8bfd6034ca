"""One way to write an output file: check the path, write a temporary file beside it, rename.

* :func:`check_output_path` refuses, before any work is done, an output that
  is a directory, whose folder is missing or is a file, whose folder is not
  writable, or that is one of the run's inputs (``compare X.csv -o X.csv``).
* :func:`atomic_output` yields a temporary path in the target's folder and
  moves it onto the target with :func:`os.replace` only when the block
  succeeds; on any exception (``KeyboardInterrupt`` and SIGTERM included)
  the temporary file is removed. A reader never sees a partial file and a
  failed run never replaces a good one.
* :func:`atomic_directory` does the same for a whole folder (a report): it is
  written as a temporary folder beside the target that replaces it at the end.
* A run killed by SIGKILL cannot clean up: its temporary file
  (``.NAME.PID@HOST.tmpEXT``) stays. :func:`clean_stale_temporaries` (called
  by :func:`atomic_output`) removes such files for the same target **only**
  when they were made on this host by a process that no longer exists, so a
  concurrent run's file is never touched.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> with atomic_output(target) as tmp:
...     _ = tmp.write_text("done\\n")
>>> target.read_text()
'done\\n'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputPathError

__all__ = ["atomic_directory", "atomic_output", "atomic_write_bytes", "check_output_path", "clean_stale_temporaries", "temporary_path"]

_HOST_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def _host() -> str:
    import socket  # only when a file is written (about 10 ms to import)

    return _HOST_CHARS.sub("_", socket.gethostname())[:40] or "host"


def temporary_path(path: str | os.PathLike[str]) -> Path:
    """The temporary file used while ``path`` is written: ``.NAME.PID@HOST.tmpEXT`` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}@{_host()}.tmp{path.suffix}")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    except OverflowError:
        return False
    return True


def clean_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files of ``path`` left by killed runs on this host; return those removed.

    Only files named ``.NAME.PID@HOST.tmp*`` (or the older ``.NAME.PID.tmp*``)
    for this very target are considered, and only when HOST is this host and
    no process PID exists. Files of live runs and of other hosts are kept.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)(?:@([A-Za-z0-9_-]+))?\.tmp[^/]*$")
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    host = _host()
    for name in names:
        m = pattern.match(name)
        if m is None:
            continue
        pid = int(m.group(1))
        if (m.group(2) or host) != host or pid == os.getpid() or _process_exists(pid):
            continue
        candidate = folder / name
        try:
            if candidate.is_file() and not candidate.is_symlink():
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            pass
    return removed


def check_output_path(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[object] = (),
    what: str = "output",
) -> Path:
    """Refuse an output path that cannot (or must not) be written; return it as a Path.

    Raises
    ------
    OutputPathError
        The path is a directory; its folder does not exist, is a file or is
        not writable; or it is the same file as one of ``inputs`` (paths;
        other objects are ignored).
    """
    out = Path(path)
    if "\x00" in str(out):
        raise OutputPathError(f"{what} {_short(out)} contains a NUL character")
    try:
        return _check_output_path(out, inputs, what)
    except (ValueError, OSError) as exc:
        if isinstance(exc, OutputPathError):
            raise
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise OutputPathError(f"{what} {_short(out)} cannot be used ({reason})") from None


def _check_output_path(out: Path, inputs: Iterable[object], what: str) -> Path:
    if out.is_dir():
        raise OutputPathError(f"{what} {_short(out)} is a directory, not a file")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.exists():
        # name the first missing folder, or the file that stands where a folder should be
        for anc in [parent, *parent.parents]:
            if anc.exists():
                if not anc.is_dir():
                    raise OutputPathError(f"{what} {_short(out)}: {_short(anc)} is a file, not a folder")
                break
        raise OutputPathError(f"{what} {_short(out)}: the folder {_short(parent)} does not exist")
    if not parent.is_dir():
        raise OutputPathError(f"{what} {_short(out)}: {_short(parent)} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {_short(out)}: the folder {_short(parent)} is not writable")
    for inp in inputs:
        if not isinstance(inp, (str, os.PathLike)):
            continue
        try:
            same = Path(inp).exists() and out.exists() and os.path.samefile(inp, out)
            same = same or Path(inp).resolve() == out.resolve()
        except (OSError, ValueError):  # an input that is no usable path is no file to protect
            same = False
        if same:
            raise OutputPathError(f"{what} {_short(out)} is the input file: refusing to overwrite the input")
    return out


def _short(path: Path, limit: int = 200) -> str:
    s = str(path)
    return repr(s if len(s) <= limit else s[: limit // 2] + "..." + s[-limit // 2 :])


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, make_parents: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any exception the temporary file is removed and ``path`` is left as it
    was. Stale temporaries of the same target (killed runs) are removed first
    (see :func:`clean_stale_temporaries`).

    Parameters
    ----------
    path : path
        The file to write.
    make_parents : bool
        Create missing parent folders (the cache); outputs chosen by a user
        are checked with :func:`check_output_path` instead.
    """
    path = Path(path)
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    tmp = temporary_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, make_parents: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + rename)."""
    with atomic_output(path, make_parents=make_parents) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


@contextmanager
def atomic_directory(path: str | os.PathLike[str], *, what: str = "output folder") -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path`` as a whole.

    The folder's files are written into the temporary folder
    (``.NAME.XXXX.part``); only when the block succeeds is an existing ``path``
    moved aside, the new folder renamed onto ``path`` and the old one removed.
    On any exception the temporary folder is removed and ``path`` stays as it
    was (the previous folder is put back if the swap itself fails), so a
    reader sees the old folder or the new one, never a mix. Deciding whether an
    existing ``path`` may be replaced at all is the caller's business.

    Raises
    ------
    OutputPathError
        The parent folder is missing or not writable, ``path`` is a file, or a
        rename fails.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with atomic_directory(target) as tmp:
    ...     _ = (tmp / "index.html").write_text("<p>new</p>")
    >>> sorted(p.name for p in target.iterdir())
    ['index.html']
    """
    import shutil
    import tempfile

    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputPathError(f"cannot create {what} {_short(out)}: {_short(parent)} does not exist")
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"cannot write the {what} {_short(out)}: it is a file")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=parent))
    except OSError as exc:
        raise OutputPathError(f"cannot create {what} {_short(out)}: {exc.strerror or exc}") from exc
    old: Path | None = None
    try:
        try:
            yield tmp
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700: give the folder the usual permissions
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
                os.replace(out, old / "previous")
            os.replace(tmp, out)
        except OSError as exc:
            if old is not None and (old / "previous").exists() and not out.exists():
                os.replace(old / "previous", out)  # put the previous folder back
            raise OutputPathError(f"cannot write the {what} {_short(out)}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
