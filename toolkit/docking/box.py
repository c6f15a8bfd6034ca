"""Docking boxes: from a bound ligand, a residue list, or a pocket / lateral-candidate row.

A :class:`Box` is a centre and three edge lengths in Å (Vina's search space:
every ligand atom must stay inside it). Defaults and their sources:

* :data:`LIGAND_PADDING` = 4 Å added on every side of a bound ligand's
  extent: smina's ``--autobox_add`` default (Koes, Baumgartner & Camacho
  2013, doi:10.1021/ci300604z). Redocking into the box of the bound ligand
  is the standard redocking protocol; the box then knows where the answer
  is, so a redocking result measures pose recovery, not site finding.
* :data:`RESIDUE_PADDING` = 2 Å around the heavy atoms of the residues that
  line a site (they enclose the cavity already).
* :data:`POCKET_EDGE` = 20 Å cube around a pocket or candidate centre when
  the row gives no size (a common site-directed default in the Vina
  tutorials, Eberhardt et al. 2021, doi:10.1021/acs.jcim.1c00203).
* :data:`MAX_VOLUME` = 27 000 Å³ (30 × 30 × 30 Å): above it Vina warns that
  the search is unreliable (Trott & Olson 2010, doi:10.1002/jcc.21334; the
  Vina manual's search-space advice); here it is an error
  (:class:`~toolkit.errors.InvalidBox`).
* :data:`MIN_RECEPTOR_ATOMS` = 20 receptor heavy atoms inside the box:
  fewer means the box is outside the protein (a site is lined by dozens).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidBox, InvalidParameter

if TYPE_CHECKING:
    from ..model import Structure
    from .receptor import Receptor

__all__ = [
    "Box", "box_from_ligand", "box_from_residues", "box_from_pocket", "validate_box",
    "LIGAND_PADDING", "RESIDUE_PADDING", "POCKET_EDGE", "MAX_VOLUME", "MIN_RECEPTOR_ATOMS",
]  # fmt: skip

LIGAND_PADDING = 4.0
RESIDUE_PADDING = 2.0
POCKET_EDGE = 20.0
MAX_VOLUME = 27000.0
MIN_RECEPTOR_ATOMS = 20


@dataclass(frozen=True)
class Box:
    """A docking box: ``center`` and ``size`` (x, y, z edge lengths), both in Å.

    >>> b = Box((0.0, 0.0, 0.0), (10.0, 12.0, 14.0), "example")
    >>> b.volume
    1680.0
    >>> b.contains([[0, 0, 0], [6, 0, 0]]).tolist()
    [True, False]
    """

    center: tuple[float, float, float]
    size: tuple[float, float, float]
    source: str = ""

    def __post_init__(self) -> None:
        try:
            c = tuple(float(x) for x in self.center)
            s = tuple(float(x) for x in self.size)
        except (TypeError, ValueError):
            raise InvalidBox(f"box centre and size must be three numbers each, got {self.center!r}, {self.size!r}") from None
        if len(c) != 3 or len(s) != 3:
            raise InvalidBox(f"box centre and size must have three values, got {c!r}, {s!r}")
        if not all(np.isfinite(c)) or not all(np.isfinite(s)) or min(s) <= 0:
            raise InvalidBox(f"box centre must be finite and edges positive, got centre {c}, size {s}")
        object.__setattr__(self, "center", c)
        object.__setattr__(self, "size", s)

    @property
    def volume(self) -> float:
        return float(np.prod(self.size))

    def contains(self, xyz: Any, margin: float = 0.0) -> np.ndarray:
        """Boolean mask of points inside the box (grown by ``margin`` Å on every side)."""
        p = np.atleast_2d(np.asarray(xyz, dtype=float))
        half = np.asarray(self.size) / 2 + margin
        return np.all(np.abs(p - np.asarray(self.center)) <= half, axis=1)

    def __str__(self) -> str:
        c = ", ".join(f"{x:.1f}" for x in self.center)
        s = " × ".join(f"{x:.1f}" for x in self.size)
        return f"box centre ({c}) Å, size {s} Å" + (f" [{self.source}]" if self.source else "")


def _extent_box(xyz: np.ndarray, padding: float, source: str) -> Box:
    lo, hi = xyz.min(axis=0), xyz.max(axis=0)
    return Box(tuple((lo + hi) / 2), tuple(hi - lo + 2 * padding), source)


def _padding(padding: Any) -> float:
    try:
        p = float(padding)
    except (TypeError, ValueError):
        raise InvalidParameter(f"padding must be a distance in Å, got {padding!r}") from None
    if not np.isfinite(p) or p < 0:
        raise InvalidParameter(f"padding must be a non-negative distance in Å, got {padding!r}")
    return p


def box_from_ligand(
    structure: Structure, ligand: str, chain: str | None = None, res_id: int | None = None, *,
    padding: float = LIGAND_PADDING,
) -> Box:  # fmt: skip
    """Box around a bound ligand: its heavy-atom extent plus ``padding`` Å on every side.

    This is the standard redocking box: it is centred on the deposited
    ligand, so results measure pose recovery, not site finding.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> box_from_ligand(s, "JC9").size  # doctest: +SKIP
    (13.5..., 14.1..., 13.6...)
    """
    idx = structure.ligand_atoms(ligand, chain=chain, res_id=res_id)
    el = structure.atoms["element"][idx]
    idx = idx[(el != "H") & (el != "D")]
    a = structure.atoms
    return _extent_box(structure.coord[idx], _padding(padding),
                       f"ligand {ligand.upper()} {a['chain_id'][idx[0]]}:{int(a['res_id'][idx[0]])} + {padding:g} Å")  # fmt: skip


def _parse_label(label: str) -> tuple[str, str, int]:
    # "GluN2B L643" -> (subunit, one-letter, UniProt number)
    parts = str(label).split()
    if len(parts) != 2 or len(parts[1]) < 2 or not parts[1][1:].isdigit():
        raise InvalidParameter(f"residue label {label!r} is not '<subunit> <one-letter><UniProt number>' (e.g. 'GluN2B L643')")
    return parts[0], parts[1][0], int(parts[1][1:])


def box_from_residues(structure: Structure, residues: Sequence[Any], *, padding: float = RESIDUE_PADDING) -> Box:
    """Box around the heavy atoms of site-lining residues, plus ``padding`` Å.

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    residues
        Residue labels with subunit and UniProt number (``"GluN2B L643"``,
        every chain of that subunit) or ``(chain, auth_seq_id)`` tuples.
    padding
        Å added on every side (default :data:`RESIDUE_PADDING`).

    Raises
    ------
    InvalidParameter
        A residue is not in the structure, or a label is malformed.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> b = box_from_residues(s, ["GluN1 N616", "GluN2B N615", "GluN1 T648", "GluN2B T647"])  # doctest: +SKIP
    """
    from ..io.aminoacids import THREE_TO_ONE

    if isinstance(residues, str) or not len(residues):
        raise InvalidParameter("residues must be a non-empty list of labels or (chain, number) tuples")
    a = structure.atoms
    heavy = (a["element"] != "H") & (a["element"] != "D") & structure.polymer_mask
    mask = np.zeros(structure.n_atoms, dtype=bool)
    one = np.array([THREE_TO_ONE.get(x, "X") for x in a["res_name"].tolist()]) if any(
        isinstance(r, str) for r in residues) else None  # fmt: skip
    sub_of_chain = structure.chain_subunits
    subunit = np.array([sub_of_chain.get(c, "") for c in a["chain_id"].tolist()]) if one is not None else None
    for r in residues:
        if isinstance(r, str):
            sub, letter, num = _parse_label(r)
            m = heavy & (subunit == sub) & (structure.uniprot_num == num) & (one == letter)
        else:
            ch, num = r
            m = heavy & (a["chain_id"] == str(ch)) & (a["res_id"] == int(num))
        if not m.any():
            raise InvalidParameter(f"{structure.entry_id}: residue {r!r} not found (labels use subunit and UniProt number)")
        mask |= m
    names = ", ".join(str(r) for r in residues[:6]) + (" ..." if len(residues) > 6 else "")
    return _extent_box(structure.coord[mask], _padding(padding), f"residues {names} + {padding:g} Å")


def box_from_pocket(row: Mapping[str, Any] | Any, *, size: float | Sequence[float] | None = None) -> Box:
    """Box centred on a pocket row (:func:`toolkit.find_pockets`) or a lateral-candidate row.

    Any mapping or pandas row with ``center_x``, ``center_y``, ``center_z``
    works. The size is, in order: the ``size`` argument (one edge or three),
    the row's ``size_x/size_y/size_z`` or ``size`` column, else
    :data:`POCKET_EDGE`.

    >>> box_from_pocket({"center_x": 1.0, "center_y": 2.0, "center_z": 3.0, "pocket_id": 4}).size
    (20.0, 20.0, 20.0)
    >>> box_from_pocket({"center_x": 0, "center_y": 0, "center_z": 0, "size": 16}).size
    (16.0, 16.0, 16.0)
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    try:
        center = tuple(float(get(k)) for k in ("center_x", "center_y", "center_z"))
    except (TypeError, ValueError):
        raise InvalidParameter("a pocket row needs numeric center_x, center_y and center_z columns") from None
    if size is None:
        sx = [get(k) for k in ("size_x", "size_y", "size_z")]
        if all(v is not None and np.isfinite(float(v)) for v in sx):
            size = [float(v) for v in sx]
        elif get("size") is not None and np.isfinite(float(get("size"))):
            size = float(get("size"))
        else:
            size = POCKET_EDGE
    edges = [float(size)] * 3 if np.isscalar(size) else [float(x) for x in size]
    ident = get("pocket_id", None)
    if ident is None:
        ident = get("candidate_id", get("name", "?"))
    return Box(center, tuple(edges), f"pocket {ident}")


def validate_box(box: Box, receptor: Receptor, *, max_volume: float = MAX_VOLUME,
                 min_atoms: int = MIN_RECEPTOR_ATOMS) -> Box:  # fmt: skip
    """Check a box against Vina's limit and the receptor; return it unchanged.

    Raises
    ------
    InvalidBox
        Volume above ``max_volume`` Å³, or fewer than ``min_atoms`` receptor
        heavy atoms inside the box (the box is outside the protein; the
        message gives the distance to the nearest receptor atom).
    """
    if box.volume > max_volume:
        raise InvalidBox(
            f"{box}: volume {box.volume:.0f} Å³ is above Vina's search-space limit of {max_volume:.0f} Å³ "
            "(30 × 30 × 30 Å); use a smaller box or split the site"
        )
    n_in = int(box.contains(receptor.coord).sum())
    if n_in < min_atoms:
        d, _ = receptor.tree().query(np.asarray(box.center))
        raise InvalidBox(
            f"{box}: only {n_in} receptor heavy atoms inside (at least {min_atoms} needed); the box is outside "
            f"the protein (nearest receptor atom {d:.1f} Å from the centre)"
        )
    return box
