"""Superposition of two channel structures on their transmembrane domains.

:func:`superpose_tmd` moves a *mobile* structure onto a *reference* one by the
Cα atoms of the reference's transmembrane domain (the slab of
:func:`toolkit.sites.tmd_frame`) and their equivalents in the mobile entry.
Equivalent residues come from :func:`toolkit.sites.map_residues`: UniProt
numbering for the same protein, sequence alignment across paralogues (GluN2A
onto GluN2B). Chains are paired by subunit family; where a family has two
chains (the GluN1 and GluN2 pairs of a di-heterotetramer) both pairings are
tried and the one with the lower RMSD is kept, so the result does not depend
on chain order (7EU8 and 7EOS list their chains in opposite orders).

The fit is the least-squares rotation of Kabsch (Acta Cryst A32:922, 1976,
doi:10.1107/S0567739476001873), computed with an SVD. Coordinates in Å.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameter

if TYPE_CHECKING:
    from ..model import Structure

__all__ = ["Superposition", "superpose_tmd", "kabsch"]


@dataclass(frozen=True)
class Superposition:
    """Result of :func:`superpose_tmd`.

    Attributes
    ----------
    structure : Structure
        A copy of the mobile structure with every atom moved into the reference frame.
    rotation : ndarray (3, 3)
    translation : ndarray (3,)
        ``x_new = x @ rotation.T + translation`` for mobile coordinates ``x``.
    rmsd : float
        Cα RMSD (Å) over the fitted pairs.
    n_pairs : int
        Number of Cα pairs fitted.
    chain_pairs : dict
        Reference chain -> mobile chain.
    """

    structure: Any
    rotation: np.ndarray
    translation: np.ndarray
    rmsd: float
    n_pairs: int
    chain_pairs: dict[str, str]


def kabsch(mobile: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Least-squares rotation and translation taking ``mobile`` (n, 3) onto ``reference`` (n, 3).

    Returns ``(rotation, translation, rmsd)`` with ``mobile @ rotation.T + translation``
    the fitted coordinates (proper rotation: no reflection).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[0.0, 0, 0], [1, 0, 0], [0, 2, 0], [0, 0, 3]])
    >>> rot = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
    >>> r, t, rmsd = kabsch(x, x @ rot.T + [1, 2, 3])
    >>> bool(np.allclose(r, rot)), bool(np.allclose(t, [1, 2, 3])), round(rmsd, 6)
    (True, True, 0.0)
    """
    mobile = np.asarray(mobile, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if mobile.shape != reference.shape or mobile.ndim != 2 or mobile.shape[1] != 3 or len(mobile) < 3:
        raise InvalidParameter(f"kabsch needs two (n, 3) arrays with n >= 3, got {mobile.shape} and {reference.shape}")
    cm, cr = mobile.mean(axis=0), reference.mean(axis=0)
    h = (mobile - cm).T @ (reference - cr)
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(vt.T @ u.T)) or 1.0
    rot = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    trans = cr - cm @ rot.T
    fitted = mobile @ rot.T + trans
    rmsd = float(np.sqrt(((fitted - reference) ** 2).sum(axis=1).mean()))
    return rot, trans, rmsd


def _ca_by_residue(structure: Structure, chain: str) -> dict[int, np.ndarray]:
    a = structure.atoms
    mask = structure.polymer_mask & (a["chain_id"] == chain) & (a["atom_name"] == "CA") & (a["ins_code"] == "")
    idx = np.flatnonzero(mask)
    out: dict[int, np.ndarray] = {}
    for i, r in zip(idx.tolist(), a["res_id"][idx].tolist()):
        out.setdefault(int(r), structure.coord[i])
    return out


def _pairs(reference: Structure, rc: str, mobile: Structure, mc: str, in_tmd: Any) -> tuple[np.ndarray, np.ndarray]:
    from .mapping import map_residues

    ref_all = _ca_by_residue(reference, rc)
    keep = in_tmd(np.array(list(ref_all.values())).reshape(-1, 3))
    ref_ca = {r: xyz for (r, xyz), k in zip(ref_all.items(), keep) if k}
    mob_ca = _ca_by_residue(mobile, mc)
    if not ref_ca or not mob_ca:
        return np.empty((0, 3)), np.empty((0, 3))
    m = map_residues(reference, rc, mobile, mc, auth_seq_ids=sorted(ref_ca))
    m = m[m["target_auth_seq_id"].notna()]
    ref_xyz, mob_xyz = [], []
    for s, t in zip(m["source_auth_seq_id"].tolist(), m["target_auth_seq_id"].tolist()):
        if int(t) in mob_ca:
            ref_xyz.append(ref_ca[int(s)])
            mob_xyz.append(mob_ca[int(t)])
    return np.array(ref_xyz).reshape(-1, 3), np.array(mob_xyz).reshape(-1, 3)


