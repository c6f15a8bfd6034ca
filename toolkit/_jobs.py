"""One meaning of ``n_jobs`` for every parallel function of the toolkit.

``n_jobs`` is the number of workers (processes or threads, as the function
documents): a positive integer, or ``-1`` for every core this process may use.
More workers than usable cores are capped at that number with a
:class:`~toolkit.errors.LossyFixWarning`, so ``-j 1000`` on a 2-core machine runs 2 workers instead of starting 1000.

>>> from toolkit._jobs import resolve_n_jobs
>>> resolve_n_jobs(1)
1
>>> resolve_n_jobs(-1) == available_cores()
True
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from .errors import InvalidParameter, LossyFixWarning

__all__ = ["available_cores", "resolve_n_jobs", "process_pool", "worker_init"]


def available_cores() -> int:
    """Number of cores this process may run on (CPU affinity where the OS tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_n_jobs(n_jobs: object, *, name: str = "n_jobs") -> int:
    """Validate ``n_jobs`` and return the number of workers to start.

    Parameters
    ----------
    n_jobs : int
        Positive number of workers, or ``-1`` for all usable cores.
    name : str
        Argument name used in the error message.

    Returns
    -------
    int
        Between 1 and :func:`available_cores`.

    Raises
    ------
    InvalidParameter
        ``n_jobs`` is not an integer (``bool`` included), is 0, or is below -1.

    Warns
    -----
    LossyFixWarning
        When more workers than usable cores were asked for (capped).
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise InvalidParameter(f"{name} must be a positive integer or -1 (all cores), got {n_jobs!r}")
    n = int(n_jobs)
    if n == 0 or n < -1:
        raise InvalidParameter(f"{name} must be a positive integer or -1 (all cores), got {n}")
    cores = available_cores()
    if n == -1:
        return cores
    if n > cores:
        warnings.warn(
            f"{name}={n} is more than the {cores} usable core(s); using {cores}",
            LossyFixWarning,
            stacklevel=3,
        )
        return cores
    return n


# --------------------------------------------------------------------------- worker lifetime
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent_thread() -> bool:
    """Linux: ask the kernel to SIGKILL this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, i.e. exited but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (a reused PID): not our parent any more
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"Z", b"X")
    except (OSError, ValueError):  # no /proc (not Linux)
        return True


def _watch_parent(pid: int, interval: float = 0.5) -> None:
    """Daemon thread: exit this process at once when process ``pid`` is gone."""
    import threading
    import time

    def run() -> None:
        while True:
            time.sleep(interval)
            if not _pid_alive(pid) or os.getppid() == 1:
                os._exit(1)

    threading.Thread(target=run, name="toolkit-parent-watch", daemon=True).start()


def worker_init(main_pid: int) -> None:
    """Initializer of every toolkit worker process (see :func:`process_pool`).

    * The worker dies with its parent (the fork server) through
      ``PR_SET_PDEATHSIG`` on Linux, and with the main process through a
      watch thread polling ``main_pid`` (every platform): a killed run
      (SIGTERM, SIGKILL) leaves no worker, and once the workers are gone the
      fork server and the resource tracker exit too.
    * SIGINT is ignored: Ctrl-C reaches the whole process group, and the main
      process alone handles it (one message, no traceback per worker).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent_thread()
    if not _pid_alive(main_pid):  # the main process died before we got here
        os._exit(1)
    _watch_parent(main_pid)


class process_pool:  # used like a function in a ``with`` statement
    """A forkserver ``ProcessPoolExecutor`` whose workers never outlive the caller.

    Workers run :func:`worker_init`. Leaving the ``with`` block by an
    exception (including ``KeyboardInterrupt``) cancels queued tasks and
    terminates the workers instead of waiting for them.

    >>> with process_pool(1) as ex:  # doctest: +SKIP
    ...     ex.submit(pow, 2, 3).result()
    8
    """

    def __init__(self, n_workers: int, preload: list[str] | None = None) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("forkserver")
        if preload:
            ctx.set_forkserver_preload(preload)
        self.executor = ProcessPoolExecutor(
            max_workers=n_workers, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
        )

    def __enter__(self) -> object:
        return self.executor

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.executor.shutdown(wait=True)
            return
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=5)
