"""Helpers shared by :mod:`.contacts` and :mod:`.interactions` (no import cycle between them).

Only numpy is imported (neighbour search is numpy-only, :class:`NeighbourIndex`).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from ..io.aminoacids import THREE_TO_ONE

if TYPE_CHECKING:
    from ..model import Structure

__all__ = ["residue_label", "protein_tree", "heavy_mask", "NeighbourIndex"]


def residue_label(subunit: str, res_name: str, uniprot_num: int, auth_seq_id: int, ins_code: str = "", chain: str = "") -> str:
    """Chain-independent residue label, e.g. ``"GluN2B L643"``.

    >>> residue_label("GluN2B", "LEU", 643, 643)
    'GluN2B L643'
    >>> residue_label("other", "LYS", -1, 12, "", "H")
    'other K12 (auth H)'
    """
    one = THREE_TO_ONE.get(str(res_name))
    if one is None:  # a modified residue: its standard parent's letter (CCD), else X
        from ..io.ccd import one_letter

        one = one_letter(str(res_name)) if str(res_name).strip() else "X"
    if int(uniprot_num) >= 0:
        return f"{subunit} {one}{int(uniprot_num)}"
    return f"{subunit} {one}{int(auth_seq_id)}{ins_code or ''} (auth {chain})".replace(" (auth )", " (auth)")


def heavy_mask(structure: Structure) -> np.ndarray:
    """Boolean mask of the structure's heavy atoms (:attr:`Structure.heavy_mask`, cached there)."""
    return structure.heavy_mask


_TREES: weakref.WeakKeyDictionary[Any, tuple[np.ndarray, Any]] = weakref.WeakKeyDictionary()


class NeighbourIndex:
    """Fixed-radius and nearest-neighbour look-ups over a set of points, in numpy only.

    The queries of the sites module ask about tens to hundreds of ligand
    atoms against a protein: chunked brute force (squared distances) answers
    them in milliseconds and avoids importing scipy (about 0.3 s in a fresh
    process). The method names and return shapes follow
    :class:`scipy.spatial.cKDTree` (``query_ball_point``, ``query``).

    >>> ix = NeighbourIndex(np.array([[0.0, 0, 0], [3.0, 0, 0]]))
    >>> ix.query_ball_point(np.array([[1.0, 0, 0]]), 2.5)
    [[0, 1]]
    >>> ix.query(np.array([[2.9, 0, 0]]))[1].tolist()
    [1]
    """

    _CHUNK = 256

    def __init__(self, xyz: np.ndarray) -> None:
        self.xyz = np.asarray(xyz, dtype=np.float64).reshape(-1, 3)
        self.n = len(self.xyz)

    def _d2(self, pts: np.ndarray) -> np.ndarray:
        return ((pts[:, None, :] - self.xyz[None, :, :]) ** 2).sum(axis=2)

    def query_ball_point(self, points: np.ndarray, r: float) -> Any:
        """Indices within ``r`` of each point (a list per point; one list for a single point)."""
        pts = np.asarray(points, dtype=np.float64)
        single = pts.ndim == 1
        pts = pts.reshape(-1, 3)
        out: list[list[int]] = []
        r = float(r)
        r2 = r * r
        for k in range(0, len(pts), self._CHUNK):
            chunk = pts[k : k + self._CHUNK]
            # only points inside the chunk's bounding box (grown by r) can be within r
            lo, hi = chunk.min(axis=0) - r, chunk.max(axis=0) + r
            cand = np.flatnonzero(((self.xyz >= lo) & (self.xyz <= hi)).all(axis=1))
            d2 = ((chunk[:, None, :] - self.xyz[cand][None, :, :]) ** 2).sum(axis=2)
            out.extend(cand[row <= r2].tolist() for row in d2)
        return out[0] if single else out

    def query(self, points: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(distances, indices) of the ``k`` nearest points (shape ``(n,)`` for k=1, else ``(n, k)``)."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        if self.n == 0:
            from ..errors import InvalidParameter

            raise InvalidParameter("nearest-neighbour query on an empty set of points")
        k = max(1, min(int(k), self.n))
        ds, js = [], []
        for c in range(0, len(pts), self._CHUNK):
            d2 = self._d2(pts[c : c + self._CHUNK])
            j = np.argsort(d2, axis=1)[:, :k]
            ds.append(np.sqrt(np.take_along_axis(d2, j, axis=1)))
            js.append(j)
        d = np.concatenate(ds) if ds else np.zeros((0, k))
        j = np.concatenate(js) if js else np.zeros((0, k), dtype=np.int64)
        return (d[:, 0], j[:, 0]) if k == 1 else (d, j)


def protein_tree(structure: Structure) -> tuple[np.ndarray, NeighbourIndex]:
    """(indices of protein heavy atoms, :class:`NeighbourIndex` of their coordinates), cached per structure.

    "Protein" = amino-acid residues of the polymer (:attr:`Structure.protein_mask`;
    nucleic acids are polymer but not interaction partners).
    """
    hit = _TREES.get(structure)
    if hit is None:
        mask = getattr(structure, "protein_mask", None)
        poly = mask if isinstance(mask, np.ndarray) else structure.polymer_mask
        prot = np.flatnonzero(poly & heavy_mask(structure))
        hit = (prot, NeighbourIndex(structure.coord[prot]))
        _TREES[structure] = hit
    return hit
