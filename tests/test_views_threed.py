"""3D views: content, embedded data, size, escaping and bad input (no browser needed)."""

from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path

import pytest
from browser.helpers import ensure_3dmol, pocket_table, site_tables

from toolkit.errors import InvalidParameter, OutputPathError
from toolkit.views import Scene, comparison_view, site_view
from toolkit.views.html import js_literal
from toolkit.views.palette import INTERACTION_COLORS, SUBUNIT_COLORS

XSS = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'


@pytest.fixture(scope="module")
def tables(s7eu8):
    return site_tables(s7eu8, "JC9", "B", 903)


def _calls(view, method):
    return [args for _, m, args in view.calls if m == method]


def test_site_view_draws_the_tables(s7eu8, tables):
    site, inter = tables
    pockets = pocket_table(s7eu8, "JC9", "B", 903)
    v = site_view(s7eu8, site, inter, pockets)
    # one label per site residue, text taken from the table
    assert [a[0] for a in _calls(v, "addLabel")] == [f"{lab} ({ch})" for lab, ch in zip(site["label"], site["chain"])]
    assert "GluN2B L643" in site["label"].tolist()
    # one dashed line per interaction, coloured by type, ends at the table's coordinates
    cyl = _calls(v, "addCylinder")
    assert len(cyl) == len(inter)
    for spec, row in zip((c[0] for c in cyl), inter.itertuples()):
        assert spec["dashed"] and spec["color"] == INTERACTION_COLORS[row.type]
        assert spec["start"]["x"] == pytest.approx(row.lig_x, abs=1e-3)
        assert spec["end"]["z"] == pytest.approx(row.prot_z, abs=1e-3)
    # pocket sphere of the table's volume
    (sph,) = _calls(v, "addSphere")
    r = (3 * pockets["volume"].iloc[0] / (4 * 3.141592653589793)) ** (1 / 3)
    assert sph[0]["radius"] == pytest.approx(r, abs=0.01)
    # cartoon colours by subunit (from the structure, not the chain letter), legend lists them
    styles = {json.dumps(a[0], sort_keys=True): a[1] for a in _calls(v, "setStyle")}
    assert styles['{"chain": "A", "model": 0}']["cartoon"]["color"] == SUBUNIT_COLORS["GluN1"]
    assert styles['{"chain": "B", "model": 0}']["cartoon"]["color"] == SUBUNIT_COLORS["GluN2B"]
    legend = {(sec, lab) for sec, lab, _ in v.legend}
    assert {("Subunits", "GluN1"), ("Subunits", "GluN2B"), ("Interactions", "hydrophobic")} <= legend
    # ligand as sticks, zoom on it
    assert any(a[0].get("resn") == "JC9" and "stick" in a[1] for a in _calls(v, "setStyle"))
    assert _calls(v, "zoomTo")[0][0]["resn"] == "JC9"


def test_embedded_atoms_are_backbone_site_and_ligand(s7eu8, tables):
    site, _ = tables
    v = site_view(s7eu8, site)
    (model,) = _calls(v, "addModel")
    lines = [ln for ln in model[0].splitlines() if ln.startswith(("ATOM", "HETATM"))]
    names = {ln[12:16].strip() for ln in lines if ln.startswith("ATOM")}
    assert {"N", "CA", "C", "O", "CB"} <= names  # CB only from site side chains
    site_keys = {(c, int(n)) for c, n in zip(site["chain"], site["auth_seq_id"])}
    side = {(ln[21], int(ln[22:26])) for ln in lines if ln.startswith("ATOM") and ln[12:16].strip() not in ("N", "CA", "C", "O")}
    assert side == site_keys
    assert sum(ln.startswith("HETATM") for ln in lines) == len(s7eu8.ligand_atoms("JC9", "B", 903))
    n_backbone = int((s7eu8.polymer_mask & (s7eu8.atoms["atom_name"] == "CA")).sum())
    assert sum(ln[12:16] == " CA " for ln in lines) == n_backbone


def test_7eu8_page_is_self_contained_and_under_3mb(s7eu8, tables, tmp_path):
    ensure_3dmol()
    site, inter = tables
    out = tmp_path / "site.html"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the cached copy is used: no fallback warning
        page = site_view(s7eu8, site, inter).to_html(out)
    assert out.read_text() == page
    assert out.stat().st_size < 3_000_000
    assert "<script src=" not in page and "https://" not in page.split("<script>\n", 1)[0]
    script = site_view(s7eu8, site, inter).script()
    assert "download" not in script and "http" not in script  # structure data is embedded
    assert script in page
    # the full entry also fits (all protein atoms)
    full = site_view(s7eu8, site, inter, detail="full").to_html()
    assert len(full.encode()) < 3_000_000
    assert len(full) > len(page)


