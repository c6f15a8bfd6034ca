"""Water bridges of one entry, PLIP's and ours, atom by atom: every candidate and what each refinement keeps.

PLIP 3.0.1 (the ``reference`` extra) runs in a child process (Open Babel and
RDKit are not imported into one process) and reports, per binding site, its
raw candidates (``detection.water_bridges``: water, acceptor, donor, theta,
omega) and those ``refine_water_bridges`` keeps, with the donors of its
direct hydrogen bonds. Ours are the candidates of
:class:`toolkit.sites.detectors.WaterBridge` for ``convention="plip"`` and
what its refinement keeps. Used to find why the two lists differ
(``scripts/plip_disagreements.py water_bridge`` lists the residue-level
differences).

Run: ``python scripts/plip_water_bridges.py 6r79 [PO4:B:305]`` (needs the
mirror, ``NMDA_TOOLKIT_MIRROR``).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PLIP = r"""
import json, sys
from plip.structure.preparation import PDBComplex
from plip.structure.detection import water_bridges
cx = PDBComplex(); cx.load_pdb(sys.argv[1]); cx.analyze()
def lab(atom):
    a = atom.OBAtom; r = a.GetResidue()
    return f"{r.GetName()}:{r.GetChain()}:{r.GetNum()}:{r.GetAtomID(a).strip()}"
out = {}
for key, site in sorted(cx.interaction_sets.items()):
    raw = water_bridges(site.bindingsite.get_hba(), site.ligand.get_hba(), site.bindingsite.get_hbd(),
                        site.ligand.get_hbd(), site.ligand.water)
    out[key] = {
        "raw": [[lab(w.water), lab(w.a), lab(w.d), round(w.d_angle, 1), round(w.w_angle, 1)] for w in raw],
        "kept": [[lab(w.water), lab(w.a), lab(w.d), round(w.w_angle, 1)] for w in site.water_bridges],
        "hbond_donors": sorted({lab(h.d) for h in site.hbonds_ldon + site.hbonds_pdon}),
    }
print(json.dumps(out))
"""


def plip_sites(pdb_gz: Path) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="plip_wb_"))
    try:
        pdb = tmp / "entry.pdb"
        with gzip.open(pdb_gz, "rb") as fin, open(pdb, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        res = subprocess.run([sys.executable, "-c", _PLIP, str(pdb)], check=True, capture_output=True, text=True)
        return json.loads(res.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    from toolkit import load_structure
    from toolkit.sites import detectors as D
    from toolkit.sites import interactions

    entry = sys.argv[1]
    only = sys.argv[2] if len(sys.argv) > 2 else None
    mirror = Path(os.environ.get("NMDA_TOOLKIT_MIRROR", ROOT.parent / "shared" / "structures"))
    path = mirror / ("7eu8.pdb.gz" if entry == "7eu8" else f"complexes/{entry}.pdb.gz")
    theirs = plip_sites(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = load_structure(path, require_protein=False)
    a = s.atoms
    seen: list[str] = []
    refine = D.WaterBridge._refine

    def spy(self, cands):  # record our candidates of each water and what the refinement keeps
        kept = refine(self, cands)
        for acc, don, omega, row in cands:
            tag = " (donor makes a direct H-bond)" if don in self.hbond_donors else ""
            seen.append(f"  ours  {row['detail'].split('; ')[1]:16s} acc {acc} don {don} omega {omega:5.1f} "
                        f"{row['protein_atom']}/{row['ligand_atom']}{tag}")  # fmt: skip
        seen.extend(f"  ours  KEPT {r['detail'].split('; ')[1]} {r['protein_atom']}/{r['ligand_atom']} "
                    f"omega {r['angle']:.1f}" for r in kept)  # fmt: skip
        return kept

    D.WaterBridge._refine = spy
    try:
        for key, site in theirs.items():
            if (only and key != only) or not (site["raw"] or site["kept"]):
                continue
            print(f"== {entry} {key}; PLIP's H-bond donors: {', '.join(site['hbond_donors']) or '-'}")
            for w, acc, don, theta, omega in site["raw"]:
                print(f"  PLIP  {w:16s} acc {acc:18s} don {don:18s} theta {theta:5.1f} omega {omega:5.1f}")
            for w, acc, don, omega in site["kept"]:
                print(f"  PLIP  KEPT {w} {acc} <- {don} omega {omega:.1f}")
            n, c, r = key.split(":")
            if not ((a["res_name"] == n) & (a["chain_id"] == c) & (a["res_id"] == int(r))).any():
                continue
            seen.clear()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    interactions(s, n, chain=c, res_id=int(r), convention="plip")
            except Exception as exc:  # a site the toolkit does not take as a ligand (polymer, no template)
                print(f"  ours  not computed: {type(exc).__name__}: {exc}")
            print("\n".join(seen))
    finally:
        D.WaterBridge._refine = refine


if __name__ == "__main__":
    main()
