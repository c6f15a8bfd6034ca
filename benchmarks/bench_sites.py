"""Benchmark: full interaction profile of JC9 in 7EU8, toolkit vs PLIP, same run.

Both tools start from the same decompressed PDB file of 7EU8 (PLIP reads PDB
format only). Our profile = ``load_structure(path, use_cache=False)`` +
ligand chemistry (CCD template, stereo from 3D; charge state at pH 7.4 with
the panel's pKa 7.5, :mod:`toolkit.sites.protonation`) + typed interactions
(including water bridges and metal complexes) + site residues (4.5 Å, numpy neighbour search; the
interaction table is passed in, not computed twice). PLIP's =
``PDBComplex.load_pdb`` (OpenBabel parsing, hydrogen addition) +
``characterize_complex`` for the JC9 ligand only (the fair comparison); the
time of PLIP's default ``analyze()`` of every ligand (JC9 + 7 NAG) is printed
too.

Three settings, each timed in this run:

1. warm: inside this process, after one untimed warm-up of each tool
   (imports done, the CCD component cached); median of repeats;
2. fresh: a new Python process per run, wall time including interpreter
   start-up and imports. Ours is the command line,
   ``python -m toolkit.cli interactions 7eu8.pdb JC9 --chain B --res-id 903
   -o jc9.tsv``: it parses the file, builds the ligand chemistry, computes
   the typed interactions and writes the table (the rows of
   ``interactions()``, exactly) with the csv module, importing numpy and
   RDKit but not pandas (:func:`toolkit.sites.interactions.interaction_records`);
   no site-residue table. PLIP's is the script above (JC9 only, nothing
   written). Printed for information: the same library calls as in process
   (DataFrames, so pandas with pyarrow, + the site table) in a fresh
   process, and the import floors of both paths (interpreter + numpy + RDKit;
   + pandas). The CCD component comes from the toolkit's JSON cache after
   the first run; the same number of runs for each, interleaved; median;
3. profile only: ours on an already parsed Structure vs PLIP's
   ``characterize_complex`` on an already loaded (protonated) complex.

Targets: ours >= 20x faster than PLIP in process and >= 5x in a fresh process. PLIP (GPL) is imported only inside this
script; install with ``pip install -e .[reference]``.

Run: ``NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_sites.py [--repeats 5]``
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OURS = """
import sys, time
t0 = time.perf_counter()
from toolkit.structure import load_structure
from toolkit.chem.templates import ligand_to_mol
from toolkit.sites import interactions, site_residues
s = load_structure(sys.argv[1], use_cache=False)
mol = ligand_to_mol(s, "JC9", "B", 903)
it = interactions(s, "JC9", chain="B", res_id=903, mol=mol)
site = site_residues(s, "JC9", chain="B", res_id=903, cutoff=4.5, interaction_table=it)
print(len(site), len(it), time.perf_counter() - t0)
"""

PLIP_ONE = """
import sys, time
t0 = time.perf_counter()
from plip.structure.preparation import PDBComplex
cx = PDBComplex()
cx.load_pdb(sys.argv[1])
lig = [x for x in cx.ligands if x.hetid == "JC9"][0]
cx.characterize_complex(lig)
site = cx.interaction_sets["JC9:B:903"]
print(len(site.all_itypes), time.perf_counter() - t0)
"""


# Our fresh-process path: the command line writes the interaction table without importing pandas.
OURS_CLI = ["-m", "toolkit.cli", "interactions", "{pdb}", "JC9", "--chain", "B", "--res-id", "903", "-o", "{out}"]

# The floor of the command line: the interpreter, numpy (coordinates) and RDKit (ligand chemistry from the CCD).
FLOOR_CLI = """
import sys, numpy
from rdkit import Chem
"""

# The floor of any fresh process that returns our DataFrames: the above + pandas (with pyarrow).
FLOOR = """
import sys, numpy, pandas
from rdkit import Chem
"""


def _mirror() -> Path:
    env = os.environ.get("NMDA_TOOLKIT_MIRROR")
    return Path(env) if env else ROOT.parent / "shared" / "structures"


def ours_once(path: Path) -> tuple[float, int, int]:
    from toolkit.chem.templates import ligand_to_mol
    from toolkit.sites import interactions, site_residues
    from toolkit.structure import clear_memory_cache, load_structure

    clear_memory_cache()
    t = time.perf_counter()
    s = load_structure(path, use_cache=False)
    mol = ligand_to_mol(s, "JC9", "B", 903)
    it = interactions(s, "JC9", chain="B", res_id=903, mol=mol)
    site = site_residues(s, "JC9", chain="B", res_id=903, cutoff=4.5, interaction_table=it)
    return time.perf_counter() - t, len(site), len(it)


def plip_once(path: Path, all_ligands: bool = False) -> tuple[float, int]:
    from plip.structure.preparation import PDBComplex

    t = time.perf_counter()
    cx = PDBComplex()
    cx.load_pdb(str(path))
    if all_ligands:
        cx.analyze()
    else:
        cx.characterize_complex(next(x for x in cx.ligands if x.hetid == "JC9"))
    n = len(cx.interaction_sets["JC9:B:903"].all_itypes)
    return time.perf_counter() - t, n


def profile_only(path: Path, repeats: int) -> tuple[float, float, float]:
    """Median times of the profile alone, structure already parsed (ours) / PDB loaded (PLIP).

    Also ours with ``convention="plip"`` (PLIP's typing reproduced, Open Babel's bond-order perception included).
    """
    from plip.structure.preparation import PDBComplex

    from toolkit.chem.templates import ligand_to_mol
    from toolkit.sites import interactions, site_residues
    from toolkit.structure import load_structure

    s = load_structure(path, use_cache=False)
    ours = []
    for _ in range(repeats):
        t = time.perf_counter()
        mol = ligand_to_mol(s, "JC9", "B", 903)
        it = interactions(s, "JC9", chain="B", res_id=903, mol=mol)
        site_residues(s, "JC9", chain="B", res_id=903, cutoff=4.5, interaction_table=it)
        ours.append(time.perf_counter() - t)
    like = []
    for _ in range(repeats):
        t = time.perf_counter()
        mol = ligand_to_mol(s, "JC9", "B", 903)
        it = interactions(s, "JC9", chain="B", res_id=903, mol=mol, convention="plip")
        site_residues(s, "JC9", chain="B", res_id=903, cutoff=4.5, interaction_table=it)
        like.append(time.perf_counter() - t)
    theirs = []
    for _ in range(max(1, repeats // 2)):
        cx = PDBComplex()
        cx.load_pdb(str(path))
        lig = next(x for x in cx.ligands if x.hetid == "JC9")
        t = time.perf_counter()
        cx.characterize_complex(lig)
        theirs.append(time.perf_counter() - t)
    return statistics.median(ours), statistics.median(theirs), statistics.median(like)


def _fresh_env(pycache: Path) -> dict[str, str]:
    """Environment of the fresh processes: this checkout first on the path, and byte code cached.

    Installed packages (PLIP, pandas, ...) come with compiled byte code; a
    source checkout run with ``PYTHONDONTWRITEBYTECODE`` would compile every
    toolkit module in every process. Both tools therefore run with a byte-code
    cache (``PYTHONPYCACHEPREFIX``, a temporary folder) filled by one untimed
    warm-up run each, as after any installation.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


