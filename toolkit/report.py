"""One offline HTML report of a ketamine-bound NMDA receptor entry (``nmda-toolkit report``).

The report wires library calls only: :mod:`toolkit.sites` computes the site
residues, typed interactions and candidate lateral pockets; :mod:`toolkit.chem`
the ligand molecule, the panel's properties and the common substructure with
esketamine; :mod:`toolkit.views` draws them. Output folder::

    index.html      self-contained: summary, the 3D view (embedded), its static picture,
                    figures (inline SVG), tables
    site.html       3D site view (self-contained, offline)
    compare.html    3D comparison with a second entry, superposed on the TMD
    site.png        static picture of the 3D view (when Chromium is available)
    *.csv           the tables shown

Lateral pockets are *computed candidates* (SCIENCE.md: the residues of the
membrane-accessible sites of Abbott et al. 2024 are not available), and the
page says so.
"""

from __future__ import annotations

import base64
import html
import io
import os
import warnings
from pathlib import Path
from typing import Any

__all__ = ["build_report", "REPORT_FILES"]

#: Files written by :func:`build_report` (``site.png`` and ``compare.html`` only when made).
REPORT_FILES = ["index.html", "site.html", "compare.html", "site.png", "site_residues.csv",
                "interactions.csv", "pockets.csv", "ligand_properties.csv", "pore_site_comparison.csv"]  # fmt: skip


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _table(df: Any, columns: list[str]) -> str:
    cols = [c for c in columns if c in df.columns]
    return df[cols].to_html(index=False, escape=True, na_rep="", float_format=lambda x: f"{x:.2f}")


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


def _user_ligands(path: str | os.PathLike, smiles_column: str) -> tuple[Any, Any]:
    """Usable rows (name, SMILES) of a user ligand file, and the rows that were not usable.

    Reading is :func:`toolkit.batch.read_records` (SMILES, CSV or SDF); every
    row is kept in one of the two tables, with its status and message.
    """
    import pandas as pd
    from rdkit import Chem, RDLogger

    from .batch import read_records

    RDLogger.DisableLog("rdApp.*")
    rows = []
    for row, name, kind, payload, status, message in read_records(path, smiles_column=smiles_column):
        smiles = None
        if status is None and kind == "smiles" and not payload.strip():
            status, message = "empty", "empty line"
        if status is None and kind in ("smiles", "molblock"):
            mol = Chem.MolFromSmiles(payload) if kind == "smiles" else Chem.MolFromMolBlock(payload)
            if mol is None or mol.GetNumAtoms() == 0:
                status, message = "invalid_molecule", "RDKit could not parse or sanitise this record"
            else:
                smiles = Chem.MolToSmiles(mol)
        rows.append({"row": row, "name": name or f"row {row}", "input": payload if kind == "smiles" else "(SDF record)",
                     "smiles": smiles, "status": status or "ok", "message": message or ""})  # fmt: skip
    table = pd.DataFrame(rows, columns=["row", "name", "input", "smiles", "status", "message"])
    return table[table["status"] == "ok"], table[table["status"] != "ok"]


