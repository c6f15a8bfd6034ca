"""Serialise a :class:`~toolkit.model.Structure` (or a subset of its atoms) to text.

Used to embed coordinates in self-contained HTML views: the browser never
fetches an entry, it reads the atoms written here.

* :func:`to_pdb_string`: fixed-column PDB ``ATOM``/``HETATM`` records
  (wwPDB format v3.3, "Coordinate section"). One-character chain IDs only;
  pass ``chain_map`` (see :func:`single_char_chain_map`) for longer ones.
* :func:`to_mmcif_string`: a minimal mmCIF ``_atom_site`` loop (any chain ID).

No bonds are written: readers (3Dmol.js, gemmi, RDKit) bond standard residues
from templates or distances. For ligand chemistry use the CCD templates, never
these strings.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..model import Structure

__all__ = ["to_pdb_string", "to_mmcif_string", "single_char_chain_map"]

_CHAIN_CHARS = string.ascii_uppercase + string.ascii_lowercase + string.digits


def _mask(structure: Structure, mask: np.ndarray | None) -> np.ndarray:
    n = structure.n_atoms
    if mask is None:
        return np.arange(n)
    mask = np.asarray(mask)
    if mask.dtype == bool:
        if mask.shape != (n,):
            raise ValueError(f"boolean mask has shape {mask.shape}, expected ({n},) for {structure.entry_id}")
        return np.flatnonzero(mask)
    idx = mask.astype(np.int64, copy=False)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"atom index out of range 0..{n - 1} for {structure.entry_id}")
    return idx


def single_char_chain_map(chains: Iterable[str]) -> dict[str, str]:
    """Map chain IDs to distinct one-character IDs (one-character IDs are kept).

    >>> single_char_chain_map(["A", "B", "AA"])
    {'A': 'A', 'B': 'B', 'AA': 'C'}
    """
    chains = list(dict.fromkeys(str(c) for c in chains))
    out: dict[str, str] = {c: c for c in chains if len(c) == 1}
    free = [c for c in _CHAIN_CHARS if c not in out.values()]
    for c in chains:
        if c not in out:
            if not free:
                raise ValueError(f"more than {len(_CHAIN_CHARS)} chains: cannot map to one-character IDs")
            out[c] = free.pop(0)
    return out


def _pdb_atom_name(name: str, element: str) -> str:
    # PDB convention: a one-letter element's atom name starts in column 14.
    if len(name) >= 4 or len(element) == 2:
        return name.ljust(4)[:4]
    return (" " + name).ljust(4)


def to_pdb_string(
    structure: Structure,
    mask: np.ndarray | None = None,
    *,
    chain_map: dict[str, str] | None = None,
) -> str:
    """PDB-format ``ATOM``/``HETATM`` records of the selected atoms.

    Parameters
    ----------
    structure : Structure
        The loaded entry.
    mask : array of bool or int, optional
        Atoms to write (boolean per-atom mask or atom indices); all atoms if None.
    chain_map : dict, optional
        Author chain ID -> one-character chain ID written in column 22.

    Returns
    -------
    str
        Records ending with ``END``; serial numbers restart at 1 and wrap at 99999.

    Raises
    ------
    ValueError
        A chain ID longer than one character has no entry in ``chain_map``.

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> s = load_structure("7EU8")  # doctest: +SKIP
    >>> print(to_pdb_string(s, s.atoms["res_name"] == "JC9")[:26])  # doctest: +SKIP
    HETATM    1 CL1  JC9 B 903
    """
    idx = _mask(structure, mask)
    a = structure.atoms
    lines: list[str] = []
    # Python lists once (indexing numpy arrays per atom is slow)
    cols = {k: a[k][idx].tolist() for k in ("chain_id", "element", "charge", "hetero", "atom_name", "res_name",
                                           "res_id", "ins_code", "occupancy", "b_factor")}  # fmt: skip
    coord = a["coord"][idx].astype(np.float64).tolist()
    names_cache: dict[tuple[str, str], str] = {}
    for k in range(len(idx)):
        chain = cols["chain_id"][k]
        if chain_map is not None and chain in chain_map:
            chain = chain_map[chain]
        if len(chain) != 1:
            raise ValueError(
                f"chain ID {chain!r} of {structure.entry_id} does not fit the PDB format: "
                "pass chain_map=single_char_chain_map(...) or use to_mmcif_string"
            )
        element = cols["element"][k].upper()
        charge = cols["charge"][k]
        chg = f"{abs(charge)}{'+' if charge > 0 else '-'}" if charge else "  "
        key = (cols["atom_name"][k], element)
        name = names_cache.get(key)
        if name is None:
            name = names_cache[key] = _pdb_atom_name(*key)
        x, y, z = coord[k]
        lines.append(
            f"{'HETATM' if cols['hetero'][k] else 'ATOM  '}{(k + 1) % 100000:5d} "
            f"{name} {cols['res_name'][k][:3]:>3} {chain}"
            f"{cols['res_id'][k] % 10000:4d}{(cols['ins_code'][k] or ' ')[:1]}   "
            f"{x:8.3f}{y:8.3f}{z:8.3f}{cols['occupancy'][k]:6.2f}{cols['b_factor'][k]:6.2f}"
            f"          {element:>2}{chg}"
        )
    lines.append("END")
    return "\n".join(lines) + "\n"


def _q(quote, value, empty: str) -> str:
    value = str(value)
    return quote(value) if value else empty


def to_mmcif_string(structure: Structure, mask: np.ndarray | None = None) -> str:
    """A minimal mmCIF document (one ``_atom_site`` loop) of the selected atoms.

    Author and label identifiers are both written, so readers that prefer
    either find the numbering they expect.

    Examples
    --------
    >>> from toolkit import load_structure  # doctest: +SKIP
    >>> s = load_structure("7EU8")  # doctest: +SKIP
    >>> to_mmcif_string(s, s.ligand_atoms("JC9")).splitlines()[0]  # doctest: +SKIP
    'data_7EU8'
    """
    from gemmi import cif

    idx = _mask(structure, mask)
    a = structure.atoms
    q = cif.quote
    cols = [
        "group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id",
        "label_asym_id", "label_entity_id", "label_seq_id", "pdbx_PDB_ins_code", "Cartn_x",
        "Cartn_y", "Cartn_z", "occupancy", "B_iso_or_equiv", "pdbx_formal_charge", "auth_seq_id",
        "auth_comp_id", "auth_asym_id", "auth_atom_id", "pdbx_PDB_model_num",
    ]  # fmt: skip
    name = structure.entry_id or "structure"
    out = [f"data_{name}", "#", "loop_"] + [f"_atom_site.{c}" for c in cols]
    coord = a["coord"][idx].astype(np.float64)
    for k, i in enumerate(idx):
        seq = int(a["label_seq"][i])
        x, y, z = coord[k]
        atom = q(str(a["atom_name"][i]))
        comp = q(str(a["res_name"][i]))
        # fmt: off
        out.append(
            " ".join(
                [
                    "HETATM" if a["hetero"][i] else "ATOM", str(k + 1), q(str(a["element"][i])), atom, ".",
                    comp, _q(q, a["label_asym"][i], "."), _q(q, a["entity_id"][i], "."),
                    str(seq) if seq > 0 else ".", _q(q, a["ins_code"][i], "?"), f"{x:.3f}", f"{y:.3f}",
                    f"{z:.3f}", f"{float(a['occupancy'][i]):.2f}", f"{float(a['b_factor'][i]):.2f}",
                    str(int(a["charge"][i])), str(int(a["res_id"][i])), comp, q(str(a["chain_id"][i])), atom, "1",
                ]
            )
        )
        # fmt: on
    out.append("#")
    return "\n".join(out) + "\n"
