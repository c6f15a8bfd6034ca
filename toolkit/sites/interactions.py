"""Typed protein-ligand interactions on heavy atoms, with PLIP's published geometry.

Cryo-EM entries carry no hydrogens, so every rule works on heavy atoms. The
chemistry of the ligand comes from its RDKit molecule
(:func:`toolkit.chem.templates.ligand_to_mol`: CCD bond orders and charges,
optional amine protonation at a pH); the chemistry of the protein from
residue/atom-name tables (:data:`PROTEIN_DONORS`, :data:`PROTEIN_ACCEPTORS`,
:data:`PROTEIN_CATIONS`, :data:`PROTEIN_ANIONS`, :data:`PROTEIN_RINGS`).

Default thresholds (:class:`Thresholds`) are PLIP's published values:
Salentin S. et al. (2015) PLIP: fully automated protein-ligand interaction
profiler. Nucleic Acids Res 43:W443-W447, doi:10.1093/nar/gkv315; Adasme M.F.
et al. (2021) PLIP 2021: expanding the scope of the protein-ligand
interaction profiler to DNA and RNA. Nucleic Acids Res 49:W530-W534,
doi:10.1093/nar/gkab294 (values as in ``plip.basic.config`` of PLIP 3.0).

Rules (PLIP's, adapted to heavy atoms):

* ``hydrophobic``: ligand carbon (not bonded to N/O) or halogen (Cl, Br, I)
  to protein carbon not bonded to N/O, distance <= 4.0 Å; per residue and
  ligand atom only the closest protein atom is kept (PLIP keeps one contact
  per ligand atom and residue).
* ``hbond``: donor heavy atom to acceptor heavy atom <= 4.1 Å. Without
  hydrogens, the D-H...A angle (PLIP: >= 100°) is replaced by the angle
  between the acceptor and the donor's heavy-atom neighbours: the reported
  angle is the angle at the donor between the acceptor and the mean
  direction of the donor's heavy-atom neighbours (for one neighbour X,
  simply X-D...A); it must be >= 100° (the hydrogen points away from the
  neighbours). Donors without heavy neighbours (water) pass.
* ``salt_bridge``: centroid of a positive group to centroid of a negative
  group <= 5.5 Å. Protein: Lys NZ, Arg NE/NH1/NH2 and His ND1/NE2 (His
  counted as positive like PLIP; switch off with ``his_positive=False``)
  vs Asp OD1/OD2, Glu OE1/OE2 (and C-terminal OXT/O). Ligand: atoms with a
  formal charge (after optional protonation at the given pH).
* ``pi_stacking``: aromatic ring centroids <= 5.5 Å, angle between the ring
  normals within 30° of 0° (parallel) or of 90° (T-shaped), and the offset
  (distance of one centroid from the other ring's normal axis, smaller of
  the two) <= 2.0 Å.
* ``cation_pi``: cation (charged N or group centroid) to aromatic ring
  centroid <= 6.0 Å with offset <= 2.0 Å from the ring normal (PLIP).
* Covalent links: a protein atom closer than :data:`COVALENT_DIST_MAX`
  (2.0 Å) to a ligand heavy atom is bonded to it (the Asn ND2 of an
  N-glycan, a covalent inhibitor) and takes part in no interaction.
* ``halogen``: C-X...A with X in Cl/Br/I/F, A an O/N acceptor with a heavy
  neighbour Y, X...A <= 4.0 Å, angle C-X...A = 165 ± 30° and X...A-Y =
  120 ± 30°.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = [
    "INTERACTION_COLUMNS",
    "INTERACTION_TYPES",
    "COVALENT_DIST_MAX",
    "Thresholds",
    "interactions",
    "PROTEIN_DONORS",
    "PROTEIN_ACCEPTORS",
    "PROTEIN_CATIONS",
    "PROTEIN_ANIONS",
    "PROTEIN_RINGS",
]

INTERACTION_COLUMNS = [
    "entry", "ligand", "ligand_chain", "ligand_res_id", "type", "chain", "subunit", "res_name",
    "auth_seq_id", "uniprot_num", "label", "ligand_atom", "protein_atom", "distance", "angle",
    "lig_x", "lig_y", "lig_z", "prot_x", "prot_y", "prot_z",
]  # fmt: skip

#: Heavy-atom distance (Å) below which a protein atom is taken as covalently bonded to the ligand
#: (C-N/C-O/C-S bonds are 1.4-1.8 Å; non-bonded heavy-atom contacts are >= 2.5 Å).
COVALENT_DIST_MAX = 2.0

INTERACTION_TYPES = ("hydrophobic", "hbond", "salt_bridge", "pi_stacking", "cation_pi", "halogen")


@dataclass(frozen=True)
class Thresholds:
    """Geometric thresholds (Å, degrees); defaults are PLIP's published values.

    Source: Salentin et al. 2015, Nucleic Acids Res 43:W443,
    doi:10.1093/nar/gkv315; Adasme et al. 2021, Nucleic Acids Res 49:W530,
    doi:10.1093/nar/gkab294 (``plip.basic.config``).

    >>> Thresholds().hbond_dist_max
    4.1
    >>> Thresholds.from_any({"hydrophobic_dist_max": 4.5}).hydrophobic_dist_max
    4.5
    """

    min_dist: float = 0.5
    hydrophobic_dist_max: float = 4.0
    hbond_dist_max: float = 4.1
    hbond_don_angle_min: float = 100.0
    salt_bridge_dist_max: float = 5.5
    pistack_dist_max: float = 5.5
    pistack_ang_dev: float = 30.0
    pistack_offset_max: float = 2.0
    pication_dist_max: float = 6.0
    halogen_dist_max: float = 4.0
    halogen_acc_angle: float = 120.0
    halogen_don_angle: float = 165.0
    halogen_angle_dev: float = 30.0
    his_positive: bool = True

    @classmethod
    def from_any(cls, value: Thresholds | dict[str, Any] | None) -> Thresholds:
        """Build from None (defaults), a dict of overrides or a Thresholds."""
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            bad = sorted(set(value) - known)
            if bad:
                raise InvalidParameter(f"unknown threshold(s) {bad}; known: {sorted(known)}")
            out = replace(cls(), **value)
            for k, v in asdict(out).items():
                if k != "his_positive" and not (isinstance(v, (int, float)) and v >= 0):
                    raise InvalidParameter(f"threshold {k} must be a number >= 0, got {v!r}")
            return out
        raise InvalidParameter(f"thresholds must be a dict or Thresholds, got {type(value).__name__}")


# ----------------------------------------------------------------- protein tables
_BACKBONE_DONOR = "N"  # all but proline
_BACKBONE_ACCEPTORS = ("O", "OXT")

#: Side-chain hydrogen-bond donors (residue -> atom names).
PROTEIN_DONORS: dict[str, tuple[str, ...]] = {
    "ARG": ("NE", "NH1", "NH2"), "ASN": ("ND2",), "GLN": ("NE2",), "HIS": ("ND1", "NE2"),
    "LYS": ("NZ",), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",), "TRP": ("NE1",),
    "CYS": ("SG",),
}  # fmt: skip
#: Side-chain hydrogen-bond acceptors (residue -> atom names).
PROTEIN_ACCEPTORS: dict[str, tuple[str, ...]] = {
    "ASP": ("OD1", "OD2"), "GLU": ("OE1", "OE2"), "ASN": ("OD1",), "GLN": ("OE1",),
    "HIS": ("ND1", "NE2"), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",), "MET": ("SD",),
}  # fmt: skip
#: Positively charged groups (each tuple is one group; its centroid is used).
PROTEIN_CATIONS: dict[str, tuple[str, ...]] = {"LYS": ("NZ",), "ARG": ("NE", "NH1", "NH2"), "HIS": ("ND1", "NE2")}
#: Negatively charged groups.
PROTEIN_ANIONS: dict[str, tuple[str, ...]] = {"ASP": ("OD1", "OD2"), "GLU": ("OE1", "OE2")}
#: Aromatic rings (residue -> rings, each a tuple of atom names).
PROTEIN_RINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "PHE": (("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),),
    "TYR": (("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),),
    "TRP": (("CG", "CD1", "NE1", "CE2", "CD2"), ("CD2", "CE2", "CE3", "CZ2", "CZ3", "CH2")),
    "HIS": (("CG", "ND1", "CD2", "CE1", "NE2"),),
}
# Protein carbons bonded to N or O (not hydrophobic).
_POLAR_CARBONS: dict[str, tuple[str, ...]] = {
    "*": ("C", "CA"), "SER": ("CB",), "THR": ("CB",), "TYR": ("CZ",), "ASP": ("CG",), "GLU": ("CD",),
    "ASN": ("CG",), "GLN": ("CD",), "LYS": ("CE",), "ARG": ("CD", "CZ"), "HIS": ("CG", "CD2", "CE1"),
    "TRP": ("CD1", "CE2"), "PRO": ("CD",),
}  # fmt: skip
# Heavy-atom neighbours of donors/acceptors (for the angle proxies).
_NEIGHBOURS: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "N"): ("CA", "-C"), ("*", "O"): ("C",), ("*", "OXT"): ("C",),
    ("ARG", "NE"): ("CD", "CZ"), ("ARG", "NH1"): ("CZ",), ("ARG", "NH2"): ("CZ",),
    ("ASN", "ND2"): ("CG",), ("ASN", "OD1"): ("CG",), ("GLN", "NE2"): ("CD",), ("GLN", "OE1"): ("CD",),
    ("HIS", "ND1"): ("CG", "CE1"), ("HIS", "NE2"): ("CD2", "CE1"), ("LYS", "NZ"): ("CE",),
    ("SER", "OG"): ("CB",), ("THR", "OG1"): ("CB",), ("TYR", "OH"): ("CZ",), ("TRP", "NE1"): ("CD1", "CE2"),
    ("CYS", "SG"): ("CB",), ("ASP", "OD1"): ("CG",), ("ASP", "OD2"): ("CG",), ("GLU", "OE1"): ("CD",),
    ("GLU", "OE2"): ("CD",), ("MET", "SD"): ("CG", "CE"),
}  # fmt: skip


def _angle(v1: np.ndarray, v2: np.ndarray) -> float:
    n1, n2 = np.linalg.norm(v1), np.linalg.norm(v2)
    if n1 == 0 or n2 == 0:
        return float("nan")
    c = float(np.dot(v1, v2) / (n1 * n2))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def _ring_geometry(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroid and unit normal (SVD plane fit) of a ring."""
    c = xyz.mean(axis=0)
    _, _, vt = np.linalg.svd(xyz - c)
    n = vt[2]
    return c, n / np.linalg.norm(n)


