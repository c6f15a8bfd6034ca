"""Pictures of docking results: score against measured value, and 3D views of poses.

The 3D view is :func:`toolkit.views.site_view` of the receptor with the pose
(:func:`toolkit.docking.analysis.complex_structure`), its site residues
labelled by subunit and UniProt number and its typed interactions dashed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .engine import DockingResult

__all__ = ["score_plot", "pose_view"]


def score_plot(table: pd.DataFrame, *, figsize: tuple[float, float] = (6.4, 4.4)) -> Figure:
    """Best Vina score against the panel's measured value (nM, log axis), one marker style per site.

    Only rows with ``status == 'ok'`` and a measured value are drawn; the
    figure states that the values come from different assays.

    Parameters
    ----------
    table
        A :func:`toolkit.docking.dock_panel` table (:data:`~toolkit.docking.DOCK_COLUMNS`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidParameter
        The table lacks the columns of :data:`~toolkit.docking.DOCK_COLUMNS`.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.docking.panel import DOCK_COLUMNS
    >>> t = pd.DataFrame([dict.fromkeys(DOCK_COLUMNS)])
    >>> t[["ligand", "site", "best_score", "measured_nM", "status"]] = ["a", "pore", -6.0, 300.0, "ok"]
    >>> score_plot(t).axes[0].get_xscale()
    'log'
    """
    from matplotlib.figure import Figure

    from .panel import DOCK_COLUMNS, SCORE_NOTE

    missing = [c for c in ("ligand", "site", "best_score", "measured_nM", "status") if c not in table.columns]
    if missing:
        raise InvalidParameter(f"score_plot needs a dock_panel table ({DOCK_COLUMNS}); missing {missing}")
    fig = Figure(figsize=figsize)
    ax = fig.add_subplot(1, 1, 1)
    ok = table[(table["status"] == "ok") & np.isfinite(table["measured_nM"].astype(float))
               & np.isfinite(table["best_score"].astype(float))]  # fmt: skip
    markers = ["o", "s", "^", "D", "v"]
    for k, (site, grp) in enumerate(ok.groupby("site", sort=False)):
        ax.scatter(grp["measured_nM"].astype(float), grp["best_score"].astype(float), marker=markers[k % len(markers)],
                   label=str(site), alpha=0.8)  # fmt: skip
        for _, r in grp.iterrows():
            ax.annotate(str(r["ligand"])[:18], (float(r["measured_nM"]), float(r["best_score"])), fontsize=6,
                        xytext=(3, 2), textcoords="offset points")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("measured value (nM; Ki / IC50 / Kd, assays differ)")
    ax.set_ylabel("best Vina score (kcal/mol)")
    if len(ok):
        ax.legend(title="site", fontsize=7)
    else:
        ax.text(0.5, 0.5, "no docked ligand with a measured value", ha="center", va="center", transform=ax.transAxes)
    fig.text(0.01, 0.005, SCORE_NOTE, fontsize=5.5, wrap=True)
    fig.subplots_adjust(bottom=0.22)
    return fig


def pose_view(result: DockingResult, pose: int = 1, **kwargs: Any) -> Any:
    """3D view (:func:`toolkit.views.site_view`) of one pose in the receptor with its contacts.

    Parameters
    ----------
    result
        A :class:`~toolkit.docking.DockingResult` (analysed or not).
    pose
        1-based pose number.
    **kwargs
        Passed to :func:`toolkit.views.site_view` (``surface``, ``width``, ...).

    Returns
    -------
    toolkit.views.View

    Examples
    --------
    >>> view = pose_view(result, 1)  # doctest: +SKIP
    >>> view.to_html("pose.html")  # doctest: +SKIP
    """
    from ..views import site_view
    from .analysis import POSE_CHAIN, POSE_CODE, complex_structure, pose_contacts

    if isinstance(pose, bool) or not isinstance(pose, (int, np.integer)) or not 1 <= pose <= len(result.mols):
        raise InvalidParameter(f"pose must be between 1 and {len(result.mols)}, got {pose!r}")
    site = result.extra.get("site")
    inter = result.extra.get("interactions")
    if site is None or inter is None or not (site["pose"] == pose).any():
        site, inter = pose_contacts(result, poses=pose)
    cx = complex_structure(result.receptor, result.mols[:pose])
    st = site[site["pose"] == pose].drop(columns=["pose", "name"])
    it = inter[inter["pose"] == pose].drop(columns=["pose", "name"])
    score = result.poses["score"].iloc[pose - 1]
    kwargs.setdefault("title", f"{result.ligand.name} pose {pose} in {result.site} ({score:.1f} kcal/mol, "
                               f"{result.poses['state'].iloc[pose - 1]})")  # fmt: skip
    return site_view(cx, st, it, ligand=(POSE_CODE, POSE_CHAIN, pose), **kwargs)
