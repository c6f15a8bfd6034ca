"""Binding sites: site residues, typed interactions, pockets and site comparison.

* :func:`site_residues` -> :data:`SITE_COLUMNS` (residues near a ligand).
* :func:`interactions` -> :data:`INTERACTION_COLUMNS` (typed, PLIP thresholds).
* :func:`map_site`, :func:`compare_pore_site`, :func:`map_residues`,
  :func:`interaction_matrix` (:mod:`toolkit.sites.mapping`).
* :func:`find_pockets`, :func:`lateral_candidates`, :func:`pocket_points`,
  :data:`POCKET_COLUMNS`, :func:`tmd_frame`, :func:`drug_like_ligands` (:mod:`toolkit.sites.pockets`).
* :func:`superpose_tmd` -> :class:`Superposition` (:mod:`toolkit.sites.superpose`).
* Charge states at a pH: :func:`ligand_charge_state`, :class:`ChargeState`,
  :data:`PROTEIN_PKA`; PLIP's pH-free charged groups for like-with-like comparisons:
  :func:`plip_charge_state` (:mod:`toolkit.sites.protonation`).
* Detectors, one class per interaction type (:mod:`toolkit.sites.detectors`):
  :class:`Detector`, :class:`Hydrophobic`, :class:`HBond`, :class:`SaltBridge`,
  :class:`PiStacking`, :class:`CationPi`, :class:`Halogen`,
  :class:`WaterBridge`, :class:`MetalComplex`, :func:`coordination_geometry`.
* :func:`membrane` -> :class:`Membrane` or the named result :class:`NoMembrane`
  (:mod:`toolkit.sites.implicit_membrane`; per-residue table :data:`MEMBRANE_COLUMNS`).
* :func:`lateral_sites` -> every TMD pocket with its lateral-site evidence
  (:data:`LATERAL_COLUMNS`) and the lining residues (:data:`LINING_COLUMNS`)
  (:mod:`toolkit.sites.lateral`).

:mod:`.contacts` and :mod:`.interactions` are imported directly (they need
only numpy at import time; scipy, pandas and RDKit load on first call), so
that the function :func:`interactions` shadows its submodule of the same
name; the membrane fit lives in :mod:`.implicit_membrane` so that
:func:`membrane` has no submodule of its name; the mapping, pocket and
membrane names are imported lazily. Import module-level
names of the submodule with ``from toolkit.sites.interactions import ...``.
"""

from __future__ import annotations

import importlib
from typing import Any

from .contacts import SITE_COLUMNS, residue_label, site_residues
from .interactions import INTERACTION_COLUMNS, INTERACTION_TYPES, Thresholds, interactions

__all__ = [
    "SITE_COLUMNS",
    "site_residues",
    "residue_label",
    "INTERACTION_COLUMNS",
    "INTERACTION_TYPES",
    "Thresholds",
    "interactions",
    "MAP_COLUMNS",
    "map_residues",
    "map_site",
    "compare_pore_site",
    "interaction_matrix",
    "find_pockets",
    "lateral_candidates",
    "pocket_points",
    "POCKET_COLUMNS",
    "tmd_frame",
    "drug_like_ligands",
    "Superposition",
    "superpose_tmd",
    "ligand_charge_state",
    "plip_charge_state",
    "ChargeState",
    "PROTEIN_PKA",
    "Detector",
    "Hydrophobic",
    "HBond",
    "SaltBridge",
    "PiStacking",
    "CationPi",
    "Halogen",
    "WaterBridge",
    "MetalComplex",
    "coordination_geometry",
    "membrane",
    "Membrane",
    "NoMembrane",
    "MEMBRANE_COLUMNS",
    "lateral_sites",
    "LATERAL_COLUMNS",
    "LINING_COLUMNS",
]

_LAZY: dict[str, str] = {
    "MAP_COLUMNS": ".mapping",
    "map_residues": ".mapping",
    "map_site": ".mapping",
    "compare_pore_site": ".mapping",
    "interaction_matrix": ".mapping",
    "find_pockets": ".pockets",
    "lateral_candidates": ".pockets",
    "pocket_points": ".pockets",
    "POCKET_COLUMNS": ".pockets",
    "tmd_frame": ".pockets",
    "drug_like_ligands": ".pockets",
    "Superposition": ".superpose",
    "superpose_tmd": ".superpose",
    "ligand_charge_state": ".protonation",
    "plip_charge_state": ".protonation",
    "ChargeState": ".protonation",
    "PROTEIN_PKA": ".protonation",
    **dict.fromkeys(
        ["Detector", "Hydrophobic", "HBond", "SaltBridge", "PiStacking", "CationPi", "Halogen", "WaterBridge",
         "MetalComplex", "coordination_geometry"],
        ".detectors",
    ),
    "membrane": ".implicit_membrane",
    "Membrane": ".implicit_membrane",
    "NoMembrane": ".implicit_membrane",
    "MEMBRANE_COLUMNS": ".implicit_membrane",
    "lateral_sites": ".lateral",
    "LATERAL_COLUMNS": ".lateral",
    "LINING_COLUMNS": ".lateral",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit.sites' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
