"""Ligand chemistry: CCD templates, ligand_to_mol, SMILES fallback, protonation."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import numpy as np
import pytest

from toolkit.errors import (
    ComponentNotFound,
    InvalidMolecule,
    InvalidParameter,
    LigandNotFound,
    LossyFixWarning,
    TemplateMismatch,
)
from toolkit.model import Structure

Chem = pytest.importorskip("rdkit.Chem")

ROOT = Path(__file__).resolve().parents[1]
ABSENT = "KET9X"  # checked below to be absent from the CCD


def _panel_smiles(prefix: str) -> str:
    for path in (ROOT / "toolkit" / "data" / "ligand_panel.csv", ROOT.parent / "shared" / "data" / "ligand_panel.csv"):
        if path.is_file():
            with open(path, newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["name"].startswith(prefix):
                        return row["isomeric_smiles"]
    pytest.fail(f"ligand panel with a row {prefix!r} not found")


def _canon(smi: str) -> str:
    return Chem.MolToSmiles(Chem.MolFromSmiles(smi))


def variant(s: Structure, *, rename: str | None = None, mirror: bool = False) -> Structure:
    """Copy of a structure with JC9 renamed and/or all coordinates mirrored (x -> -x)."""
    atoms = {k: np.array(v, copy=True) for k, v in s.atoms.items()}
    if rename:
        names = atoms["res_name"].astype("<U8")
        names[names == "JC9"] = rename
        atoms["res_name"] = names
    if mirror:
        atoms["coord"][:, 0] *= -1
    return Structure(s.entry_id, atoms, dict(s.meta), "test variant")


def test_ccd_template_jc9_is_esketamine():
    from toolkit.chem.templates import ccd_template

    m = ccd_template("jc9")
    assert Chem.MolToSmiles(m) == _canon(_panel_smiles("esketamine"))
    assert m.GetNumAtoms() == 16  # heavy atoms of C13H16ClNO
    assert {a.GetProp("atom_name") for a in m.GetAtoms()} >= {"CL1", "O1", "N1"}
    assert sum(a.GetFormalCharge() for a in m.GetAtoms()) == 0
    # bond orders from the CCD: one C=O, an aromatic ring
    assert sum(b.GetBondTypeAsDouble() == 2 for b in m.GetBonds()) == 1
    assert sum(a.GetIsAromatic() for a in m.GetAtoms()) == 6


def test_ccd_template_absent_code_raises():
    from toolkit.chem.templates import ccd_template
    from toolkit.io.ccd import component_info

    assert component_info(ABSENT) is None
    with pytest.raises(ComponentNotFound, match=ABSENT):
        ccd_template(ABSENT)


def test_ligand_to_mol_jc9_stereo_from_3d(s7eu8):
    from toolkit.chem.templates import ligand_to_mol

    m = ligand_to_mol(s7eu8, "JC9", "B", 903)
    smi = Chem.MolToSmiles(m)
    assert smi == _canon(_panel_smiles("esketamine"))
    assert smi != _canon(_panel_smiles("arketamine"))
    # coordinates are the file's, atom by atom
    idx = [a.GetIntProp("atom_index") for a in m.GetAtoms()]
    assert np.allclose(m.GetConformer().GetPositions(), s7eu8.coord[idx], atol=1e-4)
    assert all(s7eu8.atoms["atom_name"][i] == a.GetProp("atom_name") for i, a in zip(idx, m.GetAtoms()))


def test_mirrored_coordinates_give_r_ketamine(s7eu8):
    """Stereo comes from the 3D coordinates, not from the CCD template."""
    from toolkit.chem.templates import ligand_to_mol

    m = ligand_to_mol(variant(s7eu8, mirror=True), "JC9")
    assert Chem.MolToSmiles(m) == _canon(_panel_smiles("arketamine"))


def test_protonation_rule(s7eu8):
    from toolkit.chem.templates import fraction_protonated, ligand_to_mol

    assert fraction_protonated(7.5, 7.5) == pytest.approx(0.5)
    assert fraction_protonated(7.4, 7.5) == pytest.approx(1 / (1 + 10**-0.1))
    cat = ligand_to_mol(s7eu8, "JC9", ph=7.4, pka=7.5)  # 56 % protonated -> cation
    n = next(a for a in cat.GetAtoms() if a.GetSymbol() == "N")
    assert n.GetFormalCharge() == 1 and n.GetTotalNumHs() == 2
    assert Chem.GetFormalCharge(cat) == 1
    neutral = ligand_to_mol(s7eu8, "JC9", ph=8.0, pka=7.5)  # 24 % protonated -> neutral
    assert Chem.GetFormalCharge(neutral) == 0
    # only the basic amine is charged: the ketone O and Cl are untouched
    assert sorted(a.GetSymbol() for a in cat.GetAtoms() if a.GetFormalCharge()) == ["N"]
    with pytest.raises(InvalidParameter, match="pka"):
        ligand_to_mol(s7eu8, "JC9", ph=7.4)


def test_protonate_amines_skips_amides_and_anilines():
    from toolkit.chem.templates import protonate_amines

    m = protonate_amines(Chem.MolFromSmiles("CC(=O)NC.Nc1ccccc1.CCN(C)C"), 7.0, 10.0)
    charged = sorted(a.GetIdx() for a in m.GetAtoms() if a.GetFormalCharge() == 1)
    assert len(charged) == 1
    assert m.GetAtomWithIdx(charged[0]).GetDegree() == 3  # the tertiary aliphatic amine


def test_missing_ligand_raises(s7eu8):
    from toolkit.chem.templates import ligand_to_mol

    with pytest.raises(LigandNotFound, match="RKE"):
        ligand_to_mol(s7eu8, "RKE")
    with pytest.raises(LigandNotFound, match="chain A"):
        ligand_to_mol(s7eu8, "JC9", chain="A")


def test_code_absent_from_ccd_without_and_with_smiles(s7eu8):
    from toolkit.chem.templates import ligand_to_mol

    s = variant(s7eu8, rename=ABSENT)
    with pytest.raises(ComponentNotFound, match=ABSENT):
        ligand_to_mol(s, ABSENT)
    esk = _panel_smiles("esketamine")
    # the SMILES template gives bond orders; stereo still comes from the coordinates,
    # so a racemic or even the wrong-enantiomer SMILES gives the S model
    for smi in (esk, _panel_smiles("ketamine (racemic)"), _panel_smiles("arketamine")):
        m = ligand_to_mol(s, ABSENT, smiles=smi)
        assert Chem.MolToSmiles(m) == _canon(esk)
        idx = [a.GetIntProp("atom_index") for a in m.GetAtoms()]
        assert np.allclose(m.GetConformer().GetPositions(), s.coord[idx], atol=1e-4)
        assert {a.GetProp("atom_name") for a in m.GetAtoms()} >= {"CL1", "N1", "O1"}


def test_smiles_not_matching_atoms_raises(s7eu8):
    from toolkit.chem.templates import ligand_to_mol

    s = variant(s7eu8, rename=ABSENT)
    with pytest.raises(TemplateMismatch, match="heavy atoms"):
        ligand_to_mol(s, ABSENT, smiles="c1ccc(C2(N3CCCCC3)CCCCC2)cc1")  # phencyclidine
    with pytest.raises(TemplateMismatch, match="connectivity"):
        ligand_to_mol(s, ABSENT, smiles="CNC1(c2cccc(Cl)c2)CCCCC1=O")  # meta-chloro isomer
    with pytest.raises(InvalidMolecule, match="parsed"):
        ligand_to_mol(s, ABSENT, smiles="C1CC(")


def test_smiles_for_a_ccd_component_is_checked_not_ignored(s7eu8):
    """Issue 14 item 18: a SMILES given with a CCD code is validated against the component."""
    from toolkit.chem.templates import ligand_to_mol

    ccd = Chem.MolToSmiles(ligand_to_mol(s7eu8, "JC9"))
    # invalid SMILES: syntax, valence, a second word RDKit would read as a name
    for bad in ("C1CC(", "C(C)(C)(C)(C)C", "CNC1(c2ccccc2Cl)CCCCC1=O DROP TABLE"):
        with pytest.raises(InvalidMolecule):
            ligand_to_mol(s7eu8, "JC9", smiles=bad)
    # unrelated (phencyclidine) or isomeric (meta-chloro) templates: not JC9
    for other in ("c1ccc(C2(N3CCCCC3)CCCCC2)cc1", "CNC1(c2cccc(Cl)c2)CCCCC1=O"):
        with pytest.raises(TemplateMismatch, match="not CCD component JC9"):
            ligand_to_mol(s7eu8, "JC9", smiles=other)
    # the same molecule (any enantiomer; stereo comes from the coordinates): CCD chemistry, no warning
    for same in (_panel_smiles("esketamine"), _panel_smiles("arketamine"), _panel_smiles("ketamine (racemic)")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert Chem.MolToSmiles(ligand_to_mol(s7eu8, "JC9", smiles=same)) == ccd
    # same skeleton, another charge state: CCD chemistry kept, and said so
    with pytest.warns(LossyFixWarning, match="other bond orders or charges"):
        m = ligand_to_mol(s7eu8, "JC9", smiles="C[NH2+]C1(c2ccccc2Cl)CCCCC1=O")
    assert Chem.MolToSmiles(m) == ccd
    # wrong types are named
    for wrong in (42, b"CN"):
        with pytest.raises(InvalidParameter, match="smiles must be a string"):
            ligand_to_mol(s7eu8, "JC9", smiles=wrong)
    with pytest.raises(InvalidParameter, match="structure must be a loaded Structure"):
        ligand_to_mol("7EU8", "JC9")
    with pytest.raises(InvalidParameter, match="ph must be between 0 and 14"):
        ligand_to_mol(s7eu8, "JC9", ph="seven", pka=7.5)
    with pytest.raises(InvalidParameter, match="pka must be between -10 and 25"):
        ligand_to_mol(s7eu8, "JC9", ph=7.4, pka=float("nan"))


def test_missing_atom_is_dropped_with_warning(s7eu8):
    from toolkit.chem.templates import ligand_to_mol
    from toolkit.errors import LossyFixWarning

    atoms = {k: np.array(v, copy=True) for k, v in s7eu8.atoms.items()}
    keep = ~((atoms["res_name"] == "JC9") & (atoms["atom_name"] == "CL1"))
    s = Structure(s7eu8.entry_id, {k: v[keep] for k, v in atoms.items()}, dict(s7eu8.meta), "test")
    with pytest.warns(LossyFixWarning, match="CL1"):
        m = ligand_to_mol(s, "JC9")
    assert m.GetNumAtoms() == 15
    assert "Cl" not in Chem.MolToSmiles(m)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ligand_to_mol(s7eu8, "JC9")  # complete instance: no warning


def test_component_disk_cache_equals_the_ccd_and_survives_damage():
    import json

    from toolkit.chem import templates

    code = "JC9"
    fresh = templates._ccd_component_from_tables(code)
    templates._ccd_component.cache_clear()
    path = templates._component_cache_path(code)
    path.unlink(missing_ok=True)
    assert templates._ccd_component(code) == json.loads(json.dumps(fresh))  # read from the CCD, then stored
    assert path.is_file() and json.loads(path.read_text()) == templates._ccd_component(code)
    assert len(fresh["atom_name"]) == 32 and fresh["ideal_xyz"] is not None
    path.write_text('{"atom_name": [')  # a damaged cache entry is ignored and rewritten
    templates._ccd_component.cache_clear()
    assert templates._ccd_component(code)["atom_name"] == fresh["atom_name"]
    assert json.loads(path.read_text())["atom_name"] == fresh["atom_name"]
    assert templates._component_cache_path("../x") is None  # odd codes never become paths
    assert Chem.MolToSmiles(templates.ccd_template(code)) == _canon(_panel_smiles("esketamine"))  # stereo from cache
