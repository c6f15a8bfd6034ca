"""compare() and chem on hostile input (issue 14, items 2, 3, 7, 8, 10, 11, 14, 17)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings

import pandas as pd
import pytest

from toolkit.batch import compare, read_records
from toolkit.errors import (
    InvalidMolecule,
    InvalidParameter,
    LossyFixWarning,
    OutputPathError,
    SchedulerUnreachable,
)


def _out(tmp_path, name="out.csv"):
    return tmp_path / name


# ------------------------------------------------------------------ item 3
@pytest.mark.parametrize(
    "cell",
    ["CCO DROP TABLE", "CCO\tx", "CCO\nCCN", "C\u0663", "CC\u00a0O", "CCO\u200b", "C\u00e9"],
    ids=["space", "tab", "newline", "arabic-digit", "nbsp", "zero-width", "accent"],
)
def test_csv_cell_must_be_one_smiles(tmp_path, cell):
    df = pd.DataFrame({"smiles": [cell, "CCO"], "name": ["bad", "good"]})
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    compare(src, _out(tmp_path))
    res = pd.read_csv(_out(tmp_path), keep_default_na=False)
    assert len(res) == 2
    assert res.loc[0, "status"] == "invalid_smiles" and res.loc[0, "message"]
    assert res.loc[0, "smiles"] == ""  # never parsed up to the bad character
    assert res.loc[1, "status"] == "ok"


def test_chem_functions_refuse_smiles_with_blanks():
    from toolkit.chem import compute_properties, standardize

    with pytest.raises(InvalidMolecule, match="whitespace"):
        standardize("CCO DROP TABLE")
    with pytest.raises(InvalidMolecule, match="U\\+0663"):
        compute_properties("C\u0663")


# ------------------------------------------------------------------ item 7 and comments
@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings_rows_in_equal_rows_out(tmp_path, eol):
    lines = [b"CCO ethanol", b"c1ccccc1 benzene", b"", b"xyz bad", b"CCN ethylamine"]
    src = tmp_path / "in.smi"
    src.write_bytes(eol.join(lines) + eol)
    s = compare(src, _out(tmp_path))
    assert s.n_rows == 5
    res = pd.read_csv(_out(tmp_path), keep_default_na=False)
    assert res["name"].tolist() == ["ethanol", "benzene", "", "bad", "ethylamine"]
    assert res["status"].tolist() == ["ok", "ok", "empty", "invalid_smiles", "ok"]


def test_cr_only_sdf_records(tmp_path):
    from rdkit import Chem

    blocks = [Chem.MolToMolBlock(Chem.MolFromSmiles(s)) for s in ("CCO", "CCN", "c1ccccc1")]
    text = "$$$$\n".join(blocks) + "$$$$\n"
    src = tmp_path / "in.sdf"
    src.write_bytes(text.replace("\n", "\r").encode())
    s = compare(src, _out(tmp_path))
    assert s.n_rows == 3 and s.counts["ok"] == 3


def test_smi_comment_lines_are_skipped_and_counted(tmp_path):
    src = tmp_path / "in.smi"
    src.write_text("# header comment\nCCO ethanol\n   # indented comment\nCCN ethylamine\n")
    s = compare(src, _out(tmp_path))
    assert s.n_rows == 2 and s.counts["ok"] == 2
    assert s.extra["comment_lines"] == 2
    stats: dict[str, int] = {}
    assert [r[3] for r in read_records(src, stats=stats)] == ["CCO", "CCN"]
    assert stats["comment_lines"] == 2


# ------------------------------------------------------------------ item 8 and output messages
def test_output_equal_to_input_is_refused(tmp_path):
    src = tmp_path / "lib.csv"
    src.write_text("smiles,name\nCCO,ethanol\n")
    before = src.read_bytes()
    with pytest.raises(OutputPathError, match="is the input file"):
        compare(src, src)
    with pytest.raises(OutputPathError, match="is the input file"):
        compare(str(src), tmp_path / "." / "lib.csv")
    assert src.read_bytes() == before


def test_output_under_a_file_names_the_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        compare(["CCO"], f / "o.csv")


# ------------------------------------------------------------------ item 11
def test_stale_temporaries_of_killed_runs_are_cleaned(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    from toolkit.io.atomic import temporary_path

    out = _out(tmp_path)
    host = temporary_path(out).name.split("@")[1].split(".tmp")[0]
    stale = [tmp_path / f".out.csv.{pid}@{host}.tmp.csv", tmp_path / f".out.csv.{pid}.tmp.csv"]
    for p in stale:
        p.write_text("partial")
    alive = tmp_path / f".out.csv.{os.getppid()}@{host}.tmp.csv"
    alive.write_text("a concurrent run")
    compare(["CCO"], out)
    assert not any(p.exists() for p in stale)
    assert alive.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, "out.csv"])


# ------------------------------------------------------------------ item 2
def test_n_jobs_capped_at_usable_cores(tmp_path):
    from toolkit._jobs import available_cores

    with pytest.warns(LossyFixWarning, match="usable core"):
        s = compare(["CCO", "CCN"], _out(tmp_path), n_jobs=available_cores() + 50)
    assert s.n_jobs == available_cores()
    s = compare(["CCO", "CCN"], _out(tmp_path), n_jobs=-1)
    assert s.n_jobs == available_cores()
    for bad in (0, -2, 1.5, "2", True):
        with pytest.raises(InvalidParameter, match="n_jobs"):
            compare(["CCO"], _out(tmp_path), n_jobs=bad)


def test_compute_properties_uses_the_shared_n_jobs_rule():
    from toolkit._jobs import available_cores
    from toolkit.chem import compute_properties

    with pytest.raises(InvalidParameter, match="n_jobs"):
        compute_properties(["CCO"], n_jobs=0)
    with pytest.warns(LossyFixWarning):
        df = compute_properties(["CCO"], n_jobs=available_cores() + 10)
    assert len(df) == 1


# ------------------------------------------------------------------ item 10
def test_dataframe_is_not_a_list_of_smiles():
    from toolkit.chem import compute_properties, similarity_table
    from toolkit.chem.similarity import tanimoto

    df = pd.DataFrame({"smiles": ["CCO"], "name": ["ethanol"]})
    with pytest.raises(InvalidParameter, match="column names"):
        compute_properties(df)
    with pytest.raises(InvalidParameter, match="column names"):
        similarity_table(df)
    with pytest.raises(InvalidParameter, match="column names"):
        similarity_table("CCO", references=df)
    with pytest.raises(InvalidParameter, match="keys"):
        tanimoto({"CCO": 1})
    # one column is fine
    assert compute_properties(df["smiles"])["smiles"].tolist() == ["CCO"]
    assert set(similarity_table(df["smiles"])["query"]) == {"CCO"}


# ------------------------------------------------------------------ item 17
@pytest.mark.parametrize("ph", [-50, 14.5, float("nan"), "seven", None, True])
def test_ph_range(ph):
    from toolkit.chem import compute_properties

    with pytest.raises(InvalidParameter, match="ph"):
        compute_properties("CCO", ph=ph)


@pytest.mark.parametrize(
    "kw", [{"max_heavy_atoms": -5}, {"max_heavy_atoms": 0}, {"chunk_size": -1}, {"chunk_size": 2.5},
           {"reference": 5}, {"tautomer": ["keep"]}, {"engine": None}],
)
def test_compare_argument_ranges(tmp_path, kw):
    with pytest.raises(InvalidParameter):
        compare(["CCO"], _out(tmp_path), **kw)
    assert not _out(tmp_path).exists()


def test_chem_count_and_size_ranges():
    from toolkit.chem import mcs, nearest_neighbours
    from toolkit.chem.properties import embed_conformers

    for kw in ({"n_conformers": 0}, {"n_conformers": -3}, {"seed": -1}, {"max_iters": 0}, {"minimize": "yes"}):
        with pytest.raises(InvalidParameter):
            embed_conformers("CCO", **kw)
    for k in (0, -1, 35, 2.0):
        with pytest.raises(InvalidParameter, match="k must be"):
            nearest_neighbours("CCO", k=k)
    for t in (0, -5, "10"):
        with pytest.raises(InvalidParameter, match="timeout"):
            mcs("CCO", timeout=t)


# ------------------------------------------------------------------ item 14
@pytest.mark.timeout(30)
def test_unreachable_dask_scheduler_is_a_named_error_within_10_s(tmp_path):
    pytest.importorskip("distributed")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    t = time.perf_counter()
    with pytest.raises(SchedulerUnreachable, match="did not answer"):
        compare(["CCO"], _out(tmp_path), engine="dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - t < 10
    assert sorted(tmp_path.iterdir()) == []


def test_no_warning_for_ordinary_runs(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare(["CCO", "c1ccccc1"], _out(tmp_path), n_jobs=1)


# ------------------------------------------------------------------ item 19: short, named messages
@pytest.mark.parametrize(
    ("inp", "out", "exc"),
    [
        ("a" * 1_000_000, "o.csv", "InputFileError"),
        ("x\x00y.smi", "o.csv", "InputFileError"),
        ("/dev/zero", "o.csv", "InputFileError"),
        ("panel", "o\x00.csv", "OutputPathError"),
        ("panel", "a" * 5000 + ".csv", "OutputPathError"),
    ],
    ids=["1M-char-input", "nul-input", "dev-zero-input", "nul-output", "long-output"],
)
def test_bad_paths_give_short_named_errors(tmp_path, inp, out, exc):
    import toolkit.errors as errors

    with pytest.raises(getattr(errors, exc)) as err:
        compare(inp, tmp_path / out)
    assert len(str(err.value)) < 400
    assert sorted(tmp_path.iterdir()) == []


def test_csv_field_over_the_csv_limit_is_one_malformed_row(tmp_path):
    src = tmp_path / "big.csv"
    src.write_text("smiles,name\n" + "C" * 200_000 + ",huge\nCCO,ethanol\n")
    s = compare(src, _out(tmp_path))
    res = pd.read_csv(_out(tmp_path), keep_default_na=False)
    assert s.n_rows == 2 and res["status"].tolist() == ["malformed_record", "ok"]
    assert "field limit" in res.loc[0, "message"] and res.loc[1, "name"] == "ethanol"


def test_endless_line_is_cut_and_too_large(tmp_path, monkeypatch):
    import toolkit.batch as batch

    monkeypatch.setattr(batch, "MAX_LINE_BYTES", 5000)
    src = tmp_path / "long.smi"
    src.write_bytes(b"CCO first\n" + b"C" * 50_000 + b"\r\nCCN last\r\n")
    s = compare(src, _out(tmp_path))
    res = pd.read_csv(_out(tmp_path), keep_default_na=False)
    assert s.n_rows == 3 and res["status"].tolist() == ["ok", "too_large", "ok"]
    assert len(res.loc[1, "input"]) == 5000 and res.loc[2, "name"] == "last"


def test_huge_sdf_record_is_too_large_and_the_next_one_is_read(tmp_path, monkeypatch):
    from rdkit import Chem

    import toolkit.batch as batch

    monkeypatch.setattr(batch, "MAX_SDF_RECORD_BYTES", 2000)
    small = Chem.MolToMolBlock(Chem.MolFromSmiles("CCO"))
    big = "big\n" + "x" * 100 + "\n" + ("junk line\n" * 500)
    src = tmp_path / "in.sdf"
    src.write_text(small + "$$$$\n" + big + "$$$$\n" + small + "$$$$\n")
    s = compare(src, _out(tmp_path))
    res = pd.read_csv(_out(tmp_path), keep_default_na=False)
    assert s.n_rows == 3 and res["status"].tolist() == ["ok", "too_large", "ok"]
    assert "bytes >" in res.loc[1, "message"]
