"""``nmda-toolkit catalog``: the curated NMDA receptor entry catalogue."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "catalog",
        help="list the curated NMDA receptor PDB entries",
        description="The curated NMDA receptor entries. The table fits the terminal ($COLUMNS; 100 "
        "characters when not a terminal); '-' marks a value not recorded in the catalogue (e.g. a "
        "resolution not verified offline). --csv prints every column, empty cells for missing values.",
    )
    p.add_argument("--csv", action="store_true", help="print CSV (all columns)")
    p.add_argument("--width", type=int, default=None, help="table width in characters (default: terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..catalog import list_entries
    from ..errors import InvalidParameter
    from ._table import format_table

    df = list_entries()
    if args.csv:
        print(df.to_csv(index=False), end="")
        return 0
    if args.width is not None and not 40 <= args.width <= 1000:
        raise InvalidParameter(f"--width must be between 40 and 1000, got {args.width}")
    columns = [("pdb_id", "entry"), ("subunits", "subunits"), ("method", "method"),
               ("resolution_A", "res. (Å)"), ("ligand_codes", "ligands (CCD)"), ("verification", "verified")]  # fmt: skip
    rows = df.to_dict("records")
    for r in rows:
        r["ligand_codes"] = (r.get("ligand_codes") or "").replace(";", " ")
    print(format_table(rows, columns, width=args.width))
    print("'-': not recorded in the catalogue; details: nmda-toolkit catalog --csv")
    return 0
