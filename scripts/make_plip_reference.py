"""Run PLIP on 7EU8 and the mirror's complexes and store the interactions as test reference data.

PLIP (Salentin et al. 2015, Nucleic Acids Res 43:W443, doi:10.1093/nar/gkv315;
Adasme et al. 2021, Nucleic Acids Res 49:W530, doi:10.1093/nar/gkab294) is
GPL-licensed and a test-only reference tool: it is never imported by
``toolkit``. Install it with ``pip install -e .[reference]`` (plip,
openbabel-wheel).

PLIP reads PDB format, so the mirror's ``7eu8.pdb.gz`` is decompressed to a
temporary folder. The output, ``tests/data/plip_7eu8_jc9.json``, lists every
interaction PLIP reports for JC9 (type, residue, chain, distances, angles)
with the PLIP version and the date.

A second output, ``tests/data/plip_complexes.json``, holds every binding site
PLIP's default ``analyze()`` reports (PLIP's own ligand selection: its
artefact filter, composite ligands, no modified residues) for 7EU8 and for
every entry of ``complexes/`` (see ``complexes/PROVENANCE.md``), with the
ligand members and each interaction's partner residue. Metal complexes keep
the target's location (protein, ligand or water); water bridges the water.
Nothing is filtered here: hard cases stay in the reference.

Run: ``python scripts/make_plip_reference.py [--mirror ../shared/structures] [--out tests/data/plip_7eu8_jc9.json]
[--complexes-out tests/data/plip_complexes.json]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# PLIP interaction list -> our type name (toolkit.sites.INTERACTION_TYPES)
PLIP_TYPES = {
    "hydrophobic_contacts": "hydrophobic",
    "hbonds_ldon": "hbond",
    "hbonds_pdon": "hbond",
    "saltbridge_lneg": "salt_bridge",
    "saltbridge_pneg": "salt_bridge",
    "pistacking": "pi_stacking",
    "pication_laro": "cation_pi",
    "pication_paro": "cation_pi",
    "halogen_bonds": "halogen",
    "water_bridges": "water_bridge",
    "metal_complexes": "metal_complex",
}


def _num(x: Any) -> float | None:
    try:
        return round(float(x), 3)
    except (TypeError, ValueError):
        return None


def run_plip(pdb_path: Path, ligand_key: str) -> list[dict[str, Any]]:
    """PLIP interactions of one ligand (key ``CODE:CHAIN:NUMBER``) in a PDB file."""
    from plip.structure.preparation import PDBComplex

    cx = PDBComplex()
    cx.load_pdb(str(pdb_path))
    cx.analyze()
    if ligand_key not in cx.interaction_sets:
        raise SystemExit(f"PLIP found no ligand {ligand_key}; it found {sorted(cx.interaction_sets)}")
    site = cx.interaction_sets[ligand_key]
    out = []
    for attr, kind in PLIP_TYPES.items():
        for it in getattr(site, attr, []) or []:
            rec: dict[str, Any] = {
                "plip_list": attr,
                "type": kind,
                "res_name": str(it.restype),
                "res_id": int(it.resnr),
                "chain": str(it.reschain),
            }
            for field in ("distance", "distance_ad", "distance_ah", "angle", "offset", "don_angle", "acc_angle"):
                if hasattr(it, field):
                    rec[field] = _num(getattr(it, field))
            for field in ("sidechain", "protisdon", "protcharged", "type"):
                if hasattr(it, field) and field != "type":
                    rec[field] = bool(getattr(it, field))
            if attr == "pistacking":
                rec["stacking_type"] = str(it.type)
            out.append(rec)
    out.sort(key=lambda r: (r["type"], r["chain"], r["res_id"], r.get("distance") or r.get("distance_ad") or 0))
    return out


def site_records(site: Any) -> list[dict[str, Any]]:
    """Every interaction of one PLIP binding site (type, partner residue, geometry)."""
    out = []
    for attr, kind in PLIP_TYPES.items():
        for it in getattr(site, attr, []) or []:
            rec: dict[str, Any] = {
                "plip_list": attr, "type": kind, "res_name": str(it.restype), "res_id": int(it.resnr),
                "chain": str(it.reschain),
            }  # fmt: skip
            for field in ("distance", "distance_ad", "distance_ah", "distance_aw", "distance_dw", "angle", "offset",
                          "d_angle", "w_angle", "rms"):  # fmt: skip
                if hasattr(it, field):
                    rec[field] = _num(getattr(it, field))
            for field in ("sidechain", "protisdon", "protcharged"):
                if hasattr(it, field):
                    rec[field] = bool(getattr(it, field))
            if attr == "pistacking":
                rec["stacking_type"] = str(it.type)
            if attr == "water_bridges":
                rec["water_res_id"] = int(it.water.OBAtom.GetResidue().GetNum())
            if attr == "metal_complexes":
                rec.update(location=str(it.location), geometry=str(it.geometry), coordination=str(it.coordination_num),
                           metal=str(it.metal_type), target_type=str(it.target_type))  # fmt: skip
            if attr in ("saltbridge_lneg", "saltbridge_pneg"):
                grp = it.negative if attr == "saltbridge_lneg" else it.positive
                rec["ligand_group"] = str(grp.fgroup)
            out.append(rec)
    out.sort(key=lambda r: (r["type"], r["chain"], r["res_id"], r.get("distance") or r.get("distance_ad") or 0))
    return out


def run_plip_all(pdb_path: Path) -> list[dict[str, Any]]:
    """PLIP's default analysis of every ligand it selects in a PDB file."""
    from plip.structure.preparation import PDBComplex

    cx = PDBComplex()
    cx.load_pdb(str(pdb_path))
    cx.analyze()
    sites = []
    for key, site in sorted(cx.interaction_sets.items()):
        lig = site.ligand
        sites.append({
            "key": key, "hetid": str(lig.hetid), "chain": str(lig.chain), "position": int(lig.position),
            "type": str(lig.type), "members": [[str(m[0]), str(m[1]), int(m[2])] for m in lig.members],
            "interactions": site_records(site),
        })  # fmt: skip
    return sites


