"""The optional ``docking`` extra: one place that imports it and says what is missing."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import MissingExtra

__all__ = ["EXTRA", "MODULES", "require", "available"]

#: Name of the optional extra (``pip install 'nmda-toolkit[docking]'``).
EXTRA = "docking"
#: Import name -> what it is used for.
MODULES: dict[str, str] = {
    "vina": "AutoDock Vina docking engine",
    "meeko": "ligand PDBQT preparation and pose conversion",
    "dimorphite_dl": "protonation states at a pH",
    "spyrmsd": "symmetry-aware RMSD",
    "posebusters": "pose plausibility checks",
}


def require(*modules: str, what: str = "docking") -> list[Any]:
    """Import the named modules of the extra, or raise :class:`~toolkit.errors.MissingExtra`.

    >>> require("vina")[0].__name__  # doctest: +SKIP
    'vina'
    """
    out = []
    for name in modules or tuple(MODULES):
        try:
            out.append(importlib.import_module(name))
        except ImportError as exc:
            raise MissingExtra(EXTRA, name, what) from exc
    return out


def available() -> bool:
    """True when every module of the extra imports.

    >>> isinstance(available(), bool)
    True
    """
    try:
        require()
    except MissingExtra:
        return False
    return True
