"""One offline HTML report of any NMDA receptor entry (``nmda-toolkit report``).

Three steps, each usable on its own:

1. :func:`compute_report` runs the science (library calls only:
   :mod:`toolkit.sites`, :mod:`toolkit.chem`) and the drawing
   (:mod:`toolkit.views`) and returns a :class:`ReportData`: the ligands found
   with their tables, and an ordered list of :class:`Section` objects plus the
   files to write.
2. :func:`render_report` turns a :class:`ReportData` into the files of the
   folder (``index.html`` from a Jinja2 template, autoescaped).
3. :func:`write_report` writes them into a temporary folder beside the target
   and swaps it in at the end, so a failed run never leaves old and new files
   mixed (the previous report stays complete).

:func:`build_report` does all three. Every drug-like ligand of the entry
(``category == "ligand"``; glycans, ions, lipids, waters excluded) gets a
section; an entry without one gets a pocket-only report. The comparison with a
second entry is made only when it means something: ``compare_entry="auto"``
picks, from the catalogue, an entry of the other GluN2 subunit (GluN2A for a
GluN1-GluN2B entry and vice versa) that can be loaded, and never the entry itself.

Sections are pluggable: a *section builder* is any callable
``builder(ctx: ReportContext) -> Section | list[Section] | None``. The default
list is :data:`SECTION_BUILDERS`; pass ``extra_sections=[...]`` (appended
after the defaults) or ``sections=[...]`` (replaces them) to
:func:`compute_report` / :func:`build_report`.

Output folder::

    index.html                self-contained: summary, 3D view (embedded), sections, files
    site.html                 3D site view of the first ligand (self-contained, offline)
    site_<CODE>_<chain><n>.html   3D views of further ligands
    compare.html              3D comparison with a second entry, superposed on the TMD
    site.png                  static picture of the first view (when Chromium is available)
    session.pml, session.cxc  PyMOL and ChimeraX scripts that rebuild the view
    *.csv                     the tables shown (linked from index.html)

Lateral pockets are *computed candidates* (SCIENCE.md: the residues of the
membrane-accessible sites of Abbott et al. 2024 are not available), and the
page says so.
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "build_report", "compute_report", "render_report", "write_report", "Section", "ReportContext",
    "ReportData", "LigandResult", "SECTION_BUILDERS", "REPORT_FILES", "table_html", "literature_table",
    "LITERATURE_COLUMNS", "WIDE_CUTOFF", "pocket_analysis", "PocketAnalysis",
]  # fmt: skip

#: Files written by :func:`build_report` (``site.png``, ``compare.html``, ``pockets.csv`` and
#: ``pore_site_comparison.csv`` only when made; further ligands add ``site_<CODE>_<chain><n>.html``).
REPORT_FILES = ["index.html", "site.html", "compare.html", "site.png", "site_residues.csv",
                "interactions.csv", "pockets.csv", "ligand_properties.csv", "pore_site_comparison.csv",
                "literature_comparison.csv", "session.pml", "session.cxc"]  # fmt: skip

#: Columns of :func:`literature_table` (``literature_comparison.csv``).
LITERATURE_COLUMNS = ["ligand", "subunit", "residue", "role", "finding", "source", "doi", "chains_in_entry",
                      "within_cutoff", "closest_chain", "min_distance", "interactions", "verdict"]  # fmt: skip

#: Shell (Å) within which literature residues get a measured distance (PLIP's binding-site shell is 7.5 Å).
WIDE_CUTOFF = 8.0

#: Pockets shown in a pocket-only report (the first by rank).
MAX_POCKETS = 10

#: Most ligand instances reported (a homotetramer with one ligand per subunit has 4).
MAX_LIGANDS = 8

_SOURCES = [
    ("Zhang Y. et al. (2021) Structural basis of ketamine action on human NMDA receptors. Nature 596:301-305",
     "10.1038/s41586-021-03769-9"),
    ("Chou T.-H. et al. (2022) Structural insights into binding of therapeutic channel blockers in NMDA "
     "receptors. Nat Struct Mol Biol 29:507-518 (Thr, hydrophobic and Asn rings)", "10.1038/s41594-022-00772-0"),
    ("Abbott J.A. et al. (2024) Allosteric inhibition of NMDA receptors by low dose ketamine. Mol Psychiatry "
     "(membrane-accessible sites; residue list not reproduced here)", "10.1038/s41380-024-02729-9"),
    ("Salentin S. et al. (2015) PLIP: fully automated protein-ligand interaction profiler. Nucleic Acids Res "
     "43:W443 (interaction thresholds)", "10.1093/nar/gkv315"),
    ("Hendlich M. et al. (1997) LIGSITE: automatic and efficient detection of potential small molecule-binding "
     "sites in proteins. J Mol Graph Model 15:359 (pocket grid scan)", "10.1016/S1093-3263(98)00002-3"),
    ("Wager T.T. et al. (2010) Moving beyond rules: the CNS MPO desirability tool. ACS Chem Neurosci 1:435",
     "10.1021/cn100008c"),
    ("Rego N. & Koes D. (2015) 3Dmol.js: molecular visualization with WebGL. Bioinformatics 31:1322",
     "10.1093/bioinformatics/btu829"),
]


# ----------------------------------------------------------------------------- data objects
@dataclass
class Section:
    """One part of the report page, made by a section builder.

    Attributes
    ----------
    key : str
        Unique identifier: the HTML anchor (``id``) and the table-of-contents link.
    title : str
        Heading (plain text; escaped when rendered).
    body : str
        HTML fragment shown under the heading. It is inserted as is: escape every
        user or file text with :func:`html.escape`, build tables with :func:`table_html`.
    files : dict
        ``name -> str | bytes`` written into the report folder beside index.html
        and listed (linked) under "Files". Names must be plain file names.
    notes : list of str
        Shown under "Notes" (plain text).
    level : int
        2 for a top-level section, 3 for a subsection of the previous one.
    """

    key: str
    title: str
    body: str = ""
    files: dict[str, str | bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    level: int = 2


@dataclass
class LigandResult:
    """One drug-like ligand instance and what was computed about it."""

    code: str
    chain: str
    res_id: int
    name: str
    site: Any  # DataFrame, SITE_COLUMNS
    interactions: Any  # DataFrame, INTERACTION_COLUMNS
    shell: Any  # DataFrame: site residues within WIDE_CUTOFF (for the literature comparison)
    mol: Any = None  # RDKit molecule templated on the CCD, or None
    comparison: Any = None  # compare_pore_site table, or None

    @property
    def tag(self) -> str:
        """``CODE_<chain><res_id>``, used in file names and HTML ids."""
        return f"{self.code}_{self.chain}{self.res_id}"

    @property
    def title(self) -> str:
        return f"{self.code} (chain {self.chain}, residue {self.res_id})"


@dataclass
class ReportContext:
    """What section builders see: the entry, the ligands and everything computed.

    Attributes
    ----------
    structure : Structure
        The entry.
    ligands : list of LigandResult
        Every drug-like ligand reported (empty: pocket-only report).
    pockets : DataFrame or None
        Candidate pockets (lateral candidates, or all pockets without a TMD).
    pocket_points : dict
        ``pocket_id -> (n, 3)`` points of each pocket.
    pocket_kind : str
        ``"lateral"`` (membrane-facing candidates), ``"all"`` or ``""`` (none).
    other : Structure or None
        The comparison entry, when one is made.
    superposition : object or None
        ``toolkit.sites.superpose_tmd`` result of ``other`` on ``structure``.
    options : dict
        The call's settings: ``ph``, ``cutoff``, ``ligands_file``, ``smiles_column``, ``n_jobs``, ``progress``.
    notes : list of str
        Append plain-text notes here.
    """

    structure: Any
    ligands: list[LigandResult]
    pockets: Any = None
    pocket_points: dict[Any, Any] = field(default_factory=dict)
    pocket_kind: str = ""
    other: Any = None
    superposition: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    analysis: PocketAnalysis | None = None

    @property
    def membrane(self) -> Any:
        """The report's membrane fit (``Membrane``/``NoMembrane``), or None when not computed."""
        return None if self.analysis is None else self.analysis.membrane


