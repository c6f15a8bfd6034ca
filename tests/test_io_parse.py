"""Parsing: formats, fast path vs full parser, policies, bad files."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pytest

from toolkit.errors import NoProteinError, StructureFormatError
from toolkit.io.parse import ATOM_FIELDS, _atoms_from_columns, _columns_from_block, parse_bytes


def _same_atoms(a: dict, b: dict) -> None:
    assert set(a) == set(b) == set(ATOM_FIELDS)
    for k in a:
        assert a[k].shape == b[k].shape, k
        if a[k].dtype.kind == "f":
            np.testing.assert_allclose(a[k], b[k], atol=1e-3, err_msg=k)
        else:
            assert (a[k] == b[k]).all(), k


def _bcif_bytes(cif_gz: bytes) -> bytes:
    import biotite.structure.io.pdbx as pdbx

    cif = pdbx.CIFFile.read(io.StringIO(gzip.decompress(cif_gz).decode()))
    out, block = pdbx.BinaryCIFFile(), pdbx.BinaryCIFBlock()
    for name in ("entry", "struct", "exptl", "em_3d_reconstruction", "entity", "struct_ref",
                 "struct_ref_seq", "atom_site", "citation"):  # fmt: skip
        cat = cif.block[name]
        block[name] = pdbx.BinaryCIFCategory(
            {
                k: pdbx.BinaryCIFColumn(
                    pdbx.BinaryCIFData(cat[k].as_array(str)),
                    cat[k].mask and pdbx.BinaryCIFData(cat[k].mask.array),
                )
                for k in cat.keys()
            }
        )
    out["7EU8"] = block
    buf = io.BytesIO()
    out.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def cif_gz(mirror) -> bytes:
    return (mirror / "7eu8.cif.gz").read_bytes()


@pytest.fixture(scope="module")
def parsed(cif_gz):
    return parse_bytes(cif_gz, name="7eu8.cif.gz")


def test_7eu8_counts_and_metadata(parsed):
    m = parsed.meta
    assert parsed.n_atoms == 18670  # PROVENANCE.md: 18,670 atoms
    assert m["entry_id"] == "7EU8"
    assert m["method"] == "ELECTRON MICROSCOPY"
    assert m["resolution"] == pytest.approx(4.07)
    assert m["citation"]["doi"] == "10.1038/s41586-021-03769-9"
    accs = {r["chain_id"]: r["accession"] for r in m["ref_seq"]}
    assert accs == {"A": "Q05586", "B": "Q13224", "C": "Q05586", "D": "Q13224"}
    assert m["format"] == "cif"


def test_fast_path_equals_full_parser(cif_gz, parsed):
    """The column-sliced reader and gemmi's full CIF parser give identical arrays."""
    import gemmi

    block = gemmi.cif.read_string(gzip.decompress(cif_gz).decode()).sole_block()
    slow = _atoms_from_columns(_columns_from_block(block, "x"), "x")
    from toolkit.io.parse import _finish

    _same_atoms(parsed.atoms, _finish(slow, {}).atoms)


def test_unaligned_cif_falls_back(cif_gz, parsed):
    """Breaking the column alignment of one row forces the full parser, same result."""
    text = gzip.decompress(cif_gz).decode()
    i = text.index("\nATOM   1 ")
    j = text.index("\n", i + 1)
    row = text[i + 1 : j]
    squeezed = " ".join(row.split())  # same tokens, no alignment
    other = parse_bytes((text[: i + 1] + squeezed + text[j:]).encode(), name="x")
    _same_atoms(parsed.atoms, other.atoms)


def test_uncompressed_and_bcif(cif_gz, parsed):
    plain = parse_bytes(gzip.decompress(cif_gz), name="7eu8.cif")
    _same_atoms(parsed.atoms, plain.atoms)
    bcif = parse_bytes(_bcif_bytes(cif_gz), name="7eu8.bcif")
    assert bcif.meta["format"] == "bcif"
    assert bcif.meta["entry_id"] == "7EU8"
    assert bcif.meta["resolution"] == pytest.approx(4.07)
    _same_atoms(parsed.atoms, bcif.atoms)
    # gzipped BinaryCIF too
    assert parse_bytes(gzip.compress(_bcif_bytes(cif_gz)), name="x.bcif.gz").n_atoms == 18670


def test_pdb_and_cif_agree(mirror, parsed):
    pdb = parse_bytes((mirror / "7eu8.pdb.gz").read_bytes(), name="7eu8.pdb.gz")
    assert pdb.meta["format"] == "pdb"
    assert pdb.n_atoms == parsed.n_atoms
    np.testing.assert_allclose(pdb.atoms["coord"], parsed.atoms["coord"], atol=1e-3)
    assert (pdb.atoms["res_name"] == parsed.atoms["res_name"]).all()
    assert (pdb.atoms["chain_id"] == parsed.atoms["chain_id"]).all()
    assert (pdb.atoms["res_id"] == parsed.atoms["res_id"]).all()
    assert pdb.meta["resolution"] == pytest.approx(4.07)


