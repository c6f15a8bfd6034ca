"""Every notebook runs top to bottom (nbclient) and is stored without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_outputs_are_stripped(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs not stripped"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    from browser.helpers import ensure_3dmol
    from nbclient import NotebookClient

    from toolkit.views.static import find_chromium

    ensure_3dmol()  # the static pictures need the cached, verified 3Dmol.js
    nb = nbformat.read(path, as_version=4)
    # the session fixture has set the mirror, a private cache and offline mode in os.environ
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel uses its inline backend: plots are shown
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]  # fmt: skip
    if any("_plot(" in c.source for c in nb.cells if c.cell_type == "code"):
        assert images, f"{path.name}: plots were made but none was shown"
    # every notebook that renders a static picture of a 3D view really shows one
    renders = any("to_png(" in c.source for c in nb.cells if c.cell_type == "code")
    if renders and (find_chromium() is not None or os.environ.get("CI")):
        pictures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                    if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]  # fmt: skip
        assert pictures, f"{path.name}: no static picture was rendered"