def _offset(point: np.ndarray, centre: np.ndarray, normal: np.ndarray) -> float:
    """Distance of ``point``'s projection on the ring plane from the ring centre."""
    d = point - centre
    return float(np.linalg.norm(d - np.dot(d, normal) * normal))


class _Protein:
    """Heavy-atom view of the protein around a ligand, with chemistry typing."""

    def __init__(self, structure: Structure, idx: np.ndarray) -> None:
        a = structure.atoms
        self.s = structure
        self.idx = idx
        self.xyz = structure.coord[idx].astype(float)
        self.name = a["atom_name"][idx].astype(str)
        self.res = a["res_name"][idx].astype(str)
        self.resi = structure.residue_index[idx]
        self.el = a["element"][idx].astype(str)

    def atoms_of(self, resi: int) -> dict[str, int]:
        """Atom name -> full-structure index, for one residue (all heavy atoms)."""
        s = self.s
        start = s.residue_starts[resi]
        end = s.residue_starts[resi + 1] if resi + 1 < len(s.residue_starts) else s.n_atoms
        names = s.atoms["atom_name"][start:end]
        return {str(n): start + k for k, n in enumerate(names)}

    def neighbour_xyz(self, gi: int, res: str, name: str) -> np.ndarray:
        """Coordinates of the heavy-atom neighbours of protein atom ``gi`` (from the tables)."""
        s = self.s
        nb = _NEIGHBOURS.get((res, name)) or _NEIGHBOURS.get(("*", name)) or ()
        resi = int(s.residue_index[gi])
        here = self.atoms_of(resi)
        out = []
        for n in nb:
            if n == "-C":  # previous residue's carbonyl C, if bonded (<= 2 Å)
                if resi > 0:
                    prev = self.atoms_of(resi - 1)
                    j = prev.get("C")
                    if j is not None and s.atoms["chain_id"][j] == s.atoms["chain_id"][gi]:
                        if np.linalg.norm(s.coord[j] - s.coord[gi]) < 2.0:
                            out.append(s.coord[j])
            elif n in here:
                out.append(s.coord[here[n]])
        return np.asarray(out, dtype=float).reshape(-1, 3)


