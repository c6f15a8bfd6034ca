"""``nmda-toolkit report``: an offline HTML report of a ligand-bound entry (default 7EU8 + JC9)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="offline HTML report: 3D site, interactions, pockets, ligand panel")
    p.add_argument("--entry", default="7EU8", help="PDB ID or structure file (default: 7EU8)")
    p.add_argument("--ligand", default="JC9", help="CCD code of the ligand (default: JC9, S-ketamine)")
    p.add_argument("--compare", default="7EOS", help="second entry, superposed on the TMD, and the pore-site comparison ('' for none)")
    p.add_argument("--ligands", default=None, help="ligand file (SMILES/CSV/SDF) profiled instead of the panel")
    p.add_argument("--smiles-column", default="smiles", help="SMILES column of a CSV ligand file")
    p.add_argument("--out", default="reports", help="output folder (default: ./reports, git-ignored)")
    p.add_argument("--no-pockets", action="store_true", help="skip the candidate lateral pocket search")
    p.add_argument("--png", choices=["auto", "yes", "no"], default="auto", help="static PNG of the 3D view")
    p.add_argument("--n-jobs", type=int, default=1, help="processes for the pocket search")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report import build_report

    png = {"auto": None, "yes": True, "no": False}[args.png]
    index = build_report(
        args.out, args.entry, args.ligand, compare_entry=args.compare or None, pockets=not args.no_pockets,
        ligands_file=args.ligands, smiles_column=args.smiles_column,
        png=png, n_jobs=args.n_jobs,
    )  # fmt: skip
    print(f"report written: {index}")
    return 0
