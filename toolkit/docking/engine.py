"""Docking with AutoDock Vina 1.2 and reading the poses back as RDKit molecules.

Settings and their sources
--------------------------
* Scoring function ``vina`` (Trott & Olson 2010, doi:10.1002/jcc.21334;
  Vina 1.2: Eberhardt et al. 2021, doi:10.1021/acs.jcim.1c00203).
* :data:`EXHAUSTIVENESS` = 8: Vina's default number of independent Monte
  Carlo searches; :data:`N_POSES` = 9 poses kept (Vina's default),
  :data:`ENERGY_RANGE` = 3 kcal/mol above the best pose (Vina's default),
  :data:`MIN_RMSD` = 1 Å between returned poses (Vina's default).
* Every run takes an explicit ``seed`` (default :data:`SEED`); Vina is
  deterministic for a given seed, receptor, ligand, box and ``cpu``.
  ``cpu=1`` by default: parallelism comes from running ligands side by
  side (``n_jobs``), which also keeps each run reproducible.

Poses are read back with meeko (``PDBQTMolecule`` + ``RDKitMolCreate``):
bond orders, charges and hydrogens are the prepared ligand's, not guessed
from coordinates.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DockingError, InvalidParameter
from ._extra import require
from .box import Box, validate_box

if TYPE_CHECKING:
    import pandas as pd

    from .ligand import PreparedLigand
    from .receptor import Receptor

__all__ = [
    "DockingResult", "dock", "POSE_COLUMNS", "EXHAUSTIVENESS", "N_POSES", "ENERGY_RANGE", "MIN_RMSD", "SEED",
    "pose_centroid", "dock_states", "pool_states", "run_vina",
]  # fmt: skip

EXHAUSTIVENESS = 8
N_POSES = 9
ENERGY_RANGE = 3.0
MIN_RMSD = 1.0
SEED = 1

#: Columns of :attr:`DockingResult.poses` (one row per pose, best first).
POSE_COLUMNS = [
    "ligand", "state", "ph", "site", "seed", "pose", "score", "inter", "intra",
    "centroid_x", "centroid_y", "centroid_z", "centroid_shift", "conformer",
]  # fmt: skip


@dataclass(eq=False)
class DockingResult:
    """Poses of one ligand in one box.

    Attributes
    ----------
    ligand : PreparedLigand
    receptor : Receptor
    box : Box
    site : str
        Name of the site (``"pore"``, ``"lateral 1"``, ...).
    mols : list of rdkit.Chem.Mol
        One molecule per pose, best first, hydrogens included, bond orders
        of the prepared ligand; property ``score`` (kcal/mol).
    poses : pandas.DataFrame
        :data:`POSE_COLUMNS`; ``centroid_shift`` is each pose's heavy-atom
        centroid distance from the top pose (Å); ``conformer`` the ring
        conformation (1-based, :attr:`PreparedLigand.conformers`) it was docked from.
    settings : dict
        Seed, exhaustiveness, number of poses, energy range, cpu, Vina version.
    seconds : float
        Wall time of the Vina search (maps + docking).
    """

    ligand: PreparedLigand
    receptor: Receptor
    box: Box
    site: str
    mols: list[Any]
    poses: pd.DataFrame
    settings: dict[str, Any]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def best_score(self) -> float:
        return float(self.poses["score"].iloc[0])

    @property
    def pose_spread(self) -> float:
        """Median heavy-atom centroid distance (Å) of the other poses from the top pose (0 for one pose)."""
        s = self.poses["centroid_shift"].iloc[1:]
        return float(s.median()) if len(s) else 0.0

    def __repr__(self) -> str:
        return (f"<DockingResult {self.ligand.name} in {self.site}: {len(self.mols)} poses, best "
                f"{self.best_score:.2f} kcal/mol, seed {self.settings['seed']}>")  # fmt: skip


def pose_centroid(mol: Any) -> np.ndarray:
    """Heavy-atom centroid (Å) of a molecule's first conformer."""
    xyz = mol.GetConformer().GetPositions()
    heavy = np.array([a.GetAtomicNum() > 1 for a in mol.GetAtoms()])
    return xyz[heavy].mean(axis=0)


