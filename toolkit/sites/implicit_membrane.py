"""Membrane placement from the structure alone: :func:`membrane`.

Method: an implicit-membrane fit with the depth-dependent insertion
potential **Ez** of Senes, Chadi, Law, Walters, Nanda & DeGrado 2007
(J Mol Biol 366:436, doi:10.1016/j.jmb.2006.09.020). Ez gives, per amino-acid
type, the energy (kcal/mol) of a side chain at depth ``z`` (Å) from the
membrane centre, as a sigmoid ``E0 / (1 + (|z|/zmid)**n)`` (a Gaussian
``E0 exp(-(|z|-zmid)**2 / (2 n**2))`` for Trp and Tyr, whose minima sit at the
interfaces); the parameters are the published ones (:data:`EZ_PARAMETERS`,
Senes et al. 2007 Table 1) and refer to the Cβ atom (Cα for Gly). The
potential was derived for a hydrophobic slab of 30 Å; to fit the thickness
``T``, the interfacial part of each profile moves with the slab faces: a
residue at depth ``z`` is scored at ``max(|z| - (T - 30)/2, 0)`` (the
hydrophobic core widens or narrows; the interfaces keep their shape). As in the Ez paper, only residues exposed to the outside count: a
residue is exposed when its relative solvent-accessible surface (Shrake &
Rupley 1973 J Mol Biol 79:351, biotite, probe 1.4 Å; maximum values of Tien et
al. 2013 PLoS One 8:e80635) is at least :data:`EXPOSED_RSA` = 0.25 (the
usual exposed/buried cut; Rost & Sander 1994 Proteins 20:216).

The fit is a global search, with no assumption about the protein:

1. **Orientation**: :data:`N_DIRECTIONS` membrane normals spread evenly over a
   hemisphere (Fibonacci lattice, ~7° apart), then a finer search (1°) in a
   cone around the best ones.
2. **Depth and thickness**: for each normal, the exposed residues' depths are
   binned (0.5 Å) per amino-acid type and the energy of every slab centre and
   every thickness in :data:`THICKNESS_RANGE` (1 Å steps) is one convolution
   of the histograms with the Ez profiles.
3. The lowest total energy wins (``energy``, kcal/mol: the fit score).

A structure gets the named result :class:`NoMembrane` (never a fake slab)
unless the best slab is crossed by at least :data:`MIN_TM_SEGMENTS`
transmembrane segments: runs of at least :data:`MIN_SEGMENT_RESIDUES`
consecutive residues whose Cα atoms go from one face of the slab to the other
inside it (a helix of 10 residues rises 15 Å, half the slab; the apolar core of
the smallest single-pass TM protein holds 2 helices, glycophorin A dimer) and
whose exposed residues have a favourable (negative) Ez energy; and the total
energy is negative. These rules are this toolkit's choice, checked on the
soluble PLIP test complexes (all "no membrane") and on 7EU8/7EOS.

Per residue (:data:`MEMBRANE_COLUMNS`): depth from the membrane centre along
the normal (Å, positive on the side the normal points to), relative exposure,
``lipid_exposed`` (exposed and inside the slab), the Ez energy and
``tm_segment`` (index of the transmembrane segment holding the residue, -1
for none).

A PPM-like alternative (Lomize et al. 2006 Protein Sci 15:1318; 2012 NAR
40:D370) uses atomic solvation parameters; the Ez fit used here needs only
residue positions, which suits 4 Å cryo-EM models with truncated side chains.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidCoordinates, NoProteinError, NoTransmembraneDomain

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = [
    "membrane",
    "Membrane",
    "NoMembrane",
    "MEMBRANE_COLUMNS",
    "EZ_PARAMETERS",
    "THICKNESS_RANGE",
    "EXPOSED_RSA",
    "MIN_TM_SEGMENTS",
    "MIN_SEGMENT_RESIDUES",
    "N_DIRECTIONS",
]

#: Ez parameters (Senes et al. 2007, Table 1): residue -> (E0 kcal/mol, zmid Å, n),
#: sigmoid; for TRP and TYR (Emin, zmin, sigma) of a Gaussian.
EZ_PARAMETERS: dict[str, tuple[float, float, float]] = {
    "ALA": (-0.29, 10.22, 4.67), "ASP": (1.19, 14.25, 8.98), "GLU": (1.30, 14.66, 4.16),
    "PHE": (-0.80, 19.67, 7.12), "GLY": (-0.01, 13.86, 6.00), "HIS": (0.75, 12.26, 2.77),
    "ILE": (-0.56, 14.34, 10.69), "LYS": (1.66, 11.11, 2.09), "LEU": (-0.64, 17.34, 8.61),
    "MET": (-0.28, 18.04, 7.13), "ASN": (0.89, 12.78, 6.28), "PRO": (0.83, 18.09, 3.53),
    "GLN": (1.21, 10.46, 2.59), "ARG": (1.55, 9.34, 4.68), "SER": (0.10, 13.86, 6.00),
    "THR": (0.01, 13.86, 6.00), "VAL": (-0.47, 11.35, 4.97), "TRP": (-0.85, 11.65, 7.20),
    "TYR": (-0.42, 13.04, 6.20),
}  # fmt: skip
_GAUSSIAN = ("TRP", "TYR")
_EZ_SLAB = 30.0  # hydrophobic thickness (Å) Ez was derived for
#: Thicknesses (Å) searched: 20-40 Å covers the hydrophobic thickness of
#: natural membranes and membrane proteins (Lomize et al. 2006: 21-43 Å).
THICKNESS_RANGE = (20.0, 40.0)
#: Relative solvent accessibility above which a residue is exposed (Rost & Sander 1994).
EXPOSED_RSA = 0.25
#: Theoretical maximum accessible surface areas (Å^2), Tien et al. 2013.
_MAX_ASA = {
    "ALA": 129.0, "ARG": 274.0, "ASN": 195.0, "ASP": 193.0, "CYS": 167.0, "GLN": 225.0, "GLU": 223.0,
    "GLY": 104.0, "HIS": 224.0, "ILE": 197.0, "LEU": 201.0, "LYS": 236.0, "MET": 224.0, "PHE": 240.0,
    "PRO": 159.0, "SER": 155.0, "THR": 172.0, "TRP": 285.0, "TYR": 263.0, "VAL": 174.0,
}  # fmt: skip
#: Normals sampled on the hemisphere in the coarse search.
N_DIRECTIONS = 400
MIN_TM_SEGMENTS = 2
MIN_SEGMENT_RESIDUES = 10
_BIN = 0.5  # Å, depth histogram bin
_FINE_CONE = 8.0  # degrees around each coarse optimum
_N_FINE = 150
_N_KEEP = 5  # coarse optima refined

MEMBRANE_COLUMNS = [
    "entry", "chain", "subunit", "res_name", "one_letter", "auth_seq_id", "ins_code", "uniprot_num",
    "label", "depth", "exposure", "lipid_exposed", "ez_energy", "tm_segment",
]  # fmt: skip


@dataclass(frozen=True)
class Membrane:
    """A fitted membrane slab (result of :func:`membrane`).

    Attributes
    ----------
    entry : str
    normal : ndarray (3,)
        Unit membrane normal. When the structure has an ionotropic-receptor
        TMD (:func:`toolkit.sites.tmd_frame`) it points to the extracellular
        side; otherwise its sign is arbitrary.
    center : ndarray (3,)
        A point on the mid-plane (Å), the projection of the exposed residues'
        centroid onto it.
    thickness : float
        Hydrophobic thickness (Å).
    energy : float
        Ez energy of the best slab (kcal/mol; more negative = better fit).
    n_segments : int
        Transmembrane segments crossing the slab.
    residues : pandas.DataFrame
        :data:`MEMBRANE_COLUMNS`, one row per protein residue.
    method : str
    """

    entry: str
    normal: np.ndarray
    center: np.ndarray
    thickness: float
    energy: float
    n_segments: int
    residues: Any = field(repr=False)
    method: str = "Ez (Senes et al. 2007) fit over orientation, depth and thickness"

    @property
    def has_membrane(self) -> bool:
        return True

    @property
    def half_thickness(self) -> float:
        return 0.5 * self.thickness

    def depth(self, xyz: np.ndarray) -> np.ndarray:
        """Signed distance (Å) of points from the mid-plane along :attr:`normal`."""
        return (np.asarray(xyz, dtype=np.float64).reshape(-1, 3) - self.center) @ self.normal

    def in_slab(self, xyz: np.ndarray) -> np.ndarray:
        """True for points inside the hydrophobic slab."""
        return np.abs(self.depth(xyz)) <= self.half_thickness

    def summary(self) -> pd.DataFrame:
        """One-row table: entry, normal, centre, thickness, energy, segments, lipid-exposed residues."""
        import pandas as pd

        r = self.residues
        return pd.DataFrame([{
            "entry": self.entry, "membrane": True, "thickness": round(self.thickness, 1),
            "energy": round(self.energy, 2), "n_segments": self.n_segments,
            "n_lipid_exposed": int(r["lipid_exposed"].sum()),
            "normal": np.round(self.normal, 3).tolist(), "center": np.round(self.center, 2).tolist(),
            "reason": "", "method": self.method,
        }])  # fmt: skip


@dataclass(frozen=True)
class NoMembrane:
    """Named result of :func:`membrane` for a structure without a membrane slab.

    Attributes
    ----------
    entry : str
    reason : str
        Why no slab was accepted (segments, energy).
    energy : float
        Ez energy of the best slab that was rejected (kcal/mol).
    n_segments : int
        Transmembrane segments crossing that slab.
    """

    entry: str
    reason: str
    energy: float
    n_segments: int

    @property
    def has_membrane(self) -> bool:
        return False

    def summary(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{
            "entry": self.entry, "membrane": False, "thickness": float("nan"), "energy": round(self.energy, 2),
            "n_segments": self.n_segments, "n_lipid_exposed": 0, "normal": None, "center": None,
            "reason": self.reason, "method": "Ez (Senes et al. 2007)",
        }])  # fmt: skip


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _ez(res_names: list[str], z: np.ndarray) -> np.ndarray:
    """Ez energy per residue (rows) at absolute depths ``z`` (Å, Ez frame)."""
    out = np.zeros(np.shape(z))
    for k, name in enumerate(res_names):
        p = EZ_PARAMETERS.get(name)
        if p is None:
            continue
        e0, zm, n = p
        az = np.abs(z[k])
        out[k] = (
            e0 * np.exp(-((az - zm) ** 2) / (2 * n * n)) if name in _GAUSSIAN else e0 / (1 + (az / zm) ** n)
        )
    return out


def _ez_depth(z: np.ndarray, thickness: float) -> np.ndarray:
    """Depth in the Ez frame (30 Å slab) of a depth ``z`` in a slab of ``thickness`` Å.

    The interfacial profile keeps its shape and moves with the slab faces: the
    hydrophobic core is widened (or narrowed) by ``thickness - 30`` Å.
    """
    return np.maximum(np.abs(z) - 0.5 * (thickness - _EZ_SLAB), 0.0)


def _profiles(types: list[str], thickness: float, half_width: float) -> np.ndarray:
    """Ez profile of each type on the bin grid ``[-half_width, half_width]`` for one thickness."""
    dz = np.arange(-half_width, half_width + 1e-9, _BIN)
    return _ez(types, np.tile(_ez_depth(dz, thickness), (len(types), 1)))


def _hemisphere(n: int) -> np.ndarray:
    """``n`` unit vectors spread evenly over the upper hemisphere (Fibonacci lattice)."""
    i = np.arange(n) + 0.5
    z = 1.0 - i / n  # uniform in z over (0, 1]
    phi = np.pi * (1 + 5**0.5) * i
    r = np.sqrt(1 - z * z)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def _cone(axis: np.ndarray, max_deg: float, n: int) -> np.ndarray:
    """``n`` unit vectors within ``max_deg`` of ``axis`` (Fibonacci cap), including ``axis``."""
    i = np.arange(n) + 0.5
    cmin = np.cos(np.radians(max_deg))
    z = 1.0 - (1.0 - cmin) * i / n
    phi = np.pi * (1 + 5**0.5) * i
    r = np.sqrt(np.clip(1 - z * z, 0, None))
    local = np.vstack([[0, 0, 1.0], np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)])
    a = axis / np.linalg.norm(axis)
    helper = np.array([1.0, 0, 0]) if abs(a[0]) < 0.9 else np.array([0, 1.0, 0])
    u = np.cross(a, helper)
    u /= np.linalg.norm(u)
    v = np.cross(a, u)
    return local[:, :1] * u + local[:, 1:2] * v + local[:, 2:3] * a


def _fast_length(n: int) -> int:
    """Smallest even 5-smooth number (only factors 2, 3, 5) >= ``n``: a fast FFT length."""
    m = max(2, int(n) + (int(n) % 2))
    while True:
        r = m
        for f in (2, 3, 5):
            while r % f == 0:
                r //= f
        if r == 1:
            return m
        m += 2


def _scan(dirs: np.ndarray, xyz: np.ndarray, type_idx: np.ndarray, types: list[str],
          thicknesses: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Best (energy, centre offset, thickness) per direction.

    For each direction the energy of every slab centre (bin ``j``) is the
    correlation of the per-type depth histograms with the Ez profiles,
    ``E[j] = sum_t sum_i hist_t[i] prof_t(|j - i|)``, the profile cut at
    ``T/2 + 25`` Å. It is computed with real FFTs of one length for every
    thickness: the histograms are transformed once, summed over types in the
    frequency domain, and one inverse transform per thickness gives every
    centre of every direction (the same sums as a direct convolution, to
    rounding).
    """
    proj = xyz @ dirs.T  # (n_res, n_dir)
    lo = float(proj.min()) - 2.0
    nb = int(np.ceil((float(proj.max()) + 2.0 - lo) / _BIN)) + 1
    b = np.clip(np.rint((proj - lo) / _BIN).astype(np.int64), 0, nb - 1)
    nt, nd = len(types), len(dirs)
    # histogram (n_dir, n_type, n_bin) by one bincount of flat indices
    flat = (np.arange(nd)[None, :] * nt + type_idx[:, None]) * nb + b
    hist = np.bincount(flat.ravel(), minlength=nd * nt * nb).reshape(nd, nt, nb).astype(np.float64)
    kmax = int(np.ceil((0.5 * float(np.max(thicknesses)) + 25.0) / _BIN))  # widest profile: offsets -kmax..kmax
    nfft = _fast_length(nb + 2 * kmax)  # >= nb + 2 kmax: no wrap-around
    fh = np.fft.rfft(hist, n=nfft, axis=2)  # (n_dir, n_type, nf)
    best_e = np.full(nd, np.inf)
    best_c = np.zeros(nd)
    best_t = np.zeros(nd)
    rows = np.arange(nd)
    for t in thicknesses:
        half = 0.5 * t + 25.0  # the Ez profiles are ~0 beyond 25 Å past the interfaces
        prof = _profiles(types, float(t), half)  # (nt, 2k+1), symmetric, offsets -k..k
        k = (prof.shape[1] - 1) // 2
        # circular kernel: offset d at index d mod nfft (symmetric, so correlation = convolution)
        kern = np.zeros((nt, nfft))
        kern[:, : k + 1] = prof[:, k:]
        kern[:, nfft - k :] = prof[:, :k]
        e = np.fft.irfft(np.einsum("dtf,tf->df", fh, np.fft.rfft(kern, axis=1)), n=nfft, axis=1)[:, :nb]
        j = e.argmin(axis=1)
        val = e[rows, j]
        better = val < best_e - 1e-9
        best_e[better] = val[better]
        best_c[better] = lo + j[better] * _BIN
        best_t[better] = t
    return best_e, best_c, best_t


