"""Pose analysis: site residues and typed interactions (the toolkit's engine), RMSD, PoseBusters.

* :func:`complex_structure` builds a :class:`~toolkit.model.Structure` of
  the receptor's atoms plus the poses (one residue ``UNL`` per pose, chain
  ``"~"``, residue number = pose number), with the source entry's
  metadata, so residues keep their subunit names and UniProt numbers.
* :func:`pose_contacts` runs :func:`toolkit.sites.interactions` and
  :func:`toolkit.sites.site_residues` on it for every pose (heavy atoms;
  PLIP thresholds; the pose's protonation state is the prepared one).
* :func:`symmetry_rmsd` is spyrmsd's symmetry-corrected RMSD (Meli &
  Biggin 2020, doi:10.1186/s13321-020-00455-2) on heavy atoms, without
  superposition (poses and reference share the receptor frame).
* :func:`posebusters_flags` runs PoseBusters' ``dock`` checks (Buttenschoen,
  Morris & Deane 2024, doi:10.1039/D3SC04185A) against the receptor.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

import numpy as np

from ._extra import require

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure
    from .engine import DockingResult
    from .receptor import Receptor

__all__ = [
    "POSE_CODE", "POSE_CHAIN", "complex_structure", "pose_contacts", "symmetry_rmsd", "contact_recall",
    "posebusters_flags", "CONTACT_CUTOFF",
]  # fmt: skip

#: Residue name and chain of docked poses in :func:`complex_structure`.
POSE_CODE = "UNL"
POSE_CHAIN = "~"
#: Heavy-atom contact distance (Å) of site residues (the toolkit's default, :func:`toolkit.site_residues`).
CONTACT_CUTOFF = 4.5
#: Receptor residues with an atom within this distance (Å) of a pose are given to PoseBusters
#: (its clash, distance and volume-overlap checks look at atoms within a few Å).
PB_CROP = 10.0


def complex_structure(receptor: Receptor, mols: list[Any]) -> Structure:
    """Receptor heavy atoms + pose heavy atoms as one :class:`~toolkit.model.Structure`.

    Pose ``k`` (1-based) is residue ``UNL`` chain ``"~"`` number ``k``; atom
    names are element + index (``C1``, ``N2``, ...).
    """
    from ..model import Structure

    s = receptor.structure
    idx = receptor.atom_index
    atoms = {k: v[idx] for k, v in s.atoms.items()}
    n_add = 0
    add: dict[str, list[Any]] = {k: [] for k in atoms}
    for k, m in enumerate(mols, start=1):
        xyz = m.GetConformer().GetPositions()
        for at in m.GetAtoms():
            if at.GetAtomicNum() == 1:
                continue
            i = at.GetIdx()
            vals = {
                "coord": xyz[i], "element": at.GetSymbol().upper(), "atom_name": f"{at.GetSymbol().upper()}{i + 1}"[:4],
                "res_name": POSE_CODE, "chain_id": POSE_CHAIN, "res_id": k, "hetero": True,
                "label_asym": POSE_CHAIN, "entity_id": "docked", "charge": at.GetFormalCharge(), "occupancy": 1.0,
            }  # fmt: skip
            for key, arr in atoms.items():
                if key in vals:
                    add[key].append(vals[key])
                elif arr.dtype.kind in "iuf":
                    add[key].append(-1 if key == "label_seq" else 0)
                elif arr.dtype.kind == "b":
                    add[key].append(False)
                else:
                    add[key].append("")
            n_add += 1
    out = {}
    for key, arr in atoms.items():
        if n_add:
            extra = np.asarray(add[key], dtype=arr.dtype).reshape((n_add, *arr.shape[1:]))
            out[key] = np.concatenate([arr, extra])
        else:
            out[key] = arr.copy()
    meta = dict(s.meta)
    ents = dict(meta.get("entities", {}))
    ents["docked"] = {"type": "non-polymer", "description": "docked poses"}
    meta["entities"] = ents
    return Structure(s.entry_id, out, meta, source=f"docking complex of {s.entry_id}")


def _pose_mol(cx: Structure, mol: Any, k: int) -> Any:
    """The pose's heavy atoms with ``atom_name``/``atom_index`` props pointing into the complex."""
    from rdkit import Chem

    heavy = Chem.RemoveHs(mol, sanitize=False)
    heavy.UpdatePropertyCache(strict=False)
    idx = cx.ligand_atoms(POSE_CODE, chain=POSE_CHAIN, res_id=k)
    names = [str(x) for x in cx.atoms["atom_name"][idx]]
    # heavy atoms were appended in molecule order
    for at, gi, nm in zip(heavy.GetAtoms(), idx.tolist(), names):
        at.SetIntProp("atom_index", int(gi))
        at.SetProp("atom_name", nm)
    Chem.FastFindRings(heavy)
    return heavy


