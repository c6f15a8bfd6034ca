"""Benchmark: pocket detection on the whole 7EU8 assembly (toolkit.sites.pockets.find_pockets).

Target: < 10 s for the whole assembly on a 2-core machine (grid 1 Å).

Baseline, in the same run when it is importable: pyKVFinder (Guerra et al. 2021,
BMC Bioinformatics 22:607; GPL-3, so only ever imported here, never by the
toolkit), a compiled (C/OpenMP) grid cavity detector, on the same protein
heavy atoms (ketamine, glycans removed), at the same 1 Å step and at its
default 0.6 Å step, with the same thread count. The figures printed are
medians of ``--repeats`` interleaved runs; the script also reports whether
each method finds empty, buried space at the ketamine (JC9) centroid, and the
load average, because the machine may be shared.

Run::

    NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_pockets.py [--repeats 3]

(install the optional baseline with ``pip install pyKVFinder``; it is skipped if absent.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def _ours(s, n_jobs: int) -> tuple[float, object]:
    from toolkit.sites import pockets

    pockets._CACHE.clear()  # time a full search, not the per-structure cache
    t = time.perf_counter()
    df = pockets.find_pockets(s, n_jobs=n_jobs)
    return time.perf_counter() - t, df


def _kvfinder_atomic(s):
    import pyKVFinder

    vdw = pyKVFinder.read_vdw()
    a = s.atoms
    keep = s.polymer_mask & (a["element"] != "H")
    rows = []
    for i in np.flatnonzero(keep):
        res, atom, el = str(a["res_name"][i]), str(a["atom_name"][i]), str(a["element"][i]).upper()
        radius = vdw[res][atom] if res in vdw and atom in vdw[res] else vdw["GEN"][el]
        x, y, z = (float(v) for v in a["coord"][i])
        rows.append([int(a["res_id"][i]), str(a["chain_id"][i]), res, atom, x, y, z, radius])
    return np.asarray(rows)


def _kvfinder(atomic, step: float, nthreads: int):
    import pyKVFinder

    t = time.perf_counter()
    vertices = pyKVFinder.get_vertices(atomic, step=step)
    ncav, cavities = pyKVFinder.detect(atomic, vertices, step=step, nthreads=nthreads)
    _, volume, _ = pyKVFinder.spatial(cavities, step=step, nthreads=nthreads)
    return time.perf_counter() - t, ncav, cavities, vertices, volume


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    from toolkit import load_structure
    from toolkit.sites.pockets import pocket_points

    s = load_structure("7EU8")
    jc9 = s.coord[s.ligand_atoms("JC9")].astype(float).mean(axis=0)
    print(f"7EU8: {s.n_atoms} atoms, {int(s.polymer_mask.sum())} protein atoms; cpus={os.cpu_count()}")
    print(f"load average before: {os.getloadavg()}")

    try:
        import pyKVFinder  # noqa: F401

        atomic = _kvfinder_atomic(s)
    except ImportError:
        atomic = None
        print("pyKVFinder not installed: baseline skipped")

    times: dict[str, list[float]] = {}
    last: dict[str, object] = {}
    for _ in range(args.repeats):
        for n_jobs in (1, 2):
            dt, df = _ours(s, n_jobs)
            times.setdefault(f"ours n_jobs={n_jobs}", []).append(dt)
            last[f"ours{n_jobs}"] = df
        if atomic is not None:
            for step in (1.0, 0.6):
                for nth in (1, 2):
                    dt, *res = _kvfinder(atomic, step, nth)
                    times.setdefault(f"pyKVFinder step={step} nthreads={nth}", []).append(dt)
                    last[f"kv{step}"] = res

    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\nmedian of {args.repeats} runs (s):")
    for k, v in med.items():
        print(f"  {k:36s} {v:7.2f}")
    df = last["ours1"]
    assert df.equals(last["ours2"]), "serial and parallel results differ"
    print(f"\nours: {len(df)} pockets, {int(df['in_tmd'].sum())} in the TMD")
    hit = [
        int(r["rank"])
        for _, r in df.iterrows()
        if np.linalg.norm(pocket_points(s, int(r["pocket_id"])) - jc9, axis=1).min() <= 2.0
    ]
    print(f"ours: pocket rank(s) with a point within 2 Å of the JC9 centroid: {hit}")
    print(f"target < 10 s: ours n_jobs=1 {'MET' if med['ours n_jobs=1'] < 10 else 'MISSED'}")
    if atomic is not None:
        for step in (1.0, 0.6):
            ncav, cavities, vertices, volume = last[f"kv{step}"]
            idx = np.rint((jc9 - np.asarray(vertices[0], dtype=float)) / step).astype(int)
            val = int(cavities[tuple(idx)]) if np.all((idx >= 0) & (idx < cavities.shape)) else -1
            cav = f"cavity {val - 1} ({volume.get(f'K{chr(65 + (val - 2) // 26)}{chr(65 + (val - 2) % 26)}', '?')} Å^3)"
            print(
                f"pyKVFinder step={step}: {ncav} cavities; JC9 centroid in {cav if val >= 2 else 'no cavity'}"
            )
        for nth in (1, 2):
            base = med[f"pyKVFinder step=1.0 nthreads={nth}"]
            ours = med[f"ours n_jobs={nth}"]
            print(f"ratio ours/pyKVFinder (1 Å, {nth} thread(s)): {ours / base:.2f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