def complexes_reference(mirror: Path) -> dict[str, Any]:
    """PLIP sites of 7EU8 and of every file in ``complexes/`` (decompressed to a temporary folder)."""
    files = [mirror / "7eu8.pdb.gz", *sorted((mirror / "complexes").glob("*.pdb.gz"))]
    tmp = Path(tempfile.mkdtemp(prefix="plip_cx_"))
    entries = {}
    try:
        for src in files:
            name = src.name[: -len(".pdb.gz")]
            pdb = tmp / f"{name}.pdb"
            with gzip.open(src, "rb") as fin, open(pdb, "wb") as fout:
                shutil.copyfileobj(fin, fout)
            entries[name] = run_plip_all(pdb)
            print(f"{name}: {len(entries[name])} sites, {sum(len(x['interactions']) for x in entries[name])} interactions")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return entries


def main(argv: list[str] | None = None) -> None:
    import plip

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mirror", default=os.environ.get("NMDA_TOOLKIT_MIRROR", str(ROOT.parent / "shared" / "structures")))
    p.add_argument("--out", default=str(ROOT / "tests" / "data" / "plip_7eu8_jc9.json"))
    p.add_argument("--complexes-out", default=str(ROOT / "tests" / "data" / "plip_complexes.json"))
    p.add_argument("--only-complexes", action="store_true", help="write only the complexes reference")
    args = p.parse_args(argv)
    version = getattr(plip, "__version__", None)
    if version is None:
        from importlib.metadata import version as _v

        version = _v("plip")
    if args.complexes_out:
        doc = {
            "tool": "PLIP", "plip_version": version, "date": _dt.date.today().isoformat(),
            "citation": "Salentin et al. 2015 NAR 43:W443 doi:10.1093/nar/gkv315; Adasme et al. 2021 NAR 49:W530 "
            "doi:10.1093/nar/gkab294",
            "settings": "PLIP defaults (plip.basic.config): analyze() of every ligand PLIP selects; hydrogens added "
            "by OpenBabel",
            "source_files": "mirror 7eu8.pdb.gz and complexes/*.pdb.gz (see PROVENANCE.md)",
            "entries": complexes_reference(Path(args.mirror)),
        }  # fmt: skip
        Path(args.complexes_out).write_text(json.dumps(doc, indent=0) + "\n")
        print(f"wrote {args.complexes_out}")
    if args.only_complexes:
        return
    src = Path(args.mirror) / "7eu8.pdb.gz"
    tmp = Path(tempfile.mkdtemp(prefix="plip_7eu8_"))
    try:
        pdb = tmp / "7eu8.pdb"
        with gzip.open(src, "rb") as fin, open(pdb, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        records = run_plip(pdb, "JC9:B:903")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    doc = {
        "entry": "7EU8",
        "ligand": "JC9",
        "ligand_chain": "B",
        "ligand_res_id": 903,
        "source_file": "7eu8.pdb.gz (mirror; see PROVENANCE.md)",
        "tool": "PLIP",
        "plip_version": version,
        "date": _dt.date.today().isoformat(),
        "citation": "Salentin et al. 2015 NAR 43:W443 doi:10.1093/nar/gkv315; Adasme et al. 2021 NAR 49:W530 "
        "doi:10.1093/nar/gkab294",
        "settings": "PLIP defaults (plip.basic.config), hydrogens added by OpenBabel",
        "interactions": records,
    }
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {len(records)} interactions to {args.out}")


if __name__ == "__main__":
    main()
