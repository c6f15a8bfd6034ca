"""``nmda-toolkit compare INPUT -o OUTPUT``: properties and panel similarity of a molecule library."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="properties, rule flags and similarity to esketamine / the ligand panel for a library",
        description=(
            "Standardise every molecule of INPUT, compute properties, Lipinski/Veber flags, ECFP4 "
            "Tanimoto to esketamine and the nearest panel compound. Every input row gives one output "
            "row with a status (ok, invalid_smiles, empty, too_large, ...); the output is written "
            "atomically and never over the input. In a .smi file, a line whose first non-blank "
            "character is '#' is a comment, not a molecule: it is skipped and counted in the summary. "
            "'-' reads INPUT from stdin (format from --input-format) or writes the output to stdout "
            "(-o -, format from --output-format; the summary then goes to stderr). Exit status: 0 when "
            "at least one row is ok, 3 when the output was written but no row is ok, 1 on an error, "
            "130/143 when interrupted/terminated (no partial output is left). Panel values come from "
            "different assays: never rank across assays."
        ),
    )
    p.add_argument("input", help="a .smi/.txt, .csv/.tsv or .sdf file, the word 'panel', or - for stdin")
    p.add_argument("-o", "--output", required=True, help="output file: .csv, .parquet or .sdf; - for stdout")
    p.add_argument("--input-format", choices=("smi", "csv", "tsv", "sdf"), default="smi",
                   help="format of INPUT when it is - (stdin) (default: smi)")  # fmt: skip
    p.add_argument("--output-format", choices=("csv", "sdf"), default="csv",
                   help="format written to stdout with -o - (default: csv)")  # fmt: skip
    p.add_argument("--smiles-column", default="smiles", help="SMILES column of a CSV (default: smiles)")
    p.add_argument("--name-column", default=None, help="name column of a CSV (default: name/id/title if present)")
    p.add_argument("--reference", default=None, help="reference SMILES (default: esketamine from the panel)")
    p.add_argument("--tautomer", choices=("keep", "canonical"), default="keep", help="tautomer policy")
    p.add_argument("--max-heavy-atoms", type=int, default=None, help="too_large above this (default 150)")
    p.add_argument("-j", "--n-jobs", type=int, default=1,
                   help="worker processes; -1: all usable cores; more than the cores are capped (default 1)")  # fmt: skip
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: a local cluster)")
    p.add_argument("--chunk-size", type=int, default=2000, help="rows per task (default 2000)")
    p.add_argument("--progress", action="store_true", help="show a progress bar (rows, total and ETA) on stderr")
    p.set_defaults(func=run)


@contextlib.contextmanager
def _spooled(args: argparse.Namespace) -> Iterator[tuple[str, str, Path | None]]:
    """(input, output, stdout file): '-' replaced by files in a private temporary folder."""
    if args.input != "-" and args.output != "-":
        yield args.input, args.output, None
        return
    with tempfile.TemporaryDirectory(prefix="nmda-toolkit-") as tmp:
        inp = args.input
        if inp == "-":
            inp = str(Path(tmp) / f"stdin.{args.input_format}")
            with open(inp, "wb") as fh:
                shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
        out = args.output
        to_stdout = None
        if out == "-":
            to_stdout = Path(tmp) / f"stdout.{args.output_format}"
            out = str(to_stdout)
        yield inp, out, to_stdout


def run(args: argparse.Namespace) -> int:
    from ..batch import MAX_HEAVY_ATOMS, compare
    from . import EXIT_NO_OK_ROWS

    with _spooled(args) as (inp, out, to_stdout):
        summary = compare(
            inp,
            out,
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
        report = sys.stdout
        if to_stdout is not None:
            with open(to_stdout, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer, 1 << 20)
            sys.stdout.flush()
            report = sys.stderr
        text = str(summary)
        if to_stdout is not None:
            text = text.replace(str(to_stdout), "stdout")
        if args.input == "-":
            text = text.replace(inp, "stdin")
        print(text, file=report)
        if summary.extra.get("comment_lines"):
            print(f"skipped {summary.extra['comment_lines']} comment line(s) ('#'); they are not rows",
                  file=report)  # fmt: skip
        print(f"reference: {summary.reference}", file=report)
    if summary.counts.get("ok", 0) == 0:
        print(f"nmda-toolkit: no row is ok ({summary.n_rows} rows; see the status and message columns)",
              file=sys.stderr)  # fmt: skip
        return EXIT_NO_OK_ROWS
    return 0
