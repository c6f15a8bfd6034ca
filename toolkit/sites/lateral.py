"""Lateral (membrane-accessible) candidate sites, each with its evidence.

These are **computed candidates** for the membrane-accessible hydrophobic
("lateral") ketamine sites reported by Abbott et al. 2024, Mol Psychiatry,
doi:10.1038/s41380-024-02729-9. That paper's residue list is NOT reproduced or
used: candidates come only from the geometry of the given structure.

A pocket of :func:`toolkit.sites.find_pockets` is a candidate when all of
these hold (each failure is recorded as the pocket's ``reason``):

1. **In the membrane**: its centre lies inside the hydrophobic slab of
   :func:`toolkit.sites.membrane` (Ez fit, Senes et al. 2007).
2. **Not the pore**: no point within :data:`PORE_RADIUS` Å of the channel
   axis (:func:`toolkit.sites.tmd_frame`) and not facing the pore
   (``faces`` ``'pore'``/``'both'``): the reported sites are distinct from
   the channel-vestibule (pore) site.
3. **Open to the lipid along a ketamine-wide path**: the widest path from the
   pocket to the bulk lipid (the slab region at the edge of the grid box) that
   stays inside the slab has a narrowest radius (``path_radius``: clearance
   from the atoms' van der Waals surfaces) of at least
   :data:`KETAMINE_PATH_RADIUS`, the smallest cross-section radius of
   ketamine (a water probe is not enough).
4. **Room for ketamine**: ``volume >= min_volume`` (default
   :data:`~toolkit.sites.pockets.LATERAL_MIN_VOLUME`, ~ketamine's van der
   Waals volume).
5. **Hydrophobic lining**: ``hydrophobicity >= min_hydrophobicity`` (default
   0.5, most lining residues apolar; Kyte & Doolittle 1982).
6. **Reproducible**: ``stability >= min_stability`` (default 0.5: most of
   the pocket comes back on the grid shifted by half a step), and the pocket
   passes 1-5 in more than half of the searches on perturbed grids (the grid
   turned to random orientations and shifted by random fractions of a step;
   ``consensus`` = fraction of searches, a matching pocket being one with
   lining Jaccard >= 0.5 on the same chains).

Evidence per pocket (:data:`LATERAL_COLUMNS`): membrane depth of the centre,
lipid exposure (fraction of lining residues that are lipid-exposed in the
membrane fit), ``path_radius``, volume, hydrophobicity, stability, the
pseudo-symmetry partner (the pocket lined by the same residues, by subunit and
UniProt number, in the other GluN1/GluN2 pair: lining Jaccard >= 0.5 and no
chain in common with a different chain of the same subunit; or why there is
none), the conservation of the GluN2 lining residues between GluN2A and GluN2B
(via :func:`toolkit.sites.map_residues` onto ``paralog``; NaN without one),
and the combined score::

    lateral_score = stability * hydrophobicity * min(1, volume / KETAMINE_VOLUME)
                    * min(1, path_radius / KETAMINE_PATH_RADIUS) * (1 if partner else 0.5)

(every factor in 0-1; a site without its pseudo-symmetric counterpart counts
half, since the GluN1/GluN2 tetramer is a dimer of dimers).

Lining residues are a tidy long table (:data:`LINING_COLUMNS`), with the
transmembrane helix of each residue by sequence position: the segments that
cross the membrane (``Membrane.residues.tm_segment``) in sequence order give
M1 (the last one starting before M3) and M4 (the first one after M3), each
with one turn (4 residues) past the slab faces; M3 is the 20 residues before
the SYTANLAAF gate motif and the motif (as in :func:`tmd_frame`); residues
between M1 and M3 are M2 (the re-entrant pore loop), the :data:`PRE_M1`
residues before M1 are pre-M1 (Sobolevsky et al. 2009, Nature 462:745);
anything else is ``'other'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalog import MOTIF
from ..errors import InvalidParameter, NoTransmembraneDomain
from .pockets import (
    KETAMINE_VOLUME,
    LATERAL_MIN_HYDROPHOBICITY,
    LATERAL_MIN_VOLUME,
    LATERAL_NOTE,
    POCKET_COLUMNS,
    _check,
    _search,
    tmd_frame,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = [
    "LATERAL_COLUMNS",
    "LINING_COLUMNS",
    "KETAMINE_PATH_RADIUS",
    "PORE_RADIUS",
    "lateral_sites",
]

#: Smallest cross-section radius of S-ketamine (Å): the radius of the smallest circle holding
#: the van der Waals discs (Bondi radii, heavy atoms: the same convention as the protein
#: atoms of the search) of its projection, minimised over 600 directions and 10 MMFF
#: conformers (3.83-4.14 Å; recomputed in the tests).
KETAMINE_PATH_RADIUS = 3.8
#: Pockets with a point this close (Å) to the channel axis are the pore, not lateral sites
#: (the vestibule of 7EU8 holds ketamine on the axis; the selectivity filter is ~1-2 Å wide).
PORE_RADIUS = 4.0
#: Residues before M1 counted as the pre-M1 helix (~10 residues; Sobolevsky et al. 2009).
PRE_M1 = 10
#: M3: the 20 residues before the SYTANLAAF motif and the motif (as :func:`tmd_frame`).
_M3_BEFORE_MOTIF = 20
#: Longest M1-M3 linker (residues) read as the M2 pore loop (GluN1: ~25).
_MAX_M2 = 40
#: Residues (one helical turn) past a segment's in-slab run still counted as its helix.
_HELIX_PAD = 4
#: Path radii tested (Å): the bottleneck is reported to this resolution.
_PATH_LEVELS = np.round(np.arange(1.0, 5.01, 0.2), 2)
#: Seeds of the random rotations of the consensus.
_CONSENSUS_SEEDS = (101, 202, 303, 404, 505, 606, 707, 808)
#: Jaccard (lining labels) needed for two pockets to be the same site.
PARTNER_JACCARD = 0.5

LATERAL_COLUMNS = [
    *POCKET_COLUMNS, "depth", "in_slab", "lipid_exposure", "path_radius", "pore", "consensus", "partner_pocket",
    "partner_jaccard", "partner_note", "conservation_2a_2b", "lateral_score", "reason",
]  # fmt: skip
LINING_COLUMNS = [
    "entry", "pocket_id", "chain", "subunit", "res_name", "one_letter", "auth_seq_id", "ins_code",
    "uniprot_num", "label", "helix", "depth", "lipid_exposed",
]  # fmt: skip


def _lining_long(structure: Structure, res, m, pocket_ids: list[int], frame) -> pd.DataFrame:
    """Long lining table: one row per (pocket, residue instance)."""
    import pandas as pd

    from .contacts import residue_label

    a = structure.atoms
    r = m.residues
    memres = {
        (c, int(i), str(x)): (float(d), bool(e))
        for c, i, x, d, e in zip(*(r[k].tolist() for k in ("chain", "auth_seq_id", "ins_code", "depth", "lipid_exposed")))
    }  # (.tolist(): iterating a pandas string column element by element is slow)
    helix = _helices(structure, m)
    rows = []
    for pid in pocket_ids:
        for ri in res.lining_idx[pid].tolist():
            st = structure.residue_starts[ri]
            ch = str(a["chain_id"][st])
            rid = int(a["res_id"][st])
            ins = str(a["ins_code"][st]).strip()
            sub = structure.chain_subunits.get(ch, "other")
            rn = str(a["res_name"][st])
            uni = int(structure.uniprot_num[st])
            key = (ch, rid, ins)
            mr = memres.get(key)
            rows.append({
                "entry": structure.entry_id, "pocket_id": int(pid), "chain": ch, "subunit": sub, "res_name": rn,
                "one_letter": _one(rn), "auth_seq_id": rid, "ins_code": ins, "uniprot_num": uni,
                "label": residue_label(sub, rn, uni, rid, ins, ch), "helix": helix.get(key, "other"),
                "depth": mr[0] if mr is not None else float("nan"),
                "lipid_exposed": mr[1] if mr is not None else False,
            })  # fmt: skip
    df = pd.DataFrame(rows, columns=LINING_COLUMNS)
    return df.astype({"pocket_id": "int64", "auth_seq_id": "int64", "uniprot_num": "int64", "depth": "float64",
                      "lipid_exposed": bool})  # fmt: skip


def _one(res_name: str) -> str:
    from ..io.aminoacids import THREE_TO_ONE

    return THREE_TO_ONE.get(res_name, "X")


def _helices(structure: Structure, m) -> dict[tuple[str, int, str], str]:
    """(chain, auth number, ins code) -> 'pre-M1', 'M1', 'M2', 'M3', 'M4' by sequence position."""
    out: dict[tuple[str, int, str], str] = {}
    r = m.residues
    for _, grp in r.groupby("chain", sort=False):
        seq = "".join(grp["one_letter"])
        pos = seq.find(MOTIF)
        if pos < 0:
            continue
        seg = grp["tm_segment"].to_numpy()
        keys = list(zip(grp["chain"], grp["auth_seq_id"].astype(int), grp["ins_code"].astype(str)))
        ids = [k for k in dict.fromkeys(seg.tolist()) if k >= 0]
        spans = {k: (int(np.flatnonzero(seg == k)[0]), int(np.flatnonzero(seg == k)[-1])) for k in ids}
        m3 = (max(0, pos - _M3_BEFORE_MOTIF), pos + len(MOTIF) - 1)  # as in tmd_frame
        before = [k for k, (i, j) in spans.items() if i < m3[0] - 4]
        after = [k for k, (i, j) in spans.items() if i > m3[1]]
        names: dict[str, tuple[int, int]] = {"M3": m3}
        if before:
            k = max(before, key=lambda k: spans[k][0])
            names["M1"] = (spans[k][0], min(spans[k][1], m3[0] - 1))
        if after:
            names["M4"] = spans[min(after, key=lambda k: spans[k][0])]
        for name, (i, j) in names.items():
            for x in range(i, j + 1):
                out[keys[x]] = name
        if "M1" in names:
            i1, j1 = names["M1"]
            if m3[0] - j1 <= _MAX_M2:
                for x in range(j1 + 1, m3[0]):
                    out.setdefault(keys[x], "M2")
            for x in range(max(0, i1 - PRE_M1), i1):
                out.setdefault(keys[x], "pre-M1")
        for name, (i, j) in names.items():  # helix ends just outside the slab: one turn (4 residues)
            if name == "M3":
                continue
            for x in list(range(max(0, i - _HELIX_PAD), i)) + list(range(j + 1, min(len(keys), j + 1 + _HELIX_PAD))):
                out.setdefault(keys[x], name)
    return out


#: Clearance given to far points with no atom centre within this distance (Å).
_FAR_BOUND = 8.0
#: Cell of the coarse atom grid that screens far points before the tree query (Å).
_SCREEN_CELL = 2.0


def _maybe_near(pts: np.ndarray, xyz: np.ndarray, bound: float) -> np.ndarray:
    """True for every point with an atom centre within ``bound`` Å (and some a little farther).

    A coarse grid of ``_SCREEN_CELL`` Å cells: a point and an atom are at most
    ``sqrt(3) * cell`` farther apart than their cells' centres, so a point whose
    cell centre lies farther than ``bound + sqrt(3) * cell`` from every occupied
    cell centre (Euclidean distance transform) has no atom within ``bound``.
    """
    from scipy import ndimage

    if not len(pts):
        return np.zeros(0, dtype=bool)
    cell = _SCREEN_CELL
    pad = bound + 2 * cell
    lo = pts.min(axis=0) - pad
    shape = np.floor((pts.max(axis=0) + pad - lo) / cell).astype(np.int64) + 1
    ai = np.floor((xyz - lo) / cell).astype(np.int64)
    keep = np.all((ai >= 0) & (ai < shape), axis=1)  # atoms outside the box are > bound from every point
    if not keep.any():
        return np.zeros(len(pts), dtype=bool)
    free = np.ones(tuple(int(v) for v in shape), dtype=bool)
    free[tuple(ai[keep].T)] = False
    dist = ndimage.distance_transform_edt(free, sampling=cell)
    pi = np.floor((pts - lo) / cell).astype(np.int64)
    return dist[tuple(pi.T)] <= bound + np.sqrt(3.0) * cell + 1e-6


def _path_radius(res, m, pocket_ids: list[int], *, at_least: float | None = None) -> dict[int, float]:
    """Narrowest radius of the widest in-slab path from each pocket to the bulk lipid (Å).

    With ``at_least`` (Å) only whether each radius is at least that is decided:
    the lowest level >= ``at_least`` is labelled once (instead of a bisection over
    the levels), and a pocket gets that level if it reaches the lipid there, else
    0.0. So ``radius >= at_least`` is exactly as in the full computation (the
    radius is monotone in the level), which is all a perturbed search asks.
    """
    from scipy import ndimage
    from scipy.spatial import cKDTree

    out = {pid: 0.0 for pid in pocket_ids}
    xyz, radii = res.atom_xyz, res.atom_radii
    tree = cKDTree(xyz)
    for gi, g in enumerate(res.grids):
        mine = [pid for pid in pocket_ids if res.pocket_grid[pid] == gi]
        if not mine:
            continue
        # depth of every grid point, then the box around the slab only
        axes = [g.origin[k] + np.arange(g.shape[k]) * g.spacing for k in range(3)]
        mc = res.to_search(m.center[None])[0]  # the membrane in the search frame
        mn = m.normal @ res.rot.T
        dep = (
            (axes[0][:, None, None] - mc[0]) * mn[0]
            + (axes[1][None, :, None] - mc[1]) * mn[1]
            + (axes[2][None, None, :] - mc[2]) * mn[2]
        )
        slab_full = (np.abs(dep) <= m.half_thickness) & g.empty
        if not slab_full.any():
            continue
        nz = np.argwhere(slab_full)
        lo, hi = nz.min(axis=0), nz.max(axis=0) + 1
        crop = tuple(slice(int(a_), int(b_)) for a_, b_ in zip(lo, hi))
        slab = slab_full[crop]
        sub_origin = g.origin + lo * g.spacing
        # clearance from the atoms' vdW surfaces: exact within the search's reach, else from the
        # 4 nearest atoms (up to 8 Å)
        clear = g.sd[crop].astype(np.float32).copy()
        far = slab & ~np.isfinite(clear)
        fpos = sub_origin + np.argwhere(far) * g.spacing
        # points with no atom centre within 8 Å get 8.0 without a tree query (most of them)
        near = _maybe_near(fpos, xyz, _FAR_BOUND)
        fval = np.full(len(fpos), _FAR_BOUND)
        d, k = tree.query(fpos[near], k=4, distance_upper_bound=_FAR_BOUND)
        rr = radii[np.minimum(k, len(radii) - 1)]
        fval[near] = np.min(np.where(np.isfinite(d), d - rr, _FAR_BOUND), axis=1)
        clear[far] = fval
        clear[~slab] = -1.0
        border = np.zeros(slab.shape, dtype=bool)
        border[[0, -1], :, :] = True
        border[:, [0, -1], :] = True
        border[:, :, [0, -1]] = True
        pocket_idx = {}
        for pid in mine:
            pi = np.round((res.to_search(res.points[pid]) - sub_origin) / g.spacing).astype(np.int64)
            ok = np.all((pi >= 0) & (pi < np.array(slab.shape)), axis=1)
            pocket_idx[pid] = pi[ok]
        # A pocket reaches the lipid at a level when one of its points lies in an open component
        # touching the border. Open space only shrinks as the level rises, so this is monotone in
        # the level: each pocket's narrowest radius (the highest level it reaches) is found by
        # bisection over the levels, each level labelled once (memo) for every pocket.
        memo: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

        def labelled(li: int, memo=memo, slab=slab, clear=clear, border=border) -> tuple[np.ndarray, np.ndarray] | None:
            if li not in memo:
                open_ = slab & (clear >= _PATH_LEVELS[li])
                memo[li] = None
                if open_.any():
                    lab, _ = ndimage.label(open_)
                    lipid = np.unique(lab[border & open_])
                    lipid = lipid[lipid > 0]
                    memo[li] = (lab, lipid) if len(lipid) else None
            return memo[li]

        def reaches(pid: int, li: int, labelled=labelled, pocket_idx=pocket_idx) -> bool:
            got = labelled(li)
            if got is None:
                return False
            lab, lipid = got
            pi = pocket_idx[pid]
            hit = lab[pi[:, 0], pi[:, 1], pi[:, 2]]
            return bool(np.isin(hit[hit > 0], lipid).any())

        if at_least is not None:
            li = int(np.searchsorted(_PATH_LEVELS, at_least, side="left"))  # first level >= at_least
            for pid in mine:
                if li < len(_PATH_LEVELS) and reaches(pid, li):
                    out[pid] = float(_PATH_LEVELS[li])
            continue
        for pid in mine:
            lo, hi = -1, len(_PATH_LEVELS) - 1  # the highest level reached lies in (lo, hi]; -1: none
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if reaches(pid, mid):
                    lo = mid
                else:
                    hi = mid - 1
            if lo >= 0:
                out[pid] = float(_PATH_LEVELS[lo])
    return out


def _evaluate(structure: Structure, m, frame, kw: dict, crit: tuple[float, float, float, float]):
    """One search and the criteria on it: (pocket table with evidence and reasons, lining table, search)."""
    vmin, hmin, smin, rmin = crit
    res = _search(structure, **kw)
    df = res.df

    centres = df[["center_x", "center_y", "center_z"]].to_numpy(float)
    depth = m.depth(centres) if len(df) else np.zeros(0)
    in_slab = np.abs(depth) <= m.half_thickness
    keep = in_slab | df["in_tmd"].to_numpy(bool)
    sel = df.loc[keep].copy()
    sel["depth"] = depth[keep]
    sel["in_slab"] = in_slab[keep]
    pids = sel["pocket_id"].astype(int).tolist()
    lining = _lining_long(structure, res, m, pids, frame)
    # pore: points near the channel axis, or facing the pore
    pore = {pid: bool(frame.radial(res.points[pid]).min() < PORE_RADIUS) for pid in pids}
    sel["pore"] = [pore[p] or f in ("pore", "both") for p, f in zip(pids, sel["faces"])]
    lip = lining.groupby("pocket_id")["lipid_exposed"].mean()
    sel["lipid_exposure"] = [float(lip.get(p, 0.0)) for p in pids]
    paths = _path_radius(res, m, [p for p, inside in zip(pids, sel["in_slab"]) if inside])
    sel["path_radius"] = [paths.get(p, 0.0) for p in pids]

    reasons = []
    for _, r in sel.iterrows():
        why = []
        if not r["in_slab"]:
            why.append(f"centre {r['depth']:+.1f} Å from the membrane centre, outside the slab (±{m.half_thickness:.1f} Å)")
        if r["pore"]:
            why.append("pore site (on or facing the channel axis)")
        if r["in_slab"] and r["path_radius"] < rmin:
            why.append(f"no path to the lipid wider than {r['path_radius']:.1f} Å (ketamine needs {rmin:.1f} Å)")
        if r["volume"] < vmin:
            why.append(f"volume {r['volume']:.0f} Å^3 < {vmin:.0f}")
        if r["hydrophobicity"] < hmin:
            why.append(f"hydrophobicity {r['hydrophobicity']:.2f} < {hmin:.2f}")
        if r["stability"] < smin:
            why.append(f"stability {r['stability']:.2f} < {smin:.2f} on the shifted grid")
        reasons.append("; ".join(why))
    sel["reason"] = reasons
    return sel, lining, res


def _perturbed_keys(structure: Structure, m, frame, kw: dict, crit: tuple[float, float, float, float],
                    seed: int) -> dict[int, set[str]]:  # fmt: skip
    """One perturbed search: ``pocket_id -> {"chain:label", ...}`` of the pockets passing every criterion.

    Only which pockets pass matters here, so the criteria run cheapest first and
    each costly step only on the pockets still in the running: ``faces`` (in
    the search, ``relevant``), the path to the lipid, the lining. The passing
    set is the one of :func:`_evaluate` (the path radius of a pocket does not
    depend on the other pockets asked for; tested against it).
    """
    vmin, hmin, smin, rmin = crit
    relevant = (tuple(m.center.tolist()), tuple(m.normal.tolist()), float(m.half_thickness), vmin, hmin, smin)
    res = _search(structure, **{**kw, "perturb": seed, "relevant": relevant})
    df = res.df
    if not len(df):
        return {}
    depth = m.depth(df[["center_x", "center_y", "center_z"]].to_numpy(float))
    ok = (
        (np.abs(depth) <= m.half_thickness) & (df["volume"] >= vmin).to_numpy() & (df["hydrophobicity"] >= hmin).to_numpy()
        & (df["stability"] >= smin).to_numpy() & ~df["faces"].isin(("pore", "both")).to_numpy()
    )  # fmt: skip
    pids = [int(p) for p in df.loc[ok, "pocket_id"] if not frame.radial(res.points[int(p)]).min() < PORE_RADIUS]
    paths = _path_radius(res, m, pids, at_least=rmin) if pids else {}
    passing = [p for p in pids if paths.get(p, 0.0) >= rmin]
    lining = _lining_long(structure, res, m, passing, frame)
    return {int(q): set(g["chain"] + ":" + g["label"]) for q, g in lining.groupby("pocket_id")}


def _perturbed_keys_full(structure: Structure, m, frame, kw: dict, crit: tuple[float, float, float, float],
                         seed: int) -> dict[int, set[str]]:  # fmt: skip
    """:func:`_perturbed_keys` through the full :func:`_evaluate` (every pocket's evidence): the reference of the tests."""
    psel, plin, _ = _evaluate(structure, m, frame, {**kw, "perturb": seed}, crit)
    ok = set(psel.loc[psel["reason"] == "", "pocket_id"].astype(int))
    return {int(q): set(g["chain"] + ":" + g["label"]) for q, g in plin.groupby("pocket_id") if q in ok}


def _in_child(fn: Callable[..., Any], *args: Any) -> tuple[Callable[[], Any], Callable[[], None]]:
    """Start ``fn(*args)`` in a forked child process; returns ``(wait, kill)``.

    ``os.fork``: the child shares this process's memory (copy-on-write: no
    interpreter start, import or copy of the structure) and sends back only the
    pickled result through a pipe. Call only when this process runs no other
    thread (see :func:`_perturbed_searches`). If the child fails in any way
    (an exception, killed, a result that does not unpickle), the waiting
    function computes ``fn(*args)`` here instead: the same result, later.
    ``kill()`` stops the child and reaps it (when the caller gives up).
    """
    import os
    import pickle

    try:
        r, w = os.pipe()
    except OSError:  # no pipe: computed here when waited for
        return (lambda: fn(*args)), (lambda: None)
    try:
        pid = os.fork()
    except OSError:  # no process could be started: computed here when waited for
        os.close(r)
        os.close(w)
        return (lambda: fn(*args)), (lambda: None)
    if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
        code = 1
        try:
            os.close(r)
            from .._jobs import _die_with_parent_thread

            _die_with_parent_thread()
            data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)

    def wait() -> Any:
        with os.fdopen(r, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and data:
            try:
                return pickle.loads(data)
            except Exception:  # any broken payload: recompute here
                pass
        return fn(*args)

    def kill() -> None:
        import signal

        os.close(r)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    return wait, kill


def _perturbed_searches(structure: Structure, m, frame, kw: dict, crit: tuple[float, float, float, float],
                        seeds: tuple[int, ...] | list[int], meanwhile: Callable[[], Any]) -> tuple[Any, list[dict[int, set[str]]]]:  # fmt: skip
    """The perturbed searches of the consensus, in seed order, and ``meanwhile()``.

    They are independent: with ``n_jobs`` > 1 they run in ``n_jobs`` groups
    (seeds ``i::n_jobs``) beside ``meanwhile`` (the search on the unperturbed
    grid), with the same results as the serial loop (fixed seeds,
    deterministic search). Each group runs in a child forked from this process
    (:func:`_in_child`: no interpreter, import or copy of the structure; the
    searches are mostly Python-level work, which threads would run one at a
    time under the GIL). Where forking is not possible or not safe (not
    Linux, or another thread runs in this process) the groups run in
    threads instead. Returns ``(meanwhile(), keys per seed)``.
    """
    import os
    import sys
    import threading

    from .._jobs import resolve_n_jobs

    workers = min(resolve_n_jobs(kw.get("n_jobs", 1)), len(seeds))
    if workers > 1:
        one = {**kw, "n_jobs": 1, "progress": False}
        groups = [list(seeds[i::workers]) for i in range(workers)]

        def run(group: list[int]) -> list[dict[int, set[str]]]:
            return [_perturbed_keys(structure, m, frame, one, crit, s) for s in group]

        # the only other thread a toolkit worker runs is its parent watch, which sleeps and
        # reads /proc (no lock the child could need): forking beside it is safe. Linux only: on macOS
        # a forked child may not use system frameworks (Accelerate, CoreFoundation) its parent loaded
        if sys.platform.startswith("linux") and hasattr(os, "fork") and all(t is threading.main_thread() or t.name == "toolkit-parent-watch"
                                       for t in threading.enumerate()):  # fmt: skip
            import gc
            import importlib

            for name in ("scipy.ndimage", "scipy.spatial"):  # the search's libraries: imported once here, not in each child
                importlib.import_module(name)

            gc.freeze()  # the children's garbage collector leaves the shared objects alone (fewer page copies)
            try:
                children = [_in_child(run, g) for g in groups]
            finally:
                gc.unfreeze()
            try:
                first = meanwhile()
            except BaseException:
                for _, kill in children:
                    kill()
                raise
            results = [wait() for wait, _ in children]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="perturbed-search") as ex:
                futures = [ex.submit(run, g) for g in groups]
                try:
                    first = meanwhile()
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
                results = [f.result() for f in futures]
        by_seed = {s: k for g, res in zip(groups, results) for s, k in zip(g, res)}
        return first, [by_seed[s] for s in seeds]
    first = meanwhile()
    return first, [_perturbed_keys(structure, m, frame, kw, crit, s) for s in seeds]


