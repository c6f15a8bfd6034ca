"""A docking section for the HTML report (the report itself is :mod:`toolkit.report`)."""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["report_section", "REPORT_COLUMNS", "DOCKING_SOURCES"]

#: Columns of the docking table shown in the report.
REPORT_COLUMNS = ["ligand", "state", "site", "best_score", "pose_spread", "key_contacts", "posebusters_flags",
                  "measured_nM", "value_type", "status", "message"]  # fmt: skip

#: (citation, DOI) of the methods used.
DOCKING_SOURCES = [
    ("Eberhardt J. et al. (2021) AutoDock Vina 1.2.0. J Chem Inf Model 61:3891", "10.1021/acs.jcim.1c00203"),
    ("Trott O. & Olson A.J. (2010) AutoDock Vina. J Comput Chem 31:455", "10.1002/jcc.21334"),
    ("Ropp P.J. et al. (2019) Dimorphite-DL. J Cheminform 11:14", "10.1186/s13321-019-0336-9"),
    ("Buttenschoen M., Morris G.M. & Deane C.M. (2024) PoseBusters. Chem Sci 15:3130", "10.1039/D3SC04185A"),
    ("Meli R. & Biggin P.C. (2020) spyrmsd. J Cheminform 12:49", "10.1186/s13321-020-00455-2"),
]


def report_section(table: pd.DataFrame, *, plot: bool = True, heading: str = "Docking") -> str:
    """An HTML fragment (``<section>``): settings, the docking table, the score plot (SVG) and sources.

    Parameters
    ----------
    table
        A :func:`toolkit.docking.dock_panel` table.
    plot
        Embed :func:`toolkit.docking.score_plot` as inline SVG.
    heading
        Section heading (escaped).

    Returns
    -------
    str
        Self-contained HTML (no external files, no scripts).

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit.docking.panel import DOCK_COLUMNS
    >>> html_text = report_section(pd.DataFrame(columns=DOCK_COLUMNS), plot=False)
    >>> html_text.startswith("<section")
    True
    """
    from .panel import SCORE_NOTE

    cols = [c for c in REPORT_COLUMNS if c in table.columns]
    counts = table["status"].value_counts().to_dict() if "status" in table.columns else {}
    parts = [f'<section class="docking"><h2>{html.escape(heading)}</h2>']
    settings = []
    for key in ("receptor",):
        if table.attrs.get(key):
            settings.append(html.escape(str(table.attrs[key])))
    for name, box in (table.attrs.get("sites") or {}).items():
        settings.append(f"site {html.escape(str(name))}: {html.escape(str(box))}")
    if len(table):
        first = table.iloc[0]
        settings.append(f"pH {first['ph']}, Vina seed {first['seed']}, exhaustiveness {first['exhaustiveness']}")
    if settings:
        parts.append("<ul>" + "".join(f"<li>{s}</li>" for s in settings) + "</ul>")
    parts.append(f"<p>{html.escape(SCORE_NOTE)}</p>")
    parts.append("<p>Status counts: " + html.escape(", ".join(f"{k}: {v}" for k, v in counts.items()) or "none") + "</p>")
    parts.append(table[cols].to_html(index=False, escape=True, na_rep="", float_format=lambda x: f"{x:.2f}"))
    if plot and len(table):
        from .views import score_plot

        fig = score_plot(table)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight")
        svg = buf.getvalue()
        parts.append(svg[svg.index("<svg"):])
    parts.append("<h3>Methods</h3><ul>" + "".join(
        f'<li>{html.escape(c)}, doi:{html.escape(d)}</li>' for c, d in DOCKING_SOURCES) + "</ul>")  # fmt: skip
    parts.append("</section>")
    return "\n".join(parts)