def _check_int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= int(value) <= hi:
        raise InvalidParameter(f"{name} must be an integer between {lo} and {hi}, got {value!r}")
    return int(value)


def _write_receptor(receptor: Receptor) -> str:
    """The receptor PDBQT in a temporary file (Vina reads receptors from files); the caller deletes it."""
    fd, p = tempfile.mkstemp(prefix="nmda_receptor_", suffix=".pdbqt")
    with os.fdopen(fd, "w") as fh:
        fh.write(receptor.pdbqt)
    return p


def run_vina(receptor_pdbqt_path: str, ligand_pdbqt: str, box: Box, *, seed: int, exhaustiveness: int,
             n_poses: int, energy_range: float = ENERGY_RANGE, min_rmsd: float = MIN_RMSD,
             cpu: int = 1) -> tuple[str, np.ndarray]:  # fmt: skip
    """The bare Vina calls (also the benchmark's baseline): returns (poses PDBQT, energies)."""
    (vina,) = require("vina")
    v = vina.Vina(sf_name="vina", seed=int(seed), cpu=int(cpu), verbosity=0)
    v.set_receptor(receptor_pdbqt_path)
    v.set_ligand_from_string(ligand_pdbqt)
    v.compute_vina_maps(center=list(box.center), box_size=list(box.size))
    v.dock(exhaustiveness=int(exhaustiveness), n_poses=int(n_poses), min_rmsd=float(min_rmsd))
    text = v.poses(n_poses=int(n_poses), energy_range=float(energy_range))
    energies = np.asarray(v.energies(n_poses=int(n_poses), energy_range=float(energy_range)), dtype=float)
    return text, energies


