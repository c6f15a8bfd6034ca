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

__all__ = ["available_cores", "resolve_n_jobs"]


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
