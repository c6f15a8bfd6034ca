"""Our interaction engine against stored PLIP references (7EU8 and the mirror's complexes).

The reference (``tests/data/plip_complexes.json``) is PLIP 3.0.1's default
``analyze()`` of every ligand it selects in 7EU8 and in each file of
``complexes/`` (``scripts/make_plip_reference.py``). We compare at residue +
type level: a finding is (interaction type, protein chain, residue number)
per ligand site.

Like with like:

* PLIP adds hydrogens with Open Babel and types charges by its own rules
  (every sp3 amine and His positive, every carboxylate/phosphate/sulfonate
  negative); we run our defaults: heavy atoms only (hydrogen-based angles
  replaced by heavy-atom proxies), charge states at pH 7.4 by the
  protonation rules (His neutral at pH 7.4; the ligand panel's ketamine pKa).
  Nothing is tuned per structure.
* Ligand definition: PLIP also treats DNA/RNA chains and chain caps (ACE) as
  ligands; for us they are polymer (``Structure.polymer_mask``), so those
  sites are not comparable and are listed in ``NOT_COMPARABLE`` with the
  reason; every other site is compared, hard cases included. Composite PLIP
  ligands (e.g. GCP + MG) are compared with the union of our tables for
  their members.
* Partners: protein (amino-acid) residues only; PLIP's metal-complex
  partners that are waters, nucleotides or the ligand itself are not residues
  of our tables.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parent / "data" / "plip_complexes.json"
TYPES = ("hydrophobic", "hbond", "salt_bridge", "pi_stacking", "cation_pi", "halogen", "water_bridge", "metal_complex")
RECALL_MIN, PRECISION_MIN = 0.95, 0.85


def _path(mirror: Path, entry: str) -> Path:
    return mirror / ("7eu8.pdb.gz" if entry == "7eu8" else f"complexes/{entry}.pdb.gz")


@cache
def _load(path: str):
    from toolkit import load_structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_structure(path, require_protein=False)


def compare(mirror: Path) -> tuple[dict[str, Counter], list[tuple[str, str, str]], list[dict]]:
    """Per type: Counter(tp, fn, fp); the sites not compared (entry, key, reason); per-finding diffs."""
    from toolkit.sites import interactions

    ref = json.loads(REF.read_text())
    counts: dict[str, Counter] = {t: Counter() for t in TYPES}
    skipped: list[tuple[str, str, str]] = []
    diffs: list[dict] = []
    for entry, sites in ref["entries"].items():
        s = _load(str(_path(mirror, entry)))
        a = s.atoms
        st = s.residue_starts
        poly = {(str(a["chain_id"][g]), int(a["res_id"][g]), str(a["res_name"][g])) for g in st[s.polymer_mask[st]]}
        prot = {(c, r) for c, r, n in poly if n not in _NUCLEOTIDES}
        for site in sites:
            members = [tuple(m) for m in site["members"]]
            if any((c, int(r), n) in poly for n, c, r in members):
                skipped.append((entry, site["key"], "ligand is polymer for us (nucleic acid / chain cap)"))
                continue
            theirs = {(r["type"], r["chain"], r["res_id"]) for r in site["interactions"] if (r["chain"], r["res_id"]) in prot}
            ours: set[tuple[str, str, int]] = set()
            for n, c, r in members:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    df = interactions(s, n, chain=c, res_id=int(r), thresholds={"his_positive": True})
                ours |= set(zip(df["type"], df["chain"], df["auth_seq_id"].astype(int)))
            for t in TYPES:
                tt = {x for x in theirs if x[0] == t}
                oo = {x for x in ours if x[0] == t}
                counts[t].update(tp=len(tt & oo), fn=len(tt - oo), fp=len(oo - tt))
                for x in sorted(tt - oo):
                    diffs.append({"entry": entry, "site": site["key"], "type": t, "res": x[1:], "miss": "fn"})
                for x in sorted(oo - tt):
                    diffs.append({"entry": entry, "site": site["key"], "type": t, "res": x[1:], "miss": "fp"})
    return counts, skipped, diffs


_NUCLEOTIDES = {"A", "C", "G", "U", "DA", "DC", "DG", "DT", "DU", "I", "DI"}


def _fmt(counts: dict[str, Counter]) -> str:
    lines = [f"{'type':14s} {'PLIP':>5s} {'ours':>5s} {'TP':>4s} {'recall':>7s} {'precision':>9s}"]
    for t, c in counts.items():
        n_ref, n_our = c["tp"] + c["fn"], c["tp"] + c["fp"]
        rec = c["tp"] / n_ref if n_ref else float("nan")
        pre = c["tp"] / n_our if n_our else float("nan")
        lines.append(f"{t:14s} {n_ref:5d} {n_our:5d} {c['tp']:4d} {rec:7.3f} {pre:9.3f}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def comparison(mirror):
    return compare(mirror)


@pytest.mark.slow
def test_reference_covers_7eu8_and_every_complex(mirror):
    ref = json.loads(REF.read_text())
    files = {p.name[: -len(".pdb.gz")] for p in (mirror / "complexes").glob("*.pdb.gz")}
    assert set(ref["entries"]) == files | {"7eu8"}
    assert ref["plip_version"] and ref["entries"]["7eu8"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", TYPES)
def test_recall_and_precision_per_type(comparison, kind):
    counts, _skipped, diffs = comparison
    c = counts[kind]
    n_ref, n_our = c["tp"] + c["fn"], c["tp"] + c["fp"]
    assert n_ref > 0, f"the reference holds no {kind}"
    recall, precision = c["tp"] / n_ref, (c["tp"] / n_our if n_our else 0.0)
    detail = [d for d in diffs if d["type"] == kind]
    assert recall >= RECALL_MIN and precision >= PRECISION_MIN, f"{kind}: recall {recall:.3f} precision {precision:.3f}\n{_fmt(counts)}\n{detail[:20]}"


@pytest.mark.slow
def test_only_polymer_ligands_are_not_compared(comparison):
    _, skipped, _ = comparison
    assert all(reason.startswith("ligand is polymer") for *_, reason in skipped)
    # DNA (1tf6), RNA (4yb0, 5ddr, 6g99) and the ACE cap of 2pvb
    assert {e for e, *_ in skipped} == {"1tf6", "4yb0", "5ddr", "6g99", "2pvb"}


if __name__ == "__main__":  # print the table: python tests/test_sites_plip_reference.py
    import os
    import sys

    counts, skipped, diffs = compare(Path(os.environ.get("NMDA_TOOLKIT_MIRROR", "../shared/structures")))
    print(_fmt(counts))
    print(f"not compared: {skipped}")
    if "-v" in sys.argv:
        for d in diffs:
            print(d)
