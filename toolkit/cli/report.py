"""``nmda-toolkit report``: an offline HTML report of any entry (default 7EU8, every drug-like ligand)."""

from __future__ import annotations

import argparse

_DESCRIPTION = """\
Write one offline HTML report of an NMDA receptor entry into a folder: the 3D site
view (embedded), every drug-like ligand found with its site residues, typed
interactions (table, 2D diagram, interactive network), the pore residues of the
literature against what was computed, the site across GluN1/GluN2A/GluN2B with a
second entry superposed on the TMD, candidate lateral pockets, a ligand set, PyMOL
and ChimeraX session scripts and the tables as CSV. An entry without a drug-like
ligand gets a pocket-only report. The folder is replaced as a whole at the end.
"""


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown, except empty ones (None, False) whose help says what happens."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False:
            return action.help or ""
        return super()._get_help_string(action)


def _n_jobs(text: str) -> int:
    from .._jobs import resolve_n_jobs
    from ..errors import InvalidParameter

    try:
        return resolve_n_jobs(int(text), name="--n-jobs")
    except (ValueError, InvalidParameter) as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: a positive number of processes, or -1 for all cores ({exc})") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="offline HTML report: 3D site, interactions, literature, pockets, ligand set",
        description=_DESCRIPTION, formatter_class=_Formatter,
    )  # fmt: skip
    p.add_argument("--entry", default="7EU8", metavar="ENTRY", help="PDB ID or structure file")
    p.add_argument("--ligand", default=None, metavar="CODE", help="CCD code of the ligand to report (default: every drug-like ligand)")
    p.add_argument("--compare", default="auto", metavar="ENTRY",
                   help="second entry superposed on the TMD for the pore-site comparison; 'auto': the other GluN2 "
                        "subunit from the catalogue, for GluN1-GluN2A/2B entries only; 'none' for no comparison")  # fmt: skip
    p.add_argument("--ligands", default=None, metavar="FILE", help="ligand file (SMILES/CSV/SDF) profiled instead of the curated panel")
    p.add_argument("--smiles-column", default="smiles", metavar="NAME", help="SMILES column of a CSV ligand file")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (replaced as a whole)")
    p.add_argument("--no-pockets", action="store_true", help="skip the membrane placement and the candidate lateral pocket search")
    p.add_argument("--dock", action="store_true",
                   help="add a docking section (slow: Vina at low exhaustiveness; needs the docking extra)")
    p.add_argument("--png", choices=["auto", "yes", "no"], default="auto", help="static PNG of the 3D view (needs Chromium)")
    p.add_argument("--ph", type=float, default=7.4, help="pH of the protonation rules")
    p.add_argument("--cutoff", type=float, default=4.5, help="site-residue cutoff in Å")
    p.add_argument("--n-jobs", type=_n_jobs, default=-1, metavar="N",
                   help="cores to use (positive, or -1 for every usable core): above 1 the pocket analysis runs in a "
                        "worker process beside the rest of the report")  # fmt: skip
    p.add_argument("--timings", action="store_true", help="print the wall time of each step")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report import build_report

    png = {"auto": None, "yes": True, "no": False}[args.png]
    compare = None if str(args.compare).lower() in ("", "none", "no") else args.compare
    index, data = build_report(
        args.out, args.entry, args.ligand, compare_entry=compare, pockets=not args.no_pockets,
        ligands_file=args.ligands, smiles_column=args.smiles_column, png=png, ph=args.ph, cutoff=args.cutoff,
        n_jobs=args.n_jobs, return_data=True, dock=args.dock,
    )  # fmt: skip
    sm = data.summary
    print(f"report of {sm['entry']} written: {index}  ({sm['seconds']} s)")
    if sm["ligands"]:
        for tag in sm["ligands"]:
            print(f"  ligand {tag}: {sm['site_residues'][tag]} site residues, {sm['interactions'][tag]} typed interactions")
    else:
        print("  no drug-like ligand: pocket-only report")
    if sm["pockets"]:
        print(f"  pockets: {sm['pockets']} ({'membrane-facing candidates' if sm['pocket_kind'] == 'lateral' else 'all'})")
    if sm["compared_with"]:
        rmsd = f", TMD Cα RMSD {sm['rmsd']} Å" if sm["rmsd"] is not None else ""
        print(f"  compared with {sm['compared_with']}{rmsd} (compare.html)")
    print(f"  static picture: {'site.png' if sm['picture'] else 'none'}; sessions: session.pml, session.cxc")
    if getattr(args, "timings", False):
        cpu, ccpu = sm["stages_cpu"], sm["concurrent_cpu"]
        print(f"  timings, in order ({'wall s':>7} {'CPU s':>7}):")
        for name, sec in sm["stages"].items():
            print(f"    {name:<42} {sec:7.2f} {cpu.get(name, float('nan')):7.2f}")
        print("  concurrent with the above (pocket worker process, Chromium):")
        for name, sec in sm["concurrent"].items():
            print(f"    {name:<42} {sec:7.2f} " + (f"{ccpu[name]:7.2f}" if name in ccpu else "      -"))
    n = len(data.notes) + sum(len(sec.notes) for sec in data.sections)
    if n:
        print(f"  {n} notes (see the end of index.html)")
    return 0
