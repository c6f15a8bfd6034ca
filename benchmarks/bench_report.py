"""Benchmark the main job: ``nmda-toolkit report`` for the default complex (7EU8, S-ketamine).

Target (issue 13): under 8 s on a 2-core machine, excluding the one-off set-up
(3Dmol.js fetched, structures parsed into the cache), and index.html under 3 MB.
One untimed run does the set-up; then each variant runs ``--repeat`` times as
a new process (the way a user runs it) and the median wall time is printed:

* default: pocket search, 7EOS superposed comparison, static PNG (Chromium);
* ``--png no``: without the static picture;
* ``--png no --no-pockets --compare ""``: the tables and 2D figures only.

Usage::

    NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_report.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 8.0
MAX_HTML = 3_000_000


def _run(args: list[str], out: Path) -> float:
    cmd = [sys.executable, "-m", "toolkit.cli", "report", "--out", str(out), *args]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=os.environ.copy())
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from toolkit.views.static import find_chromium

    variants = [("default", []), ("--png no", ["--png", "no"]),
                ("tables + 2D only", ["--png", "no", "--no-pockets", "--compare", "none"])]  # fmt: skip
    if find_chromium() is None:
        print("Chromium not found: the default variant runs without its static picture")
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        base = Path(tmp)
        setup = _run([], base / "setup")
        print(f"one-off set-up run (untimed for the target): {setup:.1f} s")
        print(f"load average: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
        results = {}
        for label, extra in variants:
            times = [_run(extra, base / f"{label.replace(' ', '_')}_{i}") for i in range(args.repeat)]
            results[label] = statistics.median(times)
            print(f"  {label:<18} median {results[label]:5.1f} s  (runs: {', '.join(f'{t:.1f}' for t in times)})")
        index = base / "default_0" / "index.html"
        size = index.stat().st_size
        print(f"index.html {size / 1e6:.2f} MB (target < {MAX_HTML / 1e6:.0f} MB); "
              f"site.html {(base / 'default_0' / 'site.html').stat().st_size / 1e6:.2f} MB")  # fmt: skip
        ok = results["default"] < TARGET_S and size < MAX_HTML
        print(f"target: default report < {TARGET_S:.0f} s and index.html < 3 MB: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
