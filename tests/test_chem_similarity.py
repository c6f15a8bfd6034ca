"""Fingerprints, Tanimoto, nearest panel neighbours and MCS."""

from __future__ import annotations

import pytest
from rdkit import Chem, DataStructs

from toolkit.chem import (
    FINGERPRINT_KINDS,
    NEIGHBOUR_COLUMNS,
    SIMILARITY_COLUMNS,
    fingerprint,
    load_panel,
    mcs,
    nearest_neighbours,
    similarity_table,
    tanimoto,
)
from toolkit.errors import InvalidParameter

ESK = "CN[C@]1(c2ccccc2Cl)CCCCC1=O"
ARK = "CN[C@@]1(c2ccccc2Cl)CCCCC1=O"
NORK = "NC1(c2ccccc2Cl)CCCCC1=O"
PCP = "c1ccc(C2(N3CCCCC3)CCCCC2)cc1"


def test_fingerprint_kinds():
    assert fingerprint(ESK).GetNumBits() == 2048
    assert fingerprint(ESK, "fcfp4").GetNumBits() == 2048
    assert fingerprint(ESK, "maccs").GetNumBits() == 167
    counts = fingerprint(ESK, "ecfp4_count")
    total = sum(counts.GetNonzeroElements().values())
    # at most one environment per heavy atom and radius (0, 1, 2); redundant ones are dropped
    assert len(counts.GetNonzeroElements()) < total <= 3 * 16
    # ECFP4 and FCFP4 differ (feature invariants)
    assert fingerprint(ESK, "ecfp4").GetOnBits() != fingerprint(ESK, "fcfp4").GetOnBits()
    with pytest.raises(InvalidParameter, match="fingerprint kind"):
        fingerprint(ESK, "ecfp6")


def test_tanimoto_default_reference_and_chirality():
    t = tanimoto([ESK, ARK, NORK, PCP])
    assert list(t.columns) == ["esketamine ((S)-ketamine)"]
    col = t.iloc[:, 0]
    assert col.iloc[0] == 1.0 and col.iloc[1] == 1.0  # chirality ignored by default
    assert 0 < col.iloc[3] < col.iloc[2] < 1  # PCP less similar than norketamine
    tc = tanimoto(ARK, ESK, include_chirality=True)
    assert tc.iloc[0, 0] < 1.0
    # multiple references, by name
    t2 = tanimoto(NORK, {"esk": ESK, "pcp": PCP}, kind="maccs")
    assert list(t2.columns) == ["esk", "pcp"] and t2.shape == (1, 2)


def test_tanimoto_counts_definition():
    a, b = fingerprint(NORK, "ecfp4_count"), fingerprint(ESK, "ecfp4_count")
    ea, eb = a.GetNonzeroElements(), b.GetNonzeroElements()
    keys = set(ea) | set(eb)
    expected = sum(min(ea.get(k, 0), eb.get(k, 0)) for k in keys) / sum(
        max(ea.get(k, 0), eb.get(k, 0)) for k in keys
    )
    assert tanimoto(NORK, kind="ecfp4_count").iloc[0, 0] == pytest.approx(expected)
    fa, fb = fingerprint(NORK), fingerprint(ESK)
    assert tanimoto(NORK).iloc[0, 0] == pytest.approx(DataStructs.TanimotoSimilarity(fa, fb))


def test_similarity_table_schema():
    df = similarity_table([NORK, PCP], references=[ESK, ARK])
    assert list(df.columns) == SIMILARITY_COLUMNS
    assert len(df) == 2 * 2 * len(FINGERPRINT_KINDS)
    assert df["tanimoto"].between(0, 1).all()


def test_nearest_neighbours_in_panel():
    nn = nearest_neighbours(NORK, k=5)
    assert list(nn.columns) == NEIGHBOUR_COLUMNS
    assert nn["name"].iloc[0] == "norketamine (racemic)" and nn["tanimoto"].iloc[0] == 1.0
    assert nn["tanimoto"].is_monotonic_decreasing
    assert set(nn["name"].iloc[1:4]) == {"ketamine (racemic)", "esketamine ((S)-ketamine)", "arketamine ((R)-ketamine)"}
    assert "status" in nn and "value_type" in nn  # values stay attached to their assay and status
    ex = nearest_neighbours(NORK, k=3, exclude_self=True)
    assert "norketamine (racemic)" not in set(ex["name"])
    with pytest.raises(InvalidParameter, match="k must be between 1 and 34"):
        nearest_neighbours(NORK, k=0)


def test_every_panel_compound_finds_itself():
    panel = load_panel()
    for name, smi in zip(panel["name"], panel["isomeric_smiles"]):
        nn = nearest_neighbours(smi, k=1)
        assert nn["tanimoto"].iloc[0] == 1.0, name


def test_mcs_with_reference_gives_atoms_to_highlight():
    r = mcs(NORK)  # norketamine is esketamine minus the N-methyl
    assert r.num_atoms == 15 and not r.timed_out
    assert sorted(r.query_atoms) == list(range(15))
    ref = Chem.MolFromSmiles(r.reference_smiles)
    assert len(r.reference_atoms) == 15 and len(set(r.reference_atoms)) == 15
    unmatched = set(range(ref.GetNumAtoms())) - set(r.reference_atoms)
    assert [ref.GetAtomWithIdx(i).GetSymbol() for i in unmatched] == ["C"]  # the N-methyl carbon
    assert ref.GetAtomWithIdx(unmatched.pop()).GetDegree() == 1
    p = mcs(PCP)  # phenyl + cyclohexane around the quaternary carbon; phenyl only maps onto phenyl
    q = Chem.MolFromSmiles(p.query_smiles)
    ref = Chem.MolFromSmiles(p.reference_smiles)
    assert p.num_atoms == 12
    for qi, ri in zip(p.query_atoms, p.reference_atoms):
        qa, ra = q.GetAtomWithIdx(qi), ref.GetAtomWithIdx(ri)
        assert qa.GetSymbol() == ra.GetSymbol() and qa.GetIsAromatic() == ra.GetIsAromatic()
    assert p.fraction_of_query == pytest.approx(12 / 18)
    with pytest.raises(InvalidParameter, match="timeout"):
        mcs(PCP, timeout=0)


def test_mcs_atoms_refer_to_the_returned_smiles_for_non_canonical_input():
    """Highlighting query_atoms on MolFromSmiles(query_smiles) marks the common substructure."""
    r = mcs("C1CCN(CC1)C1(CCCCC1)c1ccccc1")  # PCP written piperidine-first (not canonical order)
    q = Chem.MolFromSmiles(r.query_smiles)
    patt = Chem.MolFromSmarts(r.smarts)
    assert r.num_atoms == 12
    assert set(r.query_atoms) in [set(m) for m in q.GetSubstructMatches(patt)]
    aromatic = [q.GetAtomWithIdx(i).GetIsAromatic() for i in r.query_atoms]
    assert sum(aromatic) == 6  # the phenyl ring of PCP is in the highlight, not the piperidine
