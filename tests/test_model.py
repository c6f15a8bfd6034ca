"""The Structure model: subunits, numbering, residue and ligand tables, interop."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from toolkit.catalog import LIGAND_CATEGORIES
from toolkit.errors import ComponentNotFound, LigandNotFound, UnknownComponentWarning
from toolkit.io.ccd import component_info, require_component
from toolkit.model import CHAIN_COLUMNS, LIGAND_COLUMNS, RESIDUE_COLUMNS
from toolkit.structure import load_structure


def test_subunits_from_references_not_letters(s7eu8, s7eos):
    # 7EU8 and 7EOS use opposite chain orders (SCIENCE.md)
    assert s7eu8.chain_subunits == {"A": "GluN1", "B": "GluN2B", "C": "GluN1", "D": "GluN2B"}
    assert s7eos.chain_subunits == {"A": "GluN2A", "B": "GluN1", "C": "GluN2A", "D": "GluN1"}


def test_chain_table_schema_and_numbering_checks(s7eu8, s7eos):
    for s in (s7eu8, s7eos):
        df = s.chains()
        assert list(df.columns) == CHAIN_COLUMNS
        assert df["numbering_check"].str.startswith("ok").all(), df["numbering_check"].tolist()
    df = s7eu8.chains().set_index("chain")
    assert df.loc["A", "uniprot_acc"] == "Q05586" and df.loc["B", "uniprot_acc"] == "Q13224"
    assert "SYTANLAAF@646" in df.loc["A", "numbering_check"]
    assert "SYTANLAAF@645" in df.loc["B", "numbering_check"]
    assert "SYTANLAAF@644" in s7eos.chains().set_index("chain").loc["A", "numbering_check"]


def test_residue_table(s7eu8):
    res = s7eu8.residues()
    assert list(res.columns) == RESIDUE_COLUMNS
    n616 = res[(res.subunit == "GluN1") & (res.uniprot_num == 616)]
    assert set(n616.chain) == {"A", "C"} and set(n616.res_name) == {"ASN"}
    l643 = res[(res.subunit == "GluN2B") & (res.uniprot_num == 643)]
    assert set(l643.res_name) == {"LEU"}
    # motif found by sequence, at the UniProt positions of the anchors
    seq_b = s7eu8.sequence("B")
    i = seq_b.index("SYTANLAAF")
    assert int(s7eu8.residues("B").uniprot_num.iloc[i]) == 645


def test_numbering_mismatch_is_detected(s7eu8):
    """Shift the author numbering by +21 (GluN1-1b insert) without a mapping: the check fails."""
    from toolkit.model import Structure

    meta = dict(s7eu8.meta)
    meta["ref_seq"] = [dict(r, db_beg=r["db_beg"] + 21) if r["chain_id"] == "A" else r for r in meta["ref_seq"]]
    shifted = Structure("TEST", {k: v.copy() for k, v in s7eu8.atoms.items()}, meta)
    with pytest.warns(UserWarning, match="expected"):
        check = shifted.numbering_check("A")
    assert check.startswith("mismatch")


def test_ligand_inventory_7eu8(s7eu8):
    lig = s7eu8.ligands()
    assert list(lig.columns) == LIGAND_COLUMNS
    assert set(lig.category) <= set(LIGAND_CATEGORIES)
    main = s7eu8.ligands(category="ligand")
    assert main[["ccd_code", "chain", "auth_seq_id"]].values.tolist() == [["JC9", "B", 903]]
    assert int(main.n_heavy_atoms.iloc[0]) == 16  # C13 H16 Cl N O: 16 heavy atoms
    assert "chlorophenyl" in main.name.iloc[0]
    glycans = lig[lig.ccd_code == "NAG"]
    assert len(glycans) == 7 and set(glycans.category) == {"glycan"}


def test_two_character_components(mirror):
    s = load_structure("5TQ2")
    lig = s.ligands()
    zn = lig[lig.ccd_code == "ZN"]
    assert len(zn) == 2 and set(zn.category) == {"ion"} and set(zn.name) == {"ZINC ION"}
    assert set(lig[lig.ccd_code == "SO4"].category) == {"additive"}
    assert s.chain_subunits == {"A": "GluN1", "B": "GluN2A", "H": "antibody", "L": "antibody"}


def test_five_character_component(tmp_path, mirror):
    """A five-character CCD code (new-style IDs) survives parsing and naming."""
    assert component_info("A1AAA") is not None
    text = gzip.decompress((mirror / "7eu8.cif.gz").read_bytes()).decode()
    # rename the ketamine (JC9) to a real 5-character CCD code, keeping columns aligned
    rows = [ln.replace(" JC9 H 4 .", " A1AAA H 4 .").replace(" JC9 B JC9", " A1AAA B A1AAA") if " JC9 " in ln else ln for ln in text.splitlines()]
    p = tmp_path / "renamed.cif"
    p.write_text("\n".join(rows) + "\n")
    s = load_structure(p)
    lig = s.ligands()
    assert "A1AAA" in set(lig.ccd_code)
    assert lig[lig.ccd_code == "A1AAA"].in_ccd.all()


def test_component_without_ccd_entry(tmp_path, mirror):
    """A PDB file whose ligand code has no CCD entry: kept, flagged, named error on use."""
    assert component_info("ZQ8") is None
    text = gzip.decompress((mirror / "7eu8.pdb.gz").read_bytes()).decode()
    p = tmp_path / "unknown.pdb"
    p.write_text(text.replace(" JC9 ", " ZQ8 "))
    s = load_structure(p)
    with pytest.warns(UnknownComponentWarning, match="'ZQ8' has no entry in the Chemical Component Dictionary"):
        lig = s.ligands()
    row = lig[lig.ccd_code == "ZQ8"].iloc[0]
    assert not row.in_ccd and row.category == "unknown" and row.n_heavy_atoms == 16
    with pytest.raises(ComponentNotFound, match="'ZQ8' is not in the Chemical Component Dictionary"):
        require_component("ZQ8")


def test_ligand_atoms_and_errors(s7eu8):
    idx = s7eu8.ligand_atoms("JC9")
    assert len(idx) == 16 and set(s7eu8.atoms["chain_id"][idx]) == {"B"}
    with pytest.raises(LigandNotFound, match="no ligand 'MK8'.*JC9"):
        s7eu8.ligand_atoms("MK8")
    with pytest.raises(LigandNotFound, match="7 instances of 'NAG'"):
        s7eu8.ligand_atoms("NAG")
    assert len(s7eu8.ligand_atoms("NAG", chain="B", res_id=902)) == 14


def test_arrays_are_read_only(s7eu8):
    with pytest.raises(ValueError):
        s7eu8.atoms["coord"][0, 0] = 1.0
    with pytest.raises(ValueError):
        s7eu8.uniprot_num[0] = 5


def test_to_biopython(s7eu8):
    bio = s7eu8.to_biopython()
    atoms = list(bio.get_atoms())
    assert len(atoms) == s7eu8.n_atoms
    jc9 = bio[0]["B"][("H_JC9", 903, " ")]
    assert jc9.get_resname() == "JC9" and len(jc9) == 16
    np.testing.assert_allclose(jc9["CL1"].coord if "CL1" in jc9 else next(iter(jc9)).coord,
                               s7eu8.coord[s7eu8.ligand_atoms("JC9")][[a.get_id() for a in jc9].index("CL1") if "CL1" in jc9 else 0],
                               atol=1e-3)  # fmt: skip
    assert bio[0]["A"][616].get_resname() == "ASN"


def test_structure_methods_name_wrong_argument_types(s7eu8):
    """Issue 14 item 13: chain and mask arguments of the wrong type are InvalidParameter, not an empty table."""
    from toolkit.errors import InvalidParameter

    with pytest.raises(InvalidParameter, match="chain must be a string or None, got int 5"):
        s7eu8.residues(chain=5)
    with pytest.raises(InvalidParameter, match="chain must be a string, got int 5"):
        s7eu8.sequence(5)
    with pytest.raises(InvalidParameter, match="chain must be a string"):
        s7eu8.numbering_check(5)
    with pytest.raises(InvalidParameter, match="boolean array of one value per atom"):
        s7eu8.select("x")
    with pytest.raises(InvalidParameter, match="boolean array of one value per atom"):
        s7eu8.select(np.ones(3, dtype=bool))
    # valid calls are unchanged
    assert len(s7eu8.residues(chain="B")) == len(s7eu8.sequence("B")) > 0
    mask = s7eu8.atoms["chain_id"] == "B"
    assert len(s7eu8.select(mask)["coord"]) == int(mask.sum())
