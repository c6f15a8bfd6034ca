"""convention="plip": Open Babel's bond-order perception as PLIP 3.0.1 sees a PDB file, rule by rule.

The expected values were checked against Open Babel 3.1 (the ``reference``
extra) on the same files: which Asp/Glu oxygen carries the hydrogen, metal-bound
oxygens, Lys NZ written with two hydrogens (see ``scripts/plip_water_bridges.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from toolkit.errors import InvalidParameter
from toolkit.sites import detectors as D
from toolkit.sites.protonation import plip_bond_orders


def _mol(smiles: str, xyz: list[list[float]] | None = None, seed: int = 7):
    from rdkit import Chem
    from rdkit.Chem import AllChem

    m = Chem.AddHs(Chem.MolFromSmiles(smiles))
    assert AllChem.EmbedMolecule(m, randomSeed=seed) == 0
    m = Chem.RemoveHs(m)
    if xyz is not None:
        conf = m.GetConformer()
        for i, p in enumerate(xyz):
            conf.SetAtomPosition(i, p)
    for at in m.GetAtoms():
        at.SetIntProp("atom_index", at.GetIdx())
        at.SetProp("atom_name", f"{at.GetSymbol()}{at.GetIdx()}")
    return m


def _hs(m) -> dict[int, int]:
    return {at.GetIdx(): at.GetTotalNumHs() for at in m.GetAtoms() if at.GetSymbol() in ("O", "N")}


def test_carboxylic_acid_h_on_the_second_oxygen_of_the_bond_list():
    # acetic acid C-C(=O)O: atoms 0 C, 1 C, 2 O, 3 O; file order puts O2 first, z order the lower O
    m = _mol("CC(=O)O")
    out = plip_bond_orders(m)
    assert _hs(out) == {2: 0, 3: 1}
    assert out.GetBondBetweenAtoms(1, 2).GetBondTypeAsDouble() == 2
    z = m.GetConformer().GetPositions()[:, 2]
    low, high = (2, 3) if z[2] < z[3] else (3, 2)
    assert _hs(plip_bond_orders(m, order="z")) == {low: 0, high: 1}
    # the input is not modified
    assert _hs(m) == {2: 0, 3: 1} and m.GetBondBetweenAtoms(1, 2).GetBondTypeAsDouble() == 2


def test_phosphate_every_terminal_oxygen_but_the_first_gets_a_hydrogen_metal_bound_none():
    m = _mol("COP(=O)(O)O")  # 0 C, 1 O (ester), 2 P, 3 O, 4 O, 5 O
    assert _hs(plip_bond_orders(m)) == {1: 0, 3: 0, 4: 1, 5: 1}
    # a metal 2.0 Å from O3: O3 is bonded to it (not terminal): no H, and the P=O goes to O4
    xyz = m.GetConformer().GetPositions()
    out_dir = (xyz[3] - xyz[2]) / np.linalg.norm(xyz[3] - xyz[2])  # along P-O3, away from the other O
    out = plip_bond_orders(m, metal_xyz=[xyz[3] + 2.0 * out_dir], metal_radius=[1.41])
    assert _hs(out) == {1: 0, 3: 0, 4: 0, 5: 1}
    assert out.GetBondBetweenAtoms(2, 4).GetBondTypeAsDouble() == 2
    # a metal beyond r_metal + r_O + 0.45 Å (Mg: 2.52 Å) is not bonded
    out = plip_bond_orders(m, metal_xyz=[xyz[3] + 2.6 * out_dir], metal_radius=[1.41])
    assert _hs(out) == {1: 0, 3: 0, 4: 1, 5: 1}


def test_formate_bonds_longer_than_open_babels_double_bond_limit_stay_single():
    # formate without its C-H: two heavy neighbours, no bondtyp rule; pass 6 takes a C=O only <= 1.285 Å
    long_ = [[0.0, 0.0, 0.0], [1.45, 0.0, 0.0], [-0.75, 1.30, 0.0]]  # C-O 1.45 and 1.50 Å
    out = plip_bond_orders(_mol("C(=O)O", long_))
    assert _hs(out) == {1: 1, 2: 1}
    short = [[0.0, 0.0, 0.0], [1.24, 0.0, 0.0], [-0.70, 1.15, 0.0]]  # 1.24 and 1.35 Å
    assert _hs(plip_bond_orders(_mol("C(=O)O", short))) == {1: 0, 2: 1}


def test_arginine_like_guanidine_double_bond_to_the_substituted_nitrogen():
    m = _mol("CNC(=N)N")  # CCD-like form: NE-H, C=NH, NH2
    out = plip_bond_orders(m)
    assert _hs(out) == {1: 0, 3: 2, 4: 2}
    assert out.GetBondBetweenAtoms(1, 2).GetBondTypeAsDouble() == 2
    # the ligand context types the substituted N an acceptor, not a donor, as Open Babel does for Arg NE
    lig = D.LigandContext(out)
    assert 1 in lig.acceptors and 1 not in lig.donors and {3, 4} <= set(lig.donors)


def test_rings_and_molecules_without_coordinates_are_left_alone():
    from rdkit import Chem

    benzoic = _mol("OC(=O)c1ccccc1")  # the carboxyl carbon is not in the ring: the rule applies
    assert sorted(_hs(plip_bond_orders(benzoic)).values()) == [0, 1]
    flat = Chem.MolFromSmiles("CC(=O)O")
    assert plip_bond_orders(flat) is flat
    with pytest.raises(InvalidParameter):
        plip_bond_orders(benzoic, order="serial")


def _context(s, chain, res_id, plip=True):
    a = s.atoms
    sel = np.flatnonzero((a["chain_id"] == chain) & (a["res_id"] == res_id))
    ctx = D.ProteinContext(s, s.coord[sel].astype(float), 4.0, 7.4, True, termini=not plip)
    if plip:
        ctx.use_plip_typing()
    return ctx


def _typing(ctx, chain, res_id, name):
    a = ctx.s.atoms
    j = next(k for k, g in enumerate(ctx.idx.tolist()) if a["chain_id"][g] == chain and a["res_id"][g] == res_id
         and a["atom_name"][g] == name)  # fmt: skip
    return bool(ctx.is_donor[j]), bool(ctx.is_acceptor[j]), j


def _load(mirror, name):
    from toolkit import load_structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_structure(mirror / "complexes" / f"{name}.pdb.gz", require_protein=False)


@pytest.fixture(scope="module")
def s6r79(mirror):
    return _load(mirror, "6r79")


def test_glu_oh_on_the_oxygen_of_higher_z_anti_to_the_carbonyl(s6r79):
    # 6R79 Glu D100: OE2 z 33.09, OE1 z 34.41 -> Open Babel: OE2=CD, OE1-H
    ctx = _context(s6r79, "D", 100)
    don1, acc1, j1 = _typing(ctx, "D", 100, "OE1")
    don2, acc2, _j2 = _typing(ctx, "D", 100, "OE2")
    assert (don1, acc1, don2, acc2) == (True, True, False, True)
    ctx.h_model = "staggered"
    (h,) = ctx.hydrogens(j1, ctx.xyz[j1] + 3.0)
    names = ctx.atoms_of(int(ctx.resi[j1]))
    cd, oe2 = s6r79.coord[names["CD"]], s6r79.coord[names["OE2"]]
    b1, b2, b3 = cd - oe2, ctx.xyz[j1] - cd, h - ctx.xyz[j1]
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    dihedral = np.degrees(np.arctan2(np.dot(np.cross(n1, n2), b2 / np.linalg.norm(b2)), np.dot(n1, n2)))
    assert abs(abs(dihedral) - 180.0) < 1.0  # O=C-O-H anti
    assert abs(np.linalg.norm(h - ctx.xyz[j1]) - 1.0) < 1e-6
    # the default convention: Asp/Glu are acceptors only
    d = _context(s6r79, "D", 100, plip=False)
    assert _typing(d, "D", 100, "OE1")[:2] == (False, True)


def test_asp_oxygen_bonded_to_zinc_neither_donor_nor_acceptor(s6r79):
    # 6R79 Asp A81: OD2 2.05 Å from Zn -> Open Babel: OD1=CG, OD2-Zn, no hydrogen on either
    ctx = _context(s6r79, "A", 81)
    assert _typing(ctx, "A", 81, "OD1")[:2] == (False, True)
    assert _typing(ctx, "A", 81, "OD2")[:2] == (False, False)


def test_lys_written_with_two_hydrogens_is_a_donor_and_an_acceptor(mirror):
    # 4DST_protonated Lys A117 NZ carries two written H: a neutral amine, which Open Babel types as both
    s = _load(mirror, "4dst_protonated")
    ctx = _context(s, "A", 117)
    assert _typing(ctx, "A", 117, "NZ")[:2] == (True, True)
    assert _typing(ctx, "A", 117, "N")[:2] == (True, False)  # backbone N-H: sp2, no acceptor
