"""Benchmark: loading 7EU8 through toolkit.load_structure vs gemmi.read_structure.

Baseline: ``gemmi.read_structure`` on the same mirror file, timed in the same
run. Three figures, each the median of repeated, interleaved runs:

1. first load (no cache) of 7eu8.cif.gz from the mirror: target <= 1.5x gemmi;
2. repeated load in a new process, from our on-disk cache: target <= 0.5x gemmi
   (both timed inside the same fresh process, after imports);
3. ``import toolkit`` in a fresh interpreter: target < 0.5 s.

Run: ``NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_load.py``
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _mirror() -> Path:
    env = os.environ.get("NMDA_TOOLKIT_MIRROR")
    return Path(env) if env else ROOT.parent / "shared" / "structures"


def first_load(repeats: int = 15) -> tuple[float, float]:
    import gemmi

    from toolkit.structure import clear_memory_cache, load_structure

    path = _mirror() / "7eu8.cif.gz"
    ours, base = [], []
    for _ in range(repeats):
        clear_memory_cache()
        t = time.perf_counter()
        s = load_structure("7EU8", use_cache=False)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        gemmi.read_structure(str(path))
        base.append(time.perf_counter() - t)
    assert s.n_atoms == 18670 and s.source.startswith("mirror:")
    return statistics.median(ours), statistics.median(base)


_CHILD = r"""
import sys, time, statistics
import gemmi, numpy
import toolkit
from toolkit.structure import load_structure, clear_memory_cache
path = sys.argv[1]
ours, base = [], []
for i in range(int(sys.argv[2])):
    clear_memory_cache()
    t = time.perf_counter(); s = load_structure("7EU8"); ours.append(time.perf_counter() - t)
    t = time.perf_counter(); gemmi.read_structure(path); base.append(time.perf_counter() - t)
    assert s.source == "cache", s.source
print(ours[0], statistics.median(ours), statistics.median(base))
"""


def cached_load_new_process(repeats: int = 10) -> tuple[float, float, float]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        env["NMDA_TOOLKIT_CACHE"] = cache
        env["NMDA_TOOLKIT_MIRROR"] = str(_mirror())
        subprocess.run([sys.executable, "-c", "import toolkit; toolkit.load_structure('7EU8')"], env=env, check=True)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(_mirror() / "7eu8.cif.gz"), str(repeats)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    first, med, base = map(float, out.stdout.split())
    return first, med, base


def import_time(repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", "import time; t = time.perf_counter(); import toolkit; print(time.perf_counter() - t)"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        times.append(float(out.stdout))
    return statistics.median(times)


def main() -> int:
    os.environ.setdefault("NMDA_TOOLKIT_MIRROR", str(_mirror()))
    ours, base = first_load()
    print(f"first load 7EU8 mmCIF.gz (mirror): toolkit {ours * 1e3:.1f} ms, gemmi {base * 1e3:.1f} ms, "
          f"ratio {ours / base:.2f} (target <= 1.5)")  # fmt: skip
    first, med, base2 = cached_load_new_process()
    print(f"cached load in a new process: toolkit first call {first * 1e3:.1f} ms, median {med * 1e3:.1f} ms, "
          f"gemmi {base2 * 1e3:.1f} ms, ratio first/gemmi {first / base2:.2f}, median/gemmi {med / base2:.2f} (target <= 0.5)")  # fmt: skip
    imp = import_time()
    print(f"import toolkit: {imp * 1e3:.0f} ms (target < 500 ms)")
    ok = ours / base <= 1.5 and first / base2 <= 0.5 and imp < 0.5
    print("all targets met" if ok else "TARGET MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
