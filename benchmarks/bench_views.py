"""Benchmark a 7EU8 binding-site page: ``toolkit.views.site_view(...).to_html`` vs plain py3Dmol.

Baseline (same run, same scene): py3Dmol with the whole entry as PDB text
(Biopython's PDBIO, the usual way to feed py3Dmol from Python), cartoon by
chain, ligand and site residues as sticks, one label and one dashed cylinder
per row, ``write_html``. py3Dmol's page loads 3Dmol.js from the network; ours
inlines it, so the figures printed are: build+write time of each, page size
of each, and ours without the inlined library (the data actually embedded).

Usage::

    NMDA_TOOLKIT_MIRROR=../shared/structures python benchmarks/bench_views.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import py3Dmol
    from Bio.PDB import PDBIO
    from browser.helpers import site_tables

    import toolkit
    from toolkit.views import site_view
    from toolkit.views.assets import load_3dmol_js

    s = toolkit.load_structure("7EU8")
    site, inter = site_tables(s, "JC9", "B", 903)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        js = load_3dmol_js()
    tmp = Path(tempfile.mkdtemp(prefix="bench-views-"))

    def ours():
        site_view(s, site, inter).to_html(tmp / "ours.html")

    bio = s.to_biopython()

    def baseline():
        buf = io.StringIO()
        pdbio = PDBIO()
        pdbio.set_structure(bio)
        pdbio.save(buf)
        v = py3Dmol.view(width=800, height=600)
        v.addModel(buf.getvalue(), "pdb")
        v.setStyle({}, {"cartoon": {"color": "spectrum"}})
        v.setStyle({"resn": "JC9"}, {"stick": {"colorscheme": "greenCarbon"}})
        for row in site.itertuples():
            v.addStyle({"chain": row.chain, "resi": int(row.auth_seq_id)}, {"stick": {}})
            v.addLabel(row.label, {"fontSize": 11}, {"chain": row.chain, "resi": int(row.auth_seq_id), "atom": "CA"})
        for row in inter.itertuples():
            v.addCylinder({"start": {"x": row.lig_x, "y": row.lig_y, "z": row.lig_z},
                           "end": {"x": row.prot_x, "y": row.prot_y, "z": row.prot_z}, "dashed": True})
        v.zoomTo({"resn": "JC9"})
        v.write_html(str(tmp / "py3dmol.html"))

    t_ours, m_ours = _best(ours, args.repeat)
    t_base, m_base = _best(baseline, args.repeat)
    size_ours = (tmp / "ours.html").stat().st_size
    size_base = (tmp / "py3dmol.html").stat().st_size
    lib = len(js.encode()) if js else 0
    print(f"7EU8 site page, {len(site)} site residues, {len(inter)} interactions, best/median of {args.repeat}")
    print(f"  toolkit site_view+to_html : {t_ours * 1e3:8.1f} / {m_ours * 1e3:.1f} ms, {size_ours / 1e6:.2f} MB "
          f"({(size_ours - lib) / 1e6:.2f} MB without the inlined 3Dmol.js {lib / 1e6:.2f} MB)")
    print(f"  py3Dmol (PDBIO + view)    : {t_base * 1e3:8.1f} / {m_base * 1e3:.1f} ms, {size_base / 1e6:.2f} MB "
          "(3Dmol.js loaded from the network)")
    print(f"  time ratio baseline/ours  : {t_base / t_ours:.2f}x")
    print(f"  embedded data ratio       : {size_base / max(size_ours - lib, 1):.2f}x smaller")


if __name__ == "__main__":
    main()