def lateral_sites(
    structure: Structure,
    *,
    paralog: Structure | None = None,
    min_volume: float = LATERAL_MIN_VOLUME,
    min_hydrophobicity: float = LATERAL_MIN_HYDROPHOBICITY,
    min_stability: float = 0.5,
    path_radius: float = KETAMINE_PATH_RADIUS,
    n_perturbations: int = 4,
    **search: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every transmembrane pocket with its lateral-site evidence, and the lining residues.

    Parameters
    ----------
    structure : Structure
        A channel structure with a transmembrane domain.
    paralog : Structure, optional
        An entry with the other GluN2 paralogue (7EOS for 7EU8 and vice versa)
        for ``conservation_2a_2b``; NaN without one.
    min_volume, min_hydrophobicity, min_stability, path_radius : float
        Criteria 4, 5, 6 and 3 of the module docstring.
    n_perturbations : int, default 4
        Perturbed searches for the consensus (0-8): the grid is turned to a
        random orientation and shifted by a random fraction of a step (fixed
        seeds). (A rotation of the *input* changes nothing: the search runs in
        the protein's own principal-axes frame.) With ``n_jobs`` > 1 (a search
        parameter) the perturbed searches run in parallel (forked child
        processes), beside the unperturbed search, with the same results as
        serially.
    **search
        Passed to :func:`toolkit.sites.find_pockets` (``grid_spacing``, ...).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Pockets whose centre lies in the membrane slab or in the TMD
        (:data:`LATERAL_COLUMNS`; ``lateral_candidate`` marks the candidates,
        ``reason`` says why each other pocket was rejected), and their lining
        residues (:data:`LINING_COLUMNS`). ``attrs`` carry the note, the
        criteria and the membrane summary.

    Raises
    ------
    NoTransmembraneDomain
        No TMD (e.g. 4KCC, 5TQ2) or no membrane slab could be placed.
    InvalidParameter
        Bad thresholds or search parameters.
    InvalidCoordinates
        A protein atom has a NaN/inf coordinate (checked before any search).

    Examples
    --------
    >>> import toolkit
    >>> from toolkit.sites.lateral import lateral_sites
    >>> sites, lining = lateral_sites(toolkit.load_structure("7EU8"))  # doctest: +SKIP
    >>> sites[["pocket_id", "depth", "path_radius", "reason"]]  # doctest: +SKIP
    """
    import inspect

    from .._checks import check_optional, check_structure
    from .implicit_membrane import membrane
    from .pockets import _buriedness_arg, find_pockets

    check_structure(structure)
    check_optional(check_structure, paralog, "paralog")
    vmin = _check("min_volume", min_volume)
    hmin = _check("min_hydrophobicity", min_hydrophobicity, strict=False, high=1.0)
    smin = _check("min_stability", min_stability, strict=False, high=1.0)
    rmin = _check("path_radius", path_radius, high=float(_PATH_LEVELS[-1]))
    if isinstance(n_perturbations, bool) or not isinstance(n_perturbations, (int, np.integer)) \
            or not 0 <= n_perturbations <= len(_CONSENSUS_SEEDS):  # fmt: skip
        raise InvalidParameter(f"n_perturbations must be an integer from 0 to {len(_CONSENSUS_SEEDS)}, got {n_perturbations!r}")
    frame = tmd_frame(structure)  # raises InvalidCoordinates / NoTransmembraneDomain before the costly search
    m = membrane(structure)
    if not m.has_membrane:
        raise NoTransmembraneDomain(f"{structure.entry_id}: {m.reason}")
    defaults = {k: v.default for k, v in inspect.signature(find_pockets).parameters.items()
                if v.kind is inspect.Parameter.KEYWORD_ONLY}  # fmt: skip
    unknown = set(search) - set(defaults)
    if unknown:
        raise InvalidParameter(f"unknown search parameter(s): {', '.join(sorted(unknown))}")
    kw = {**defaults, **search}
    kw["min_volume"] = min(float(kw["min_volume"]), vmin) if np.isfinite(vmin) else kw["min_volume"]
    kw["min_buriedness"] = _buriedness_arg(kw.pop("min_psp"), kw["min_buriedness"])
    crit = (vmin, hmin, smin, rmin)
    # consensus over perturbed grids: random grid orientations and lattice offsets (fixed seeds); with
    # n_jobs > 1 the perturbed searches run in forked children while the unperturbed one runs here
    (sel, lining, res), perturbed = _perturbed_searches(
        structure, m, frame, kw, crit, _CONSENSUS_SEEDS[:n_perturbations],
        meanwhile=lambda: _evaluate(structure, m, frame, kw, crit),
    )  # fmt: skip
    df = res.df
    pids = sel["pocket_id"].astype(int).tolist()
    keys = {p: set(g["chain"] + ":" + g["label"]) for p, g in lining.groupby("pocket_id")}
    votes = {p: int(not r) for p, r in zip(pids, sel["reason"])}
    for pkeys in perturbed:
        for p in pids:
            a_ = keys.get(p, set())
            if a_ and any(len(a_ & b_) / len(a_ | b_) >= PARTNER_JACCARD for b_ in pkeys.values()):
                votes[p] += 1
    n_runs = 1 + min(n_perturbations, len(_CONSENSUS_SEEDS))
    sel["consensus"] = [votes[p] / n_runs for p in pids]
    # pseudo-symmetry partners (same labels, the other chain of each subunit)
    labels = {p: set(g["label"]) for p, g in lining.groupby("pocket_id")}
    chains = {p: set(zip(g["chain"], g["subunit"])) for p, g in lining.groupby("pocket_id")}
    partner, pj, pnote = [], [], []
    for p in pids:
        best, bj = None, 0.0
        for q in pids:
            if q == p or not labels.get(p) or not labels.get(q):
                continue
            j = len(labels[p] & labels[q]) / len(labels[p] | labels[q])
            other_pair = not (chains[p] & chains[q])
            if other_pair and j > bj:
                best, bj = q, j
        if best is not None and bj >= PARTNER_JACCARD:
            partner.append(int(best))
            pj.append(bj)
            pnote.append(f"pocket {best} lines the same residues in the other GluN1/GluN2 pair")
        else:
            partner.append(-1)
            pj.append(bj)
            pnote.append(
                "no pocket in the other GluN1/GluN2 pair lines the same residues "
                f"(best lining Jaccard {bj:.2f} < {PARTNER_JACCARD})"
            )
    sel["partner_pocket"] = partner
    sel["partner_jaccard"] = pj
    sel["partner_note"] = pnote
    sel["conservation_2a_2b"] = _conservation(structure, paralog, lining, pids)

    final = []
    for r, c in zip(sel["reason"], sel["consensus"]):
        if c > 0.5:
            final.append("")
        elif r:
            final.append(r)
        else:
            final.append(f"passes on this grid but in only {c * n_runs:.0f} of {n_runs} perturbed searches")
    sel["reason"] = final
    sel["lateral_candidate"] = [not x for x in final]
    sel["lateral_score"] = (
        sel["stability"] * sel["hydrophobicity"] * np.minimum(1.0, sel["volume"] / KETAMINE_VOLUME)
        * np.minimum(1.0, sel["path_radius"] / KETAMINE_PATH_RADIUS)
        * np.where(sel["partner_pocket"] >= 0, 1.0, 0.5)
    )  # fmt: skip
    out = sel[LATERAL_COLUMNS].reset_index(drop=True)
    out = out.astype({"depth": "float64", "in_slab": bool, "lipid_exposure": "float64", "path_radius": "float64",
                      "pore": bool, "partner_pocket": "int64", "partner_jaccard": "float64",
                      "conservation_2a_2b": "float64", "lateral_score": "float64", "lateral_candidate": bool,
                      "consensus": "float64"})  # fmt: skip
    out.attrs = dict(df.attrs)
    out.attrs["note"] = LATERAL_NOTE
    out.attrs["criteria"] = {"min_volume": vmin, "min_hydrophobicity": hmin, "min_stability": smin,
                             "path_radius": rmin, "pore_radius": PORE_RADIUS, "in_slab": True,
                             "consensus": f"> half of {n_runs} searches"}  # fmt: skip
    out.attrs["membrane"] = m.summary().iloc[0].to_dict()
    lining.attrs["note"] = LATERAL_NOTE
    return out, lining


def _conservation(structure: Structure, paralog: Structure | None, lining: pd.DataFrame, pids: list[int]) -> list[float]:
    """Fraction of a pocket's GluN2 lining residues identical in the other GluN2 paralogue."""
    if paralog is None:
        return [float("nan")] * len(pids)
    from .mapping import _family, map_residues

    targets = [c for c, s in paralog.chain_subunits.items() if _family(s) == "GluN2"]
    out = []
    maps: dict[str, dict[int, bool | None]] = {}
    for p in pids:
        g = lining[(lining["pocket_id"] == p) & lining["subunit"].str.startswith("GluN2")]
        if g.empty or not targets:
            out.append(float("nan"))
            continue
        same = []
        for ch, grp in g.groupby("chain"):
            if ch not in maps:
                mp = map_residues(structure, ch, paralog, targets[0])
                maps[ch] = {int(a): (None if meth == "unmapped" else bool(i))
                            for a, i, meth in zip(mp["source_auth_seq_id"], mp["identical"], mp["method"])}  # fmt: skip
            same += [maps[ch].get(int(x)) for x in grp["auth_seq_id"]]
        known = [x for x in same if x is not None]
        out.append(float(np.mean(known)) if known else float("nan"))
    return out
