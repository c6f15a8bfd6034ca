"""Grid-based pocket detection and membrane-facing ("lateral") candidate sites.

The method is a LIGSITE-type buriedness search on a regular grid, written
with numpy/scipy only:

1. **Protein only.** Polymer (amino-acid) heavy atoms; by default every
   non-polymer atom (ligands, glycans, ions, waters, lipids) is removed first
   so that a bound ligand's site shows up as empty space
   (``exclude_ligands=False`` keeps them as part of the "protein").
2. **Grid and protein volume.** Grid points inside the van der Waals sphere of
   a heavy atom (Bondi 1964, J Phys Chem 68:441 radii) are *protein*.
3. **Probe accessibility.** A point is *empty space* if it is covered by a
   spherical probe (default radius 1.4 Å, water; Lee & Richards 1971,
   J Mol Biol 55:379) whose centre touches no atom: this removes crevices too
   thin for any solvent molecule (the probe idea of the solvent-excluded
   surface; Connolly 1983, Science 221:709).
4. **Buriedness.** As in LIGSITE (Hendlich, Rippmann & Barnickel 1997,
   J Mol Graph Model 15:359), each empty point is scanned along lines; a
   line counts as a protein-solvent-protein (PSP) event if protein is met on
   *both* sides. LIGSITE's 7 lines (axes and cube diagonals) are tied to the
   grid axes, so a rotated input gives other pockets; here the
   :data:`N_LINES` = 30 lines are spread evenly over all orientations (a
   Fibonacci lattice on the hemisphere), so the enclosed fraction estimates
   an orientation-free quantity. Each half line is bounded to ``max_ray`` Å,
   as PocketPicker bounds its rays (Weisel, Proschak & Schneider 2007, Chem
   Cent J 1:7): in a large multi-domain assembly unbounded lines make whole
   inter-domain gaps look buried. The default, 15 Å, is our choice: from the
   ketamine centroid in 7EU8 (4 Å resolution, truncated side chains) some
   lines first meet protein after ~12 Å. ``buriedness`` = mean fraction of
   enclosed lines.
5. **Pockets.** A point is buried when *more than half* of the lines are
   enclosed (:data:`MIN_BURIEDNESS` = 16/30, a majority rule). Buried regions
   are split around their cores, the connected sets of points enclosed by at
   least 6/7 of the lines (:data:`CORE_BURIEDNESS`: LIGSITE's own cut-off,
   MINPSP 6 of 7, as a fraction), by a watershed on buriedness
   (``scipy.ndimage.watershed_ift``; Beucher & Meyer 1993): one region can
   hold several sites (haem and substrate in a P450), and a whole inter-domain
   gap is not one pocket. In a channel (when :func:`tmd_frame` finds a TMD),
   the buried points within 4 Å of the pore axis inside the TMD slab are a
   core of their own, so the pore vestibule is never merged with a side
   pocket. Pockets smaller than ``min_volume`` are dropped.
   ``score`` = ``deep_volume``, the volume of the core points (deeply buried
   space); rank 1 = highest score (ties: volume x buriedness).

   These two cut-offs and the score were chosen among a small set of
   principled options (majority / LIGSITE cut-offs; score by volume, deep
   volume or druggability) on general ligand-bound structures: the PLIP test
   complexes with their ligands removed, not the NMDA entries; with them a
   top-3 pocket overlaps the ligand in every crystal structure of that set
   (``benchmarks/bench_pockets.py`` prints the figures and pyKVFinder's and
   fpocket-rs's on the same files).
6. **Grid consensus and limits.** The search runs in the protein's own
   principal-axes frame (:func:`canonical_frame`), on a lattice anchored at
   multiples of the spacing there, so a rotated or translated input gives the
   same grid and the same pockets (points are returned in the input frame);
   and the whole search is repeated on the lattice
   shifted by half a step along each axis: ``stability`` is the fraction of a
   pocket's points whose surrounding cube on the shifted lattice is mostly
   (>= 4 of 8 corners) buried too (1 = the pocket does not depend on where the
   grid falls). Atoms are split into groups more than ``2 max_ray`` apart
   (no point can be enclosed by two of them), each with its own grid, so a
   stray atom far away costs a tiny box; a search needing more than
   :data:`MAX_GRID_POINTS` points raises :class:`~toolkit.errors.GridTooLarge`.
7. **Druggability** (a transparent heuristic, not a trained model): mean
   buriedness x (0.5 + 0.5 x apolar fraction of the lining) x
   min(1, volume / 300 Å^3), from the three descriptors that separate
   druggable from less druggable sites best in Schmidtke & Barril 2010 (J Med
   Chem 53:5858): buriedness, hydrophobicity and size. Range 0-1.

Per pocket: centre, volume (``n_points * spacing**3``), lining residues
(protein residues with a heavy atom within 4.0 Å of a pocket point,
labelled as in the site tables, e.g. "GluN1 V644"; the
usual contact distance used for binding-site residues; the PLIP hydrophobic
contact distance is also 4.0 Å, Salentin et al. 2015 Nucleic Acids Res
43:W443), hydrophobicity (fraction of lining residues with a positive
Kyte & Doolittle 1982 hydropathy, J Mol Biol 157:105: A C F I L M V),
``in_tmd`` and ``faces``.

Transmembrane domain (TMD) frame, from the structure alone: every chain
holding the M3 gate motif SYTANLAAF (conserved in all ionotropic glutamate
receptor subunits; Sobolevsky, Rosconi & Gouaux 2009, Nature 462:745) gives
its M3 helix (the 20 residues before the motif and the motif itself). The
pore axis passes through the centroid of the motif Cα atoms; its direction is
the sum of the M3 helix directions (N->C, i.e. cytoplasm -> extracellular
side, which by the pseudo-fourfold symmetry of the tetramer cancels the
helix tilts). The TMD slab spans the M3 helices along that axis, plus
``_SLAB_PAD`` Å each side, and radially the TMD atoms inside it
(``in_tmd``: pocket centre inside that cylinder). ``faces`` (TMD pockets
only; ``'none'`` elsewhere) follows straight paths of the solvent probe from
the pocket's points and its mouth (the non-buried empty points touching it):
``'pore'`` if at least 3 points have a probe-clear straight path to the pore
axis; ``'membrane'`` if at least 3 points without such a path have a
probe-clear path towards the lipid, i.e. within a fan of directions (±60° in
the membrane plane around the outward radial direction, ±30° out of it) that
leaves the TMD cylinder inside the slab; ``'both'`` or ``'none'``. The slab
padding, the 3-point minimum and the fan angles are this toolkit's choices
(no published default exists), checked on 7EU8 and 7EOS: the ketamine
vestibule is 'pore' in both.

Lateral candidates (:func:`lateral_candidates`) are **computed candidates**
for the membrane-accessible hydrophobic sites reported by Abbott et al. 2024
(Mol Psychiatry, doi:10.1038/s41380-024-02729-9); that paper's residue list
is not reproduced or used here.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._jobs import resolve_n_jobs
from ..catalog import MOTIF
from ..errors import (
    GridTooLarge,
    InvalidCoordinates,
    InvalidParameter,
    NoProteinError,
    NoTransmembraneDomain,
)
from ..io.aminoacids import THREE_TO_ONE

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = [
    "POCKET_COLUMNS",
    "find_pockets",
    "lateral_candidates",
    "pocket_points",
    "tmd_frame",
    "TMDFrame",
    "KETAMINE_VOLUME",
    "LATERAL_MIN_VOLUME",
    "LATERAL_MIN_HYDROPHOBICITY",
    "LATERAL_NOTE",
    "drug_like_ligands",
    "DRUG_LIKE_MIN_HEAVY_ATOMS",
]

POCKET_COLUMNS = [
    "entry", "pocket_id", "rank", "center_x", "center_y", "center_z", "volume", "n_points",
    "buriedness", "hydrophobicity", "in_tmd", "faces", "lining_residues", "n_lining", "score",
    "lateral_candidate", "stability", "druggability", "deep_volume",
]  # fmt: skip

_DTYPES = {
    "entry": str, "pocket_id": "int64", "rank": "int64", "center_x": "float64", "center_y": "float64",
    "center_z": "float64", "volume": "float64", "n_points": "int64", "buriedness": "float64",
    "hydrophobicity": "float64", "in_tmd": bool, "faces": str, "lining_residues": str, "n_lining": "int64",
    "score": "float64", "lateral_candidate": bool, "stability": "float64", "druggability": "float64",
    "deep_volume": "float64",
}  # fmt: skip
#: Bondi (1964) van der Waals radii (Å) of heavy elements; 1.80 Å for anything else.
_BONDI = {"C": 1.70, "N": 1.55, "O": 1.52, "S": 1.80, "SE": 1.90, "P": 1.80, "F": 1.47,
          "CL": 1.75, "BR": 1.85, "I": 1.98}  # fmt: skip
_DEFAULT_RADIUS = 1.80
#: Scan lines of the buriedness test, spread evenly over all orientations (module docstring).
N_LINES = 30
#: LIGSITE's 7 directions, for the legacy ``min_psp`` argument (a count of 7).
_N_LIGSITE = 7
#: Default buriedness cut: a point is buried when at least this fraction of the scan lines
#: meet protein on both sides (module docstring: how it was chosen).
MIN_BURIEDNESS = 16 / 30
#: Pocket cores: points enclosed by at least this fraction of the scan lines seed the
#: watershed that splits a buried region into pockets (LIGSITE's MINPSP 6 of 7).
CORE_BURIEDNESS = 6 / 7
#: Largest grid (points, all atom groups together) a search may allocate: about 12 bytes a
#: point, so ~0.5 GB.
MAX_GRID_POINTS = 40_000_000
_MAX_SPACING = 4.0
_MAX_PROBE = 5.0
#: Longest scan ray (Å) accepted: beyond ~2 domain widths a ray measures nothing local.
_MAX_RAY = 50.0
#: Volume (Å^3) at which the size term of the druggability score saturates: ~ a 300-350 Da
#: drug-like ligand (ketamine, 238 Da, has 215 Å^3).
_DRUG_VOLUME = 300.0
#: Width (Å, Gaussian sigma) over which buriedness may be averaged before the cores are found.
#: 0 = off: averaging over 1 Å made the 7EU8 pockets *less* reproducible under rotation.
_SMOOTH = 0.0
#: Radius (Å) of the channel-pore cylinder (TMD slab only) that is one watershed region of its
#: own, so that the pore vestibule is never merged with a side pocket: the ketamine vestibule
#: of 7EU8 is ~4 Å in radius around the axis.
_PORE_CORE = 4.0
#: Kyte & Doolittle (1982) residues with positive hydropathy.
_APOLAR = frozenset("IVLFCMA")
#: Lining distance (Å): heavy atom to pocket grid point.
_LINING_CUTOFF = 4.0
#: Residues of the M3 helix before the SYTANLAAF motif (M3 is ~20 residues +
#: the motif; Sobolevsky et al. 2009).
_M3_BEFORE_MOTIF = 20
#: Padding (Å) of the TMD slab beyond the M3 Cα extent along the pore axis
#: (about one helical turn plus a side chain).
_SLAB_PAD = 5.0
#: Number of pocket/mouth points that must see open space for ``faces``.
_MIN_OPEN_POINTS = 3
#: At most this many points per pocket are tested for ``faces`` (evenly thinned).
_MAX_FACE_POINTS = 200
#: Fan of lipid-ward directions (degrees): in the membrane plane around the radial
#: direction, and tilted out of that plane.
_FAN_IN_PLANE = (0, -20, 20, -40, 40, -60, 60)
_FAN_TILT = (0, -30, 30)

#: Molecular (van der Waals) volume of S-ketamine, Å^3, with hydrogens:
#: RDKit ``AllChem.ComputeMolVolume`` of an ETKDG conformer, grid 0.2 Å
#: (215-216 Å^3 over 5 seeds; recomputed in the tests).
KETAMINE_VOLUME = 215.0
#: Default minimum volume of a lateral candidate: a cavity must hold ketamine;
#: 200 Å^3 is ~93 % of its vdW volume (grid volumes at 1 Å carry ~±10 % error).
LATERAL_MIN_VOLUME = 200.0
#: Default minimum hydrophobicity of a lateral candidate: most lining residues
#: apolar (Kyte & Doolittle 1982), as expected for a lipid-facing site.
LATERAL_MIN_HYDROPHOBICITY = 0.5
#: Smallest drug-like ligand (heavy atoms) for :func:`drug_like_ligands`: this toolkit's
#: choice, below the smallest drug-like molecules (ketamine 16, paracetamol 11) and above most
#: small organic crystallisation additives and buffers (glycerol 6, sulfate 5, acetate 4).
DRUG_LIKE_MIN_HEAVY_ATOMS = 10
LATERAL_NOTE = (
    "Computed candidates: membrane-facing, hydrophobic pockets of the transmembrane domain found "
    "by a LIGSITE-type grid search on this structure. They are candidates for the "
    "membrane-accessible hydrophobic ketamine sites reported by Abbott et al. 2024 Mol Psychiatry "
    "(doi:10.1038/s41380-024-02729-9); that paper's residue list is NOT reproduced or used here."
)


# --------------------------------------------------------------------------- benchmark ligands
def drug_like_ligands(structure: Structure, *, min_heavy_atoms: int = DRUG_LIKE_MIN_HEAVY_ATOMS) -> pd.DataFrame:
    """The drug-like ligand instances of a structure: what a pocket search is judged on.

    A non-polymer instance counts when (1) its category from
    :meth:`Structure.ligands <toolkit.model.Structure.ligands>` is ``'ligand'``
    (so not water, ion, glycan, lipid/detergent or crystallisation additive:
    :func:`toolkit.catalog.component_category`); (2) its CCD component is not a
    polymer monomer (:func:`toolkit.io.ccd.monomer_kind` is None: free amino
    acids written as HETATM, such as 3EMS ARG or 5DDR GLN, and nucleotides of
    nucleic-acid chains are excluded by their CCD ``_chem_comp.type``, not by a
    list of codes); and (3) it has at least ``min_heavy_atoms`` heavy atoms
    (:data:`DRUG_LIKE_MIN_HEAVY_ATOMS`). Cofactors such as NAD or GCP count.

    Parameters
    ----------
    structure : Structure
    min_heavy_atoms : int, default :data:`DRUG_LIKE_MIN_HEAVY_ATOMS` (10)
        At least 1.

    Returns
    -------
    pandas.DataFrame
        The rows of :meth:`Structure.ligands` (columns
        :data:`toolkit.model.LIGAND_COLUMNS`) that are drug-like, one per
        instance (code, chain, residue number), in file order; zero rows when
        there is none. Heavy-atom coordinates of an instance:
        ``structure.coord[structure.ligand_atoms(code, chain, res_id)]`` with
        the hydrogens removed.

    Raises
    ------
    InvalidParameter
        ``min_heavy_atoms`` not an integer >= 1.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.pockets import drug_like_ligands
    >>> drug_like_ligands(toolkit.load_structure("7EU8"))[["ccd_code", "chain", "auth_seq_id"]]
      ccd_code chain  auth_seq_id
    0      JC9     B          903
    """
    from .._checks import check_structure
    from ..io.ccd import monomer_kind

    check_structure(structure)
    if isinstance(min_heavy_atoms, bool) or not isinstance(min_heavy_atoms, (int, np.integer)) or min_heavy_atoms < 1:
        raise InvalidParameter(f"min_heavy_atoms must be an integer >= 1, got {min_heavy_atoms!r}")
    lig = structure.ligands()
    if len(lig):
        codes = lig["ccd_code"].astype(str)
        polymer_monomer = codes.map({c: monomer_kind(c) is not None for c in set(codes)}).astype(bool)
        lig = lig[(lig["category"] == "ligand") & (lig["n_heavy_atoms"] >= int(min_heavy_atoms)) & ~polymer_monomer]
    return lig.drop_duplicates(["ccd_code", "chain", "auth_seq_id", "ins_code"]).reset_index(drop=True)


def _require_finite(structure: Structure, mask: np.ndarray | None = None) -> None:
    """Raise :class:`~toolkit.errors.InvalidCoordinates` when an atom (of ``mask``) has a NaN/inf coordinate."""
    xyz = structure.atoms["coord"] if mask is None else structure.atoms["coord"][mask]
    ok = np.isfinite(xyz).all(axis=1)
    if not ok.all():
        raise InvalidCoordinates(
            f"{structure.entry_id or 'structure'}: {int((~ok).sum())} atom(s) have non-finite (NaN/inf) coordinates"
        )


# --------------------------------------------------------------------------- TMD frame
@dataclass(frozen=True)
class TMDFrame:
    """Transmembrane-domain frame of a channel structure (see module docstring).

    Attributes
    ----------
    origin : ndarray (3,)
        Centroid of the SYTANLAAF motif Cα atoms (a point on the pore axis).
    axis : ndarray (3,)
        Unit vector along the pore axis, pointing to the extracellular side.
    t_min, t_max : float
        TMD slab along ``axis`` (Å from ``origin``).
    r_max : float
        Largest radial distance (Å) of a TMD heavy atom from the axis.
    chains : tuple of str
        Chains whose SYTANLAAF motif defined the frame.
    """

    origin: np.ndarray
    axis: np.ndarray
    t_min: float
    t_max: float
    r_max: float
    chains: tuple[str, ...]

    def axial(self, xyz: np.ndarray) -> np.ndarray:
        """Signed position (Å) of points along the axis, from ``origin``."""
        return (np.asarray(xyz, dtype=np.float64) - self.origin) @ self.axis

    def radial(self, xyz: np.ndarray) -> np.ndarray:
        """Distance (Å) of points from the pore axis."""
        return self.axial_radial(xyz)[1]

    def axial_radial(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both :meth:`axial` and :meth:`radial` of points, in one pass."""
        d = np.asarray(xyz, dtype=np.float64) - self.origin
        t = d @ self.axis
        return t, np.sqrt(np.maximum(np.einsum("ij,ij->i", d, d) - t * t, 0.0))