_ENV: dict[str, str] | None = None


def fresh(code: str | list[str], path: Path, out: Path | None = None) -> tuple[float, str]:
    """Wall time of one new process running ``code`` (a ``-c`` script, or argv with {pdb}/{out}); its stdout."""
    env = _ENV or dict(os.environ, PYTHONPATH=str(ROOT))
    if isinstance(code, str):
        argv = [sys.executable, "-c", code, str(path)]
    else:
        argv = [sys.executable] + [a.format(pdb=path, out=out) for a in code]
    t = time.perf_counter()
    p = subprocess.run(argv, check=True, env=env, capture_output=True, text=True)
    return time.perf_counter() - t, p.stdout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="repeats for our timings (PLIP: max(2, repeats // 2))")
    args = p.parse_args()
    load0 = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="bench_sites_"))
    try:
        pdb = tmp / "7eu8.pdb"
        with gzip.open(_mirror() / "7eu8.pdb.gz", "rb") as fin, open(pdb, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        rp = max(2, args.repeats // 2)
        # warm: one untimed warm-up each, then interleaved repeats
        _, n_site, n_it = ours_once(pdb)
        _, n_plip = plip_once(pdb)
        ours_w, plip_w = [], []
        for k in range(args.repeats):
            ours_w.append(ours_once(pdb)[0])
            if k < rp:
                plip_w.append(plip_once(pdb)[0])
        plip_all = plip_once(pdb, all_ligands=True)[0]
        po, pp, pl = profile_only(pdb, args.repeats)
        # fresh processes (byte code cached after one untimed run each, see _fresh_env)
        global _ENV
        _ENV = _fresh_env(tmp / "pycache")
        tsv = tmp / "jc9.tsv"
        fresh(OURS, pdb)
        fresh(OURS_CLI, pdb, tsv)
        fresh(PLIP_ONE, pdb)
        n_cli = sum(1 for _ in open(tsv)) - 1
        if n_cli != n_it:
            raise SystemExit(f"the command line wrote {n_cli} rows, interactions() returns {n_it}")
        # the same number of runs for each, interleaved (equal exposure to the load)
        cli_f, ours_f, plip_f, floor_f, floor_cli_f = [], [], [], [], []
        for _ in range(max(3, rp)):
            floor_cli_f.append(fresh(FLOOR_CLI, pdb)[0])
            cli_f.append(fresh(OURS_CLI, pdb, tsv)[0])
            floor_f.append(fresh(FLOOR, pdb)[0])
            ours_f.append(fresh(OURS, pdb)[0])
            plip_f.append(fresh(PLIP_ONE, pdb)[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ow, pw = statistics.median(ours_w), statistics.median(plip_w)
    of, pf, cf = statistics.median(ours_f), statistics.median(plip_f), statistics.median(cli_f)
    print(f"7EU8 / JC9 interaction profile ({n_site} site residues, {n_it} typed interactions; PLIP: {n_plip})")
    print(f"warm  (in process)     toolkit {ow * 1000:8.1f} ms   PLIP {pw * 1000:8.1f} ms   ratio {pw / ow:6.1f}x")
    print(f"fresh (new process)    toolkit {cf * 1000:8.1f} ms   PLIP {pf * 1000:8.1f} ms   ratio {pf / cf:6.1f}x"
          "   (ours: `python -m toolkit.cli interactions 7eu8.pdb JC9 ... -o jc9.tsv`, the table written, "
          "no pandas; PLIP: PDBComplex + characterize_complex of JC9)")
    flc, fl = statistics.median(floor_cli_f), statistics.median(floor_f)
    print(f"  of which the import floor (interpreter + numpy + RDKit): {flc * 1000:.1f} ms; "
          f"PLIP / floor = {pf / flc:.1f}x is the best ratio this path can reach")
    print(f"  for information, the library calls (DataFrames + site table) in a fresh process: {of * 1000:.1f} ms, "
          f"ratio {pf / of:.1f}x; their floor (+ pandas with pyarrow) {fl * 1000:.1f} ms, PLIP / floor {pf / fl:.1f}x")
    print(f"profile only (parsed)  toolkit {po * 1000:8.1f} ms   PLIP {pp * 1000:8.1f} ms   ratio {pp / po:6.1f}x"
          "   (ours: chemistry + site + interactions on a parsed Structure; PLIP: characterize_complex)")
    print(f"  the same with convention='plip'  {pl * 1000:8.1f} ms   ratio {pp / pl:6.1f}x   "
          f"({pl / po:.2f}x the default's time)")
    print(f"PLIP analyze() of all 8 ligands (warm): {plip_all * 1000:.1f} ms; ratio vs ours warm {plip_all / ow:.1f}x")
    print("targets: >= 20x in process, >= 5x fresh; fresh includes interpreter start-up, imports and the CCD read")
    print(f"load average (1 min) at start {load0:.1f}, at end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"fresh runs: {len(cli_f)} each (median), interleaved with the floors")


if __name__ == "__main__":
    main()
