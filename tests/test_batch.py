"""Batch comparison: every row kept with a status, bad input, atomic output, engines agree."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from rdkit import Chem

import toolkit.batch as batch
from toolkit.batch import BATCH_COLUMNS, MAX_HEAVY_ATOMS, compare
from toolkit.errors import InputFileError, InvalidParameter, OutputPathError

KETAMINE = "CNC1(c2ccccc2Cl)CCCCC1=O"


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@pytest.fixture
def bad_smi(tmp_path):
    big = "C" * (MAX_HEAVY_ATOMS + 1)
    lines = [
        b"smiles name",
        f"{KETAMINE} ketamine".encode(),
        b"",
        b"C(C)(C)(C)(C)C pentavalent",
        b"C1CC unclosed_ring",
        b"CC\xff\xfeO latin1_bytes",
        b"CCO ketamine",
        f"{big} huge".encode(),
        b"CNC1(c2ccccc2Cl)CCCCC1=O.Cl ketamine_hcl",
        b"C[NH3+] methylammonium",
    ]
    p = tmp_path / "bad.smi"
    p.write_bytes(b"\n".join(lines) + b"\n")
    return p


def test_panel_compare(tmp_path):
    s = compare("panel", tmp_path / "p.csv")
    df = _read(tmp_path / "p.csv")
    assert list(df.columns) == BATCH_COLUMNS
    assert s.n_rows == len(df) == 34 and s.counts["ok"] == 34
    assert df["row"].tolist() == list(range(1, 35))
    esk = df[df["name"] == "esketamine ((S)-ketamine)"].iloc[0]
    assert esk["tanimoto_reference"] == 1.0 and esk["mw"] == pytest.approx(237.73, abs=0.01)
    assert (esk["hbd"], esk["hba"], esk["rotatable_bonds"], esk["heavy_atoms"]) == (1, 2, 2, 16)
    assert (df["nearest_panel_tanimoto"] == 1.0).all()
    # each panel compound finds itself, stereoisomers included (ties broken by the stereo-aware ECFP4)
    assert (df["nearest_panel"] == df["name"]).all()


def test_every_bad_row_kept_with_status(bad_smi, tmp_path):
    s = compare(bad_smi, tmp_path / "out.csv")
    df = _read(tmp_path / "out.csv")
    assert df["row"].tolist() == list(range(1, 10))
    assert df["status"].tolist() == [
        "ok", "empty", "sanitization_error", "invalid_smiles", "decode_error", "ok", "too_large", "ok", "ok",
    ]  # fmt: skip
    by = df.set_index("row")
    assert "valence" in by.loc[3, "message"]
    assert by.loc[5, "input"] == "CC\\xff\\xfeO" and "UTF-8" in by.loc[5, "message"]
    assert by.loc[7, "message"] == f"{MAX_HEAVY_ATOMS + 1} heavy atoms > limit {MAX_HEAVY_ATOMS}"
    assert by.loc[8, "smiles"] == Chem.CanonSmiles(KETAMINE) and by.loc[8, "standardization"] == "largest_fragment"
    assert by.loc[9, "smiles"] == "CN" and by.loc[9, "standardization"] == "neutralised"
    # duplicate names kept and flagged
    assert by.loc[6, "name"] == "ketamine" and by.loc[6, "duplicate_of_row"] == 1
    assert pd.isna(by.loc[1, "duplicate_of_row"]) and s.n_duplicate_names == 1
    assert s.counts == {"ok": 4, "empty": 1, "invalid_smiles": 1, "sanitization_error": 1, "too_large": 1,
                        "malformed_record": 0, "decode_error": 1, "error": 0}  # fmt: skip
    # failed rows carry no numbers
    assert df.loc[df["status"] != "ok", "mw"].isna().all()


def test_too_large_limit_and_long_smiles(tmp_path):
    compare(["CCCCCC", "C" * 2001], tmp_path / "o.csv", max_heavy_atoms=5)
    df = _read(tmp_path / "o.csv")
    assert df["status"].tolist() == ["too_large", "too_large"]
    assert "not parsed" in df["message"].iloc[1]


def test_empty_file_raises_and_keeps_old_output(tmp_path):
    out = tmp_path / "o.csv"
    out.write_text("previous good output\n")
    for content in (b"", b"smiles name\n"):
        p = tmp_path / "empty.smi"
        p.write_bytes(content)
        with pytest.raises(InputFileError, match="empty"):
            compare(p, out)
    c = tmp_path / "empty.csv"
    c.write_text("smiles,name\n")
    with pytest.raises(InputFileError, match="empty"):
        compare(c, out)
    assert out.read_text() == "previous good output\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["empty.csv", "empty.smi", "o.csv"]


def test_wrong_column_lists_available(tmp_path):
    p = tmp_path / "lib.csv"
    p.write_text("id,SMILES_str,activity\nk,CCO,1\n")
    with pytest.raises(InputFileError, match=r"no column 'smiles'; available columns: 'id', 'SMILES_str', 'activity'"):
        compare(p, tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()
    s = compare(p, tmp_path / "o.csv", smiles_column="SMILES_str")
    df = _read(tmp_path / "o.csv")
    assert s.counts["ok"] == 1 and df["name"].tolist() == ["k"]  # 'id' picked as name column


def test_csv_malformed_line_and_non_utf8(tmp_path):
    p = tmp_path / "lib.csv"
    p.write_bytes(b'name,smiles\na,CCO\nb,CC\xe9O\nc,CCN,extra\n"d, quoted",c1ccccc1\n')
    compare(p, tmp_path / "o.csv")
    df = _read(tmp_path / "o.csv")
    assert df["status"].tolist() == ["ok", "decode_error", "malformed_record", "ok"]
    assert df["name"].tolist() == ["a", "b", "c", "d, quoted"]
    assert "3 fields, header has 2" in df["message"].iloc[2]


def _sdf(tmp_path, corrupt: bool = True):
    blocks = []
    for name, smi in [("ketamine", KETAMINE), ("broken", "CCO"), ("pcp", "c1ccc(C2(N3CCCCC3)CCCCC2)cc1")]:
        m = Chem.MolFromSmiles(smi)
        m.SetProp("_Name", name)
        block = Chem.MolToMolBlock(m)
        if corrupt and name == "broken":
            lines = block.split("\n")
            lines[3] = "  x  y  0  0  0  0  0  0  0  0999 V2000"  # garbage counts line
            block = "\n".join(lines)
        blocks.append(block + "$$$$\n")
    p = tmp_path / "lib.sdf"
    p.write_text("".join(blocks))
    return p


def test_sdf_malformed_record_kept(tmp_path):
    s = compare(_sdf(tmp_path), tmp_path / "o.csv")
    df = _read(tmp_path / "o.csv")
    assert df["status"].tolist() == ["ok", "malformed_record", "ok"]
    assert df["name"].tolist() == ["ketamine", "broken", "pcp"]
    assert df["message"].iloc[1] == "SDF record 2 (lines 40-50): RDKit cannot read this mol block"
    assert df["input"].iloc[0] == "SDF record 1 (lines 1-39): ketamine"
    assert df["smiles"].iloc[2] == Chem.CanonSmiles("c1ccc(C2(N3CCCCC3)CCCCC2)cc1")
    assert s.counts["malformed_record"] == 1


def test_sdf_and_parquet_outputs(tmp_path, bad_smi):
    compare(bad_smi, tmp_path / "o.csv")
    compare(bad_smi, tmp_path / "o.parquet")
    compare(bad_smi, tmp_path / "o.sdf")
    c = _read(tmp_path / "o.csv")
    q = pd.read_parquet(tmp_path / "o.parquet")
    assert list(q.columns) == BATCH_COLUMNS
    assert q["status"].tolist() == c["status"].tolist()
    assert q["mw"].equals(c["mw"])
    mols = list(Chem.SDMolSupplier(str(tmp_path / "o.sdf")))
    assert len(mols) == 9  # one record per row, failed rows as empty records
    assert [m.GetProp("status") for m in mols] == c["status"].tolist()
    assert mols[0].GetNumAtoms() == 16 and mols[1].GetNumAtoms() == 0


def test_serial_equals_parallel(tmp_path, capsys):
    lib = tmp_path / "lib.smi"
    smiles = [KETAMINE, "CCO", "C1CC", "", "c1ccccc1O", "NC1(c2ccccc2Cl)CCCCC1=O"] * 7
    lib.write_text("".join(f"{s} m{i}\n" for i, s in enumerate(smiles)))
    compare(lib, tmp_path / "serial.csv", chunk_size=5)
    compare(lib, tmp_path / "par.csv", n_jobs=2, chunk_size=5, progress=True)
    assert (tmp_path / "serial.csv").read_bytes() == (tmp_path / "par.csv").read_bytes()
    assert len(_read(tmp_path / "serial.csv")) == len(smiles)
    assert "42/42" in capsys.readouterr().err  # the tqdm bar knew the total and counted every row


def test_dask_local_cluster_equals_serial(tmp_path, bad_smi):
    import distributed  # the dask extra is part of the test environment (make test installs it)

    compare(bad_smi, tmp_path / "serial.csv")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:  # fmt: skip
        s = compare(bad_smi, tmp_path / "dask.csv", engine="dask", scheduler=cluster.scheduler_address,
                    chunk_size=3)  # fmt: skip
    assert s.engine == "dask" and s.n_jobs == 1  # the given cluster's worker count is reported
    assert (tmp_path / "serial.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()


def test_dask_default_local_cluster_equals_serial(tmp_path, bad_smi):
    """engine="dask" without a scheduler starts (and closes) its own 2-worker cluster on 127.0.0.1."""
    compare(bad_smi, tmp_path / "serial.parquet")
    s = compare(bad_smi, tmp_path / "dask.parquet", engine="dask", n_jobs=2, chunk_size=2)
    serial = pd.read_parquet(tmp_path / "serial.parquet")
    assert s.n_jobs == 2 and s.n_rows == len(serial) and (serial["status"] != "ok").sum() >= 4
    pd.testing.assert_frame_equal(serial, pd.read_parquet(tmp_path / "dask.parquet"))


def test_failure_midway_never_replaces_good_output(tmp_path, bad_smi, monkeypatch):
    out = tmp_path / "o.csv"
    out.write_text("previous good output\n")
    real = batch.process_chunk
    calls = {"n": 0}

    def flaky(records, opts):
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryError("simulated crash in the second chunk")
        return real(records, opts)

    monkeypatch.setattr(batch, "process_chunk", flaky)
    with pytest.raises(MemoryError):
        compare(bad_smi, out, chunk_size=3)
    assert out.read_text() == "previous good output\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_parameter_and_path_errors(tmp_path):
    with pytest.raises(InvalidParameter, match="output extension"):
        compare("panel", tmp_path / "o.xlsx")
    with pytest.raises(OutputPathError, match="does not exist"):
        compare("panel", tmp_path / "missing" / "o.csv")
    with pytest.raises(InvalidParameter, match="n_jobs"):
        compare("panel", tmp_path / "o.csv", n_jobs=0)
    with pytest.raises(InvalidParameter, match="engine"):
        compare("panel", tmp_path / "o.csv", engine="spark")
    with pytest.raises(InputFileError, match="not found"):
        compare(tmp_path / "nope.smi", tmp_path / "o.csv")
    p = tmp_path / "x.mol2"
    p.write_text("x")
    with pytest.raises(InputFileError, match="unsupported input extension"):
        compare(p, tmp_path / "o.csv")
    assert not os.path.exists(tmp_path / "o.csv")


def test_dataframe_input_and_reference(tmp_path):
    df = pd.DataFrame({"smi": ["CCO", None, KETAMINE], "id": ["a", "b", "c"]})
    compare(df, tmp_path / "o.csv", smiles_column="smi", name_column="id", reference="CCO")
    out = _read(tmp_path / "o.csv")
    assert out["status"].tolist() == ["ok", "empty", "ok"]
    assert out["tanimoto_reference"].iloc[0] == 1.0 and out["tanimoto_reference"].iloc[2] < 0.2


def test_unexpected_row_failure_becomes_error_row(tmp_path, monkeypatch):
    import toolkit.chem.properties as props

    real = props.descriptors

    def fragile(mol):
        if mol.GetNumHeavyAtoms() == 3:
            raise RuntimeError("boom on a 3-atom molecule")
        return real(mol)

    monkeypatch.setattr(props, "descriptors", fragile)
    s = compare(["CCC", KETAMINE, "CCO"], tmp_path / "o.csv")
    df = _read(tmp_path / "o.csv")
    assert df["status"].tolist() == ["error", "ok", "error"]
    assert df["message"].iloc[0] == "RuntimeError: boom on a 3-atom molecule"
    assert df.loc[df["status"] == "error", ["mw", "smiles", "tanimoto_reference"]].isna().all().all()
    assert s.counts["error"] == 2 and s.n_rows == 3


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_script_without_main_guard_runs_in_parallel(tmp_path, bad_smi, engine):
    """A plain script calling compare(n_jobs=2) at top level must not re-run itself in the workers."""
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "import toolkit\n"
        "print('SCRIPT RAN')\n"
        f"s = toolkit.compare({str(bad_smi)!r}, {str(tmp_path / 'out.csv')!r}, n_jobs=2, engine={engine!r})\n"
        "print(s.n_rows)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("SCRIPT RAN") == 1  # the workers did not import the script
    compare(bad_smi, tmp_path / "serial.csv")
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "serial.csv").read_bytes()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_input_is_streamed_with_a_bounded_lag(tmp_path, monkeypatch, n_jobs):
    """Rows read ahead of rows written never exceed (2 * n_jobs + 1) chunks: memory does not grow with the file."""
    n, chunk = 3000, 100
    path = tmp_path / "lib.smi"
    path.write_text("".join(f"{'C' * (1 + i % 7)}O mol{i}\n" for i in range(n)))
    state = {"read": 0, "written": 0, "max_lag": 0}
    real_read, real_write = batch.read_records, batch._CsvOut.write

    def counting_read(*a, **k):
        for rec in real_read(*a, **k):
            state["read"] += 1
            yield rec

    def counting_write(self, df):
        state["max_lag"] = max(state["max_lag"], state["read"] - state["written"])
        state["written"] += len(df)
        return real_write(self, df)

    monkeypatch.setattr(batch, "read_records", counting_read)
    monkeypatch.setattr(batch._CsvOut, "write", counting_write)
    s = compare(path, tmp_path / "out.csv", n_jobs=n_jobs, chunk_size=chunk)
    assert s.n_rows == n == state["read"] == state["written"]
    assert state["max_lag"] <= (2 * n_jobs + 1) * chunk


def test_in_memory_inputs_and_bad_arguments(tmp_path):
    """Series, generators and DataFrames with missing values; wrong input types and parameters are named errors."""
    import numpy as np

    df = pd.DataFrame({"smiles": ["CCO", None, np.nan, "CCN"], "name": [np.nan, np.nan, "a", "b"]})
    s = compare(df, tmp_path / "df.csv", name_column="name")
    out = _read(tmp_path / "df.csv")
    assert out["status"].tolist() == ["ok", "empty", "empty", "ok"]
    assert out["name"].isna().tolist() == [True, True, False, False] and s.n_duplicate_names == 0  # NaN is no name
    compare(pd.Series(["CCO", "C(C"]), tmp_path / "series.csv")
    assert _read(tmp_path / "series.csv")["status"].tolist() == ["ok", "invalid_smiles"]
    assert compare((x for x in ["CCO", None]), tmp_path / "gen.csv").counts["empty"] == 1
    for bad in (None, 5):
        with pytest.raises(InputFileError, match="input must be a file path"):
            compare(bad, tmp_path / "x.csv")
    with pytest.raises(InputFileError, match="no column 'nom'"):
        compare(df, tmp_path / "x.csv", name_column="nom")
    for kw in ({"n_jobs": "a"}, {"n_jobs": None}, {"max_heavy_atoms": -1}, {"chunk_size": 0}):
        with pytest.raises(InvalidParameter, match="must be (between 1|a positive integer)"):
            compare(["CCO"], tmp_path / "x.csv", **kw)
    assert not (tmp_path / "x.csv").exists()
