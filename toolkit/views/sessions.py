"""Session scripts for PyMOL (``.pml``) and ChimeraX (``.cxc``) that rebuild a report's 3D view.

The scripts open the entry (a local file path, or the PDB ID, which both
programs fetch), colour the cartoon by subunit, show each ligand and its site
residues as sticks with chain-qualified labels, draw every typed interaction as
a distance (coloured by type), place the pocket points as coloured spheres, and,
when a membrane is given (:func:`toolkit.sites.membrane`), draw the two faces of
its hydrophobic slab as translucent amber discs, as in the report's 3D view
(:func:`toolkit.views.membrane.add_membrane_planes`). They draw the tables they
are given; they compute nothing. Selections use the
file's author chain IDs and residue numbers, which both programs use by default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .membrane import MEMBRANE_COLOR
from .network import chain_label
from .palette import INTERACTION_COLORS, POCKET_COLORS, subunit_color

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = ["SessionLigand", "pymol_script", "chimerax_script", "POCKET_COLORS"]

_MAX_POINTS = 400
#: Radius (Å) and opacity of the drawn membrane faces: those of the report's 3D view
#: (:func:`toolkit.views.membrane.add_membrane_planes` defaults).
MEMBRANE_RADIUS = 45.0
MEMBRANE_OPACITY = 0.35


@dataclass
class SessionLigand:
    """One ligand instance of a session: CCD code, chain, residue number, and its tables."""

    code: str
    chain: str
    res_id: int
    site: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None


def _rgb(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return "[" + ", ".join(f"{int(h[i : i + 2], 16) / 255:.3f}" for i in (0, 2, 4)) + "]"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(name))


def _single_atom(name: Any) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9']{1,4}", str(name)))


def _points(pockets: pd.DataFrame | None, points: dict[Any, np.ndarray] | None) -> list[tuple[Any, np.ndarray, float]]:
    out = []
    if pockets is None:
        return out
    for row in pockets.itertuples(index=False):
        pts = None if points is None else points.get(row.pocket_id)
        if pts is not None and len(pts):
            pts = np.asarray(pts, dtype=float).reshape(-1, 3)
            if len(pts) > _MAX_POINTS:
                pts = pts[np.linspace(0, len(pts) - 1, _MAX_POINTS).astype(int)]
            out.append((row.pocket_id, pts, 0.7))
        else:
            r = (3.0 * float(row.volume) / (4.0 * np.pi)) ** (1.0 / 3.0)
            out.append((row.pocket_id, np.array([[row.center_x, row.center_y, row.center_z]], dtype=float), r))
    return out


def _faces(membrane: Any) -> list[tuple[str, np.ndarray, np.ndarray]] | str:
    """Discs of the membrane faces, or the reason why there are none (a comment line)."""
    from .membrane import membrane_faces

    if membrane is None:
        return []
    faces = membrane_faces(membrane, radius=MEMBRANE_RADIUS)
    if not faces:
        return f"# no membrane drawn: {membrane.reason}".replace("\n", " ")
    return faces


def _pymol_membrane(membrane: Any) -> list[str]:
    faces = _faces(membrane)
    if isinstance(faces, str):
        return [faces]
    if not faces:
        return []
    rgb = _rgb(MEMBRANE_COLOR).strip("[]")
    out = [f"# membrane: hydrophobic slab {membrane.thickness:.1f} A thick (Ez implicit-membrane fit, Senes et al. 2007)",
           "python", "from pymol import cmd"]  # fmt: skip
    for name, s, e in faces:
        # CGO: ALPHA (25.0), CYLINDER (9.0) x1 y1 z1 x2 y2 z2 radius rgb1 rgb2
        out.append(f"cmd.load_cgo([25.0, {MEMBRANE_OPACITY}, 9.0, {s[0]:.3f}, {s[1]:.3f}, {s[2]:.3f}, "
                   f"{e[0]:.3f}, {e[1]:.3f}, {e[2]:.3f}, {MEMBRANE_RADIUS:.1f}, {rgb}, {rgb}], '{name}')")  # fmt: skip
    out.append("python end")
    return out


def _chimerax_membrane(membrane: Any) -> list[str]:
    faces = _faces(membrane)
    if isinstance(faces, str):
        return [faces]
    if not faces:
        return []
    alpha = f"{round(255 * MEMBRANE_OPACITY):02X}"
    out = [f"# membrane: hydrophobic slab {membrane.thickness:.1f} A thick (Ez implicit-membrane fit, Senes et al. 2007)"]
    for name, s, e in faces:
        out.append(f"shape cylinder fromPoint {s[0]:.3f},{s[1]:.3f},{s[2]:.3f} toPoint {e[0]:.3f},{e[1]:.3f},{e[2]:.3f} "
                   f"radius {MEMBRANE_RADIUS:.1f} caps true color {MEMBRANE_COLOR}{alpha} name {name}")  # fmt: skip
    return out


def pymol_script(
    structure: Structure,
    source: str,
    ligands: Sequence[SessionLigand] = (),
    pockets: pd.DataFrame | None = None,
    pocket_points: dict[Any, np.ndarray] | None = None,
    membrane: Any = None,
) -> str:
    """A PyMOL script (``.pml``) that rebuilds the view.

    Parameters
    ----------
    structure : Structure
        The entry (for its chains and subunits).
    source : str
        A structure file path (loaded) or a PDB ID (fetched by PyMOL).
    ligands : sequence of SessionLigand
        Ligands with their site residues and interactions.
    pockets, pocket_points : optional
        Pocket table (``POCKET_COLUMNS``) and ``pocket_id -> (n, 3)`` points.
    membrane : Membrane or NoMembrane, optional
        Result of :func:`toolkit.sites.membrane`: a ``Membrane`` adds its two
        slab faces as translucent CGO discs (objects ``membrane_outer`` and
        ``membrane_inner``, drawn in a ``python`` block); ``NoMembrane`` adds a
        comment saying why none is drawn.

    Raises
    ------
    InvalidParameter
        ``membrane`` is not a membrane result.

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> text = pymol_script(load_structure("7EU8"), "7EU8")  # doctest: +SKIP
    """
    obj = _safe(structure.entry_id or "entry")
    is_id = re.fullmatch(r"[0-9][A-Za-z0-9]{3}", source) is not None
    out = [f"# nmda-toolkit session for PyMOL: {structure.entry_id}. Run: pymol session.pml", "reinitialize"]
    out.append(f"fetch {source}, {obj}, type=cif, async=0" if is_id else f"load {source}, {obj}")
    out += ["hide everything", f"show cartoon, {obj} and polymer", "set cartoon_transparency, 0.2", "bg_color white"]
    for sub in sorted(set(structure.chain_subunits.values())):
        out.append(f"set_color subunit_{_safe(sub)}, {_rgb(subunit_color(sub))}")
    for ch, sub in sorted(structure.chain_subunits.items()):
        out.append(f"color subunit_{_safe(sub)}, {obj} and chain {ch}")
    for kind, col in INTERACTION_COLORS.items():
        out.append(f"set_color int_{kind}, {_rgb(col)}")
    out.append("set_color ligand_carbon, [1.000, 0.000, 1.000]")
    focus = []
    for lig in ligands:
        tag = f"{_safe(lig.code)}_{_safe(lig.chain)}{int(lig.res_id)}"
        lsel = f"{obj} and chain {lig.chain} and resi {int(lig.res_id)} and resn {lig.code}"
        out += [f"select lig_{tag}, {lsel}", f"show sticks, lig_{tag}", f"color ligand_carbon, lig_{tag} and elem C"]
        focus.append(f"lig_{tag}")
        if lig.site is not None and len(lig.site):
            parts = [f"(chain {r.chain} and resi {int(r.auth_seq_id)})" for r in lig.site.itertuples(index=False)]
            out += [f"select site_{tag}, {obj} and ({' or '.join(parts)})", f"show sticks, site_{tag} and not name N+C+O",
                    f"color grey80, site_{tag} and elem C"]  # fmt: skip
            for r in lig.site.itertuples(index=False):
                text = chain_label(r.label, r.chain).replace('"', "'")
                out.append(f'label {obj} and chain {r.chain} and resi {int(r.auth_seq_id)} and name CA, "{text}"')
        if lig.interactions is not None:
            for k, r in enumerate(lig.interactions.itertuples(index=False), 1):
                name = f"{_safe(r.type)}_{tag}_{k}"
                if _single_atom(r.ligand_atom) and _single_atom(r.protein_atom):
                    a = f"{lsel} and name {r.ligand_atom}"
                    b = f"{obj} and chain {r.chain} and resi {int(r.auth_seq_id)} and name {r.protein_atom}"
                else:  # ring centroids and groups: pseudoatoms at the recorded points
                    a, b = f"pa_{name}", f"pb_{name}"
                    out.append(f"pseudoatom {a}, pos=[{r.lig_x:.3f}, {r.lig_y:.3f}, {r.lig_z:.3f}]")
                    out.append(f"pseudoatom {b}, pos=[{r.prot_x:.3f}, {r.prot_y:.3f}, {r.prot_z:.3f}]")
                out += [f"distance {name}, {a}, {b}", f"color int_{_safe(r.type)}, {name}"]
    for k, (pid, pts, radius) in enumerate(_points(pockets, pocket_points)):
        pname = f"pocket_{_safe(pid)}"
        out.append(f"set_color {pname}_color, {_rgb(POCKET_COLORS[k % len(POCKET_COLORS)])}")
        for p in pts:
            out.append(f"pseudoatom {pname}, pos=[{p[0]:.2f}, {p[1]:.2f}, {p[2]:.2f}], vdw={radius:.2f}")
        out += [f"show spheres, {pname}", f"color {pname}_color, {pname}", f"set sphere_transparency, 0.3, {pname}"]
    out += _pymol_membrane(membrane)
    out += ["set label_size, 18", "set dash_gap, 0.3", "set label_color, black, all"]
    out.append(f"orient {' or '.join(focus)}" if focus else f"orient {obj}")
    return "\n".join(out) + "\n"


def chimerax_script(
    structure: Structure,
    source: str,
    ligands: Sequence[SessionLigand] = (),
    pockets: pd.DataFrame | None = None,
    pocket_points: dict[Any, np.ndarray] | None = None,
    membrane: Any = None,
) -> str:
    """A ChimeraX command script (``.cxc``) that rebuilds the view (same arguments as :func:`pymol_script`).

    A ``Membrane`` adds its two slab faces as translucent flat cylinders
    (``shape cylinder``, models named ``membrane_outer`` and ``membrane_inner``).

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> text = chimerax_script(load_structure("7EU8"), "7EU8")  # doctest: +SKIP
    """
    out = [f"# nmda-toolkit session for ChimeraX: {structure.entry_id}. Run: chimerax session.cxc", "close session"]
    out.append(f"open {source}")
    out += ["hide atoms", "cartoon", "set bgColor white", "label delete"]
    for ch, sub in sorted(structure.chain_subunits.items()):
        out.append(f"color #1/{ch} {subunit_color(sub)} target c")
    views = []
    for lig in ligands:
        lspec = f"#1/{lig.chain}:{int(lig.res_id)}"
        out += [f"show {lspec} atoms", f"style {lspec} stick", f"color {lspec} & C magenta"]
        views.append(lspec)
        if lig.site is not None and len(lig.site):
            for r in lig.site.itertuples(index=False):
                rspec = f"#1/{r.chain}:{int(r.auth_seq_id)}"
                text = chain_label(r.label, r.chain).replace('"', "'")
                out += [f"show {rspec} & sidechain atoms", f"color {rspec} & C #cccccc",
                        f'label {rspec} residues text "{text}" height 0.9']  # fmt: skip
        if lig.interactions is not None:
            for r in lig.interactions.itertuples(index=False):
                col = INTERACTION_COLORS.get(str(r.type), "#444444")
                if _single_atom(r.ligand_atom) and _single_atom(r.protein_atom):
                    out.append(f"distance {lspec}@{r.ligand_atom} #1/{r.chain}:{int(r.auth_seq_id)}@{r.protein_atom} color {col} radius 0.06 dashes 8")  # fmt: skip
                else:  # ring centroids and groups: a dashed cylinder between the recorded points
                    out.append(f"shape cylinder fromPoint {r.lig_x:.3f},{r.lig_y:.3f},{r.lig_z:.3f} toPoint "
                               f"{r.prot_x:.3f},{r.prot_y:.3f},{r.prot_z:.3f} radius 0.06 color {col}")  # fmt: skip
    for k, (pid, pts, radius) in enumerate(_points(pockets, pocket_points)):
        col = POCKET_COLORS[k % len(POCKET_COLORS)]
        for p in pts:
            out.append(f"marker #{100 + k} position {p[0]:.2f},{p[1]:.2f},{p[2]:.2f} color {col} radius {radius:.2f}")
        out.append(f"rename #{100 + k} pocket_{_safe(pid)}")
    out += _chimerax_membrane(membrane)
    out.append("distance style decimalPlaces 1")
    out.append(f"view {' '.join(views)}" if views else "view")
    return "\n".join(out) + "\n"