def _is_amide_n(at: Any) -> bool:
    """True for an N bonded to a carbon that carries a C=O or C=S (amide, thioamide, urea)."""
    for nb in at.GetNeighbors():
        if nb.GetSymbol() != "C":
            continue
        for b in nb.GetBonds():
            if b.GetBondTypeAsDouble() == 2 and b.GetOtherAtom(nb).GetSymbol() in ("O", "S"):
                return True
    return False


def _lig_typing(mol: Any) -> dict[str, Any]:
    """Donors, acceptors, hydrophobic atoms, charged atoms and aromatic rings of a ligand mol."""
    donors, acceptors, hydroph, cations, anions, halogens = [], [], [], [], [], []
    for at in mol.GetAtoms():
        i = at.GetIdx()
        sym = at.GetSymbol()
        nbs = [n.GetSymbol() for n in at.GetNeighbors()]
        q = at.GetFormalCharge()
        if sym == "C" and not ({"N", "O"} & set(nbs)):
            hydroph.append(i)
        if sym in ("Cl", "Br", "I"):
            hydroph.append(i)
        if sym in ("F", "Cl", "Br", "I") and "C" in nbs:
            halogens.append(i)
        if sym in ("N", "O") and at.GetTotalNumHs() > 0:
            donors.append(i)
        if sym == "O" and q <= 0:
            acceptors.append(i)
        if sym == "N" and q <= 0 and at.GetTotalNumHs() == 0 and not at.GetIsAromatic():
            # tertiary amine / imine / nitrile N; amide N excluded
            if not _is_amide_n(at):
                acceptors.append(i)
        elif sym == "N" and q <= 0 and at.GetIsAromatic() and at.GetTotalNumHs() == 0 and at.GetDegree() == 2:
            acceptors.append(i)
        elif sym == "N" and q == 0 and at.GetTotalNumHs() > 0 and not at.GetIsAromatic():
            # neutral primary/secondary amines also accept (PLIP/OpenBabel do)
            if all(b.GetBondTypeAsDouble() == 1 for b in at.GetBonds()) and not any(
                n.GetIsAromatic() for n in at.GetNeighbors()
            ):
                acceptors.append(i)
        if q > 0:
            cations.append(i)
        elif q < 0:
            anions.append(i)
    ri = mol.GetRingInfo()
    rings = [list(r) for r in ri.AtomRings() if all(mol.GetAtomWithIdx(k).GetIsAromatic() for k in r)]
    return {
        "donors": donors, "acceptors": acceptors, "hydrophobic": hydroph, "cations": cations,
        "anions": anions, "halogens": halogens, "rings": rings,
    }  # fmt: skip


