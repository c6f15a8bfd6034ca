"""Report sections for the membrane, the lateral-site evidence and docking (builders for :mod:`toolkit.report`).

Two section builders (``builder(ctx: ReportContext) -> Section | list[Section] | None``):

* :func:`membrane_section` (in the default :data:`toolkit.report.SECTION_BUILDERS`,
  after the pocket section): the membrane placed by :func:`toolkit.membrane`
  (Ez implicit-membrane fit, Senes et al. 2007, J Mol Biol 366:436), or the
  named "no membrane" reason, and the lateral-site evidence of every
  transmembrane pocket (:func:`toolkit.lateral_sites`): candidates flagged,
  each rejected pocket with its reason, the lining residues as a linked CSV.
  The membrane and the lateral-site table of the report's own analysis are
  reused (``ctx.analysis``, :func:`toolkit.report.pocket_analysis`): nothing
  is fitted or searched twice. Skipped with ``pockets=False``.
* :func:`docking_section`: the entry's drug-like ligands (or, without one,
  esketamine from the panel) docked into the pore site and the best lateral
  candidates by :func:`toolkit.dock_panel` at a low, stated exhaustiveness
  (:data:`REPORT_EXHAUSTIVENESS`). Docking takes 10-20 s per ligand and site
  at Vina's default exhaustiveness of 8, so it runs only when asked for
  (``build_report(..., dock=True)``, ``nmda-toolkit report --dock``).

Lateral pockets are **computed candidates** for the membrane-accessible
ketamine sites of Abbott et al. 2024 (Mol Psychiatry,
doi:10.1038/s41380-024-02729-9); that paper's residue list is not used.

Examples
--------
>>> from toolkit.report import build_report
>>> from toolkit.report_sections import docking_section
>>> build_report("reports", extra_sections=[docking_section])  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import ReportContext, Section

__all__ = ["membrane_section", "docking_section", "LATERAL_REPORT_COLUMNS", "REPORT_EXHAUSTIVENESS",
           "REPORT_N_POSES", "ABBOTT_2024"]  # fmt: skip

#: Evidence columns of the lateral-site table shown in the report (all columns go to lateral_sites.csv).
LATERAL_REPORT_COLUMNS = [
    "pocket_id", "lateral_candidate", "depth", "lipid_exposure", "path_radius", "volume", "hydrophobicity",
    "stability", "consensus", "partner_pocket", "partner_jaccard", "conservation_2a_2b", "lateral_score", "reason",
]  # fmt: skip

#: Vina exhaustiveness of the report's docking run: 2 instead of Vina's default 8 (Eberhardt et al.
#: 2021) to keep the report to a few seconds per ligand and site; the section states it.
REPORT_EXHAUSTIVENESS = 2
#: Poses per ligand state in the report's docking run.
REPORT_N_POSES = 3
#: The lateral-site reference.
ABBOTT_2024 = "Abbott et al. 2024, Mol Psychiatry, doi:10.1038/s41380-024-02729-9"


def _fmt(v: Any) -> str:
    return f"{v:.1f}"


def membrane_section(ctx: ReportContext) -> Section | None:
    """The membrane (or why there is none) and the lateral-site evidence of every TMD pocket.

    Parameters
    ----------
    ctx : toolkit.report.ReportContext

    Returns
    -------
    toolkit.report.Section
        Key ``"membrane"``; files ``membrane_residues.csv`` (depth and lipid
        exposure per residue), ``lateral_sites.csv`` and ``lateral_lining.csv``
        (the lining residues, one row per pocket and residue) when computed.
    """
    from .errors import ToolkitError
    from .report import Section, table_html
    from .sites.implicit_membrane import membrane as fit_membrane

    s = ctx.structure
    files: dict[str, str | bytes] = {}
    notes: list[str] = []
    if not ctx.options.get("pockets", True):  # the membrane fit takes seconds: part of the pocket analysis
        return Section("membrane", "Membrane and lateral-site evidence", "<p>Membrane not placed and no lateral-site "
                       "evidence: the pocket analysis was not requested (pockets=False, --no-pockets).</p>")  # fmt: skip
    pa = ctx.analysis  # the report's own pocket analysis: membrane and lateral sites computed once
    if pa is not None and pa.membrane_error:
        return Section("membrane", "Membrane and lateral-site evidence",
                       f"<p>No membrane placed: {html.escape(pa.membrane_error)}</p>")  # fmt: skip
    if pa is not None and pa.membrane is not None:
        m = pa.membrane
    else:  # a context made without the report's analysis
        try:
            m = fit_membrane(s)
        except ToolkitError as exc:
            return Section("membrane", "Membrane and lateral-site evidence",
                           f"<p>No membrane placed: {html.escape(str(exc))}</p>")  # fmt: skip
    if not m.has_membrane:
        body = (f"<p><b>No membrane</b>: {html.escape(m.reason)}. This entry gets no membrane slab and no lateral "
                "(membrane-accessible) candidates.</p>")  # fmt: skip
        return Section("membrane", "Membrane: no membrane", body)
    n = m.normal
    c = m.center
    res = m.residues
    files["membrane_residues.csv"] = res.to_csv(index=False)
    body = [
        f"<p>Membrane placed from the structure alone: {html.escape(m.method)} (Senes et al. 2007, J Mol Biol "
        "366:436).</p><ul>",
        f"<li>hydrophobic thickness: <b>{m.thickness:.1f} Å</b></li>",
        f"<li>normal: ({n[0]:.3f}, {n[1]:.3f}, {n[2]:.3f}); centre: ({_fmt(c[0])}, {_fmt(c[1])}, {_fmt(c[2])}) Å</li>",
        f"<li>fit energy {m.energy:.1f} kcal/mol; {m.n_segments} transmembrane segments; "
        f"{int(res['lipid_exposed'].sum())} lipid-exposed residues (depth and exposure per residue in "
        "membrane_residues.csv)</li></ul>",
    ]
    # lateral-site evidence: the table of the report's own analysis (no second search)
    if pa is not None:
        lat, lining = pa.lateral, pa.lining
        if lat is None:
            notes.append(f"No lateral-site evidence: {pa.lateral_error}")
    else:
        attrs = ctx.pockets.attrs if ctx.pockets is not None else {}
        lat, lining = attrs.get("sites"), attrs.get("all_lining")
        if lat is None:
            from .sites import lateral

            try:  # a context without the report's analysis: one search here
                lat, lining = lateral.lateral_sites(s, n_jobs=ctx.options.get("n_jobs", 1))
            except ToolkitError as exc:
                notes.append(f"No lateral-site evidence: {exc}")
    if lat is None:
        return Section("membrane", "Membrane and lateral-site evidence", "".join(body), files=files, notes=notes)
    n_cand = int(lat["lateral_candidate"].sum())
    crit = lat.attrs.get("criteria", {})
    body.append(
        f"<h3>Lateral-site evidence</h3><p>{len(lat)} pockets of the transmembrane domain; <b>{n_cand}</b> meet every "
        f"criterion (membrane depth inside the slab, a path to the lipid at least {crit.get('path_radius', '')} Å wide "
        f"for ketamine, volume ≥ {crit.get('min_volume', '')} Å³, hydrophobicity ≥ "
        f"{crit.get('min_hydrophobicity', '')}, stable on perturbed grids: passing in "
        f"{html.escape(str(crit.get('consensus', '')))} (the search and its perturbed grids), not the pore site). Every other pocket "
        "gives its reason. These are <b>computed candidates</b> for the membrane-accessible hydrophobic ketamine "
        f"sites ({html.escape(ABBOTT_2024)}); that paper's residue list is not reproduced or used. Lining residues "
        "(chain, subunit, UniProt number, helix) are in lateral_lining.csv.</p>"
    )
    shown = lat.sort_values(["lateral_candidate", "lateral_score"], ascending=[False, False])
    body.append(table_html(shown, [c for c in LATERAL_REPORT_COLUMNS if c in shown.columns],
                           rename={"volume": "volume (Å³)", "depth": "depth (Å)", "path_radius": "path radius (Å)"}))  # fmt: skip
    files["lateral_sites.csv"] = lat.to_csv(index=False)
    if lining is not None:
        files["lateral_lining.csv"] = lining.to_csv(index=False)
    if lat.attrs.get("note"):
        notes.append(str(lat.attrs["note"]))
    return Section("membrane", "Membrane and lateral-site evidence", "".join(body), files=files, notes=notes)


def _ligands_to_dock(ctx: ReportContext) -> tuple[list[tuple[str, str]], str]:
    """(name, SMILES) of the entry's drug-like ligands (one per CCD code), else esketamine from the panel."""
    from rdkit import Chem

    out: dict[str, str] = {}
    for lig in ctx.ligands:
        if lig.mol is not None and lig.code not in out:
            out[lig.code] = Chem.MolToSmiles(Chem.RemoveHs(lig.mol))
    if out:
        return list(out.items()), "the entry's drug-like ligands (bond orders from the CCD)"
    from .chem import load_panel

    panel = load_panel()
    row = panel[panel["name"].str.startswith("esketamine")].iloc[0]
    return [(str(row["name"]), str(row["isomeric_smiles"]))], "esketamine from the panel (no drug-like ligand in the entry)"


