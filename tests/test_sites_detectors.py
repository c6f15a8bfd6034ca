"""Interaction detectors one by one, charge states at a pH, polymer classification, ligand keys."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from toolkit.errors import InvalidParameter, LigandNotFound
from toolkit.model import LigandKey
from toolkit.sites import detectors as D
from toolkit.sites import interactions, site_residues
from toolkit.sites.protonation import (
    LIGAND_GROUPS,
    check_ph,
    ligand_charge_state,
    plip_charge_state,
    protein_group_charged,
    sourced_pka,
)


def _complex(mirror, name):
    from toolkit import load_structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_structure(mirror / "complexes" / f"{name}.pdb.gz", require_protein=False)


def _contexts(s, key, ph=7.4, reach=12.0, his_positive=None):
    from toolkit.chem.templates import ligand_to_mol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mol = ligand_to_mol(s, key)
    mol, state = ligand_charge_state(mol, ph, code=LigandKey.of(key).code)
    lig = D.LigandContext(mol, state)
    return lig, D.ProteinContext(s, lig.xyz, reach, ph, his_positive, exclude=lig.idx)


# ------------------------------------------------------------------ charge states
@pytest.mark.parametrize(
    ("smiles", "charge", "group"),
    [
        ("CC(=O)O", -1, "carboxylate"),
        ("CCOP(=O)(O)O", -2, "phosphate"),
        ("CCP(=O)(O)O", -2, "phosphonate"),  # second pKa 7.25 < 7.4: dianion
        ("CCS(=O)(=O)O", -1, "sulfonate"),
        ("COS(=O)(=O)O", -1, "sulfate"),
        ("Cc1nnn[nH]1", -1, "tetrazole"),
        ("CCCNC(N)=N", 1, "guanidine"),
        ("CC(N)=N", 1, "amidine"),
        ("CCCN", 1, "primary amine"),
        ("CCNCC", 1, "secondary amine"),
        ("CCN(C)C", 1, "tertiary amine"),
        ("C[N+](C)(C)C", 1, "quaternary ammonium"),
        ("c1ccncc1", 0, None),  # pyridine, pKa 5.2: neutral
        ("CC(=O)NC", 0, None),  # amide
        ("Nc1ccccc1", 0, None),  # aniline
    ],
)
def test_ligand_groups_at_ph_7_4(smiles, charge, group):
    from rdkit import Chem

    mol, st = ligand_charge_state(Chem.MolFromSmiles(smiles), 7.4)
    assert st.formal_charge == charge == sum(a.GetFormalCharge() for a in mol.GetAtoms())
    assert (group is None and not st.groups) or st.groups[0].name == group
    assert "pH 7.4" in st.description


def test_ccd_charged_forms_are_reassessed():
    """A CCD component written charged (carboxylate O-, ammonium) is re-charged at the pH."""
    from rdkit import Chem

    _, st = ligand_charge_state(Chem.MolFromSmiles("[NH3+]CC(=O)[O-]"), 7.4)
    assert st.formal_charge == 0 and {g.name for g in st.groups} == {"carboxylate", "primary amine"}
    assert st.description.startswith("neutral")
    _, st = ligand_charge_state(Chem.MolFromSmiles("[NH3+]CC(=O)[O-]"), 1.0)
    assert st.formal_charge == 1  # acid protonated, amine charged
    _, st = ligand_charge_state(Chem.MolFromSmiles("[NH3+]CC(=O)[O-]"), 13.0)
    assert st.formal_charge == -1


def test_sourced_pka_overrides_the_rule():
    from rdkit import Chem

    assert sourced_pka("JC9")[0] == 7.5 and sourced_pka("RKE")[0] == 7.5 and sourced_pka("ZZZ") is None
    ket = Chem.MolFromSmiles("CNC1(c2ccccc2Cl)CCCCC1=O")
    _, st = ligand_charge_state(ket, 7.4, code="JC9")
    assert st.formal_charge == 1 and "pKa 7.5" in st.description and "Merck" in st.description
    _, st = ligand_charge_state(ket, 7.6, code="JC9")  # above the sourced pKa: neutral base
    assert st.formal_charge == 0
    _, st = ligand_charge_state(ket, 7.6)  # the rule alone (deactivated amine, 8.16): cation
    assert st.formal_charge == 1 and "Dimorphite" in st.description


def test_every_table_smarts_parses():
    from rdkit import Chem

    for g in LIGAND_GROUPS:
        assert Chem.MolFromSmarts(g.smarts) is not None, g.name
        assert g.kind in ("acid", "base", "permanent")


def test_protein_groups_by_pka():
    assert protein_group_charged("ASP", 7.4) and protein_group_charged("LYS", 7.4)
    assert not protein_group_charged("HIS", 7.4) and protein_group_charged("HIS", 6.0)
    assert not protein_group_charged("ASP", 3.0)


@pytest.mark.parametrize("bad", ["seven", -50, 15, float("nan"), None, True, [7.4]])
def test_check_ph_rejects(bad):
    with pytest.raises(InvalidParameter):
        check_ph(bad)


# ------------------------------------------------------------------ interactions API
def test_charge_state_attrs_and_default_state(s7eu8):
    df = interactions(s7eu8, "JC9")
    assert df.attrs["ph"] == 7.4 and df.attrs["ligand_formal_charge"] == 1
    assert isinstance(df.attrs["ligand_formal_charge"], int)
    assert df.attrs["ligand_charge_state"].startswith("cation (+1) at pH 7.4") and "pKa 7.5" in df.attrs["ligand_charge_state"]
    # the protonated amine cannot accept the N615 H-bond; without a pH model it can
    assert "hbond" not in set(df["type"])
    neutral = interactions(s7eu8, "JC9", ph=None)
    assert neutral.attrs["ligand_formal_charge"] == 0 and "hbond" in set(neutral["type"])
    assert interactions(s7eu8, "JC9", ph=9.0).attrs["ligand_formal_charge"] == 0
    assert "detail" in df.columns


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ph": "seven"}, "ph"),
        ({"ph": -50}, "ph"),
        ({"pka": "high"}, "pka"),
        ({"thresholds": {"his_positive": "yes"}}, "his_positive"),
        ({"thresholds": {"metal_dist_max": float("nan")}}, "metal_dist_max"),
        ({"convention": "openbabel"}, "convention"),
    ],
)
def test_bad_arguments(s7eu8, kwargs, match):
    with pytest.raises(InvalidParameter, match=match):
        interactions(s7eu8, "JC9", **kwargs)


def test_bad_structure_and_ligand_arguments(s7eu8):
    with pytest.raises(InvalidParameter):
        site_residues(None)
    with pytest.raises(InvalidParameter):
        interactions(None, "JC9")
    with pytest.raises(InvalidParameter):
        interactions(s7eu8, None)
    with pytest.raises(InvalidParameter):
        interactions(s7eu8, 42)
    with pytest.raises(InvalidParameter):
        site_residues(s7eu8, "JC9", ph="seven")
    with pytest.raises(InvalidParameter):
        LigandKey("JC9", res_id="903")


def test_ligand_key_forms_agree(s7eu8):
    key = LigandKey.of("JC9").resolve(s7eu8)
    assert key == LigandKey("JC9", "B", 903) and str(key) == "JC9:B:903"
    a = interactions(s7eu8, key)
    for form in ("JC9", "JC9:B:903", ("JC9", "B", 903)):
        b = interactions(s7eu8, form)
        assert a[["type", "label", "distance"]].equals(b[["type", "label", "distance"]])
    assert site_residues(s7eu8, key)["label"].tolist() == site_residues(s7eu8, "JC9", chain="B", res_id=903)["label"].tolist()
    assert key.atoms(s7eu8).size == 16 and key.atoms(s7eu8, heavy=False).size >= 16
    with pytest.raises(LigandNotFound, match="instances"):
        LigandKey("NAG").atoms(s7eu8)


def test_glycan_is_a_covalent_attachment(s7eu8):
    site = site_residues(s7eu8, "NAG:A:901")
    assert site["label"].tolist() == ["GluN1 N203"] and site["interactions"].tolist() == ["covalent"]
    full = site_residues(s7eu8, "NAG:A:901", glycan_attachment_only=False, with_interactions=False)
    assert len(full) >= 1 and "GluN1 N203" in set(full["label"])


# ------------------------------------------------------------------ detectors
def test_detector_thresholds_are_constructor_arguments():
    d = D.Hydrophobic(hydrophobic_dist_max=3.5)
    assert d.hydrophobic_dist_max == 3.5 and d.reach == 3.5 and "3.5" in repr(d)
    with pytest.raises(InvalidParameter, match="unknown"):
        D.HBond(hbond_cutoff=3.0)
    with pytest.raises(InvalidParameter, match=">= 0"):
        D.SaltBridge(salt_bridge_dist_max=-1)


def test_hydrophobic_detector(s7eu8):
    lig, prot = _contexts(s7eu8, "JC9:B:903")
    rows = D.Hydrophobic().detect(lig, prot)
    assert rows and all(r["distance"] <= 4.0 for r in rows)
    assert len(D.Hydrophobic(hydrophobic_dist_max=3.0).detect(lig, prot)) < len(rows)
    for r in rows:  # PLIP's hydrophobic atoms: carbon bonded to carbon only
        at = lig.mol.GetAtomWithIdx(lig.names.index(r["ligand_atom"]))
        assert at.GetSymbol() == "C" and {n.GetSymbol() for n in at.GetNeighbors()} <= {"C"}


def test_hbond_detector_angle_is_a_modelled_hydrogen(s7eu8):
    lig, prot = _contexts(s7eu8, "JC9:B:903", ph=9.0)  # neutral amine: acceptor
    rows = D.HBond().detect(lig, prot)
    assert [(r["protein_atom"], r["ligand_atom"]) for r in rows] == [("ND2", "N1")]
    assert D.HBond(hbond_don_angle_min=rows[0]["angle"] + 1).detect(lig, prot) == []


def test_salt_bridge_detector_free_arginine(mirror):
    """4CUM: the substrate L-arginine (HETATM, a ligand) pairs its guanidinium with Glu363."""
    s = _complex(mirror, "4cum")
    lig, prot = _contexts(s, "ARG:A:700")
    rows = D.SaltBridge().detect(lig, prot)
    glu = [r for r in rows if s.atoms["res_id"][r["gi"]] == 363]
    assert glu and all(r["distance"] <= 5.5 for r in rows)
    r = glu[0]
    lc = np.array([r["lig_x"], r["lig_y"], r["lig_z"]])
    pc = np.array([r["prot_x"], r["prot_y"], r["prot_z"]])
    assert np.linalg.norm(lc - pc) == pytest.approx(r["distance"])
    assert D.SaltBridge(salt_bridge_dist_max=2.0).detect(lig, prot) == []
    # His counts only when charged: forcing it positive can only add bridges
    _, prot_his = _contexts(s, "ARG:A:700", his_positive=True)
    assert len(D.SaltBridge().detect(lig, prot_his)) >= len(rows)


def test_metal_complex_detector_zinc_finger(mirror):
    """1RMD zinc sites: Zn coordinated by four Cys/His side chains, tetrahedral."""
    s = _complex(mirror, "1rmd")
    df = interactions(s, "ZN:A:117")
    mc = df[df["type"] == "metal_complex"]
    assert len(mc) == 4 and set(mc["res_name"]) <= {"CYS", "HIS"}
    assert (mc["distance"] < 3.0).all() and mc["detail"].str.contains("tetrahedral").all()
    assert set(df["type"]) == {"metal_complex"}  # an ion makes no salt bridge


def test_coordination_geometry_ideal_shapes():
    octa = np.array([[2, 0, 0], [-2, 0, 0], [0, 2, 0], [0, -2, 0], [0, 0, 2], [0, 0, -2]], dtype=float)
    assert D.coordination_geometry(np.zeros(3), octa)[:2] == ("octahedral", 6)
    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    assert D.coordination_geometry(np.zeros(3), tet)[:2] == ("tetrahedral", 4)
    assert D.coordination_geometry(np.zeros(3), tet[:1])[0] == "NA"


def test_water_bridge_detector(mirror):
    """6R79 glycerol A:301: bridges through modelled waters, geometry recomputed."""
    s = _complex(mirror, "6r79")
    lig, prot = _contexts(s, "GOL:A:301")
    assert len(prot.water_idx) > 0
    rows = D.WaterBridge().detect(lig, prot)
    assert rows
    a = s.atoms
    for r in rows:
        wchain, wres = r["detail"].split("water HOH ")[1].split(",")[0].split(":")
        w = np.flatnonzero((a["res_name"] == "HOH") & (a["chain_id"] == wchain) & (a["res_id"] == int(wres)))[0]
        wx = s.coord[w]
        lx = np.array([r["lig_x"], r["lig_y"], r["lig_z"]])
        px = np.array([r["prot_x"], r["prot_y"], r["prot_z"]])
        assert 2.5 <= np.linalg.norm(px - wx) <= 4.1 and 2.5 <= np.linalg.norm(lx - wx) <= 4.1
        assert 71 < r["angle"] < 140
    per_water = {}
    for r in rows:
        per_water[r["detail"].split("water ")[1].split(",")[0]] = per_water.get(r["detail"].split("water ")[1].split(",")[0], 0) + 1
    assert max(per_water.values()) <= 2
    assert D.WaterBridge(water_bridge_maxdist=2.4).detect(lig, prot) == []


def test_halogen_detector(mirror):
    s = _complex(mirror, "6nhb")
    lig, prot = _contexts(s, "KNS:B:804")
    rows = D.Halogen().detect(lig, prot)
    assert rows and all(r["ligand_atom"].startswith(("F", "CL", "BR", "I")) for r in rows)
    assert all(abs(r["angle"] - 165) <= 30 and r["distance"] <= 4.0 for r in rows)


def test_pi_stacking_and_cation_pi_detectors(mirror):
    s = _complex(mirror, "4cum")
    lig, prot = _contexts(s, "WS7:A:800")
    pi = D.PiStacking().detect(lig, prot)
    assert pi and {r["detail"] for r in pi} <= {"P", "T"}
    assert all(r["distance"] <= 5.5 for r in pi)
    assert D.PiStacking(pistack_offset_max=0.0).detect(lig, prot) == []
    cp = D.CationPi(pication_dist_max=8.0).detect(lig, prot)
    assert all(r["distance"] <= 8.0 for r in cp)


# ------------------------------------------------------------------ polymer classification
def test_polymer_classification(mirror):
    def kinds(s, name):
        a, st = s.atoms, s.residue_starts
        m = a["res_name"][st] == name
        return set(s.polymer_mask[st][m].tolist())

    assert kinds(_complex(mirror, "3ems"), "ARG") >= {False}  # free HETATM arginine: a ligand
    s = _complex(mirror, "3ems")
    assert "ARG" in set(s.ligands()["ccd_code"])
    assert kinds(_complex(mirror, "2pvb"), "ACE") == {True}  # N-terminal acetyl cap stays in the chain
    s = _complex(mirror, "4cum")
    assert kinds(s, "CAS") == {True} and "CAS" not in set(s.ligands()["ccd_code"])  # modified Cys
    assert kinds(s, "ARG") >= {False}
    s = _complex(mirror, "5ddr")
    assert kinds(s, "GLN") >= {False} and "GLN" in set(s.ligands()["ccd_code"])
    assert kinds(s, "G") == {True}  # RNA is polymer ...
    assert not s.protein_mask[s.atoms["res_name"] == "G"].any()  # ... but not protein
    s = _complex(mirror, "1tf6")
    assert kinds(s, "DA") == {True} and set(s.ligands()["ccd_code"]) == {"ZN"}


def test_rna_only_entry_has_no_protein_partners(mirror):
    """4YB0 (RNA only, loaded with require_protein=False): the site functions say so with NoProteinError."""
    from toolkit.errors import NoProteinError

    s = _complex(mirror, "4yb0")
    assert not s.protein_mask.any() and s.polymer_mask.any()
    with pytest.raises(NoProteinError, match="no protein residue.*polymer chains: A"):
        interactions(s, "C2E:A:102")
    with pytest.raises(NoProteinError, match="no protein residue"):
        site_residues(s, "C2E:A:102")


# ----------------------------------------------------------------------------- PLIP convention
@pytest.mark.parametrize(
    ("smiles", "groups"),
    [
        ("CS(C)=O", ["sulfonium"]),  # DMSO: PLIP's S with three heavy neighbours
        ("CN(C)CCc1ccccc1", ["tertiary amine"]),
        ("CNC1(c2ccccc2Cl)CCCCC1=O", []),  # ketamine: secondary amine, not charged by PLIP
        ("NCCC(=O)O", ["carboxylate"]),  # primary amine not charged; the acid is
        ("CC(=O)OC", ["carboxylate"]),  # PLIP's carbon with two O and one C: esters too
        ("OC(=O)O", []),  # no carbon neighbour
        ("CP(=O)(O)O", []),  # phosphonate: P bonded to C
        ("COP(=O)(O)O", ["phosphate"]),
        ("CS(=O)(=O)O", ["sulfonate"]),
        ("Nc1nc2[nH]cnc2c(=O)[nH]1", ["guanidine"]),  # guanine C2, as PLIP
        ("C[N+](C)(C)C", ["quaternary ammonium"]),
        ("CN(C)C(=O)C", []),  # amide N: sp2 for Open Babel
    ],
)
def test_plip_charge_state_groups(smiles, groups):
    from rdkit import Chem

    st = plip_charge_state(Chem.MolFromSmiles(smiles))
    assert [g.name for g in st.groups] == groups
    assert st.formal_charge == sum(g.charge for g in st.groups)
    assert st.description.startswith("PLIP convention")


def test_staggered_hydrogen_is_anti_to_a_neighbour_of_x():
    # Y-X-D in a plane; the hydrogen of D is anti to Y (dihedral 180) with X-D-H 109.5
    y, x, d = np.array([0.0, 1.5, 0.0]), np.array([0.0, 0.0, 0.0]), np.array([1.4, 0.0, 0.0])
    h = D._staggered_h(d, x, y[None, :], np.array([5.0, -5.0, 0.0]), 109.5, 1)
    assert abs(np.linalg.norm(h - d) - 1.0) < 1e-9
    assert abs(D._angle(x - d, h - d) - 109.5) < 1e-6
    assert h[1] < 0 and abs(h[2]) < 1e-9  # on the side away from Y, in the plane
    # a target on Y's side cannot pull a single hydrogen there (no free rotation, unlike the best rotamer)
    h2 = D._staggered_h(d, x, y[None, :], np.array([2.0, 3.0, 0.0]), 109.5, 1)
    assert np.allclose(h, h2)
    assert D._staggered_h(d, x, np.zeros((0, 3)), y, 109.5, 1) is None


def test_metal_bound_histidine_is_no_hbond_partner(mirror):
    # 4GQL: His NE2 coordinating the catalytic Zn carries no hydrogen and lends no lone pair
    s = _complex(mirror, "4gql")
    from toolkit.chem.templates import ligand_to_mol

    mol = ligand_to_mol(s, "R47", "A", 306)
    lig = D.LigandContext(mol)
    prot = D.ProteinContext(s, lig.xyz, 10.0, exclude=lig.idx)
    zn = s.coord[np.flatnonzero(np.char.upper(s.atoms["element"].astype(str)) == "ZN")]
    his = [j for j in range(len(prot.idx)) if prot.res[j] == "HIS" and prot.name[j] in ("NE2", "ND1")
           and np.min(np.linalg.norm(zn - prot.xyz[j], axis=1)) < 3.0]  # fmt: skip
    assert his and not prot.is_donor[his].any() and not prot.is_acceptor[his].any()
    assert prot.is_metal_binder[his].all()
    df = interactions(s, "R47", chain="A", res_id=306)
    hb = df[df["type"] == "hbond"]
    assert not ((hb["res_name"] == "HIS") & hb["protein_atom"].isin(["NE2", "ND1"]) & hb["auth_seq_id"].isin(
        [int(s.atoms["res_id"][prot.idx[j]]) for j in his])).any()


def _dihedral(p0, p1, p2, p3):
    b0, b1, b2 = p0 - p1, (p2 - p1) / np.linalg.norm(p2 - p1), p3 - p2
    v, w = b0 - np.dot(b0, b1) * b1, b2 - np.dot(b2, b1) * b1
    return float(np.degrees(np.arctan2(np.dot(np.cross(b1, v), w), np.dot(v, w))))


def test_staggered_nh2_hydrogens_as_open_babel():
    # sp3 NH2 (Lys NZ, a primary amine): Open Babel's hydrogens sit at Y-X-D-H = 180 and +60 degrees, never -60
    y, x, d = np.array([0.3, 1.5, 0.2]), np.array([0.0, 0.0, 0.0]), np.array([1.4, 0.1, -0.1])
    seen = set()
    rng = np.random.default_rng(0)
    for _ in range(200):
        h = D._staggered_h(d, x, y[None, :], d + 3.0 * rng.normal(size=3), 109.5, 2)
        seen.add(round(_dihedral(y, x, d, h)) % 360)
    assert seen == {180, 60}


def test_staggered_hydrogens_follow_open_babels_neighbour_order():
    # Open Babel puts the first hydrogen anti to the LAST other neighbour Y of X in its bond list; the
    # caller orders the Ys (file order for a ligand with CONECT records, ascending z for a residue)
    y1, y2 = np.array([-0.5, 1.4, 0.0]), np.array([-0.5, -0.7, 1.2])
    x, d = np.array([0.0, 0.0, 0.0]), np.array([1.43, 0.0, 0.0])
    (h_last,) = D._staggered_hs(d, x, np.array([y1, y2]), 109.5, 1)
    (h_first,) = D._staggered_hs(d, x, np.array([y2, y1]), 109.5, 1)
    assert abs(_dihedral(y2, x, d, h_last)) > 179.0 and abs(_dihedral(y1, x, d, h_first)) > 179.0
    # an sp2 NH2 gets both hydrogens (syn and anti), an sp3 NH2 two, NH3 three; no Y: none
    assert len(D._staggered_hs(d, x, y1[None, :], 120.0, 2)) == 2
    assert len(D._staggered_hs(d, x, y1[None, :], 109.5, 3)) == 3
    assert D._staggered_hs(d, x, np.zeros((0, 3)), 109.5, 1) == []


def _wb_row(gi, omega):
    return {"gi": gi, "angle": omega}


def test_water_bridge_refinement_as_plip_codes_it():
    """PLIP 3.0.1's refine_water_bridges, step by step, on one water with four acceptors.

    One per (water, acceptor), the omega closest to 110; then two per water. PLIP keeps the first two,
    sorts them, and lets a later one replace the second when closer to 110 than the value stored for it,
    where it stores the raw omega: the 4th candidate (deviation 24) replaces the 3rd (stored 102, not 8).
    """
    cands = [
        (("L", 0), ("P", 10), 129.6, _wb_row(10, 129.6)),  # acceptor L0: dev 19.6
        (("L", 0), ("P", 11), 125.9, _wb_row(11, 125.9)),  # acceptor L0 again: dev 15.9 replaces it
        (("L", 1), ("P", 10), 107.9, _wb_row(10, 107.9)),  # L1: dev 2.1
        (("L", 2), ("P", 12), 102.0, _wb_row(12, 102.0)),  # L2: dev 8, replaces L0 (15.9); stored as 102.0
        (("P", 13), ("L", 3), 86.0, _wb_row(13, 86.0)),  # P13: dev 24 < 102 -> replaces L2
        (("L", 4), ("P", 99), 110.0, _wb_row(99, 110.0)),  # donor P99 makes a direct H-bond: no bridge
    ]
    det = D.WaterBridge(hbond_donors={("P", 99)}, plip_order=True)
    assert [(r["gi"], r["angle"]) for r in det._refine(cands)] == [(10, 107.9), (13, 86.0)]
    # as PLIP's docstring states it (the default): the two closest to 110 degrees
    det.plip_order = False
    assert [(r["gi"], r["angle"]) for r in det._refine(cands)] == [(10, 107.9), (12, 102.0)]


def test_plip_typing_of_residues_and_file_hydrogens(mirror):
    """convention='plip' types residues as Open Babel does and uses hydrogens written in the file."""
    import json
    from pathlib import Path

    s = _complex(mirror, "4dst_protonated")
    # 4DST (protonated by its authors): Asp 12 carries a hydrogen on OD2; PLIP reports Asp 12 donating to GCP
    df = interactions(s, "GCP", chain="A", res_id=202, convention="plip")
    hb = df[(df["type"] == "hbond") & (df["auth_seq_id"] == 12) & (df["detail"] == "protein donor")]
    assert list(hb["protein_atom"]) == ["OD2"]
    ref = json.loads((Path(__file__).parent / "data" / "plip_complexes.json").read_text())
    site = next(x for x in ref["entries"]["4dst_protonated"] if x["key"] == "GCP:A:202")
    theirs = next(r for r in site["interactions"] if r["type"] == "hbond" and r["res_id"] == 12)
    # the file's hydrogen gives PLIP's own D-H...A angle
    assert abs(float(hb["angle"].iloc[0]) - theirs["angle"]) < 0.5
    # without hydrogens in the file: Arg NE and Trp NE1 accept and do not donate, Lys NZ does both
    s2 = _complex(mirror, "4cum")
    _lig, prot = _contexts(s2, "WS7:A:800")
    prot.use_plip_typing()
    for res, name, don, acc in (("ARG", "NE", False, True), ("TRP", "NE1", False, True), ("LYS", "NZ", True, True)):
        js = [j for j in range(len(prot.idx)) if prot.res[j] == res and prot.name[j] == name]
        assert js and all(prot.is_donor[j] == don and prot.is_acceptor[j] == acc for j in js), (res, name)
