"""The README's API tour runs as written (a plain script, in a fresh process)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.browser
def test_api_tour_runs_as_a_script(tmp_path):
    from browser.helpers import chromium_or_skip, ensure_3dmol

    chromium_or_skip()  # the tour ends with a static picture
    ensure_3dmol()
    code = re.search(r"## A short API tour\n\n```python\n(.*?)```", README.read_text(), re.S).group(1)
    assert 10 <= len([ln for ln in code.splitlines() if ln.strip()]) <= 20  # "10-20 lines of Python"
    (tmp_path / "tour.py").write_text(code)
    (tmp_path / "library.smi").write_text("CN[C@]1(c2ccccc2Cl)CCCCC1=O esketamine\nnot_a_smiles bad\n")
    out = subprocess.run([sys.executable, "tour.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    import pandas as pd

    res = pd.read_parquet(tmp_path / "out.parquet")
    assert res["status"].tolist() == ["ok", "invalid_smiles"]  # both rows kept, each with its status
    assert (tmp_path / "site.png").stat().st_size > 10_000
    assert "<script src=" not in (tmp_path / "site.html").read_text()
