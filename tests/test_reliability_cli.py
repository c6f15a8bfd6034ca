"""The command line under kills, pipes and bad input (issue 14 items 1, 16; issue 13's CLI list)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from toolkit.cli import EXIT_BROKEN_PIPE, EXIT_NO_OK_ROWS, main

ROOT = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux") and Path("/proc/self/stat").exists()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("COLUMNS", None)
    return env


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "toolkit.cli", *args],
        env=_env(),
        # a shell's background job may ignore SIGINT; a user's terminal does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,
        **kw,
    )


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent PID, state) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            st = _stat(int(p.name))
            if st:
                children.setdefault(st[0], []).append(int(p.name))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[1] != "Z"  # a zombie has exited


@pytest.fixture(scope="module")
def long_library(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lib") / "big.smi"
    mols = ["CCO", "c1ccccc1", "CC(=O)Oc1ccccc1C(=O)O", "CN1CCC[C@H]1c1cccnc1", "CNC1(c2ccccc2Cl)CCCCC1=O"]
    path.write_text("\n".join(mols * 20_000) + "\n")
    return path


# ------------------------------------------------------------------ item 1
@pytest.mark.skipif(not LINUX, reason="reads /proc to find the workers")
@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_killed_compare_leaves_no_process_and_no_partial_file(tmp_path, long_library, sig):
    out = tmp_path / "out.csv"
    kids: set[int] = set()
    proc = _cli("compare", str(long_library), "-o", str(out), "-j", "2", "--chunk-size", "50",
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            kids = _descendants(proc.pid)
            if len(kids) >= 4:  # resource tracker, fork server, two workers
                break
            time.sleep(0.2)
        assert len(kids) >= 4, f"workers did not start: {kids}"
        time.sleep(0.5)  # let the workers take chunks
        kids = _descendants(proc.pid)
        if sig == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        else:
            os.kill(proc.pid, getattr(signal, sig))
        proc.wait(timeout=30)
        deadline = time.time() + 15
        while time.time() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.2)
        left = [k for k in kids if _alive(k)]
        assert left == [], f"still alive after {sig}: {left}"
        text = proc.stderr.read().decode(errors="replace")  # EOF: no child holds the pipe any more
        assert "Traceback" not in text
        if sig == "SIGINT":
            assert proc.returncode == 130 and "interrupted" in text
            assert len(text.strip().splitlines()) == 1
        if sig == "SIGTERM":
            assert proc.returncode == 143 and "terminated" in text
        if sig != "SIGKILL":  # SIGKILL cannot clean up; the next run does (test_reliability_batch)
            assert sorted(p.name for p in tmp_path.iterdir()) == []
        assert not out.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for k in kids:  # only if the test failed: never leave our own processes behind
            if _alive(k):
                os.kill(k, signal.SIGKILL)


# ------------------------------------------------------------------ item 16
@pytest.mark.timeout(60)
@pytest.mark.parametrize("args", [["summary", "7EU8"], ["catalog", "--csv"]])
def test_closed_stdout_is_not_a_traceback(args):
    proc = _cli(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head -0`: the reader is gone before anything is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err and "Exception ignored" not in err
    assert proc.returncode == EXIT_BROKEN_PIPE


@pytest.mark.timeout(60)
def test_head_one_gets_its_line():
    res = subprocess.run(f"{sys.executable} -m toolkit.cli summary 7EU8 | head -1", shell=True,
                         capture_output=True, text=True, env=_env(), timeout=60)  # fmt: skip
    assert res.stdout.startswith("7EU8: ") and res.stdout.count("\n") == 1
    assert "Traceback" not in res.stderr


# ------------------------------------------------------------------ exit codes, stdin/stdout
def test_no_ok_row_has_its_own_exit_code(tmp_path, capsys):
    src = tmp_path / "bad.smi"
    src.write_text("xyz\nC(C)(C)(C)(C)C\n")
    assert main(["compare", str(src), "-o", str(tmp_path / "o.csv")]) == EXIT_NO_OK_ROWS == 3
    assert "no row is ok" in capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "o.csv")) == 2  # the output is still written
    src.write_text("xyz\nCCO\n")
    assert main(["compare", str(src), "-o", str(tmp_path / "o.csv")]) == 0


@pytest.mark.timeout(60)
def test_stdin_to_stdout():
    proc = _cli("compare", "-", "-o", "-", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(b"# a comment\nCCO ethanol\nc1ccccc1 benzene\n", timeout=60)
    assert proc.returncode == 0, err
    lines = out.decode().splitlines()
    assert lines[0].startswith("row,name,input,status") and len(lines) == 3
    assert "ethanol,CCO,ok" in lines[1]
    text = err.decode()
    assert "2 rows -> stdout" in text and "skipped 1 comment line" in text


def test_summary_from_stdin(monkeypatch, capsys, mirror):
    import io

    data = (mirror / "4kcc.cif.gz").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["summary", "-"]) == 0
    assert capsys.readouterr().out.startswith("4KCC: ")


def test_comment_lines_reported_by_the_cli(tmp_path, capsys):
    src = tmp_path / "lib.smi"
    src.write_text("# comment\nCCO\n")
    assert main(["compare", str(src), "-o", str(tmp_path / "o.csv")]) == 0
    assert "1 rows" in capsys.readouterr().out


def test_compare_output_over_input_is_an_error(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("smiles\nCCO\n")
    assert main(["compare", str(src), "-o", str(src)]) == 1
    assert "is the input file" in capsys.readouterr().err
    assert src.read_text() == "smiles\nCCO\n"


def test_jobs_cap_warns_in_one_line(tmp_path, capsys):
    assert main(["compare", "panel", "-o", str(tmp_path / "p.csv"), "-j", "1000", "--chunk-size", "20"]) == 0
    err = capsys.readouterr().err
    assert "warning: n_jobs=1000 is more than" in err and "warnings.warn" not in err


# ------------------------------------------------------------------ readable tables
def test_catalog_fits_and_has_no_nan(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out and "nan" not in out.split()
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "7EU8" in out and "4.07" in out


def test_summary_folds_waters(capsys):
    assert main(["summary", "4KCC"]) == 0
    out = capsys.readouterr().out
    assert out.count("HOH") == 1 and "WATER x223" in out
    assert len(out.splitlines()) < 20
    assert main(["summary", "4KCC", "--json"]) == 0  # JSON keeps the full record


def test_internal_error_is_one_line(monkeypatch, capsys):
    import toolkit.cli.catalog as cat

    def boom(args):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cat, "run", boom)
    monkeypatch.delenv("NMDA_TOOLKIT_DEBUG", raising=False)
    from toolkit.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["catalog"])
    args.func = boom
    monkeypatch.setattr("toolkit.cli.build_parser", lambda: _Fixed(parser, args))
    assert main(["catalog"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: unexpected" in err


class _Fixed:
    def __init__(self, parser, args):
        self.parser, self.args = parser, args

    def parse_args(self, argv):
        return self.args

    def print_help(self):
        self.parser.print_help()
