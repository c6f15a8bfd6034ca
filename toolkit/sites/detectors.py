"""Interaction detectors: one small class per interaction type, run over shared contexts.

The pattern follows ProLIF's ``interactions/base.py`` (Bouysset C., Fiorucci S.
(2021) ProLIF: a library to encode molecular interactions as fingerprints.
J Cheminform 13:72, doi:10.1186/s13321-021-00548-6): each detector holds its
geometric thresholds as constructor arguments and has one method,
``detect(ligand, protein)``, that returns rows. :class:`ProteinContext` types
the protein atoms around one ligand once (donors, acceptors, hydrophobic
carbons, charged groups at the pH, rings, metal binders, waters) and every
detector reads it; :class:`LigandContext` does the same for the ligand
(RDKit molecule in its charge state at the pH, :mod:`.protonation`).

Default thresholds are PLIP's (Salentin et al. 2015, Nucleic Acids Res
43:W443, doi:10.1093/nar/gkv315; ``plip.basic.config`` of PLIP 3.0): see
:class:`toolkit.sites.interactions.Thresholds` for each value and its
primary source. Cryo-EM and most X-ray entries carry no hydrogens, so the
rules that PLIP states on hydrogens use heavy-atom proxies (documented per
detector).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from ..model import Structure
    from .protonation import ChargeState

__all__ = [
    "ProteinContext",
    "LigandContext",
    "Detector",
    "Hydrophobic",
    "HBond",
    "SaltBridge",
    "PiStacking",
    "CationPi",
    "Halogen",
    "WaterBridge",
    "MetalComplex",
    "METAL_ELEMENTS",
    "coordination_geometry",
]

#: Metal elements that form coordination complexes (PLIP's ``METAL_IONS`` list, as elements).
#: Metal-ligand distance (Å) below which a protein N/S is taken as coordinating the metal (Harding 2001,
#: doi:10.1107/S0907444900019168; PLIP's ``METAL_DIST_MAX``).
METAL_BOUND_MAX = 3.0

METAL_ELEMENTS = frozenset(
    "CA CO MG MN FE CU ZN LI NA K RB SR CS BA CR NI RU RH PD AG CD LA W OS IR PT AU HG CE PR SM EU GD TB YB "
    "LU AL GA IN SB TL PB".split()
)

_BACKBONE_DONOR = "N"
_BACKBONE_ACCEPTORS = ("O", "OXT")
PROTEIN_DONORS: dict[str, tuple[str, ...]] = {
    "ARG": ("NE", "NH1", "NH2"), "ASN": ("ND2",), "GLN": ("NE2",), "HIS": ("ND1", "NE2"),
    "LYS": ("NZ",), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",), "TRP": ("NE1",),
    "CYS": ("SG",),
}  # fmt: skip
PROTEIN_ACCEPTORS: dict[str, tuple[str, ...]] = {
    "ASP": ("OD1", "OD2"), "GLU": ("OE1", "OE2"), "ASN": ("OD1",), "GLN": ("OE1",),
    "HIS": ("ND1", "NE2"), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",), "MET": ("SD",),
}  # fmt: skip
PROTEIN_CATIONS: dict[str, tuple[str, ...]] = {"LYS": ("NZ",), "ARG": ("NE", "NH1", "NH2"), "HIS": ("ND1", "NE2")}
PROTEIN_ANIONS: dict[str, tuple[str, ...]] = {"ASP": ("OD1", "OD2"), "GLU": ("OE1", "OE2")}
PROTEIN_RINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "PHE": (("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),),
    "TYR": (("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),),
    "TRP": (("CG", "CD1", "NE1", "CE2", "CD2"), ("CD2", "CE2", "CE3", "CZ2", "CZ3", "CH2")),
    "HIS": (("CG", "ND1", "CD2", "CE1", "NE2"),),
}
#: Protein metal-binding atoms (PLIP: side-chain O of Asp/Glu/Ser/Thr/Tyr, His N, Cys S, main-chain O).
PROTEIN_METAL_BINDERS: dict[str, tuple[str, ...]] = {
    "ASP": ("OD1", "OD2"), "GLU": ("OE1", "OE2"), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",),
    "HIS": ("ND1", "NE2"), "CYS": ("SG",),
}  # fmt: skip
_POLAR_CARBONS: dict[str, tuple[str, ...]] = {
    "*": ("C", "CA"), "SER": ("CB",), "THR": ("CB",), "TYR": ("CZ",), "ASP": ("CG",), "GLU": ("CD",),
    "ASN": ("CG",), "GLN": ("CD",), "LYS": ("CE",), "ARG": ("CD", "CZ"), "HIS": ("CG", "CD2", "CE1"),
    "TRP": ("CD1", "CE2"), "PRO": ("CD",), "CYS": ("CB",), "MET": ("CG", "CE"),
}  # fmt: skip
_NEIGHBOURS: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "N"): ("CA", "-C"), ("*", "O"): ("C",), ("*", "OXT"): ("C",),
    ("ARG", "NE"): ("CD", "CZ"), ("ARG", "NH1"): ("CZ",), ("ARG", "NH2"): ("CZ",),
    ("ASN", "ND2"): ("CG",), ("ASN", "OD1"): ("CG",), ("GLN", "NE2"): ("CD",), ("GLN", "OE1"): ("CD",),
    ("HIS", "ND1"): ("CG", "CE1"), ("HIS", "NE2"): ("CD2", "CE1"), ("LYS", "NZ"): ("CE",),
    ("SER", "OG"): ("CB",), ("THR", "OG1"): ("CB",), ("TYR", "OH"): ("CZ",), ("TRP", "NE1"): ("CD1", "CE2"),
    ("CYS", "SG"): ("CB",), ("ASP", "OD1"): ("CG",), ("ASP", "OD2"): ("CG",), ("GLU", "OE1"): ("CD",),
    ("GLU", "OE2"): ("CD",), ("MET", "SD"): ("CG", "CE"),
}  # fmt: skip

#: Covalent radii (Å) Open Babel's ``ConnectTheDots`` uses to bond atoms (its element table: Cordero et al.
#: 2008, doi:10.1039/B801115J); other metals 1.5 Å.
_COVALENT_RADIUS: dict[str, float] = {
    "O": 0.66, "Li": 1.28, "Na": 1.66, "K": 2.03, "Mg": 1.41, "Ca": 1.76, "Sr": 1.95, "Ba": 2.15, "Mn": 1.39,
    "Fe": 1.32, "Co": 1.26, "Ni": 1.24, "Cu": 1.32, "Zn": 1.22, "Cd": 1.44, "Hg": 1.32, "Al": 1.21, "Cs": 2.44,
}  # fmt: skip

#: Longest X-H bond (Å) for a hydrogen written in the file to belong to heavy atom X (X-H 0.96-1.34 Å,
#: Allen et al. 1987, doi:10.1039/P298700000S1; S-H 1.34 Å).
_XH_MAX = 1.4

#: Protein atoms Open Babel types differently from :data:`PROTEIN_DONORS` / :data:`PROTEIN_ACCEPTORS`
#: when PLIP 3.0.1 reads a PDB file without hydrogens (``OBAtom.IsHbondDonor/IsHbondAcceptor`` after
#: its hydrogen addition; tabulated over every residue of the mirror's complexes): (donor, acceptor).
#: Arg NE and Trp NE1 get no hydrogen (acceptors only), Lys NZ is a neutral amine (donor and acceptor),
#: Cys SG and Met SD are neither.
PLIP_PROTEIN_TYPING: dict[tuple[str, str], tuple[bool, bool]] = {
    ("ARG", "NE"): (False, True), ("TRP", "NE1"): (False, True), ("LYS", "NZ"): (True, True),
    ("CYS", "SG"): (False, False), ("MET", "SD"): (False, False),
}  # fmt: skip

Row = dict[str, Any]


_METALS: weakref.WeakKeyDictionary[Any, tuple[np.ndarray, np.ndarray]] = weakref.WeakKeyDictionary()


def metal_sites(structure: Structure) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (N x 3) of the metal ions of a structure and Open Babel's covalent radii of them (Å), cached."""
    hit = _METALS.get(structure)
    if hit is None:
        hit = _METALS[structure] = _metal_sites(structure)
    return hit