def dock(
    receptor: Receptor,
    ligand: PreparedLigand,
    box: Box,
    *,
    site: str = "site",
    seed: int = SEED,
    exhaustiveness: int = EXHAUSTIVENESS,
    n_poses: int = N_POSES,
    energy_range: float = ENERGY_RANGE,
    cpu: int = 1,
    validate: bool = True,
) -> DockingResult:
    """Dock a prepared ligand into a box of a prepared receptor.

    Every ring conformation of the ligand (:attr:`PreparedLigand.conformers`:
    one by default, the populated ring puckers when prepared with
    ``ring_conformers`` > 1; :mod:`toolkit.docking.ligand`) is docked with
    the same seed and settings, and the poses are pooled by score with
    Vina's own rule (a pose within :data:`MIN_RMSD` of a better one or more
    than ``energy_range`` above the best dropped, at most ``n_poses``).

    Parameters
    ----------
    receptor, ligand, box
        From :func:`prepare_receptor`, :func:`prepare_ligand` and a box function.
    site
        Name written in every output row.
    seed
        Vina's random seed (fixed by default, :data:`SEED`).
    exhaustiveness
        Independent Monte Carlo searches (default 8, Vina's default).
    n_poses, energy_range
        At most ``n_poses`` poses within ``energy_range`` kcal/mol of the best.
    cpu
        Vina threads (default 1).
    validate
        Check the box first (:func:`validate_box`).

    Returns
    -------
    DockingResult

    Raises
    ------
    InvalidBox
        The box is outside the receptor or too large.
    InvalidParameter
        Bad seed/exhaustiveness/n_poses/cpu.
    DockingError
        Vina or the pose conversion failed (message gives the reason).
    MissingExtra
        The ``docking`` extra is not installed.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> res = dock(prepare_receptor(s), prepare_ligand((s, "JC9"), pka=7.5), box_from_ligand(s, "JC9"))  # doctest: +SKIP
    >>> res.poses[["pose", "score"]].head(1)  # doctest: +SKIP
    """
    vina, meeko = require("vina", "meeko")
    seed = _check_int("seed", seed, 0, 2**31 - 1)
    exhaustiveness = _check_int("exhaustiveness", exhaustiveness, 1, 512)
    n_poses = _check_int("n_poses", n_poses, 1, 100)
    cpu = _check_int("cpu", cpu, 1, 256)
    if validate:
        validate_box(box, receptor)
    t0 = time.perf_counter()
    path = _write_receptor(receptor)
    runs = []  # one Vina run per ring conformation (ligand.conformers), same seed and settings
    try:
        for k, (_, pdbqt) in enumerate(ligand.conformers):
            try:
                runs.append(run_vina(path, pdbqt, box, seed=seed, exhaustiveness=exhaustiveness, n_poses=n_poses,
                                     energy_range=energy_range, cpu=cpu))  # fmt: skip
            except (RuntimeError, ValueError, TypeError) as exc:
                raise DockingError(f"Vina failed for {ligand.name} (ring conformer {k + 1}) in {site} ({box}): {exc}"
                                   ) from exc  # fmt: skip
    finally:
        os.unlink(path)
    seconds = time.perf_counter() - t0
    found = []  # (score, conformer, pose, mol, energies)
    for k, (text, energies) in enumerate(runs):
        mols = _read_poses(text, ligand, meeko)[: len(energies)]
        found += [(float(e[0]), k, j, m, e) for j, (m, e) in enumerate(zip(mols, energies))]
    if not found:
        raise DockingError(f"Vina returned no pose for {ligand.name} in {site}")
    found = _merge_conformer_poses(found, n_poses, energy_range) if len(runs) > 1 else found
    import pandas as pd

    cents = np.array([pose_centroid(f[3]) for f in found])
    rows = []
    for k, (score, conf, _, m, e) in enumerate(found):
        m.SetDoubleProp("score", score)
        m.SetProp("state", ligand.state)
        m.SetIntProp("conformer", conf + 1)
        m.SetProp("_Name", f"{ligand.name} pose {k + 1}")
        rows.append({
            "ligand": ligand.name, "state": ligand.state, "ph": ligand.ph, "site": site, "seed": seed,
            "pose": k + 1, "score": score, "inter": float(e[1]), "intra": float(e[2]),
            "centroid_x": cents[k, 0], "centroid_y": cents[k, 1], "centroid_z": cents[k, 2],
            "centroid_shift": float(np.linalg.norm(cents[k] - cents[0])), "conformer": conf + 1,
        })  # fmt: skip
    mols = [f[3] for f in found]
    poses = pd.DataFrame(rows, columns=POSE_COLUMNS)
    settings = {
        "seed": seed, "exhaustiveness": exhaustiveness, "n_poses": n_poses, "energy_range": energy_range,
        "min_rmsd": MIN_RMSD, "cpu": cpu, "scoring": "vina", "vina": getattr(vina, "__version__", "?"),
        "box": str(box), "receptor": receptor.protonation, "protonation": ligand.protonation,
        "ring_conformers": len(ligand.conformers),
    }  # fmt: skip
    return DockingResult(ligand, receptor, box, site, mols, poses, settings, seconds)


def _merge_conformer_poses(found: list[tuple[Any, ...]], n_poses: int, energy_range: float) -> list[tuple[Any, ...]]:
    """Pool the poses of the ring conformers like Vina pools its own: by score, ties by (conformer, pose);
    a pose within :data:`MIN_RMSD` heavy-atom RMSD (same atom order, no superposition: Vina's rule) of a better
    one is dropped, and one more than ``energy_range`` above the best; at most ``n_poses`` kept."""
    found = sorted(found, key=lambda f: (f[0], f[1], f[2]))
    found = [f for f in found if f[0] <= found[0][0] + energy_range]
    kept: list[tuple[Any, ...]] = []
    xyz: list[np.ndarray] = []
    for f in found:
        m = f[3]
        heavy = np.array([a.GetAtomicNum() > 1 for a in m.GetAtoms()])
        p = m.GetConformer().GetPositions()[heavy]
        if any(np.sqrt(((p - q) ** 2).sum(axis=1).mean()) < MIN_RMSD for q in xyz):
            continue
        kept.append(f)
        xyz.append(p)
        if len(kept) >= n_poses:
            break
    return kept


