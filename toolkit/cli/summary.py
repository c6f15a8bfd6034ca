"""``nmda-toolkit summary [ENTRY]``: chains, subunits and ligands of one entry."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="chain/subunit/ligand summary of a structure (default 7EU8)")
    p.add_argument("entry", nargs="?", default="7EU8", help="PDB ID or structure file (default: 7EU8)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--offline", action="store_true", help="never download")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..structure import load_structure

    s = load_structure(args.entry, download=False if args.offline else None)
    info = s.summary()
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(f"{info['entry']}: {info['title']}")
        print(f"method: {info['method']}; resolution: {info['resolution_A']} Å; doi: {info['doi']}")
        print(f"source: {s.source}; {info['n_atoms']} atoms\n")
        print("Chains (subunit from the file's UniProt references, never from the chain letter):")
        chains = s.chains()[["chain", "subunit", "uniprot_acc", "uniprot_id", "species", "n_residues",
                             "first_res", "last_res", "numbering_check"]]  # fmt: skip
        print(chains.to_string(index=False))
        ligs = s.ligands()
        print("\nNon-polymer components:")
        if ligs.empty:
            print("  none")
        else:
            print(ligs[["ccd_code", "name", "category", "chain", "auth_seq_id", "n_heavy_atoms"]].to_string(index=False))
            main = ligs[ligs["category"] == "ligand"]
            names = ", ".join(f"{r.ccd_code} ({r.name}) chain {r.chain} {r.auth_seq_id}" for r in main.itertuples())
            print(f"\nLigand(s) of interest: {names or 'none (only glycans, ions, water, additives)'}")
    return 0
