"""Edited copies of a loaded Structure for tests (rotated inputs, NaN coordinates, atom subsets)."""

from __future__ import annotations

import dataclasses

import numpy as np


def with_atoms(s, atoms: dict):
    """A copy of ``s`` with other atom arrays (derived caches and warnings reset)."""
    return dataclasses.replace(s, atoms=atoms, _warned=set())


def with_coord(s, coord: np.ndarray):
    """A copy of ``s`` with other coordinates."""
    return with_atoms(s, {**s.atoms, "coord": coord})


def rotated(s, seed: int):
    """``s`` turned by a random proper rotation and shifted by ~10 Å (fixed seed)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    return with_coord(s, (s.coord.astype(np.float64) @ q.T + rng.normal(size=3) * 10).astype(s.coord.dtype))