def superpose_tmd(mobile: Structure, reference: Structure, *, min_pairs: int = 20) -> Superposition:
    """Superpose ``mobile`` onto ``reference`` by the Cα atoms of the transmembrane domain.

    Parameters
    ----------
    mobile, reference : Structure
        Channel structures (e.g. 7EOS onto 7EU8). Only polymer Cα atoms of the
        reference's TMD slab and their mapped equivalents are fitted.
    min_pairs : int
        Fewer fitted pairs than this (and never fewer than 3, the minimum of a
        rotation fit) raise :class:`~toolkit.errors.InvalidParameter`.

    Returns
    -------
    Superposition
        The moved copy of ``mobile``, the transform, the Cα RMSD (Å), the number
        of pairs and the chain pairing used.

    Raises
    ------
    NoTransmembraneDomain
        ``reference`` has no SYTANLAAF-defined transmembrane domain.
    InvalidParameter
        No subunit in common, fewer than ``min_pairs`` equivalent Cα atoms, or
        an argument of the wrong type (``min_pairs`` must be an integer >= 0).

    Examples
    --------
    >>> a, b = toolkit.load_structure("7EU8"), toolkit.load_structure("7EOS")  # doctest: +SKIP
    >>> sup = superpose_tmd(b, a)  # doctest: +SKIP
    >>> sup.chain_pairs, round(sup.rmsd, 1)  # doctest: +SKIP
    """
    from .._checks import check_int, check_structure
    from ..model import Structure as _Structure
    from .mapping import _family
    from .pockets import tmd_frame

    check_structure(mobile, "mobile")
    check_structure(reference, "reference")
    min_pairs = check_int(min_pairs, "min_pairs", 0)
    frame = tmd_frame(reference)
    margin = 5.0  # Å beyond the slab: the ends of the helices

    def in_tmd(xyz: np.ndarray) -> np.ndarray:
        t = frame.axial(xyz)
        return (t >= frame.t_min - margin) & (t <= frame.t_max + margin)

    fam_ref: dict[str, list[str]] = {}
    for c, sub in reference.chain_subunits.items():
        if sub != "other":
            fam_ref.setdefault(_family(sub), []).append(c)
    fam_mob: dict[str, list[str]] = {}
    for c, sub in mobile.chain_subunits.items():
        if sub != "other":
            fam_mob.setdefault(_family(sub), []).append(c)
    families = [f for f in fam_ref if f in fam_mob]
    if not families:
        raise InvalidParameter(
            f"{mobile.entry_id or 'mobile'} and {reference.entry_id or 'reference'} share no subunit family "
            f"({sorted(fam_mob)} vs {sorted(fam_ref)})"
        )
    cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def pairs(rc: str, mc: str) -> tuple[np.ndarray, np.ndarray]:
        if (rc, mc) not in cache:
            cache[(rc, mc)] = _pairs(reference, rc, mobile, mc, in_tmd)
        return cache[(rc, mc)]

    options = []
    for f in families:
        rcs, mcs = fam_ref[f], fam_mob[f]
        k = min(len(rcs), len(mcs))
        options.append([list(zip(rcs[:k], perm)) for perm in itertools.permutations(mcs, k)])
    best = None
    for combo in itertools.product(*options):
        chain_pairs = [p for fam in combo for p in fam]
        ref_xyz = np.concatenate([pairs(rc, mc)[0] for rc, mc in chain_pairs])
        mob_xyz = np.concatenate([pairs(rc, mc)[1] for rc, mc in chain_pairs])
        if len(ref_xyz) < max(3, min_pairs):
            continue
        rot, trans, rmsd = kabsch(mob_xyz, ref_xyz)
        if best is None or rmsd < best[2]:
            best = (rot, trans, rmsd, len(ref_xyz), dict(chain_pairs))
    if best is None:
        raise InvalidParameter(
            f"fewer than {min_pairs} equivalent TMD Cα atoms between {mobile.entry_id or 'mobile'} and "
            f"{reference.entry_id or 'reference'}"
        )
    rot, trans, rmsd, n, chain_pairs = best
    atoms = dict(mobile.atoms)
    atoms["coord"] = (mobile.atoms["coord"] @ rot.T + trans).astype(mobile.atoms["coord"].dtype)
    moved = _Structure(mobile.entry_id, atoms, dict(mobile.meta),
                       f"{mobile.source} (superposed on the {reference.entry_id} TMD)")  # fmt: skip
    return Superposition(moved, rot, trans, rmsd, n, chain_pairs)
