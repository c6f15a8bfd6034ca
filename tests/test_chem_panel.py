"""The curated ligand panel: schema, identifiers recomputed by RDKit, value rules, statuses."""

from __future__ import annotations

import csv
import importlib.util
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import rdMolDescriptors

from toolkit.chem import PANEL_COLUMNS, load_panel, panel_smiles
from toolkit.errors import InvalidParameter

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "ligand_panel.csv"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def test_schema_and_note(panel):
    assert list(panel.columns) == PANEL_COLUMNS
    assert len(panel) == 34
    assert panel["name"].is_unique
    for c in ("value", "value_pm", "value_low", "value_high", "value_nM", "pka"):
        assert panel[c].dtype == "float64", c
    assert "different assays" in panel.attrs["note"] and "rank" in panel.attrs["note"]
    import toolkit.chem.panel as mod

    assert "must **not** be ranked" in mod.__doc__


def test_inchikey_and_formula_recomputed_from_smiles(panel):
    for r in panel.itertuples():
        mol = Chem.MolFromSmiles(r.isomeric_smiles)
        assert mol is not None, r.name
        assert Chem.MolToInchiKey(mol) == r.inchikey, r.name
        assert rdMolDescriptors.CalcMolFormula(mol) == r.formula, r.name


def test_statuses_visible_and_verbatim(panel):
    assert set(panel["status"]) <= {"verified", "secondary_source", "unverified", "no_value"}
    has_value = panel["value_raw"] != ""
    assert (panel.loc[has_value, "status"] != "no_value").all()
    assert (panel.loc[~has_value, "status"] == "no_value").all()
    for r in panel.itertuples():  # the detail column keeps the curator's text, starting with the status
        if r.status != "no_value":
            assert r.value_status_detail.startswith(r.status)


def test_value_rules(panel):
    p = panel.set_index("name")
    k = p.loc["ketamine (racemic)"]
    assert (k["value"], k["value_pm"], k["unit"], k["value_nM"], k["value_type"]) == (659.0, 98.0, "nM", 659.0, "Ki")
    e = p.loc["esketamine ((S)-ketamine)"]
    assert (e["value"], e["unit"], e["value_nM"], e["ccd_code"], e["status"]) == (0.30, "µM", 300.0, "JC9", "verified")
    n = p.loc["norketamine (racemic)"]  # per-enantiomer: first listed value, context kept
    assert n["value"] == 1.7 and n["value_context"] == "(S)-norketamine" and "13 µM" in n["value_raw"]
    m = p.loc["memantine"]
    assert m["value_qualifier"] == "~" and m["value"] == 1.0 and m["value_context"] == "at -70 mV"
    q = p.loc["esmethadone ((S)-methadone, REL-1017)"]  # qualitative: no number invented
    assert math.isnan(q["value"]) and q["value_raw"].startswith("low-µM")
    assert p.loc["Ro 25-6981", "value_nM"] == pytest.approx(9.0)


def test_no_number_invented(panel):
    for r in panel.itertuples():
        nums = set(re.findall(r"\d+(?:\.\d+)?", r.value_raw))
        for v in (r.value, r.value_pm, r.value_low, r.value_high):
            if not math.isnan(v):
                assert any(float(x) == v for x in nums), (r.name, v, r.value_raw)
        if not math.isnan(r.value):
            factor = {"nM": 1.0, "µM": 1000.0}[r.unit]
            assert r.value_nM == pytest.approx(r.value * factor)


def test_pka_only_where_sourced(panel):
    with_pka = panel[panel["pka"].notna()]
    assert set(with_pka["name"]) == {"ketamine (racemic)", "esketamine ((S)-ketamine)", "arketamine ((R)-ketamine)"}
    assert (with_pka["pka"] == 7.5).all()
    assert with_pka["pka_source"].str.contains("Merck Index").all()
    assert (panel.loc[panel["pka"].isna(), "pka_source"] == "").all()


def test_all_source_facts_kept():
    """Every column of the curated source survives in the shipped table (name-mapped)."""
    if not SHARED.exists():
        pytest.skip(f"curated source {SHARED} not present (only needed to check the build)")
    spec = importlib.util.spec_from_file_location("build_ligand_panel", ROOT / "scripts" / "build_ligand_panel.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with open(SHARED, encoding="utf-8", newline="") as fh:
        src = list(csv.DictReader(fh))
    rebuilt = mod.convert(src)
    shipped = pd.read_csv(ROOT / "toolkit" / "data" / "ligand_panel.csv", dtype=str, keep_default_na=False)
    assert shipped.to_dict("records") == rebuilt
    mapping = {"inchikey_rdkit": "inchikey", "cid_status": "pubchem_cid_status", "pdb_ccd_code": "ccd_code",
               "nmdar_value": "value_raw", "value_source": "source", "value_status": "value_status_detail"}  # fmt: skip
    for s, r in zip(src, shipped.to_dict("records")):
        for col, v in s.items():
            if col == "mw_rdkit":
                continue  # recomputed by compute_properties, not a curated fact
            assert r[mapping.get(col, col)] == v, (s["name"], col)


def test_panel_smiles_lookup():
    assert panel_smiles("esketamine") == "CN[C@]1(c2ccccc2Cl)CCCCC1=O"
    with pytest.raises(InvalidParameter, match="matches 0 names"):
        panel_smiles("unobtainium")
