"""Binding-site residues (toolkit.sites.site_residues) on 7EU8 / JC9."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import EmptySiteWarning, InvalidParameter, LigandNotFound
from toolkit.sites import SITE_COLUMNS, site_residues


@pytest.fixture(scope="module")
def site45(s7eu8):
    return site_residues(s7eu8, "JC9", cutoff=4.5)


def _pairs(df):
    return {(c, lab) for c, lab in zip(df["chain"], df["label"])}


def test_schema_and_sorting(site45):
    assert list(site45.columns) == SITE_COLUMNS
    assert (site45["entry"] == "7EU8").all() and (site45["ligand"] == "JC9").all()
    assert set(site45["ligand_chain"]) == {"B"} and set(site45["ligand_res_id"]) == {903}
    keys = list(zip(site45["subunit"], site45["chain"], site45["uniprot_num"]))
    assert keys == sorted(keys)
    assert (site45["min_distance"] <= 4.5).all() and (site45["n_contacts"] >= 1).all()
    assert site45["interactions"].map(lambda x: isinstance(x, str)).all()


def test_literature_pore_site_within_4A(s7eu8):
    """PROVENANCE/SCIENCE: atoms within 4 Å of JC9 are GluN1 V644 (A, C) and GluN2B L643/T647 (B, D)."""
    site = site_residues(s7eu8, "JC9", cutoff=4.0)
    got = _pairs(site)
    assert {("A", "GluN1 V644"), ("C", "GluN1 V644"), ("B", "GluN2B L643"), ("B", "GluN2B T647"),
            ("D", "GluN2B T647")} <= got  # fmt: skip
    assert set(site["label"]) == {"GluN1 V644", "GluN2B L643", "GluN2B T647"}
    assert set(site.loc[site["subunit"] == "GluN1", "chain"]) == {"A", "C"}
    assert set(site.loc[site["subunit"] == "GluN2B", "chain"]) == {"B", "D"}
    assert set(zip(site["subunit"], site["uniprot_num"])) == {("GluN1", 644), ("GluN2B", 643), ("GluN2B", 647)}


def test_literature_pore_site_default_cutoff(site45):
    got = _pairs(site45)
    for chain, label in [("A", "GluN1 V644"), ("C", "GluN1 V644"), ("B", "GluN2B L643"), ("B", "GluN2B T647"),
                         ("D", "GluN2B T647")]:  # fmt: skip
        assert (chain, label) in got
    assert site45.set_index(["chain", "label"]).loc[("B", "GluN2B L643"), "interactions"] == "hydrophobic"


def test_wider_shell_has_asn_and_thr_rings(s7eu8):
    """Chou et al. 2022: Asn ring (GluN1 N616, GluN2B N615) and Thr ring (GluN1 T648, GluN2B T647)."""
    wide = site_residues(s7eu8, "JC9", cutoff=8.0, with_interactions=False)
    labels = set(wide["label"])
    assert {"GluN1 N616", "GluN2B N615", "GluN1 T648", "GluN2B T647"} <= labels
    assert (wide["interactions"] == "").all()
    # monotone in the cutoff
    assert _pairs(site_residues(s7eu8, "JC9", cutoff=4.5, with_interactions=False)) <= _pairs(wide)


def test_distances_match_brute_force(s7eu8, site45):
    a = s7eu8.atoms
    lig = s7eu8.ligand_atoms("JC9")
    lig = lig[a["element"][lig] != "H"]
    for _, r in site45.iterrows():
        m = (a["chain_id"] == r["chain"]) & (a["res_id"] == r["auth_seq_id"]) & s7eu8.polymer_mask
        m &= a["element"] != "H"
        d = np.linalg.norm(s7eu8.coord[m][:, None, :] - s7eu8.coord[lig][None, :, :], axis=2)
        assert r["min_distance"] == pytest.approx(d.min(), abs=1e-4)
        assert r["n_contacts"] == int((d <= 4.5).sum())
    # and nothing was missed: every residue with an atom inside the cutoff is listed
    prot = s7eu8.polymer_mask & (a["element"] != "H")
    d = np.linalg.norm(s7eu8.coord[prot][:, None, :] - s7eu8.coord[lig][None, :, :], axis=2).min(axis=1)
    near = {(str(c), int(n)) for c, n in zip(a["chain_id"][prot][d <= 4.5], a["res_id"][prot][d <= 4.5])}
    assert near == set(zip(site45["chain"], site45["auth_seq_id"].astype(int)))


def test_ligand_none_means_category_ligand(s7eu8, site45):
    auto = site_residues(s7eu8, cutoff=4.5)
    assert set(auto["ligand"]) == {"JC9"}  # glycans (NAG) are not "the ligand"
    assert auto.equals(site45)


@pytest.mark.parametrize("cutoff", [0, -1.0, float("nan"), "far"])
def test_bad_cutoff(s7eu8, cutoff):
    with pytest.raises(InvalidParameter, match="cutoff"):
        site_residues(s7eu8, "JC9", cutoff=cutoff)
    with pytest.raises(ValueError):
        site_residues(s7eu8, "JC9", cutoff=cutoff)


def test_unknown_ligand_and_instance(s7eu8):
    with pytest.raises(LigandNotFound, match="RKE"):
        site_residues(s7eu8, "RKE")
    with pytest.raises(LigandNotFound, match="JC9"):
        site_residues(s7eu8, "JC9", chain="A")
    with pytest.raises(LigandNotFound):
        site_residues(s7eu8, "JC9", res_id=1)


def test_structure_without_the_ligand(s7eos):
    with pytest.raises(LigandNotFound, match="JC9"):
        site_residues(s7eos, "JC9")
    with pytest.raises(LigandNotFound, match="category 'ligand'"):
        site_residues(s7eos)  # 7EOS holds only NAG glycans


def test_empty_site_warns_with_nearest_residues(s7eu8):
    with pytest.warns(EmptySiteWarning, match=r"GluN2B L643 chain B at 2\.57"):
        empty = site_residues(s7eu8, "JC9", cutoff=2.0)
    assert empty.empty and list(empty.columns) == SITE_COLUMNS
    with warnings.catch_warnings():
        warnings.simplefilter("error", EmptySiteWarning)
        site_residues(s7eu8, "JC9", cutoff=3.0, with_interactions=False)


def test_glycan_instance_site(s7eu8):
    """Any component works when named; one NAG on GluN1 chain A sits on an Asn."""
    nag = s7eu8.ligands()
    nag = nag[(nag["ccd_code"] == "NAG") & (nag["chain"] == "A")].iloc[0]
    site = site_residues(s7eu8, "NAG", chain="A", res_id=int(nag["auth_seq_id"]), cutoff=4.0, with_interactions=False)
    assert not site.empty
    assert "ASN" in set(site["res_name"])
    assert site["min_distance"].min() < 2.0  # the covalent N-glycosidic bond


def test_ligand_absent_from_ccd(s7eu8):
    """A component the CCD lacks: contacts work, typing needs a SMILES template."""
    from test_chem_templates import ABSENT, variant

    from toolkit.errors import ComponentNotFound

    s = variant(s7eu8, rename=ABSENT)
    ref = site_residues(s7eu8, "JC9", cutoff=4.5)
    with pytest.raises(ComponentNotFound, match=ABSENT):
        site_residues(s, ABSENT, cutoff=4.5)
    plain = site_residues(s, ABSENT, cutoff=4.5, with_interactions=False)
    assert plain[["chain", "label", "n_contacts"]].equals(ref[["chain", "label", "n_contacts"]])
    typed = site_residues(s, ABSENT, cutoff=4.5, smiles="CN[C@]1(c2ccccc2Cl)CCCCC1=O")
    assert typed["interactions"].tolist() == ref["interactions"].tolist()
    assert set(typed["ligand"]) == {ABSENT}


def test_reusing_an_interaction_table_gives_the_same_site(s7eu8):
    from toolkit.sites import interactions

    it = interactions(s7eu8, "JC9", chain="B", res_id=903, ph=7.4, pka=7.5)
    own = site_residues(s7eu8, "JC9", chain="B", res_id=903, ph=7.4, pka=7.5)
    reused = site_residues(s7eu8, "JC9", chain="B", res_id=903, interaction_table=it)
    pd.testing.assert_frame_equal(own, reused)
    assert (reused["interactions"] != "").any()
    # a table for another instance contributes nothing
    other = site_residues(s7eu8, "JC9", chain="B", res_id=903, interaction_table=it.iloc[0:0])
    assert (other["interactions"] == "").all()
