"""Docking with AutoDock Vina: receptors, ligands, boxes, poses, panels (optional extra ``docking``).

``pip install 'nmda-toolkit[docking]'`` installs AutoDock Vina, meeko,
Dimorphite-DL, spyrmsd, PoseBusters and pdb2pqr. ``import toolkit.docking`` works
without them; every function that needs them raises
:class:`toolkit.errors.MissingExtra` naming the extra.

Workflow
--------
>>> import toolkit
>>> from toolkit import docking
>>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
>>> receptor = docking.prepare_receptor(s)  # every chain, bound JC9 removed  # doctest: +SKIP
>>> ligs = docking.prepare_ligand_states((s, "JC9"), pka=7.5)  # cation 56 %, neutral 44 % at pH 7.4  # doctest: +SKIP
>>> box = docking.box_from_ligand(s, "JC9")  # redocking box (standard protocol)  # doctest: +SKIP
>>> res = docking.dock_states(receptor, ligs, box, site="pore", seed=1)  # doctest: +SKIP
>>> site, inter = docking.pose_contacts(res, poses=1)  # doctest: +SKIP
>>> table = docking.dock_panel(receptor, n_jobs=2, progress=True)  # the panel, pore + lateral candidates  # doctest: +SKIP

* :mod:`.receptor` - :func:`prepare_receptor` (atom typing, protonation by rule or by pdb2pqr, why not meeko's receptor
  tool).
* :mod:`.ligand` - :func:`prepare_ligand`, :func:`prepare_ligand_states` (pH, pKa rule, ETKDG seed, populated ring
  puckers).
* :mod:`.box` - :class:`Box`, :func:`box_from_ligand`, :func:`box_from_residues`, :func:`box_from_pocket`,
  :func:`validate_box` (limits and their sources).
* :mod:`.engine` - :func:`dock`, :func:`dock_states`, :data:`POSE_COLUMNS` (Vina settings and sources).
* :mod:`.analysis` - :func:`pose_contacts`, :func:`symmetry_rmsd`, :func:`posebusters_flags`.
* :mod:`.panel` - :func:`dock_panel`, :data:`DOCK_COLUMNS`, :func:`pore_box`, :func:`default_sites`.
* :mod:`.views` - :func:`score_plot`, :func:`pose_view`; :mod:`.report` - :func:`report_section`.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    **dict.fromkeys(["EXTRA", "available", "require"], "._extra"),
    **dict.fromkeys(["Receptor", "prepare_receptor", "PROTONATION_NOTE"], ".receptor"),
    **dict.fromkeys(["PreparedLigand", "prepare_ligand", "prepare_ligand_states", "protonation_state",
                     "protonation_states"], ".ligand"),
    **dict.fromkeys(["Box", "box_from_ligand", "box_from_residues", "box_from_pocket", "validate_box"], ".box"),
    **dict.fromkeys(["DockingResult", "dock", "dock_states", "POSE_COLUMNS"], ".engine"),
    **dict.fromkeys(["complex_structure", "pose_contacts", "symmetry_rmsd", "contact_recall",
                     "posebusters_flags"], ".analysis"),
    **dict.fromkeys(["dock_panel", "DOCK_COLUMNS", "DOCK_STATUSES", "pore_box", "default_sites",
                     "analyse_result"], ".panel"),
    **dict.fromkeys(["score_plot", "pose_view"], ".views"),
    **dict.fromkeys(["report_section"], ".report"),
}  # fmt: skip

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit.docking' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
