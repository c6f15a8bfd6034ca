"""``nmda-toolkit compare INPUT -o OUTPUT``: properties and panel similarity of a molecule library."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="properties, rule flags and similarity to esketamine / the ligand panel for a library",
        description=(
            "Standardise every molecule of INPUT, compute properties, Lipinski/Veber flags, ECFP4 "
            "Tanimoto to esketamine and the nearest panel compound. Every input row gives one output "
            "row with a status (ok, invalid_smiles, empty, too_large, ...); the output is written "
            "atomically. Panel values come from different assays: never rank across assays."
        ),
    )
    p.add_argument("input", help="a .smi/.txt, .csv/.tsv or .sdf file, or the word 'panel'")
    p.add_argument("-o", "--output", required=True, help="output file: .csv, .parquet or .sdf")
    p.add_argument("--smiles-column", default="smiles", help="SMILES column of a CSV (default: smiles)")
    p.add_argument("--name-column", default=None, help="name column of a CSV (default: name/id/title if present)")
    p.add_argument("--reference", default=None, help="reference SMILES (default: esketamine from the panel)")
    p.add_argument("--tautomer", choices=("keep", "canonical"), default="keep", help="tautomer policy")
    p.add_argument("--max-heavy-atoms", type=int, default=None, help="too_large above this (default 150)")
    p.add_argument("-j", "--n-jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: a local cluster)")
    p.add_argument("--chunk-size", type=int, default=2000, help="rows per task (default 2000)")
    p.add_argument("--progress", action="store_true", help="show a progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import MAX_HEAVY_ATOMS, compare

    summary = compare(
        args.input,
        args.output,
        smiles_column=args.smiles_column,
        name_column=args.name_column,
        reference=args.reference,
        tautomer=args.tautomer,
        max_heavy_atoms=MAX_HEAVY_ATOMS if args.max_heavy_atoms is None else args.max_heavy_atoms,
        n_jobs=args.n_jobs,
        progress=args.progress,
        engine=args.engine,
        scheduler=args.scheduler,
        chunk_size=args.chunk_size,
    )
    print(summary)
    print(f"reference: {summary.reference}")
    return 0
