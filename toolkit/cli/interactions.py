"""``nmda-toolkit interactions ENTRY LIGAND``: the typed interaction table of one ligand, as TSV, CSV or JSON.

The rows are those of :func:`toolkit.sites.interactions` (columns
:data:`~toolkit.sites.interactions.INTERACTION_COLUMNS`, same order), taken
from its pandas-free core :func:`~toolkit.sites.interactions.interaction_records`
and written with the :mod:`csv` / :mod:`json` modules: the command never
imports pandas (in a fresh process that is about half of the start-up).
Floats are written with Python's shortest round-trip form (``repr``), so
reading them back gives the library's values exactly; NaN is an empty cell
(TSV/CSV) or ``null`` (JSON). The charge state used is stated in the summary
line (and under ``"attrs"`` in JSON).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any, TextIO

FORMATS = ("tsv", "csv", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "interactions",
        help="typed protein-ligand interactions of one ligand (TSV/CSV/JSON)",
        description="Typed interactions (hydrophobic, H-bond, salt bridge, pi-stacking, cation-pi, halogen, "
        "water bridge, metal complex) between one ligand instance and the protein, with charge states at "
        "the pH (default 7.4). ENTRY is a PDB ID, a structure file, or '-' for a file on stdin. The table "
        "goes to stdout (TSV unless --format) or to -o FILE (format from its suffix .tsv/.csv/.json); the "
        "summary with the charge state used goes to stderr when the table is on stdout.",
    )
    p.add_argument("entry", help="PDB ID, structure file, or - for stdin")
    p.add_argument("ligand", help="CCD code of the ligand, e.g. JC9")
    p.add_argument("--chain", default=None, help="author chain of the instance (when the code occurs several times)")
    p.add_argument("--res-id", type=int, default=None, help="author residue number of the instance")
    p.add_argument("--ph", type=_ph, default=7.4, help="pH of the charge states (default 7.4; 'none': CCD charges)")
    p.add_argument("--pka", type=float, default=None, help="a sourced pKa of the ligand's most basic group")
    p.add_argument("--smiles", default=None, help="SMILES template for a ligand absent from the CCD")
    p.add_argument("--convention", choices=("toolkit", "plip"), default="toolkit",
                   help="'toolkit' (default, charge states at the pH) or 'plip' (PLIP 3.0.1's typing)")  # fmt: skip
    p.add_argument("-o", "--output", default="-", help="output file (.tsv, .csv or .json); - for stdout (default)")
    p.add_argument("--format", choices=FORMATS, default=None, help="table format (default: from -o, else tsv)")
    p.add_argument("--offline", action="store_true", help="never download")
    p.set_defaults(func=run)


def _ph(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"pH must be a number or 'none', got {text!r}") from None


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.output.rsplit(".", 1)[-1].lower() if args.output != "-" and "." in args.output else ""
    return suffix if suffix in FORMATS else "tsv"


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return v


def write_records(records: list[dict[str, Any]], attrs: dict[str, Any], fh: TextIO, fmt: str) -> None:
    """Write interaction records (:func:`~toolkit.sites.interactions.interaction_records`) as TSV, CSV or JSON.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_records([{"type": "hbond", "distance": 2.9, "angle": float("nan")}], {"ph": 7.4}, buf, "csv")
    >>> buf.getvalue().splitlines()
    ['type,distance,angle', 'hbond,2.9,']
    """
    from ..sites.interactions import INTERACTION_COLUMNS

    cols = list(records[0]) if records else list(INTERACTION_COLUMNS)
    if fmt == "json":
        import json

        rows = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]
        json.dump({"attrs": attrs, "columns": cols, "rows": rows}, fh, indent=1, allow_nan=False)
        fh.write("\n")
        return
    import csv

    w = csv.writer(fh, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    w.writerow(cols)
    for r in records:
        w.writerow([_cell(r[c]) for c in cols])


def run(args: argparse.Namespace) -> int:
    from ..sites.interactions import interaction_records
    from .summary import _load

    fmt = _format(args)
    out = None
    if args.output != "-":
        from ..io.atomic import check_output_path

        out = check_output_path(args.output, inputs=[] if args.entry == "-" else [args.entry])
    s = _load(args.entry, args.offline)
    records, attrs = interaction_records(
        s, args.ligand, chain=args.chain, res_id=args.res_id, ph=args.ph, pka=args.pka, smiles=args.smiles,
        convention=args.convention,
    )  # fmt: skip
    if out is None:
        write_records(records, attrs, sys.stdout, fmt)
        report = sys.stderr
    else:
        from ..io.atomic import atomic_output

        with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
            write_records(records, attrs, fh, fmt)
        report = sys.stdout
    where = "stdout" if out is None else str(out)
    lig = f"{args.ligand}" + (f" {records[0]['ligand_chain']} {records[0]['ligand_res_id']}" if records else "")
    print(f"{s.entry_id} {lig}: {len(records)} interactions ({fmt}, {where}); "
          f"ligand {attrs['ligand_charge_state']}; convention {args.convention}", file=report)  # fmt: skip
    return 0
