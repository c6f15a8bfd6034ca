"""Plain-text tables that fit the terminal (no NaN, long cells shortened with '…')."""

from __future__ import annotations

import math
import os
import shutil
from typing import Any

__all__ = ["format_table", "terminal_width"]


def terminal_width(default: int = 100) -> int:
    """Columns of the terminal; ``$COLUMNS`` or ``default`` when stdout is not a terminal."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) >= 40:
        return int(env)
    try:
        if os.isatty(1):
            return max(40, shutil.get_terminal_size((default, 24)).columns)
    except (OSError, ValueError):
        pass
    return default


def _cell(v: Any, missing: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return missing
    try:
        import pandas as pd

        if v is pd.NA:
            return missing
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, float):
        return f"{v:g}"
    return " ".join(str(v).split())


def format_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]], *, width: int | None = None,
                 missing: str = "-") -> str:  # fmt: skip
    """Rows as an aligned text table at most ``width`` characters wide.

    ``columns``: (key, header) pairs. Missing values (None, NaN, NA) print as
    ``missing``. When the table is too wide, the widest columns are shortened
    first (never below 6 characters) and cut cells end with '…'.
    """
    width = width or terminal_width()
    cells = [[_cell(r.get(k), missing) for k, _ in columns] for r in rows]
    heads = [h for _, h in columns]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(heads)]
    sep = 2
    while sum(widths) + sep * (len(widths) - 1) > width:
        i = max(range(len(widths)), key=widths.__getitem__)
        if widths[i] <= max(6, len(heads[i])):
            break
        widths[i] -= 1

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    lines = ["  ".join(fit(h, w).ljust(w) for h, w in zip(heads, widths)).rstrip()]
    for c in cells:
        lines.append("  ".join(fit(x, w).ljust(w) for x, w in zip(c, widths)).rstrip())
    return "\n".join(lines)