def _metal_sites(structure: Structure) -> tuple[np.ndarray, np.ndarray]:
    uniq, inv = np.unique(structure.atoms["element"].astype(str), return_inverse=True)
    up = np.char.upper(uniq)
    m = np.flatnonzero(np.isin(up, sorted(METAL_ELEMENTS))[inv.reshape(-1)] & structure.heavy_mask)
    rad = np.array([_COVALENT_RADIUS.get(e.capitalize(), 1.5) for e in up[inv.reshape(-1)[m]].tolist()], dtype=float)
    return structure.coord[m].astype(float), rad


def _angle(v1: np.ndarray, v2: np.ndarray) -> float:
    n1, n2 = float(np.linalg.norm(v1)), float(np.linalg.norm(v2))
    if n1 == 0 or n2 == 0:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(float(np.dot(v1, v2)) / (n1 * n2), -1.0, 1.0))))


def _ring_geometry(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = xyz.mean(axis=0)
    _, _, vt = np.linalg.svd(xyz - c)
    n = vt[2]
    return c, n / np.linalg.norm(n)


def _offset(point: np.ndarray, centre: np.ndarray, normal: np.ndarray) -> float:
    d = point - centre
    return float(np.linalg.norm(d - np.dot(d, normal) * normal))


def _row(kind: str, gi: int, lname: str, pname: str, d: float, ang: float, lxyz: Any, pxyz: Any, detail: str = "") -> Row:
    return {
        "type": kind, "gi": int(gi), "ligand_atom": lname, "protein_atom": pname, "distance": float(d),
        "angle": float(ang), "lig_x": float(lxyz[0]), "lig_y": float(lxyz[1]), "lig_z": float(lxyz[2]),
        "prot_x": float(pxyz[0]), "prot_y": float(pxyz[1]), "prot_z": float(pxyz[2]), "detail": detail,
    }  # fmt: skip




def _model_h(dxyz: np.ndarray, nbs: np.ndarray, target: np.ndarray, xdh: float = 109.5) -> np.ndarray | None:
    """Position of a hydrogen modelled on donor D (D-H 1.0 Å), None without heavy neighbours.

    Two or more heavy neighbours: the hydrogen lies opposite their mean
    direction (planar N-H, as Open Babel places it). One neighbour X: the
    hydrogen can rotate about X-D on a cone with X-D-H = ``xdh``; the
    position closest to ``target`` (in the X-D-target plane) is taken, i.e.
    the best rotamer. (The contexts do not use the cone for sp2 donors -
    amide, guanidinium, aniline NH2: their hydrogens stay in the plane of X's
    substituents, syn or anti, :func:`_staggered_hs`.)
    """
    if len(nbs) == 0:
        return None
    u = np.array([(x - dxyz) / np.linalg.norm(x - dxyz) for x in nbs])
    if len(u) >= 2:
        h = -u.mean(axis=0)
        if np.linalg.norm(h) < 1e-6:
            return None
        return dxyz + h / np.linalg.norm(h)
    x = u[0]
    da = target - dxyz
    perp = da - np.dot(da, x) * x
    if np.linalg.norm(perp) < 1e-6:  # target on the X-D axis
        perp = np.cross(x, [1.0, 0.0, 0.0]) if abs(x[0]) < 0.9 else np.cross(x, [0.0, 1.0, 0.0])
    perp = perp / np.linalg.norm(perp)
    t = np.radians(xdh)
    return dxyz + np.cos(t) * x + np.sin(t) * perp


def _staggered_hs(dxyz: np.ndarray, xxyz: np.ndarray, yxyz: np.ndarray, xdh: float, n_h: int) -> list[np.ndarray]:
    """Every hydrogen of a donor D with one heavy neighbour X, placed as Open Babel places them.

    Open Babel (``OBBuilder::GetNewBondVector``, used by PLIP's hydrogen
    addition) puts the first hydrogen of D anti-periplanar to a neighbour Y of
    X (dihedral Y-X-D-H 180°), with X-D-H = ``xdh``; further hydrogens of an
    sp3 NH3 are staggered (±60°; an NH2's second hydrogen at Y-X-D-H = +60°, as
    Open Babel's cross product puts it), the second hydrogen of an sp2 NH2 is
    syn (0°). Y is the last of X's other neighbours in Open Babel's bond list
    (its loop over them keeps the last one), that is the last in file order:
    ``yxyz`` must be in file order. Empty when X has no other heavy neighbour.
    """
    if len(yxyz) == 0:
        return []
    x = (xxyz - dxyz) / np.linalg.norm(xxyz - dxyz)
    sp2 = xdh > 115.0
    # (angles here run opposite to the IUPAC dihedral sign: -60 is Y-X-D-H = +60°, where Open Babel puts the
    # second hydrogen of an sp3 NH2, from the cross product of its first two bonds)
    if n_h <= 1:
        dihedrals: tuple[float, ...] = (180.0,)
    elif sp2:
        dihedrals = (0.0, 180.0)
    else:
        dihedrals = (180.0, -60.0) if n_h == 2 else (180.0, 60.0, -60.0)
    t = np.radians(xdh)
    y = yxyz[-1]
    py = (y - xxyz) - np.dot(y - xxyz, x) * x
    if np.linalg.norm(py) < 1e-6:  # Y on the X-D axis
        return []
    py = py / np.linalg.norm(py)
    qy = np.cross(x, py)
    return [dxyz + np.cos(t) * x + np.sin(t) * (np.cos(phi) * py + np.sin(phi) * qy) for phi in np.radians(dihedrals)]


def _staggered_h(
    dxyz: np.ndarray, xxyz: np.ndarray, yxyz: np.ndarray, target: np.ndarray, xdh: float, n_h: int
) -> np.ndarray | None:
    """The hydrogen of :func:`_staggered_hs` closest to ``target``; None when there is none."""
    hs = _staggered_hs(dxyz, xxyz, yxyz, xdh, n_h)
    if not hs:
        return None
    return hs[int(np.argmin([np.linalg.norm(h - target) for h in hs]))]


def _donor_angle(dxyz: np.ndarray, nbs: np.ndarray, axyz: np.ndarray, xdh: float = 109.5) -> float:
    """D-H...A angle (degrees) of the hydrogen of :func:`_model_h`; NaN without heavy neighbours."""
    hpos = _model_h(dxyz, nbs, axyz, xdh)
    if hpos is None:
        return float("nan")
    return _angle(dxyz - hpos, axyz - hpos)


def _xdh_of_protein(res: str, name: str) -> float:
    """X-D-H angle of a protein donor with one heavy neighbour (sp2 amide/guanidinium NH2 120°, else 109.5°)."""
    return 120.0 if (res, name) in (("ASN", "ND2"), ("GLN", "NE2"), ("ARG", "NH1"), ("ARG", "NH2")) else 109.5


# ----------------------------------------------------------------------------- contexts
class _DonorHydrogens:
    """The hydrogens of a donor, shared by :class:`ProteinContext` and :class:`LigandContext` (each gives
    ``file_h``, ``h_model``, ``model_h`` and ``_staggered_set``)."""

    file_h: dict[int, np.ndarray]
    h_model: str

    def hydrogens(self, j: int, target: np.ndarray) -> list[np.ndarray]:
        """Every modelled hydrogen of donor ``j`` (one per hydrogen under ``h_model="staggered"``).

        Hydrogens written in the file come first. ``"best"``: the one hydrogen
        of ``model_h``. ``"staggered"``: a donor with one heavy neighbour gets
        all its hydrogens as Open Babel places them (:func:`_staggered_hs`: two
        for NH2 and Lys NZ, one for OH), others the one of ``model_h``. Empty
        without heavy neighbours.
        """
        if j in self.file_h:
            return list(self.file_h[j])
        if self.h_model == "staggered":
            hs = self._staggered_set(j, target)  # type: ignore[attr-defined]  # each context defines it
            if hs:
                return hs
        h = self.model_h(j, target)  # type: ignore[attr-defined]
        return [] if h is None else [h]


class ProteinContext(_DonorHydrogens):
    """Protein heavy atoms within ``reach`` Å of a ligand, typed once for every detector.

    Parameters
    ----------
    structure
        The loaded structure.
    ligand_xyz
        Ligand heavy-atom coordinates (Å).
    reach
        Radius (Å) around the ligand atoms.
    ph
        pH for the charged groups (:func:`~toolkit.sites.protonation.protein_group_charged`).
    his_positive
        Force histidine positive (True, PLIP's convention) or neutral (False);
        None = by its pKa at ``ph``.
    exclude
        Atom indices never taken as partners (the ligand itself).
    termini
        Charge the chain termini by their pKa (default); False: never (PLIP's convention).
    """

    def __init__(
        self, structure: Structure, ligand_xyz: np.ndarray, reach: float, ph: float = 7.4,
        his_positive: bool | None = None, exclude: np.ndarray | None = None, termini: bool = True,
    ) -> None:  # fmt: skip
        from ._common import heavy_mask, protein_tree
        from .protonation import protein_group_charged

        self.s = structure
        prot_all, tree = protein_tree(structure)
        near = sorted({j for lst in tree.query_ball_point(ligand_xyz, reach) for j in lst})
        idx = prot_all[np.asarray(near, dtype=np.int64)]
        a = structure.atoms
        self.idx = idx
        self.xyz = structure.coord[idx].astype(float)
        self.name = a["atom_name"][idx].astype(str)
        self.res = a["res_name"][idx].astype(str)
        self.resi = structure.residue_index[idx]
        self.el = a["element"][idx].astype(str)
        self._tree: Any = None
        #: hydrogen model of rotatable donors: "best" (best rotamer) or "staggered" (Open Babel's placement)
        self.h_model = "best"
        #: PLIP's halogen-bond acceptors (any O/N/S with exactly one heavy neighbour) instead of the H-bond acceptors
        self.plip_halogen_acceptors = False
        #: context index -> coordinates of extra heavy neighbours (a ligand atom covalently bonded to it)
        self.extra_neighbours: dict[int, np.ndarray] = {}
        #: Asp/Glu OH donors of convention="plip" (context index) -> coordinates of their C=O oxygen
        self.acid_partner: dict[int, np.ndarray] = {}
        n, r = self.name, self.res
        self.is_donor = np.array([(x == _BACKBONE_DONOR and y != "PRO") or x in PROTEIN_DONORS.get(y, ()) for x, y in zip(n, r)], dtype=bool)
        self.is_acceptor = np.array([x in _BACKBONE_ACCEPTORS or x in PROTEIN_ACCEPTORS.get(y, ()) for x, y in zip(n, r)], dtype=bool)
        polar_c = np.array([x in _POLAR_CARBONS["*"] or x in _POLAR_CARBONS.get(y, ()) for x, y in zip(n, r)], dtype=bool)
        self.is_hydrophobic = (self.el == "C") & ~polar_c
        self.is_metal_binder = np.array(
            [x == "O" or x in PROTEIN_METAL_BINDERS.get(y, ()) for x, y in zip(n, r)], dtype=bool
        )
        # charged groups and rings of the residues in reach
        self.cations: list[tuple[int, str, np.ndarray]] = []
        self.anions: list[tuple[int, str, np.ndarray]] = []
        self.rings: list[tuple[int, str, np.ndarray, np.ndarray]] = []
        his = protein_group_charged("HIS", ph) if his_positive is None else bool(his_positive)
        for resi in np.unique(self.resi).tolist():
            names = self.atoms_of(resi)
            rn = str(a["res_name"][structure.residue_starts[resi]])
            for table, out, ok in (
                (PROTEIN_CATIONS, self.cations, lambda g: his if g == "HIS" else protein_group_charged(g, ph)),
                (PROTEIN_ANIONS, self.anions, lambda g: protein_group_charged(g, ph)),
            ):
                grp = table.get(rn)
                if grp and ok(rn):
                    have = [k for k in grp if k in names]
                    if have:
                        gi = [names[k] for k in have]
                        out.append((gi[0], ";".join(have), structure.coord[gi].astype(float).mean(axis=0)))
            if termini and "OXT" in names and protein_group_charged("CTERM", ph):
                gi = [names[k] for k in ("O", "OXT") if k in names]
                self.anions.append((gi[-1], "O;OXT" if len(gi) == 2 else "OXT", structure.coord[gi].astype(float).mean(axis=0)))
            if termini and "N" in names and self._is_n_terminus(resi) and protein_group_charged("NTERM", ph):
                self.cations.append((names["N"], "N", structure.coord[names["N"]].astype(float)))
            for ring in PROTEIN_RINGS.get(rn, ()):
                if all(k in names for k in ring):
                    gi = [names[k] for k in ring]
                    c, nrm = _ring_geometry(structure.coord[gi].astype(float))
                    self.rings.append((gi[0], ";".join(ring), c, nrm))
        # hydrogens written in the file (protonated or NMR entries): context index -> their coordinates
        heavy = heavy_mask(structure)
        self.file_h: dict[int, np.ndarray] = {}
        if len(self.idx) and not heavy.all():
            # (a file may list the hydrogens apart from their residue's heavy atoms: match by chain and number)
            hs = np.flatnonzero(~heavy & structure.polymer_mask)
            if hs.size:
                from ._common import NeighbourIndex

                dmin, near_j = NeighbourIndex(self.xyz).query(structure.coord[hs].astype(float))
                owner: dict[int, list[np.ndarray]] = {}
                cid, rid = a["chain_id"], a["res_id"]
                for h, dd, j in zip(hs.tolist(), np.atleast_1d(dmin).tolist(), np.atleast_1d(near_j).tolist()):
                    g = int(self.idx[j])
                    if dd < _XH_MAX and cid[h] == cid[g] and rid[h] == rid[g]:
                        owner.setdefault(int(j), []).append(structure.coord[h].astype(float))
                self.file_h = {j: np.asarray(v) for j, v in owner.items()}
        # waters (oxygen) and metal ions in reach
        wmask = np.isin(a["res_name"], ("HOH", "WAT", "DOD")) & heavy
        if exclude is not None and len(exclude):
            wmask[exclude] = False
        w = np.flatnonzero(wmask)
        if w.size:
            d = np.min(np.linalg.norm(structure.coord[w][:, None, :] - ligand_xyz[None, :, :], axis=2), axis=1)
            w = w[d <= reach]
        self.water_idx = w
        self.water_xyz = structure.coord[w].astype(float)
        # a protein N or S coordinating a metal ion (any metal of the file, the ligand's included) gives its
        # lone pair to the metal and carries no hydrogen: no hydrogen-bond donor or acceptor (His NE2 of a Zn
        # site); distance as the metal complexes (Harding 2001, < 3.0 Å)
        metals, self._metal_rad = metal_sites(structure)
        self._metal_xyz = metals
        if len(metals) and len(self.idx):
            ns = np.flatnonzero(np.isin(self.el, ("N", "S")) & (self.is_donor | self.is_acceptor))
            if ns.size:
                dm = np.min(np.linalg.norm(self.xyz[ns][:, None, :] - metals[None, :, :], axis=2), axis=1)
                bound = ns[dm < METAL_BOUND_MAX]
                self.is_donor[bound] = False
                self.is_acceptor[bound] = False
                self._metal_bound = bound

    def use_plip_typing(self) -> None:
        """Type protein donors/acceptors as Open Babel does for PLIP 3.0.1 (:data:`PLIP_PROTEIN_TYPING`).

        Called by ``interactions(..., convention="plip")``; atoms bound to a
        metal stay neither donor nor acceptor.
        """
        bound = set(getattr(self, "_metal_bound", np.zeros(0, dtype=np.int64)).tolist())
        if self.file_h:
            # hydrogens written in the file: Open Babel keeps them; an N or O carrying one is a donor, an O
            # stays an acceptor, an N carrying one is no acceptor when sp2 (amide, guanidinium, ring N-H) or
            # sp3 with four neighbours (Open Babel 3 ``OBAtom::IsHbondAcceptor``, src/atom.cpp): an amine
            # with three (Lys NZ or an N-terminus written as NH2) stays an acceptor
            for j in range(len(self.idx)):
                if j in bound or self.el[j] not in ("N", "O"):
                    continue
                has_h = j in self.file_h
                self.is_donor[j] = has_h
                amine = (self.res[j], self.name[j]) == ("LYS", "NZ") or (
                    self.name[j] == "N" and len(self.neighbour_xyz(int(self.idx[j]), self.res[j], "N")) == 1
                )
                sp3_three = has_h and amine and len(self.file_h[j]) == 2
                self.is_acceptor[j] = self.el[j] == "O" or sp3_three or (not has_h and self.is_acceptor[j])
            return
        for j, (rn, nm) in enumerate(zip(self.res.tolist(), self.name.tolist())):
            typing = PLIP_PROTEIN_TYPING.get((rn, nm))
            if typing is not None and j not in bound:
                self.is_donor[j], self.is_acceptor[j] = typing
        self._plip_carboxylic_acids()

    def _plip_carboxylic_acids(self) -> None:
        """Asp/Glu as Open Babel perceives them from a PDB file: one O double-bonded, the other an OH.

        PLIP 3.0.1 reads the file with single bonds only and calls
        ``OBMol::PerceiveBondOrders`` (Open Babel 3, ``src/mol.cpp``), whose
        functional-group pass (``OBBondTyper::AssignFunctionalGroupBonds``,
        ``src/bondtyper.cpp``, rule ``[#6D3^2]([#8D1])([#8])*  0 1 2 0 2 1`` of
        ``data/bondtyp.txt``) makes the C=O bond to the first terminal O in the
        carboxyl carbon's bond list and leaves the other single; hydrogen
        addition then puts an H on it (an OH donor, still an acceptor). The
        bond list comes from ``OBMol::ConnectTheDots``, which walks the atoms
        sorted by z: the carbon's neighbours come in ascending z, so the O of
        lower z is the C=O (checked on every Asp/Glu of the mirror's complexes
        with Open Babel 3.1). An O bonded to a metal (``ConnectTheDots``: distance
        below the covalent radii + 0.45 Å) is not terminal: it carries no H and
        accepts nothing, and the other O is the C=O. The hydrogen lies in the
        carboxyl plane, anti to the C=O (X-D-H 120°), as Open Babel's builder
        places it.
        """
        pos = {int(g): j for j, g in enumerate(self.idx.tolist())}
        done: set[int] = set()
        for j in range(len(self.idx)):
            rn = self.res[j]
            if rn not in PROTEIN_ANIONS or int(self.resi[j]) in done:
                continue
            resi = int(self.resi[j])
            done.add(resi)
            names = self.atoms_of(resi)
            ox = [names[k] for k in PROTEIN_ANIONS[rn] if k in names]
            if len(ox) != 2:
                continue
            free = [g for g in ox if not self._bonded_to_metal(self.s.coord[g].astype(float))]
            for g in ox:
                if g not in free and g in pos:
                    self.is_donor[pos[g]] = self.is_acceptor[pos[g]] = False
            if len(free) != 2:
                continue
            lo, hi = sorted(free, key=lambda g: float(self.s.coord[g][2]))
            if hi in pos:
                self.is_donor[pos[hi]] = True
                self.acid_partner[pos[hi]] = self.s.coord[lo].astype(float)

    def _bonded_to_metal(self, xyz: np.ndarray) -> bool:
        """An O bonded to a metal ion by Open Babel's ``ConnectTheDots`` rule (d < r_metal + r_O + 0.45 Å)."""
        if not len(self._metal_xyz):
            return False
        d = np.linalg.norm(self._metal_xyz - xyz, axis=1)
        return bool(np.any(d < self._metal_rad + _COVALENT_RADIUS["O"] + 0.45))

    @property
    def tree(self) -> Any:
        if self._tree is None:
            from ._common import NeighbourIndex

            self._tree = NeighbourIndex(self.xyz)
        return self._tree

    def atoms_of(self, resi: int) -> dict[str, int]:
        """Atom name -> structure index, for one residue."""
        s = self.s
        start = s.residue_starts[resi]
        end = s.residue_starts[resi + 1] if resi + 1 < len(s.residue_starts) else s.n_atoms
        return {str(nm): start + k for k, nm in enumerate(s.atoms["atom_name"][start:end])}

    def _is_n_terminus(self, resi: int) -> bool:
        """First residue of its chain's sequence (``label_seq`` 1); unknown numbering -> False."""
        g = self.s.residue_starts[resi]
        return int(self.s.atoms["label_seq"][g]) == 1

    def model_h(self, j: int, target: np.ndarray) -> np.ndarray | None:
        """Modelled hydrogen of protein donor ``j`` (index into this context) pointing at ``target``.

        A hydrogen written in the file is used as it is (the one closest to ``target``).
        """
        if j in self.file_h:
            hs = self.file_h[j]
            return hs[int(np.argmin(np.linalg.norm(hs - target, axis=1)))]
        res, name = self.res[j], self.name[j]
        nbs = self.neighbour_xyz(int(self.idx[j]), res, name)
        if j in self.extra_neighbours:
            nbs = np.vstack([nbs, self.extra_neighbours[j]])
        xdh = _xdh_of_protein(res, name)
        # one heavy neighbour: Open Babel's placement (staggered), or for a planar (sp2) NH2 its two
        # in-plane positions (no free rotation about a C-N bond with partial double-bond character)
        if len(nbs) == 1 and (self.h_model == "staggered" or xdh > 115.0):
            hs = self._staggered_set(j, target)
            if hs:
                return hs[int(np.argmin([np.linalg.norm(h - target) for h in hs]))]
        return _model_h(self.xyz[j], nbs, target, xdh)

    def _staggered_set(self, j: int, target: np.ndarray) -> list[np.ndarray]:
        """Hydrogens of :func:`_staggered_hs` for a donor with one heavy neighbour, else []."""
        res, name = self.res[j], self.name[j]
        nbs = self.neighbour_xyz(int(self.idx[j]), res, name)
        if j in self.extra_neighbours:
            nbs = np.vstack([nbs, self.extra_neighbours[j]])
        if len(nbs) != 1:
            return []
        if j in self.acid_partner:  # carboxylic acid OH: in plane, anti to the C=O
            return _staggered_hs(self.xyz[j], nbs[0], self.acid_partner[j][None, :], 120.0, 1)
        # Open Babel's bond list of X for a residue without CONECT records: ConnectTheDots adds the bonds
        # over the atoms sorted by z, so X's neighbours come in ascending z (the last is the highest)
        near = self.tree.query_ball_point(nbs[0], 1.9)
        ys = sorted((self.xyz[k] for k in near if np.linalg.norm(self.xyz[k] - self.xyz[j]) > 0.1
                     and np.linalg.norm(self.xyz[k] - nbs[0]) > 0.1), key=lambda v: float(v[2]))  # fmt: skip
        n_h = 1 if name in ("OG", "OG1", "OH", "SG") else 2
        return _staggered_hs(self.xyz[j], nbs[0], np.asarray(ys, dtype=float).reshape(-1, 3),
                             _xdh_of_protein(res, name), n_h)  # fmt: skip

    def neighbour_xyz(self, gi: int, res: str, name: str) -> np.ndarray:
        """Coordinates of the heavy-atom neighbours of protein atom ``gi`` (from the tables)."""
        s = self.s
        nb = _NEIGHBOURS.get((res, name)) or _NEIGHBOURS.get(("*", name)) or ()
        resi = int(s.residue_index[gi])
        here = self.atoms_of(resi)
        out = []
        for k in nb:
            if k == "-C":
                if resi > 0:
                    j = self.atoms_of(resi - 1).get("C")
                    if j is not None and s.atoms["chain_id"][j] == s.atoms["chain_id"][gi]:
                        if np.linalg.norm(s.coord[j] - s.coord[gi]) < 2.0:
                            out.append(s.coord[j])
            elif k in here:
                out.append(s.coord[here[k]])
        return np.asarray(out, dtype=float).reshape(-1, 3)


def _is_amide_n(at: Any) -> bool:
    """N bonded to a carbon that carries C=O, C=S or C=N (amide, thioamide, urea, amidine, guanidine):
    its lone pair is conjugated, so it is no hydrogen-bond acceptor."""
    for nb in at.GetNeighbors():
        if nb.GetSymbol() != "C":
            continue
        for b in nb.GetBonds():
            other = b.GetOtherAtom(nb)
            if b.GetBondTypeAsDouble() == 2 and other.GetSymbol() in ("O", "S", "N") and other.GetIdx() != at.GetIdx():
                return True
    return False


class LigandContext(_DonorHydrogens):
    """A ligand instance typed once: RDKit molecule in its charge state, atoms, groups and rings.

    ``groups`` (charged groups) come from a :class:`~toolkit.sites.protonation.ChargeState`;
    without one, atoms with a formal charge are the groups (the CCD's own charges).
    """

    def __init__(self, mol: Any, state: ChargeState | None = None) -> None:
        self.mol = mol
        self.state = state
        #: hydrogen model of rotatable donors: "best" (best rotamer) or "staggered" (Open Babel's placement)
        self.h_model = "best"
        #: ligand atom -> hydrogens written in the file (:meth:`attach_file_hydrogens`)
        self.file_h: dict[int, np.ndarray] = {}
        atoms = list(mol.GetAtoms())
        self.idx = np.array([at.GetIntProp("atom_index") for at in atoms], dtype=np.int64)
        self.names = [at.GetProp("atom_name") for at in atoms]
        self.xyz = mol.GetConformer().GetPositions()
        self.elements = [at.GetSymbol() for at in atoms]
        donors, acceptors, hydroph, halogens, metals, binders = [], [], [], [], [], []
        for at in atoms:
            i, sym, q = at.GetIdx(), at.GetSymbol(), at.GetFormalCharge()
            nbs = [n.GetSymbol() for n in at.GetNeighbors()]
            if sym == "C" and set(nbs) <= {"C"}:  # PLIP: carbon bonded to carbon/hydrogen only
                hydroph.append(i)
            if sym in ("F", "Cl", "Br", "I") and "C" in nbs:
                halogens.append(i)
            if sym.upper() in METAL_ELEMENTS:
                metals.append(i)
            if sym in ("N", "O") and at.GetTotalNumHs() > 0:
                donors.append(i)
            metal_bound = any(n.GetSymbol().upper() in METAL_ELEMENTS for n in at.GetNeighbors())
            if metal_bound:  # a lone pair given to a metal accepts no hydrogen bond
                pass
            elif sym == "O" and q <= 0:
                acceptors.append(i)
            elif sym == "N" and q <= 0 and at.GetTotalNumHs() == 0 and not at.GetIsAromatic():
                if not _is_amide_n(at):
                    acceptors.append(i)
            elif sym == "N" and q <= 0 and at.GetIsAromatic() and at.GetTotalNumHs() == 0 and at.GetDegree() == 2:
                acceptors.append(i)
            elif sym == "N" and q == 0 and at.GetTotalNumHs() > 0 and not at.GetIsAromatic():
                if all(b.GetBondTypeAsDouble() == 1 for b in at.GetBonds()) and not any(
                    n.GetIsAromatic() for n in at.GetNeighbors()
                ) and not _is_amide_n(at):
                    acceptors.append(i)
            if (sym in ("O", "N", "S") and q <= 0 and not at.GetIsAromatic()) or (sym == "N" and at.GetIsAromatic()):
                binders.append(i)
        self.donors, self.acceptors, self.hydrophobic = donors, acceptors, hydroph
        self.halogens, self.metals, self.metal_binders = halogens, metals, binders
        ri = mol.GetRingInfo()
        self.rings = []
        for r in ri.AtomRings():
            if all(mol.GetAtomWithIdx(k).GetIsAromatic() for k in r):
                c, nrm = _ring_geometry(self.xyz[list(r)])
                self.rings.append((";".join(self.names[k] for k in r), c, nrm))
        self.cations: list[tuple[str, np.ndarray]] = []
        self.anions: list[tuple[str, np.ndarray]] = []
        #: charged-group label -> names of its atoms (charged atoms, centre and the centre's O/N neighbours)
        self.group_members: dict[str, set[str]] = {}
        if state is not None:
            for g in state.groups:
                centre = self.xyz[list(g.centre)].mean(axis=0)
                label = ";".join(self.names[k] for k in (g.centre if g.charge < 0 and len(g.centre) > 1 else g.atoms))
                (self.cations if g.charge > 0 else self.anions).append((label, centre))
                mem = set(g.atoms) | set(g.centre)
                for c in g.centre:
                    mem |= {n.GetIdx() for n in mol.GetAtomWithIdx(c).GetNeighbors() if n.GetSymbol() in ("O", "N")}
                self.group_members[label] = {self.names[k] for k in mem}
        else:
            for at in atoms:
                if at.GetSymbol().upper() in METAL_ELEMENTS:
                    continue
                q = at.GetFormalCharge()
                if q:
                    (self.cations if q > 0 else self.anions).append((self.names[at.GetIdx()], self.xyz[at.GetIdx()]))

    def attach_file_hydrogens(self, structure: Structure, retype: bool = False) -> None:
        """Use the ligand's hydrogens written in the file (protonated or NMR entries), if any.

        Each hydrogen of the ligand's residue belongs to the heavy atom within
        :data:`_XH_MAX` Å; :meth:`hydrogens` and :meth:`model_h` then return
        those positions. ``retype``: an N or O is a donor exactly when it
        carries one (how Open Babel types a file with hydrogens, PLIP's
        convention); otherwise the donors stay those of the template.
        """
        a = structure.atoms
        g0 = int(self.idx[0])
        same = (a["chain_id"] == a["chain_id"][g0]) & (a["res_id"] == a["res_id"][g0]) & (a["res_name"] == a["res_name"][g0])
        hs = np.flatnonzero(same & ~structure.heavy_mask)
        self.file_h: dict[int, np.ndarray] = {}
        if not hs.size:
            return
        hxyz = structure.coord[hs].astype(float)
        d = np.linalg.norm(hxyz[:, None, :] - self.xyz[None, :, :], axis=2)
        owner: dict[int, list[np.ndarray]] = {}
        for k, i in enumerate(np.argmin(d, axis=1).tolist()):
            if d[k, i] < _XH_MAX:
                owner.setdefault(int(i), []).append(hxyz[k])
        self.file_h = {i: np.asarray(v) for i, v in owner.items()}
        if retype and self.file_h:
            # Open Babel keeps the written hydrogens and AddPolarHydrogens completes the valence of the atoms
            # whose hydrogens are not written (a non-aromatic donor of the template stays one); an aromatic N
            # is a donor exactly when it carries a written H, else (two ring neighbours) a pyridine-type acceptor
            donors, acc = [], set(self.acceptors)
            for i, el in enumerate(self.elements):
                if el not in ("N", "O"):
                    continue
                at = self.mol.GetAtomWithIdx(i)
                if el == "N" and at.GetIsAromatic():
                    if i in self.file_h:
                        donors.append(i)
                        acc.discard(i)
                    elif at.GetDegree() == 2:
                        acc.add(i)
                elif i in self.file_h or i in self.donors:
                    donors.append(i)
            self.donors, self.acceptors = donors, sorted(acc)

    def xdh(self, i: int) -> float:
        """X-D-H angle of ligand donor ``i`` from its hybridisation (sp2 120°, otherwise 109.5°)."""
        from rdkit.Chem import HybridizationType

        hyb = self.mol.GetAtomWithIdx(i).GetHybridization()
        return 120.0 if hyb == HybridizationType.SP2 else 109.5

    def model_h(self, i: int, target: np.ndarray) -> np.ndarray | None:
        """Modelled hydrogen of ligand donor ``i`` pointing at ``target`` (see :class:`ProteinContext`)."""
        if i in self.file_h:
            hs = self.file_h[i]
            return hs[int(np.argmin(np.linalg.norm(hs - target, axis=1)))]
        nbs = self.neighbour_xyz(i)
        xdh = self.xdh(i)
        if len(nbs) == 1 and (self.h_model == "staggered" or xdh > 115.0):
            hs = self._staggered_set(i, target, in_plane=self.h_model != "staggered")
            if hs:
                return hs[int(np.argmin([np.linalg.norm(h - target) for h in hs]))]
        return _model_h(self.xyz[i], nbs, target, xdh)

    def _staggered_set(self, i: int, target: np.ndarray, in_plane: bool = False) -> list[np.ndarray]:
        """Hydrogens of :func:`_staggered_hs` for a donor with one heavy neighbour, else [].

        ``in_plane``: both in-plane positions (syn and anti) of an sp2 donor, whatever its hydrogen count.
        """
        nbs = self.neighbour_xyz(i)
        if len(nbs) != 1:
            return []
        at = self.mol.GetAtomWithIdx(i)
        x = at.GetNeighbors()[0]
        ys = [self.xyz[k] for k in sorted((n.GetIdx() for n in x.GetNeighbors() if n.GetIdx() != i),
                                          key=lambda k: int(self.idx[k]))]  # fmt: skip
        return _staggered_hs(self.xyz[i], nbs[0], np.asarray(ys, dtype=float).reshape(-1, 3), self.xdh(i),
                             2 if in_plane else at.GetTotalNumHs())  # fmt: skip

    def neighbour_xyz(self, i: int) -> np.ndarray:
        at = self.mol.GetAtomWithIdx(i)
        return np.array([self.xyz[n.GetIdx()] for n in at.GetNeighbors()], dtype=float).reshape(-1, 3)


# ----------------------------------------------------------------------------- detectors
class Detector:
    """Base class: thresholds are constructor arguments; :meth:`detect` returns rows.

    Subclasses set ``type`` (the value of the ``type`` column) and
    ``defaults`` (threshold name -> PLIP default).
    """

    type: ClassVar[str] = ""
    defaults: ClassVar[dict[str, float]] = {}

    def __init__(self, **thresholds: float) -> None:
        from ..errors import InvalidParameter

        bad = sorted(set(thresholds) - set(self.defaults))
        if bad:
            raise InvalidParameter(f"{type(self).__name__}: unknown threshold(s) {bad}; known {sorted(self.defaults)}")
        for k, v in {**self.defaults, **thresholds}.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise InvalidParameter(f"{type(self).__name__}: {k} must be a number >= 0, got {v!r}")
            setattr(self, k, float(v))

    @property
    def reach(self) -> float:
        """Largest distance this detector looks at (Å)."""
        return max((v for k, v in vars(self).items() if k.endswith("dist_max")), default=0.0)

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)}" for k in self.defaults)
        return f"{type(self).__name__}({args})"


