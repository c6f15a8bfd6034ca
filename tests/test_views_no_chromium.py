"""``make test`` on a machine without Chromium: browser tests skipped with one line; under CI they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pytest(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    e["NMDA_TOOLKIT_CHROMIUM"] = str(tmp_path / "no-chromium-here")  # hides any installed browser
    e.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT, env=e, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_browser_tests_skipped_with_one_line_without_chromium(tmp_path):
    res = _pytest(["tests/test_views_browser.py", "tests/test_views_report.py::test_report_cli_registered"], tmp_path)
    out = res.stdout
    assert res.returncode == 0, out[-2000:]
    lines = [ln for ln in out.splitlines() if "browser tests skipped: no Chromium found" in ln]
    assert len(lines) == 1, out[-2000:]
    n_browser = sum(1 for ln in (ROOT / "tests/test_views_browser.py").read_text().splitlines() if ln.startswith("def test_"))
    assert lines[0].startswith(f"{n_browser} browser tests skipped")
    assert "1 passed" in out and f"{n_browser} deselected" in out and "failed" not in out


def test_missing_chromium_fails_under_ci(tmp_path):
    res = _pytest(["tests/test_views_browser.py::test_static_png"], tmp_path, CI="true")
    assert res.returncode == 1, res.stdout[-2000:]
    assert "CI is set but no Chromium was found" in res.stdout
