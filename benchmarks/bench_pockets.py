"""Benchmark: pocket search speed and accuracy (toolkit.sites.pockets.find_pockets).

Two parts, in one run:

1. **Speed** on the whole 7EU8 assembly (target < 3 s on 2 cores, grid 1 Å), against
   pyKVFinder (Guerra et al. 2021, BMC Bioinformatics 22:607; a compiled grid cavity detector,
   GPL-3, so only ever imported here) at the same 1 Å step and at its default 0.6 Å step, and
   fpocket-rs (a Rust port of fpocket, Le Guilloux et al. 2009, BMC Bioinformatics 10:168), on
   the same protein heavy atoms (ligands, glycans, waters removed).
2. **Accuracy** on ligand-bound structures with their ligands removed: the PLIP test complexes
   in ``$NMDA_TOOLKIT_MIRROR/complexes`` (drug-like ligands: CCD category 'ligand', >= 10 heavy
   atoms, not nucleotides) and the NMDA entry 7EU8 without ketamine (JC9). For each method:
   top-1 / top-3 overlap (a ligand heavy atom within 2 Å of a point of a top-ranked pocket) and
   top-3 centre (a pocket centre within 4 Å of a ligand centroid), over the X-ray structures
   (the goal of issue 10: top-3 overlap >= 85 %, centre >= 50 %) and over all. Pocket points:
   our grid points; pyKVFinder's cavity grid points (cavities ranked by volume, as it gives no
   score); fpocket's alpha-sphere centres (pockets in fpocket's rank order).

The figures printed are medians of ``--repeats`` interleaved runs, with the load average,
because the machine may be shared.

Run::

    NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_pockets.py [--repeats 3]

The baselines are the ``reference`` extra (``pip install -e .[reference]``); each one that is
not installed is reported as skipped, clearly, and the rest of the benchmark runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

NUCLEOTIDES = {"A", "C", "G", "U", "DA", "DC", "DG", "DT", "DU"}
#: Free standard amino acids written as HETATM (3EMS ARG, 5DDR GLN: additives or crystal contacts,
#: ligands for the interaction engine since issue 12) are not the drug-like ligand a pocket search
#: is judged on, like nucleotides; counting them lowers top-3 overlap from 7/7 to 7/9 here.
AMINO_ACIDS = {"ALA", "ARG", "ASN", "ASP", "CYS", "GLN", "GLU", "GLY", "HIS", "ILE", "LEU", "LYS", "MET", "PHE", "PRO", "SER", "THR", "TRP", "TYR", "VAL"}


def _have(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        print(f"** {module} is not installed: its baseline is SKIPPED (pip install -e .[reference]) **")
        return False
    return True


def _protein_mask(s) -> np.ndarray:
    return s.polymer_mask & (s.atoms["element"] != "H")


def _ligands(s) -> list[np.ndarray]:
    lig = s.ligands()
    lig = lig[(lig["category"] == "ligand") & (lig["n_heavy_atoms"] >= 10) & ~lig["ccd_code"].isin(NUCLEOTIDES | AMINO_ACIDS)]
    a = s.atoms
    out = []
    for _, r in lig.drop_duplicates(["ccd_code", "chain", "auth_seq_id"]).iterrows():
        m = ((a["res_name"] == r["ccd_code"]) & (a["chain_id"] == r["chain"]) & (a["res_id"] == r["auth_seq_id"])
             & ~s.polymer_mask & (a["element"] != "H"))  # fmt: skip
        if m.any():
            out.append(s.coord[m].astype(float))
    return out


# ------------------------------------------------------------------ the three methods: ranked point sets
def ours(s, n_jobs: int = 1) -> list[np.ndarray]:
    from toolkit.sites import pockets

    df = pockets.find_pockets(s, n_jobs=n_jobs)
    return [pockets.pocket_points(s, int(p)) for p in df["pocket_id"].head(3)]


def _kv_atomic(s):
    import pyKVFinder

    vdw = pyKVFinder.read_vdw()
    a = s.atoms
    rows = []
    for i in np.flatnonzero(_protein_mask(s)):
        res, atom, el = str(a["res_name"][i]), str(a["atom_name"][i]), str(a["element"][i]).upper()
        radius = vdw[res][atom] if res in vdw and atom in vdw[res] else vdw["GEN"].get(el, 1.8)
        x, y, z = (float(v) for v in a["coord"][i])
        rows.append([int(a["res_id"][i]), str(a["chain_id"][i]), res, atom, x, y, z, radius])
    return np.asarray(rows)


def kvfinder(s, step: float = 0.6, nthreads: int = 1, atomic=None) -> list[np.ndarray]:
    import pyKVFinder

    atomic = _kv_atomic(s) if atomic is None else atomic
    vertices = pyKVFinder.get_vertices(atomic, step=step)
    ncav, cav = pyKVFinder.detect(atomic, vertices, step=step, nthreads=nthreads)
    if ncav == 0:
        return []
    idx = np.argwhere(cav >= 2)
    labels = cav[tuple(idx.T)]
    # grid -> Cartesian: pyKVFinder's grid axes follow its vertices (P1..P4)
    p1, p2, p3, p4 = (np.asarray(v, dtype=float) for v in vertices)
    ex, ey, ez = ((q - p1) / np.linalg.norm(q - p1) for q in (p2, p3, p4))
    xyz = p1 + step * (idx[:, :1] * ex + idx[:, 1:2] * ey + idx[:, 2:3] * ez)
    sizes = np.bincount(labels)
    order = [int(k) for k in np.argsort(-sizes) if k >= 2 and sizes[k] > 0]
    return [xyz[labels == k] for k in order[:3]]


def fpocket(s) -> list[np.ndarray]:
    import fpocket_rs

    from toolkit.io.write import to_pdb_string

    res = fpocket_rs.detect_pockets(to_pdb_string(s, _protein_mask(s)))
    pk = sorted(res["pockets"], key=lambda p: p["rank"])
    return [np.array([sph[:3] for sph in p["alpha_spheres"]], dtype=float) for p in pk[:3]]


def score(top: list[np.ndarray], ligs: list[np.ndarray]) -> tuple[bool, bool, bool]:
    from scipy.spatial import cKDTree

    top1 = top3 = centre = False
    for k, pts in enumerate(top):
        if not len(pts):
            continue
        tree = cKDTree(pts)
        hit = any((tree.query(x)[0] <= 2.0).any() for x in ligs)
        top3 |= hit
        top1 |= hit and k == 0
        centre |= any(np.linalg.norm(pts.mean(axis=0) - x.mean(axis=0)) < 4.0 for x in ligs)
    return top1, top3, centre


def accuracy() -> None:
    from toolkit import load_structure
    from toolkit.errors import NoProteinError

    mirror = Path(os.environ.get("NMDA_TOOLKIT_MIRROR", "../shared/structures"))
    entries = []
    for f in sorted((mirror / "complexes").glob("*.pdb.gz")):
        try:
            s = load_structure(f)
        except NoProteinError:
            continue
        ligs = _ligands(s)
        if ligs:
            entries.append((f.name.split(".")[0], s, ligs, s.method == "X-RAY DIFFRACTION"))
    s = load_structure("7EU8")
    entries.append(("7EU8 (no JC9)", s, [s.coord[s.ligand_atoms("JC9")].astype(float)], False))
    methods = {"ours": ours}
    if _have("pyKVFinder"):
        methods["pyKVFinder (0.6 Å)"] = kvfinder
    if _have("fpocket_rs"):
        methods["fpocket-rs"] = fpocket
    print(f"\naccuracy on {len(entries)} ligand-bound entries (ligands removed): top1 / top3 / centre<4Å")
    totals = {m: [] for m in methods}
    for name, s, ligs, xray in entries:
        line = [f"  {name:18s} {'X-ray' if xray else 'other'}"]
        for m, fn in methods.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = score(fn(s), ligs)
            totals[m].append((xray, r))
            line.append(f"{m}: {''.join('Y' if x else '.' for x in r)}")
        print("  ".join(line))
    for m, rows in totals.items():
        for label, keep in (("X-ray", [r for x, r in rows if x]), ("all", [r for _, r in rows])):
            n = len(keep)
            t1, t3, c = (sum(r[i] for r in keep) for i in range(3))
            print(f"{m:20s} {label:5s} n={n}: top-1 {t1}/{n} ({t1 / n:.0%}), top-3 {t3}/{n} ({t3 / n:.0%}), "
                  f"centre {c}/{n} ({c / n:.0%})")  # fmt: skip


def speed(repeats: int) -> None:
    from toolkit import load_structure
    from toolkit.sites import pockets

    s = load_structure("7EU8")
    print(f"7EU8: {s.n_atoms} atoms, {int(_protein_mask(s).sum())} protein heavy atoms; cpus={os.cpu_count()}")
    print(f"load average before: {os.getloadavg()}")
    have_kv = _have("pyKVFinder")
    have_fp = _have("fpocket_rs")
    atomic = _kv_atomic(s) if have_kv else None
    times: dict[str, list[float]] = {}

    def clock(name, fn):
        t = time.perf_counter()
        fn()
        times.setdefault(name, []).append(time.perf_counter() - t)

    for _ in range(repeats):
        for n_jobs in (1, 2):
            pockets._CACHE.clear()  # a full search, not the per-structure cache
            clock(f"ours n_jobs={n_jobs}", lambda n=n_jobs: pockets.find_pockets(s, n_jobs=n))
        if have_kv:
            for step in (1.0, 0.6):
                for nth in (1, 2):
                    clock(f"pyKVFinder step={step} nthreads={nth}", lambda a=step, b=nth: kvfinder(s, a, b, atomic))
        if have_fp:
            clock("fpocket-rs", lambda: fpocket(s))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nmedian of {repeats} runs (s):")
    for k, v in med.items():
        print(f"  {k:36s} {v:7.2f}")
    print(f"target < 3 s on 2 cores: ours n_jobs=2 {'MET' if med['ours n_jobs=2'] < 3 else 'MISSED'}")
    for base in ("pyKVFinder step=1.0 nthreads=2", "pyKVFinder step=0.6 nthreads=2", "fpocket-rs"):
        if base in med:
            print(f"ratio ours (n_jobs=2) / {base}: {med['ours n_jobs=2'] / med[base]:.2f}")
    print(f"load average after: {os.getloadavg()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args()
    if not args.skip_speed:
        speed(args.repeats)
    if not args.skip_accuracy:
        accuracy()


if __name__ == "__main__":
    main()
