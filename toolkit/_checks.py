"""Argument checks shared by the toolkit's modules: type and range, with a named error.

Every check raises :class:`~toolkit.errors.InvalidParameter` naming the
argument, the allowed range and the value received (shortened).

>>> check_int(3, "k", 1, 10)
3
>>> check_number("seven", "ph", 0, 14)
Traceback (most recent call last):
...
toolkit.errors.InvalidParameter: ph must be between 0 and 14 (a number), got 'seven'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from .errors import InvalidParameter

__all__ = ["check_int", "check_number", "check_bool", "check_str", "check_structure", "check_table", "check_path",
           "check_optional", "shown"]


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` shortened to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 15]}...({len(text)} chars)"


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:g} and {hi:g}"
    if lo is not None:
        return f">= {lo:g}"
    if hi is not None:
        return f"<= {hi:g}"
    return "finite"


def check_int(value: object, name: str, lo: int | None = None, hi: int | None = None) -> int:
    """An integer (not bool) within ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameter(f"{name} must be {_range(lo, hi)} (an integer), got {shown(value)}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise InvalidParameter(f"{name} must be {_range(lo, hi)} (an integer), got {v}")
    return v


def check_number(value: object, name: str, lo: float | None = None, hi: float | None = None) -> float:
    """A finite real number (not bool) within ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameter(f"{name} must be {_range(lo, hi)} (a number), got {shown(value)}")
    v = float(value)
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        raise InvalidParameter(f"{name} must be {_range(lo, hi)} (a number), got {shown(value)}")
    return v


def check_bool(value: object, name: str) -> bool:
    """A bool (numpy bools included)."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise InvalidParameter(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def _given(value: object) -> str:
    """``type name + shortened repr`` of a wrong argument, for a message."""
    return f"{type(value).__name__} {shown(value)}"


def check_str(value: object, name: str, choices: tuple[str, ...] | None = None, *, optional: bool = False) -> str | None:
    """A string (not bytes; ``None`` too when ``optional``), one of ``choices`` when given.

    >>> check_str(b"x", "smiles", optional=True)
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidParameter: smiles must be a string or None, got bytes b'x'
    """
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(f"{name} must be a string{' or None' if optional else ''}, got {_given(value)}")
    if choices is not None and value not in choices:
        raise InvalidParameter(f"{name} must be one of {', '.join(map(repr, choices))}, got {shown(value)}")
    return value


def check_structure(value: object, name: str = "structure", *, optional: bool = False) -> object:
    """A loaded :class:`~toolkit.model.Structure` (``None`` too when ``optional``).

    An ID or a path is refused, not loaded here: the caller loads it once with
    :func:`toolkit.load_structure` and passes the object.

    >>> check_structure("7EOS", "others")
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidParameter: others must be a loaded Structure (toolkit.load_structure), got str '7EOS'
    """
    from .model import Structure

    if value is None and optional:
        return None
    if not isinstance(value, Structure):
        raise InvalidParameter(f"{name} must be a loaded Structure (toolkit.load_structure), got {_given(value)}")
    return value


def check_table(value: object, name: str, columns: Iterable[str] = (), *, what: str = "table") -> object:
    """A pandas DataFrame holding every column of ``columns`` (the message lists the missing ones).

    >>> import pandas as pd
    >>> check_table(pd.DataFrame({"a": [1]}), "site_df", ["entry", "chain"], what="site table")
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidParameter: site_df must be a site table with columns ['entry', 'chain']; missing ['entry', 'chain'] (has ['a'])
    """
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise InvalidParameter(f"{name} must be a {what} (pandas DataFrame), got {_given(value)}")
    cols = list(columns)
    missing = [c for c in cols if c not in value.columns]
    if missing:
        has = shown([str(c) for c in value.columns], 120)
        raise InvalidParameter(f"{name} must be a {what} with columns {cols}; missing {missing} (has {has})")
    return value


def check_path(value: object, name: str, *, optional: bool = False) -> object:
    """A file-system path: ``str`` or ``os.PathLike`` (``None`` too when ``optional``).

    >>> check_path(42, "out_dir")
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidParameter: out_dir must be a path (str or os.PathLike), got int 42
    """
    import os

    if value is None and optional:
        return None
    if not isinstance(value, (str, os.PathLike)) or (isinstance(value, str) and not value):
        raise InvalidParameter(f"{name} must be a path (str or os.PathLike){' or None' if optional else ''}, got {_given(value)}")
    return value


def check_optional(check, value: object, name: str, *args: object) -> object:
    """``None`` or a value accepted by ``check(value, name, *args)``.

    >>> check_optional(check_int, None, "poses", 1) is None
    True
    """
    return None if value is None else check(value, name, *args)
