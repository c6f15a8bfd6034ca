"""Membrane planes on a 3D view: :func:`add_membrane_planes`.

Draws the two faces of the hydrophobic slab found by
:func:`toolkit.sites.membrane` as translucent discs (3Dmol.js capped
cylinders 0.6 Å thick) on an existing :class:`~toolkit.views.html.View`
(from :func:`toolkit.views.site_view` or :func:`toolkit.views.comparison_view`).
It draws what it is given: the membrane is computed beforehand, in the
science layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameter

__all__ = ["add_membrane_planes", "membrane_faces", "MEMBRANE_COLOR"]

#: Colour of the membrane faces (a lipid-like amber).
MEMBRANE_COLOR = "#E0A526"
_DISC = 0.6  # Å, thickness of each drawn disc


def _xyz(p: np.ndarray) -> dict[str, float]:
    return {"x": round(float(p[0]), 3), "y": round(float(p[1]), 3), "z": round(float(p[2]), 3)}


def membrane_faces(membrane: Any, *, radius: float = 45.0) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The two faces of a membrane slab as discs to draw: ``[(name, start, end), ...]``.

    Each disc is a flat cylinder :data:`_DISC` Å thick centred on one face
    (``center ± thickness/2 × normal``), from ``start`` to ``end`` along the normal;
    ``name`` is ``"membrane_outer"`` (the side the normal points to) or
    ``"membrane_inner"``. A ``NoMembrane`` result gives an empty list. Shared by
    the 3D view (:func:`add_membrane_planes`) and the PyMOL/ChimeraX session
    scripts (:mod:`toolkit.views.sessions`).

    Raises
    ------
    InvalidParameter
        Not a membrane result, or a bad radius.

    Examples
    --------
    >>> from toolkit.sites.implicit_membrane import Membrane
    >>> m = Membrane("X", np.array([0.0, 0, 1]), np.zeros(3), 30.0, -50.0, 8, None)
    >>> [(n, s.round(1).tolist(), e.round(1).tolist()) for n, s, e in membrane_faces(m)]
    [('membrane_outer', [0.0, 0.0, 14.7], [0.0, 0.0, 15.3]), ('membrane_inner', [0.0, 0.0, -15.3], [0.0, 0.0, -14.7])]
    """
    if not hasattr(membrane, "has_membrane"):
        raise InvalidParameter(f"membrane must be the result of toolkit.sites.membrane, got {type(membrane).__name__}")
    from .._checks import check_number

    check_number(radius, "radius (Å)", 0.001, 1000)
    if not membrane.has_membrane:
        return []
    n = np.asarray(membrane.normal, dtype=float)
    c = np.asarray(membrane.center, dtype=float)
    h = 0.5 * float(membrane.thickness)
    out = []
    for name, side in (("membrane_outer", 1.0), ("membrane_inner", -1.0)):
        mid = c + side * h * n
        out.append((name, mid - 0.5 * _DISC * n, mid + 0.5 * _DISC * n))
    return out


def add_membrane_planes(
    view: Any,
    membrane: Any,
    *,
    radius: float = 45.0,
    color: str = MEMBRANE_COLOR,
    opacity: float = 0.35,
    viewer: tuple[int, int] = (0, 0),
) -> Any:
    """Add the two membrane faces as translucent discs to a 3D view.

    Parameters
    ----------
    view : toolkit.views.html.View
        The view to draw on (changed in place and returned).
    membrane : Membrane or NoMembrane
        Result of :func:`toolkit.sites.membrane`. A ``NoMembrane`` result
        draws nothing and adds a note saying why.
    radius : float, default 45
        Disc radius in Å (the NMDA receptor TMD is ~70 Å across).
    color : str
        Disc colour.
    opacity : float, default 0.35
        0 (invisible) to 1 (opaque).
    viewer : (int, int)
        Grid cell of a multi-viewer view.

    Returns
    -------
    View
        ``view``, with two ``addCylinder`` calls, a legend entry and a note.

    Raises
    ------
    InvalidParameter
        Not a view, not a membrane result, or a bad radius/opacity.

    Examples
    --------
    >>> import numpy as np
    >>> from toolkit.views.html import View
    >>> from toolkit.sites.implicit_membrane import Membrane
    >>> m = Membrane("X", np.array([0.0, 0, 1]), np.zeros(3), 30.0, -50.0, 8, None)
    >>> v = add_membrane_planes(View(title="demo"), m)
    >>> [c[1] for c in v.calls]
    ['addCylinder', 'addCylinder']
    """
    if not hasattr(view, "call") or not hasattr(view, "notes"):
        raise InvalidParameter(f"view must be a toolkit View, got {type(view).__name__}")
    if not hasattr(membrane, "has_membrane"):
        raise InvalidParameter(f"membrane must be the result of toolkit.sites.membrane, got {type(membrane).__name__}")
    from .._checks import check_number, check_str

    r = check_number(radius, "radius (Å)", 0.001, 1000)
    a = check_number(opacity, "opacity", 0, 1)
    check_str(color, "color")
    if not membrane.has_membrane:
        view.notes.append(f"No membrane drawn: {membrane.reason}")
        return view
    for _, start, end in membrane_faces(membrane, radius=r):
        view.call(
            "addCylinder",
            {"start": _xyz(start), "end": _xyz(end), "radius": round(r, 2),
             "color": color, "opacity": a, "fromCap": 1, "toCap": 1},
            viewer=viewer,
        )  # fmt: skip
    view.add_legend("Membrane", f"hydrophobic slab faces ({membrane.thickness:.0f} Å apart)", color)
    view.notes.append(
        f"Membrane: hydrophobic slab {membrane.thickness:.0f} Å thick from an Ez implicit-membrane fit "
        "(Senes et al. 2007); the discs are its two faces."
    )
    return view
