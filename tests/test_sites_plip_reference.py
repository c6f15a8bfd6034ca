"""Our interaction engine against stored PLIP references (7EU8 and the mirror's complexes).

The reference (``tests/data/plip_complexes.json``) is PLIP 3.0.1's default
``analyze()`` of every ligand it selects in 7EU8 and in each file of
``complexes/`` (``scripts/make_plip_reference.py``). We compare at residue +
type level: a finding is (interaction type, protein chain, residue number)
per ligand site.

Two conventions are compared, each against the same reference:

* ``convention="plip"`` (like with like): PLIP 3.0.1's own typing, reproduced
  and documented in :func:`toolkit.sites.interactions.interactions` - its
  charged groups (:func:`toolkit.sites.protonation.plip_charge_state`: no pH
  model, tertiary amines and DMSO cations, phosphates and carboxylates anions
  whatever the protonation), His always positive, no charged termini, its
  hydrophobic-patch refinement, its halogen-bond acceptors, Open Babel's
  typing of the residues (:data:`toolkit.sites.detectors.PLIP_PROTEIN_TYPING`),
  its bond-order perception of the file (which O of an Asp/Glu, acid or
  phosphate carries the H: :func:`toolkit.sites.protonation.plip_bond_orders`)
  and placement of rotatable donor hydrogens, PLIP's water-bridge selection,
  and no covalent-link exclusion. The issue's bar is asserted on
  this comparison.
* the toolkit's default (charge states at pH 7.4, His by its pKa, best donor
  rotamer, covalently linked atoms excluded): its figures are measured and
  guarded too, but differences of convention count against it (listed in
  :data:`DEFAULT_BELOW_BAR`).

Where it cannot be like with like, for both:

* PLIP adds hydrogens with Open Babel; the files have none, so ours are
  modelled from the heavy atoms as Open Babel places them (the angles are
  proxies of PLIP's); hydrogens written in a file (4dst_protonated, NMR) are
  used as they are.
* Ligand definition: PLIP also treats DNA/RNA chains and chain caps (ACE) as
  ligands; for us they are polymer (``Structure.polymer_mask``), so those
  sites are not comparable and are listed as such; every other site is
  compared, hard cases included. Composite PLIP ligands (e.g. GCP + MG) are
  compared with the union of our tables for their members.
* Partners: protein (amino-acid) residues only; PLIP's metal-complex
  partners that are waters, nucleotides or the ligand itself are not
  residues of our tables.
* Nothing is tuned per structure. ``scripts/plip_disagreements.py KIND``
  lists every remaining disagreement with both geometries.

Types below the issue's bar (recall >= 0.95, precision >= 0.85) are marked
``xfail(strict=True)`` with the measured figures and reasons
(:data:`PLIP_BELOW_BAR`, :data:`DEFAULT_BELOW_BAR`); floors guard every
measured figure against regressions.
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

#: convention="plip": measured (recall, precision) of the types below the bar, and why. None: every type meets
#: the bar (water bridges 0.982/0.956 since Open Babel's bond-order perception is reproduced:
#: :func:`toolkit.sites.protonation.plip_bond_orders`, ``ProteinContext._plip_carboxylic_acids``).
#: What remains of the water bridges (108 of 110 found, 5 extra; scripts/plip_disagreements.py water_bridge):
#: missed, 4DST 9LI-Gln70 (its indole N-H: Open Babel's kekulisation of a file without hydrogens makes it a
#: pyridine-type N, which turns on its matching of the whole ring system, and its extra twin 9LI-Thr74) and 6R79
#: PO4-Asn41 (water B:499 has two alternate locations; PLIP's altloc filter compares Open Babel atom indices with
#: PDB serials and keeps location B, we the more occupied A); extra, 3 from hydroxyl donors (Ser/Thr/Tyr) whose
#: modelled rotatable hydrogen passes the angles where Open Babel's does not, and 1 His (4CUM WS7-His373) whose
#: tautomer differs.
PLIP_BELOW_BAR: dict[str, tuple[tuple[float, float], str]] = {}
#: Default convention (pH 7.4, His by its pKa): measured figures of the types below the bar, and why. Every
#: difference listed is a deliberate choice of chemistry, counted on this reference (scripts/plip_disagreements.py
#: KIND --convention toolkit lists them); disagreements shared with convention="plip" are Open Babel's perception.
DEFAULT_BELOW_BAR = {
    "hydrophobic": ((1.000, 0.832), "17 extra contacts: 12 are those PLIP's hydrophobic-patch refinement drops (a "
                    "protein carbon touching two unbonded ligand carbons keeps none), which the default does not "
                    "apply; 5 are shared with convention='plip'"),
    "hbond": ((0.840, 0.743), "49 extra: 39 because a rotatable donor hydrogen (OH, NH3+) takes its best rotamer "
              "instead of Open Babel's fixed placement; 27 missed: 22 by the charge states at pH 7.4 (ionised "
              "groups gain or lose donors and acceptors; Open Babel protonates one O of every Asp/Glu) and covalent "
              "links excluded, 5 by Open Babel's perception of the file, which the default does not reproduce "
              "(convention='plip' reproduces 3; 2 are missed by both)"),
    "salt_bridge": ((0.645, 0.714), "11 missed: His neutral at pH 7.4 (pKa 6.6; PLIP: always +, 5), DMSO taken "
                    "by PLIP as a sulfonium cation (4), guanine as a guanidinium (2); 8 extra: free amino acids' "
                    "alpha-ammonium (3), formate (1) and phosphonates (4), charged at pH 7.4, never by PLIP"),
    "cation_pi": ((0.286, 0.667), "7 reference findings; 5 missed: PLIP's 'guanidine' cation in the "
                  "2-aminopyrimidinone ring of pterins (H4B, WS7: 4; isocytosine pKa about 4, neutral at pH 7.4) "
                  "and His always positive (1); 1 extra: the alpha-ammonium of free arginine, charged at pH 7.4"),
    "halogen": ((0.750, 1.000), "4 reference findings; the one missed is a 2.5 Å F...N(Gln amide) contact: PLIP "
                "takes any O/N/S with one heavy neighbour as acceptor, the default only H-bond acceptors (an amide "
                "N's lone pair is conjugated, and 2.5 Å is a clash)"),
    "water_bridge": ((0.736, 0.717), "as for hbond (best rotamers: 14 of 32 extra; charge states at pH 7.4) plus "
                     "16 differences of Open Babel's perception of the file (convention='plip' reproduces 10; 6 are shared)"),
}
BELOW_BAR = {"plip": PLIP_BELOW_BAR, "toolkit": DEFAULT_BELOW_BAR}


def _path(mirror: Path, entry: str) -> Path:
    return mirror / ("7eu8.pdb.gz" if entry == "7eu8" else f"complexes/{entry}.pdb.gz")


@cache
def _load(path: str):
    from toolkit import load_structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_structure(path, require_protein=False)


def compare(
    mirror: Path, his_positive: bool | None = True, ph: float | None = 7.4, convention: str = "toolkit"
) -> tuple[dict[str, Counter], list[tuple[str, str, str]], list[dict]]:
    """Per type: Counter(tp, fn, fp); the sites not compared (entry, key, reason); per-finding diffs."""
    from toolkit.errors import NoProteinError
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
                if not prot:  # no protein chain (4yb0, RNA only): interactions() says NoProteinError, PLIP finds none
                    with pytest.raises(NoProteinError):
                        interactions(s, n, chain=c, res_id=int(r), ph=ph, convention=convention)
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    df = interactions(s, n, chain=c, res_id=int(r), ph=ph, thresholds={"his_positive": his_positive},
                                      convention=convention)
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
def comparisons(mirror):
    """Both conventions, computed once: {"plip": ..., "toolkit": ...}."""
    return {"plip": compare(mirror, True, None, "plip"), "toolkit": compare(mirror, None, 7.4, "toolkit")}


@pytest.mark.slow
def test_reference_covers_7eu8_and_every_complex(mirror):
    ref = json.loads(REF.read_text())
    files = {p.name[: -len(".pdb.gz")] for p in (mirror / "complexes").glob("*.pdb.gz")}
    assert set(ref["entries"]) == files | {"7eu8"}
    assert ref["plip_version"] and ref["entries"]["7eu8"]


def _figures(counts: dict[str, Counter], kind: str) -> tuple[float, float, int, int]:
    c = counts[kind]
    n_ref, n_our = c["tp"] + c["fn"], c["tp"] + c["fp"]
    return c["tp"] / n_ref if n_ref else 0.0, c["tp"] / n_our if n_our else 0.0, n_ref, n_our


def _cases() -> list:
    out = []
    for conv, below in BELOW_BAR.items():
        for t in TYPES:
            marks = [pytest.mark.xfail(strict=True, reason=f"measured {below[t][0]}: {below[t][1]}")] if t in below else []
            out.append(pytest.param(conv, t, marks=marks, id=f"{conv}-{t}"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("convention", "kind"), _cases())
def test_recall_and_precision_per_type(comparisons, convention, kind):
    """The issue's bar: recall >= 0.95 and precision >= 0.85 at residue + type level."""
    counts, _, diffs = comparisons[convention]
    recall, precision, n_ref, _ = _figures(counts, kind)
    assert n_ref > 0, f"the reference holds no {kind}"
    detail = [d for d in diffs if d["type"] == kind]
    assert recall >= RECALL_MIN and precision >= PRECISION_MIN, f"{kind}: recall {recall:.3f} precision {precision:.3f}\n{_fmt(counts)}\n{detail[:20]}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("convention", "kind"), [(c, t) for c, below in BELOW_BAR.items() for t in sorted(below)]
)
def test_below_bar_types_do_not_regress(comparisons, convention, kind):
    """Floors: the measured figures of the types below the bar, minus 0.02."""
    counts, _, _ = comparisons[convention]
    recall, precision, n_ref, _ = _figures(counts, kind)
    (r, p), _ = BELOW_BAR[convention][kind]
    assert n_ref > 0 and recall >= r - 0.02 and precision >= p - 0.02, f"{kind}: {recall:.3f}/{precision:.3f}\n{_fmt(counts)}"


