"""Helpers shared by :mod:`.contacts` and :mod:`.interactions` (no import cycle between them).

Only numpy is imported at module level; scipy loads on the first tree.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..io.aminoacids import THREE_TO_ONE

if TYPE_CHECKING:
    from ..model import Structure

__all__ = ["residue_label", "protein_tree", "heavy_mask"]


def residue_label(subunit: str, res_name: str, uniprot_num: int, auth_seq_id: int, ins_code: str = "", chain: str = "") -> str:
    """Chain-independent residue label, e.g. ``"GluN2B L643"``.

    >>> residue_label("GluN2B", "LEU", 643, 643)
    'GluN2B L643'
    >>> residue_label("other", "LYS", -1, 12, "", "H")
    'other K12 (auth H)'
    """
    one = THREE_TO_ONE.get(str(res_name), "X")
    if int(uniprot_num) >= 0:
        return f"{subunit} {one}{int(uniprot_num)}"
    return f"{subunit} {one}{int(auth_seq_id)}{ins_code or ''} (auth {chain})".replace(" (auth )", " (auth)")


def heavy_mask(structure: Structure) -> np.ndarray:
    """Boolean mask of the structure's heavy atoms (:attr:`Structure.heavy_mask`, cached there)."""
    return structure.heavy_mask


_TREES: weakref.WeakKeyDictionary[Any, tuple[np.ndarray, Any]] = weakref.WeakKeyDictionary()


def protein_tree(structure: Structure) -> tuple[np.ndarray, Any]:
    """(indices of protein heavy atoms, cKDTree of their coordinates), cached per structure.

    "Protein" = amino-acid residues of the polymer (:meth:`Structure.protein_mask`
    when the model has it; nucleic acids are polymer but not interaction partners).
    """
    hit = _TREES.get(structure)
    if hit is None:
        from scipy.spatial import cKDTree

        mask = getattr(structure, "protein_mask", None)
        poly = mask if isinstance(mask, np.ndarray) else structure.polymer_mask
        prot = np.flatnonzero(poly & heavy_mask(structure))
        hit = (prot, cKDTree(structure.coord[prot]))
        _TREES[structure] = hit
    return hit