PDB_ALTLOC = """\
HEADER    TEST                                    01-JAN-00   1ABC
ATOM      1  N   SER A   1      10.000  10.000  10.000  1.00 10.00           N
ATOM      2  CA  SER A   1      11.000  10.000  10.000  1.00 10.00           C
ATOM      3  OG ASER A   1      12.000  10.000  10.000  0.40 10.00           O
ATOM      4  OG BSER A   1      12.500  10.000  10.000  0.60 10.00           O
ATOM      5  CB ASER A   1      13.000  10.000  10.000  0.50 10.00           C
ATOM      6  CB BSER A   1      13.500  10.000  10.000  0.50 10.00           C
END
"""


def test_altloc_policy_highest_occupancy_then_first():
    e = parse_bytes(PDB_ALTLOC.encode(), name="altloc.pdb")
    names = e.atoms["atom_name"].tolist()
    assert names.count("OG") == 1 and names.count("CB") == 1
    og = e.atoms["coord"][names.index("OG")]
    cb = e.atoms["coord"][names.index("CB")]
    assert og[0] == pytest.approx(12.5)  # occupancy 0.60 beats 0.40
    assert cb[0] == pytest.approx(13.0)  # tie: first in file
    assert e.meta["altlocs_dropped"] == 2


def test_first_model_only():
    two = PDB_ALTLOC.replace("HEADER", "MODEL        1\nHEADER", 1)
    two = two.replace("END\n", "ENDMDL\nMODEL        2\n" + PDB_ALTLOC.splitlines()[1] + "\nENDMDL\nEND\n")
    e = parse_bytes(two.encode(), name="models.pdb")
    assert e.n_atoms == 4


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"Dear colleague,\nplease find the data attached.\n", "not a structure file"),
        (b"\x00\x01\x02\x03binary junk" * 20, "neither gzip nor BinaryCIF"),
    ],
)
def test_bad_content(data, pattern):
    with pytest.raises(StructureFormatError, match=pattern):
        parse_bytes(data, name="bad")


def test_truncated_gzip(cif_gz):
    with pytest.raises(StructureFormatError, match="truncated or corrupt"):
        parse_bytes(cif_gz[: len(cif_gz) // 2], name="7eu8.cif.gz")


def test_cif_without_atoms():
    with pytest.raises(StructureFormatError, match="no atom records|_atom_site"):
        parse_bytes(b"data_X\n_entry.id X\n", name="x.cif")


def test_no_protein(parsed):
    ligand_only = (
        "HETATM    1  C1  JC9 B 903      10.000  10.000  10.000  1.00 10.00           C\n"
        "HETATM    2  N1  JC9 B 903      11.000  10.000  10.000  1.00 10.00           N\nEND\n"
    )
    with pytest.raises(NoProteinError, match="no protein"):
        parse_bytes(ligand_only.encode(), name="ligand.pdb")
    assert parse_bytes(ligand_only.encode(), name="ligand.pdb", require_protein=False).n_atoms == 2


@pytest.mark.parametrize("fname", ["7eu8.pdb.gz", "5tq2.pdb.gz", "7eos.pdb.gz"])
def test_pdb_fixed_columns_equal_gemmi_path(mirror, fname):
    """The fixed-column PDB reader and the gemmi-based reader agree atom by atom."""
    from toolkit.io.parse import _parse_pdb_gemmi, _pdb_header

    data = gzip.decompress((mirror / fname).read_bytes())
    fast = parse_bytes(data, name=fname)
    text = data.decode("latin-1")
    slow = _parse_pdb_gemmi(data, text, _pdb_header(text), fname)
    for key in ("coord", "element", "atom_name", "altloc", "res_name", "res_id", "ins_code", "hetero",
                "occupancy", "b_factor", "charge", "chain_id"):  # fmt: skip
        a, b = fast.atoms[key], slow.atoms[key]
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, atol=1e-3, err_msg=key)
        else:
            assert (a == b).all(), key
    assert fast.meta["resolution"] == slow.meta["resolution"]
    assert fast.meta["entry_id"] == slow.meta["entry_id"]
    def refs(meta):  # gemmi groups references by entity, the file lists them by chain
        return sorted((r["chain_id"], r["accession"], r["auth_beg"], r["db_beg"]) for r in meta["ref_seq"])

    assert refs(fast.meta) == refs(slow.meta)