def docking_section(ctx: ReportContext) -> Section | None:
    """Dock the entry's ligands into the pore site and the best two lateral candidates (slow: only when asked).

    Uses :func:`toolkit.dock_panel` with :data:`REPORT_EXHAUSTIVENESS`,
    :data:`REPORT_N_POSES` poses, the majority protonation state at the
    report's pH and a fixed seed; boxes from :func:`toolkit.docking.pore_box`
    and the report's lateral candidates (``ctx.pockets``, no new search).
    Without the ``docking`` extra the section says so.

    Returns
    -------
    toolkit.report.Section
        Key ``"docking"``; file ``docking.csv``.
    """
    from .docking import available
    from .errors import ToolkitError
    from .report import Section

    if not available():
        return Section("docking", "Docking", "<p>Docking not run: the optional extra <code>docking</code> is not "
                       "installed (<code>pip install nmda-toolkit[docking]</code>).</p>")  # fmt: skip
    from .docking import Box, box_from_pocket, dock_panel, pore_box, prepare_receptor, report_section

    s = ctx.structure
    try:
        sites = {"pore": pore_box(s)}
    except ToolkitError as exc:
        return Section("docking", "Docking", f"<p>Docking not run: no pore box ({html.escape(str(exc))}).</p>")
    if ctx.pocket_kind == "lateral" and ctx.pockets is not None:
        for k, (_, row) in enumerate(ctx.pockets.head(2).iterrows(), start=1):
            b = box_from_pocket(row)
            sites[f"lateral {k}"] = Box(b.center, b.size, f"lateral candidate {k}: {b.source}")
    ligands, which = _ligands_to_dock(ctx)
    try:  # a failing ligand gets its status in the table; a receptor that cannot be prepared ends here
        receptor = prepare_receptor(s)
        table = dock_panel(receptor, ligands, sites, ph=float(ctx.options.get("ph", 7.4)), states="majority", seed=1,
                           exhaustiveness=REPORT_EXHAUSTIVENESS, n_poses=REPORT_N_POSES, posebusters=True)  # fmt: skip
    except ToolkitError as exc:
        return Section("docking", "Docking", f"<p>Docking not run: {html.escape(str(exc))}</p>")
    frag = report_section(table, heading="Docking")
    frag = frag[frag.index("</h2>") + len("</h2>") : frag.rindex("</section>")]
    intro = (f"<p>Docked: {html.escape(which)}, into {', '.join(map(html.escape, sites))}. Low-effort settings for "
             f"the report: Vina exhaustiveness {REPORT_EXHAUSTIVENESS} (default 8), {REPORT_N_POSES} poses, majority "
             "protonation state; use <code>toolkit.dock_panel</code> for a full run. Lateral boxes are computed "
             f"candidates ({html.escape(ABBOTT_2024)}).</p>")  # fmt: skip
    return Section("docking", "Docking", intro + frag, files={"docking.csv": table.to_csv(index=False)})
