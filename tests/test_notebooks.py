"""Every notebook runs top to bottom (nbclient) and is stored without outputs.

Each notebook runs in the kernel its metadata names (``nmda-toolkit``, installed
by ``make venv`` into the virtual environment). When that kernelspec is not
installed (a bare checkout), the harness installs one for this Python into a
temporary Jupyter path, so the notebook still runs with the interpreter, and
the environment (PYTHONPATH, mirror, cache), of the test session.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Notebooks whose metadata must name the project's kernel (the others are owned elsewhere).
PROJECT_KERNEL = "nmda-toolkit"
_KERNEL_NOTEBOOKS = ("01_structures_tour", "04_ligand_panel", "05_batch_comparison", "06_classroom")


def _kernel_for(nb, tmp_path: Path, monkeypatch) -> str:
    """The notebook's kernel name; installs a kernelspec for this interpreter when it is missing."""
    import json
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    name = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    if name in KernelSpecManager().find_kernel_specs():
        return name
    spec_dir = tmp_path / "jupyter" / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name, "language": "python",
    }))  # fmt: skip
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH")])))
    assert name in KernelSpecManager().find_kernel_specs()
    return name


@pytest.mark.parametrize("stem", _KERNEL_NOTEBOOKS)
def test_kernelspec_is_the_project_kernel(stem):
    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == PROJECT_KERNEL


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
    kernel = _kernel_for(nb, tmp_path, monkeypatch)
    client = NotebookClient(
        nb, timeout=600, kernel_name=kernel, resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel uses its inline backend: plots are shown
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # no widget output: a widget (e.g. a tqdm bar) is an empty box in an exported HTML page
    widgets = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]  # fmt: skip
    assert not widgets, f"{path.name}: widget outputs do not survive export"
    if any("progress=True" in c.source for c in nb.cells if c.cell_type == "code"):
        text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream")
        assert "compare:" in text and "rows/s" in text, f"{path.name}: no readable progress bar"
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


def test_missing_kernelspec_is_installed_for_this_python(tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "nmda-toolkit-missing", "display_name": "x", "language": "python"}})
    assert "nmda-toolkit-missing" not in KernelSpecManager().find_kernel_specs()
    name = _kernel_for(nb, tmp_path, monkeypatch)
    spec = KernelSpecManager().get_kernel_spec(name)
    import sys

    assert name == "nmda-toolkit-missing" and spec.argv[0] == sys.executable


def test_classroom_hides_helpers_and_checks_from_students():
    """06: helper and assert cells are tagged; the student export (nbconvert, tag removal) shows neither."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    path = Path(__file__).resolve().parents[1] / "notebooks" / "06_classroom.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c in code:
        hidden = "remove-cell" in c.metadata.get("tags", [])
        if "assert " in c.source or "def show_static" in c.source:
            assert hidden, f"cell not hidden from students:\n{c.source[:200]}"
    assert any("remove-cell" not in c.metadata.get("tags", []) for c in code)
    cfg = Config()
    cfg.TagRemovePreprocessor.remove_cell_tags = ("remove-cell",)
    cfg.TagRemovePreprocessor.enabled = True
    body, _ = HTMLExporter(config=cfg).from_notebook_node(nb)
    assert "assert " not in body and "def show_static" not in body
    assert "Tour, step 1" in body and "lesson_page" in body