def build_report(
    out_dir: str | os.PathLike = "reports",
    entry: str = "7EU8",
    ligand: str = "JC9",
    *,
    compare_entry: str | None = "7EOS",
    ligands_file: str | os.PathLike | None = None,
    smiles_column: str = "smiles",
    pockets: bool = True,
    png: bool | None = None,
    n_jobs: int = 1,
    progress: bool = False,
) -> Path:
    """Build the report folder; return the path of ``index.html``.

    Parameters
    ----------
    out_dir : path
        Output folder (created if its parent exists).
    entry, ligand : str
        Entry (PDB ID or file) and CCD code of the ligand (first instance in the entry).
    compare_entry : str or None
        Second entry: superposed on the transmembrane domain of ``entry`` (side by
        side when it has none) in compare.html, and used for the pore-site comparison
        across subunits (default 7EOS, GluN1-GluN2A). None: neither.
    ligands_file : path, optional
        Ligands to profile instead of the curated panel (SMILES, CSV or SDF, read
        by :func:`toolkit.batch.read_records`); rows that cannot be used are
        listed in the report with their status.
    smiles_column : str
        SMILES column of a CSV ``ligands_file``.
    pockets : bool
        Compute candidate lateral pockets (``toolkit.sites.lateral_candidates``).
    png : bool or None
        Static picture of the 3D view: True requires Chromium, None uses it when found.
    n_jobs, progress : passed to the pocket search.

    Raises
    ------
    OutputPathError
        ``out_dir`` cannot be created or written.
    LigandNotFound
        ``ligand`` is not in ``entry``.

    Examples
    --------
    >>> index = build_report("reports")  # doctest: +SKIP
    """
    import threading

    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "svg", "pdf") and not os.environ.get("DISPLAY"):
        matplotlib.use("Agg")
    from rdkit import Chem

    from . import chem, sites
    from .errors import InputFileError, LigandNotFound, OutputPathError, RenderError, ToolkitError
    from .structure import load_structure
    from .views import assets
    from .views.html import write_atomic
    from .views.plots import interaction_heatmap, property_space_plot, residue_contact_plot
    from .views.static import find_chromium, to_png
    from .views.threed import Scene, comparison_view, site_view
    from .views.twod import interaction_diagram_svg, ligand_grid_svg

    out = Path(out_dir)
    if not out.parent.is_dir():
        raise OutputPathError(f"cannot create report folder {out}: {out.parent} does not exist")

    s = load_structure(entry)
    ligs = s.ligands()
    hit = ligs[ligs["ccd_code"] == ligand]
    if not len(hit):
        raise LigandNotFound(f"no ligand {ligand!r} in {s.entry_id}: found {sorted(set(ligs['ccd_code']))}")
    chain, res_id = str(hit.iloc[0]["chain"]), int(hit.iloc[0]["auth_seq_id"])
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"cannot create report folder {out}: {exc.strerror or exc}") from exc

    inter = sites.interactions(s, ligand, chain=chain, res_id=res_id)
    site = sites.site_residues(s, ligand, chain=chain, res_id=res_id, interaction_table=inter)
    notes: list[str] = []
    pocket_df = None
    points: dict[Any, Any] = {}
    if pockets:
        try:
            pocket_df = sites.lateral_candidates(s, n_jobs=n_jobs, progress=progress)
        except ToolkitError as exc:  # e.g. no transmembrane domain in this entry
            notes.append(f"No candidate lateral pockets: {exc}")
        else:
            for _, row in pocket_df.iterrows():
                points[row["pocket_id"]] = sites.pocket_points(s, row)
    lig_key = (ligand, chain, res_id)
    title = f"{s.entry_id} {ligand} site"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        view = site_view(s, site, inter, pocket_df, ligand=lig_key, pocket_points=points, title=title)
        view.to_html(out / "site.html")
    notes += [str(w.message) for w in caught]
    site_page = (out / "site.html").read_text(encoding="utf-8")  # embedded in index.html as well

    # The static picture renders in Chromium (its own process) while the rest is computed.
    # It draws one sphere per pocket instead of every grid point, which software WebGL
    # renders much faster.
    png_html = ""
    png_thread: threading.Thread | None = None
    png_error: list[BaseException] = []
    if png or (png is None and find_chromium() is not None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            png_view = site_view(s, site, inter, pocket_df, ligand=lig_key, title=title)

        def _render() -> None:
            try:
                to_png(png_view, out / "site.png")
            except BaseException as exc:  # reported below, in the calling thread
                png_error.append(exc)

        png_thread = threading.Thread(target=_render, name="report-png")
        png_thread.start()
    elif png is False:
        notes.append("No static picture of the 3D view: not requested (png=False).")
    else:
        notes.append("No static picture of the 3D view: Chromium not found.")

    compare_html = ""
    comparison_html = ""
    comparison = None
    if compare_entry:
        s2 = load_structure(compare_entry)
        try:
            sup = sites.superpose_tmd(s2, s)
        except ToolkitError as exc:  # no TMD to fit on: show the two side by side
            notes.append(f"{s2.entry_id} not superposed on {s.entry_id}: {exc}")
            scenes, mode, how = [Scene(s, site, inter, ligand=lig_key), Scene(s2)], "grid", "side by side"
        else:
            scenes, mode = [Scene(s, site, inter, ligand=lig_key), Scene(sup.structure)], "overlay"
            how = (f"superposed on the transmembrane domain (Cα RMSD {sup.rmsd:.1f} Å over {sup.n_pairs} "
                   f"pairs); {s2.entry_id} drawn translucent")  # fmt: skip
        cmp_view = comparison_view(scenes, mode=mode, width=1000, height=450)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cmp_view.to_html(out / "compare.html")
        compare_html = (f'<p><a href="compare.html">3D comparison: {html.escape(s.entry_id)} and '
                        f"{html.escape(s2.entry_id)}</a> ({html.escape(how)}; a separate self-contained page in this "
                        "folder, not embedded here to keep this file small).</p>")  # fmt: skip
        comparison = sites.compare_pore_site(s, [s2], ligand=ligand, site_df=site)
        comparison.to_csv(out / "pore_site_comparison.csv", index=False)
        comparison_html = (
            f"<h2>The site across subunits</h2><p>Each residue of the {esc_(ligand)} site in {esc_(s.entry_id)} "
            f"mapped onto GluN1, GluN2A and GluN2B (from {esc_(s.entry_id)} and {esc_(s2.entry_id)}) by UniProt "
            "numbering and sequence alignment.</p>"
            + _table(comparison, ["position", "GluN1_label", "GluN2A_label", "GluN2B_label", "identical", "identical_glun2"])
        )  # fmt: skip

    mol = chem.ligand_to_mol(s, ligand, chain, res_id)
    diagram = interaction_diagram_svg(mol, site, inter, title=f"{s.entry_id} {ligand}", size=560)
    diagram = diagram[diagram.index("<svg") :]

    rejected_html = ""
    if ligands_file is not None:
        usable, rejected = _user_ligands(ligands_file, smiles_column)
        names, smiles = usable["name"].astype(str).tolist(), usable["smiles"].tolist()
        if not smiles:
            raise InputFileError(f"{ligands_file}: no usable molecule ({len(rejected)} rows, none valid)")
        values_html = "<p>User ligands: no measured values.</p>"
        if len(rejected):
            rejected_html = "<h3>Rows not used</h3>" + _table(rejected, ["row", "name", "input", "status", "message"])
        set_name = html.escape(Path(ligands_file).name)
    else:
        panel = chem.load_panel()
        names, smiles = panel["name"].astype(str).tolist(), panel["isomeric_smiles"].tolist()
        values_html = (
            "<h3>Measured NMDA receptor values</h3><p>One value per compound, each with its assay and source. "
            "Values come from different assays and must not be ranked across assays; the status column says "
            "how far each was verified.</p>"
            + _table(panel, ["name", "value_raw", "value_type", "assay_system", "source", "status"])
        )  # fmt: skip
        set_name = "the curated ligand panel"
    props = chem.compute_properties(smiles)
    props.insert(0, "name", names)
    prop_svg = _svg(property_space_plot(props, highlight=("esketamine", "ketamine", "arketamine")).figure)
    grid_mols, grid_hl = [], []
    for smi in smiles:
        res = chem.mcs(smi)
        grid_mols.append(Chem.MolFromSmiles(res.query_smiles))
        grid_hl.append(list(res.query_atoms))
    grid_svg = ligand_grid_svg(grid_mols, names, properties=props[["clogp", "tpsa"]], highlight_atoms=grid_hl, mols_per_row=6, size=(200, 170))  # fmt: skip
    grid_svg = grid_svg[grid_svg.index("<svg") :]
    contact_svg = _svg(residue_contact_plot(site).figure)
    heat_svg = _svg(interaction_heatmap(inter, columns="type")[0].figure) if len(inter) else "<p>No typed interactions.</p>"

    site.to_csv(out / "site_residues.csv", index=False)
    inter.to_csv(out / "interactions.csv", index=False)
    props.to_csv(out / "ligand_properties.csv", index=False)
    if pocket_df is not None:
        pocket_df.to_csv(out / "pockets.csv", index=False)

    if png_thread is not None:
        png_thread.join()
        if png_error:
            if png:
                raise png_error[0]
            if not isinstance(png_error[0], RenderError):
                raise png_error[0]
            notes.append(f"No static picture of the 3D view: {png_error[0]}")
        else:
            from PIL import Image

            # embedded as JPEG (a third of the PNG's size) to keep index.html small; site.png stays lossless
            buf = io.BytesIO()
            with Image.open(out / "site.png") as im:
                im.convert("RGB").save(buf, "JPEG", quality=88, optimize=True)
            b64 = base64.b64encode(buf.getvalue()).decode("ascii")
            png_html = (f'<p><img src="data:image/jpeg;base64,{b64}" alt="3D site view (static picture; also '
                        'saved as site.png)" width="840"></p>')  # fmt: skip

    from ._version import __version__

    info = assets.cached_asset()
    esc = html.escape
    pocket_html = ""
    if pocket_df is not None:
        pocket_html = (
            "<h2>Candidate lateral pockets (computed)</h2><p>Membrane-facing hydrophobic pockets of the "
            "transmembrane domain found by the pocket search. They are <b>candidates</b>: the residues of the "
            "membrane-accessible ketamine sites (Abbott et al., Mol Psychiatry 2024) are not available here.</p>"
            + _table(pocket_df, ["pocket_id", "volume", "buriedness", "hydrophobicity", "faces", "n_lining", "lining_residues"])
        )  # fmt: skip
    cit = s.citation or {}
    entry_source = (f"<li>{esc(s.entry_id)}: {esc(str(cit.get('title') or s.title or ''))} "
                    f"doi:{esc(str(cit.get('doi') or 'n/a'))} (wwPDB, CC0)</li>")  # fmt: skip
    sources = "".join(f"<li>{esc(text)}. doi:{esc(doi)}</li>" for text, doi in _SOURCES)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(s.entry_id)} {esc(ligand)} report</title>