def tmd_frame(structure: Structure) -> TMDFrame:
    """Find the transmembrane domain and pore axis of a channel structure.

    Parameters
    ----------
    structure : Structure

    Returns
    -------
    TMDFrame

    Raises
    ------
    NoTransmembraneDomain
        If fewer than 3 chains hold a modelled SYTANLAAF M3 gate motif with
        its Cα atoms (no channel pore can be defined: e.g. isolated ATD or LBD
        constructs such as 5TQ2 or 4KCC).
    InvalidCoordinates
        A protein atom has a NaN/inf coordinate.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.pockets import tmd_frame
    >>> f = tmd_frame(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> f.chains  # doctest: +SKIP
    ('A', 'B', 'C', 'D')
    """
    from .._checks import check_structure

    check_structure(structure)
    _require_finite(structure, structure.polymer_mask)
    a = structure.atoms
    res = structure.residues()
    ca = (a["atom_name"] == "CA") & structure.polymer_mask
    ca_by_res = dict(zip(structure.residue_index[ca].tolist(), np.flatnonzero(ca).tolist()))
    res_index = structure.residue_index[
        structure.residue_starts[structure.polymer_mask[structure.residue_starts]]
    ]
    motif_ca, helices, chains, problems = [], [], [], []
    for ch, grp in res.groupby("chain", sort=False):
        seq = "".join(grp["one_letter"])
        pos = seq.find(MOTIF)
        if pos < 0:
            continue
        idx = res_index[grp.index.to_numpy()]
        m_atoms = [ca_by_res.get(int(r)) for r in idx[pos : pos + len(MOTIF)]]
        if any(x is None for x in m_atoms):
            problems.append(f"chain {ch}: motif without Cα atoms")
            continue
        h_atoms = [ca_by_res.get(int(r)) for r in idx[max(0, pos - _M3_BEFORE_MOTIF) : pos + len(MOTIF)]]
        h_xyz = a["coord"][[x for x in h_atoms if x is not None]].astype(np.float64)
        motif_ca.append(a["coord"][m_atoms].astype(np.float64))
        helices.append(h_xyz)
        chains.append(str(ch))
    if len(chains) < 3:
        why = f"found the M3 gate motif {MOTIF} in {len(chains)} chain(s) ({', '.join(chains) or 'none'})"
        if problems:
            why += "; " + "; ".join(problems)
        raise NoTransmembraneDomain(
            f"{structure.entry_id or 'structure'}: no transmembrane domain found: {why}; a channel "
            "pore needs at least 3 subunits with a modelled M3 helix (isolated ATD/LBD constructs "
            "have none)"
        )
    origin = np.concatenate(motif_ca).mean(axis=0)
    direction = np.zeros(3)
    for h in helices:
        c = h - h.mean(axis=0)
        v = np.linalg.svd(c, full_matrices=False)[2][0]
        if (h[-1] - h[0]) @ v < 0:  # orient N -> C (cytoplasm -> extracellular)
            v = -v
        direction += v
    norm = np.linalg.norm(direction)
    if norm < 1e-6:
        raise NoTransmembraneDomain(f"{structure.entry_id}: M3 helices give no common pore axis direction")
    axis = direction / norm
    ts = (np.concatenate(helices) - origin) @ axis
    t_min, t_max = float(ts.min() - _SLAB_PAD), float(ts.max() + _SLAB_PAD)
    heavy = structure.polymer_mask & (a["element"] != "H") & (a["element"] != "D")
    xyz = a["coord"][heavy].astype(np.float64)
    frame = TMDFrame(origin, axis, t_min, t_max, 0.0, tuple(chains))
    t = frame.axial(xyz)
    inside = (t >= t_min) & (t <= t_max)
    r_max = float(frame.radial(xyz[inside]).max()) if inside.any() else 0.0
    return TMDFrame(origin, axis, t_min, t_max, r_max, tuple(chains))


