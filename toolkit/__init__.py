"""nmda-toolkit: ketamine and NMDA receptor structures, sites and ligands.

The data model
--------------
* Units: distances and coordinates in ångström (Å); energies in kcal/mol;
  concentrations as given by each source, with the unit in its own column.
* A loaded entry is a :class:`~toolkit.model.Structure`: flat per-atom numpy
  arrays (coordinates, element, atom name, residue name, author chain and
  residue number, insertion code, ...) plus file metadata. First model only;
  altlocs resolved by highest occupancy (see :mod:`toolkit.io.parse`).
* Chains are named by subunit (GluN1, GluN2A, GluN2B, ..., ``antibody``,
  ``other``) from the file's UniProt references and entity descriptions,
  never from chain letters. Residues carry the author number, insertion
  code and the UniProt number (initiator Met = 1), checked against
  literature anchors (SYTANLAAF, GluN1 N616).
* Every table that leaves a module is a pandas DataFrame with a fixed,
  documented column schema (``CHAIN_COLUMNS``, ``RESIDUE_COLUMNS``,
  ``LIGAND_COLUMNS``, ``CATALOG_COLUMNS``).

Layout (arrows point down only)
-------------------------------
``cli`` wires library calls; ``structure`` loads entries; ``model`` is the
data model; ``catalog`` holds NMDA knowledge (entries, subunits, anchors);
``io`` reads files, the mirror, the cache and downloads. ``import toolkit``
is lazy: heavy libraries load on first use.

Quick start
-----------
>>> import toolkit
>>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
>>> s.ligands(category="ligand")[["ccd_code", "chain", "auth_seq_id"]]  # doctest: +SKIP
  ccd_code chain  auth_seq_id
0      JC9     B          903
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__

__all__ = [
    "__version__",
    # structures
    "load_structure",
    "clear_memory_cache",
    "Structure",
    "list_entries",
    "identify_subunit",
    # errors
    "ToolkitError",
    "InvalidPDBId",
    "StructureNotFound",
    "StructureFormatError",
    "EntryMismatch",
    "NoProteinError",
    "DownloadError",
    "ComponentNotFound",
    "LigandNotFound",
]

_LAZY: dict[str, str] = {
    "load_structure": "toolkit.structure",
    "clear_memory_cache": "toolkit.structure",
    "Structure": "toolkit.model",
    "list_entries": "toolkit.catalog",
    "identify_subunit": "toolkit.catalog",
    "ToolkitError": "toolkit.errors",
    "InvalidPDBId": "toolkit.errors",
    "StructureNotFound": "toolkit.errors",
    "StructureFormatError": "toolkit.errors",
    "EntryMismatch": "toolkit.errors",
    "NoProteinError": "toolkit.errors",
    "DownloadError": "toolkit.errors",
    "ComponentNotFound": "toolkit.errors",
    "LigandNotFound": "toolkit.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
