"""The curated entry catalogue and subunit naming."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from toolkit.catalog import CATALOG_COLUMNS, component_category, identify_subunit, list_entries
from toolkit.structure import load_structure


def test_schema_and_types():
    df = list_entries()
    assert list(df.columns) == CATALOG_COLUMNS
    assert df["pdb_id"].is_unique
    assert pd.api.types.is_float_dtype(df["resolution_A"])
    assert set(df["verification"]) <= {"verified", "partial", "unverified", "inferred"}
    # every row keeps a source
    assert (df["paper"].str.len() + df["doi"].str.len() > 0).all()
    # one row per loadable entry ID (grouped IDs of the shared catalogue were split)
    assert df["pdb_id"].str.fullmatch(r"[0-9][A-Z0-9]{3}").all()
    # a row whose ligands were not checked is not called verified
    assert not ((df["verification"] == "verified") & df["ligands_ccd"].str.contains("not verified")).any()


def test_ligand_codes_are_ccd_codes_with_names():
    from toolkit.io.ccd import component_info

    df = list_entries().set_index("pdb_id")
    assert df.loc["7EU8", "ligand_codes"] == "JC9;NAG"
    assert df.loc["7EU8", "ligand_names"].split(";")[0] == component_info("JC9")["name"]
    assert df.loc["7SAB", "ligand_codes"] == "1PC;377"  # "JC9?" is uncertain, so not stated
    assert "CPP" not in df.loc["7EOQ", "ligand_codes"].split(";")  # the CCD's CPP is another compound
    for codes in df["ligand_codes"]:
        assert all(component_info(c) is not None for c in filter(None, codes.split(";")))


@pytest.mark.parametrize("pdb_id", ["7EU8", "7EOS", "4KCC", "5TQ2"])
def test_ligand_codes_match_the_files(pdb_id):
    stated = set(filter(None, list_entries().set_index("pdb_id").loc[pdb_id, "ligand_codes"].split(";")))
    assert stated == set(load_structure(pdb_id).ligands()["ccd_code"])


def _chains_text(s) -> str:
    by_sub: dict[str, list[str]] = {}
    for ch, sub in s.chain_subunits.items():
        by_sub.setdefault(sub, []).append(ch)
    return by_sub


@pytest.mark.parametrize("pdb_id", ["7EU8", "7EOS", "4KCC", "5TQ2", "8ZH7"])
def test_catalogue_agrees_with_the_mirror_files(pdb_id):
    """Rows marked in_mirror were checked against the files: re-check them here."""
    row = list_entries().set_index("pdb_id").loc[pdb_id]
    assert row["in_mirror"] == "yes" and row["verification"] == "verified"
    s = load_structure(pdb_id)
    assert row["resolution_A"] == pytest.approx(s.resolution, abs=0.005)
    # "GluN1: A, C; GluN2B: B, D"
    stated = {
        part.split(":")[0].strip(): sorted(x.strip() for x in part.split(":")[1].split(","))
        for part in row["chains"].split(";")
    }
    assert stated == {k: sorted(v) for k, v in _chains_text(s).items()}
    stated_ligs = {x.strip() for x in re.split(r"[;,]", row["ligands_ccd"]) if x.strip()}
    assert stated_ligs == set(s.ligands().ccd_code) - {"HOH"} | ({"HOH"} & stated_ligs)


def test_7eu8_corrections_recorded():
    row = list_entries().set_index("pdb_id").loc["7EU8"]
    assert row["resolution_A"] == pytest.approx(4.07)
    assert "not modelled" in row["state_or_note"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"accession": "Q05586"}, "GluN1"),
        ({"accession": "Q12879"}, "GluN2A"),
        ({"accession": "Q13224"}, "GluN2B"),
        ({"accession": "Q00959"}, "GluN2A"),  # rat
        ({"db_code": "NMDE2_MOUSE"}, "GluN2B"),
        ({"description": "Glutamate receptor ionotropic, NMDA 1"}, "GluN1"),
        ({"description": "NR2B subunit"}, "GluN2B"),
        ({"description": "ANTIBODY #003-102 HEAVY CHAIN"}, "antibody"),
        ({"description": "Maltose-binding protein"}, "other"),
        ({}, "other"),
    ],
)
def test_identify_subunit(kwargs, expected):
    assert identify_subunit(**kwargs) == expected


def test_component_categories():
    assert component_category("HOH") == "water"
    assert component_category("NAG") == "glycan"
    assert component_category("LMT") == "lipid_detergent"
    assert component_category("GOL") == "additive"
    assert component_category("ZN", "non-polymer", 1) == "ion"
    assert component_category("JC9", "non-polymer", 16) == "ligand"
    assert component_category("XYZ", None, 10) == "unknown"
