"""Standard amino acids and their one-letter codes (no CCD look-up needed)."""

from __future__ import annotations

import numpy as np

__all__ = ["THREE_TO_ONE", "is_amino_acid", "one_letter"]

THREE_TO_ONE: dict[str, str] = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V",
    "MSE": "M", "SEC": "U", "PYL": "O", "UNK": "X",
}  # fmt: skip

_AA = np.array(sorted(THREE_TO_ONE))


def is_amino_acid(res_names: np.ndarray) -> np.ndarray:
    """Vectorised test for standard (and MSE/SEC/PYL/UNK) amino-acid names."""
    return np.isin(np.asarray(res_names), _AA)


def one_letter(res_name: str) -> str:
    """One-letter code of a residue name; ``X`` when unknown."""
    return THREE_TO_ONE.get(res_name, "X")