def test_no_ligand_renders_protein_and_says_so(s7eos):
    v = site_view(s7eos)
    page = v.html(js="")
    assert "No ligand in 7EOS: showing the protein only." in page
    assert len(_calls(v, "addModel")) == 1 and _calls(v, "zoomTo")[0][0] == {"model": 0}
    # 7EOS: GluN2A on chain A (never inferred from the letter)
    styles = {json.dumps(a[0], sort_keys=True): a[1] for a in _calls(v, "setStyle")}
    assert styles['{"chain": "A", "model": 0}']["cartoon"]["color"] == SUBUNIT_COLORS["GluN2A"]


def test_user_text_is_escaped(s7eu8, tables):
    site, inter = tables
    site = site.copy()
    site.loc[0, "label"] = XSS
    v = site_view(s7eu8, site, inter, title=XSS)
    page = v.html(js="")
    assert XSS not in page
    assert "<script>window.pwned" not in page and "<img src=x" not in page
    assert "&lt;/script&gt;&lt;script&gt;window.pwned=1" in page  # title, HTML-escaped
    assert js_literal(f"{XSS} ({site.loc[0, 'chain']})") in page  # label (chain-qualified), JS-escaped
    assert page.count("</script>") == page.count("<script")  # nothing closes a script early


def test_js_literal_round_trips():
    for value in [XSS, "GluN2B L643", {"a": [1, 2.5, "u\u2028v"]}, "&amp;"]:
        text = js_literal(value)
        assert not re.search(r"[<>&]", text)
        assert json.loads(text) == value


def test_png_bad_output_path_is_named_before_rendering(s7eu8, tmp_path):
    from toolkit.views import to_png

    with pytest.raises(OutputPathError, match="does not exist"):
        to_png(site_view(s7eu8), tmp_path / "missing" / "v.png", chromium="/nonexistent/browser")


def test_written_page_has_normal_permissions(s7eu8, tmp_path):
    out = tmp_path / "v.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        site_view(s7eu8).to_html(out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["v.html"]  # no temporary file left


@pytest.mark.parametrize("case", ["missing", "readonly", "directory"])
def test_bad_output_path(s7eu8, tmp_path, case):
    v = site_view(s7eu8)
    if case == "missing":
        path = tmp_path / "no" / "such" / "folder" / "v.html"
        match = "does not exist"
    elif case == "directory":
        path = tmp_path
        match = "is a directory"
    else:
        if os.geteuid() == 0:  # root ignores mode bits: use a folder no one can create files in
            path = Path("/proc/self/v.html")
        else:
            ro = tmp_path / "ro"
            ro.mkdir()
            ro.chmod(0o555)
            path = ro / "v.html"
        match = "not writable"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(OutputPathError, match=match):
            v.to_html(path)
    assert not path.is_file()


def test_comparison_views(s7eu8, s7eos, tables):
    site, inter = tables
    grid = comparison_view([Scene(s7eu8, site, inter, title="7EU8 + S-ketamine"), Scene(s7eos)])
    assert grid.grid == (1, 2)
    assert {vw for vw, m, _ in grid.calls if m == "addModel"} == {(0, 0), (0, 1)}
    assert grid.captions == {(0, 0): "7EU8 + S-ketamine", (0, 1): "7EOS"}
    over = comparison_view([Scene(s7eu8, site), Scene(s7eu8, ligand=("JC9", "B", 903))], mode="overlay")
    models = {a[0].get("model") for a in _calls(over, "setStyle")}
    assert models == {0, 1}
    assert [a[1]["stick"]["colorscheme"] for a in _calls(over, "setStyle") if "resn" in a[0]] == ["magentaCarbon", "cyanCarbon"]
    with pytest.raises(InvalidParameter, match="at least 2"):
        comparison_view([Scene(s7eu8)])
    with pytest.raises(InvalidParameter, match="mode"):
        comparison_view([Scene(s7eu8), Scene(s7eos)], mode="side")


def test_bad_tables(s7eu8, tables):
    site, inter = tables
    with pytest.raises(InvalidParameter, match=r"site must be a site residue table .*missing \['label'\]"):
        site_view(s7eu8, site.drop(columns=["label"]))
    with pytest.raises(InvalidParameter, match="interactions must be"):
        site_view(s7eu8, site, "hbond")
    with pytest.raises(InvalidParameter, match=r"ligand must be"):
        site_view(s7eu8, ligand=("JC9", "B", "903"))
    with pytest.raises(InvalidParameter, match=r"scenes\[1\].structure must be a loaded Structure"):
        comparison_view([Scene(s7eu8), Scene("7EOS")])
    bad = inter.copy()
    bad.loc[0, "type"] = "vdw"
    with pytest.raises(InvalidParameter, match="unknown interaction type"):
        site_view(s7eu8, site, bad)
    from toolkit.errors import LigandNotFound

    with pytest.raises(LigandNotFound):
        site_view(s7eu8, ligand="XYZ")


