"""3Dmol.js asset: version from py3Dmol, verified cache, fallback with a warning."""

from __future__ import annotations

import inspect
import json

import pytest
from browser.helpers import ensure_3dmol

from toolkit.errors import AssetWarning
from toolkit.views import assets


def test_expected_version_comes_from_py3dmol():
    import py3Dmol

    url = inspect.signature(py3Dmol.view.__init__).parameters["js"].default
    v = assets.expected_version()
    assert f"3dmol@{v}/" in url
    assert assets.expected_url() == url


def test_expected_url_is_read_without_importing_py3dmol_or_ipython():
    """The report reads the URL from py3Dmol's source: no py3Dmol/IPython import."""
    import subprocess
    import sys

    code = (
        "import sys; from toolkit.views import assets; u = assets.expected_url(); "
        "v = assets.expected_version(); "
        "print(u, v, 'py3Dmol' in sys.modules, 'IPython' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    import py3Dmol

    url = inspect.signature(py3Dmol.view.__init__).parameters["js"].default
    assert out[0] == url
    assert f"3dmol@{out[1]}/" in url
    assert out[2:] == ["False", "False"]


def test_expected_url_falls_back_to_importing_py3dmol(monkeypatch):
    import py3Dmol

    monkeypatch.setattr(assets, "_py3dmol_source_url", lambda: None)
    url = inspect.signature(py3Dmol.view.__init__).parameters["js"].default
    assert assets.expected_url() == url



def test_cached_copy_matches_py3dmol_and_manifest():
    path = ensure_3dmol()
    info = assets.cached_asset()
    assert info is not None and info.path == path
    assert info.version == assets.expected_version()
    manifest = json.loads((path.parent / "manifest.json").read_text())
    assert manifest["version"] == assets.expected_version()
    assert manifest["integrity"] is None or manifest["integrity"].startswith("sha512-")
    assert manifest["sha256"] == info.sha256 and manifest["size"] == path.stat().st_size
    if manifest["source"].startswith("npm pack"):
        # the tarball passed npm's sha512 integrity and its package.json named this version
        assert manifest["integrity"].startswith("sha512-")
        assert manifest["source"] == f"npm pack 3dmol@{assets.expected_version()}"
    assert "createViewer" in path.read_text()


def test_tampered_copy_is_rejected(tmp_path, monkeypatch):
    src = ensure_3dmol()
    monkeypatch.setenv("NMDA_TOOLKIT_CACHE", str(tmp_path))
    dst = assets.asset_dir()
    dst.mkdir(parents=True)
    (dst / "manifest.json").write_text((src.parent / "manifest.json").read_text())
    (dst / assets.SCRIPT).write_text(src.read_text() + "\nwindow.evil = 1;\n")
    assert assets.cached_asset() is None
    with pytest.warns(AssetWarning, match="not cached"):
        assert assets.load_3dmol_js() is None


def test_integrity_check():
    import base64
    import hashlib

    from toolkit.errors import DownloadError

    data = b"hello"
    good = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assets._check_integrity(data, good)
    with pytest.raises(DownloadError, match="integrity"):
        assets._check_integrity(b"hellO", good)


def test_missing_asset_falls_back_to_py3dmol_url(tmp_path, monkeypatch, s7eu8):
    from toolkit.views import site_view

    monkeypatch.setenv("NMDA_TOOLKIT_CACHE", str(tmp_path))
    with pytest.warns(AssetWarning, match="falls back"):
        page = site_view(s7eu8).to_html()
    assert f'<script src="{assets.expected_url()}"></script>' in page
    assert "3Dmol.js did not load" in page  # the page says so if the URL cannot load either