class Hydrophobic(Detector):
    """Carbon bonded only to carbon/hydrogen, ligand to protein, <= 4.0 Å (PLIP's hydrophobic atoms).

    One row per (ligand atom, residue): the closest protein atom (PLIP keeps one contact per pair).
    Pairs of atoms of two rings that stack are removed by :func:`~toolkit.sites.interactions.interactions`
    (PLIP: stacked rings make no additional hydrophobic contact).
    """

    type = "hydrophobic"
    defaults = {"min_dist": 0.5, "hydrophobic_dist_max": 4.0}

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for li in lig.hydrophobic:
            for j in prot.tree.query_ball_point(lig.xyz[li], self.hydrophobic_dist_max):
                if not prot.is_hydrophobic[j]:
                    continue
                d = float(np.linalg.norm(lig.xyz[li] - prot.xyz[j]))
                key = (li, int(prot.resi[j]))
                if d >= self.min_dist and (key not in best or d < best[key][0]):
                    best[key] = (d, j)
        return [
            _row(self.type, prot.idx[j], lig.names[li], prot.name[j], d, np.nan, lig.xyz[li], prot.xyz[j])
            for (li, _), (d, j) in best.items()
        ]


class HBond(Detector):
    """Donor to acceptor heavy atoms <= 4.1 Å, D-H...A angle >= 100° (PLIP).

    Files without hydrogens: the hydrogen is modelled from the donor's
    heavy-atom neighbours (:func:`_donor_angle`: fixed for two or more
    neighbours, the best rotamer for one neighbour); donors without heavy
    neighbours (water, NH4+) pass the angle test.
    """

    type = "hbond"
    defaults = {"min_dist": 0.5, "hbond_dist_max": 4.1, "hbond_don_angle_min": 100.0}

    def _ok(self, ang: float) -> bool:
        return bool(np.isnan(ang) or ang >= self.hbond_don_angle_min)

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for li in lig.donors:
            for j in prot.tree.query_ball_point(lig.xyz[li], self.hbond_dist_max):
                if not prot.is_acceptor[j]:
                    continue
                d = float(np.linalg.norm(lig.xyz[li] - prot.xyz[j]))
                h = lig.model_h(li, prot.xyz[j])
                ang = float("nan") if h is None else _angle(lig.xyz[li] - h, prot.xyz[j] - h)
                if d >= self.min_dist and self._ok(ang):
                    rows.append(_row(self.type, prot.idx[j], lig.names[li], prot.name[j], d, ang, lig.xyz[li],
                                     prot.xyz[j], "ligand donor"))  # fmt: skip
        for li in lig.acceptors:
            for j in prot.tree.query_ball_point(lig.xyz[li], self.hbond_dist_max):
                if not prot.is_donor[j]:
                    continue
                d = float(np.linalg.norm(lig.xyz[li] - prot.xyz[j]))
                h = prot.model_h(j, lig.xyz[li])
                ang = float("nan") if h is None else _angle(prot.xyz[j] - h, lig.xyz[li] - h)
                if d >= self.min_dist and self._ok(ang):
                    rows.append(_row(self.type, prot.idx[j], lig.names[li], prot.name[j], d, ang, lig.xyz[li],
                                     prot.xyz[j], "protein donor"))  # fmt: skip
        return rows


