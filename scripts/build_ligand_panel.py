"""Build ``toolkit/data/ligand_panel.csv`` from the curated shared panel.

Usage::

    python scripts/build_ligand_panel.py [SOURCE_CSV] [-o toolkit/data/ligand_panel.csv]

Default source: ``../shared/data/ligand_panel.csv`` (34 compounds, relative to the
repository root). The conversion keeps every fact of the source with its
source and verification status; it never adds a number that is not in the
source. Rules (also documented in :mod:`toolkit.chem.panel`):

* ``nmdar_value`` is kept verbatim in ``value_raw`` and split into
  ``value_qualifier`` (``~``, ``<``, ``>``, ``<=``, ``>=`` or ''), ``value``,
  ``value_pm`` (the "±" term, same unit), ``value_low``/``value_high``
  (only for a written range "a-b unit"; ``value`` is then NaN), ``unit``
  and ``value_context`` (the parenthesised or "at ..." qualifier).
* Several values separated by ";" (per-enantiomer or per-subtype entries):
  ``value`` is the FIRST value as listed, ``value_context`` says what it is
  for; the others remain only in ``value_raw``.
* Qualitative entries (no number) give ``value`` = NaN; the text stays in
  ``value_raw``.
* ``value_nM``: ``value`` converted to nM (nM x1, µM x1000, mM x1e6, pM x1e-3).
* ``status``: first word of the source status (``verified``,
  ``secondary_source``, ``unverified``); rows with no value ("blank ...",
  "n/a") get ``no_value``. The full text is kept in ``value_status_detail``.
* ``pka``/``pka_source``: only ketamine and its two enantiomers (pKa about 7.5,
  Merck Index, as quoted in SCIENCE.md; enantiomers share a pKa). Empty for
  every other compound: no source in the data gives one.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from toolkit.chem.panel import PANEL_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "ligand_panel.csv"
DEFAULT_OUT = ROOT / "toolkit" / "data" / "ligand_panel.csv"

OUT_COLUMNS = PANEL_COLUMNS  # the schema load_panel() documents and tests

UNIT_TO_NM = {"pM": 1e-3, "nM": 1.0, "µM": 1e3, "mM": 1e6}
_NUM = r"\d+(?:\.\d+)?"
_UNIT = r"(pM|nM|µM|mM)"
_RANGE = re.compile(rf"^(?P<lo>{_NUM})\s*[-–]\s*(?P<hi>{_NUM})\s*{_UNIT}(?P<rest>.*)$")
_VALUE = re.compile(
    rf"^(?P<q>~|<=|>=|<|>)?\s*(?P<v>{_NUM})(?:\s*±\s*(?P<pm>{_NUM}))?\s*{_UNIT}(?P<rest>.*)$"
)

#: pKa facts present in the project's sources (SCIENCE.md quotes the Merck Index for ketamine).
PKA = {
    "ketamine (racemic)": 7.5,
    "esketamine ((S)-ketamine)": 7.5,
    "arketamine ((R)-ketamine)": 7.5,
}
PKA_SOURCE = "Merck Index (ketamine pKa about 7.5, quoted in SCIENCE.md; enantiomers share the pKa)"


def _context(rest: str) -> str:
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return rest.strip()


def split_value(raw: str) -> dict[str, str]:
    """Split a raw value text (e.g. ``"659 ± 98 nM"``) into the output fields (strings)."""
    out = dict.fromkeys(("value_qualifier", "value", "value_pm", "value_low", "value_high", "unit",
                         "value_nM", "value_context"), "")  # fmt: skip
    raw = raw.strip()
    if not raw:
        return out
    first = raw.split(";")[0].strip()
    m = _RANGE.match(first)
    if m:
        out.update(value_low=m["lo"], value_high=m["hi"], unit=m[3], value_context=_context(m["rest"]))
        return out
    m = _VALUE.match(first)
    if not m:  # qualitative statement: no number is invented
        return out
    unit = m[4]
    out.update(
        value_qualifier=m["q"] or "",
        value=m["v"],
        value_pm=m["pm"] or "",
        unit=unit,
        value_nM=repr(round(float(m["v"]) * UNIT_TO_NM[unit], 9)),
        value_context=_context(m["rest"]),
    )
    return out


def split_status(text: str) -> str:
    t = text.strip()
    if not t or t.startswith("blank") or t.startswith("n/a"):
        return "no_value"
    for s in ("verified", "secondary_source", "unverified"):
        if t.startswith(s):
            return s
    raise ValueError(f"unknown value_status {text!r}")


def convert(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        v = split_value(r["nmdar_value"])
        status = split_status(r["value_status"])
        if r["nmdar_value"].strip() and status == "no_value":
            raise ValueError(f"{r['name']}: a value without a status")
        pka = PKA.get(r["name"])
        out.append({
            "name": r["name"],
            "mechanism_class": r["mechanism_class"],
            "isomeric_smiles": r["isomeric_smiles"],
            "stereo_note": r["stereo_note"],
            "inchikey": r["inchikey_rdkit"],
            "formula": r["formula"],
            "pubchem_cid": r["pubchem_cid"],
            "pubchem_cid_status": r["cid_status"],
            "chembl_id": r["chembl_id"],
            "chembl_status": r["chembl_status"],
            "ccd_code": r["pdb_ccd_code"],
            "value_raw": r["nmdar_value"],
            **v,
            "value_type": r["value_type"],
            "assay_system": r["assay_system"],
            "source": r["value_source"],
            "source_id": r["source_id"],
            "status": status,
            "value_status_detail": r["value_status"],
            "notes": r["notes"],
            "pka": "" if pka is None else repr(pka),
            "pka_source": "" if pka is None else PKA_SOURCE,
        })  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE))
    ap.add_argument("-o", "--output", default=str(DEFAULT_OUT))
    args = ap.parse_args(argv)
    with open(args.source, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = convert(rows)
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=OUT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"wrote {len(out)} compounds to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
