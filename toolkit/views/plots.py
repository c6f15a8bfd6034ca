"""Matplotlib plots of tables computed elsewhere: property space, residue contacts, heatmaps.

CNS-friendly region (shaded in :func:`property_space_plot`): TPSA < 90 Å² and
cLogP 2-5, the ranges for CNS drugs collected by Hitchcock & Pennington,
J Med Chem 49:7559 (2006), doi:10.1021/jm060642i (TPSA < 90 Å² is also the
limit of Pajouhesh & Lenz, NeuroRx 2:541 (2005), doi:10.1602/neurorx.2.4.541).
Both bounds are parameters; they describe typical CNS drugs, not a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidParameter
from .palette import subunit_color

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["property_space_plot", "residue_contact_plot", "interaction_heatmap", "CNS_TPSA_MAX", "CNS_CLOGP_RANGE"]

#: Upper TPSA bound (Å²) of the shaded CNS region (Hitchcock & Pennington 2006).
CNS_TPSA_MAX = 90.0
#: cLogP range of the shaded CNS region (Hitchcock & Pennington 2006).
CNS_CLOGP_RANGE = (2.0, 5.0)


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize)
    return ax


def property_space_plot(
    df: pd.DataFrame,
    *,
    x: str = "clogp",
    y: str = "tpsa",
    name: str = "name",
    highlight: Sequence[str] = ("ketamine", "esketamine", "arketamine"),
    tpsa_max: float = CNS_TPSA_MAX,
    clogp_range: tuple[float, float] = CNS_CLOGP_RANGE,
    ax: Axes | None = None,
) -> Axes:
    """cLogP vs TPSA scatter of a ligand panel, every point labelled (labels placed to avoid overlaps), CNS region shaded.

    Parameters
    ----------
    df : DataFrame
        One row per ligand with columns ``x``, ``y`` and ``name``.
    x, y, name : str
        Columns for the axes (default cLogP, TPSA) and the point labels.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new 7 x 5 in figure).
    highlight : names drawn larger, in red (case-insensitive).
    tpsa_max, clogp_range : the shaded region (see the module docstring for sources).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["ketamine"], "clogp": [2.9], "tpsa": [29.1]})
    >>> ax = property_space_plot(df)
    >>> ax.get_xlabel()
    'cLogP'
    """
    from matplotlib.patches import Rectangle

    missing = [c for c in (x, y, name) if c not in df.columns]
    if missing:
        raise InvalidParameter(f"property table lacks columns {missing}")
    ax = _axes(ax, (7, 5))
    hl = {h.lower() for h in highlight}
    is_hl = df[name].astype(str).str.lower().isin(hl).to_numpy()
    ax.add_patch(
        Rectangle((clogp_range[0], 0), clogp_range[1] - clogp_range[0], tpsa_max, color="#2ca02c", alpha=0.12,
                  label=f"CNS-like: TPSA < {tpsa_max:g} Å², cLogP {clogp_range[0]:g}-{clogp_range[1]:g}"),
    )  # fmt: skip
    ax.scatter(df[x][~is_hl], df[y][~is_hl], s=25, color="#1f77b4", label="panel")
    if is_hl.any():
        ax.scatter(df[x][is_hl], df[y][is_hl], s=70, color="#d62728", marker="*", label="ketamine")
    ax.set_xlabel("cLogP")
    ax.set_ylabel("TPSA (Å²)")
    ax.legend(fontsize=7, loc="upper right")
    ax.autoscale_view()
    _place_labels(ax, df[x].to_numpy(float), df[y].to_numpy(float), df[name].astype(str).tolist(), is_hl)
    return ax


# label offsets (points) tried in order: right, above, left, below and the diagonals
_OFFSETS = [(4, 2), (4, -9), (-4, 2), (-4, -9), (0, 6), (0, -12), (6, 8), (-6, 8), (6, -14), (-6, -14)]


def _place_labels(ax: Axes, xs: Any, ys: Any, names: list[str], first: Any, fontsize: float = 7) -> None:
    """Label every point, moving each label to the first offset where it overlaps no earlier label.

    Text boxes are estimated in display units (0.6 em per character), so no
    renderer is needed; highlighted points are placed first. A label that
    fits nowhere takes the offset with the least overlap.
    """
    import numpy as np

    pts = ax.transData.transform(np.column_stack([xs, ys]))
    scale = ax.figure.dpi / 72.0
    h = fontsize * scale * 1.2
    placed: list[tuple[float, float, float, float]] = []

    def overlap(b: tuple[float, float, float, float]) -> float:
        return sum(max(0.0, min(b[2], o[2]) - max(b[0], o[0])) * max(0.0, min(b[3], o[3]) - max(b[1], o[1]))
                   for o in placed)  # fmt: skip

    order = sorted(range(len(names)), key=lambda i: (not first[i], i))
    for i in order:
        if not np.isfinite(pts[i]).all():
            continue
        w = 0.6 * fontsize * scale * len(names[i])
        best = None
        for dx, dy in _OFFSETS:
            x0 = pts[i][0] + dx * scale - (w if dx < 0 else (w / 2 if dx == 0 else 0))
            y0 = pts[i][1] + dy * scale
            box = (x0, y0, x0 + w, y0 + h)
            cost = overlap(box)
            if best is None or cost < best[0]:
                best = (cost, dx, dy, box)
            if cost == 0:
                break
        _, dx, dy, box = best
        placed.append(box)
        ha = "right" if dx < 0 else ("center" if dx == 0 else "left")
        ax.annotate(names[i], (xs[i], ys[i]), fontsize=fontsize, xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va="bottom", color="#a01010" if first[i] else "black",
                    parse_math=False)  # user text: "$" is not mathtext  # fmt: skip


def residue_contact_plot(site: pd.DataFrame, *, value: str = "n_contacts", ax: Axes | None = None) -> Axes:
    """Bar chart of a site table: one bar per residue ``label``, coloured by subunit.

    Examples
    --------
    >>> import pandas as pd
    >>> site = pd.DataFrame({"label": ["GluN2B L643"], "subunit": ["GluN2B"], "n_contacts": [5]})
    >>> [t.get_text() for t in residue_contact_plot(site).get_xticklabels()]
    ['GluN2B L643']
    """
    for col in ("label", "subunit", value):
        if col not in site.columns:
            raise InvalidParameter(f"site table lacks column {col!r}")
    agg = site.groupby(["label", "subunit"], sort=False, as_index=False)[value].sum()
    order = [c for c in ("subunit", "label") if c in agg.columns]
    agg = agg.sort_values(order)
    ax = _axes(ax, (max(4, 0.45 * len(agg) + 1), 4))
    ax.bar(range(len(agg)), agg[value], color=[subunit_color(s) for s in agg["subunit"]])
    ax.set_xticks(range(len(agg)))
    ax.set_xticklabels(agg["label"].tolist(), rotation=60, ha="right", fontsize=8, parse_math=False)
    ax.set_ylabel(value.replace("_", " "))
    return ax


def interaction_heatmap(
    interactions: pd.DataFrame, *, columns: str = "entry", rows: str = "label", ax: Axes | None = None
) -> tuple[Axes, pd.DataFrame]:
    """Heatmap of interaction counts: residues (``rows``) x entries or ligands (``columns``).

    Returns the axes and the count matrix that was drawn (residue x column).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"label": ["GluN2B L643", "GluN1 N616"], "entry": ["7EU8", "7EU8"], "type": ["hydrophobic", "hbond"]})
    >>> ax, m = interaction_heatmap(t)
    >>> int(m.loc["GluN2B L643", "7EU8"])
    1
    """
    for col in (rows, columns):
        if col not in interactions.columns:
            raise InvalidParameter(f"interactions table lacks column {col!r}")
    mat = interactions.groupby([rows, columns]).size().unstack(columns, fill_value=0).sort_index()
    ax = _axes(ax, (max(4, 0.8 * mat.shape[1] + 2), max(3, 0.3 * mat.shape[0] + 1)))
    im = ax.imshow(mat.to_numpy(), aspect="auto", cmap="viridis")
    ax.set_xticks(range(mat.shape[1]))
    ax.set_xticklabels([str(c) for c in mat.columns], rotation=45, ha="right", fontsize=8, parse_math=False)
    ax.set_yticks(range(mat.shape[0]))
    ax.set_yticklabels([str(r) for r in mat.index], fontsize=8, parse_math=False)
    ax.figure.colorbar(im, ax=ax, label="interactions")
    return ax, mat