def _read_poses(text: str, ligand: PreparedLigand, meeko: Any) -> list[Any]:
    from rdkit import Chem

    try:
        pmol = meeko.PDBQTMolecule(text, is_dlg=False, skip_typing=True)
        mols = meeko.RDKitMolCreate.from_pdbqt_mol(pmol)
    except Exception as exc:  # meeko raises many kinds
        raise DockingError(f"cannot read the Vina poses of {ligand.name} back: {exc}") from exc
    if not mols or mols[0] is None:
        raise DockingError(f"cannot read the Vina poses of {ligand.name} back (meeko returned nothing)")
    mol = mols[0]
    out = []
    for conf in mol.GetConformers():
        m = Chem.Mol(mol)
        m.RemoveAllConformers()
        m.AddConformer(Chem.Conformer(conf), assignId=True)
        Chem.AssignStereochemistryFrom3D(m)
        out.append(m)
    return out


def dock_states(
    receptor: Receptor,
    ligands: list[PreparedLigand],
    box: Box,
    *,
    site: str = "site",
    seed: int = SEED,
    exhaustiveness: int = EXHAUSTIVENESS,
    n_poses: int = N_POSES,
    energy_range: float = ENERGY_RANGE,
    cpu: int = 1,
    validate: bool = True,
) -> DockingResult:
    """Dock every protonation state of one ligand and pool the poses by score.

    Each state is docked as by :func:`dock` with the same seed and settings;
    the poses of all states (up to ``n_poses`` each) are pooled and sorted
    by Vina score (each row's ``state`` says which state it is). A state
    is never cut from the pool because another state scores better: Vina
    scores of different protonation states are not a reliable ranking of
    the states themselves. ``result.ligand`` is the
    state of the top pose; ``result.extra["states"]`` holds all prepared
    states and ``result.extra["state_best"]`` the best score of each.

    Raises
    ------
    InvalidParameter
        ``ligands`` is empty. Otherwise as :func:`dock`.
    """
    if not ligands:
        raise InvalidParameter("ligands must hold at least one prepared state")
    results = [dock(receptor, lig, box, site=site, seed=seed, exhaustiveness=exhaustiveness, n_poses=n_poses,
                    energy_range=energy_range, cpu=cpu, validate=validate and k == 0)
               for k, lig in enumerate(ligands)]  # fmt: skip
    return pool_states(results, ligands)


def pool_states(results: list[DockingResult], ligands: list[PreparedLigand]) -> DockingResult:
    """Pool the per-state results of :func:`dock_states` (one per prepared state, same order) by score.

    Used by :func:`dock_states` and by :func:`toolkit.docking.dock_panel`,
    which docks the states side by side; the pooled poses are sorted by
    (score, state order, pose order), so the outcome does not depend on
    where each state was docked.
    """
    import pandas as pd

    if len(results) == 1:
        results[0].extra["states"] = list(ligands)
        results[0].extra["state_best"] = {ligands[0].state: results[0].best_score}
        return results[0]
    pooled = sorted(((float(s), k, j) for k, r in enumerate(results) for j, s in enumerate(r.poses["score"])),
                    key=lambda t: (t[0], t[1], t[2]))  # fmt: skip
    mols = [results[k].mols[j] for _, k, j in pooled]
    rows = pd.concat([results[k].poses.iloc[[j]] for _, k, j in pooled], ignore_index=True)
    cents = rows[["centroid_x", "centroid_y", "centroid_z"]].to_numpy(dtype=float)
    rows["pose"] = np.arange(1, len(rows) + 1)
    rows["centroid_shift"] = np.linalg.norm(cents - cents[0], axis=1)
    for k, m in enumerate(mols, start=1):
        m.SetProp("_Name", f"{ligands[0].name} pose {k}")
    top = results[pooled[0][1]]
    settings = dict(top.settings)
    settings["states"] = "; ".join(f"{x.state} ({x.fraction:.0%})" if np.isfinite(x.fraction) else x.state
                                   for x in ligands)  # fmt: skip
    out = DockingResult(top.ligand, top.receptor, top.box, top.site, mols, rows[POSE_COLUMNS], settings,
                        float(sum(r.seconds for r in results)))  # fmt: skip
    out.extra["states"] = list(ligands)
    out.extra["state_best"] = {r.ligand.state: r.best_score for r in results}
    return out
