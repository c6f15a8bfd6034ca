"""Exported views in a real headless Chromium, network blocked: WebGL draws, no errors, no requests.

Run in CI (``CI`` set, Chromium installed by .ci/run); skipped only on a machine
without Chromium and without ``CI``.
"""

from __future__ import annotations

import pytest
from browser.helpers import chromium_or_skip, ensure_3dmol, open_offline, pocket_table, site_tables

from toolkit.errors import InvalidParameter
from toolkit.views import Scene, comparison_view, site_view, to_png
from toolkit.views.static import drawn_fraction

pytestmark = pytest.mark.browser

XSS = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


@pytest.fixture(scope="module")
def tables(s7eu8):
    return site_tables(s7eu8, "JC9", "B", 903)


def _check_clean(res):
    assert res.ready, f"the view script did not finish: {res.page_errors or res.console_errors}"
    assert res.page_errors == []
    assert res.console_errors == []
    assert res.blocked == [], f"requests tried to leave the machine: {res.blocked}"


def test_site_view_renders_offline(s7eu8, tables, tmp_path):
    ensure_3dmol()
    site, inter = tables
    path = tmp_path / "site.html"
    site_view(s7eu8, site, inter, pocket_table(s7eu8, "JC9", "B", 903)).to_html(path)
    res = open_offline(path)
    _check_clean(res)
    assert drawn_fraction(res.viewer_png) > 0.2  # cartoon + ligand fill a good part of the box


def test_label_with_html_and_js_does_not_execute(s7eu8, tables, tmp_path):
    ensure_3dmol()
    site, inter = tables
    site = site.copy()
    site.loc[0, "label"] = XSS
    path = tmp_path / "xss.html"
    site_view(s7eu8, site, inter, title=XSS).to_html(path)
    res = open_offline(path, probe=("pwned",))
    _check_clean(res)
    assert res.globals["pwned"] is None  # neither injected script nor onerror handler ran
    assert drawn_fraction(res.viewer_png) > 0.2


def test_protein_without_ligand_renders(s7eos, tmp_path):
    ensure_3dmol()
    path = tmp_path / "apo.html"
    site_view(s7eos).to_html(path)
    res = open_offline(path)
    _check_clean(res)
    assert drawn_fraction(res.viewer_png) > 0.05


def test_comparison_grid_renders(s7eu8, s7eos, tables, tmp_path):
    ensure_3dmol()
    site, inter = tables
    path = tmp_path / "cmp.html"
    comparison_view([Scene(s7eu8, site, inter), Scene(s7eos)], width=900, height=400).to_html(path)
    res = open_offline(path)
    _check_clean(res)
    w = len(res.viewer_png)
    assert w > 0
    # both halves of the grid drew something
    import io

    import numpy as np
    from matplotlib import image as mpimg

    img = np.asarray(mpimg.imread(io.BytesIO(res.viewer_png), format="png"))[..., :3]
    half = img.shape[1] // 2
    for part in (img[:, 5 : half - 5], img[:, half + 5 : -5]):
        assert float((part.min(axis=-1) < 0.95).mean()) > 0.05


def test_missing_library_page_reports_instead_of_rendering(s7eu8, tmp_path, monkeypatch):
    # No cached 3Dmol.js and the network blocked: the page says 3D is unavailable, no JS error.
    import warnings

    monkeypatch.setenv("NMDA_TOOLKIT_CACHE", str(tmp_path / "empty-cache"))
    path = tmp_path / "fallback.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        site_view(s7eu8).to_html(path)
    res = open_offline(path, wait_ms=3000)
    assert not res.ready
    assert res.page_errors == []
    assert res.blocked and all("3dmol" in u for u in res.blocked)  # only py3Dmol's script URL was attempted
    assert drawn_fraction(res.viewer_png) < 0.05


def test_static_png(s7eu8, tables, tmp_path):
    chromium_or_skip()
    ensure_3dmol()
    site, inter = tables
    out = tmp_path / "site.png"
    to_png(site_view(s7eu8, site, inter, width=500, height=400), out)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawn_fraction(data, (8, 8, 500, 400)) > 0.2


def test_superposed_overlay_renders(s7eu8, s7eos, tables, tmp_path):
    """7EOS superposed on the 7EU8 TMD, drawn in one viewer (overlay mode)."""
    from toolkit.sites import superpose_tmd

    ensure_3dmol()
    site, inter = tables
    sup = superpose_tmd(s7eos, s7eu8)
    path = tmp_path / "overlay.html"
    comparison_view([Scene(s7eu8, site, inter), Scene(sup.structure)], mode="overlay", width=900, height=400).to_html(path)
    res = open_offline(path)
    _check_clean(res)
    assert drawn_fraction(res.viewer_png) > 0.2


def test_site_surface_renders_offline(s7eu8, tables, tmp_path):
    """The optional pocket surface (site residues, SES) is computed and drawn in the offline page."""
    ensure_3dmol()
    site, inter = tables
    view = site_view(s7eu8, site, inter, surface="SES")
    assert sum(m == "addSurface" for _, m, _ in view.calls) == site["chain"].nunique()
    path = tmp_path / "surface.html"
    view.to_html(path)
    res = open_offline(path)
    _check_clean(res)
    plain = tmp_path / "plain.html"
    site_view(s7eu8, site, inter).to_html(plain)
    base = open_offline(plain)
    # the surface covers more of the viewer than sticks and cartoon alone
    assert drawn_fraction(res.viewer_png) > drawn_fraction(base.viewer_png) + 0.01
    with pytest.raises(InvalidParameter, match="surface must be"):
        site_view(s7eu8, site, inter, surface="blob")
