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
