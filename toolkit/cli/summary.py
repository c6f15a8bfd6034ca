"""``nmda-toolkit summary [ENTRY]``: chains, subunits and ligands of one entry."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "summary",
        help="chain/subunit/ligand summary of a structure (default 7EU8)",
        description="Chains (subunit from the file's UniProt references), and non-polymer components. "
        "Waters are summarised in one line per chain. ENTRY is a PDB ID, a file, or '-' for a "
        "structure file on stdin. A valid PDB ID always means the entry; write ./7EU8 for a file "
        "named 7EU8.",
    )
    p.add_argument("entry", nargs="?", default="7EU8", help="PDB ID, structure file, or - for stdin (default: 7EU8)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--offline", action="store_true", help="never download")
    p.set_defaults(func=run)


def _load(entry: str, offline: bool):
    from ..structure import load_structure

    if entry != "-":
        return load_structure(entry, download=False if offline else None)
    import sys
    import tempfile
    from pathlib import Path

    from ..structure import MAX_FILE_BYTES

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    with tempfile.TemporaryDirectory(prefix="nmda-toolkit-") as tmp:
        path = Path(tmp) / "stdin"
        path.write_bytes(data)
        return load_structure(path)


def _component_rows(ligs) -> list[dict]:
    """Ligand rows, with the waters of each chain folded into one row."""
    rows: list[dict] = []
    waters: dict[str, list[int]] = {}
    for r in ligs.to_dict("records"):
        if r.get("category") == "water":
            waters.setdefault(str(r["chain"]), []).append(int(r["auth_seq_id"]))
            continue
        rows.append(r)
    for chain, ids in waters.items():
        rows.append({"ccd_code": "HOH", "name": f"WATER x{len(ids)}", "category": "water", "chain": chain,
                     "auth_seq_id": f"{min(ids)}-{max(ids)}" if len(ids) > 1 else ids[0],
                     "n_heavy_atoms": len(ids)})  # fmt: skip
    return rows


def run(args: argparse.Namespace) -> int:
    from ._table import format_table

    s = _load(args.entry, args.offline)
    info = s.summary()
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(f"{info['entry']}: {info['title']}")
    print(f"method: {info['method']}; resolution: {info['resolution_A']} Å; doi: {info['doi']}")
    source = "stdin" if args.entry == "-" else s.source
    print(f"source: {source}; {info['n_atoms']} atoms\n")
    print("Chains (subunit from the file's UniProt references, never from the chain letter):")
    chains = s.chains()
    cols = [(c, c) for c in ("chain", "subunit", "uniprot_acc", "uniprot_id", "species", "n_residues",
                             "first_res", "last_res", "numbering_check")]  # fmt: skip
    print(format_table(chains.to_dict("records"), cols))
    ligs = s.ligands()
    print("\nNon-polymer components:")
    if ligs.empty:
        print("  none")
        return 0
    cols = [("ccd_code", "ccd_code"), ("name", "name"), ("category", "category"), ("chain", "chain"),
            ("auth_seq_id", "auth_seq_id"), ("n_heavy_atoms", "heavy atoms")]  # fmt: skip
    print(format_table(_component_rows(ligs), cols))
    main = ligs[ligs["category"] == "ligand"]
    names = ", ".join(f"{r.ccd_code} ({r.name}) chain {r.chain} {r.auth_seq_id}" for r in main.itertuples())
    print(f"\nLigand(s) of interest: {names or 'none (only glycans, ions, water, additives)'}")
    return 0