# --------------------------------------------------------------------------- grid search
@dataclass
class _Result:
    df: Any
    points: dict[int, np.ndarray]
    grids: list[Any] = field(default_factory=list)
    spacing: float = 1.0
    probe: float = 1.4
    lining_idx: dict[int, np.ndarray] = field(default_factory=dict)
    pocket_grid: dict[int, int] = field(default_factory=dict)
    atom_xyz: Any = None  # protein atoms in the search frame (``(x - c0) @ rot.T``)
    atom_radii: Any = None
    rot: Any = None
    c0: Any = None

    def to_search(self, xyz: np.ndarray) -> np.ndarray:
        """Input-frame coordinates -> the search (principal-axes) frame."""
        return (np.asarray(xyz, dtype=np.float64) - self.c0) @ self.rot.T


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _check(
    name: str, value: Any, *, low: float = 0.0, strict: bool = True, high: float | None = None
) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(v) or (v <= low if strict else v < low) or (high is not None and v > high):
        rng = f"{'>' if strict else '>='} {low:g}" + (f" and <= {high:g}" if high is not None else "")
        raise InvalidParameter(f"{name} must be {rng}, got {value!r}")
    return v


def _map(func, items, workers: int, progress: bool, desc: str):
    """Run ``func`` over ``items`` (threads; numpy releases the GIL), results in input order."""
    items = list(items)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=desc)
    else:
        bar = None
    out = []
    if workers <= 1:
        for it in items:
            out.append(func(it))
            if bar is not None:
                bar.update(1)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as ex:
            for r in ex.map(func, items):
                out.append(r)
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    return out


def _overlap_slices(off: tuple[int, ...], shape: tuple[int, ...]) -> tuple[list[slice], list[slice]]:
    """Slices ``(dst, src)`` pairing every grid point ``p`` with ``p + off`` where both lie in ``shape``."""
    dst_sl, src_sl = [], []
    for o, n in zip(off, shape):
        if o >= 0:
            dst_sl.append(slice(0, n - o))
            src_sl.append(slice(o, n))
        else:
            dst_sl.append(slice(-o, n))
            src_sl.append(slice(0, n + o))
    return dst_sl, src_sl


def _shift_or(acc: np.ndarray, src: np.ndarray, off: tuple[int, int, int]) -> None:
    """``acc[p] |= src[p + off]`` wherever ``p + off`` lies in the grid."""
    dst_sl, src_sl = _overlap_slices(off, src.shape)
    acc[tuple(dst_sl)] |= src[tuple(src_sl)]