class SaltBridge(Detector):
    """Centres of opposite charged groups <= 5.5 Å (PLIP; groups of both partners at the pH)."""

    type = "salt_bridge"
    defaults = {"min_dist": 0.5, "salt_bridge_dist_max": 5.5}

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for lgroups, pgroups, what in ((lig.cations, prot.anions, "ligand +"), (lig.anions, prot.cations, "ligand -")):
            for lname, lc in lgroups:
                for gi, pname, pc in pgroups:
                    d = float(np.linalg.norm(lc - pc))
                    if self.min_dist <= d <= self.salt_bridge_dist_max:
                        rows.append(_row(self.type, gi, lname, pname, d, np.nan, lc, pc, what))
        return rows


class PiStacking(Detector):
    """Aromatic ring centroids <= 5.5 Å, normals within 30° of parallel or T, offset <= 2.0 Å (PLIP)."""

    type = "pi_stacking"
    defaults = {"min_dist": 0.5, "pistack_dist_max": 5.5, "pistack_ang_dev": 30.0, "pistack_offset_max": 2.0}

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for lname, lc, ln in lig.rings:
            for gi, pname, pc, pn in prot.rings:
                d = float(np.linalg.norm(lc - pc))
                if not (self.min_dist <= d <= self.pistack_dist_max):
                    continue
                ang = _angle(ln, pn)
                ang = min(ang, 180.0 - ang)
                off = min(_offset(pc, lc, ln), _offset(lc, pc, pn))
                kind = "P" if ang <= self.pistack_ang_dev else ("T" if abs(ang - 90.0) <= self.pistack_ang_dev else "")
                if kind and off <= self.pistack_offset_max:
                    rows.append(_row(self.type, gi, lname, pname, d, ang, lc, pc, kind))
        return rows


