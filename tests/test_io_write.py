"""PDB / mmCIF text written from a Structure reads back identically (checked with gemmi)."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.io.write import single_char_chain_map, to_mmcif_string, to_pdb_string


def test_pdb_roundtrip_whole_entry(s7eu8):
    import gemmi

    text = to_pdb_string(s7eu8)
    st = gemmi.read_pdb_string(text)
    atoms = [(ch.name, r.seqid.num, r.name, at.name, at.pos) for ch in st[0] for r in ch for at in r]
    assert len(atoms) == s7eu8.n_atoms
    a = s7eu8.atoms
    xyz = np.array([[p.x, p.y, p.z] for *_, p in atoms])
    assert np.abs(xyz - a["coord"]).max() < 1e-3 + 1e-6
    assert [t[3] for t in atoms] == a["atom_name"].tolist()
    assert [t[0] for t in atoms] == a["chain_id"].tolist()
    assert [t[1] for t in atoms] == a["res_id"].tolist()


def test_pdb_ligand_subset(s7eu8):
    idx = s7eu8.ligand_atoms("JC9", "B", 903)
    lines = [ln for ln in to_pdb_string(s7eu8, idx).splitlines() if ln.startswith("HETATM")]
    assert len(lines) == len(idx) == 16  # C13H16ClNO without hydrogens: 16 heavy atoms
    assert {ln[17:20] for ln in lines} == {"JC9"}
    assert {ln[21] for ln in lines} == {"B"} and {int(ln[22:26]) for ln in lines} == {903}
    assert sorted(ln[76:78].strip() for ln in lines) == sorted(e.upper() for e in s7eu8.atoms["element"][idx].tolist())
    # column-exact: a one-letter element's name starts in column 14, chlorine's in 13
    assert any(ln[12:16] == "CL1 " for ln in lines)
    assert any(ln[12:16] == " N1 " for ln in lines)


def test_pdb_bad_mask_and_long_chain(s7eu8):
    with pytest.raises(ValueError, match="boolean mask"):
        to_pdb_string(s7eu8, np.ones(3, bool))
    with pytest.raises(ValueError, match="out of range"):
        to_pdb_string(s7eu8, np.array([s7eu8.n_atoms]))
    cmap = {"A": "AA"}
    with pytest.raises(ValueError, match="does not fit the PDB format"):
        to_pdb_string(s7eu8, s7eu8.atoms["chain_id"] == "A", chain_map=cmap)


def test_single_char_chain_map():
    m = single_char_chain_map(["A", "B", "AA", "BB", "A"])
    assert m["A"] == "A" and m["B"] == "B"
    assert len(set(m.values())) == 4 and all(len(v) == 1 for v in m.values())


def test_mmcif_roundtrip_subset(s7eos):
    import gemmi

    mask = s7eos.atoms["chain_id"] == "B"
    text = to_mmcif_string(s7eos, mask)
    st = gemmi.make_structure_from_block(gemmi.cif.read_string(text)[0])
    st.setup_entities()
    got = [(ch.name, r.seqid.num, r.name, at.name) for ch in st[0] for r in ch for at in r]
    a = s7eos.atoms
    want = list(zip(a["chain_id"][mask].tolist(), a["res_id"][mask].tolist(), a["res_name"][mask].tolist(), a["atom_name"][mask].tolist()))
    assert got == want
    xyz = np.array([[at.pos.x, at.pos.y, at.pos.z] for ch in st[0] for r in ch for at in r])
    assert np.abs(xyz - a["coord"][mask]).max() < 1.1e-3
