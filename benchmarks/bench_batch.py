"""Benchmark ``toolkit.batch.compare`` against a plain RDKit loop doing the same work.

One run prints the figures and the ratios:

(a) single-process throughput of ``compare(..., n_jobs=1)`` vs a plain RDKit
    loop computing the same standardisation, descriptors (MW, exact mass,
    heavy atoms, formula, Crippen cLogP, TPSA, Lipinski HBD/HBA, rotatable
    bonds, Fsp3, rings, aromatic rings, charge, stereocentres, QED, Lipinski
    and Veber flags), ECFP4 fingerprint, Tanimoto to esketamine and to the 34
    panel compounds, canonical SMILES, and writing the same CSV; target >= 0.85x;
(b) ``n_jobs=2`` vs our single process; target >= 1.6x (needs 2 free cores);
(c) ``--rows`` rows (default 1,000,000) through ``compare`` in a child process:
    throughput and peak RSS (target < 1.5 GB).

The molecules (default 20,000) are generated from the panel by a seeded
enumerator (random atom additions, element swaps and halogen swaps on panel
compounds), each one sanitised by RDKit and unique. The big file repeats the
set with new names (row ids).

Usage::

    python benchmarks/bench_batch.py [--n 20000] [--rows 1000000] [--skip-big] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def enumerate_library(n: int, seed: int = 0) -> list[str]:
    """``n`` unique, RDKit-valid SMILES derived from the panel by seeded random mutations."""
    from rdkit import Chem, RDLogger

    from toolkit.chem import load_panel

    RDLogger.DisableLog("rdApp.*")
    rng = random.Random(seed)
    seeds = [Chem.MolFromSmiles(s) for s in load_panel()["isomeric_smiles"]]
    seeds = [m for m in seeds if m.GetNumHeavyAtoms() >= 5]
    new_elems = [6, 6, 6, 7, 8, 9, 17]
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        mol = Chem.RWMol(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            mol.UpdatePropertyCache(strict=False)
            atoms = list(mol.GetAtoms())
            if op < 0.6:  # add a substituent on an atom carrying H
                cand = [a.GetIdx() for a in atoms
                        if a.GetNumImplicitHs() > 0 and a.GetNumExplicitHs() == 0 and a.GetAtomicNum() in (6, 7)]
                if not cand:
                    continue
                i = rng.choice(cand)
                j = mol.AddAtom(Chem.Atom(rng.choice(new_elems)))
                mol.AddBond(i, j, Chem.BondType.SINGLE)
            elif op < 0.85:  # swap a non-aromatic carbon for N or O
                cand = [a.GetIdx() for a in atoms if a.GetAtomicNum() == 6 and not a.GetIsAromatic()]
                if not cand:
                    continue
                mol.GetAtomWithIdx(rng.choice(cand)).SetAtomicNum(rng.choice((7, 8)))
            else:  # halogen swap
                cand = [a.GetIdx() for a in atoms if a.GetAtomicNum() in (9, 17, 35)]
                if not cand:
                    continue
                mol.GetAtomWithIdx(rng.choice(cand)).SetAtomicNum(rng.choice((9, 17, 35)))
        try:
            m = mol.GetMol()
            Chem.SanitizeMol(m)
            smi = Chem.MolToSmiles(m)
        except Exception:
            continue
        if smi in seen or Chem.MolFromSmiles(smi) is None:
            continue
        seen.add(smi)
        out.append(smi)
    return out


def baseline(smi_path: Path, out_csv: Path) -> int:
    """Plain RDKit loop: same standardisation, descriptors, fingerprints, similarities and CSV output."""
    import pandas as pd
    from rdkit import Chem, DataStructs, rdBase
    from rdkit.Chem import QED, Crippen, Descriptors, rdFingerprintGenerator, rdMolDescriptors
    from rdkit.Chem.MolStandardize import rdMolStandardize

    from toolkit.chem import load_panel

    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    panel = load_panel()
    names = list(panel["name"])
    cgen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048, includeChirality=True)
    pfps = [gen.GetFingerprint(Chem.MolFromSmiles(s)) for s in panel["isomeric_smiles"]]
    pcfps = [cgen.GetFingerprint(Chem.MolFromSmiles(s)) for s in panel["isomeric_smiles"]]
    ref = gen.GetFingerprint(Chem.MolFromSmiles("CN[C@]1(c2ccccc2Cl)CCCCC1=O"))
    chooser, uncharger = rdMolStandardize.LargestFragmentChooser(), rdMolStandardize.Uncharger()
    rows = []
    with rdBase.BlockLogs(), open(smi_path) as fh:
        for i, line in enumerate(fh, 1):
            parts = line.split()
            mol = Chem.MolFromSmiles(parts[0])
            if mol is None:
                rows.append({"row": i, "name": parts[1], "input": parts[0], "status": "invalid"})
                continue
            if len(Chem.GetMolFrags(mol)) > 1:
                mol = chooser.choose(mol)
            if any(a.GetFormalCharge() for a in mol.GetAtoms()):
                mol = uncharger.uncharge(mol)
            mw, clogp, tpsa = Descriptors.MolWt(mol), Crippen.MolLogP(mol), rdMolDescriptors.CalcTPSA(mol)
            hbd, hba = rdMolDescriptors.CalcNumLipinskiHBD(mol), rdMolDescriptors.CalcNumLipinskiHBA(mol)
            rot = rdMolDescriptors.CalcNumRotatableBonds(mol)
            stereo = Chem.FindMolChiralCenters(mol, includeUnassigned=True, useLegacyImplementation=True)
            fp = gen.GetFingerprint(mol)
            sims = DataStructs.BulkTanimotoSimilarity(fp, pfps)
            best = max(range(len(sims)), key=sims.__getitem__)
            ties = [j for j, v in enumerate(sims) if v == sims[best]]
            if len(ties) > 1:  # enantiomers: the stereo-aware ECFP4 decides
                cfp = cgen.GetFingerprint(mol)
                best = max(ties, key=lambda j: DataStructs.TanimotoSimilarity(cfp, pcfps[j]))
            nlip = (mw > 500) + (clogp > 5) + (hbd > 5) + (hba > 10)
            rows.append({
                "row": i, "name": parts[1], "input": parts[0], "status": "ok", "smiles": Chem.MolToSmiles(mol),
                "mw": mw, "exact_mass": Descriptors.ExactMolWt(mol), "heavy_atoms": mol.GetNumHeavyAtoms(),
                "formula": rdMolDescriptors.CalcMolFormula(mol), "clogp": clogp, "tpsa": tpsa, "hbd": hbd,
                "hba": hba, "rotatable_bonds": rot, "fraction_csp3": rdMolDescriptors.CalcFractionCSP3(mol),
                "rings": rdMolDescriptors.CalcNumRings(mol),
                "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(mol),
                "formal_charge": Chem.GetFormalCharge(mol),
                "stereo_defined": sum(label != "?" for _, label in stereo),
                "stereo_undefined": sum(label == "?" for _, label in stereo),
                "qed": QED.qed(mol), "lipinski_pass": nlip <= 1, "veber_pass": rot <= 10 and tpsa <= 140,
                "tanimoto_reference": DataStructs.TanimotoSimilarity(fp, ref),
                "nearest_panel": names[best], "nearest_panel_tanimoto": sims[best],
            })  # fmt: skip
    pd.DataFrame(rows).to_csv(out_csv, index=False)
    return len(rows)


def _timed(fn, *a, **k) -> tuple[float, object]:
    t = time.perf_counter()
    r = fn(*a, **k)
    return time.perf_counter() - t, r


def _big_child(path: str, out: str, chunk_size: int) -> None:
    from toolkit.batch import compare

    t, s = _timed(compare, path, out, chunk_size=chunk_size)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    print(f"CHILD {s.n_rows} {t:.3f} {rss:.1f} {s.counts['ok']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="compare() benchmark")
    ap.add_argument("--n", type=int, default=20000, help="molecules for (a) and (b)")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows for (c)")
    ap.add_argument("--skip-big", action="store_true", help="skip (c)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk-size", type=int, default=2000)
    ap.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        _big_child(*args._child, chunk_size=args.chunk_size)
        return 0
    from toolkit.batch import compare

    tmp = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    t_gen, smiles = _timed(enumerate_library, args.n, args.seed)
    smi = tmp / "lib.smi"
    smi.write_text("".join(f"{s} mol{i}\n" for i, s in enumerate(smiles, 1)))
    print(f"library: {len(smiles)} unique valid molecules from the panel (seed {args.seed}) in {t_gen:.1f} s")
    print(f"CPU cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}")

    t_base, n_base = _timed(baseline, smi, tmp / "base.csv")
    t_one, s_one = _timed(compare, smi, tmp / "one.csv", n_jobs=1, chunk_size=args.chunk_size)
    print("\n(a) single process, same work, CSV output")
    print(f"  plain RDKit loop : {t_base:8.2f} s  {n_base / t_base:8.0f} mol/s")
    print(f"  compare n_jobs=1 : {t_one:8.2f} s  {s_one.n_rows / t_one:8.0f} mol/s  ({s_one.counts['ok']} ok)")
    print(f"  ratio (ours / baseline throughput): {t_base / t_one:.2f}x  (target >= 0.85x)")

    t_two, s_two = _timed(compare, smi, tmp / "two.csv", n_jobs=2, chunk_size=args.chunk_size)
    same = (tmp / "one.csv").read_bytes() == (tmp / "two.csv").read_bytes()
    print("\n(b) two processes")
    print(f"  compare n_jobs=2 : {t_two:8.2f} s  {s_two.n_rows / t_two:8.0f} mol/s; output identical to n_jobs=1: {same}")
    print(f"  speed-up vs our single process: {t_one / t_two:.2f}x  (target >= 1.6x; machine shared)")

    if not args.skip_big:
        big = tmp / "big.smi"
        with open(big, "w") as fh:
            for i in range(args.rows):
                fh.write(f"{smiles[i % len(smiles)]} row{i + 1}\n")
        out = tmp / "big.parquet"
        r = subprocess.run([sys.executable, __file__, "--_child", str(big), str(out),
                            "--chunk-size", str(args.chunk_size)],
                           capture_output=True, text=True, check=True)  # fmt: skip
        line = next(ln for ln in r.stdout.splitlines() if ln.startswith("CHILD"))
        _, n, t, rss, ok = line.split()
        print(f"\n(c) {int(n):,} rows through compare (n_jobs=1, parquet output, chunk {args.chunk_size})")
        print(f"  time {float(t):.1f} s  {int(n) / float(t):.0f} rows/s  peak RSS {float(rss):.0f} MiB "
              f"(target < 1536 MiB); ok rows {int(ok):,}; output {out.stat().st_size / 2**20:.0f} MiB")  # fmt: skip
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
