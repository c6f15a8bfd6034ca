"""The command line: summary and catalogue (the CLI only wires library calls)."""

from __future__ import annotations

import json

from toolkit.cli import main


def test_summary_default_is_7eu8(capsys):
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "7EU8" in out and "GluN2B" in out and "GluN1" in out
    assert "Ligand(s) of interest: JC9" in out


def test_summary_json_7eos(capsys):
    assert main(["summary", "7EOS", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    subunits = {c["chain"]: c["subunit"] for c in info["chains"]}
    assert subunits == {"A": "GluN2A", "B": "GluN1", "C": "GluN2A", "D": "GluN1"}
    assert info["resolution_A"] == 3.9


def test_bad_id_is_a_clean_error(capsys):
    assert main(["summary", "../x"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "valid PDB ID" in err


def test_catalog(capsys):
    assert main(["catalog", "--csv"]) == 0
    assert capsys.readouterr().out.startswith("pdb_id,title")
