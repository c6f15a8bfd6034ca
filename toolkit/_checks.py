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

from .errors import InvalidParameter

__all__ = ["check_int", "check_number", "check_bool", "check_str", "check_structure", "check_optional", "shown"]


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


def check_str(value: object, name: str, choices: tuple[str, ...] | None = None) -> str:
    """A string (not bytes), one of ``choices`` when given."""
    if not isinstance(value, str):
        raise InvalidParameter(f"{name} must be a string, got {shown(value)}")
    if choices is not None and value not in choices:
        raise InvalidParameter(f"{name} must be one of {', '.join(map(repr, choices))}, got {shown(value)}")
    return value


def check_structure(value: object, name: str = "structure") -> object:
    """A loaded :class:`~toolkit.structure.Structure` (not a PDB ID or a path: load it first)."""
    from .structure import Structure

    if not isinstance(value, Structure):
        hint = " (load it first with toolkit.load_structure)" if isinstance(value, str) else ""
        raise InvalidParameter(f"{name} must be a Structure{hint}, got {type(value).__name__} {shown(value)}")
    return value


def check_optional(check, value: object, name: str, *args: object) -> object:
    """``None`` or a value accepted by ``check(value, name, *args)``.

    >>> check_optional(check_int, None, "poses", 1) is None
    True
    """
    return None if value is None else check(value, name, *args)
