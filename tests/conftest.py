"""Session fixtures shared by all test modules.

The suite is offline: downloads are disabled (``NMDA_TOOLKIT_OFFLINE=1``)
except in tests that start their own loopback server, and the cache is a
fresh temporary folder. Structures come from the local mirror named by
``$NMDA_TOOLKIT_MIRROR`` (default ``../shared/structures``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"


def _mirror() -> Path:
    env = os.environ.get("NMDA_TOOLKIT_MIRROR")
    path = Path(env) if env else ROOT.parent / "shared" / "structures"
    return path.resolve()


@pytest.fixture(scope="session", autouse=True)
def _offline_env(tmp_path_factory: pytest.TempPathFactory):
    """Offline, with a private cache and the mirror, for the whole session."""
    mirror = _mirror()
    if not (mirror / "7eu8.cif.gz").is_file():
        pytest.exit(f"PDB mirror not found at {mirror}: set NMDA_TOOLKIT_MIRROR", returncode=3)
    old = {k: os.environ.get(k) for k in ("NMDA_TOOLKIT_MIRROR", "NMDA_TOOLKIT_CACHE", "NMDA_TOOLKIT_OFFLINE")}
    os.environ["NMDA_TOOLKIT_MIRROR"] = str(mirror)
    os.environ["NMDA_TOOLKIT_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["NMDA_TOOLKIT_OFFLINE"] = "1"
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def mirror() -> Path:
    return _mirror()


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A private, empty cache and an empty in-process cache for one test."""
    from toolkit.structure import clear_memory_cache

    cache = tmp_path / "cache"
    monkeypatch.setenv("NMDA_TOOLKIT_CACHE", str(cache))
    clear_memory_cache()
    yield cache
    clear_memory_cache()


@pytest.fixture(scope="session")
def s7eu8():
    """7EU8 (GluN1-GluN2B + S-ketamine), loaded once."""
    from toolkit import load_structure

    return load_structure("7EU8")


@pytest.fixture(scope="session")
def s7eos():
    """7EOS (GluN1-GluN2A, opposite chain order), loaded once."""
    from toolkit import load_structure

    return load_structure("7EOS")


# --- browser tests without Chromium: one clear line instead of a failure per test -----------------
_BROWSER_SKIP: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium (and without ``CI``), deselect the ``browser`` tests and say so once.

    Under ``CI`` they stay selected and fail (``tests/browser/helpers.chromium_or_skip``).
    """
    if os.environ.get("CI"):
        return
    from toolkit.views.static import find_chromium

    if find_chromium() is not None:
        return
    browser = [it for it in items if it.get_closest_marker("browser") is not None]
    if not browser:
        return
    items[:] = [it for it in items if it.get_closest_marker("browser") is None]
    config.hook.pytest_deselected(items=browser)
    _BROWSER_SKIP.append(
        f"{len(browser)} browser tests skipped: no Chromium found (install Debian's chromium, "
        "e.g. `make chromium` as root, or set NMDA_TOOLKIT_CHROMIUM)"
    )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for line in _BROWSER_SKIP:
        terminalreporter.write_line(line, yellow=True)
