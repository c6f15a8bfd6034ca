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
``cli`` and ``report`` wire library calls; ``views`` draw results they are
given (never parse files, never run science); ``batch`` streams ligand files
through ``chem`` on processes or Dask; ``sites`` computes binding sites,
typed interactions, mappings and pockets; ``chem`` holds ligand chemistry
(CCD/SMILES templates, the curated panel, properties, similarity);
``structure`` loads entries; ``model`` is the data model; ``catalog`` holds
NMDA knowledge (entries, subunits, anchors); ``io`` reads and writes files,
the mirror, the cache and downloads. ``import toolkit`` is lazy: heavy
libraries load on first use. (Change from the starting sketch: ``chem``
does not import ``sites``; ``sites`` uses ``chem.templates`` for ligand
chemistry, so the arrow points from sites to chem.)

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

# Public name -> module it lives in (imported on first access, so ``import toolkit`` stays fast).
_LAZY: dict[str, str] = {
    # structures
    "load_structure": "toolkit.structure",
    "clear_memory_cache": "toolkit.structure",
    "Structure": "toolkit.model",
    "LigandKey": "toolkit.model",
    "list_entries": "toolkit.catalog",
    "identify_subunit": "toolkit.catalog",
    # binding sites
    **dict.fromkeys(
        ["site_residues", "interactions", "map_site", "compare_pore_site", "interaction_matrix",
         "find_pockets", "lateral_candidates", "pocket_points", "superpose_tmd", "membrane", "lateral_sites",
         "drug_like_ligands"],
        "toolkit.sites",
    ),
    **dict.fromkeys(["ligand_charge_state", "ChargeState"], "toolkit.sites"),
    # ligand chemistry
    **dict.fromkeys(
        ["ligand_to_mol", "ccd_template", "load_panel", "compute_properties", "similarity_table",
         "nearest_neighbours", "mcs", "standardize"],
        "toolkit.chem",
    ),
    # batch, views and report
    "compare": "toolkit.batch",
    **dict.fromkeys(["site_view", "comparison_view", "to_png"], "toolkit.views"),
    "add_membrane_planes": "toolkit.views.membrane",
    "build_report": "toolkit.report",
    # docking (optional extra 'docking'; names import without it, calls raise MissingExtra)
    **dict.fromkeys(
        ["prepare_receptor", "prepare_ligand", "dock_panel", "pose_contacts"],
        "toolkit.docking",
    ),
    # errors
    **dict.fromkeys(
        ["ToolkitError", "InvalidPDBId", "StructureNotFound", "StructureFormatError", "EntryMismatch",
         "NoProteinError", "DownloadError", "ComponentNotFound", "LigandNotFound", "InvalidParameter",
         "NoTransmembraneDomain", "TemplateMismatch", "InvalidMolecule", "InputFileError",
         "OutputPathError", "RenderError", "InvalidCoordinates", "SchedulerUnreachable", "GridTooLarge",
         "MissingExtra", "DockingError", "InvalidBox", "EmptyReceptor", "LigandPreparationError"],
        "toolkit.errors",
    ),
}  # fmt: skip

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
