"""Views: 3D (3Dmol.js), 2D depictions and plots of results computed elsewhere.

Views draw the tables they are given (``toolkit.sites`` site residues,
interactions and pockets; ``toolkit.chem`` ligand panels); they never parse
files and never compute science. 3D views are self-contained HTML pages that
embed the coordinates and a cached, verified copy of 3Dmol.js
(``python -m toolkit.views.assets fetch``), so they render offline.

Heavy libraries (RDKit, matplotlib, py3Dmol) load only when a function runs.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "View",
    "Scene",
    "site_view",
    "comparison_view",
    "molecule_view",
    "interaction_network_html",
    "lesson_page",
    "to_png",
    "find_chromium",
    "ligand_grid_svg",
    "interaction_diagram_svg",
    "property_space_plot",
    "residue_contact_plot",
    "interaction_heatmap",
    "SUBUNIT_COLORS",
    "INTERACTION_COLORS",
    "fetch_assets",
]

_LAZY = {
    "View": ("toolkit.views.html", "View"),
    "Scene": ("toolkit.views.threed", "Scene"),
    "site_view": ("toolkit.views.threed", "site_view"),
    "comparison_view": ("toolkit.views.threed", "comparison_view"),
    "molecule_view": ("toolkit.views.threed", "molecule_view"),
    "interaction_network_html": ("toolkit.views.network", "interaction_network_html"),
    "lesson_page": ("toolkit.views.html", "lesson_page"),
    "to_png": ("toolkit.views.static", "to_png"),
    "find_chromium": ("toolkit.views.static", "find_chromium"),
    "ligand_grid_svg": ("toolkit.views.twod", "ligand_grid_svg"),
    "interaction_diagram_svg": ("toolkit.views.twod", "interaction_diagram_svg"),
    "property_space_plot": ("toolkit.views.plots", "property_space_plot"),
    "residue_contact_plot": ("toolkit.views.plots", "residue_contact_plot"),
    "interaction_heatmap": ("toolkit.views.plots", "interaction_heatmap"),
    "SUBUNIT_COLORS": ("toolkit.views.palette", "SUBUNIT_COLORS"),
    "INTERACTION_COLORS": ("toolkit.views.palette", "INTERACTION_COLORS"),
    "fetch_assets": ("toolkit.views.assets", "fetch"),
}


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'toolkit.views' has no attribute {name!r}")
    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