def test_plip_convention_changes_only_the_convention(mirror):
    """convention='plip' on 7EU8/JC9: PLIP leaves the secondary amine neutral; the default charges it (pKa 7.5)."""
    from toolkit.sites import interactions

    s = _load(str(_path(mirror, "7eu8")))
    ours = interactions(s, "JC9", chain="B", res_id=903)
    theirs = interactions(s, "JC9", chain="B", res_id=903, convention="plip")
    assert ours.attrs["ligand_formal_charge"] == 1 and theirs.attrs["ligand_formal_charge"] == 0
    assert theirs.attrs["ph"] is None and theirs.attrs["ligand_charge_state"].startswith("PLIP convention")
    # the hydrophobic contacts of JC9 are the same residues in both conventions
    hyd = lambda df: set(df.loc[df["type"] == "hydrophobic", "label"])  # noqa: E731
    assert hyd(ours) == hyd(theirs) and hyd(ours)


@pytest.mark.slow
def test_only_polymer_ligands_are_not_compared(comparisons):
    _, skipped, _ = comparisons["plip"]
    assert all(reason.startswith("ligand is polymer") for *_, reason in skipped)
    # DNA (1tf6), RNA (4yb0, 5ddr, 6g99) and the ACE cap of 2pvb
    assert {e for e, *_ in skipped} == {"1tf6", "4yb0", "5ddr", "6g99", "2pvb"}


if __name__ == "__main__":  # print the table: python tests/test_sites_plip_reference.py [--plip] [-v]
    import os
    import sys

    his = True if "--his-positive" in sys.argv else None
    ph = None if "--no-ph" in sys.argv else 7.4
    conv = "plip" if "--plip" in sys.argv else "toolkit"
    counts, skipped, diffs = compare(Path(os.environ.get("NMDA_TOOLKIT_MIRROR", "../shared/structures")), his, ph, conv)
    print(_fmt(counts))
    print(f"not compared: {skipped}")
    if "-v" in sys.argv:
        for d in diffs:
            print(d)