def _residue_points(structure: Structure) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per protein residue: residue index, Cβ (Cα for Gly / missing Cβ) and Cα coordinates."""
    a = structure.atoms
    poly = structure.polymer_mask
    ridx = structure.residue_index
    n_res = len(structure.residue_starts)
    cb = np.full((n_res, 3), np.nan)
    ca = np.full((n_res, 3), np.nan)
    m_ca = poly & (a["atom_name"] == "CA")
    m_cb = poly & (a["atom_name"] == "CB")
    ca[ridx[m_ca]] = a["coord"][m_ca]
    cb[ridx[m_cb]] = a["coord"][m_cb]
    miss = np.isnan(cb[:, 0])
    cb[miss] = ca[miss]
    res = np.flatnonzero(poly[structure.residue_starts] & ~np.isnan(ca[:, 0]))
    return res, cb[res], ca[res]


def _exposure(structure: Structure, res: np.ndarray) -> np.ndarray:
    """Relative SASA of each residue in ``res`` (protein heavy atoms only)."""
    import biotite.structure as bs

    a = structure.atoms
    elem = np.char.upper(a["element"].astype(str))
    m = structure.polymer_mask & (elem != "H") & (elem != "D")
    idx = np.flatnonzero(m)
    arr = bs.AtomArray(len(idx))
    from .pockets import canonical_frame

    xyz = a["coord"][idx].astype(np.float64)
    rot, c = canonical_frame(xyz)  # the surface points of Shrake-Rupley then move with the protein
    arr.coord = ((xyz - c) @ rot.T).astype(np.float32)
    arr.element = elem[idx]
    arr.res_name = a["res_name"][idx]
    arr.atom_name = a["atom_name"][idx]
    sasa = bs.sasa(arr, vdw_radii="Single", point_number=100)
    sasa = np.nan_to_num(sasa, nan=0.0)
    per = np.bincount(structure.residue_index[idx], weights=sasa, minlength=len(structure.residue_starts))
    names = a["res_name"][structure.residue_starts[res]].tolist()
    maxes = np.array([_MAX_ASA.get(x, 200.0) for x in names])
    return np.clip(per[res] / maxes, 0.0, 1.5)


def _segments(structure: Structure, res: np.ndarray, ca_depth: np.ndarray, half: float,
              energy: np.ndarray) -> list[tuple[int, int]]:  # fmt: skip
    """TM segments (first, last row): consecutive in-slab residue runs crossing the slab face to face."""
    a = structure.atoms
    starts = structure.residue_starts[res]
    chain = a["chain_id"][starts]
    rid = a["res_id"][starts].astype(np.int64)
    inside = np.abs(ca_depth) <= half
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(res):
        if not inside[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(res) and inside[j + 1] and chain[j + 1] == chain[i] and rid[j + 1] - rid[j] <= 2:
            j += 1
        if j - i + 1 >= MIN_SEGMENT_RESIDUES:
            # neighbours just outside the run on each side: the segment must enter and leave
            d0 = ca_depth[i - 1] if i > 0 and chain[i - 1] == chain[i] else ca_depth[i]
            d1 = ca_depth[j + 1] if j + 1 < len(res) and chain[j + 1] == chain[i] else ca_depth[j]
            seg = ca_depth[i : j + 1]
            spans = (min(seg.min(), d0, d1) <= -0.7 * half) and (max(seg.max(), d0, d1) >= 0.7 * half)
            if spans and energy[i : j + 1].sum() < 0:
                runs.append((i, j))
        i = j + 1
    return runs


def membrane(structure: Structure) -> Membrane | NoMembrane:
    """Place the membrane on a structure: normal, centre, hydrophobic thickness and fit score.

    An Ez implicit-membrane fit (Senes et al. 2007, J Mol Biol 366:436) over
    orientation, depth and thickness (see :mod:`toolkit.sites.implicit_membrane`); works
    for any membrane protein (no pore axis or motif is assumed).

    Parameters
    ----------
    structure : Structure

    Returns
    -------
    Membrane or NoMembrane
        :class:`Membrane` (``normal``, ``center``, ``thickness`` in Å,
        ``energy`` in kcal/mol, per-residue table ``residues`` with columns
        :data:`MEMBRANE_COLUMNS`), or the named result :class:`NoMembrane`
        (with the reason) for a soluble protein. Both have ``has_membrane``
        and ``summary()``.

    Raises
    ------
    NoProteinError
        No protein residue with a Cα atom.
    InvalidCoordinates
        Non-finite (NaN/inf) protein coordinates.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.implicit_membrane import membrane
    >>> m = membrane(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> round(m.thickness)  # doctest: +SKIP
    30
    """
    from .._checks import check_structure

    check_structure(structure)
    hit = _CACHE.get(structure)
    if hit is not None:
        return hit
    import pandas as pd

    from .contacts import residue_label

    a = structure.atoms
    poly = structure.polymer_mask
    if not poly.any():
        raise NoProteinError(
            f"{structure.entry_id or 'structure'}: no protein residues to place in a membrane"
        )
    if not np.isfinite(a["coord"][poly]).all():
        bad = int((~np.isfinite(a["coord"][poly]).all(axis=1)).sum())
        raise InvalidCoordinates(
            f"{structure.entry_id or 'structure'}: {bad} protein atom(s) have non-finite (NaN/inf) coordinates"
        )
    res, cb, ca = _residue_points(structure)
    if len(res) == 0:
        raise NoProteinError(f"{structure.entry_id or 'structure'}: no protein residue with a Cα atom")
    names = a["res_name"][structure.residue_starts[res]].astype(str)
    names = np.where(names == "MSE", "MET", names)
    rsa = _exposure(structure, res)
    exposed = (rsa >= EXPOSED_RSA) & np.isin(names, list(EZ_PARAMETERS))
    types = sorted(set(names[exposed].tolist())) or ["ALA"]
    t_index = {t: k for k, t in enumerate(types)}
    ex_xyz = cb[exposed]
    ex_type = np.array([t_index[x] for x in names[exposed].tolist()], dtype=np.int64)
    thick = np.arange(THICKNESS_RANGE[0], THICKNESS_RANGE[1] + 1e-9, 1.0)
    entry = structure.entry_id or ""

    if len(ex_xyz) < MIN_SEGMENT_RESIDUES:
        result: Membrane | NoMembrane = NoMembrane(entry, f"only {len(ex_xyz)} exposed residues", 0.0, 0)
        _CACHE[structure] = result
        return result
    from .pockets import canonical_frame

    # search in the residues' principal-axes frame: the sampled normals move with the protein,
    # so a rotated input gives the same fit
    rotc, centroid = canonical_frame(ex_xyz)
    xyz0 = (ex_xyz - centroid) @ rotc.T
    dirs = _hemisphere(N_DIRECTIONS)
    e, _, _ = _scan(dirs, xyz0, ex_type, types, thick[::2])  # coarse: 2 Å steps
    order = np.argsort(e)
    seeds: list[np.ndarray] = []
    for k in order:
        if all(abs(float(dirs[k] @ s)) < np.cos(np.radians(2 * _FINE_CONE)) for s in seeds):
            seeds.append(dirs[k])
        if len(seeds) == _N_KEEP:
            break
    fine = np.vstack([_cone(s, _FINE_CONE, _N_FINE) for s in seeds])
    e2, c2, t2 = _scan(fine, xyz0, ex_type, types, thick)
    k = int(np.argmin(e2))
    normal = (fine[k] / np.linalg.norm(fine[k])) @ rotc
    offset, thickness, energy = float(c2[k]), float(t2[k]), float(e2[k])
    try:  # orient to the extracellular side when the TMD frame is known
        from .pockets import tmd_frame

        if normal @ tmd_frame(structure).axis < 0:
            normal, offset = -normal, -offset
    except NoTransmembraneDomain:  # no TMD: the sign stays arbitrary
        pass
    center = centroid + offset * normal
    depth = (cb - center) @ normal
    ca_depth = (ca - center) @ normal
    ez = np.zeros(len(res))
    ez[exposed] = _ez(names[exposed].tolist(), _ez_depth(depth[exposed], thickness)[:, None])[:, 0]
    half = 0.5 * thickness
    runs = _segments(structure, res, ca_depth, half, ez)
    n_seg = len(runs)
    if n_seg < MIN_TM_SEGMENTS or energy >= 0:
        result = NoMembrane(
            entry,
            f"best Ez slab ({thickness:.0f} Å, {energy:.1f} kcal/mol) is crossed by {n_seg} transmembrane "
            f"segment(s) (at least {MIN_TM_SEGMENTS} needed, with negative total energy): no membrane",
            energy,
            n_seg,
        )
        _CACHE[structure] = result
        return result

    seg_id = np.full(len(res), -1, dtype=np.int64)
    for k, (i, j) in enumerate(runs):
        seg_id[i : j + 1] = k
    starts = structure.residue_starts[res]
    chains = a["chain_id"][starts].astype(str)
    subs = [structure.chain_subunits.get(ch, "other") for ch in chains.tolist()]
    from ..io.aminoacids import THREE_TO_ONE

    uni = structure.uniprot_num[starts].astype(np.int64)
    rid = a["res_id"][starts].astype(np.int64)
    ins = a["ins_code"][starts].astype(str)
    rn = a["res_name"][starts].astype(str)
    df = pd.DataFrame(
        {
            "entry": entry,
            "chain": chains.astype(object),
            "subunit": subs,
            "res_name": rn.astype(object),
            "one_letter": [THREE_TO_ONE.get(x, "X") for x in rn.tolist()],
            "auth_seq_id": rid,
            "ins_code": ins.astype(object),
            "uniprot_num": uni,
            "label": [residue_label(s, r, u, i, c_, ch) for s, r, u, i, c_, ch in
                      zip(subs, rn.tolist(), uni.tolist(), rid.tolist(), ins.tolist(), chains.tolist())],
            "depth": depth.astype(np.float64),
            "exposure": rsa.astype(np.float64),
            "lipid_exposed": exposed & (np.abs(depth) <= half),
            "ez_energy": ez,
            "tm_segment": seg_id,
        },
        columns=MEMBRANE_COLUMNS,
    )  # fmt: skip
    result = Membrane(entry, normal, center, thickness, energy, n_seg, df)
    _CACHE[structure] = result
    return result
