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
