"""Every interaction type of the engine has a colour and is drawn by every view (it can never drift).

Real input: 6NHB (nNOS oxygenase, PROVENANCE.md of the mirror's ``complexes/``) with
its haem A:801, whose iron coordinates Cys and whose propionates reach protein
residues through crystal waters: the engine finds water bridges and a metal complex.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from toolkit.sites import INTERACTION_TYPES
from toolkit.views import site_view
from toolkit.views.network import interaction_network_html
from toolkit.views.palette import INTERACTION_COLORS, interaction_color
from toolkit.views.sessions import SessionLigand, chimerax_script, pymol_script
from toolkit.views.twod import interaction_diagram_svg

# Machado, Oliveira & Fernandes 2009 (IEEE TVCG 15:1291), severity 1.0, linear RGB.
_VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
}


def _lab(hex_color: str, m: np.ndarray) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    rgb = np.clip(m @ np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4), 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.fixture(scope="module")
def haem_report(tmp_path_factory, mirror):
    from toolkit.report import build_report

    out = tmp_path_factory.mktemp("rep") / "rep"
    _, data = build_report(out, str(mirror / "complexes" / "6nhb.pdb.gz"), ligand="HEM", png=False, pockets=False, return_data=True)
    return out, data


@pytest.fixture(scope="module")
def haem(haem_report):
    _, data = haem_report
    lig = next(x for x in data.context.ligands if (x.chain, x.res_id) == ("A", 801))
    return data.context.structure, lig


def test_every_engine_type_has_a_colour():
    assert set(INTERACTION_COLORS) == set(INTERACTION_TYPES)
    for t in INTERACTION_TYPES:
        assert re.fullmatch(r"#[0-9A-F]{6}", interaction_color(t))
    assert len(set(INTERACTION_COLORS.values())) == len(INTERACTION_COLORS)


def test_new_colours_stay_apart_for_colour_blind_readers():
    new = {"water_bridge", "metal_complex"}
    for vision, m in _VISION.items():
        lab = {t: _lab(c, m) for t, c in INTERACTION_COLORS.items()}
        for a, b in itertools.combinations(lab, 2):
            d = float(np.linalg.norm(lab[a] - lab[b]))
            if {a, b} & new or vision == "normal":
                assert d >= 20, f"{a} vs {b} under {vision}: dE {d:.1f}"
    # the simulation can fail: PLIP's light blue for water bridges would sit on the halogen cyan
    assert np.linalg.norm(_lab("#ADD8E6", _VISION["protanopia"]) - _lab(INTERACTION_COLORS["halogen"], _VISION["protanopia"])) < 20


@pytest.mark.parametrize("kind", INTERACTION_TYPES)
def test_every_view_draws_every_type(haem, kind):
    """The real haem tables with every row given one type: no view refuses it, each draws it in its colour."""
    s, lig = haem
    inter = lig.interactions.assign(type=kind)
    col = INTERACTION_COLORS[kind]
    v = site_view(s, lig.site, inter, ligand=(lig.code, lig.chain, lig.res_id))
    cyl = [args[0] for _, m, args in v.calls if m == "addCylinder"]
    assert len(cyl) == len(inter) and {c["color"] for c in cyl} == {col}
    assert ("Interactions", kind, col) in {tuple(x) for x in v.legend}
    svg = interaction_diagram_svg(lig.mol, lig.site, inter)
    assert svg.count(f'class="interaction {kind}"') > 0 and f'stroke="{col}"' in svg
    net = interaction_network_html(lig.site, inter, ligand=lig.code)
    assert f'"type": "{kind}"' in net.replace('":"', '": "') or f'"type":"{kind}"' in net
    pml = pymol_script(s, "6nhb.pdb", [SessionLigand(lig.code, lig.chain, lig.res_id, lig.site, inter)])
    assert f"set_color int_{kind}," in pml and pml.count(f"\ncolor int_{kind}, ") == len(inter)
    cxc = chimerax_script(s, "6nhb.pdb", [SessionLigand(lig.code, lig.chain, lig.res_id, lig.site, inter)])
    assert cxc.count(f"color {col}") == len(inter)


def test_haem_site_water_bridges_and_metal_drawn(haem, haem_report):
    """Computed, not relabelled: the haem's water bridges and iron coordination in the 3D view, 2D diagram, report."""
    s, lig = haem
    inter = lig.interactions
    kinds = inter["type"].value_counts()
    assert kinds.get("water_bridge", 0) >= 1 and kinds.get("metal_complex", 0) >= 1
    metal = inter[inter["type"] == "metal_complex"]
    assert set(metal["ligand_atom"].str.strip()) == {"FE"} and set(metal["res_name"]) == {"CYS"}
    assert (metal["distance"] < 3.0).all()
    v = site_view(s, lig.site, inter, ligand=(lig.code, lig.chain, lig.res_id))
    colours = [args[0]["color"] for _, m, args in v.calls if m == "addCylinder"]
    for k in ("water_bridge", "metal_complex"):
        assert colours.count(INTERACTION_COLORS[k]) == kinds[k]
        assert ("Interactions", k) in {(a, b) for a, b, _ in v.legend}
    svg = interaction_diagram_svg(lig.mol, lig.site, inter)
    assert svg.count('class="interaction metal_complex"') == kinds["metal_complex"]
    # every water bridge is drawn, also to a residue beyond the site's contact cutoff (it gets its own box)
    assert svg.count('class="interaction water_bridge"') == kinds["water_bridge"]
    out, _ = haem_report
    page = (out / "index.html").read_text()
    assert 'class="interaction water_bridge"' in page and 'class="interaction metal_complex"' in page
    assert INTERACTION_COLORS["water_bridge"] in (out / "site.html").read_text()
    table = pd.read_csv(out / "interactions.csv")
    assert set(table["ligand_res_id"]) == {801, 802}  # both haems, each with its iron
    pml = (out / "session.pml").read_text()
    for k in ("water_bridge", "metal_complex"):
        assert pml.count(f"\ncolor int_{k}, ") == (table["type"] == k).sum() >= 2