def test_notebook_and_py3dmol_forms(s7eu8, tables):
    import html as html_mod

    ensure_3dmol()
    site, inter = tables
    v = site_view(s7eu8, site, inter, width=400, height=300)
    frame = v._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'width="440"' in frame
    srcdoc = frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]
    assert html_mod.unescape(srcdoc) == v.html()  # the same offline page, isolated in an iframe
    pv = v.to_py3dmol()
    js = pv.write_html()
    assert js.count("addCylinder(") == len(inter) and js.count("addLabel(") == len(site)


def test_comparison_view_wants_scenes(s7eu8):
    from toolkit.views import comparison_view

    with pytest.raises(InvalidParameter, match="takes Scene objects"):
        comparison_view([s7eu8, s7eu8])


def _rotation(angle_deg, axis):
    import numpy as np

    k = np.array([axis["x"], axis["y"], axis["z"]], dtype=float)
    k /= np.linalg.norm(k)
    a = np.radians(angle_deg)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K


def test_default_camera_shows_interactions_side_on(mirror):
    """6NHB's inhibitor KNS B:804 has a polar interaction near the original viewing axis; the default camera turns it side-on.

    (7EU8's JC9 served here until the interaction engine v2 found no H-bond for it.)
    """
    import numpy as np

    from toolkit import load_structure, sites

    s = load_structure(str(mirror / "complexes" / "6nhb.pdb.gz"))
    inter = sites.interactions(s, "KNS", chain="B", res_id=804)
    site = sites.site_residues(s, "KNS", chain="B", res_id=804, interaction_table=inter)
    v = site_view(s, site, inter)
    names = [m for _, m, _ in v.calls]
    assert names.index("zoomTo") < names.index("rotate") < names.index("zoom")
    (angle, axis), = _calls(v, "rotate")
    R = _rotation(angle, axis)
    vec = inter[["prot_x", "prot_y", "prot_z"]].to_numpy(float) - inter[["lig_x", "lig_y", "lig_z"]].to_numpy(float)
    unit = vec / np.linalg.norm(vec, axis=1)[:, None]
    z_before = np.abs(unit[:, 2])
    z_after = np.abs((R @ unit.T).T[:, 2])  # 3Dmol.js looks along z
    polar = (inter["type"] != "hydrophobic").to_numpy()
    assert polar.any() and z_before[polar].max() > 0.7  # end-on without the rotation
    assert z_after[polar].max() < 0.5  # at least 60 degrees from the viewing axis afterwards


def test_colours_pockets_labels_and_legend(s7eu8, s7eos, tables):
    import colorsys

    import numpy as np

    from toolkit.views.palette import LIGAND_CARBON_COLORS, POCKET_COLORS
    from toolkit.views.threed import PRESENTATION_LABEL_SIZE

    site, inter = tables

    def rgb(h):
        return tuple(int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    # ligand carbons are never chlorine green; GluN2A and GluN2B differ in hue
    h, _, _ = colorsys.rgb_to_hls(*rgb(LIGAND_CARBON_COLORS[0]))
    assert not 0.2 < h < 0.45
    ha = colorsys.rgb_to_hls(*rgb(SUBUNIT_COLORS["GluN2A"]))[0]
    hb = colorsys.rgb_to_hls(*rgb(SUBUNIT_COLORS["GluN2B"]))[0]
    assert min(abs(ha - hb), 1 - abs(ha - hb)) > 0.2
    # pockets with points: one coloured surface each over a pseudo-atom model; colours saturated, distinct
    pockets = pocket_table(s7eu8, "JC9", "B", 903)
    pts = {1: np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])}
    v = site_view(s7eu8, site, inter, pockets, pocket_points=pts, label_size=PRESENTATION_LABEL_SIZE)
    models = _calls(v, "addModel")
    assert len(models) == 2 and models[1][0].count("PKT") == 3
    (surf,) = _calls(v, "addSurface")
    assert surf[1]["color"] == POCKET_COLORS[0] and surf[2] == {"model": 1, "resi": 1}
    assert len(set(POCKET_COLORS)) == len(POCKET_COLORS)
    for c in POCKET_COLORS:
        assert colorsys.rgb_to_hls(*rgb(c))[2] > 0.4  # saturated, not grey
    assert {a[1]["fontSize"] for a in _calls(v, "addLabel")} == {PRESENTATION_LABEL_SIZE}
    assert v.font_size >= PRESENTATION_LABEL_SIZE and f"font-size: {v.font_size}px" in v.html(js="")
    # the page is as tall as its legend needs, no blank gap
    assert v.height + 60 < v.page_height() < v.height + 60 + 6 * 34
    assert f'height="{v.page_height()}"' in v._repr_html_()
    # an overlay names its structures in the legend
    over = comparison_view([Scene(s7eu8, site, inter, title="7EU8 (GluN2B)"), Scene(s7eos, title="7EOS (GluN2A)")], mode="overlay")
    names = [lab for sec, lab, _ in over.legend if sec == "Structures"]
    assert names[0].startswith("7EU8 (GluN2B)") and names[1].startswith("7EOS (GluN2A)")
    # the second scene's model index follows the first scene's models
    assert {a[0].get("model") for a in _calls(over, "setStyle")} == {0, 1}
