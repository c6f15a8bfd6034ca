"""3D views of a binding site: cartoon by subunit, ligand, site residues, interactions, pockets.

The functions draw what they are given: a :class:`~toolkit.model.Structure`
plus the tables of :mod:`toolkit.sites` (site residues, interactions,
pockets; column contracts ``SITE_COLUMNS``, ``INTERACTION_COLUMNS``,
``POCKET_COLUMNS``). They never read files and never compute science: a
superposition, pocket detection or interaction typing happens before, in the
caller's science layer.

Only the atoms a view needs are embedded (as PDB text, see
:mod:`toolkit.io.write`): backbone N/CA/C/O of every protein chain for the
cartoon, all atoms of the site residues and of the ligand. ``detail="full"``
embeds every protein atom instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameter
from .html import View
from .network import chain_label
from .palette import INTERACTION_COLORS, LIGAND_CARBON_COLORS, POCKET_COLORS, subunit_color

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = ["site_view", "comparison_view", "molecule_view", "Scene", "BACKBONE_ATOMS", "SURFACE_TYPES", "side_on_rotation",
           "LABEL_SIZE", "PRESENTATION_LABEL_SIZE"]

#: Atoms embedded for the cartoon (3Dmol.js traces CA and orients with O).
BACKBONE_ATOMS = ("N", "CA", "C", "O")
# never greenCarbon: chlorine is green (see palette.LIGAND_CARBON_COLORS)
_LIGAND_STYLE_NAMES = ["magentaCarbon", "cyanCarbon", "yellowCarbon", "purpleCarbon"]
_POCKET_COLORS = POCKET_COLORS
#: Label font size (px) of ``site_view(label_size=...)``; ``PRESENTATION_LABEL_SIZE`` for a projector.
LABEL_SIZE = 12
PRESENTATION_LABEL_SIZE = 20
#: 3Dmol.js surface types accepted by ``site_view(surface=...)``.
SURFACE_TYPES = ("SES", "MS", "SAS", "VDW")
_MAX_POCKET_POINTS = 400


@dataclass
class Scene:
    """One structure with its tables, for :func:`comparison_view`.

    ``structure`` must already be in the frame to show (for an overlay,
    superpose first in the science layer and pass the transformed structure).
    """

    structure: Structure
    site: pd.DataFrame | None = None
    interactions: pd.DataFrame | None = None
    pockets: pd.DataFrame | None = None
    ligand: str | tuple[str, str, int] | None = None
    pocket_points: dict[Any, np.ndarray] | None = None
    title: str | None = None


#: Columns each table of a :class:`Scene` must hold (subsets of the ``toolkit.sites`` contracts).
_SCENE_TABLES = (
    ("site", "site residue table (toolkit.sites.SITE_COLUMNS)", ("ligand", "ligand_chain", "ligand_res_id", "chain", "auth_seq_id", "label")),
    ("interactions", "interaction table (toolkit.sites.INTERACTION_COLUMNS)", ("type", "lig_x", "lig_y", "lig_z", "prot_x", "prot_y", "prot_z")),
    ("pockets", "pocket table (toolkit.sites.POCKET_COLUMNS)", ("pocket_id", "center_x", "center_y", "center_z", "volume")),
)  # fmt: skip


def _check_scene(scene: Scene, where: str = "") -> None:
    """Every field of a scene of the right type, before anything is drawn (InvalidParameter)."""
    from .._checks import check_str, check_structure, check_table

    check_structure(scene.structure, f"{where}structure")
    for field, what, cols in _SCENE_TABLES:
        df = getattr(scene, field)
        if df is not None:
            check_table(df, f"{where}{field}", cols, what=what)
    lig = scene.ligand
    ok_tuple = (isinstance(lig, tuple) and len(lig) == 3 and isinstance(lig[0], str) and isinstance(lig[1], str)
                and isinstance(lig[2], numbers.Integral) and not isinstance(lig[2], bool))  # fmt: skip
    if not (lig is None or isinstance(lig, str) or ok_tuple):
        raise InvalidParameter(f"{where}ligand must be a CCD code, a (code, chain, res_id) tuple or None, got {type(lig).__name__} {lig!r:.60}")
    if scene.pocket_points is not None and not isinstance(scene.pocket_points, dict):
        raise InvalidParameter(f"{where}pocket_points must be a dict pocket_id -> (n, 3) array, got {type(scene.pocket_points).__name__}")
    check_str(scene.title, f"{where}title", optional=True)


def _check_view_args(title: Any, detail: Any, labels: Any, label_size: Any, width: Any, height: Any) -> None:
    """The drawing options shared by :func:`site_view` and :func:`comparison_view` (InvalidParameter)."""
    from .._checks import check_bool, check_int, check_str

    check_str(title, "title", optional=True)
    if detail not in ("site", "full"):
        raise InvalidParameter(f"detail must be 'site' or 'full', not {detail!r:.60}")
    check_bool(labels, "labels")
    check_int(label_size, "label_size", 4, 200)
    check_int(width, "width", 50, 20000)
    check_int(height, "height", 50, 20000)


def _ligand_instance(s: Structure, site, interactions, ligand) -> tuple[str, str, int] | None:
    if isinstance(ligand, tuple):
        code, chain, res_id = ligand
        return str(code), str(chain), int(res_id)
    for df in (site, interactions):
        if df is not None and len(df):
            row = df.iloc[0]
            if ligand is None or str(row["ligand"]) == str(ligand):
                return str(row["ligand"]), str(row["ligand_chain"]), int(row["ligand_res_id"])
    ligs = s.ligands()
    if ligand is not None:
        hit = ligs[ligs["ccd_code"] == str(ligand)]
        if not len(hit):
            from ..errors import LigandNotFound

            raise LigandNotFound(f"no ligand {ligand!r} in {s.entry_id or 'structure'}")
    else:
        hit = ligs[ligs["category"] == "ligand"]
    if not len(hit):
        return None
    row = hit.iloc[0]
    return str(row["ccd_code"]), str(row["chain"]), int(row["auth_seq_id"])


def _residue_mask(s: Structure, chain: str, res_id: int, ins_code: str = "") -> np.ndarray:
    a = s.atoms
    m = (a["chain_id"] == chain) & (a["res_id"] == int(res_id))
    if ins_code:
        m &= a["ins_code"] == ins_code
    return m


def _xyz(x: float, y: float, z: float) -> dict[str, float]:
    return {"x": round(float(x), 3), "y": round(float(y), 3), "z": round(float(z), 3)}


def _fibonacci_sphere(n: int) -> np.ndarray:
    i = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    theta = np.pi * (1 + 5**0.5) * i
    return np.column_stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)])


def side_on_rotation(
    interactions: pd.DataFrame | None,
    occluders: np.ndarray | None = None,
    centre: np.ndarray | None = None,
    *,
    depth: float = 25.0,
    radius: float = 5.0,
    clip: float | None = None,
) -> tuple[float, dict[str, float]] | None:
    """Rotation (degrees, axis) that shows a ligand's interactions side-on, or None.

    3Dmol.js looks along the z axis of the (unrotated) model, from +z. Among
    400 directions evenly spread on the sphere, the one chosen minimises

    * a penalty ``5 * (|cos| - 0.45)`` for every polar interaction (every type but
      ``hydrophobic``; unit vector ligand atom -> protein atom) closer than about 63
      degrees to the viewing axis, so an H-bond is never seen end-on, plus
      ``0.2 * mean cos^2`` of the hydrophobic contacts;
    * plus 0.03 per ``occluders`` atom (for example the drawn backbone) inside a
      cylinder of ``radius`` Å from ``centre`` towards the camera, ``depth`` Å long,
      and, when ``clip`` (Å in front of ``centre``) gives 3Dmol.js's near clipping
      plane, 0.01 per atom within 2.5 Å of that plane and ``3 * radius`` of the
      axis (a cut helix shows its dark inside).

    The returned rotation turns that direction onto +z (``viewer.rotate(angle, axis)``).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"type": ["hbond"], "lig_x": [0.0], "lig_y": [0.0], "lig_z": [0.0],
    ...                   "prot_x": [0.0], "prot_y": [0.0], "prot_z": [3.0]})
    >>> angle, axis = side_on_rotation(t)  # an H-bond along z: turned at least ~63 degrees away
    >>> 60 < angle < 120
    True
    """
    if interactions is None or not len(interactions):
        return None
    lig = interactions[["lig_x", "lig_y", "lig_z"]].to_numpy(float)
    prot = interactions[["prot_x", "prot_y", "prot_z"]].to_numpy(float)
    v = prot - lig
    n = np.linalg.norm(v, axis=1)
    ok = np.isfinite(n) & (n > 1e-6)
    if not ok.any():
        return None
    v = v[ok] / n[ok, None]
    polar = interactions["type"].to_numpy()[ok] != "hydrophobic"
    dirs = _fibonacci_sphere(400)
    cos = np.abs(dirs @ v.T)  # (400, n): 1 = along the viewing axis
    # polar interactions must be at least ~63 degrees from the viewing axis (hinge at |cos| 0.45),
    # hydrophobic contacts only nudge the choice; within that, the least occluded direction wins
    score = 5.0 * np.clip(cos[:, polar] - 0.45, 0, None).sum(axis=1)
    if (~polar).any():
        score = score + 0.2 * (cos[:, ~polar] ** 2).mean(axis=1)
    if occluders is not None and len(occluders):
        c = lig.mean(axis=0) if centre is None else np.asarray(centre, dtype=float)
        r = np.asarray(occluders, dtype=float) - c
        r = r[np.linalg.norm(r, axis=1) < max(depth, clip or 0.0) + 3 * radius + 3]
        if len(r):
            along = dirs @ r.T  # (400, n)
            perp2 = (r**2).sum(axis=1)[None, :] - along**2
            front = (along > 0) & (along < depth) & (perp2 < radius**2)  # between the ligand and the camera
            score = score + 0.03 * front.sum(axis=1)
            if clip is not None:  # cut by the near clipping plane: a dark inside shows
                cut = (np.abs(along - clip) < 2.5) & (perp2 < (3 * radius) ** 2)
                score = score + 0.01 * cut.sum(axis=1)
    d = dirs[int(np.argmin(score))]
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(d, z)
    s = float(np.linalg.norm(axis))
    if s < 1e-6:
        return None if d @ z > 0 else (180.0, {"x": 1.0, "y": 0.0, "z": 0.0})
    angle = math.degrees(math.atan2(s, float(d @ z)))
    axis = axis / s
    return round(angle, 2), {"x": round(float(axis[0]), 4), "y": round(float(axis[1]), 4), "z": round(float(axis[2]), 4)}


def _pocket_pdb(points: list[tuple[int, np.ndarray]]) -> str:
    """Pocket points as PDB HETATM pseudo-atoms (residue ``PKT``, one residue number per pocket)."""
    lines = []
    serial = 1
    for k, pts in points:
        for p in pts:
            lines.append(f"HETATM{serial % 100000:5d}  C   PKT P{k:4d}    {p[0]:8.3f}{p[1]:8.3f}{p[2]:8.3f}  1.00  0.00           C")
            serial += 1
    return "\n".join(lines) + "\nEND\n"


def _add_scene(
    view: View,
    viewer: tuple[int, int],
    model: int,
    scene: Scene,
    *,
    detail: str,
    labels: bool,
    ligand_style: str,
    cartoon_opacity: float,
    zoom: bool,
    surface: str | None = None,
    label_size: int = LABEL_SIZE,
) -> None:
    from ..io.write import single_char_chain_map, to_pdb_string

    s = scene.structure
    site, inter, pockets = scene.site, scene.interactions, scene.pockets
    _check_scene(scene)
    name = s.entry_id or "structure"
    model = sum(1 for vw, m, _ in view.calls if vw == viewer and m == "addModel")
    a = s.atoms
    poly = s.polymer_mask
    if detail == "full":
        keep = poly.copy()
    elif detail == "site":
        keep = poly & np.isin(a["atom_name"], BACKBONE_ATOMS)
    else:
        raise InvalidParameter(f"detail must be 'site' or 'full', not {detail!r}")
    lig = _ligand_instance(s, site, inter, scene.ligand)
    if lig is not None:
        lig_idx = s.ligand_atoms(*lig)
        keep[lig_idx] = True
    else:
        view.notes.append(f"No ligand in {name}: showing the protein only.")
    site_rows = [] if site is None else list(site.itertuples(index=False))
    for row in site_rows:
        keep |= _residue_mask(s, str(row.chain), int(row.auth_seq_id), str(getattr(row, "ins_code", "") or ""))
    chains = list(dict.fromkeys(a["chain_id"][keep].tolist()))
    cmap = single_char_chain_map(chains)
    view.call("addModel", to_pdb_string(s, keep, chain_map=cmap), "pdb", viewer=viewer)
    subunits = s.chain_subunits
    if lig is None and pockets is not None and len(pockets):
        cartoon_opacity = min(cartoon_opacity, 0.55)  # no ligand: the pockets are the subject, seen through the protein
    view.call("setStyle", {"model": model}, {"cartoon": {"color": subunit_color("other"), "opacity": cartoon_opacity}}, viewer=viewer)  # fmt: skip
    for ch in chains:
        sub = subunits.get(ch, "other")
        col = subunit_color(sub)
        if poly[a["chain_id"] == ch].any():
            view.call("setStyle", {"model": model, "chain": cmap[ch]}, {"cartoon": {"color": col, "opacity": cartoon_opacity}}, viewer=viewer)  # fmt: skip
            view.add_legend("Subunits", sub if sub in subunits.values() else "other", col)
    if site_rows:
        by_chain: dict[str, list[int]] = {}
        for row in site_rows:
            by_chain.setdefault(cmap.get(str(row.chain), str(row.chain)), []).append(int(row.auth_seq_id))
        for ch, resi in by_chain.items():
            view.call("addStyle", {"model": model, "chain": ch, "resi": sorted(set(resi))}, {"stick": {"radius": 0.15, "colorscheme": "whiteCarbon"}}, viewer=viewer)  # fmt: skip
        if labels:
            for row in site_rows:
                m = _residue_mask(s, str(row.chain), int(row.auth_seq_id), str(getattr(row, "ins_code", "") or ""))
                ca = m & (a["atom_name"] == "CA")
                pos = a["coord"][ca][0] if ca.any() else a["coord"][m].mean(axis=0)
                view.call(
                    "addLabel",
                    chain_label(str(row.label), str(row.chain)),  # "GluN1 V644 (A)": two chains stay apart
                    {"position": _xyz(*pos), "fontSize": int(label_size), "fontColor": "black", "backgroundColor": "white",
                     "backgroundOpacity": 0.75, "borderThickness": 0.5, "inFront": True, "showBackground": True},
                    viewer=viewer,
                )  # fmt: skip
    if surface is not None and site_rows:
        # translucent molecular surface of the site residues: the shape of the pocket around the ligand
        for ch, resi in by_chain.items():
            sel = {"model": model, "chain": ch, "resi": sorted(set(resi))}
            view.call("addSurface", surface, {"opacity": 0.55, "color": "#d9d9d9"}, sel, viewer=viewer)
        view.add_legend("Surfaces", f"site residues ({surface})", "#d9d9d9")
    elif surface is not None:
        view.notes.append("No site residues: no pocket surface drawn.")
    if lig is not None:
        code, chain, res_id = lig
        sel = {"model": model, "chain": cmap[chain], "resi": int(res_id), "resn": code}
        view.call("setStyle", sel, {"stick": {"radius": 0.25, "colorscheme": ligand_style}}, viewer=viewer)
        view.add_legend("Ligands", f"{code} ({name} {chain} {res_id})", LIGAND_CARBON_COLORS[_LIGAND_STYLE_NAMES.index(ligand_style)])  # fmt: skip
    if inter is not None:
        for row in inter.itertuples(index=False):
            col = INTERACTION_COLORS.get(str(row.type))
            if col is None:
                raise InvalidParameter(f"unknown interaction type {row.type!r}; expected one of {sorted(INTERACTION_COLORS)}")
            view.call(
                "addCylinder",
                {"start": _xyz(row.lig_x, row.lig_y, row.lig_z), "end": _xyz(row.prot_x, row.prot_y, row.prot_z),
                 "radius": 0.08, "color": col, "dashed": True, "dashLength": 0.25, "gapLength": 0.2,
                 "fromCap": 1, "toCap": 1},
                viewer=viewer,
            )  # fmt: skip
            view.add_legend("Interactions", str(row.type), col)
    if pockets is not None:
        # pockets with points: a coloured molecular surface over the points (one pseudo-atom model);
        # without points: an opaque-edged sphere of the pocket's volume at its centre
        with_points: list[tuple[int, np.ndarray]] = []
        colors: dict[int, str] = {}
        for k, row in enumerate(pockets.itertuples(index=False)):
            col = _POCKET_COLORS[k % len(_POCKET_COLORS)]
            pts = None if scene.pocket_points is None else scene.pocket_points.get(row.pocket_id)
            if pts is not None and len(pts):
                pts = np.asarray(pts, dtype=float).reshape(-1, 3)
                if len(pts) > _MAX_POCKET_POINTS:
                    pts = pts[np.linspace(0, len(pts) - 1, _MAX_POCKET_POINTS).astype(int)]
                    view.notes.append(f"Pocket {row.pocket_id}: {_MAX_POCKET_POINTS} of its points drawn.")
                with_points.append((k + 1, pts))
                colors[k + 1] = col
            else:
                # Sphere of the pocket's volume: r = (3V / 4 pi)^(1/3).
                r = (3.0 * float(row.volume) / (4.0 * math.pi)) ** (1.0 / 3.0)
                view.call("addSphere", {"center": _xyz(row.center_x, row.center_y, row.center_z), "radius": round(r, 2), "color": col, "opacity": 0.7}, viewer=viewer)  # fmt: skip
            view.add_legend("Pockets", f"pocket {row.pocket_id}", col)
        if with_points:
            pm = model + 1
            view.call("addModel", _pocket_pdb(with_points), "pdb", viewer=viewer)
            view.call("setStyle", {"model": pm}, {}, viewer=viewer)
            for k, _ in with_points:
                view.call("addSurface", "MS", {"color": colors[k], "opacity": 0.8}, {"model": pm, "resi": k}, viewer=viewer)  # fmt: skip
    if zoom:
        if lig is not None:
            view.call("zoomTo", {"model": model, "chain": cmap[lig[1]], "resi": int(lig[2]), "resn": lig[0]}, viewer=viewer)  # fmt: skip
            # 3Dmol.js clips in front at extent/1.9 of the zoomed selection (here the ligand): count the
            # drawn atoms up to just beyond that plane as occluders (clipped helices show black insides)
            lxyz = a["coord"][s.ligand_atoms(*lig)].astype(float)
            extent = max(float(np.linalg.norm(lxyz.max(axis=0) - lxyz.min(axis=0))), 5.0)
            turn = side_on_rotation(inter, a["coord"][keep & poly].astype(float), lxyz.mean(axis=0), clip=extent / 1.9 + 3.0)
            if turn is not None:  # interactions side-on, not along the viewing axis
                view.call("rotate", turn[0], turn[1], viewer=viewer)
            view.call("zoom", 0.5, viewer=viewer)
        elif site_rows:
            view.call("zoomTo", {"model": model, "chain": cmap.get(str(site_rows[0].chain), str(site_rows[0].chain)), "resi": int(site_rows[0].auth_seq_id)}, viewer=viewer)  # fmt: skip
        else:
            view.call("zoomTo", {"model": model}, viewer=viewer)
            view.call("zoom", 1.3, viewer=viewer)  # zoomTo fits a sphere: an elongated receptor leaves wide margins


def site_view(
    structure: Structure,
    site: pd.DataFrame | None = None,
    interactions: pd.DataFrame | None = None,
    pockets: pd.DataFrame | None = None,
    *,
    ligand: str | tuple[str, str, int] | None = None,
    pocket_points: dict[Any, np.ndarray] | None = None,
    title: str | None = None,
    detail: str = "site",
    labels: bool = True,
    surface: str | None = None,
    label_size: int = LABEL_SIZE,
    width: int = 800,
    height: int = 600,
) -> View:
    """A 3D view of a structure's binding site.

    Parameters
    ----------
    structure : Structure
        The entry (already in the frame to show).
    site : DataFrame, optional
        Site residues (``toolkit.sites.SITE_COLUMNS``): drawn as sticks and labelled
        with the ``label`` column (for example "GluN2B L643").
    interactions : DataFrame, optional
        Typed interactions (``INTERACTION_COLUMNS``): one dashed line per row from
        ``lig_x/y/z`` to ``prot_x/y/z``, coloured by ``type``
        (:data:`~toolkit.views.palette.INTERACTION_COLORS`).
    pockets : DataFrame, optional
        Candidate pockets (``POCKET_COLUMNS``): translucent spheres, either the
        points given in ``pocket_points[pocket_id]`` or one sphere of the pocket's
        volume at its centre.
    ligand : str or (code, chain, res_id), optional
        The ligand to show; default the site table's ligand, else the first
        ``category == "ligand"`` component. None found: the protein is shown
        and a note says there is no ligand.
    pocket_points : dict, optional
        ``pocket_id -> (n, 3)`` arrays (from ``toolkit.sites.pocket_points``).
    title : str, optional
        Page heading (escaped); default ``"<entry> binding site"``.
    detail : {"site", "full"}
        Embed protein backbone + site residues (default) or every protein atom.
    labels : bool
        Label the site residues.
    surface : {None, "SES", "MS", "SAS", "VDW"}
        Draw a translucent surface of the site residues (the binding pocket
        around the ligand) of this 3Dmol.js surface type; None (default): no surface.
    label_size : int
        Font size (px) of the residue labels and the legend; use
        :data:`PRESENTATION_LABEL_SIZE` (20) for a projector.
    width, height : int
        Viewer size in pixels.

    Returns
    -------
    View
        Show it in Jupyter, or ``.to_html(path)``, or :func:`toolkit.views.to_png`.

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> v = site_view(load_structure("7EU8"), ligand=("JC9", "B", 903))  # doctest: +SKIP
    >>> v.to_html("7eu8_site.html")  # doctest: +SKIP
    """
    _check_view_args(title, detail, labels, label_size, width, height)
    if surface is not None and surface not in SURFACE_TYPES:
        raise InvalidParameter(f"surface must be None or one of {SURFACE_TYPES}, not {surface!r:.60}")
    scene = Scene(structure, site, interactions, pockets, ligand, pocket_points)
    _check_scene(scene)
    name = structure.entry_id or "structure"
    view = View(title=title if title is not None else f"{name} binding site", width=width, height=height,
                font_size=max(13, int(label_size)))
    _add_scene(
        view, (0, 0), 0, scene,
        detail=detail, labels=labels, ligand_style=_LIGAND_STYLE_NAMES[0], cartoon_opacity=1.0, zoom=True,
        surface=surface, label_size=label_size,
    )  # fmt: skip
    return view


def comparison_view(
    scenes: Sequence[Scene],
    *,
    mode: str = "grid",
    title: str | None = None,
    detail: str = "site",
    labels: bool = True,
    label_size: int = LABEL_SIZE,
    width: int = 1000,
    height: int = 500,
) -> View:
    """Two (or more) structures or ligands side by side, or superposed.

    Parameters
    ----------
    scenes : sequence of Scene
        What to show. For ``mode="overlay"`` the structures must already share a
        frame (superpose on the TMD in the science layer first).
    mode : {"grid", "overlay"}
        ``grid``: linked viewers side by side (3Dmol.js viewer grid);
        ``overlay``: one viewer, every later structure drawn at 0.5 cartoon opacity
        with its own ligand carbon colour.
    title : str, optional
        Page heading (escaped); default the scene names joined.
    detail : {"site", "full"}
        Embed protein backbone + site residues (default) or every protein atom.
    labels : bool
        Label the site residues.
    label_size : int
        Font size (px) of labels and legend (20 for a projector).
    width, height : int
        Size of the whole viewer (all grid cells) in pixels.

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> a, b = load_structure("7EU8"), load_structure("7EOS")  # doctest: +SKIP
    >>> v = comparison_view([Scene(a), Scene(b)])  # doctest: +SKIP
    """
    if isinstance(scenes, (str, bytes, Scene)) or not isinstance(scenes, Sequence):
        raise InvalidParameter(f"scenes must be a list of Scene objects, got {type(scenes).__name__}")
    _check_view_args(title, detail, labels, label_size, width, height)
    scenes = list(scenes)
    wrong = [type(sc).__name__ for sc in scenes if not isinstance(sc, Scene)]
    if wrong:
        raise InvalidParameter(f"comparison_view takes Scene objects (Scene(structure, site, ...)), got {wrong}")
    if len(scenes) < 2:
        raise InvalidParameter(f"comparison_view needs at least 2 scenes, got {len(scenes)}")
    if len(scenes) > len(_LIGAND_STYLE_NAMES):
        raise InvalidParameter(f"comparison_view shows at most {len(_LIGAND_STYLE_NAMES)} scenes, got {len(scenes)}")
    for i, sc in enumerate(scenes):
        _check_scene(sc, f"scenes[{i}].")
    names = [sc.title or sc.structure.entry_id or f"structure {i + 1}" for i, sc in enumerate(scenes)]
    if mode == "grid":
        view = View(title=title or " vs ".join(names), width=width, height=height, grid=(1, len(scenes)), font_size=max(13, int(label_size)))
        for i, sc in enumerate(scenes):
            view.captions[(0, i)] = names[i]
            _add_scene(view, (0, i), 0, sc, detail=detail, labels=labels, ligand_style=_LIGAND_STYLE_NAMES[i], cartoon_opacity=1.0, zoom=True, label_size=label_size)  # fmt: skip
    elif mode == "overlay":
        view = View(title=title or " + ".join(names), width=width, height=height, font_size=max(13, int(label_size)))
        for i, sc in enumerate(scenes):
            opacity = "opaque cartoon" if i == 0 else "translucent cartoon"
            view.add_legend("Structures", f"{names[i]} ({opacity}; ligand carbons {_LIGAND_STYLE_NAMES[i][:-6]})", LIGAND_CARBON_COLORS[i])
            _add_scene(view, (0, 0), i, sc, detail=detail, labels=labels, ligand_style=_LIGAND_STYLE_NAMES[i], cartoon_opacity=1.0 if i == 0 else 0.5, zoom=(i == 0), label_size=label_size)  # fmt: skip
    else:
        raise InvalidParameter(f"mode must be 'grid' or 'overlay', not {mode!r}")
    return view


def molecule_view(
    mol: Any,
    *,
    conf_ids: Sequence[int] | None = None,
    title: str | None = None,
    label_size: int = LABEL_SIZE,
    width: int = 500,
    height: int = 400,
) -> View:
    """A 3D view of a small molecule's conformers (sticks, element colours, carbons magenta).

    Parameters
    ----------
    mol : rdkit Mol
        A molecule with 3D conformers (for example from ``toolkit.chem.embed_conformers``).
    conf_ids : sequence of int, optional
        Conformers to show (default: all), superposed as embedded; the first opaque,
        the others translucent.
    title : str, optional
        Page heading; default the molecule's ``_Name`` or "molecule".
    label_size, width, height : int
        Legend font size and viewer size in pixels.

    Raises
    ------
    InvalidParameter
        The molecule has no 3D conformer, or a conformer id does not exist.

    Examples
    --------
    >>> from toolkit.chem import embed_conformers
    >>> v = molecule_view(embed_conformers("CNC1(CCCCC1=O)c1ccccc1Cl", seed=42))
    >>> [m for _, m, _ in v.calls][:2]
    ['addModel', 'setStyle']
    """
    from rdkit import Chem

    if mol is None or not hasattr(mol, "GetNumConformers"):
        raise InvalidParameter(f"molecule_view takes an RDKit Mol, not {type(mol).__name__}")
    confs = [c for c in mol.GetConformers() if c.Is3D()]
    if not confs:
        raise InvalidParameter("the molecule has no 3D conformer: embed one first (toolkit.chem.embed_conformers)")
    ids = [c.GetId() for c in confs] if conf_ids is None else [int(i) for i in conf_ids]
    known = {c.GetId() for c in confs}
    bad = [i for i in ids if i not in known]
    if bad:
        raise InvalidParameter(f"conformer ids {bad} not in the molecule (has {sorted(known)})")
    name = title or (mol.GetProp("_Name") if mol.HasProp("_Name") and mol.GetProp("_Name") else "molecule")
    view = View(title=name, width=width, height=height, font_size=max(13, int(label_size)))
    for k, cid in enumerate(ids):
        view.call("addModel", Chem.MolToMolBlock(mol, confId=cid), "sdf")
        style = {"stick": {"radius": 0.18, "colorscheme": _LIGAND_STYLE_NAMES[0]}}
        if k:
            style["stick"]["opacity"] = 0.35
        view.call("setStyle", {"model": k}, style)
    view.add_legend("Conformers", f"{len(ids)} shown" + (" (first opaque)" if len(ids) > 1 else ""), LIGAND_CARBON_COLORS[0])
    view.call("zoomTo")
    return view