class CationPi(Detector):
    """Cation (group centre) to aromatic ring centroid <= 6.0 Å, offset <= 2.0 Å (PLIP)."""

    type = "cation_pi"
    defaults = {"min_dist": 0.5, "pication_dist_max": 6.0, "pistack_offset_max": 2.0}

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for lname, lc in lig.cations:
            for gi, pname, pc, pn in prot.rings:
                d = float(np.linalg.norm(lc - pc))
                if self.min_dist <= d <= self.pication_dist_max and _offset(lc, pc, pn) <= self.pistack_offset_max:
                    rows.append(_row(self.type, gi, lname, pname, d, np.nan, lc, pc, "ligand cation"))
        for lname, lc, ln in lig.rings:
            for gi, pname, pc in prot.cations:
                d = float(np.linalg.norm(lc - pc))
                if self.min_dist <= d <= self.pication_dist_max and _offset(pc, lc, ln) <= self.pistack_offset_max:
                    rows.append(_row(self.type, gi, lname, pname, d, np.nan, lc, pc, "protein cation"))
        return rows


class Halogen(Detector):
    """C-X...A: X...A <= 4.0 Å, C-X...A = 165 ± 30°, X...A-Y = 120 ± 30° (PLIP)."""

    type = "halogen"
    defaults = {
        "min_dist": 0.5, "halogen_dist_max": 4.0, "halogen_acc_angle": 120.0, "halogen_don_angle": 165.0,
        "halogen_angle_dev": 30.0,
    }  # fmt: skip

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for li in lig.halogens:
            at = lig.mol.GetAtomWithIdx(li)
            cxyz = next(lig.xyz[n.GetIdx()] for n in at.GetNeighbors() if n.GetSymbol() == "C")
            for j in prot.tree.query_ball_point(lig.xyz[li], self.halogen_dist_max):
                nbs = prot.neighbour_xyz(int(prot.idx[j]), prot.res[j], prot.name[j])
                if prot.plip_halogen_acceptors:
                    if prot.el[j] not in ("O", "N", "S") or len(nbs) != 1:
                        continue
                elif not prot.is_acceptor[j] or prot.el[j] not in ("O", "N"):
                    continue
                d = float(np.linalg.norm(lig.xyz[li] - prot.xyz[j]))
                don = _angle(cxyz - lig.xyz[li], prot.xyz[j] - lig.xyz[li])
                if abs(don - self.halogen_don_angle) > self.halogen_angle_dev or d < self.min_dist:
                    continue
                if any(
                    abs(_angle(lig.xyz[li] - prot.xyz[j], y - prot.xyz[j]) - self.halogen_acc_angle) <= self.halogen_angle_dev
                    for y in nbs
                ):
                    rows.append(_row(self.type, prot.idx[j], lig.names[li], prot.name[j], d, don, lig.xyz[li], prot.xyz[j]))
        return rows


