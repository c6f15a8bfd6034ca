"""``nmda-toolkit compare``: wiring, output, named errors."""

from __future__ import annotations

import pandas as pd

from toolkit.cli import main


def test_compare_panel_csv(tmp_path, capsys):
    out = tmp_path / "panel.parquet"
    assert main(["compare", "panel", "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    assert len(df) == 34 and (df["status"] == "ok").all()
    text = capsys.readouterr().out
    assert "34 rows" in text and "reference: esketamine ((S)-ketamine)" in text


def test_compare_csv_with_column_and_jobs(tmp_path, capsys):
    lib = tmp_path / "lib.csv"
    lib.write_text("compound,structure\nket,CNC1(c2ccccc2Cl)CCCCC1=O\nbad,C1CC\n")
    out = tmp_path / "o.csv"
    rc = main(["compare", str(lib), "-o", str(out), "--smiles-column", "structure",
               "--name-column", "compound", "-j", "2", "--chunk-size", "1"])  # fmt: skip
    assert rc == 0
    df = pd.read_csv(out)
    assert df["status"].tolist() == ["ok", "invalid_smiles"] and df["name"].tolist() == ["ket", "bad"]
    assert df["nearest_panel"].iloc[0] == "ketamine (racemic)"


def test_compare_wrong_column_is_a_named_error(tmp_path, capsys):
    lib = tmp_path / "lib.csv"
    lib.write_text("compound,structure\nket,CCO\n")
    rc = main(["compare", str(lib), "-o", str(tmp_path / "o.csv")])
    assert rc == 1
    err = capsys.readouterr().err
    assert "no column 'smiles'; available columns: 'compound', 'structure'" in err
    assert not (tmp_path / "o.csv").exists()


def test_compare_help_lists_options(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    for opt in ("--smiles-column", "--n-jobs", "--engine", "--scheduler", "--progress", "--chunk-size"):
        assert opt in text