def _surface_distance(xyz, radii, origin, spacing, shape, reach, workers, progress, box=None):
    """Per grid point: min over atoms of (distance to centre - vdW radius), exact at grid points
    within ``reach`` Å of an atom surface, +inf elsewhere.

    ``box``, index bounds ``(lo, hi)`` in the grid ``(origin, spacing, shape)``: only that
    sub-box (shape ``hi - lo``) is computed, with the same values as the whole grid's (the
    same lattice arithmetic; atoms that cannot reach the sub-box are skipped).
    """
    cut = radii.max() + reach + 0.87 * spacing  # rounding moves a centre by <= sqrt(3)/2 spacing
    k = int(np.ceil(cut / spacing))
    rng = np.arange(-k, k + 1)
    offs = np.stack(np.meshgrid(rng, rng, rng, indexing="ij"), -1).reshape(-1, 3)
    offs = offs[np.linalg.norm(offs, axis=1) * spacing <= cut]
    base = np.rint((xyz - origin) / spacing).astype(np.int64)
    # pos - centre = (base + o) * spacing + origin - centre = (o - frac) * spacing, frac = the rounding residual
    frac = (xyz - origin) / spacing - base
    if box is not None:
        lo, hi = (np.asarray(b, dtype=np.int64) for b in box)
        reach_box = np.all((base + k >= lo) & (base - k < hi), axis=1)
        xyz, radii, base, frac = xyz[reach_box], radii[reach_box], base[reach_box] - lo, frac[reach_box]
        shape = tuple(int(v) for v in hi - lo)
        if not len(xyz):
            return np.full(shape, np.inf, dtype=np.float32)
    n_total = int(np.prod(shape))
    strides = np.array([shape[1] * shape[2], shape[2], 1], dtype=np.int64)
    base_flat = base @ strides
    off_flat = offs @ strides
    # atoms whose whole offset cube stays inside the grid need no bounds check (most of them)
    inner = np.all((base - k >= 0) & (base + k < np.array(shape)), axis=1)
    chunks = np.array_split(np.arange(len(xyz)), max(1, workers))

    def run(idx):
        g = np.full(n_total, np.inf, dtype=np.float32)
        f, r, bf, b, inn = frac[idx], radii[idx], base_flat[idx], base[idx], inner[idx]
        for blk in np.array_split(np.arange(len(offs)), max(1, len(offs) // 32)):
            o = offs[blk]
            diff = (o[None, :, :] - f[:, None, :]) * spacing
            d = np.sqrt(np.einsum("nbk,nbk->nb", diff, diff)) - r[:, None]
            ok = d <= reach
            if not inn.all():
                gi = b[~inn][:, None, :] + o[None, :, :]
                ok[~inn] &= np.all((gi >= 0) & (gi < np.array(shape)), axis=2)
            flat = bf[:, None] + off_flat[blk][None, :]
            np.minimum.at(g, flat[ok], d[ok].astype(np.float32))
        return g

    parts = _map(run, chunks, workers, progress, "protein grid")
    g = parts[0]
    for p in parts[1:]:
        np.minimum(g, p, out=g)
    return g.reshape(shape)


def _residue_labels(structure: Structure, res_idx: np.ndarray) -> list[str]:
    """Labels shared with the site tables (:func:`toolkit.sites.contacts.residue_label`)."""
    from .contacts import residue_label

    a = structure.atoms
    out = []
    for s in structure.residue_starts[res_idx].tolist():
        ch = str(a["chain_id"][s])
        out.append(
            residue_label(
                structure.chain_subunits.get(ch, "other"),
                str(a["res_name"][s]),
                int(structure.uniprot_num[s]),
                int(a["res_id"][s]),
                str(a["ins_code"][s]).strip(),
                ch,
            )
        )
    return out


def _lipid_path_open(frame, starts, dirs, sd, probe, origin, spacing, r_out, need: int | None = None) -> np.ndarray:
    """True where a probe moving from ``starts`` along ``dirs`` leaves the TMD radially
    (radius ``r_out``) inside the TMD slab without touching an atom.

    With ``need``, stops after the block of 128 paths in which ``need`` open paths
    have been found (the later ones are left False)."""
    shape = np.array(sd.shape)
    length = 2.0 * r_out
    steps = np.arange(1, int(np.ceil(length / (0.5 * spacing))) + 1) * 0.5 * spacing
    out = np.zeros(len(starts), dtype=bool)
    for i in range(0, len(starts), 128):
        s, d = starts[i : i + 128], dirs[i : i + 128]
        samples = s[:, None, :] + steps[None, :, None] * d[:, None, :]
        ax, rad = (v.reshape(samples.shape[:2]) for v in frame.axial_radial(samples.reshape(-1, 3)))
        gi = np.rint((samples - origin) / spacing).astype(np.int64)
        inside = np.all((gi >= 0) & (gi < shape), axis=2)
        gi = np.clip(gi, 0, shape - 1)
        hit = (sd[gi[..., 0], gi[..., 1], gi[..., 2]] < probe) & inside
        exited = rad > r_out
        first_exit = np.where(exited.any(axis=1), exited.argmax(axis=1), len(steps))
        before = np.arange(len(steps))[None, :] < first_exit[:, None]
        clear = ~(hit & before).any(axis=1)
        ok_exit = exited.any(axis=1)
        ex_ax = ax[np.arange(len(s)), np.minimum(first_exit, len(steps) - 1)]
        out[i : i + 128] = clear & ok_exit & (ex_ax >= frame.t_min) & (ex_ax <= frame.t_max)
        if need is not None and int(out.sum()) >= need:
            break
    return out


def _faces(frame: TMDFrame | None, pts: np.ndarray, sd: np.ndarray, probe: float, origin, spacing) -> str:
    """'pore', 'membrane', 'both' or 'none' by straight probe paths from ``pts`` (module docstring).

    Only points where the probe fits (surface distance >= ``probe``) are used,
    and a path is open if the probe fits along all of it: ``'pore'`` if at
    least :data:`_MIN_OPEN_POINTS` points have an open path to the pore axis,
    ``'membrane'`` if as many have no open path to the axis but an open path
    radially out past the TMD surface.
    """
    if frame is None or len(pts) == 0:
        return "none"
    shape = np.array(sd.shape)
    p = pts.astype(np.float64)
    gi0 = np.clip(np.rint((p - origin) / spacing).astype(np.int64), 0, shape - 1)
    p = p[sd[gi0[:, 0], gi0[:, 1], gi0[:, 2]] >= probe]
    if len(p) == 0:
        return "none"

    def blocked(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        length = np.linalg.norm(ends - starts, axis=1)
        n = max(2, int(np.ceil(length.max() / (0.5 * spacing))) + 1)
        f = np.linspace(0.0, 1.0, n)
        out = np.zeros(len(starts), dtype=bool)
        for i in range(0, len(starts), 256):
            s, e = starts[i : i + 256], ends[i : i + 256]
            samples = s[:, None, :] + f[None, :, None] * (e - s)[:, None, :]
            gi = np.rint((samples - origin) / spacing).astype(np.int64)
            inside = np.all((gi >= 0) & (gi < shape), axis=2)
            gi = np.clip(gi, 0, shape - 1)
            out[i : i + 256] = ((sd[gi[..., 0], gi[..., 1], gi[..., 2]] < probe) & inside).any(axis=1)
        return out

    if len(p) > _MAX_FACE_POINTS:  # deterministic thinning of very large pockets
        p = p[np.linspace(0, len(p) - 1, _MAX_FACE_POINTS).round().astype(np.int64)]
    t = frame.axial(p)
    foot = frame.origin + np.outer(t, frame.axis)
    radial_vec = p - foot
    r = np.linalg.norm(radial_vec, axis=1)
    near_axis = r < spacing
    pore_open = near_axis.copy()
    far = ~near_axis
    if far.any():
        pore_open[far] = ~blocked(p[far], foot[far])
    mem_open = np.zeros(len(p), dtype=bool)
    cand = np.flatnonzero(far & ~pore_open)
    r_out = frame.r_max + 2.0
    if len(cand):
        # only whether _MIN_OPEN_POINTS paths are open matters: stop once they are found
        u = radial_vec[cand] / r[cand, None]
        v = np.cross(frame.axis, u)
        for a_deg in _FAN_IN_PLANE:
            for b_deg in _FAN_TILT:
                have = int(mem_open.sum())
                if have >= _MIN_OPEN_POINTS:
                    break
                a, b = np.radians(a_deg), np.radians(b_deg)
                d = np.cos(b) * (np.cos(a) * u + np.sin(a) * v) + np.sin(b) * frame.axis
                todo = ~mem_open[cand]
                if not todo.any():
                    break
                idx = cand[todo]
                mem_open[idx] = _lipid_path_open(
                    frame, p[idx], d[todo], sd, probe, origin, spacing, r_out, need=_MIN_OPEN_POINTS - have
                )
    pore = int(pore_open.sum()) >= _MIN_OPEN_POINTS
    mem = int(mem_open.sum()) >= _MIN_OPEN_POINTS
    return "both" if pore and mem else "pore" if pore else "membrane" if mem else "none"


def _lines(n: int) -> np.ndarray:
    """``n`` unit vectors spread evenly over a hemisphere (Fibonacci lattice): the scan lines."""
    i = np.arange(n) + 0.5
    z = 1.0 - i / n
    phi = np.pi * (1 + 5**0.5) * i
    r = np.sqrt(1 - z * z)
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def _pack_x(b: np.ndarray, pad: int) -> np.ndarray:
    """Bool grid ``(nx, ny, nz)`` -> uint64 words ``(pad + nw + pad, ny, nz)``, bit ``j`` of word
    ``pad + w`` holding ``b[64 w + j]`` (64 grid points along the first axis in a word; zero words
    and zero bits outside the grid)."""
    nx = b.shape[0]
    nw = (nx + 63) // 64
    by = np.zeros((nw * 8, *b.shape[1:]), dtype=np.uint8)
    by[: (nx + 7) // 8] = np.packbits(b, axis=0, bitorder="little")
    words = np.zeros((pad + nw + pad, *b.shape[1:]), dtype=np.uint64)
    body = words[pad : pad + nw]
    for j in range(8):
        body |= by[j::8].astype(np.uint64) << np.uint64(8 * j)
    return words


def _shift_or_packed(acc: np.ndarray, src: np.ndarray, pad: int, off: tuple[int, int, int]) -> None:
    """:func:`_shift_or` on grids packed by :func:`_pack_x`: ``acc`` ``(nw, ny, nz)``, ``src`` padded by ``pad`` words."""
    nw = acc.shape[0]
    q, r = divmod(int(off[0]), 64)  # grid point x reads x + off[0] = 64 (w + q) + (j + r)
    dst_sl, src_sl = _overlap_slices(off[1:], acc.shape[1:])
    dst = (slice(None), *dst_sl)
    lo = src[(slice(pad + q, pad + q + nw), *src_sl)]
    if r == 0:
        acc[dst] |= lo
    else:
        hi = src[(slice(pad + q + 1, pad + q + 1 + nw), *src_sl)]
        acc[dst] |= (lo >> np.uint64(r)) | (hi << np.uint64(64 - r))


def _enclosure(protein, spacing, max_ray, workers, progress, grid_shape=None):
    """Per grid point: number of the :data:`N_LINES` scan lines that meet protein on both sides
    within ``max_ray`` Å (rays sampled every grid step, offsets rounded to the grid).

    The grids are bit-packed along the first axis (64 points a word), so each shift of a scan
    line moves an eighth of the bytes of a boolean grid; the counts are those of
    :func:`_shift_or` on boolean grids (tested). ``grid_shape``: the shape of the whole grid
    when ``protein`` is a sub-box of it (a scan-line offset as long as the whole grid is skipped,
    as there).
    """
    steps = max(1, int(np.floor(max_ray / spacing)))
    nx, ny, nz = protein.shape
    grid_shape = protein.shape if grid_shape is None else grid_shape
    nw = (nx + 63) // 64
    pad = (steps + 63) // 64 + 1
    packed = _pack_x(protein, pad)

    def run(d):
        offs: list[tuple[int, int, int]] = []
        for k in range(1, steps + 1):
            o = tuple(int(x) for x in np.rint(k * d))
            if o != (0, 0, 0) and o not in offs and all(abs(x) < n for x, n in zip(o, grid_shape)):
                offs.append(o)
        fwd = np.zeros((nw, ny, nz), dtype=np.uint64)
        bwd = np.zeros((nw, ny, nz), dtype=np.uint64)
        for o in offs:
            _shift_or_packed(fwd, packed, pad, o)
            _shift_or_packed(bwd, packed, pad, (-o[0], -o[1], -o[2]))
        fwd &= bwd
        # (nw, ny, nz) words -> (nw, ny, nz, 64) bits, bit j of word w = grid point 64 w + j
        return np.unpackbits(fwd.astype("<u8", copy=False).view(np.uint8).reshape(nw, ny, nz, 8), axis=3,
                             bitorder="little")  # fmt: skip

    counts = np.zeros((nw, ny, nz, 64), dtype=np.uint8)
    for enclosed in _map(run, list(_lines(N_LINES)), workers, progress, "buriedness"):
        counts += enclosed
    return np.ascontiguousarray(counts.transpose(0, 3, 1, 2).reshape(nw * 64, ny, nz)[:nx])


def canonical_frame(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The principal-axes frame of a point set: ``(rot, centre)``, with ``(x - centre) @ rot.T``
    the coordinates in that frame.

    Rows of ``rot`` are the eigenvectors of the covariance (largest variance first), each signed
    so that the third moment of the coordinates along it is positive, and right-handed; so the
    frame moves with the points (a rotated or shifted input gives the same coordinates).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(50, 3)) * [5, 2, 1]
    >>> q = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))[0]
    >>> q *= np.sign(np.linalg.det(q))
    >>> r1, c1 = canonical_frame(x)
    >>> r2, c2 = canonical_frame(x @ q.T + 7)
    >>> bool(np.allclose((x - c1) @ r1.T, (x @ q.T + 7 - c2) @ r2.T))
    True
    """
    c = xyz.mean(axis=0)
    d = xyz - c
    _, v = np.linalg.eigh(d.T @ d)
    rot = v[:, ::-1].T.copy()
    for k in range(3):
        m3 = float(((d @ rot[k]) ** 3).sum())
        if m3 < 0 or (m3 == 0 and float(d[0] @ rot[k]) < 0):
            rot[k] = -rot[k]
    rot[2] = np.cross(rot[0], rot[1])
    return rot, c


def _clusters(xyz: np.ndarray, gap: float) -> list[np.ndarray]:
    """Atom groups that cannot share a pocket: cells of ``gap`` Å, joined when they touch (26-neighbours).

    Atoms of different groups are more than ``gap`` Å apart, so with ``gap`` = 2 x ``max_ray``
    no grid point is enclosed by both; each group gets its own grid (a lone atom far away
    then costs a tiny grid instead of a huge box).
    """
    cells = np.floor(xyz / gap).astype(np.int64)
    uniq, inv = np.unique(cells, axis=0, return_inverse=True)
    inv = inv.ravel()
    index = {tuple(c): k for k, c in enumerate(uniq.tolist())}
    parent = list(range(len(uniq)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    nb = [(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1) if (i, j, k) > (0, 0, 0)]
    for c, k in index.items():
        for o in nb:
            m = index.get((c[0] + o[0], c[1] + o[1], c[2] + o[2]))
            if m is not None:
                ra, rb = find(k), find(m)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(k) for k in range(len(uniq))])[inv]
    return [np.flatnonzero(roots == r) for r in np.unique(roots)]


@dataclass
class _Grid:
    spacing: float
    origin: np.ndarray
    shape: tuple[int, int, int]
    sd: np.ndarray
    empty: np.ndarray
    counts: np.ndarray
    buried: np.ndarray


def _box(
    xyz: np.ndarray, spacing: float, margin: float, offset: float
) -> tuple[np.ndarray, tuple[int, int, int]]:
    """Grid box around ``xyz`` on the lattice ``offset + k * spacing`` (the same lattice for every group)."""
    lo = np.floor((xyz.min(axis=0) - margin - offset) / spacing) * spacing + offset
    shape = tuple(int(x) for x in np.ceil((xyz.max(axis=0) + margin - lo) / spacing).astype(int) + 1)
    return lo, shape  # type: ignore[return-value]


def _empty(sd: np.ndarray, probe: float, spacing: float) -> np.ndarray:
    """Points a probe sphere can reach: within ``probe`` of a point where it fits, not inside an atom
    (points beyond the grid are not probe centres)."""
    from scipy import ndimage

    protein = sd < 0.0
    if probe <= 0:
        return ~protein
    rk = int(np.floor(probe / spacing))
    rr = np.arange(-rk, rk + 1)
    ball = (np.add.outer(np.add.outer(rr**2, rr**2), rr**2) * spacing**2) <= probe**2 + 1e-9
    return ndimage.binary_dilation(sd >= probe, structure=ball) & ~protein


def _lines_for(fraction: float) -> int:
    """The number of scan lines a fraction of :data:`N_LINES` means (a point is buried, or core, from it on)."""
    return int(np.ceil(fraction * N_LINES - 1e-9))


def _grid(xyz, radii, spacing, probe, ray, bmin, origin, shape, workers, progress) -> _Grid:
    sd = _surface_distance(xyz, radii, origin, spacing, shape, probe + spacing, workers, progress)
    empty = _empty(sd, probe, spacing)
    counts = _enclosure(sd < 0.0, spacing, ray, workers, progress)
    counts[~empty] = 0
    buried = empty & (counts >= _lines_for(bmin))
    return _Grid(spacing, origin, shape, sd, empty, counts, buried)


@dataclass
class _BuriedBox:
    """The ``buried`` mask of a grid ``(origin, shape)`` computed only in the sub-box ``[lo, lo + buried.shape)``."""

    origin: np.ndarray
    shape: tuple[int, int, int]
    lo: np.ndarray
    buried: np.ndarray


def _buried_box(xyz, radii, spacing, probe, ray, bmin, origin, shape, pts, workers) -> _BuriedBox | None:
    """:func:`_grid`'s ``buried`` mask, exactly, but only where :func:`_reproduced` reads it for ``pts``.

    The sub-box holds the 8 lattice neighbours of every point (those inside the grid);
    ``empty`` there needs the surface distance up to the probe radius farther, and the
    enclosure counts need the protein mask up to ``ray`` farther (clipped to the grid, outside
    which there is no protein either way). The protein mask alone (sign of the surface
    distance) needs only the atoms' own radii. ``None`` when no neighbour lies in the grid.
    """

    shp = np.array(shape, dtype=np.int64)
    i0 = np.floor((pts - origin) / spacing + 1e-9).astype(np.int64)
    lo = np.maximum(i0.min(axis=0), 0)
    hi = np.minimum(i0.max(axis=0) + 2, shp)
    if np.any(hi <= lo):
        return None
    rk = int(np.floor(probe / spacing)) if probe > 0 else 0
    steps = max(1, int(np.floor(ray / spacing)))
    c_lo, c_hi = np.maximum(lo - rk, 0), np.minimum(hi + rk, shp)
    e_lo, e_hi = np.maximum(lo - steps, 0), np.minimum(hi + steps, shp)
    sd = _surface_distance(xyz, radii, origin, spacing, shape, probe + spacing, workers, False, box=(c_lo, c_hi))
    empty_c = _empty(sd, probe, spacing)
    protein_e = _surface_distance(xyz, radii, origin, spacing, shape, 0.0, workers, False, box=(e_lo, e_hi)) < 0.0
    counts_e = _enclosure(protein_e, spacing, ray, workers, False, grid_shape=tuple(int(v) for v in shp))
    sub = tuple(slice(int(a), int(b)) for a, b in zip(lo - c_lo, hi - c_lo))
    empty = empty_c[sub]
    counts = counts_e[tuple(slice(int(a), int(b)) for a, b in zip(lo - e_lo, hi - e_lo))]
    buried = empty & (counts >= _lines_for(bmin))
    return _BuriedBox(origin, tuple(int(v) for v in shp), lo, buried)


def _smoothed(g: _Grid) -> np.ndarray:
    """Enclosed-line counts averaged over empty space with a Gaussian of :data:`_SMOOTH` Å
    (normalised convolution: protein points neither count nor dilute)."""
    from scipy import ndimage

    if _SMOOTH <= 0:
        return g.counts.astype(np.float32)
    sigma = _SMOOTH / g.spacing
    w = ndimage.gaussian_filter(g.empty.astype(np.float32), sigma, truncate=2.5)
    v = ndimage.gaussian_filter(np.where(g.empty, g.counts, 0).astype(np.float32), sigma, truncate=2.5)
    return np.where(g.empty, v / np.maximum(w, 1e-6), 0.0)


def _split(g: _Grid, core_fraction: float, frame: TMDFrame | None = None) -> tuple[np.ndarray, int]:
    """Label pockets: buried regions split around their cores (watershed on buriedness).

    Cores are the connected sets of points enclosed by at least ``core_fraction``
    of the scan lines; every buried point joins the core it is reached from first
    when the buried region is flooded from the cores in order of decreasing
    buriedness (``scipy.ndimage.watershed_ift``; Beucher & Meyer 1993). A buried
    region without a core stays one pocket.

    The work is done in the bounding box of the buried points, plus the margin the
    smoothing and the flood's neighbours need: the labels are those of the whole grid
    (raster order, and so label numbers, is kept by the crop; tested).
    """
    if not g.buried.any():
        return np.zeros(g.shape, dtype=np.int32), 0
    margin = 1 + (int(2.5 * _SMOOTH / g.spacing + 0.5) if _SMOOTH > 0 else 0)
    box = []
    for ax in range(3):
        hit = np.flatnonzero(g.buried.any(axis=tuple(k for k in range(3) if k != ax)))
        box.append(slice(max(0, int(hit[0]) - margin), min(g.shape[ax], int(hit[-1]) + 1 + margin)))
    crop = tuple(box)
    sub = _Grid(g.spacing, g.origin, g.shape, g.sd, g.empty[crop], g.counts[crop], g.buried[crop])
    labels, n = _split_box(sub, np.array([b.start for b in box]), core_fraction, frame)
    out = np.zeros(g.shape, dtype=labels.dtype)
    out[crop] = labels
    return out, n


def _split_box(g: _Grid, lo: np.ndarray, core_fraction: float, frame: TMDFrame | None) -> tuple[np.ndarray, int]:
    """:func:`_split` on the sub-box of ``g`` starting at grid index ``lo`` (``g.empty``,
    ``g.counts`` and ``g.buried`` cropped; ``g.origin`` that of the whole grid)."""
    from scipy import ndimage

    comp, n_comp = ndimage.label(g.buried)
    smooth = _smoothed(g)
    core = g.buried & (smooth >= core_fraction * N_LINES - 1e-6)
    pore = np.zeros_like(core)
    if frame is not None:  # the channel pore is a region of its own (one marker per connected piece)
        idx = np.nonzero(g.buried)  # only buried points can join the pore region
        t, r = frame.axial_radial(g.origin + (np.stack(idx, axis=1) + lo) * g.spacing)
        pore[idx] = (r < _PORE_CORE) & (t >= frame.t_min) & (t <= frame.t_max)
        core &= ~pore
    core_lab, n_core = ndimage.label(core)
    if pore.any():
        pore_lab, n_pore = ndimage.label(pore)
        core_lab = np.where(pore, pore_lab + n_core, core_lab)
        n_core += n_pore
        core = core | pore
    if n_core == 0 or core_fraction <= 0:
        return comp, n_comp
    has_core = np.zeros(n_comp + 1, dtype=bool)
    has_core[comp[core]] = True
    markers = core_lab.astype(np.int32)
    lone = g.buried & ~has_core[comp]
    markers[lone] = comp[lone] + n_core
    markers[~g.buried] = -1
    cost = np.clip(np.rint((N_LINES - smooth) * 8), 0, 254).astype(np.uint8)
    cost[~g.buried] = 255
    ws = ndimage.watershed_ift(cost, markers)
    ws[~g.buried] = 0
    ws = np.where(ws < 0, 0, ws)
    # renumber consecutively, in label order (0 stays 0 = not a pocket): a look-up table instead of
    # sorting the whole grid (np.unique)
    present = np.zeros(int(ws.max()) + 1, dtype=bool)
    present[ws.ravel()] = True
    lut = (np.cumsum(present) - int(present[0])).astype(np.int32)
    out = lut[ws]
    return out, int(out.max())


def _reproduced(pts: np.ndarray, grids: list[_Grid | _BuriedBox | None], spacing: float) -> np.ndarray:
    """True for points whose cube of 8 neighbours on a shifted lattice is mostly (>= 4) buried.

    A grid may be a :class:`_BuriedBox` (its ``buried`` mask held only in a sub-box that
    contains every neighbour of ``pts`` inside the grid: see :func:`_buried_box`) or ``None``
    (no neighbour of ``pts`` in that grid).
    """
    out = np.zeros(len(pts), dtype=bool)
    for g in grids:
        if g is None:
            continue
        lo = getattr(g, "lo", np.zeros(3, dtype=np.int64))
        i0 = np.floor((pts - g.origin) / spacing + 1e-9).astype(np.int64)
        votes = np.zeros(len(pts), dtype=np.int64)
        valid = np.zeros(len(pts), dtype=bool)
        for c in ((0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)):
            gi = i0 + np.array(c)
            ok = np.all((gi >= 0) & (gi < np.array(g.shape)), axis=1)
            valid |= ok
            gi = gi[ok] - lo
            if len(gi) and (gi.min() < 0 or np.any(gi.max(axis=0) >= g.buried.shape)):
                raise RuntimeError("internal: a point's neighbour lies outside the computed sub-box")
            votes[ok] += g.buried[gi[:, 0], gi[:, 1], gi[:, 2]]
        out |= valid & (votes >= 4)
    return out


def _search(structure, *, exclude_ligands, grid_spacing, probe_radius, max_ray, min_buriedness, min_volume,
            n_jobs, progress, core_fraction=None, perturb=0, relevant=None) -> _Result:  # fmt: skip
    """The pocket search (cached per structure and parameters).

    ``relevant``, for the perturbed searches of :func:`toolkit.sites.lateral.lateral_sites`
    (which only ask which pockets pass every lateral criterion): ``(centre, normal,
    half_thickness, min_volume, min_hydrophobicity, min_stability)`` of the membrane and the
    criteria; ``stability`` (the shifted grid) is then computed only for pockets whose centre
    lies in that slab and which pass the volume and hydrophobicity criteria, and is NaN for
    the others, and ``faces`` (the costliest per-pocket step) only for those that also pass
    the stability criterion, ``'none'`` for the others (which fail a criterion either way).
    """
    import pandas as pd
    from scipy import ndimage
    from scipy.spatial import cKDTree

    from .._checks import check_bool, check_structure

    check_structure(structure)
    check_bool(exclude_ligands, "exclude_ligands")
    check_bool(progress, "progress")
    spacing = _check("grid_spacing", grid_spacing, high=_MAX_SPACING)
    probe = _check("probe_radius", probe_radius, strict=False, high=_MAX_PROBE)
    ray = _check("max_ray", max_ray, high=_MAX_RAY)
    bmin = _check("min_buriedness", min_buriedness, high=1.0)
    vmin = _check("min_volume", min_volume)
    workers = resolve_n_jobs(n_jobs)
    core_fraction = CORE_BURIEDNESS if core_fraction is None else core_fraction
    key = (bool(exclude_ligands), spacing, probe, ray, bmin, vmin, core_fraction, int(perturb), relevant)
    per_struct = _CACHE.setdefault(structure, {})
    if key in per_struct:
        return per_struct[key]

    a = structure.atoms
    elem = np.char.upper(a["element"].astype(str))
    heavy = (elem != "H") & (elem != "D")
    keep = heavy & structure.polymer_mask if exclude_ligands else heavy & (a["res_name"] != "HOH")
    if not keep.any():
        raise NoProteinError(f"{structure.entry_id or 'structure'}: no protein heavy atoms to search")
    _require_finite(structure, keep)
    xyz = a["coord"][keep].astype(np.float64)
    radii = np.array([_BONDI.get(e, _DEFAULT_RADIUS) for e in elem[keep].tolist()])
    # work in the protein's own frame (principal axes): the grid then moves with the protein,
    # so a rotated or translated input gives the same grid, pockets and points
    rot, c0 = canonical_frame(xyz)
    offset = np.zeros(3)
    if perturb:  # a perturbed grid (for consensus checks): a random frame and lattice offset
        rng = np.random.default_rng(int(perturb))
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        q *= np.sign(np.linalg.det(q))
        rot = q @ rot
        offset = rng.uniform(0.0, spacing, size=3)
    xyz = (xyz - c0) @ rot.T
    margin = probe + 2.0 * spacing + _DEFAULT_RADIUS
    groups = _clusters(xyz, 2.0 * ray + 2.0 * margin)
    boxes = [_box(xyz[g], spacing, margin, offset) for g in groups]
    total = sum(int(np.prod(shape)) for _, shape in boxes)
    if total > MAX_GRID_POINTS:
        raise GridTooLarge(
            f"grid_spacing={spacing} gives {total:,} grid points for {structure.entry_id or 'structure'} "
            f"(limit {MAX_GRID_POINTS:,}, about {MAX_GRID_POINTS * 12 // 10**9} GB): use a coarser spacing "
            "or a smaller selection"
        )
    grids = [_grid(xyz[g], radii[g], spacing, probe, ray, bmin, o, sh, workers, progress)
             for g, (o, sh) in zip(groups, boxes)]  # fmt: skip

    frame = None
    try:
        f_in = tmd_frame(structure)
        frame = TMDFrame((f_in.origin - c0) @ rot.T, f_in.axis @ rot.T, f_in.t_min, f_in.t_max, f_in.r_max,
                         f_in.chains)  # fmt: skip
    except NoTransmembraneDomain:
        f_in = None

    res_of_atom = structure.residue_index[keep]
    apolar_res = np.array(
        [THREE_TO_ONE.get(x, "X") in _APOLAR for x in a["res_name"][structure.residue_starts].tolist()]
    )
    atom_tree = cKDTree(xyz)
    rows, points = [], {}
    lining_idx: dict[int, np.ndarray] = {}
    pocket_grid: dict[int, int] = {}
    core_count = _lines_for(core_fraction)
    tol = 1e-6  # rounding: a pocket on a lateral threshold is kept (computed in full)
    mouth_struct = ndimage.generate_binary_structure(3, 1)
    vox = spacing**3
    for g_index, g in enumerate(grids):
        labels, n_lab = _split(g, core_fraction, frame)
        sizes = np.bincount(labels.ravel(), minlength=n_lab + 1)
        good = np.flatnonzero(sizes * vox >= vmin)
        good = good[good > 0]
        objects = ndimage.find_objects(labels)
        for lab in good.tolist():
            sl = objects[lab - 1]
            sl_big = tuple(slice(max(0, s.start - 1), min(n, s.stop + 1)) for s, n in zip(sl, g.shape))
            sub = labels[sl_big] == lab
            idx = np.argwhere(sub) + np.array([s.start for s in sl_big])
            pts = g.origin + idx * spacing
            bur_pts = g.counts[tuple(idx.T)].astype(np.float64) / N_LINES
            bur = float(bur_pts.mean())
            deep = float((g.counts[tuple(idx.T)] >= core_count).sum() * vox)
            near = atom_tree.query_ball_point(pts, r=_LINING_CUTOFF)
            atoms_near = np.unique(np.concatenate([np.asarray(x, dtype=np.int64) for x in near]))
            res_idx = np.unique(res_of_atom[atoms_near]) if len(atoms_near) else np.array([], dtype=np.int64)
            labels_txt = _residue_labels(structure, res_idx)
            hyd = float(apolar_res[res_idx].mean()) if len(res_idx) else 0.0
            centre = pts.mean(axis=0)
            in_tmd = False
            vol = len(pts) * vox
            wanted = True
            if relevant is not None:  # only whether this pocket can pass the lateral criteria matters
                r_c, r_n, r_half, r_vol, r_hyd, _ = relevant  # stability: decided below
                depth = float((centre @ rot + c0 - np.asarray(r_c)) @ np.asarray(r_n))
                wanted = abs(depth) <= r_half + tol and vol >= r_vol - tol and hyd >= r_hyd - tol
            if frame is not None:
                t = float(frame.axial(centre[None])[0])
                rad = float(frame.radial(centre[None])[0])
                in_tmd = frame.t_min <= t <= frame.t_max and rad <= frame.r_max
            drug = bur * (0.5 + 0.5 * hyd) * min(1.0, vol / _DRUG_VOLUME)
            rows.append(
                {
                    "entry": structure.entry_id,
                    "volume": float(vol),
                    "n_points": len(pts),
                    "buriedness": bur,
                    "hydrophobicity": hyd,
                    "in_tmd": bool(in_tmd),
                    "faces": "none",
                    "lining_residues": ";".join(dict.fromkeys(labels_txt)),
                    "n_lining": len(res_idx),
                    "score": deep,
                    "lateral_candidate": False,
                    "stability": np.nan,
                    "druggability": float(drug),
                    "deep_volume": deep,
                    "_pts": pts,  # search frame until the end
                    "_res": res_idx,
                    "_grid": g_index,
                    "_wanted": wanted,
                    "_sub": (sub, sl_big),
                }
            )
    # stability: the same search on the lattice shifted by half a step along each axis (grid consensus),
    # its buried mask computed only around the pockets that need it (all, or those still in the running)
    need = [r for r in rows if r["_wanted"]]
    if need:
        every = np.vstack([r["_pts"] for r in need])
        shifted = [_buried_box(xyz[g], radii[g], spacing, probe, ray, bmin,
                               *_box(xyz[g], spacing, margin, offset + 0.5 * spacing), every, workers)
                   for g in groups]  # fmt: skip
        for r in need:
            r["stability"] = float(_reproduced(r["_pts"], shifted, spacing).mean())
    for r in rows:
        g = grids[r["_grid"]]
        pts = r["_pts"]
        stable = relevant is None or r["stability"] >= relevant[5] - tol
        if frame is not None and r["in_tmd"] and r["_wanted"] and stable:
            sub, sl_big = r["_sub"]
            mouth = ndimage.binary_dilation(sub, structure=mouth_struct) & g.empty[sl_big] & ~g.buried[sl_big]
            mouth_pts = g.origin + (np.argwhere(mouth) + np.array([s.start for s in sl_big])) * spacing
            r["faces"] = _faces(frame, np.vstack([pts, mouth_pts]), g.sd, probe, g.origin, spacing)
        pts = pts @ rot + c0  # back to the input frame
        centre = pts.mean(axis=0)
        r["_pts"] = pts
        r["center_x"], r["center_y"], r["center_z"] = (float(v) for v in centre)
        del r["_wanted"], r["_sub"]
    rows.sort(key=lambda r: (-r["score"], -r["volume"] * r["buriedness"], r["center_x"], r["center_y"],
                             r["center_z"]))  # fmt: skip
    for i, r in enumerate(rows, start=1):
        r["pocket_id"] = i
        r["rank"] = i
        points[i] = r.pop("_pts")
        lining_idx[i] = r.pop("_res")
        pocket_grid[i] = r.pop("_grid")
    df = pd.DataFrame(rows, columns=POCKET_COLUMNS)
    df = df.astype(_DTYPES)
    df.attrs["params"] = dict(zip(("exclude_ligands", "grid_spacing", "probe_radius", "max_ray", "min_buriedness",
                                   "min_volume", "core_buriedness"), key))  # fmt: skip
    df.attrs["params"]["n_lines"] = N_LINES
    df.attrs["grid_points"] = total
    df.attrs["tmd"] = (
        {
            "chains": list(f_in.chains),
            "origin": f_in.origin.tolist(),
            "axis": f_in.axis.tolist(),
            "t_min": f_in.t_min,
            "t_max": f_in.t_max,
            "r_max": f_in.r_max,
        }
        if f_in is not None
        else None
    )
    result = _Result(df, points, grids, spacing, probe, lining_idx, pocket_grid, xyz, radii, rot, c0)
    per_struct[key] = result
    return result


def _buriedness_arg(min_psp: Any, min_buriedness: Any) -> Any:
    if min_psp is None:
        return min_buriedness
    if isinstance(min_psp, bool) or not isinstance(min_psp, (int, np.integer, float)) or int(min_psp) != min_psp \
            or not 1 <= int(min_psp) <= _N_LIGSITE:  # fmt: skip
        raise InvalidParameter(f"min_psp must be an integer from 1 to {_N_LIGSITE}, got {min_psp!r}")
    return int(min_psp) / _N_LIGSITE


def find_pockets(
    structure: Structure,
    *,
    exclude_ligands: bool = True,
    grid_spacing: float = 1.0,
    probe_radius: float = 1.4,
    max_ray: float = 15.0,
    min_psp: int | None = None,
    min_volume: float = 50.0,
    n_jobs: int = 1,
    progress: bool = False,
    min_buriedness: float = MIN_BURIEDNESS,
) -> pd.DataFrame:
    """Find buried cavities ("pockets") of a protein with a LIGSITE-type grid search.

    Parameters
    ----------
    structure : Structure
        A loaded entry (:func:`toolkit.load_structure`).
    exclude_ligands : bool, default True
        Remove every non-polymer atom (ligands, glycans, ions, waters, lipids)
        before the search; ``False`` keeps them (waters excepted) as obstacles.
    grid_spacing : float, default 1.0
        Grid spacing in Å (LIGSITE used 1 Å; Hendlich et al. 1997). Must be > 0.
    probe_radius : float, default 1.4
        Radius (Å) of the solvent probe that must fit (water, Lee & Richards
        1971). ``0`` accepts any point outside the atoms' vdW spheres.
    max_ray : float, default 15.0
        Length (Å) of each half scan line (bounded as in PocketPicker, Weisel
        et al. 2007; 15 Å is this toolkit's choice, see the module docstring).
    min_psp : int, optional
        Legacy LIGSITE cut-off (1-7 of LIGSITE's 7 directions); when given it
        sets ``min_buriedness = min_psp / 7``.
    min_volume : float, default 50.0
        Smallest pocket kept, Å^3 (about a water-cluster-sized cavity; must be > 0).
    n_jobs : int, default 1
        Threads (-1 = all cores). Results are identical for any value.
    progress : bool, default False
        Show progress bars (tqdm).
    min_buriedness : float, default :data:`MIN_BURIEDNESS` (0.5)
        Fraction (0-1] of the :data:`N_LINES` scan lines that must meet
        protein on both sides of a point for it to be buried.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POCKET_COLUMNS`, one row per pocket, sorted by rank
        (1 = highest ``score`` = volume x buriedness). ``volume`` in Å^3,
        ``buriedness`` = mean fraction of enclosed scan lines, ``hydrophobicity`` = fraction
        of lining residues with positive Kyte-Doolittle hydropathy,
        ``lining_residues`` = unique labels ("GluN1 V644": subunit, one-letter
        code, UniProt number; "antibody K12 (auth H)" with the author number and
        chain when unmapped, as :func:`toolkit.sites.contacts.residue_label`), ``n_lining`` =
        number of lining residue instances (all chains). ``attrs`` holds the
        parameters and the TMD frame (``None`` without TMD). Same input ->
        identical output.

    Raises
    ------
    InvalidParameter
        A non-positive spacing, volume or ray length, a negative probe, a
        ``min_psp`` outside 1-7, a bad ``n_jobs``, or a grid too large.
    NoProteinError
        No protein heavy atom to search.
    InvalidCoordinates
        An atom of the search has a NaN/inf coordinate.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.pockets import find_pockets
    >>> df = find_pockets(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> df[["rank", "volume", "in_tmd", "faces"]].head(3)  # doctest: +SKIP
    """
    res = _search(structure, exclude_ligands=exclude_ligands, grid_spacing=grid_spacing,
                  probe_radius=probe_radius, max_ray=max_ray,
                  min_buriedness=_buriedness_arg(min_psp, min_buriedness), min_volume=min_volume,
                  n_jobs=n_jobs, progress=progress)  # fmt: skip
    df = res.df.copy()
    df.attrs = {k: (dict(v) if isinstance(v, dict) else v) for k, v in res.df.attrs.items()}
    return df


def lateral_candidates(
    structure: Structure,
    *,
    min_volume: float = LATERAL_MIN_VOLUME,
    min_hydrophobicity: float = LATERAL_MIN_HYDROPHOBICITY,
    **search: Any,
) -> pd.DataFrame:
    """Computed candidate membrane-accessible hydrophobic ("lateral") sites, with their evidence.

    These are **computed candidates** for the membrane-accessible hydrophobic
    ("lateral") ketamine sites of Abbott et al. 2024, Mol Psychiatry,
    doi:10.1038/s41380-024-02729-9. That paper's residue list is NOT
    reproduced or used here: candidates come only from the geometry of the
    given structure. The criteria, the evidence columns and the combined
    score are those of :func:`toolkit.sites.lateral.lateral_sites` (membrane
    slab from :func:`toolkit.sites.membrane`, a ketamine-wide path to the
    lipid, volume, hydrophobic lining, grid stability; the pore site is never
    a candidate). Zero rows is a possible, honest answer: ``attrs["rejected"]``
    then says why each transmembrane pocket was rejected.

    Parameters
    ----------
    structure : Structure
        A channel structure with a transmembrane domain.
    min_volume : float, default 200
        Å^3; ketamine's vdW volume is ~215 Å^3 (RDKit, :data:`KETAMINE_VOLUME`),
        so smaller cavities cannot hold it. Must be > 0.
    min_hydrophobicity : float, default 0.5
        Minimum fraction of apolar lining residues (Kyte & Doolittle 1982), 0-1.
    **search
        ``paralog``, ``min_stability`` and ``path_radius`` (see
        :func:`toolkit.sites.lateral.lateral_sites`), and the search
        parameters of :func:`find_pockets` (``grid_spacing``, ``n_jobs``, ...).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`toolkit.sites.lateral.LATERAL_COLUMNS` (the
        :data:`POCKET_COLUMNS` first) with ``lateral_candidate=True``, in rank
        order (``rank``/``pocket_id`` are those of the full search, so
        :func:`pocket_points` works on them). ``attrs["note"]`` states that
        these are computed candidates; ``attrs["rejected"]`` maps each other
        transmembrane pocket id to the reason it was rejected;
        ``attrs["lining"]`` is the long lining-residue table of the candidates
        (:data:`toolkit.sites.lateral.LINING_COLUMNS`).

    Raises
    ------
    NoTransmembraneDomain
        The structure has no TMD (e.g. 4KCC, 5TQ2) or no membrane slab.
    InvalidParameter
        Bad thresholds or search parameters.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.pockets import lateral_candidates
    >>> lat = lateral_candidates(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> print(lat.attrs["note"])  # doctest: +SKIP
    """
    from .lateral import lateral_sites

    sites, lining = lateral_sites(structure, min_volume=min_volume, min_hydrophobicity=min_hydrophobicity,
                                  **search)  # fmt: skip
    out = sites.loc[sites["lateral_candidate"]].reset_index(drop=True)
    out.attrs = dict(sites.attrs)
    out.attrs["rejected"] = {int(p): r for p, r, c in zip(sites["pocket_id"], sites["reason"],
                                                           sites["lateral_candidate"]) if not c}  # fmt: skip
    out.attrs["lining"] = lining[lining["pocket_id"].isin(out["pocket_id"])].reset_index(drop=True)
    out.attrs["sites"], out.attrs["all_lining"] = sites, lining  # every TMD pocket (for the report: no second search)
    return out


def pocket_points(structure: Structure, pocket: Any, **search: Any) -> np.ndarray:
    """Coordinates (Å) of a pocket's grid points, for drawing.

    Parameters
    ----------
    structure : Structure
    pocket : int or pandas.Series
        A ``pocket_id`` or a row of :func:`find_pockets` /
        :func:`lateral_candidates` (its centre is checked against the search).
    **search
        The search parameters used to find the pocket (as for
        :func:`find_pockets`); results are cached per structure.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_points, 3)``, float64, in grid order (reproducible).

    Raises
    ------
    InvalidParameter
        Unknown pocket id, or a row that does not match a search with these
        parameters.

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.pockets import find_pockets, pocket_points
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> xyz = pocket_points(s, find_pockets(s).iloc[0])  # doctest: +SKIP
    """
    search.setdefault("n_jobs", 1)
    search.setdefault("progress", False)
    params = {k: search.pop(k) for k in list(search) if k in ("n_jobs", "progress")}
    import inspect

    defaults = {
        k: v.default
        for k, v in inspect.signature(find_pockets).parameters.items()
        if v.kind is inspect.Parameter.KEYWORD_ONLY and k not in ("n_jobs", "progress")
    }
    unknown = set(search) - set(defaults)
    if unknown:
        raise InvalidParameter(f"unknown search parameter(s): {', '.join(sorted(unknown))}")
    row = None
    if hasattr(pocket, "get") and not isinstance(pocket, (int, np.integer)):
        row = pocket
        pid = row.get("pocket_id")
    else:
        pid = pocket
    if isinstance(pid, bool) or not isinstance(pid, (int, np.integer)):
        raise InvalidParameter(f"pocket must be a pocket_id (int) or a pockets row, got {pocket!r}")
    kw = {**defaults, **search}
    kw["min_buriedness"] = _buriedness_arg(kw.pop("min_psp"), kw["min_buriedness"])
    res = _search(structure, **kw, **params)
    pts = res.points.get(int(pid))
    if pts is None:
        raise InvalidParameter(
            f"{structure.entry_id}: no pocket_id {int(pid)} (found {len(res.points)} pockets)"
        )
    if row is not None:
        centre = pts.mean(axis=0)
        given = np.array([row.get("center_x"), row.get("center_y"), row.get("center_z")], dtype=float)
        if not np.allclose(centre, given, atol=1e-6):
            raise InvalidParameter(
                f"{structure.entry_id}: pocket {int(pid)} of this search is centred at "
                f"{np.round(centre, 2).tolist()}, the row at {np.round(given, 2).tolist()}: pass the "
                "search parameters that produced the row"
            )
    return pts.copy()