def pose_contacts(result: DockingResult, *, cutoff: float = CONTACT_CUTOFF, poses: int | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Site residues and typed interactions of every pose (or the first ``poses``).

    Returns
    -------
    (site, interactions) : tuple of pandas.DataFrame
        :data:`toolkit.sites.SITE_COLUMNS` and
        :data:`toolkit.sites.INTERACTION_COLUMNS` tables with two extra
        columns in front: ``pose`` (1-based) and ``name`` (the docked
        ligand's name); ``ligand``/``ligand_chain``/``ligand_res_id`` are
        ``UNL``/``"~"``/pose in :func:`complex_structure`.

    Raises
    ------
    InvalidParameter
        ``result`` is not a :class:`DockingResult`, or a bad ``cutoff`` (Å,
        0.1-20) or ``poses`` (1-100).
    """
    import warnings

    import pandas as pd

    from .._checks import check_int, check_number, check_optional
    from ..errors import EmptySiteWarning, InvalidParameter
    from ..sites import interactions, site_residues
    from .engine import DockingResult

    cutoff = check_number(cutoff, "cutoff (Å)", 0.1, 20)
    poses = check_optional(check_int, poses, "poses", 1, 100)
    if not isinstance(result, DockingResult):
        raise InvalidParameter(f"result must be a DockingResult (from toolkit.docking.dock), got {type(result).__name__}")

    mols = result.mols[: poses or len(result.mols)]
    cx = complex_structure(result.receptor, mols)
    sites, inters = [], []
    for k, m in enumerate(mols, start=1):
        pm = _pose_mol(cx, m, k)
        it = interactions(cx, POSE_CODE, chain=POSE_CHAIN, res_id=k, mol=pm)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EmptySiteWarning)
            st = site_residues(cx, POSE_CODE, chain=POSE_CHAIN, res_id=k, cutoff=cutoff, interaction_table=it)
        for df in (st, it):
            df.insert(0, "name", result.ligand.name)
            df.insert(0, "pose", k)
        sites.append(st)
        inters.append(it)
    return pd.concat(sites, ignore_index=True), pd.concat(inters, ignore_index=True)


def _heavy_graph(mol: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from rdkit import Chem

    m = Chem.RemoveHs(mol, sanitize=False)
    xyz = m.GetConformer().GetPositions()
    z = np.array([a.GetAtomicNum() for a in m.GetAtoms()])
    return xyz, z, Chem.GetAdjacencyMatrix(m)


def symmetry_rmsd(mol: Any, reference: Any) -> float:
    """Symmetry-corrected heavy-atom RMSD (Å) between a pose and a reference, in place (no fitting).

    Charges and bond orders do not enter (graph of heavy atoms and their
    elements), so a protonated pose compares with a neutral CCD reference.

    >>> from rdkit import Chem
    >>> from rdkit.Chem import AllChem
    >>> m = Chem.AddHs(Chem.MolFromSmiles("c1ccccc1O"))
    >>> AllChem.EmbedMolecule(m, randomSeed=1)
    0
    >>> round(symmetry_rmsd(m, m), 3)  # doctest: +SKIP
    0.0
    """
    (spy,) = require("spyrmsd", what="symmetry-aware RMSD")
    from spyrmsd import rmsd as sr

    del spy
    c1, z1, a1 = _heavy_graph(mol)
    c0, z0, a0 = _heavy_graph(reference)
    if sorted(z1.tolist()) != sorted(z0.tolist()):
        from ..errors import InvalidParameter

        raise InvalidParameter("pose and reference have different heavy atoms; RMSD is undefined")
    return float(sr.symmrmsd(c0, c1, z0, z1, a0, a1))


def contact_recall(found: Any, reference: Any) -> float:
    """Fraction of the reference contact residues (labels) also found (NaN when the reference is empty).

    >>> contact_recall(["GluN1 V644", "GluN2B L643"], ["GluN2B L643", "GluN2B T647"])
    0.5
    """
    ref = set(reference)
    if not ref:
        return float("nan")
    return len(ref & set(found)) / len(ref)


def posebusters_flags(result: DockingResult, *, poses: int | None = None) -> list[str]:
    """PoseBusters ``dock`` checks per pose: the ';'-joined names of failed checks ('' = all pass).

    The receptor residues within :data:`PB_CROP` Å of the poses are written as
    PDB (heavy atoms) for PoseBusters' protein checks (clashes, volume
    overlap, minimum distance).
    """
    (pb,) = require("posebusters", what="PoseBusters checks")
    import logging

    from ..io.write import single_char_chain_map, to_pdb_string

    logging.getLogger("posebusters").setLevel(logging.ERROR)
    mols = result.mols[: poses or len(result.mols)]
    s = result.receptor.structure
    # PoseBusters' protein checks are local: whole residues within CROP Å of any pose atom suffice
    idx = result.receptor.atom_index
    xyz = np.vstack([m.GetConformer().GetPositions() for m in mols])
    near = np.unique(np.concatenate([np.asarray(j, dtype=np.int64) for j in
                                     result.receptor.tree().query_ball_point(xyz, PB_CROP)] + [np.zeros(0, np.int64)]))  # fmt: skip
    res = np.unique(s.residue_index[idx[near]])
    mask = np.zeros(s.n_atoms, dtype=bool)
    mask[idx[np.isin(s.residue_index[idx], res)]] = True
    pdb = to_pdb_string(s, mask, chain_map=single_char_chain_map(np.unique(s.atoms["chain_id"][mask]).tolist()))
    fd, path = tempfile.mkstemp(suffix=".pdb", prefix="nmda_pb_")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(pdb)
        buster = pb.PoseBusters(config="dock")
        df = buster.bust(mols, None, path, full_report=False)
    finally:
        os.unlink(path)
    out = []
    for _, row in df.reset_index(drop=True).iterrows():
        failed = [str(k) for k, v in row.items() if isinstance(v, (bool, np.bool_)) and not bool(v)]
        out.append(";".join(failed))
    return out