def interactions(
    structure: Structure,
    ligand: str,
    *,
    chain: str | None = None,
    res_id: int | None = None,
    ph: float = 7.4,
    pka: float | None = None,
    thresholds: Thresholds | dict[str, Any] | None = None,
    smiles: str | None = None,
    mol: Any = None,
) -> pd.DataFrame:
    """Typed interactions between one ligand instance and the protein (heavy atoms).

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    ligand
        CCD code of the ligand (``"JC9"``).
    chain, res_id
        Author chain/number of the instance when the code occurs several times.
    ph, pka
        With ``pka`` given, basic amines are protonated when
        ``1/(1+10**(pH-pKa)) >= 0.5`` (see :mod:`toolkit.chem.templates`);
        with ``pka=None`` the CCD formal charges are used as they are.
    thresholds
        :class:`Thresholds` or a dict of overrides; defaults are PLIP's
        (Salentin et al. 2015, doi:10.1093/nar/gkv315; Adasme et al. 2021,
        doi:10.1093/nar/gkab294).
    smiles
        Template for a ligand absent from the CCD.
    mol
        A ready RDKit molecule from :func:`~toolkit.chem.templates.ligand_to_mol`
        (skips templating).

    Returns
    -------
    pandas.DataFrame
        One row per interaction, columns :data:`INTERACTION_COLUMNS`, sorted by
        type, chain, residue. For ring interactions ``ligand_atom`` /
        ``protein_atom`` are the ';'-joined ring atom names and the
        coordinates are ring centroids; for charged groups, the group
        centroid. ``angle``: donor angle (hbond), ring-normal angle
        (pi_stacking), C-X...A angle (halogen), NaN otherwise.

    Raises
    ------
    LigandNotFound, ComponentNotFound, TemplateMismatch
        See :func:`~toolkit.chem.templates.ligand_to_mol`.
    InvalidParameter
        Bad threshold names or values.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> df = interactions(s, "JC9", pka=7.5)  # doctest: +SKIP
    >>> sorted(set(df["label"][df["type"] == "hydrophobic"]))[:2]  # doctest: +SKIP
    ['GluN1 V644', 'GluN2B L643']
    """
    import pandas as pd
    from scipy.spatial import cKDTree

    from ..chem.templates import ligand_to_mol
    from .contacts import protein_tree

    th = Thresholds.from_any(thresholds)
    if mol is None:
        mol = ligand_to_mol(structure, ligand, chain, res_id, smiles=smiles, ph=ph if pka is not None else None, pka=pka)
    a = structure.atoms
    lig_idx = np.array([at.GetIntProp("atom_index") for at in mol.GetAtoms()], dtype=np.int64)
    lig_names = [at.GetProp("atom_name") for at in mol.GetAtoms()]
    lig_xyz = mol.GetConformer().GetPositions()
    g0 = int(lig_idx[0])
    lig_chain, lig_resid = str(a["chain_id"][g0]), int(a["res_id"][g0])
    typ = _lig_typing(mol)

    prot_all, tree = protein_tree(structure)
    reach = max(th.hydrophobic_dist_max, th.hbond_dist_max, th.salt_bridge_dist_max, th.pistack_dist_max,
                th.pication_dist_max, th.halogen_dist_max) + 3.0  # fmt: skip
    near = sorted({j for lst in tree.query_ball_point(lig_xyz, reach) for j in lst})
    P = _Protein(structure, prot_all[np.asarray(near, dtype=np.int64)])
    rows: list[dict[str, Any]] = []
    subunits = structure.chain_subunits
    unum = structure.uniprot_num

    def add(kind: str, gi: int, lname: str, pname: str, d: float, ang: float, lxyz: Any, pxyz: Any) -> None:
        rows.append({
            "type": kind, "gi": gi, "ligand_atom": lname, "protein_atom": pname, "distance": float(d),
            "angle": float(ang), "lig_x": float(lxyz[0]), "lig_y": float(lxyz[1]), "lig_z": float(lxyz[2]),
            "prot_x": float(pxyz[0]), "prot_y": float(pxyz[1]), "prot_z": float(pxyz[2]),
        })  # fmt: skip

    if len(P.idx):
        ptree = cKDTree(P.xyz)
        # ---------------------------------------------------------------- hydrophobic
        polar_c = np.array(
            [n in _POLAR_CARBONS["*"] or n in _POLAR_CARBONS.get(r, ()) for n, r in zip(P.name, P.res)], dtype=bool
        )
        p_hyd = (P.el == "C") & ~polar_c
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for li in typ["hydrophobic"]:
            for j in ptree.query_ball_point(lig_xyz[li], th.hydrophobic_dist_max):
                if not p_hyd[j]:
                    continue
                d = float(np.linalg.norm(lig_xyz[li] - P.xyz[j]))
                if d < th.min_dist:
                    continue
                key = (li, int(P.resi[j]))
                if key not in best or d < best[key][0]:
                    best[key] = (d, j)
        for (li, _), (d, j) in best.items():
            add("hydrophobic", int(P.idx[j]), lig_names[li], P.name[j], d, np.nan, lig_xyz[li], P.xyz[j])

        # ---------------------------------------------------------------- hbonds
        is_don = np.array(
            [(n == _BACKBONE_DONOR and r != "PRO") or n in PROTEIN_DONORS.get(r, ()) for n, r in zip(P.name, P.res)]
        )
        is_acc = np.array([n in _BACKBONE_ACCEPTORS or n in PROTEIN_ACCEPTORS.get(r, ()) for n, r in zip(P.name, P.res)])

        def donor_angle(dxyz: np.ndarray, nbs: np.ndarray, axyz: np.ndarray) -> float:
            if len(nbs) == 0:
                return float("nan")
            u = [(x - dxyz) / np.linalg.norm(x - dxyz) for x in nbs]
            return _angle(np.mean(u, axis=0), axyz - dxyz)

        def ok_angle(ang: float) -> bool:
            return bool(np.isnan(ang) or ang >= th.hbond_don_angle_min)

        for li in typ["donors"]:  # ligand donor -> protein acceptor
            at = mol.GetAtomWithIdx(li)
            nbs = np.array([lig_xyz[n.GetIdx()] for n in at.GetNeighbors()]).reshape(-1, 3)
            for j in ptree.query_ball_point(lig_xyz[li], th.hbond_dist_max):
                if not is_acc[j]:
                    continue
                d = float(np.linalg.norm(lig_xyz[li] - P.xyz[j]))
                ang = donor_angle(lig_xyz[li], nbs, P.xyz[j])
                if d >= th.min_dist and ok_angle(ang):
                    add("hbond", int(P.idx[j]), lig_names[li], P.name[j], d, ang, lig_xyz[li], P.xyz[j])
        for li in typ["acceptors"]:  # protein donor -> ligand acceptor
            for j in ptree.query_ball_point(lig_xyz[li], th.hbond_dist_max):
                if not is_don[j]:
                    continue
                d = float(np.linalg.norm(lig_xyz[li] - P.xyz[j]))
                nbs = P.neighbour_xyz(int(P.idx[j]), P.res[j], P.name[j])
                ang = donor_angle(P.xyz[j], nbs, lig_xyz[li])
                if d >= th.min_dist and ok_angle(ang):
                    add("hbond", int(P.idx[j]), lig_names[li], P.name[j], d, ang, lig_xyz[li], P.xyz[j])

        # ------------------------------------------------- charged groups and rings
        residues = np.unique(P.resi)
        p_cations, p_anions, p_rings = [], [], []
        for resi in residues.tolist():
            rn = str(a["res_name"][structure.residue_starts[resi]])
            names = P.atoms_of(resi)
            for table, out in ((PROTEIN_CATIONS, p_cations), (PROTEIN_ANIONS, p_anions)):
                grp = table.get(rn)
                if rn == "HIS" and table is PROTEIN_CATIONS and not th.his_positive:
                    grp = None
                if grp and all(n in names for n in grp):
                    gi = [names[n] for n in grp]
                    out.append((gi[0], ";".join(grp), structure.coord[gi].astype(float).mean(axis=0)))
            for ring in PROTEIN_RINGS.get(rn, ()):
                if all(n in names for n in ring):
                    gi = [names[n] for n in ring]
                    c, nrm = _ring_geometry(structure.coord[gi].astype(float))
                    p_rings.append((gi[0], ";".join(ring), c, nrm))

        # salt bridges: ligand charged atoms (each a group; carboxylate O's share a group)
        def lig_groups(atoms_: list[int]) -> list[tuple[str, np.ndarray]]:
            seen, out = set(), []
            for li in atoms_:
                if li in seen:
                    continue
                at = mol.GetAtomWithIdx(li)
                grp = [li]
                # group equivalent O's on the same central atom (carboxylate, sulfonate, phosphate)
                if at.GetSymbol() == "O" and at.GetDegree() == 1:
                    c = at.GetNeighbors()[0]
                    grp = [n.GetIdx() for n in c.GetNeighbors() if n.GetSymbol() == "O" and n.GetDegree() == 1]
                seen.update(grp)
                out.append((";".join(lig_names[k] for k in grp), lig_xyz[grp].mean(axis=0)))
            return out

        lig_cat = lig_groups(typ["cations"])
        lig_an = lig_groups(typ["anions"])
        for lgroups, pgroups in ((lig_cat, p_anions), (lig_an, p_cations)):
            for lname, lc in lgroups:
                for gi, pname, pc in pgroups:
                    d = float(np.linalg.norm(lc - pc))
                    if th.min_dist <= d <= th.salt_bridge_dist_max:
                        add("salt_bridge", gi, lname, pname, d, np.nan, lc, pc)

        # pi-stacking
        l_rings = []
        for r in typ["rings"]:
            c, nrm = _ring_geometry(lig_xyz[r])
            l_rings.append((";".join(lig_names[k] for k in r), c, nrm))
        for lname, lc, ln in l_rings:
            for gi, pname, pc, pn in p_rings:
                d = float(np.linalg.norm(lc - pc))
                if not (th.min_dist <= d <= th.pistack_dist_max):
                    continue
                ang = _angle(ln, pn)
                ang = min(ang, 180.0 - ang)
                off = min(_offset(pc, lc, ln), _offset(lc, pc, pn))
                parallel = ang <= th.pistack_ang_dev
                tshape = abs(ang - 90.0) <= th.pistack_ang_dev
                if (parallel or tshape) and off <= th.pistack_offset_max:
                    add("pi_stacking", gi, lname, pname, d, ang, lc, pc)

        # cation-pi: ligand cation -> protein ring; protein cation (Lys, Arg; His if positive) -> ligand ring
        for lname, lc in lig_cat:
            for gi, pname, pc, pn in p_rings:
                d = float(np.linalg.norm(lc - pc))
                if th.min_dist <= d <= th.pication_dist_max and _offset(lc, pc, pn) <= th.pistack_offset_max:
                    add("cation_pi", gi, lname, pname, d, np.nan, lc, pc)
        for lname, lc, ln in l_rings:
            for gi, pname, pc in p_cations:
                d = float(np.linalg.norm(lc - pc))
                if th.min_dist <= d <= th.pication_dist_max and _offset(pc, lc, ln) <= th.pistack_offset_max:
                    add("cation_pi", gi, lname, pname, d, np.nan, lc, pc)

        # halogen bonds: ligand C-X ... protein O/N acceptor with heavy neighbour Y
        hal_acc = is_acc  # halogen-bond acceptors: the O/N hydrogen-bond acceptors
        for li in typ["halogens"]:
            at = mol.GetAtomWithIdx(li)
            cxyz = next(lig_xyz[n.GetIdx()] for n in at.GetNeighbors() if n.GetSymbol() == "C")
            for j in ptree.query_ball_point(lig_xyz[li], th.halogen_dist_max):
                if not hal_acc[j] or P.el[j] not in ("O", "N"):
                    continue
                d = float(np.linalg.norm(lig_xyz[li] - P.xyz[j]))
                don_ang = _angle(cxyz - lig_xyz[li], P.xyz[j] - lig_xyz[li])
                if abs(don_ang - th.halogen_don_angle) > th.halogen_angle_dev or d < th.min_dist:
                    continue
                nbs = P.neighbour_xyz(int(P.idx[j]), P.res[j], P.name[j])
                acc_ok = any(
                    abs(_angle(lig_xyz[li] - P.xyz[j], y - P.xyz[j]) - th.halogen_acc_angle) <= th.halogen_angle_dev
                    for y in nbs
                )
                if acc_ok:
                    add("halogen", int(P.idx[j]), lig_names[li], P.name[j], d, don_ang, lig_xyz[li], P.xyz[j])

    if rows and len(P.idx):
        d_min, _ = cKDTree(lig_xyz).query(P.xyz)
        linked = set(P.idx[d_min < COVALENT_DIST_MAX].tolist())
        rows = [r for r in rows if r["gi"] not in linked]
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, object)) for c in INTERACTION_COLUMNS})
    gi = df.pop("gi").to_numpy()
    chains = a["chain_id"][gi].astype(str)
    subs = [subunits.get(c, "other") for c in chains.tolist()]
    res_names = a["res_name"][gi].astype(str)
    unums = unum[gi].astype(np.int64)
    auth = a["res_id"][gi].astype(np.int64)
    ins = a["ins_code"][gi].astype(str)
    from .contacts import residue_label

    df.insert(0, "entry", structure.entry_id)
    df.insert(1, "ligand", str(ligand).upper())
    df.insert(2, "ligand_chain", lig_chain)
    df.insert(3, "ligand_res_id", lig_resid)
    df["chain"] = chains
    df["subunit"] = subs
    df["res_name"] = res_names
    df["auth_seq_id"] = auth
    df["uniprot_num"] = unums
    df["label"] = [residue_label(s_, r, u, au, i) for s_, r, u, au, i in zip(subs, res_names, unums, auth, ins)]
    df = df[INTERACTION_COLUMNS]
    order = {t: k for k, t in enumerate(INTERACTION_TYPES)}
    df = df.assign(_t=df["type"].map(order)).sort_values(
        ["_t", "chain", "auth_seq_id", "distance"], kind="stable"
    ).drop(columns="_t")
    return df.reset_index(drop=True)


_DTYPES = {
    "ligand_res_id": "int64", "auth_seq_id": "int64", "uniprot_num": "int64", "distance": "float64",
    "angle": "float64", "lig_x": "float64", "lig_y": "float64", "lig_z": "float64", "prot_x": "float64",
    "prot_y": "float64", "prot_z": "float64",
}  # fmt: skip