@dataclass
class PocketAnalysis:
    """The report's pocket analysis, computed once and shared by every section (:func:`pocket_analysis`).

    Picklable: with ``n_jobs > 1`` it is computed in a worker process while the
    rest of the report is made.

    Attributes
    ----------
    pockets : DataFrame or None
        The pockets shown: lateral candidates (``kind == "lateral"``), or the
        largest pockets of a pocket-only report (``kind == "all"``, with
        ``lateral_candidate`` set from the lateral-site analysis).
    points : dict
        ``pocket_id -> (n, 3)`` grid points of each pocket shown.
    kind : str
        ``"lateral"``, ``"all"`` or ``""`` (none).
    membrane : Membrane, NoMembrane or None
        :func:`toolkit.membrane` of the entry; None with ``membrane_error``.
    membrane_error : str
        Why the membrane fit failed (a :class:`~toolkit.errors.ToolkitError`).
    lateral, lining : DataFrame or None
        :func:`toolkit.sites.lateral.lateral_sites` (every TMD pocket with its
        evidence) and its lining residues; None with ``lateral_error``.
    lateral_error : str
        Why there is no lateral-site evidence.
    notes : list of str
        Notes for the page.
    seconds, cpu_seconds : dict
        Wall and CPU time (s) of each step, for ``--timings`` and the benchmark.
    """

    pockets: Any = None
    points: dict[Any, Any] = field(default_factory=dict)
    kind: str = ""
    membrane: Any = None
    membrane_error: str = ""
    lateral: Any = None
    lining: Any = None
    lateral_error: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class ReportData:
    """The computed report: ready to render (:func:`render_report`).

    ``files`` holds the files made outside any section (3D pages, picture,
    session scripts, combined CSVs); ``summary`` the numbers the CLI prints.
    """

    context: ReportContext
    sections: list[Section]
    files: dict[str, str | bytes]
    embedded_view: str = ""  # site.html text, embedded in index.html
    picture: bytes | None = None  # JPEG of site.png for index.html
    view_size: tuple[int, int] = (840, 800)  # iframe size of the embedded view (no blank gap)
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


SectionBuilder = Callable[[ReportContext], "Section | Sequence[Section] | None"]

from .report_sections import docking_section, membrane_section  # noqa: E402  (builders defined there)


# ----------------------------------------------------------------------------- helpers
def table_html(df: Any, columns: Sequence[str], *, rename: dict[str, str] | None = None) -> str:
    """An HTML table of ``df[columns]`` (missing columns skipped), escaped, floats to 2 decimals.

    >>> import pandas as pd
    >>> "<td>1.23</td>" in table_html(pd.DataFrame({"a": [1.234]}), ["a"])
    True
    """
    cols = [c for c in columns if c in df.columns]
    out = df[cols].rename(columns=rename or {})
    return out.to_html(index=False, escape=True, na_rep="", float_format=lambda x: f"{x:.2f}", border=0, classes="tbl")


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _chain_labels(df: Any) -> Any:
    from .views.network import chain_label

    out = df.copy()
    if len(out):
        out["residue"] = [chain_label(lab, ch) for lab, ch in zip(out["label"], out["chain"])]
    else:
        out["residue"] = []
    return out


