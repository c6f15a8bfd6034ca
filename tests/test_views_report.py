"""``toolkit.report`` / ``nmda-toolkit report``: the offline report of 7EU8 + S-ketamine."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from browser.helpers import ensure_3dmol

from toolkit.errors import LigandNotFound, OutputPathError


def test_report_7eu8(tmp_path, s7eu8):
    from toolkit import sites
    from toolkit.report import build_report

    ensure_3dmol()
    out = tmp_path / "rep"
    index = build_report(out, "7EU8", "JC9", compare_entry=None, png=False)
    page = index.read_text()
    site = pd.read_csv(out / "site_residues.csv")
    # the tables are the science layer's own output, unchanged
    want = sites.site_residues(s7eu8, "JC9", chain="B", res_id=903)
    assert site["label"].tolist() == want["label"].tolist()
    assert "GluN2B L643" in site["label"].tolist() and "GluN1 N616" in site["label"].tolist()
    for lab in site["label"]:
        assert lab in page
    inter = pd.read_csv(out / "interactions.csv")
    assert len(inter) == len(sites.interactions(s7eu8, "JC9", chain="B", res_id=903)) > 0
    pockets = pd.read_csv(out / "pockets.csv")
    assert pockets["lateral_candidate"].all() and "<b>candidates</b>" in page
    panel = pd.read_csv(out / "ligand_properties.csv")
    assert len(panel) == 34 and page.count("<svg") >= 5
    site_page = (out / "site.html").read_text()
    assert "<script src=" not in site_page and (out / "site.html").stat().st_size < 3_000_000
    assert not (out / "site.png").exists() and not (out / "compare.html").exists()
    assert "not requested (png=False)" in page
    # measured values stay next to their assay and status; sources are listed
    assert "must not be ranked across assays" in page and "secondary_source" in page
    assert "10.1038/s41586-021-03769-9" in page and "10.1038/s41380-024-02729-9" in page
    # chain-qualified labels, pH and cutoff stated, every CSV linked from index.html
    assert "GluN2B L643 (B)" in page and "GluN1 V644 (A)" in page and "GluN1 V644 (C)" in page
    assert "pH 7.4" in page and "within 4.5 Å" in page
    for f in ("site_residues.csv", "interactions.csv", "pockets.csv", "ligand_properties.csv",
              "literature_comparison.csv", "session.pml", "session.cxc"):
        assert (out / f).is_file() and f'href="{f}"' in page
    assert not list(tmp_path.glob(".rep.*"))  # no temporary folder left


@pytest.mark.browser
def test_report_comparison_png_and_ligand_file(tmp_path):
    """Default complex with the 7EOS comparison, a static picture, and a user ligand file."""
    from browser.helpers import chromium_or_skip

    from toolkit.report import build_report

    chromium_or_skip()
    ensure_3dmol()
    ligands = tmp_path / "mine.smi"
    ligands.write_text("CN[C@]1(c2ccccc2Cl)CCCCC1=O esketamine\nC1CC(C)(C)CC1N(C)C1CC1 amine\nnot_a_smiles bad\n\n")
    out = tmp_path / "rep"
    index = build_report(out, ligands_file=ligands, png=True, pockets=False)
    page = index.read_text()
    cmp = pd.read_csv(out / "pore_site_comparison.csv")
    row = cmp.set_index("position").loc["GluN2B L643"]
    assert (row["GluN1_label"], row["GluN2A_label"], row["GluN2B_label"]) == ("GluN1 V644", "GluN2A L642", "GluN2B L643")
    assert "The site across subunits" in page and "GluN2A L642" in page
    assert "superposed on the transmembrane domain (Cα RMSD" in page and (out / "compare.html").is_file()
    props = pd.read_csv(out / "ligand_properties.csv")
    assert props["name"].tolist() == ["esketamine", "amine"]
    assert "Rows not used" in page and "not_a_smiles" in page  # the bad row is reported, not dropped
    assert (out / "site.png").stat().st_size > 10_000 and "data:image/jpeg;base64," in page
    # index.html is one self-contained file: the 3D view is embedded, nothing is fetched
    assert 'id="site-view"' in page and "<script src=" not in page and 'src="site.png"' not in page
    assert index.stat().st_size < 3_000_000
    from browser.helpers import open_offline

    from toolkit.views.static import drawn_fraction

    res = open_offline(index, frame="#site-view", probe=("nmdaNetworksReady",))
    assert res.globals["nmdaNetworksReady"] == 1  # the interaction network's inline script ran
    assert res.ready and res.page_errors == [] and res.console_errors == []
    assert res.blocked == [], f"requests tried to leave the machine: {res.blocked}"
    assert drawn_fraction(res.viewer_png) > 0.2
    # the other pages of the folder, each opened offline with every request blocked
    for name in ("site.html", "compare.html"):
        res = open_offline(out / name)
        assert res.ready and res.page_errors == [] and res.console_errors == [] and res.blocked == [], name
        assert drawn_fraction(res.viewer_png) > 0.2, name
    cmp_page = (out / "compare.html").read_text()
    assert "7EU8" in cmp_page and "7EOS" in cmp_page and "Cα RMSD" in cmp_page


def test_report_bad_input(tmp_path):
    from toolkit.report import build_report

    with pytest.raises(OutputPathError, match="does not exist"):
        build_report(tmp_path / "a" / "b", png=False, pockets=False, compare_entry=None)
    with pytest.raises(LigandNotFound, match="XYZ"):
        build_report(tmp_path / "r", ligand="XYZ", png=False, pockets=False, compare_entry=None)
    assert not (tmp_path / "r").exists()


def test_report_cli_registered():
    from toolkit.cli import build_parser

    args = build_parser().parse_args(["report", "--out", "x", "--png", "no", "--no-pockets"])
    assert args.out == "x" and args.png == "no" and args.no_pockets and args.entry == "7EU8"


def _fast(**kw):
    return {"png": False, "pockets": False, **kw}


def test_literature_comparison_is_computed(tmp_path, s7eu8):
    """The pore residues of Zhang 2021 / Chou 2022 against the computed site: real distances, honest verdicts."""
    from toolkit import sites
    from toolkit.report import LITERATURE_COLUMNS, build_report

    out = tmp_path / "rep"
    build_report(out, "7EU8", "JC9", compare_entry=None, **_fast())
    lit = pd.read_csv(out / "literature_comparison.csv", keep_default_na=False)
    assert lit.columns.tolist() == LITERATURE_COLUMNS
    v = lit.set_index("residue")["verdict"].to_dict()
    assert v["GluN2A L642"] == "not in entry"  # 7EU8 holds no GluN2A
    assert v["GluN2B L643"] == "found" and v["GluN2B N615"] == "found"
    row = lit[lit["residue"] == "GluN2B L643"].iloc[0]
    site = sites.site_residues(s7eu8, "JC9", chain="B", res_id=903)
    want = site[site["label"] == "GluN2B L643"]["min_distance"].min()
    assert float(row["min_distance"]) == pytest.approx(want, abs=0.01) and "hydrophobic (B)" in row["interactions"]
    # a residue outside the 4.5 Å site but inside the shell is "near", with its measured distance
    for r in lit[lit["verdict"] == "near"].itertuples():
        assert 4.5 < float(r.min_distance) <= 8.0 and r.within_cutoff == ""
    assert set(lit["verdict"]) <= {"found", "near", "not found", "not in entry"}


def test_report_any_entry_two_ligands(tmp_path, mirror):
    """A non-NMDA complex with two drug-like ligands: a section each, no comparison, no literature section."""
    from toolkit.report import build_report

    out = tmp_path / "rep"
    index, data = build_report(out, str(mirror / "complexes" / "4dst.pdb.gz"), **_fast(), return_data=True)
    page = index.read_text()
    assert data.summary["ligands"] == ["9LI_A201", "GCP_A202"]
    assert 'id="lig-9LI_A201"' in page and 'id="lig-GCP_A202"' in page
    assert (out / "site.html").is_file() and (out / "site_GCP_A202.html").is_file()
    inter = pd.read_csv(out / "interactions.csv")
    assert set(inter["ligand"]) == {"9LI", "GCP"}
    assert data.context.other is None and not (out / "compare.html").exists()
    assert "not a GluN1-GluN2A or GluN1-GluN2B receptor" in page
    assert 'id="literature"' not in page
    pml = (out / "session.pml").read_text()
    assert f"load {mirror / 'complexes' / '4dst.pdb.gz'}" in pml and pml.count("\ndistance ") == len(inter)
    assert "membrane_outer" not in pml  # no pocket analysis asked for: no membrane fit, none drawn


def test_report_pocket_only_and_auto_comparison(tmp_path):
    """7EOS has no drug-like ligand: a pocket-only report, compared with the GluN2B entry found in the catalogue."""
    from toolkit.report import build_report

    out = tmp_path / "rep"
    index, data = build_report(out, "7EOS", png=False, return_data=True)
    page = index.read_text()
    assert data.context.ligands == [] and "pocket-only report" in page
    assert data.summary["compared_with"] == "7EU8" and (out / "compare.html").is_file()
    assert "Cα RMSD" in (out / "compare.html").read_text() and "7EU8" in (out / "compare.html").read_text()
    pockets = pd.read_csv(out / "pockets.csv")
    assert data.summary["pockets"] == len(pockets) > 0
    # lateral_candidate of the pocket table comes from the one lateral-site analysis of the report
    lat = pd.read_csv(out / "lateral_sites.csv")
    assert pockets["lateral_candidate"].tolist() == pockets["pocket_id"].isin(lat.loc[lat["lateral_candidate"], "pocket_id"]).tolist()
    assert set(pockets["pocket_id"]) & set(lat["pocket_id"])  # the same search: TMD pockets share their ids
    assert not (out / "site_residues.csv").exists()
    # the membrane of the report is rebuilt in both session scripts
    assert data.context.membrane is not None and data.context.membrane.has_membrane
    assert "membrane_outer" in (out / "session.pml").read_text() and "membrane_inner" in (out / "session.cxc").read_text()
    lit = pd.read_csv(out / "literature_comparison.csv")
    assert set(lit["verdict"]) <= {"no ligand", "not in entry"}
    assert lit.set_index("residue").loc["GluN2B L643", "verdict"] == "not in entry"


def test_no_comparison_with_itself(tmp_path):
    from toolkit.report import build_report

    index, data = build_report(tmp_path / "rep", "7EU8", compare_entry="7EU8", **_fast(), return_data=True)
    assert data.context.other is None and "is the entry itself" in index.read_text()
    assert not (tmp_path / "rep" / "compare.html").exists()


def test_failed_rerun_keeps_previous_report(tmp_path):
    """The folder is swapped in whole: a failing run leaves the previous report untouched, nothing mixed."""
    from toolkit.report import Section, build_report

    out = tmp_path / "rep"

    def extra(ctx):
        return Section("extra", "Extra", "<p>plugged in</p>", files={"extra.csv": "a\n1\n"}, notes=["extra note"])

    build_report(out, "7EU8", "JC9", compare_entry=None, extra_sections=[extra], **_fast())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "extra.csv" in before and b'href="extra.csv"' in before["index.html"] and b"plugged in" in before["index.html"]

    def broken(ctx):
        raise RuntimeError("section failed")

    with pytest.raises(RuntimeError, match="section failed"):
        build_report(out, "7EU8", "JC9", compare_entry=None, extra_sections=[broken], **_fast())
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]  # no temporary folder left
    # a successful re-run replaces it as a whole: the old extra file is gone
    build_report(out, "7EU8", "JC9", compare_entry=None, **_fast())
    assert not (out / "extra.csv").exists() and (out / "index.html").is_file()
    # a folder that holds something else is never replaced
    other = tmp_path / "mine"
    other.mkdir()
    (other / "thesis.tex").write_text("x")
    with pytest.raises(OutputPathError, match="holds no report"):
        build_report(other, "7EU8", "JC9", compare_entry=None, **_fast())
    assert (other / "thesis.tex").read_text() == "x"


def test_section_keys_must_be_unique(tmp_path):
    from toolkit.errors import InvalidParameter
    from toolkit.report import Section, build_report

    with pytest.raises(InvalidParameter, match="unique keys"):
        build_report(tmp_path / "r", "7EU8", "JC9", compare_entry=None,
                     extra_sections=[lambda ctx: Section("summary", "again")], **_fast())  # fmt: skip
    assert not (tmp_path / "r").exists()


def test_large_user_molecules_are_rejected_quickly(tmp_path):
    import time

    from toolkit.batch import MAX_HEAVY_ATOMS
    from toolkit.report import build_report

    ligands = tmp_path / "mine.smi"
    big = "C" * (MAX_HEAVY_ATOMS + 50)
    ligands.write_text(f"CN[C@]1(c2ccccc2Cl)CCCCC1=O esketamine\n{big} wax\n{'C' * 2100} huge\n")
    t = time.perf_counter()
    build_report(tmp_path / "rep", "7EU8", "JC9", compare_entry=None, ligands_file=ligands, **_fast())
    assert time.perf_counter() - t < 60
    page = (tmp_path / "rep" / "index.html").read_text()
    assert "Rows not used" in page and page.count("too_large") == 2
    assert f"{MAX_HEAVY_ATOMS + 50} heavy atoms" in page
    props = pd.read_csv(tmp_path / "rep" / "ligand_properties.csv")
    assert props["name"].tolist() == ["esketamine"]


def test_report_cli_help_njobs_and_summary(tmp_path, capsys):
    from toolkit.cli import build_parser, main

    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices["report"]
    text = sub.format_help()
    assert "every drug-like ligand" in text and "(default: 7EU8)" in text and "(default: 4.5)" in text
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(["report", "--n-jobs", "0"])
    assert exc.value.code == 2
    assert "--n-jobs" in capsys.readouterr().err
    rc = main(["report", "--out", str(tmp_path / "r"), "--png", "no", "--no-pockets", "--compare", "none"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "ligand JC9_B903: 9 site residues" in out and "sessions: session.pml, session.cxc" in out
    assert len(out.strip().splitlines()) >= 3


@pytest.mark.browser
def test_interaction_network_drags_offline(tmp_path, s7eu8):
    """The inline network script runs with every request blocked; a residue can be dragged and its line follows."""
    from browser.helpers import drag_network_node

    from toolkit import sites
    from toolkit.views.network import interaction_network_html

    inter = sites.interactions(s7eu8, "JC9", chain="B", res_id=903)
    site = sites.site_residues(s7eu8, "JC9", chain="B", res_id=903, interaction_table=inter)
    page = tmp_path / "net.html"
    page.write_text("<!DOCTYPE html><html><body>" + interaction_network_html(site, inter, ligand="JC9", element_id="net") + "</body></html>")
    res = drag_network_node(page, "net", dx=60, dy=40)
    assert res["errors"] == [] and res["blocked"] == [] and res["ready"] == 1
    before, after = res["before"], res["after"]
    assert sorted(before["residues"]) == sorted(f"{r.label} ({r.chain})" for r in site.itertuples())
    assert before["transform"] != after["transform"]
    assert after["x2"] == pytest.approx(before["x2"] + 60, abs=3) and after["y2"] == pytest.approx(before["y2"] + 40, abs=3)
    # one distance per typed (residue, type) pair plus one per contact-only residue, from the tables
    typed = inter.sort_values("distance").drop_duplicates(["label", "chain", "type"])
    n_contact = len(site) - len(typed[["label", "chain"]].drop_duplicates())
    assert len(before["distances"]) == len(typed) + n_contact
    assert f"{typed['distance'].min():.1f} Å" in before["distances"]


def test_session_scripts_rebuild_the_view(s7eu8):
    """PyMOL and ChimeraX scripts: entry, subunit colours, ligand, chain-qualified labels, one distance per interaction, pockets."""
    import numpy as np

    from toolkit import sites
    from toolkit.views.sessions import SessionLigand, chimerax_script, pymol_script

    inter = sites.interactions(s7eu8, "JC9", chain="B", res_id=903)
    site = sites.site_residues(s7eu8, "JC9", chain="B", res_id=903, interaction_table=inter)
    pockets = pd.DataFrame([{"pocket_id": 7, "center_x": 1.0, "center_y": 2.0, "center_z": 3.0, "volume": 100.0}])
    lig = [SessionLigand("JC9", "B", 903, site, inter)]
    pml = pymol_script(s7eu8, "7EU8", lig, pockets, {7: np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 3.0]])})
    lines = pml.splitlines()
    assert "fetch 7EU8, 7EU8, type=cif, async=0" in lines
    assert "select lig_JC9_B903, 7EU8 and chain B and resi 903 and resn JC9" in lines
    assert sum(ln.startswith("distance ") for ln in lines) == len(inter)
    # an atom-atom pair (JC9 has hydrophobic contacts only under the v2 engine) is a PyMOL distance between named atoms
    hb = inter[inter["ligand_atom"].str.fullmatch(r"[A-Z0-9']+") & inter["protein_atom"].str.fullmatch(r"[A-Z0-9']+")].iloc[0]
    assert any(ln.startswith(f"distance {hb.type}_") and f"name {hb.ligand_atom}," in ln and
               f"chain {hb.chain} and resi {int(hb.auth_seq_id)} and name {hb.protein_atom}" in ln for ln in lines)  # fmt: skip
    for r in site.itertuples():
        assert f'"{r.label} ({r.chain})"' in pml
    assert sum(ln.startswith("pseudoatom pocket_7,") for ln in lines) == 2
    cxc = chimerax_script(s7eu8, "/data/7eu8.cif", lig, pockets, None)
    assert "open /data/7eu8.cif" in cxc and "color #1/A #0072B2 target c" in cxc
    assert cxc.count("\ndistance #1/B:903@") == len(inter)
    assert 'label #1/B:643 residues text "GluN2B L643 (B)"' in cxc
    assert cxc.count("\nmarker #100 ") == 1  # no points: one marker of the pocket's volume at its centre


def test_protonation_state_from_the_interaction_table_is_shown(tmp_path, monkeypatch):
    """When the interaction table states pH and the ligand's charge state (attrs), the report shows them."""
    from toolkit import sites
    from toolkit.report import build_report

    real = sites.interactions

    def with_state(*args, **kw):
        table = real(*args, **kw)
        table.attrs.update(ph=kw.get("ph", 7.4), ligand_charge_state="cation (+1), pKa 7.5")
        return table

    monkeypatch.setattr(sites, "interactions", with_state)
    page = build_report(tmp_path / "r", "7EU8", "JC9", compare_entry=None, ph=6.5, **_fast()).read_text()
    assert "JC9_B903: pH 6.5, ligand charge state cation (+1), pKa 7.5" in page
    assert "Protonation evaluated at pH 6.5" in page


def test_to_png_refuses_a_zero_budget(tmp_path):
    """Chromium with --virtual-time-budget=0 never takes its screenshot: refused before it starts."""
    from toolkit.errors import InvalidParameter
    from toolkit.views.static import to_png

    with pytest.raises(InvalidParameter, match="wait_ms"):
        to_png("<html><body>x</body></html>", tmp_path / "x.png", wait_ms=0, chromium="/nonexistent")
