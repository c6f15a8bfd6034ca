"""``nmda-toolkit interactions``: the rows of interactions(), written without pandas."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from toolkit.cli import main

ROOT = Path(__file__).resolve().parents[1]

# (file in the mirror, ligand, chain, res_id, convention, format): JC9 (hydrophobic, H-bond, cation-pi), a haem
# with a metal complex, pi-stacking and water bridges, a halogenated ligand under PLIP's convention
CASES = [
    ("7eu8.pdb.gz", "JC9", "B", 903, "toolkit", "tsv"),
    ("7eu8.pdb.gz", "JC9", "B", 903, "toolkit", "json"),
    ("complexes/4cum.pdb.gz", "HEM", "A", 500, "toolkit", "csv"),
    ("complexes/4gql.pdb.gz", "R47", "A", 306, "plip", "tsv"),
]


def _read(path: Path, fmt: str) -> tuple[list[str], list[dict]]:
    if fmt == "json":
        data = json.loads(path.read_text())
        return data["columns"], data["rows"]
    with open(path, newline="") as fh:
        r = csv.DictReader(fh, delimiter="\t" if fmt == "tsv" else ",")
        return list(r.fieldnames or []), list(r)


def _same(got, want) -> bool:
    """A cell read back from the file equals the DataFrame's value exactly (NaN: empty cell / null)."""
    if isinstance(want, float):
        if math.isnan(want):
            return got in ("", None)
        return float(got) == want
    if isinstance(want, int):
        return int(got) == want
    return str(got) == str(want)


@pytest.mark.parametrize("rel,code,chain,res_id,convention,fmt", CASES)
def test_cli_rows_equal_interactions(mirror, tmp_path, capsys, rel, code, chain, res_id, convention, fmt):
    from toolkit import load_structure
    from toolkit.sites import interactions
    from toolkit.sites.interactions import INTERACTION_COLUMNS

    path = mirror / rel
    out = tmp_path / f"out.{fmt}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main(["interactions", str(path), code, "--chain", chain, "--res-id", str(res_id),
                   "--convention", convention, "-o", str(out)])  # fmt: skip
        df = interactions(load_structure(path), code, chain=chain, res_id=res_id, convention=convention)
    assert rc == 0
    summary = capsys.readouterr().out
    assert f"{len(df)} interactions" in summary and df.attrs["ligand_charge_state"] in summary
    cols, rows = _read(out, fmt)
    assert cols == INTERACTION_COLUMNS
    assert len(rows) == len(df) > 0
    want = df.to_dict("records")
    for k, (g, w) in enumerate(zip(rows, want)):
        bad = [c for c in INTERACTION_COLUMNS if not _same(g[c], w[c])]
        assert not bad, (k, bad, {c: (g[c], w[c]) for c in bad})
    if fmt == "json":
        assert json.loads(out.read_text())["attrs"] == dict(df.attrs)


def test_cli_stdout_and_no_pandas_in_a_fresh_process(mirror):
    """The command imports neither pandas nor scipy/biotite; the table goes to stdout, the summary to stderr."""
    code = (
        "import sys\n"
        "from toolkit.cli import main\n"
        f"rc = main(['interactions', {str(mirror / '7eu8.pdb.gz')!r}, 'JC9', '--chain', 'B', '--res-id', '903'])\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'scipy', 'biotite') if m in sys.modules]\n"
        "print('RC', rc, 'HEAVY', ','.join(heavy) or '-', file=sys.stderr)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # the session's offline mirror and private cache
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "RC 0 HEAVY -" in p.stderr, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split("\t")[:5] == ["entry", "ligand", "ligand_chain", "ligand_res_id", "type"]
    assert len(lines) > 1 and all(line.startswith("7EU8\tJC9\tB\t903\t") for line in lines[1:])
    assert "interactions (tsv, stdout)" in p.stderr and "pH 7.4" in p.stderr


def test_cli_bad_ligand_and_bad_output_are_named_errors(mirror, tmp_path, capsys):
    path = str(mirror / "7eu8.pdb.gz")
    assert main(["interactions", path, "ZZZ"]) == 1
    assert "error:" in capsys.readouterr().err
    assert main(["interactions", path, "JC9", "-o", str(tmp_path / "missing" / "out.tsv")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
