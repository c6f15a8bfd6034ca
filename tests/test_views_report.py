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

    res = open_offline(index, frame="#site-view")
    assert res.ready and res.page_errors == [] and res.console_errors == []
    assert res.blocked == [], f"requests tried to leave the machine: {res.blocked}"
    assert drawn_fraction(res.viewer_png) > 0.2


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
