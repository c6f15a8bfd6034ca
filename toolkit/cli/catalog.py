"""``nmda-toolkit catalog``: the curated NMDA receptor entry catalogue."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalog", help="list the curated NMDA receptor PDB entries")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..catalog import list_entries

    df = list_entries()
    if args.csv:
        print(df.to_csv(index=False), end="")
    else:
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            print(df[["pdb_id", "subunits", "method", "resolution_A", "ligands_ccd", "verification"]].to_string(index=False))
    return 0