<style>body {{ font-family: sans-serif; margin: 20px; max-width: 1200px; }} table {{ border-collapse: collapse; font-size: 12px; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; }} .note {{ color: #555; }}</style></head><body>
<h1>{esc(s.entry_id)}: {esc(s.title or '')}</h1>
<h2>Summary</h2>
<p>Ligand {esc(ligand)} (chain {esc(chain)}, residue {res_id}); {esc(str(s.method or ''))} {esc(str(s.resolution or ''))} Å.
{len(site)} residues within the contact cutoff, {len(inter)} typed interactions{
    f", {len(pocket_df)} candidate lateral pockets" if pocket_df is not None else ""}.
Residue labels use UniProt numbering (initiator Met = 1); subunits come from the file's UniProt references.</p>
<h2>3D binding site</h2><p>Interactive view (works offline; also saved as <a href="site.html">site.html</a>).
Drag to rotate, scroll to zoom.</p>
<iframe id="site-view" title="3D binding site" width="{view.width + 40}" height="{view.height + 200}"
 style="border: 1px solid #ccc" srcdoc="{esc(site_page, quote=True)}"></iframe>
{png_html}{compare_html}
<h2>Site residues</h2>{_table(site, ["label", "chain", "auth_seq_id", "min_distance", "n_contacts", "interactions"])}
<h2>Interactions</h2>{diagram}{heat_svg}{_table(inter, ["type", "label", "ligand_atom", "protein_atom", "distance", "angle"])}
<h2>Contacts per residue</h2>{contact_svg}
{comparison_html}
{pocket_html}
<h2>Ligands: {set_name}</h2><p>Common substructure with esketamine highlighted; cLogP and TPSA shown.</p>{grid_svg}
{values_html}{rejected_html}
<h2>Property space</h2>{prop_svg}
<h2>Sources</h2><ul>{entry_source}{sources}</ul>
<h2>Notes</h2>{''.join(f'<p class="note">{esc(n)}</p>' for n in notes) or '<p class="note">none</p>'}
<p class="note">nmda-toolkit {esc(__version__)}; 3Dmol.js {esc(info.version if info else 'not cached')}.</p>
</body></html>
"""
    return write_atomic(out / "index.html", page)


def esc_(text: object) -> str:
    return html.escape(str(text))
