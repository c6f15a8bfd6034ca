"""Report sections of issues 10 and 11: membrane + lateral-site evidence (default) and docking (``dock=True``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import InvalidParameter


@pytest.fixture(scope="module")
def report_7eu8(tmp_path_factory):
    """The default 7EU8 report (pockets on), counting the lateral-site searches (n_jobs=1: all in this process)."""
    from toolkit.report import build_report
    from toolkit.sites import lateral

    calls = []
    original = lateral.lateral_sites

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(lateral, "lateral_sites", counted)
    try:
        out = tmp_path_factory.mktemp("r") / "rep"
        index, data = build_report(out, "7EU8", "JC9", compare_entry=None, png=False, return_data=True, n_jobs=1)
    finally:
        mp.undo()
    return out, index.read_text(), data, len(calls)


def test_default_report_has_the_membrane_with_real_values(report_7eu8, s7eu8):
    import toolkit

    out, page, data, _ = report_7eu8
    keys = [sec.key for sec in data.sections]
    assert keys.index("pockets") < keys.index("membrane") < keys.index("ligand-set")
    m = toolkit.membrane(s7eu8)
    assert m.has_membrane and 28 <= m.thickness <= 34  # iGluR TMD range (issue 10)
    assert f"hydrophobic thickness: <b>{m.thickness:.1f} Å</b>" in page
    n = m.normal
    assert f"normal: ({n[0]:.3f}, {n[1]:.3f}, {n[2]:.3f})" in page
    res = pd.read_csv(out / "membrane_residues.csv")
    assert len(res) == len(m.residues) and 'href="membrane_residues.csv"' in page
    assert np.allclose(res["depth"].to_numpy(), m.residues["depth"].to_numpy(), equal_nan=True)
    # the 3D site view carries the membrane planes
    site_page = (out / "site.html").read_text()
    assert site_page.count("addCylinder") >= 2 and "hydrophobic slab" in site_page


def test_default_report_has_the_lateral_evidence_table(report_7eu8, s7eu8):
    from toolkit.sites.lateral import LINING_COLUMNS

    out, page, data, n_searches = report_7eu8
    assert n_searches == 1  # the pocket section's search is reused, not repeated
    lat = pd.read_csv(out / "lateral_sites.csv")
    lining = pd.read_csv(out / "lateral_lining.csv")
    assert len(lat) > 0 and list(lining.columns) == LINING_COLUMNS
    assert set(lining["pocket_id"]) <= set(lat["pocket_id"])
    # every TMD pocket is listed with its evidence: a candidate, or the reason it is not one
    assert (lat["lateral_candidate"] | lat["reason"].fillna("").str.len().gt(0)).all()
    cand = pd.read_csv(out / "pockets.csv")
    assert set(cand["pocket_id"]) == set(lat.loc[lat["lateral_candidate"], "pocket_id"])
    sec = next(s for s in data.sections if s.key == "membrane")
    for r in lat.itertuples():
        assert f"<td>{r.pocket_id}</td>" in sec.body
    assert "pore site" in sec.body  # the ketamine pore site is rejected as such
    assert "passing in &gt; half of 5 searches" in sec.body  # the consensus: the search and 4 perturbed grids
    assert "10.1038/s41380-024-02729-9" in sec.body and "computed candidates" in sec.body
    for f in ("lateral_sites.csv", "lateral_lining.csv"):
        assert f'href="{f}"' in page
    assert 'id="docking"' not in page and not (out / "docking.csv").exists()  # docking only on request


def test_soluble_entry_says_no_membrane(tmp_path, mirror):
    """1HWU (a soluble crystal complex of the mirror's complexes/) gets the named "no membrane" result."""
    from toolkit.report import build_report

    index, data = build_report(tmp_path / "rep", str(mirror / "complexes" / "1hwu.pdb.gz"), compare_entry=None,
                               png=False, return_data=True)  # fmt: skip
    sec = next(s for s in data.sections if s.key == "membrane")
    assert sec.title == "Membrane: no membrane" and "no membrane" in sec.body.lower()
    assert "crossed by 0 transmembrane segment" in sec.body
    page = index.read_text()
    assert "Membrane: no membrane" in page and not (tmp_path / "rep" / "lateral_sites.csv").exists()
    assert "hydrophobic slab" not in (tmp_path / "rep" / "site.html").read_text()


def test_no_pockets_skips_the_membrane(tmp_path):
    from toolkit.report import compute_report
    from toolkit.report_sections import membrane_section

    data = compute_report("7EU8", "JC9", compare_entry=None, png=False, pockets=False, sections=[membrane_section])
    assert "not requested" in data.sections[0].body and "hydrophobic slab" not in data.files["site.html"]


def test_dock_flag_is_checked(tmp_path):
    from toolkit.report import build_report

    with pytest.raises(InvalidParameter, match="dock"):
        build_report(tmp_path / "rep", "7EU8", "JC9", compare_entry=None, png=False, pockets=False, dock="yes")


def test_cli_has_a_dock_flag():
    import argparse

    from toolkit.cli import report as cli_report

    parser = argparse.ArgumentParser()
    cli_report.register(parser.add_subparsers())
    assert parser.parse_args(["report", "--dock"]).dock is True
    assert parser.parse_args(["report"]).dock is False


def test_docking_section_on_request(tmp_path):
    """``dock=True``: the entry's ketamine docked into the pore box at the stated low exhaustiveness (~10 s)."""
    from toolkit.docking import available
    from toolkit.report import build_report
    from toolkit.report_sections import REPORT_EXHAUSTIVENESS

    out = tmp_path / "rep"
    index, data = build_report(out, "7EU8", "JC9", compare_entry=None, png=False, pockets=False, dock=True,
                               return_data=True)  # fmt: skip
    page = index.read_text()
    sec = next(s for s in data.sections if s.key == "docking")
    if not available():  # the optional extra is missing: the section says so, nothing is docked
        assert "extra <code>docking</code> is not installed" in sec.body and not (out / "docking.csv").exists()
        return
    table = pd.read_csv(out / "docking.csv")
    assert table["ligand"].tolist() == ["JC9"] and table["site"].tolist() == ["pore"]
    assert table["status"].tolist() == ["ok"] and table["best_score"].iloc[0] < -4  # kcal/mol: a real pose
    assert (table["exhaustiveness"] == REPORT_EXHAUSTIVENESS).all()
    assert f"Vina exhaustiveness {REPORT_EXHAUSTIVENESS}" in sec.body and 'id="docking"' in page
    assert 'href="docking.csv"' in page


def test_flat_membrane_is_the_function_after_its_module_is_imported():
    """The membrane fit lives in ``toolkit.sites.implicit_membrane``: ``membrane`` stays the function everywhere."""
    import subprocess
    import sys

    code = ("import toolkit.sites.implicit_membrane, toolkit.sites.lateral, toolkit; "
            "assert callable(toolkit.membrane) and callable(toolkit.sites.membrane), toolkit.sites.membrane")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pocket_worker_gives_the_serial_results(mirror):
    """n_jobs=2 runs the pocket analysis in a worker process, n_jobs=1 here: the same sections and files."""
    from toolkit.report import compute_report

    entry = str(mirror / "complexes" / "1hwu.pdb.gz")
    serial = compute_report(entry, compare_entry=None, png=False, n_jobs=1)
    worker = compute_report(entry, compare_entry=None, png=False, n_jobs=2)
    assert "load entry" not in serial.context.analysis.seconds  # computed in this process
    assert "load entry" in worker.context.analysis.seconds  # loaded and computed in the worker
    assert [(s.key, s.title, s.files) for s in serial.sections] == [(s.key, s.title, s.files) for s in worker.sections]
    plain = [s.body for s in serial.sections if "<svg" not in s.body]  # matplotlib SVGs carry random ids
    assert len(plain) >= 3 and plain == [s.body for s in worker.sections if "<svg" not in s.body]
    assert serial.files == worker.files and serial.notes == worker.notes
    m = worker.context.membrane
    assert m is not None and not m.has_membrane and m.entry == serial.context.membrane.entry


def test_pocket_analysis_checks_its_arguments(s7eu8):
    from toolkit.report import pocket_analysis

    with pytest.raises(InvalidParameter, match="structure"):
        pocket_analysis("7EU8")
    with pytest.raises(InvalidParameter, match="n_jobs"):
        pocket_analysis(s7eu8, n_jobs=0)
    with pytest.raises(InvalidParameter, match="with_ligands"):
        pocket_analysis(s7eu8, with_ligands="yes")