class WaterBridge(Detector):
    """Ligand polar atom - water O - protein polar atom, each 2.5-4.1 Å, angle at the water 71-140° (PLIP).

    One partner accepts from the water, the other donates to it. As PLIP 3.0.1
    (``detection.water_bridges`` and ``PLInteraction.refine_water_bridges``,
    after Jiang et al. 2005, doi:10.1002/prot.20660):

    1. acceptor-water and donor-water distances within 2.5-4.1 Å (heavy
       atoms); every hydrogen of a donor is a separate candidate
       (:meth:`ProteinContext.hydrogens`), kept when D-H...O(water) > 100°
       (theta);
    2. the angle at the water between the acceptor and the donor's hydrogen
       (omega) strictly within 71-140°;
    3. a donor atom that already makes a direct hydrogen bond makes no water
       bridge (``hbond_donors``);
    4. each (water, acceptor) keeps one bridge, the omega closest to 110°;
    5. each water keeps at most two bridges, those closest to 110°.

    ``plip_order=True`` reproduces step 5 literally as PLIP 3.0.1 codes it:
    the candidates of a water are visited in PLIP's order (ligand acceptors,
    then protein acceptors, each by atom serial), the first two are kept and
    sorted, and a later candidate replaces the second when closer to 110°
    than the value stored for it - where PLIP stores the raw omega, not its
    deviation from 110°, so a replaced entry is later compared by its angle.
    The default keeps the two closest to 110°, as PLIP's docstring states.
    Donors without a heavy neighbour (no modelled hydrogen) pass theta and
    omega is taken at the donor atom.
    """

    type = "water_bridge"
    defaults = {
        "water_bridge_mindist": 2.5, "water_bridge_maxdist": 4.1, "water_bridge_omega_min": 71.0,
        "water_bridge_omega_max": 140.0, "hbond_don_angle_min": 100.0,
    }  # fmt: skip
    #: ideal angle at the water (PLIP's ``refine_water_bridges``: omega = 110°)
    OMEGA_IDEAL: ClassVar[float] = 110.0

    @property
    def reach(self) -> float:
        return 2 * self.water_bridge_maxdist

    def __init__(
        self, hbond_donors: set[tuple[str, int]] | None = None, plip_order: bool = False, **thresholds: float
    ) -> None:
        super().__init__(**thresholds)
        self.hbond_donors = hbond_donors or set()
        self.plip_order = plip_order

    def _donor_side(self, dxyz: np.ndarray, hs: list[np.ndarray], wxyz: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """(point at the donor used for omega, theta) of every hydrogen passing theta."""
        if not hs:
            return [(dxyz, float("nan"))]
        out = []
        for h in hs:
            theta = _angle(dxyz - h, wxyz - h)
            if theta > self.hbond_don_angle_min:
                out.append((h, theta))
        return out

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        if not len(prot.water_idx):
            return []
        lo, hi = self.water_bridge_mindist, self.water_bridge_maxdist
        wmin, wmax = self.water_bridge_omega_min, self.water_bridge_omega_max
        # per water, the candidates in PLIP's order: (acceptor key, donor key, omega, row)
        per_water: dict[int, list[tuple[tuple[str, int], tuple[str, int], float, Row]]] = {}
        lig_order = np.argsort(lig.idx, kind="stable").tolist()  # PLIP visits atoms by serial
        acc_set, don_set = set(lig.acceptors), set(lig.donors)
        lig_acc = [li for li in lig_order if li in acc_set]
        lig_don = [li for li in lig_order if li in don_set]
        for w, wxyz in sorted(zip(prot.water_idx.tolist(), prot.water_xyz), key=lambda t: t[0]):
            wd = {li: float(np.linalg.norm(lig.xyz[li] - wxyz)) for li in set(lig_acc) | set(lig_don)}
            near = sorted(prot.tree.query_ball_point(wxyz, hi), key=lambda j: int(prot.idx[j]))
            pd_ = {j: float(np.linalg.norm(prot.xyz[j] - wxyz)) for j in near}
            near = [j for j in near if pd_[j] >= lo]
            la = [li for li in lig_acc if lo <= wd[li] <= hi]
            ld = [(li, pt) for li in lig_don if lo <= wd[li] <= hi
                  for pt, _ in self._donor_side(lig.xyz[li], lig.hydrogens(li, wxyz), wxyz)]  # fmt: skip
            pa = [j for j in near if prot.is_acceptor[j]]
            pdn = [(j, pt) for j in near if prot.is_donor[j]
                   for pt, _ in self._donor_side(prot.xyz[j], prot.hydrogens(j, wxyz), wxyz)]  # fmt: skip
            cands = []
            wres = f"water HOH {prot.s.atoms['chain_id'][w]}:{int(prot.s.atoms['res_id'][w])}"
            for li in la:  # ligand acceptor, protein donor
                for j, pt in pdn:
                    omega = _angle(lig.xyz[li] - wxyz, pt - wxyz)
                    if wmin < omega < wmax:
                        row = _row(self.type, prot.idx[j], lig.names[li], prot.name[j], pd_[j], omega, lig.xyz[li],
                                   prot.xyz[j], f"protein donor; {wres}, ligand-water {wd[li]:.2f} Å")  # fmt: skip
                        cands.append((("L", li), ("P", int(prot.idx[j])), omega, row))
            for j in pa:  # protein acceptor, ligand donor
                for li, pt in ld:
                    omega = _angle(prot.xyz[j] - wxyz, pt - wxyz)
                    if wmin < omega < wmax:
                        row = _row(self.type, prot.idx[j], lig.names[li], prot.name[j], pd_[j], omega, lig.xyz[li],
                                   prot.xyz[j], f"ligand donor; {wres}, ligand-water {wd[li]:.2f} Å")  # fmt: skip
                        cands.append((("P", int(prot.idx[j])), ("L", li), omega, row))
            if cands:
                per_water[w] = cands
        out: list[Row] = []
        for cands in per_water.values():
            out.extend(self._refine(cands))
        return out

    def _refine(self, cands: list[tuple[tuple[str, int], tuple[str, int], float, Row]]) -> list[Row]:
        """Steps 3-5 of the class docstring for the candidates of one water."""
        ideal = self.OMEGA_IDEAL
        best: dict[tuple[str, int], tuple[float, Row]] = {}  # acceptor -> (omega, row), first seen wins ties
        for acc, don, omega, row in cands:
            if don in self.hbond_donors:
                continue
            if acc not in best or abs(ideal - best[acc][0]) > abs(ideal - omega):
                best[acc] = (omega, row)
        if not self.plip_order:
            return [r for _, r in sorted(best.values(), key=lambda t: abs(ideal - t[0]))[:2]]
        kept: list[tuple[float, Row]] = []  # (stored value, row), as PLIP 3.0.1 keeps them
        for omega, row in best.values():
            dev = abs(ideal - omega)
            if len(kept) < 2:
                kept.append((dev, row))
                if len(kept) == 2:
                    kept.sort(key=lambda t: t[0])
            elif kept[1][0] > dev:
                kept = [kept[0], (omega, row)]  # PLIP stores the raw angle here, not its deviation
        return [r for _, r in kept]


#: Ideal angle signatures of the coordination geometries (PLIP's metal detection, after Harding 2001).
_GEOMETRIES: dict[int, dict[str, list[list[float]]]] = {
    2: {"linear": [[180.0]] * 2},
    3: {"trigonal.planar": [[120.0, 120.0]] * 3, "trigonal.pyramidal": [[109.5, 109.5]] * 3},
    4: {"tetrahedral": [[109.5] * 3] * 4, "square.planar": [[90.0, 90.0, 180.0]] * 4},
    5: {"trigonal.bipyramidal": [[120.0, 120.0, 90.0, 90.0]] * 3 + [[90.0, 90.0, 90.0, 180.0]] * 2,
        "square.pyramidal": [[90.0, 90.0, 90.0, 180.0]] * 4 + [[90.0, 90.0, 90.0, 90.0]]},
    6: {"octahedral": [[90.0, 90.0, 90.0, 90.0, 180.0]] * 6},
}  # fmt: skip


def coordination_geometry(metal: np.ndarray, targets: np.ndarray) -> tuple[str, int, list[int]]:
    """(geometry, coordination number, indices of the targets kept) of a metal site.

    For each ideal geometry (coordination numbers 2-6) every ideal angle
    signature is matched greedily to the observed angles seen from one
    target (root of squared deviations); a geometry's score is the mean over
    its signatures; targets not used are excluded. The chosen geometry is
    the one whose coordination number is closest to the observed count among
    those clearly (0.5) better than the next, as in PLIP (Salentin et al.
    2015) after Harding M.M. (2001) Acta Cryst D57:401, doi:10.1107/S0907444900019168.
    With one target the geometry is "NA".

    >>> ang = np.radians([0, 120, 240])
    >>> coordination_geometry(np.zeros(3), np.c_[np.cos(ang), np.sin(ang), np.zeros(3)] * 2.1)
    ('trigonal.planar', 3, [0, 1, 2])
    """
    n = len(targets)
    if n <= 1:
        return "NA", n, list(range(n))
    vec = np.asarray(targets, dtype=float) - np.asarray(metal, dtype=float)
    u = vec / np.linalg.norm(vec, axis=1)[:, None]
    ang = np.degrees(np.arccos(np.clip(u @ u.T, -1.0, 1.0)))
    seen = {t: [ang[t, k] for k in range(n) if k != t] for t in range(n)}
    results = []
    for coo in sorted(_GEOMETRIES, reverse=True):
        for geom, signature in _GEOMETRIES[coo].items():
            used: list[int] = []
            scores = []
            for sub in signature:
                best_t, best_s = None, float("inf")
                for t in range(n):
                    if t in used:
                        continue
                    obs = list(seen[t])
                    devs = []
                    for ideal in sub:
                        if not obs:
                            break
                        k = int(np.argmin([abs(ideal - o) for o in obs]))
                        devs.append(abs(ideal - obs.pop(k)))
                    s = float(np.sqrt(np.sum(np.square(devs))))
                    if s < best_s:
                        best_t, best_s = t, s
                if best_t is not None:
                    used.append(best_t)
                    scores.append(best_s)
            results.append((abs(n - coo), float(np.mean(scores)) if scores else float("inf"), geom, coo, used))
    results.sort(key=lambda r: r[0])
    for i in range(len(results) - 1):
        cur, nxt = results[i], results[i + 1]
        if nxt[1] - cur[1] > 0.5:
            return cur[2], cur[3], sorted(cur[4])
        if nxt[1] < 3.5:
            return nxt[2], nxt[3], sorted(nxt[4])
    return "NA", n, list(range(n))


class MetalComplex(Detector):
    """Metal atom of the ligand to a protein O/N/S binder < 3.0 Å, with PLIP's coordination geometry.

    Binders: side-chain O of Asp/Glu/Ser/Thr/Tyr, His N, Cys S and every
    main-chain O (PLIP); ligand binders and waters count for the geometry
    but only protein partners give rows. Targets that the best-fitting
    geometry leaves out are dropped (:func:`coordination_geometry`); a metal
    bound to water only forms no complex (PLIP).
    """

    type = "metal_complex"
    defaults = {"metal_dist_max": 3.0}

    def detect(self, lig: LigandContext, prot: ProteinContext) -> list[Row]:
        rows = []
        for mi in lig.metals:
            m = lig.xyz[mi]
            targets: list[tuple[str, Any, np.ndarray]] = []
            for j in prot.tree.query_ball_point(m, self.metal_dist_max):
                if prot.is_metal_binder[j] and np.linalg.norm(prot.xyz[j] - m) < self.metal_dist_max:
                    targets.append(("protein", j, prot.xyz[j]))
            for li in lig.metal_binders:
                if li != mi and np.linalg.norm(lig.xyz[li] - m) < self.metal_dist_max:
                    targets.append(("ligand", li, lig.xyz[li]))
            for w, wxyz in zip(prot.water_idx.tolist(), prot.water_xyz):
                if np.linalg.norm(wxyz - m) < self.metal_dist_max:
                    targets.append(("water", w, wxyz))
            if not targets or all(t[0] == "water" for t in targets):
                continue
            geom, coo, kept = coordination_geometry(m, np.array([t[2] for t in targets]))
            for k in kept:
                where, j, xyz = targets[k]
                if where != "protein":
                    continue
                d = float(np.linalg.norm(xyz - m))
                rows.append(_row(self.type, prot.idx[j], lig.names[mi], prot.name[j], d, np.nan, m, xyz,
                                 f"{lig.elements[mi]} {geom}, coordination {coo} ({len(targets)} partners)"))  # fmt: skip
        return rows
