"""Ligand chemistry: CCD/SMILES templates, the curated panel, properties and similarity.

Submodules (imported lazily on first attribute access, so ``import toolkit``
stays fast):

* :mod:`toolkit.chem.templates` - ligand instances from a structure as RDKit
  molecules with CCD chemistry (``ligand_to_mol``, ``ccd_template``).
* :mod:`toolkit.chem.panel` - the curated NMDA receptor ligand panel
  (``load_panel``; values from different assays, never ranked across assays).
* :mod:`toolkit.chem.standardization` - salt stripping, neutralisation, tautomer policy.
* :mod:`toolkit.chem.properties` - descriptors, Lipinski/Veber, CNS MPO, conformers.
* :mod:`toolkit.chem.similarity` - ECFP4/FCFP4/MACCS Tanimoto, nearest panel
  neighbours, maximum common substructure.

Examples
--------
>>> from toolkit.chem import load_panel, compute_properties
>>> int(compute_properties("CNC1(c2ccccc2Cl)CCCCC1=O").loc[0, "heavy_atoms"])
16
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # templates (sites worker)
    "ligand_to_mol": "templates",
    "ccd_template": "templates",
    "fraction_protonated": "templates",
    "protonate_amines": "templates",
    # panel
    "PANEL_COLUMNS": "panel",
    "load_panel": "panel",
    "panel_smiles": "panel",
    # standardisation
    "Standardized": "standardization",
    "standardize": "standardization",
    "parse_smiles": "standardization",
    # properties
    "PROPERTY_COLUMNS": "properties",
    "compute_properties": "properties",
    "descriptors": "properties",
    "cns_mpo": "properties",
    "clogd_base": "properties",
    "embed_conformers": "properties",
    # similarity
    "SIMILARITY_COLUMNS": "similarity",
    "NEIGHBOUR_COLUMNS": "similarity",
    "FINGERPRINT_KINDS": "similarity",
    "fingerprint": "similarity",
    "tanimoto": "similarity",
    "similarity_table": "similarity",
    "nearest_neighbours": "similarity",
    "MCSResult": "similarity",
    "mcs": "similarity",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
