"""Packaging promises: environment.yml agrees with pyproject.toml; layout; style."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10 (the test extra installs tomli there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name(s)
PIP_TO_CONDA = {"py3dmol": ["py3dmol"], "dask[distributed]": ["dask", "distributed"]}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_names(extras: tuple[str, ...]) -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in extras:
        reqs += meta["optional-dependencies"][extra]
    out: set[str] = set()
    for r in reqs:
        name = re.match(r"^[A-Za-z0-9_.\-\[\]]+", r).group(0).lower()
        out.update(PIP_TO_CONDA.get(name, [_norm(re.sub(r"\[.*\]", "", name))]))
    return out


def _env_specs() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return [d for d in env["dependencies"] if isinstance(d, str)]


def test_environment_matches_pyproject():
    conda = {_norm(s.split()[0]) for s in _env_specs()} - {"python", "pip"}
    assert conda == _pyproject_names(("dask", "notebooks", "test", "docking"))


def test_environment_entries_are_valid_match_specs():
    rattler = pytest.importorskip("rattler")
    for spec in _env_specs():
        rattler.MatchSpec(spec)  # raises on an invalid spec
    with pytest.raises(Exception):  # noqa: B017 - the parser must reject garbage
        rattler.MatchSpec("numpy >>=1..2")


def test_python_floor_matches():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == ">=3.10"
    assert "python >=3.10" in _env_specs()


def test_layout_and_licence():
    for p in ("toolkit/__init__.py", "notebooks", "structures", "tests", "environment.yml",
              "README.md", "pyproject.toml", "benchmarks", ".ci/run", "LICENSE"):  # fmt: skip
        assert (ROOT / p).exists(), p
    assert "BSD 3-Clause" in (ROOT / "LICENSE").read_text()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "BSD-3-Clause"
    assert meta["scripts"]["nmda-toolkit"] == "toolkit.cli:main"


def test_no_structure_files_committed():
    """Mirror files are read from $NMDA_TOOLKIT_MIRROR, never copied into the repository."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    bad = [f for f in files if re.search(r"\.(cif|bcif|pdb|ent|mmtf)(\.gz)?$", f, re.I) or f.endswith("3Dmol-min.js")]
    assert bad == []


def test_ruff_clean():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff not installed in this environment")
    out = subprocess.run([str(ruff), "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_environment_version_bounds_match_pyproject():
    """Not only the names: every lower bound in environment.yml is the one pyproject.toml states."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in ("dask", "notebooks", "test", "docking"):
        reqs += meta["optional-dependencies"][extra]
    want: dict[str, str] = {}
    for r in reqs:
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", r)
        name, spec = m.group(1).lower(), m.group(2).split(";")[0].replace(" ", "")  # drop environment markers
        for conda in PIP_TO_CONDA.get(name, [_norm(re.sub(r"\[.*\]", "", name))]):
            want[conda] = spec
    have = {}
    for s in _env_specs():
        parts = s.split(maxsplit=1)
        have[_norm(parts[0])] = parts[1].replace(" ", "") if len(parts) > 1 else ""
    have.pop("pip", None)
    py = have.pop("python")
    assert py == ">=" + meta["requires-python"].lstrip(">=")
    assert have == want
