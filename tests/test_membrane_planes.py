"""Membrane planes drawn on a 3D view (toolkit.views.membrane)."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.errors import InvalidParameter
from toolkit.sites.implicit_membrane import Membrane, NoMembrane
from toolkit.views.html import View
from toolkit.views.membrane import add_membrane_planes


def _membrane(normal=(0.0, 0.6, 0.8), center=(1.0, 2.0, 3.0), thickness=30.0):
    return Membrane("X", np.array(normal), np.array(center), thickness, -40.0, 8, None)


def test_two_discs_on_the_slab_faces():
    m = _membrane()
    v = add_membrane_planes(View(title="t"), m, radius=40, opacity=0.3)
    cyl = [args[0] for _, meth, args in v.calls if meth == "addCylinder"]
    assert len(cyl) == 2
    for spec, side in zip(cyl, (1, -1)):
        a = np.array([spec["start"][k] for k in "xyz"])
        b = np.array([spec["end"][k] for k in "xyz"])
        mid = (a + b) / 2
        assert np.allclose(mid, m.center + side * 15.0 * m.normal, atol=1e-2)
        assert np.allclose((b - a) / np.linalg.norm(b - a), m.normal, atol=1e-3)  # disc faces along the normal
        assert spec["radius"] == 40 and spec["opacity"] == 0.3
    assert any(section == "Membrane" for section, _, _ in v.legend)
    assert "30 Å" in v.notes[-1]


def test_no_membrane_draws_nothing_and_says_why():
    v = add_membrane_planes(View(), NoMembrane("Y", "best slab crossed by 0 segments: no membrane", 3.0, 0))
    assert not v.calls and "no membrane" in v.notes[-1]


@pytest.mark.parametrize(
    "kwargs, match",
    [({"radius": -1}, "radius"), ({"radius": "big"}, "radius.*a number"), ({"opacity": 2}, "opacity")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameter, match=match):
        add_membrane_planes(View(), _membrane(), **kwargs)
    with pytest.raises(InvalidParameter, match="view"):
        add_membrane_planes("not a view", _membrane())
    with pytest.raises(InvalidParameter, match="membrane"):
        add_membrane_planes(View(), {"normal": 1})


# ------------------------------------------------------------------ session scripts (PyMOL, ChimeraX)
_NUM = r"(-?\d+\.\d+)"


def _pml_discs(text):
    import re

    pat = re.compile(r"cmd\.load_cgo\(\[25\.0, ([\d.]+), 9\.0, " + ", ".join([_NUM] * 6) + r", ([\d.]+), .*'(membrane_\w+)'\)")
    return {m.group(9): (float(m.group(1)), np.array([float(m.group(k)) for k in range(2, 8)]).reshape(2, 3),
                         float(m.group(8))) for m in pat.finditer(text)}  # fmt: skip


def _cxc_discs(text):
    import re

    pat = re.compile(r"shape cylinder fromPoint " + ",".join([_NUM] * 3) + " toPoint " + ",".join([_NUM] * 3)
                     + r" radius ([\d.]+) caps true color #E0A526(\w\w) name (membrane_\w+)")  # fmt: skip
    return {m.group(9): (np.array([float(m.group(k)) for k in range(1, 7)]).reshape(2, 3), float(m.group(7)))
            for m in pat.finditer(text)}  # fmt: skip


def test_session_scripts_draw_the_membrane_faces(s7eu8):
    """The PyMOL and ChimeraX scripts carry the fitted slab of 7EU8: two discs on its faces, along its normal."""
    from toolkit.sites import membrane
    from toolkit.views.sessions import MEMBRANE_RADIUS, chimerax_script, pymol_script

    m = membrane(s7eu8)
    assert m.has_membrane
    pml = pymol_script(s7eu8, "7EU8", membrane=m)
    cxc = chimerax_script(s7eu8, "7EU8", membrane=m)
    pdisc, cdisc = _pml_discs(pml), _cxc_discs(cxc)
    assert set(pdisc) == set(cdisc) == {"membrane_outer", "membrane_inner"}
    assert pml.index("\npython\n") < pml.index("load_cgo") < pml.index("\npython end\n")
    for name, side in (("membrane_outer", 1), ("membrane_inner", -1)):
        alpha, ends, radius = pdisc[name]
        ends_c, radius_c = cdisc[name]
        assert np.allclose(ends, ends_c, atol=2e-3) and radius == radius_c == MEMBRANE_RADIUS
        assert 0 < alpha < 1
        mid = ends.mean(axis=0)
        assert np.allclose(mid, m.center + side * 0.5 * m.thickness * m.normal, atol=2e-3)
        axis = (ends[1] - ends[0]) / np.linalg.norm(ends[1] - ends[0])
        assert abs(axis @ m.normal) > 0.999
    gap = np.linalg.norm(pdisc["membrane_outer"][1].mean(0) - pdisc["membrane_inner"][1].mean(0))
    assert abs(gap - m.thickness) < 0.01
    # without a membrane argument the scripts are unchanged (no planes)
    assert "membrane" not in pymol_script(s7eu8, "7EU8") and "membrane" not in chimerax_script(s7eu8, "7EU8")


def test_session_scripts_say_why_no_membrane():
    from toolkit import load_structure
    from toolkit.sites import membrane
    from toolkit.views.sessions import chimerax_script, pymol_script

    s = load_structure("4KCC")
    m = membrane(s)
    assert not m.has_membrane
    for text in (pymol_script(s, "4KCC", membrane=m), chimerax_script(s, "4KCC", membrane=m)):
        assert "# no membrane drawn:" in text and "load_cgo" not in text and "shape cylinder" not in text
    with pytest.raises(InvalidParameter, match="membrane"):
        pymol_script(s, "4KCC", membrane="slab")
    with pytest.raises(InvalidParameter, match="membrane"):
        chimerax_script(s, "4KCC", membrane=30.0)
