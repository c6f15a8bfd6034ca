"""Properties, rule checks, CNS MPO, protonation, standardisation and conformers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import QED, AllChem

from toolkit.chem import (
    PROPERTY_COLUMNS,
    cns_mpo,
    compute_properties,
    descriptors,
    embed_conformers,
    fraction_protonated,
    load_panel,
    standardize,
)
from toolkit.errors import InvalidMolecule, InvalidParameter

KETAMINE = "CNC1(c2ccccc2Cl)CCCCC1=O"


def test_ketamine_reference_values():
    df = compute_properties(KETAMINE)
    assert list(df.columns) == PROPERTY_COLUMNS
    r = df.iloc[0]
    assert r["mw"] == pytest.approx(237.73, abs=0.01)
    assert r["tpsa"] == pytest.approx(29.1, abs=0.05)
    assert (r["hbd"], r["hba"], r["rotatable_bonds"], r["heavy_atoms"]) == (1, 2, 2, 16)
    assert r["formula"] == "C13H16ClNO"
    assert r["exact_mass"] == pytest.approx(237.0920, abs=1e-3)
    assert (r["rings"], r["aromatic_rings"], r["formal_charge"]) == (2, 1, 0)
    assert (r["stereocentres_defined"], r["stereocentres_undefined"]) == (0, 1)  # racemate
    assert r["lipinski_pass"] and r["veber_pass"] and r["lipinski_violations"] == "" and r["veber_violations"] == ""
    s = compute_properties("CN[C@]1(c2ccccc2Cl)CCCCC1=O").iloc[0]
    assert (s["stereocentres_defined"], s["stereocentres_undefined"]) == (1, 0)


def test_panel_mw_matches_curated_rdkit_mw():
    panel = load_panel()
    df = compute_properties(list(panel["isomeric_smiles"]))
    assert len(df) == 34
    assert (df["formula"].to_numpy() == panel["formula"].to_numpy()).all()
    # QED reuses MW/logP/TPSA internally: must equal RDKit's own QED exactly
    for smi, q in zip(panel["isomeric_smiles"], df["qed"]):
        assert q == QED.qed(Chem.MolFromSmiles(smi))


def test_rule_violations_are_named():
    big = compute_properties("C" * 40).iloc[0]  # C40 alkane: MW 562, cLogP ~15.6, 37 rotatable bonds
    assert big["lipinski_violations"] == "MW>500;cLogP>5"
    assert not big["lipinski_pass"]
    assert big["veber_violations"] == "rotatable_bonds>10"
    rap = load_panel().set_index("name").loc["rapastinel (GLYX-13)", "isomeric_smiles"]
    r = compute_properties(rap).iloc[0]
    assert "TPSA>140" in r["veber_violations"] and not r["veber_pass"]
    assert r["tpsa"] > 140


def test_cns_mpo_only_with_pka():
    r = compute_properties(KETAMINE).iloc[0]
    assert math.isnan(r["cns_mpo"]) and math.isnan(r["fraction_protonated"]) and "no pKa" in r["cns_mpo_note"]
    r = compute_properties(KETAMINE, pka=7.5).iloc[0]
    assert r["fraction_protonated"] == pytest.approx(1 / (1 + 10 ** -0.1))
    assert r["clogd"] == pytest.approx(r["clogp"] - math.log10(1 + 10**0.1))
    assert 0 <= r["cns_mpo"] <= 6
    # ketamine: MW, pKa, cLogP (<=3) fully desirable; TPSA 29.1 -> 0.455; HBD 1 -> 0.833
    expected = 1 + (4 - r["clogd"]) / 2 + 1 + (r["tpsa"] - 20) / 20 + (3.5 - 1) / 3 + 1
    assert r["clogp"] <= 3 and 2 < r["clogd"] < 4
    assert r["cns_mpo"] == pytest.approx(expected)


def test_cns_mpo_desirability_edges():
    assert cns_mpo(clogp=3, clogd=2, mw=360, tpsa=40, hbd=0, pka=8) == 6
    assert cns_mpo(clogp=3, clogd=2, mw=360, tpsa=90, hbd=0.5, pka=8) == 6
    assert cns_mpo(clogp=5, clogd=4, mw=500, tpsa=120, hbd=3.5, pka=10) == 0
    assert cns_mpo(clogp=5, clogd=4, mw=500, tpsa=20, hbd=4, pka=11) == 0
    assert cns_mpo(clogp=4, clogd=3, mw=430, tpsa=30, hbd=2, pka=9) == pytest.approx(3.0)
    assert cns_mpo(clogp=0, clogd=0, mw=100, tpsa=105, hbd=0, pka=7) == pytest.approx(5.5)


def test_fraction_protonated_henderson_hasselbalch():
    assert fraction_protonated(7.4, 7.4) == pytest.approx(0.5)
    assert fraction_protonated(7.4, 9.4) == pytest.approx(0.990099, rel=1e-5)
    df = compute_properties([KETAMINE, "NCC(=O)O"], pka=[7.5, None], ph=6.5)
    assert df.loc[0, "fraction_protonated"] == pytest.approx(1 / 1.1)
    assert math.isnan(df.loc[1, "cns_mpo"])
    with pytest.raises(InvalidParameter, match="pka has 1 values for 2"):
        compute_properties([KETAMINE, "CCO"], pka=[7.5])


def test_standardisation_salt_charge_tautomer():
    r = standardize("CNC1(c2ccccc2Cl)CCCCC1=O.Cl")
    assert r.input == "CNC1(c2ccccc2Cl)CCCCC1=O.Cl" and r.smiles == Chem.CanonSmiles(KETAMINE)
    assert r.changes == ("largest_fragment",)
    r = standardize("C[NH2+]C1(c2ccccc2Cl)CCCCC1=O.[Cl-]")
    assert r.smiles == Chem.CanonSmiles(KETAMINE) and r.changes == ("largest_fragment", "neutralised")
    keep = standardize("Oc1ccccn1")  # 2-hydroxypyridine: input tautomer kept by default
    assert keep.smiles == "Oc1ccccn1" and keep.changes == ()
    canon = standardize("Oc1ccccn1", tautomer="canonical")
    assert canon.smiles == "O=c1cccc[nH]1" and canon.changes == ("tautomer",)
    df = compute_properties("CNC1(c2ccccc2Cl)CCCCC1=O.Cl")
    assert df.loc[0, "input"].endswith(".Cl") and df.loc[0, "standardization"] == "largest_fragment"
    assert df.loc[0, "mw"] == pytest.approx(237.73, abs=0.01)
    with pytest.raises(InvalidParameter, match="tautomer"):
        standardize(KETAMINE, tautomer="whatever")


@pytest.mark.parametrize(
    ("smiles", "reason"),
    [("C1CC", "cannot be parsed"), ("C(C)(C)(C)(C)C", "valence"), ("", "empty SMILES")],
)
def test_invalid_molecules_raise_named_error(smiles, reason):
    with pytest.raises(InvalidMolecule, match=reason):
        compute_properties(smiles)


def test_conformers_reproducible_and_minimised():
    a = embed_conformers(KETAMINE, n_conformers=3, seed=42)
    b = embed_conformers(KETAMINE, n_conformers=3, seed=42)
    c = embed_conformers(KETAMINE, n_conformers=3, seed=43)
    assert a.GetNumConformers() == 3 and a.GetNumAtoms() == 32
    for i in range(3):
        assert np.array_equal(a.GetConformer(i).GetPositions(), b.GetConformer(i).GetPositions())
    assert not np.allclose(a.GetConformer(0).GetPositions(), c.GetConformer(0).GetPositions())
    m = embed_conformers(KETAMINE, seed=42, minimize=True)
    props = AllChem.MMFFGetMoleculeProperties(m)
    e_min = AllChem.MMFFGetMoleculeForceField(m, props, confId=0).CalcEnergy()
    e_raw = AllChem.MMFFGetMoleculeForceField(a, AllChem.MMFFGetMoleculeProperties(a), confId=0).CalcEnergy()
    assert e_min < e_raw
    # stereo survives embedding: esketamine stays S
    s = embed_conformers("CN[C@]1(c2ccccc2Cl)CCCCC1=O", seed=1)
    Chem.AssignStereochemistryFrom3D(s)
    assert Chem.FindMolChiralCenters(s) == [(2, "S")]
    with pytest.raises(InvalidParameter):
        embed_conformers(KETAMINE, n_conformers=0)


def test_descriptors_keys():
    d = descriptors(Chem.MolFromSmiles(KETAMINE))
    from toolkit.chem.properties import DESCRIPTOR_COLUMNS

    assert list(d) == DESCRIPTOR_COLUMNS


def test_parallel_equals_serial_with_panel_pka(capsys):
    panel = load_panel()
    serial = compute_properties(list(panel["isomeric_smiles"]), pka=list(panel["pka"]))
    par = compute_properties(list(panel["isomeric_smiles"]), pka=list(panel["pka"]), n_jobs=2, progress=True)
    pd.testing.assert_frame_equal(serial, par)
    assert serial["cns_mpo"].notna().sum() == 3  # only the three ketamine rows have a sourced pKa
    assert "34/34" in capsys.readouterr().err
    with pytest.raises(InvalidParameter, match="n_jobs"):
        compute_properties("CCO", n_jobs=0)


def test_stereocentre_counts():
    from toolkit.chem import compute_properties

    df = compute_properties([
        "CN[C@]1(c2ccccc2Cl)CCCCC1=O",  # esketamine: one defined centre
        "CNC1(c2ccccc2Cl)CCCCC1=O",     # racemic ketamine: one undefined centre
        "NC12CC3CC(CC(C3)C1)C2",        # amantadine: bridgeheads are not chiral centres
        "CC1CCC(C)CC1",                 # ring cis/trans, no chiral centre
    ])  # fmt: skip
    assert df["stereocentres_defined"].tolist() == [1, 0, 0, 0]
    assert df["stereocentres_undefined"].tolist() == [0, 1, 0, 0]


def test_argument_types_are_checked():
    import numpy as np

    from toolkit.chem import compute_properties

    esk = "CN[C@]1(c2ccccc2Cl)CCCCC1=O"
    a = compute_properties(esk, pka=np.float32(7.5))["cns_mpo"].iloc[0]
    assert a == pytest.approx(compute_properties(esk, pka=7.5)["cns_mpo"].iloc[0])
    for bad in (None, 123):
        with pytest.raises(InvalidMolecule, match="expected a SMILES"):
            compute_properties(bad)
    with pytest.raises(InvalidParameter, match="pka must be a number"):
        compute_properties(esk, pka="abc")