def _load_literature() -> Any:
    from importlib import resources

    import pandas as pd

    with resources.files("toolkit").joinpath("data/pore_site_literature.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def literature_table(structure: Any, lig: LigandResult | None, cutoff: float) -> Any:
    """Literature pore-site residues (Zhang 2021, Chou 2022) against what was computed in this entry.

    The literature rows are data (``toolkit/data/pore_site_literature.csv``,
    each with its source). For each, the entry's chains of that subunit are
    looked up by UniProt number; with a ligand, the computed site (``cutoff``)
    and the ``WIDE_CUTOFF`` shell give the closest chain, distance and
    interaction types. ``verdict``: ``found`` (within the cutoff),
    ``near`` (within the shell), ``not found`` (further), ``not in entry``
    (subunit or residue absent), ``no ligand``. Columns: :data:`LITERATURE_COLUMNS`.
    """
    import pandas as pd

    lit = _load_literature()
    res = structure.residues()
    rows = []
    for r in lit.itertuples(index=False):
        chains = sorted(set(res.loc[(res["subunit"] == r.subunit) & (res["uniprot_num"] == int(r.uniprot_num)), "chain"]))
        row = {"ligand": lig.tag if lig else "", "subunit": r.subunit, "residue": f"{r.subunit} {r.residue}",
               "role": r.role, "finding": r.finding, "source": r.source, "doi": r.doi,
               "chains_in_entry": ", ".join(chains), "within_cutoff": "", "closest_chain": "",
               "min_distance": float("nan"), "interactions": "", "verdict": ""}  # fmt: skip
        if not chains:
            row["verdict"] = "not in entry"
        elif lig is None:
            row["verdict"] = "no ligand"
        else:
            sh = lig.shell
            hit = sh[(sh["subunit"] == r.subunit) & (sh["uniprot_num"] == int(r.uniprot_num))].sort_values("min_distance")
            site = lig.site
            near = site[(site["subunit"] == r.subunit) & (site["uniprot_num"] == int(r.uniprot_num))]
            row["within_cutoff"] = ", ".join(sorted(near["chain"].astype(str)))
            if len(hit):
                best = hit.iloc[0]
                row["closest_chain"] = str(best["chain"])
                row["min_distance"] = float(best["min_distance"])
            inter = lig.interactions
            kinds = inter[(inter["subunit"] == r.subunit) & (inter["uniprot_num"] == int(r.uniprot_num))]
            row["interactions"] = "; ".join(sorted(f"{t} ({c})" for t, c in set(zip(kinds["type"], kinds["chain"]))))
            row["verdict"] = "found" if len(near) else ("near" if len(hit) else "not found")
        rows.append(row)
    out = pd.DataFrame(rows, columns=LITERATURE_COLUMNS)
    out.attrs["cutoff"] = cutoff
    return out


def _user_ligands(path: str | os.PathLike, smiles_column: str) -> tuple[Any, Any]:
    """Usable rows (name, SMILES) of a user ligand file, and the rows that were not usable.

    Reading is :func:`toolkit.batch.read_records` (SMILES, CSV or SDF); every
    row is kept in one of the two tables, with its status and message. Rows
    over the batch size limits (:data:`toolkit.batch.MAX_SMILES_CHARS`
    characters, :data:`toolkit.batch.MAX_HEAVY_ATOMS` heavy atoms) are
    ``too_large``: they would stall the substructure search.
    """
    import pandas as pd
    from rdkit import Chem, RDLogger

    from .batch import MAX_HEAVY_ATOMS, MAX_SMILES_CHARS, read_records

    RDLogger.DisableLog("rdApp.*")
    rows = []
    for row, name, kind, payload, status, message in read_records(path, smiles_column=smiles_column):
        smiles = None
        if status is None and kind == "smiles" and not payload.strip():
            status, message = "empty", "empty line"
        if status is None and kind == "smiles" and len(payload) > MAX_SMILES_CHARS:
            status, message = "too_large", f"SMILES of {len(payload)} characters > {MAX_SMILES_CHARS}; not parsed"
        if status is None and kind in ("smiles", "molblock"):
            mol = Chem.MolFromSmiles(payload) if kind == "smiles" else Chem.MolFromMolBlock(payload)
            if mol is None or mol.GetNumAtoms() == 0:
                status, message = "invalid_molecule", "RDKit could not parse or sanitise this record"
            elif mol.GetNumHeavyAtoms() > MAX_HEAVY_ATOMS:
                status, message = "too_large", f"{mol.GetNumHeavyAtoms()} heavy atoms > limit {MAX_HEAVY_ATOMS}"
            else:
                smiles = Chem.MolToSmiles(mol)
        shown = payload if kind == "smiles" else "(SDF record)"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        rows.append({"row": row, "name": name or f"row {row}", "input": shown,
                     "smiles": smiles, "status": status or "ok", "message": message or ""})  # fmt: skip
    table = pd.DataFrame(rows, columns=["row", "name", "input", "smiles", "status", "message"])
    return table[table["status"] == "ok"], table[table["status"] != "ok"]


def _pore_partner(structure: Any) -> list[str]:
    """Catalogue entries worth comparing with ``structure``: the other GluN2 subunit (A <-> B), full receptor.

    Only for an entry holding GluN1 and GluN2A or GluN2B (the pore site lies between them);
    never the entry itself; entries in the local mirror first.
    """
    from .catalog import list_entries

    subs = set(structure.chain_subunits.values())
    if "GluN1" not in subs:
        return []
    if "GluN2B" in subs and "GluN2A" not in subs:
        want = "GluN2A"
    elif "GluN2A" in subs and "GluN2B" not in subs:
        want = "GluN2B"
    else:
        return []
    cat = list_entries()
    full = cat["subunits"].astype(str)
    ok = (full.str.contains("GluN1") & full.str.contains(want) & ~full.str.contains("GluN2[ABCD].*GluN2", regex=True)
          & ~full.str.contains("ATD|LBD|deleted|native", regex=True)
          & (cat["pdb_id"].str.upper() != str(structure.entry_id).upper()))  # fmt: skip
    hits = cat[ok].copy()
    hits["_m"] = hits["in_mirror"].astype(str) != "yes"
    return hits.sort_values(["_m", "pdb_id"])["pdb_id"].tolist()


# ----------------------------------------------------------------------------- default sections
def _summary_section(ctx: ReportContext) -> Section:
    s = ctx.structure
    esc = html.escape
    opts = ctx.options
    parts = [f"<p>{esc(str(s.method or 'method not given'))}"
             f"{', ' + esc(f'{s.resolution:.2f}') + ' Å' if s.resolution else ''}. Chains and subunits: "
             + ", ".join(f"{esc(ch)} = {esc(sub)}" for ch, sub in sorted(s.chain_subunits.items())) + ".</p>"]  # fmt: skip
    if ctx.ligands:
        items = []
        for lig in ctx.ligands:
            items.append(f'<li><a href="#lig-{esc(lig.tag)}">{esc(lig.code)}</a> {esc(lig.name)}: chain {esc(lig.chain)}, '
                         f"residue {lig.res_id}; {len(lig.site)} site residues, {len(lig.interactions)} typed interactions</li>")  # fmt: skip
        parts.append(f"<p>Drug-like ligands found ({len(ctx.ligands)}):</p><ul>{''.join(items)}</ul>")
    else:
        found = s.ligands()
        other = ", ".join(sorted({f"{c} ({k})" for c, k in zip(found["ccd_code"], found["category"])})) or "none"
        parts.append(f"<p><b>No drug-like ligand in this entry</b> (components: {esc(other)}): this is a "
                     "pocket-only report.</p>")  # fmt: skip
    ph, cutoff = opts.get("ph", 7.4), opts.get("cutoff", 4.5)
    states = []
    for lig in ctx.ligands:
        a = getattr(lig.interactions, "attrs", {}) or {}
        p = a.get("ph", ph)
        charge = a.get("ligand_charge_state")
        states.append(f"{esc(lig.tag)}: pH {esc(str(p))}" + (f", ligand charge state {esc(str(charge))}" if charge is not None else
                      ", ligand charge state as in the CCD template (not stated by the interaction table)"))  # fmt: skip
    parts.append(
        f"<p><b>Method.</b> Site residues: protein residues with a heavy atom within {cutoff:g} Å of a ligand heavy "
        f"atom. Typed interactions on heavy atoms (cryo-EM entries carry no hydrogens) with PLIP's published "
        f"thresholds (hydrophobic 4.0 Å; H-bond donor-acceptor 4.1 Å, donor angle ≥ 100°; π-stacking 5.5 Å; "
        f"π-cation 6.0 Å; salt bridge 5.5 Å; halogen 4.0 Å). Protonation evaluated at pH {ph:g}"
        + ("; " + "; ".join(states) if states else "")
        + ". Residue labels: subunit, one-letter code and UniProt number (initiator Met = 1), with the chain in "
        "brackets; subunits come from the file's UniProt references, never from chain letters.</p>"
    )  # fmt: skip
    return Section("summary", f"{s.entry_id}: {s.title or ''}".strip(), "".join(parts))


def _ligand_sections(ctx: ReportContext) -> list[Section]:
    from .views.network import interaction_network_html
    from .views.plots import interaction_heatmap
    from .views.twod import interaction_diagram_svg

    out = []
    for k, lig in enumerate(ctx.ligands):
        esc = html.escape
        site = _chain_labels(lig.site)
        inter = _chain_labels(lig.interactions)
        view_file = "site.html" if k == 0 else f"site_{lig.tag}.html"
        body = [f"<p>{esc(lig.name)}. 3D view: <a href=\"{esc(view_file)}\">{esc(view_file)}</a>"
                f"{' (embedded above)' if k == 0 else ''}. {len(site)} site residues, {len(inter)} typed interactions.</p>"]  # fmt: skip
        body.append("<h4>Interaction network</h4>")
        body.append(interaction_network_html(lig.site, lig.interactions, ligand=lig.code, element_id=f"net-{lig.tag}"))
        if lig.mol is not None and len(lig.site):
            svg = interaction_diagram_svg(lig.mol, lig.site, lig.interactions, title=f"{ctx.structure.entry_id} {lig.code}", size=560)
            body.append("<h4>2D interaction diagram</h4>" + svg[svg.index("<svg") :])
        body.append("<h4>Site residues</h4>" + table_html(site, ["residue", "chain", "res_name", "auth_seq_id", "uniprot_num", "min_distance", "n_contacts", "interactions"],
                                                             rename={"min_distance": "min distance (Å)"}))  # fmt: skip
        if len(inter):
            body.append("<h4>Typed interactions</h4>" + table_html(
                inter, ["type", "residue", "chain", "res_name", "auth_seq_id", "ligand_atom", "protein_atom", "distance", "angle"],
                rename={"distance": "distance (Å)", "angle": "angle (°)"}))  # fmt: skip
            body.append(_svg(interaction_heatmap(lig.interactions, columns="type")[0].figure))
        else:
            body.append("<p>No typed interactions within PLIP's thresholds.</p>")
        out.append(Section(f"lig-{lig.tag}", f"Ligand {lig.title}", "".join(body)))
    return out


def _literature_section(ctx: ReportContext) -> Section | None:
    subs = set(ctx.structure.chain_subunits.values())
    if not subs & {"GluN1", "GluN2A", "GluN2B"}:
        return None
    import pandas as pd

    cutoff = float(ctx.options.get("cutoff", 4.5))
    tables = [literature_table(ctx.structure, lig, cutoff) for lig in ctx.ligands] or [literature_table(ctx.structure, None, cutoff)]
    lit = pd.concat(tables, ignore_index=True)
    esc = html.escape
    body = [f"<p>Pore-site residues named in the literature (rows from <code>toolkit/data/pore_site_literature.csv</code>, "
            f"each with its source) against what this report computed in {esc(ctx.structure.entry_id)}: "
            f"<b>found</b> = within {cutoff:g} Å of the ligand; <b>near</b> = within {WIDE_CUTOFF:g} Å; "
            "<b>not found</b> = further; <b>not in entry</b> = that subunit or residue is not modelled. "
            "GluN2A rows apply to GluN2A entries, GluN2B rows to GluN2B entries.</p>"]  # fmt: skip
    for lig_tag, grp in lit.groupby("ligand", sort=False):
        counts = grp["verdict"].value_counts().to_dict()
        head = f"{lig_tag}: " if lig_tag else ""
        body.append(f"<p>{esc(head)}" + ", ".join(f"{n} {esc(v)}" for v, n in counts.items()) + ".</p>")
        body.append(table_html(grp, ["residue", "role", "verdict", "within_cutoff", "closest_chain", "min_distance",
                                     "interactions", "finding", "source"], rename={"min_distance": "min distance (Å)"}))  # fmt: skip
    return Section("literature", "Computed versus literature: pore residues", "".join(body),
                   files={"literature_comparison.csv": lit.to_csv(index=False)})  # fmt: skip


def _comparison_section(ctx: ReportContext) -> Section | None:
    if ctx.other is None:
        return None
    import pandas as pd

    esc = html.escape
    s, s2 = ctx.structure, ctx.other
    sup = ctx.superposition
    how = (f"superposed on the transmembrane domain (Cα RMSD {sup.rmsd:.1f} Å over {sup.n_pairs} pairs)" if sup is not None
           else "side by side (no transmembrane domain to superpose on)")  # fmt: skip
    body = [f'<p><a href="compare.html">3D comparison: {esc(s.entry_id)} and {esc(s2.entry_id)}</a> ({esc(how)}; '
            "a separate self-contained page).</p>"]  # fmt: skip
    tables = [lig.comparison for lig in ctx.ligands if lig.comparison is not None]
    files: dict[str, str | bytes] = {}
    if tables:
        comp = pd.concat(tables, ignore_index=True)
        files["pore_site_comparison.csv"] = comp.to_csv(index=False)
        body.append(f"<p>Each site residue mapped onto GluN1, GluN2A and GluN2B (from {esc(s.entry_id)} and "
                    f"{esc(s2.entry_id)}) by UniProt numbering and sequence alignment.</p>")  # fmt: skip
        body.append(table_html(comp, ["ligand", "position", "GluN1_label", "GluN2A_label", "GluN2B_label", "identical", "identical_glun2"]))
    return Section("comparison", "The site across subunits", "".join(body), files=files)


def _pocket_section(ctx: ReportContext) -> Section | None:
    if ctx.pockets is None:
        return None
    if ctx.pocket_kind == "lateral":
        text = ("<p>Membrane-facing hydrophobic pockets of the transmembrane domain found by the pocket search. They "
                "are <b>candidates</b>: the residues of the membrane-accessible ketamine sites (Abbott et al., Mol "
                "Psychiatry 2024) are not available here.</p>")  # fmt: skip
        title = "Candidate lateral pockets (computed)"
    else:
        n_lat = int(ctx.pockets["lateral_candidate"].sum()) if "lateral_candidate" in ctx.pockets else 0
        text = (f"<p>The {len(ctx.pockets)} highest-ranked buried cavities found by the LIGSITE-type grid search "
                f"(at most {MAX_POCKETS}). <code>lateral_candidate</code> marks membrane-facing hydrophobic pockets of "
                f"the transmembrane domain ({n_lat} here): computed <b>candidates</b> only, since the residues of the "
                "membrane-accessible ketamine sites (Abbott et al., Mol Psychiatry 2024) are not available here.</p>")  # fmt: skip
        title = "Pockets (computed)"
    body = text + table_html(ctx.pockets, ["pocket_id", "volume", "buriedness", "hydrophobicity", "faces", "lateral_candidate", "n_lining", "lining_residues"],
                                  rename={"volume": "volume (Å³)"})
    return Section("pockets", title, body, files={"pockets.csv": ctx.pockets.to_csv(index=False)})


def _panel_section(ctx: ReportContext) -> list[Section]:
    from rdkit import Chem

    from . import chem
    from .views.plots import property_space_plot
    from .views.twod import ligand_grid_svg

    ligands_file = ctx.options.get("ligands_file")
    extra = []
    if ligands_file is not None:
        from .errors import InputFileError

        usable, rejected = _user_ligands(ligands_file, ctx.options.get("smiles_column", "smiles"))
        names, smiles = usable["name"].astype(str).tolist(), usable["smiles"].tolist()
        if not smiles:
            raise InputFileError(f"{ligands_file}: no usable molecule ({len(rejected)} rows, none usable)")
        set_name = Path(ligands_file).name
        values = "<p>User ligands: no measured values.</p>"
        if len(rejected):
            extra.append(Section("rejected", "Rows not used", table_html(rejected, ["row", "name", "input", "status", "message"]), level=3))
        ctx.notes.append(f"{len(usable)} of {len(usable) + len(rejected)} rows of {set_name} used.")
    else:
        panel = chem.load_panel()
        names, smiles = panel["name"].astype(str).tolist(), panel["isomeric_smiles"].tolist()
        set_name = "the curated ligand panel"
        values = ("<h3>Measured NMDA receptor values</h3><p>One value per compound, each with its assay and source. "
                  "Values come from different assays and must not be ranked across assays; the status column says how "
                  "far each was verified.</p>"
                  + table_html(panel, ["name", "value_raw", "value_type", "assay_system", "source", "status"]))  # fmt: skip
    props = chem.compute_properties(smiles)
    props.insert(0, "name", names)
    grid_mols, grid_hl = [], []
    for smi in smiles:
        res = chem.mcs(smi)
        grid_mols.append(Chem.MolFromSmiles(res.query_smiles))
        grid_hl.append(list(res.query_atoms))
    grid = ligand_grid_svg(grid_mols, names, properties=props[["clogp", "tpsa"]], highlight_atoms=grid_hl, mols_per_row=6, size=(200, 170))  # fmt: skip
    prop_svg = _svg(property_space_plot(props, highlight=("esketamine", "ketamine", "arketamine")).figure)
    body = (f"<p>Common substructure with esketamine highlighted; cLogP and TPSA shown.</p>{grid[grid.index('<svg') :]}"
            f"{values}<h3>Property space</h3>{prop_svg}")  # fmt: skip
    main = Section("ligand-set", f"Ligands: {set_name}", body, files={"ligand_properties.csv": props.to_csv(index=False)})
    return [main, *extra]


#: The default section builders, in page order (see :class:`Section`).
SECTION_BUILDERS: list[SectionBuilder] = [
    _summary_section, _ligand_sections, _literature_section, _comparison_section, _pocket_section, membrane_section,
    _panel_section,
]  # fmt: skip

#: Default builders that never read the pocket analysis (``ctx.pockets``, ``ctx.analysis``): made
#: while the pocket worker still runs (``n_jobs > 1``). Any other builder runs once it is done.
_POCKET_FREE_BUILDERS = frozenset({_summary_section, _ligand_sections, _literature_section, _comparison_section,
                                   _panel_section})  # fmt: skip


# ----------------------------------------------------------------------------- compute
#: Residues of the still (``site.png``) with a ligand: those with an atom within this distance (Å)
#: of a ligand atom. The close-up (``site_view`` zooms on the ligand) shows ~20 Å around it, and
#: its camera counts occluding atoms up to ~26 Å from the ligand centre, so 32 Å changes neither.
STILL_RADIUS = 32.0


def _near_ligand(s: Any, lig_key: tuple[str, str, int], radius: float = STILL_RADIUS) -> Any:
    """The entry cut to the whole residues with an atom within ``radius`` Å of the ligand (for the still)."""
    import numpy as np
    from scipy.spatial import cKDTree

    lig = s.coord[s.ligand_atoms(*lig_key)].astype(np.float64)
    near = np.zeros(s.n_atoms, dtype=bool)
    hits = cKDTree(s.coord.astype(np.float64)).query_ball_point(lig, r=radius)
    near[np.unique(np.concatenate([np.asarray(h, dtype=np.int64) for h in hits]))] = True
    keep = np.isin(s.residue_index, np.unique(s.residue_index[near]))
    return type(s)(s.entry_id, {k: v[keep] for k, v in s.atoms.items()}, s.meta, s.source)


def _find_ligands(s: Any, ligand: str | None) -> list[tuple[str, str, int, str]]:
    from .errors import LigandNotFound

    ligs = s.ligands()
    if ligand is not None:
        hit = ligs[ligs["ccd_code"] == ligand]
        if not len(hit):
            raise LigandNotFound(f"no ligand {ligand!r} in {s.entry_id}: found {sorted(set(ligs['ccd_code']))}")
    else:
        hit = ligs[ligs["category"] == "ligand"]
    return [(str(r.ccd_code), str(r.chain), int(r.auth_seq_id), str(r.name)) for r in hit.itertuples(index=False)]


def pocket_analysis(structure: Any, *, with_ligands: bool = True, n_jobs: int = 1, progress: bool = False) -> PocketAnalysis:
    """The pocket analysis of a report: membrane, pocket search and lateral-site evidence, each once.

    1. :func:`toolkit.membrane` (Ez fit, Senes et al. 2007);
    2. with ligands: :func:`toolkit.sites.lateral_candidates` (one
       :func:`~toolkit.sites.lateral.lateral_sites` run: the pocket search
       and its perturbed searches); its table of every TMD pocket is kept
       for the membrane section;
    3. without ligands (a pocket-only report): the :data:`MAX_POCKETS` largest
       pockets of :func:`toolkit.sites.find_pockets`, ``lateral_candidate``
       set from one :func:`~toolkit.sites.lateral.lateral_sites` run on the
       same (cached) search;
    4. the grid points of each pocket shown (:func:`toolkit.sites.pocket_points`, cached search).

    Parameters
    ----------
    structure : Structure
    with_ligands : bool
        The report has drug-like ligands (lateral candidates shown) or not (every pocket).
    n_jobs, progress :
        Passed to the pocket search.

    Returns
    -------
    PocketAnalysis

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.report import pocket_analysis
    >>> pa = pocket_analysis(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> pa.kind, pa.membrane.thickness  # doctest: +SKIP

    Raises
    ------
    InvalidParameter
        An argument of the wrong type (``n_jobs``: positive or -1).
    """
    from . import sites
    from ._checks import check_bool, check_structure
    from ._jobs import resolve_n_jobs
    from .errors import ToolkitError
    from .sites import lateral
    from .sites.implicit_membrane import membrane as fit_membrane

    check_structure(structure)
    check_bool(with_ligands, "with_ligands")
    check_bool(progress, "progress")
    n_jobs = resolve_n_jobs(n_jobs)
    out = PocketAnalysis()
    t, c = time.perf_counter(), time.process_time()
    try:
        out.membrane = fit_membrane(structure)
    except ToolkitError as exc:
        out.membrane_error = str(exc)
    out.seconds["membrane fit"] = time.perf_counter() - t
    out.cpu_seconds["membrane fit"] = time.process_time() - c
    t, c, cc = time.perf_counter(), time.process_time(), _children_cpu()
    if with_ligands:
        try:
            out.pockets, out.kind = sites.lateral_candidates(structure, n_jobs=n_jobs, progress=progress), "lateral"
            out.lateral, out.lining = out.pockets.attrs.get("sites"), out.pockets.attrs.get("all_lining")
        except ToolkitError as exc:  # e.g. no transmembrane domain in this entry
            out.notes.append(f"No candidate lateral pockets: {exc}")
            out.lateral_error = str(exc)
        out.seconds["pocket search + lateral sites"] = time.perf_counter() - t
        out.cpu_seconds["pocket search + lateral sites"] = time.process_time() - c
        forked = _children_cpu() - cc  # the perturbed searches' forked children (lateral._perturbed_searches)
        if forked > 0:
            out.seconds["perturbed searches in forked children"] = float("nan")  # within the step above
            out.cpu_seconds["perturbed searches in forked children"] = forked
    else:
        out.pockets, out.kind = sites.find_pockets(structure, n_jobs=n_jobs, progress=progress).head(MAX_POCKETS), "all"
        out.seconds["pocket search"] = time.perf_counter() - t
        out.cpu_seconds["pocket search"] = time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        try:  # the same (cached) search, evaluated against the membrane and on perturbed grids
            out.lateral, out.lining = lateral.lateral_sites(structure, n_jobs=n_jobs, progress=progress)
        except ToolkitError as exc:
            out.lateral_error = str(exc)
        if out.lateral is not None:
            flagged = set(out.lateral.loc[out.lateral["lateral_candidate"], "pocket_id"].astype(int))
            out.pockets = out.pockets.copy()
            out.pockets["lateral_candidate"] = out.pockets["pocket_id"].astype(int).isin(flagged)
        out.seconds["lateral sites"] = time.perf_counter() - t
        out.cpu_seconds["lateral sites"] = time.process_time() - c
    if out.pockets is not None:
        for _, row in out.pockets.iterrows():
            out.points[row["pocket_id"]] = sites.pocket_points(structure, row)
    return out


def _children_cpu() -> float:
    """CPU seconds of this process's finished (waited-for) children; 0 where the OS does not say."""
    try:
        import resource

        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    except (ImportError, OSError):  # not on POSIX
        return 0.0


def _warm_pocket_worker() -> None:
    """Import what :func:`_pocket_job` needs (run in the pocket worker while the report loads the entry)."""
    import importlib

    for name in ("toolkit.structure", "toolkit.sites.implicit_membrane", "toolkit.sites.pockets",
                 "toolkit.sites.lateral", "scipy.ndimage", "scipy.spatial"):  # fmt: skip
        importlib.import_module(name)


def _pocket_job(entry: str, with_ligands: bool, n_jobs: int, progress: bool) -> PocketAnalysis:
    """:func:`pocket_analysis` in a worker process (the entry loaded there from the structure cache)."""
    from .structure import load_structure

    t, c = time.perf_counter(), time.process_time()
    s = load_structure(entry)
    load, load_cpu = time.perf_counter() - t, time.process_time() - c
    out = pocket_analysis(s, with_ligands=with_ligands, n_jobs=n_jobs, progress=progress)
    out.seconds = {"load entry": load, **out.seconds}
    out.cpu_seconds = {"load entry": load_cpu, **out.cpu_seconds}
    return out


def _check_report_args(**kw: Any) -> None:
    """Every argument of :func:`compute_report` of the right type and range, before any work (InvalidParameter)."""
    from ._checks import check_bool, check_number, check_path, check_str
    from .errors import InvalidParameter

    check_path(kw["entry"], "entry")
    check_str(kw["ligand"], "ligand", optional=True)
    check_str(kw["compare_entry"], "compare_entry", optional=True)
    check_path(kw["ligands_file"], "ligands_file", optional=True)
    check_str(kw["smiles_column"], "smiles_column")
    check_bool(kw["pockets"], "pockets")
    if kw["png"] is not None:
        check_bool(kw["png"], "png")
    check_number(kw["ph"], "ph", 0, 14)
    check_number(kw["cutoff"], "cutoff", 0.5, WIDE_CUTOFF * 2)  # a contact cutoff: a few Å
    check_bool(kw["progress"], "progress")
    for name in ("sections", "extra_sections"):
        value = kw[name]
        if value is None and name == "sections":
            continue
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not all(callable(f) for f in value):
            raise InvalidParameter(f"{name} must be a list of section builders (callables ReportContext -> Section), got {value!r:.80}")


def compute_report(
    entry: str = "7EU8",
    ligand: str | None = None,
    *,
    compare_entry: str | None = "auto",
    ligands_file: str | os.PathLike | None = None,
    smiles_column: str = "smiles",
    pockets: bool = True,
    png: bool | None = None,
    ph: float = 7.4,
    cutoff: float = 4.5,
    n_jobs: int = -1,
    progress: bool = False,
    sections: Sequence[SectionBuilder] | None = None,
    extra_sections: Sequence[SectionBuilder] = (),
    dock: bool = False,
) -> ReportData:
    """Compute everything the report shows (no file is written). Arguments: :func:`build_report`.

    With ``n_jobs > 1`` the pocket analysis (:func:`pocket_analysis`: membrane
    fit, pocket search, lateral-site evidence) runs in a worker process while
    this process computes the ligands, the comparison and the sections that do
    not need pockets, and Chromium renders the static picture; ``n_jobs == 1``
    runs everything here, one step after the other, with the same results.
    """
    import contextlib

    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf") and not os.environ.get("DISPLAY"):
        matplotlib.use("Agg")

    from ._checks import check_bool
    from ._jobs import process_pool, resolve_n_jobs
    from .structure import load_structure

    t0 = time.perf_counter()
    stages: dict[str, list[float]] = {}  # name -> [wall s, CPU s of this process]
    mark = [t0, time.process_time()]

    def _stage(name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        acc = stages.setdefault(name, [0.0, 0.0])
        acc[0] += now - mark[0]
        acc[1] += cpu - mark[1]
        mark[0], mark[1] = now, cpu

    _check_report_args(entry=entry, ligand=ligand, compare_entry=compare_entry, ligands_file=ligands_file,
                       smiles_column=smiles_column, pockets=pockets, png=png, ph=ph, cutoff=cutoff,
                       progress=progress, sections=sections, extra_sections=extra_sections)  # fmt: skip
    n_jobs = resolve_n_jobs(n_jobs)
    check_bool(dock, "dock")

    with contextlib.ExitStack() as stack:
        # The pocket analysis is the longest step: with n_jobs > 1 it runs in a worker process
        # (which loads the entry from the structure cache), started at once with the libraries
        # to import (while this process loads the entry and finds its ligands), given the job
        # then, and collected when needed.
        ex, pocket_future = None, None
        if pockets and n_jobs > 1:
            try:
                ex = stack.enter_context(process_pool(1, ["toolkit.report"]))
                ex.submit(_warm_pocket_worker)
            except OSError as exc:  # no process could be started (e.g. no /dev/shm): the same work, here
                ex = None
                warnings.warn(f"pocket analysis runs in this process: no worker process ({exc})", stacklevel=2)
        s = load_structure(entry)
        found = _find_ligands(s, ligand)
        notes: list[str] = []
        if len(found) > MAX_LIGANDS:
            notes.append(f"{len(found)} ligand instances found; the first {MAX_LIGANDS} are reported.")
            found = found[:MAX_LIGANDS]
        _stage("load entry")
        if ex is not None:
            src = str(Path(entry).resolve()) if Path(str(entry)).is_file() else str(entry)
            pocket_future = ex.submit(_pocket_job, src, bool(found), n_jobs, progress)
        data = _compute_rest(
            s, found, notes, pocket_future, entry=entry, compare_entry=compare_entry, ligands_file=ligands_file,
            smiles_column=smiles_column, pockets=pockets, png=png, ph=ph, cutoff=cutoff, n_jobs=n_jobs,
            progress=progress, sections=sections, extra_sections=extra_sections, dock=dock, stage=_stage,
        )  # fmt: skip
    data.summary["seconds"] = round(time.perf_counter() - t0, 1)
    data.summary["stages"] = {k: round(v[0], 2) for k, v in stages.items()}
    data.summary["stages_cpu"] = {k: round(v[1], 2) for k, v in stages.items()}
    return data


def _compute_rest(s: Any, found: list[tuple[str, str, int, str]], notes: list[str], pocket_future: Any, *,
                  stage: Callable[[str], None], **kw: Any) -> ReportData:  # fmt: skip
    """The body of :func:`compute_report` once the entry is loaded (and the pocket worker started)."""
    from . import chem, sites
    from .errors import InvalidParameter, RenderError, ToolkitError
    from .structure import load_structure
    from .views.static import find_chromium, to_png
    from .views.threed import Scene, comparison_view, site_view

    entry, compare_entry, png, ph, cutoff = kw["entry"], kw["compare_entry"], kw["png"], kw["ph"], kw["cutoff"]
    n_jobs, progress, pockets, dock = kw["n_jobs"], kw["progress"], kw["pockets"], kw["dock"]
    sections, extra_sections = kw["sections"], kw["extra_sections"]
    ligs: list[LigandResult] = []
    for code, chain, res_id, name in found:
        inter = sites.interactions(s, code, chain=chain, res_id=res_id, ph=ph)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            site = sites.site_residues(s, code, chain=chain, res_id=res_id, cutoff=cutoff, ph=ph, interaction_table=inter)
            shell = sites.site_residues(s, code, chain=chain, res_id=res_id, cutoff=max(WIDE_CUTOFF, cutoff), with_interactions=False)
        notes += [f"{code} {chain}{res_id}: {w.message}" for w in caught]
        try:
            mol = chem.ligand_to_mol(s, code, chain, res_id)
        except ToolkitError as exc:
            mol = None
            notes.append(f"{code} {chain}{res_id}: no 2D diagram ({exc})")
        ligs.append(LigandResult(code, chain, res_id, name, site, inter, shell, mol))
    stage("ligands: sites and interactions")

    first = ligs[0] if ligs else None
    lig_key = (first.code, first.chain, first.res_id) if first else None
    files: dict[str, str | bytes] = {}
    title = f"{s.entry_id} {first.code} site" if first else f"{s.entry_id}: pockets"

    # The static picture renders in Chromium (its own process) while the rest is computed. With a
    # ligand it starts at once, without the pockets (they lie outside the ligand's close-up); a
    # pocket-only picture waits for the pockets and draws one sphere per pocket, which software
    # WebGL renders much faster than every grid point.
    png_thread: threading.Thread | None = None
    png_result: dict[str, Any] = {}
    want_png = bool(png or (png is None and find_chromium() is not None))
    if png is False:
        notes.append("No static picture of the 3D view: not requested (png=False).")
    elif not want_png:
        notes.append("No static picture of the 3D view: Chromium not found (install Debian's chromium).")

    def _start_png(pocket_table: Any) -> threading.Thread:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # a cheaper scene for the still (software WebGL): with a ligand only the residues near it
            # (the close-up shows nothing farther), and no antialiasing (7EU8: 7.5 -> 3.1 CPU-s)
            still = _near_ligand(s, lig_key) if first else s
            png_view = site_view(still, first.site if first else None, first.interactions if first else None,
                                 pocket_table, ligand=lig_key, title=title)  # fmt: skip
        png_view.antialias = False

        def _render() -> None:
            t = time.perf_counter()
            try:
                with tempfile.TemporaryDirectory(prefix="nmda-report-png-") as tmp:
                    path = to_png(png_view, Path(tmp) / "site.png", wait_ms=2500)  # the scene draws synchronously
                    png_result["data"] = path.read_bytes()
            except BaseException as exc:  # reported below, in the calling thread
                png_result["error"] = exc
            png_result["seconds"] = time.perf_counter() - t

        thread = threading.Thread(target=_render, name="report-png")
        thread.start()
        return thread

    if want_png and ligs:
        png_thread = _start_png(None)
    analysis: PocketAnalysis | None = None
    try:
        # the comparison entry (independent of the pockets)
        other, sup = None, None
        candidates = _pore_partner(s) if compare_entry == "auto" else ([compare_entry] if compare_entry else [])
        if compare_entry and compare_entry != "auto" and str(compare_entry).upper() == str(s.entry_id).upper():
            notes.append(f"No comparison: {compare_entry} is the entry itself.")
            candidates = []
        for cand in candidates[:2]:
            try:
                other = load_structure(cand)
                break
            except ToolkitError as exc:
                notes.append(f"Comparison entry {cand} not available: {exc}")
        if compare_entry == "auto" and not candidates:
            notes.append("No comparison: the entry is not a GluN1-GluN2A or GluN1-GluN2B receptor (compare_entry='auto').")
        if other is not None:
            try:
                sup = sites.superpose_tmd(other, s)
            except ToolkitError as exc:  # no TMD to fit on: show the two side by side
                notes.append(f"{other.entry_id} not superposed on {s.entry_id}: {exc}")
            base = Scene(s, first.site if first else None, first.interactions if first else None, ligand=lig_key,
                         title=f"{s.entry_id} ({'/'.join(sorted(set(s.chain_subunits.values())))})")  # fmt: skip
            osc_title = f"{other.entry_id} ({'/'.join(sorted(set(other.chain_subunits.values())))})"
            if sup is not None:
                cmp_title = f"{base.title} and {osc_title} superposed on the TMD: Cα RMSD {sup.rmsd:.1f} Å over {sup.n_pairs} pairs"
                cmp_view = comparison_view([base, Scene(sup.structure, title=osc_title)], mode="overlay", width=1000, height=500, title=cmp_title)  # fmt: skip
            else:
                cmp_view = comparison_view([base, Scene(other, title=osc_title)], mode="grid", width=1000, height=500)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                files["compare.html"] = cmp_view.html()
            for lig in ligs:
                try:
                    lig.comparison = sites.compare_pore_site(s, [other], ligand=lig.code, cutoff=cutoff, site_df=lig.site)
                except ToolkitError as exc:
                    notes.append(f"{lig.tag}: no pore-site comparison ({exc})")
        stage("comparison entry")

        ctx = ReportContext(s, ligs, None, {}, "", other, sup,
                            {"ph": ph, "cutoff": cutoff, "ligands_file": kw["ligands_file"],
                             "smiles_column": kw["smiles_column"], "n_jobs": n_jobs, "progress": progress,
                             "entry": entry, "pockets": pockets, "dock": dock},
                            notes)  # fmt: skip
        builders = [*(SECTION_BUILDERS if sections is None else sections), *extra_sections,
                    *([docking_section] if dock else [])]  # fmt: skip
        made: dict[int, Any] = {}
        # sections that never read the pocket analysis are made while the worker still searches
        for i, builder in enumerate(builders):
            if builder in _POCKET_FREE_BUILDERS:
                made[i] = builder(ctx)
        stage("sections without pockets")

        if pockets:
            if pocket_future is not None:
                analysis = pocket_future.result()
                stage("waiting for the pocket worker")
            else:
                analysis = pocket_analysis(s, with_ligands=bool(ligs), n_jobs=n_jobs, progress=progress)
                stage("pocket analysis (in process)")
            notes += analysis.notes
            ctx.analysis = analysis
            ctx.pockets, ctx.pocket_points, ctx.pocket_kind = analysis.pockets, analysis.points, analysis.kind
        pocket_df, points, kind = ctx.pockets, ctx.pocket_points, ctx.pocket_kind
        if want_png and not ligs:
            png_thread = _start_png(pocket_df)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            view = site_view(s, first.site if first else None, first.interactions if first else None, pocket_df,
                             ligand=lig_key, pocket_points=points, title=title)  # fmt: skip
            if analysis is not None and kind == "lateral" and analysis.membrane is not None and analysis.membrane.has_membrane:
                from .views.membrane import add_membrane_planes

                add_membrane_planes(view, analysis.membrane)
            files["site.html"] = view.html()
            for lig in ligs[1:]:
                v = site_view(s, lig.site, lig.interactions, ligand=(lig.code, lig.chain, lig.res_id), title=f"{s.entry_id} {lig.code} site")
                files[f"site_{lig.tag}.html"] = v.html()
        notes += [str(w.message) for w in caught if not str(w.message).startswith("No ligand in")]
        stage("3D views")

        for i, builder in enumerate(builders):
            if i not in made:
                made[i] = builder(ctx)
        out_sections: list[Section] = []
        for i in range(len(builders)):
            sec = made[i]
            if sec is None:
                continue
            out_sections += [sec] if isinstance(sec, Section) else list(sec)
        keys = [sec.key for sec in out_sections]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise InvalidParameter(f"report sections must have unique keys; repeated: {sorted(dup)}")
        stage("sections with pockets")

        # combined tables (every ligand) and the session scripts
        import pandas as pd

        from .views.sessions import SessionLigand, chimerax_script, pymol_script

        if ligs:
            files["site_residues.csv"] = pd.concat([lig.site for lig in ligs], ignore_index=True).to_csv(index=False)
            files["interactions.csv"] = pd.concat([lig.interactions for lig in ligs], ignore_index=True).to_csv(index=False)
        src = str(Path(entry).resolve()) if Path(str(entry)).is_file() else str(s.entry_id)
        sess = [SessionLigand(lig.code, lig.chain, lig.res_id, lig.site, lig.interactions) for lig in ligs]
        files["session.pml"] = pymol_script(s, src, sess, pocket_df, points, membrane=ctx.membrane)
        files["session.cxc"] = chimerax_script(s, src, sess, pocket_df, points, membrane=ctx.membrane)
        stage("session scripts")
    finally:
        picture = None
        if png_thread is not None:
            png_thread.join()
            stage("waiting for the static picture")
    if "error" in png_result:
        err = png_result["error"]
        if png or not isinstance(err, RenderError):
            raise err
        notes.append(f"No static picture of the 3D view: {err}")
    elif "data" in png_result:
        from PIL import Image

        files["site.png"] = png_result["data"]
        buf = io.BytesIO()  # embedded as JPEG (a third of the PNG's size); site.png stays lossless
        with Image.open(io.BytesIO(png_result["data"])) as im:
            im.convert("RGB").save(buf, "JPEG", quality=88, optimize=True)
        picture = buf.getvalue()
    summary = {
        "entry": s.entry_id, "ligands": [lig.tag for lig in ligs],
        "site_residues": {lig.tag: len(lig.site) for lig in ligs},
        "interactions": {lig.tag: len(lig.interactions) for lig in ligs},
        "pockets": 0 if pocket_df is None else len(pocket_df), "pocket_kind": kind,
        "compared_with": None if other is None else other.entry_id,
        "rmsd": None if sup is None else round(float(sup.rmsd), 2), "picture": picture is not None,
        "concurrent": {**({f"pocket analysis: {k}": round(v, 2) for k, v in analysis.seconds.items()} if analysis else {}),
                       **({"static picture (Chromium)": round(png_result["seconds"], 2)} if "seconds" in png_result else {})},
        "concurrent_cpu": {f"pocket analysis: {k}": round(v, 2) for k, v in (analysis.cpu_seconds.items() if analysis else ())},
    }  # fmt: skip
    return ReportData(ctx, out_sections, files, embedded_view=files["site.html"], picture=picture,  # type: ignore[arg-type]
                      view_size=(int(view.width) + 40, view.page_height()), summary=summary, notes=notes)  # fmt: skip


# ----------------------------------------------------------------------------- render and write
def render_report(data: ReportData) -> dict[str, str | bytes]:
    """All files of the report folder: ``index.html`` (Jinja2 template) plus the computed files.

    Raises
    ------
    InvalidParameter
        A section file name is not a plain file name, or two sections write the same file.
    """
    from importlib import resources

    import jinja2
    from markupsafe import Markup

    from ._version import __version__
    from .errors import InvalidParameter
    from .views import assets

    files: dict[str, str | bytes] = dict(data.files)
    for sec in data.sections:
        for name, content in sec.files.items():
            if Path(name).name != name or name.startswith(".") or name == "index.html":
                raise InvalidParameter(f"section {sec.key!r}: file name {name!r} must be a plain file name")
            if name in files:
                raise InvalidParameter(f"section {sec.key!r}: file {name!r} is written twice")
            files[name] = content
    s = data.context.structure
    cit = s.citation or {}
    notes = [*data.notes, *(n for sec in data.sections for n in sec.notes)]
    info = assets.cached_asset()
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(resources.files("toolkit").joinpath("templates/report.html.j2").read_text(encoding="utf-8"))
    first = data.context.ligands[0] if data.context.ligands else None
    page = template.render(
        title=f"{s.entry_id} {first.code if first else 'pocket'} report",
        sections=[{"key": sec.key, "title": sec.title, "level": sec.level, "body": Markup(sec.body)} for sec in data.sections],
        view=data.embedded_view, view_width=data.view_size[0], view_height=data.view_size[1], view_title=(f"3D binding site of {first.title}" if first else "3D view: protein and pockets"),
        picture=(base64.b64encode(data.picture).decode("ascii") if data.picture else None),
        files=sorted(n for n in files if n != "index.html"),
        entry_source=f"{s.entry_id}: {cit.get('title') or s.title or ''} doi:{cit.get('doi') or 'n/a'} (wwPDB, CC0)",
        sources=[f"{text}. doi:{doi}" for text, doi in _SOURCES], notes=notes,
        version=__version__, threedmol=(info.version if info else "not cached"),
    )  # fmt: skip
    files["index.html"] = page
    return files


def write_report(files: dict[str, str | bytes], out_dir: str | os.PathLike) -> Path:
    """Write ``files`` into ``out_dir`` as a whole; return the path of ``index.html``.

    The files go to a temporary folder beside ``out_dir`` that replaces it only
    once every file is written, so a failure leaves the previous report (or
    nothing) in place, never a mix. An existing ``out_dir`` is replaced only when
    it is empty or holds a report (an ``index.html``).

    Raises
    ------
    OutputPathError
        The parent folder is missing or not writable, or ``out_dir`` is a
        file or a folder that does not hold a report.
    """
    from .errors import OutputPathError
    from .io.atomic import atomic_directory

    out = Path(out_dir)
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise OutputPathError(f"{out} is not empty and holds no report (index.html): not replaced; choose another --out")
    with atomic_directory(out, what="report folder") as tmp:
        for name, content in files.items():
            (tmp / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else bytes(content))
    return out / "index.html"


def build_report(
    out_dir: str | os.PathLike = "reports",
    entry: str = "7EU8",
    ligand: str | None = None,
    *,
    compare_entry: str | None = "auto",
    ligands_file: str | os.PathLike | None = None,
    smiles_column: str = "smiles",
    pockets: bool = True,
    png: bool | None = None,
    ph: float = 7.4,
    cutoff: float = 4.5,
    n_jobs: int = -1,
    progress: bool = False,
    sections: Sequence[SectionBuilder] | None = None,
    extra_sections: Sequence[SectionBuilder] = (),
    return_data: bool = False,
    dock: bool = False,
) -> Any:
    """Build the report folder; return the path of ``index.html``.

    Parameters
    ----------
    out_dir : path
        Output folder (its parent must exist). Replaced as a whole at the end.
    entry : str
        PDB ID or structure file.
    ligand : str or None
        CCD code of the ligand to report (every instance); None (default): every
        drug-like ligand (``category == "ligand"``). None found: a pocket-only report.
    compare_entry : str, "auto" or None
        Second entry, superposed on the transmembrane domain of ``entry`` in
        compare.html and used for the pore-site comparison across subunits.
        ``"auto"`` (default): an entry of the other GluN2 subunit from the
        catalogue, only for GluN1-GluN2A/GluN2B entries (7EU8 -> 7EOS, 7EOS -> 7EU8).
        None or the entry itself: no comparison.
    ligands_file : path, optional
        Ligands to profile instead of the curated panel (SMILES, CSV or SDF, read
        by :func:`toolkit.batch.read_records`); rows that cannot be used (invalid,
        empty, ``too_large``) are listed in the report with their status.
    smiles_column : str
        SMILES column of a CSV ``ligands_file``.
    pockets : bool
        Compute candidate lateral pockets (``toolkit.sites.lateral_candidates``);
        for an entry without ligand and without TMD, every pocket (``find_pockets``).
    png : bool or None
        Static picture of the 3D view: True requires Chromium, None uses it when found.
    ph : float
        pH of the protonation rules (default 7.4).
    cutoff : float
        Site-residue cutoff in Å (default 4.5).
    n_jobs : int
        Cores used (positive, or -1, the default: every usable core; see
        ``toolkit._jobs``). Above 1, the pocket analysis (membrane fit, pocket
        search, lateral sites) runs in a worker process alongside the rest of
        the report, and its perturbed searches run in ``n_jobs`` children
        forked from that worker; 1 runs everything in this process. The
        results are the same.
    progress : bool
        Progress bars of the pocket search.
    sections, extra_sections : list of section builders, optional
        Replace / extend :data:`SECTION_BUILDERS` (see :class:`Section`).
    return_data : bool
        Return ``(index_path, ReportData)`` instead of the path.
    dock : bool
        Add the docking section (:func:`toolkit.report_sections.docking_section`:
        slow, low exhaustiveness; needs the ``docking`` extra). Default False.

    Raises
    ------
    OutputPathError
        ``out_dir`` cannot be created or written.
    LigandNotFound
        ``ligand`` is not in ``entry``.
    InvalidParameter
        An argument of the wrong type or out of range (``n_jobs``, ``ph``, ``cutoff``, ...), checked before any work.

    Examples
    --------
    >>> index = build_report("reports")  # doctest: +SKIP
    """
    from ._checks import check_bool, check_path
    from .errors import OutputPathError

    check_path(out_dir, "out_dir")
    check_bool(return_data, "return_data")
    out = Path(out_dir)
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise OutputPathError(f"cannot create report folder {out}: {out.parent} does not exist")
    data = compute_report(
        entry, ligand, compare_entry=compare_entry, ligands_file=ligands_file, smiles_column=smiles_column,
        pockets=pockets, png=png, ph=ph, cutoff=cutoff, n_jobs=n_jobs, progress=progress, sections=sections,
        extra_sections=extra_sections, dock=dock,
    )  # fmt: skip
    index = write_report(render_report(data), out)
    return (index, data) if return_data else index
