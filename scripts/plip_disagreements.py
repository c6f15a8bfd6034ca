"""List every residue-level disagreement with the stored PLIP reference, with our geometry and PLIP's.

For one interaction type, prints each false negative (PLIP reports it, we do
not) and false positive (we report it, PLIP does not) per ligand site, with
PLIP's stored distances/angles and our rows for that residue (atoms,
distance, angle, detail). For hydrogen bonds and water bridges each finding
is tagged with its donor kind: ``rotor`` when the donor hydrogen is
rotatable (a donor with one heavy neighbour: hydroxyl, thiol, NH3, Lys NZ,
Ser/Thr/Tyr/Cys OH/SH), whose position PLIP takes from Open Babel's fixed
placement and we take as the best rotamer, else ``fixed``; a summary counts
them.

Run: ``python scripts/plip_disagreements.py hbond [--convention plip|toolkit]``
(needs the mirror, ``NMDA_TOOLKIT_MIRROR``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

_PROTEIN_ROTORS = {("SER", "OG"), ("THR", "OG1"), ("TYR", "OH"), ("CYS", "SG"), ("LYS", "NZ")}


def main() -> None:
    from test_sites_plip_reference import REF, _load, _path, compare

    from toolkit.chem.templates import ligand_to_mol
    from toolkit.sites import interactions

    ap = argparse.ArgumentParser()
    ap.add_argument("kind")
    ap.add_argument("--convention", default="plip", choices=("plip", "toolkit"))
    args = ap.parse_args()
    mirror = Path(os.environ.get("NMDA_TOOLKIT_MIRROR", ROOT.parent / "shared" / "structures"))
    _, _, diffs = compare(mirror, None, 7.4, args.convention)
    ref = json.loads(REF.read_text())
    tally: Counter = Counter()
    for d in diffs:
        if d["type"] != args.kind:
            continue
        s = _load(str(_path(mirror, d["entry"])))
        site = next(x for x in ref["entries"][d["entry"]] if x["key"] == d["site"])
        print(f"== {d['miss']} {d['entry']} {d['site']} residue {d['res'][0]}:{d['res'][1]}")
        for r in site["interactions"]:
            if r["type"] == args.kind and (r["chain"], r["res_id"]) == tuple(d["res"]):
                print("   PLIP:", {k: v for k, v in r.items() if k not in ("plip_list", "type", "chain", "res_id")})
        kinds = set()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for n, c, rr in site["members"]:
                mol = ligand_to_mol(s, n, c, int(rr))
                degree = {at.GetProp("atom_name"): at.GetDegree() for at in mol.GetAtoms()}
                df = interactions(s, n, chain=c, res_id=int(rr), mol=mol, convention=args.convention)
                sub = df[(df["chain"] == d["res"][0]) & (df["auth_seq_id"] == d["res"][1])]
                for _, r in sub.iterrows():
                    tag = ""
                    if r["type"] in ("hbond", "water_bridge") and r["type"] == args.kind:
                        lig_don = str(r["detail"]).startswith("ligand donor")
                        rotor = degree.get(r["ligand_atom"], 0) == 1 if lig_don else (r["res_name"], r["protein_atom"]) in _PROTEIN_ROTORS
                        tag = "rotor" if rotor else "fixed"
                        kinds.add(tag)
                    print(f"   ours: {r['type']:13s} {r['res_name']} {r['ligand_atom']:>10s} {r['protein_atom']:>10s} "
                          f"d={r['distance']:.2f} angle={r['angle']:.0f} {r['detail']} {tag}")
        tally[(d["miss"], "rotor" if kinds == {"rotor"} else ("fixed" if kinds else "-"))] += 1
    print("summary (miss, donor kind of our rows): ", dict(tally))


if __name__ == "__main__":
    main()
