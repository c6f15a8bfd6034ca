"""The data model: :class:`Structure`, one loaded entry.

A structure holds flat, read-only numpy arrays, one value per atom (see
:data:`toolkit.io.parse.ATOM_FIELDS`): ``coord`` (Å, shape ``(n, 3)``),
``element``, ``atom_name``, ``res_name``, ``chain_id`` (author chain),
``res_id`` (author residue number), ``ins_code``, ``hetero``,
``label_asym``, ``entity_id``, ``label_seq``, ``occupancy``, ``b_factor``,
``charge``, ``altloc``; plus the derived per-atom ``uniprot_num`` (UniProt
residue number from the file's reference-sequence mapping, ``-1`` when
unmapped).

Tables are pandas DataFrames with fixed columns:

* :meth:`Structure.chains` -> :data:`CHAIN_COLUMNS`
* :meth:`Structure.residues` -> :data:`RESIDUE_COLUMNS`
* :meth:`Structure.ligands` -> :data:`LIGAND_COLUMNS`

Subunits are named from the file's UniProt references and entity
descriptions (:func:`toolkit.catalog.identify_subunit`), never from chain
letters: 7EU8 has GluN1 on chains A/C, 7EOS has GluN2A there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._checks import check_str
from .catalog import ANCHORS, MOTIF, MOTIF_START, component_category, identify_subunit
from .errors import InvalidParameter, LigandNotFound, NumberingWarning, UnknownComponentWarning
from .io.aminoacids import THREE_TO_ONE, is_amino_acid

if TYPE_CHECKING:
    import pandas as pd
    from Bio.PDB.Structure import Structure as BioStructure

__all__ = ["Structure", "LigandKey", "CHAIN_COLUMNS", "RESIDUE_COLUMNS", "LIGAND_COLUMNS", "NUCLEOTIDES"]

CHAIN_COLUMNS = [
    "entry", "chain", "entity_id", "description", "subunit", "uniprot_acc", "uniprot_id",
    "species", "n_residues", "first_res", "last_res", "numbering_check",
]  # fmt: skip
RESIDUE_COLUMNS = [
    "entry", "chain", "subunit", "res_name", "one_letter", "auth_seq_id", "ins_code",
    "uniprot_num", "uniprot_acc", "n_atoms",
]  # fmt: skip
#: Standard ribo- and deoxyribonucleotide residue names (polymer when written as ATOM records).
NUCLEOTIDES = ("A", "C", "G", "U", "I", "N", "DA", "DC", "DG", "DT", "DU", "DI", "DN")

LIGAND_COLUMNS = [
    "entry", "ccd_code", "name", "category", "chain", "auth_seq_id", "ins_code",
    "label_asym", "n_atoms", "n_heavy_atoms", "in_ccd",
]  # fmt: skip


def _one_letter(name: str) -> str:
    """One-letter code; modified residues by their CCD parent (MSE -> M), nucleotides and others X."""
    one = THREE_TO_ONE.get(name)
    if one is not None:
        return one
    if name in NUCLEOTIDES:
        return "X"
    from .io.ccd import one_letter

    return one_letter(name)


@dataclass(frozen=True)
class LigandKey:
    """One ligand instance: CCD code, author chain, author residue number, insertion code.

    ``chain``/``res_id`` may be None when the code occurs once. Build one
    from any accepted form with :meth:`of`: a LigandKey, a code (``"JC9"``),
    a ``"CODE:CHAIN:NUMBER[INS]"`` string, or a (code, chain, res_id) tuple.

    >>> k = LigandKey.of("JC9:B:903")
    >>> k, str(k)
    (LigandKey(code='JC9', chain='B', res_id=903, ins_code=''), 'JC9:B:903')
    >>> LigandKey.of("jc9", chain="B", res_id=903) == k
    True
    """

    code: str
    chain: str | None = None
    res_id: int | None = None
    ins_code: str = ""

    def __post_init__(self) -> None:
        from .errors import InvalidParameter

        if not isinstance(self.code, str) or not self.code.strip():
            raise InvalidParameter(f"a ligand key needs a CCD code, got {self.code!r}")
        object.__setattr__(self, "code", self.code.strip().upper())
        if self.chain is not None and not isinstance(self.chain, str):
            raise InvalidParameter(f"ligand chain must be a string, got {self.chain!r}")
        if self.res_id is not None:
            if isinstance(self.res_id, bool) or not isinstance(self.res_id, (int, np.integer)):
                raise InvalidParameter(f"ligand res_id must be an integer, got {self.res_id!r}")
            object.__setattr__(self, "res_id", int(self.res_id))

    @classmethod
    def of(cls, ligand: Any, chain: str | None = None, res_id: int | None = None, ins_code: str = "") -> LigandKey:
        """A key from a LigandKey, a code, ``"CODE:CHAIN:NUMBER"`` or a (code, chain, res_id) tuple.

        ``chain``/``res_id`` given here fill what ``ligand`` leaves open.
        """
        import re

        from .errors import InvalidParameter

        if isinstance(ligand, LigandKey):
            base = ligand
        elif isinstance(ligand, tuple) and 1 <= len(ligand) <= 4:
            base = cls(*ligand)
        elif isinstance(ligand, str):
            m = re.fullmatch(r"\s*([0-9A-Za-z]{1,5}):([^:\s]+):(-?\d+)([A-Za-z]?)\s*", ligand)
            base = cls(m[1], m[2], int(m[3]), m[4]) if m else cls(ligand)
        else:
            raise InvalidParameter(f"ligand must be a CCD code, 'CODE:CHAIN:NUMBER', a tuple or a LigandKey, got {ligand!r}")
        return cls(
            base.code, base.chain if chain is None else chain, base.res_id if res_id is None else res_id,
            base.ins_code or ins_code,
        )  # fmt: skip

    def __str__(self) -> str:
        if self.chain is None and self.res_id is None:
            return self.code
        return f"{self.code}:{self.chain or '?'}:{'' if self.res_id is None else self.res_id}{self.ins_code}"

    def atoms(self, structure: Structure, heavy: bool = True) -> np.ndarray:
        """Atom indices of the instance in ``structure`` (heavy atoms only by default).

        Raises
        ------
        LigandNotFound
            No such instance, or several and the key does not say which.
        """
        idx = structure.ligand_atoms(self)
        return idx[structure.heavy_mask[idx]] if heavy else idx

    def resolve(self, structure: Structure) -> LigandKey:
        """The full key (chain, number, insertion code) of the one instance this key names."""
        idx = structure.ligand_atoms(self)
        a = structure.atoms
        g = int(idx[0])
        return LigandKey(self.code, str(a["chain_id"][g]), int(a["res_id"][g]), str(a["ins_code"][g]))


@dataclass(eq=False)
class Structure:
    """One loaded entry (first model, altlocs resolved; see :mod:`toolkit.io.parse`).

    Create it with :func:`toolkit.load_structure`, not directly.

    Attributes
    ----------
    entry_id : str
        Upper-case PDB ID ("" for a file without one).
    atoms : dict of numpy arrays
        Per-atom arrays (read-only).
    meta : dict
        File metadata: title, method, resolution (Å), entities, UniProt
        references, citation, components, parsing policies.
    source : str
        Where the data came from (``cache``, ``mirror:PATH``, ``download:URL``,
        ``file:PATH``).
    """

    entry_id: str
    atoms: dict[str, np.ndarray]
    meta: dict[str, Any]
    source: str = ""
    _warned: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        for arr in self.atoms.values():
            arr.flags.writeable = False

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        return (
            f"<Structure {self.entry_id or '?'}: {self.n_atoms} atoms, "
            f"{len(self.chain_subunits)} chains, {self.method or '?'} {self.resolution or '?'} Å>"
        )

    @property
    def n_atoms(self) -> int:
        return int(self.atoms["coord"].shape[0])

    @property
    def coord(self) -> np.ndarray:
        """Atom coordinates in Å, shape ``(n_atoms, 3)``."""
        return self.atoms["coord"]

    @property
    def title(self) -> str | None:
        return self.meta.get("title")

    @property
    def method(self) -> str | None:
        return self.meta.get("method")

    @property
    def resolution(self) -> float | None:
        """Resolution in Å (None when the file gives none)."""
        return self.meta.get("resolution")

    @property
    def citation(self) -> dict[str, Any]:
        return self.meta.get("citation") or {}

    @cached_property
    def heavy_mask(self) -> np.ndarray:
        """True for heavy atoms (not hydrogen or deuterium)."""
        el = self.atoms["element"]
        out = (el != "H") & (el != "D")
        out.flags.writeable = False
        return out

    # ---------------------------------------------------------- residue index
    @cached_property
    def residue_starts(self) -> np.ndarray:
        """Index of the first atom of each residue (a residue = chain, number, insertion code, name)."""
        a = self.atoms
        n = self.n_atoms
        change = np.zeros(n, dtype=bool)
        change[0] = True
        for key in ("chain_id", "res_id", "ins_code", "res_name", "label_asym"):
            v = a[key]
            change[1:] |= v[1:] != v[:-1]
        return np.flatnonzero(change)

    @cached_property
    def residue_index(self) -> np.ndarray:
        """Residue number (0-based position in :attr:`residue_starts`) of every atom."""
        idx = np.zeros(self.n_atoms, dtype=np.int64)
        idx[self.residue_starts[1:]] = 1
        return np.cumsum(idx)

    @cached_property
    def _residue_kind(self) -> np.ndarray:
        """Per residue: 1 = protein monomer in a chain, 2 = nucleotide in a chain, 0 = not polymer.

        ATOM records of standard amino acids and nucleotides are polymer. Any
        other residue (HETATM, non-standard) is polymer only when it is a
        monomer (CCD type ``... PEPTIDE LINKING`` / ``DNA|RNA LINKING``, or a
        chain cap, :func:`toolkit.io.ccd.monomer_kind`) covalently bonded
        (heavy atoms < 2.0 Å) to the previous or next residue of the same
        chain that is itself polymer: modified residues (MSE, TPO, SEP, CAS)
        and caps (ACE, NME) stay in their chain; a free amino acid written as
        HETATM (the ARG of 3EMS, the GLN of 5DDR) and glycans stay ligands.
        """
        a = self.atoms
        st = self.residue_starts
        n_res = len(st)
        if not n_res:
            return np.zeros(0, dtype=np.int8)
        names = a["res_name"][st]
        het = a["hetero"][st]
        kind = np.zeros(n_res, dtype=np.int8)
        kind[is_amino_acid(names) & ~het] = 1
        kind[np.isin(names, NUCLEOTIDES) & ~het] = 2
        todo = set(np.flatnonzero((kind == 0) & ~np.isin(names, ("HOH", "WAT", "DOD"))).tolist())
        if not todo:
            return kind
        ends = np.append(st[1:], self.n_atoms)
        chains = a["chain_id"][st]
        heavy = self.heavy_mask
        xyz = self.coord

        def linked(r: int, q: int) -> bool:
            if q < 0 or q >= n_res or chains[q] != chains[r]:
                return False
            x = xyz[st[r] : ends[r]][heavy[st[r] : ends[r]]]
            y = xyz[st[q] : ends[q]][heavy[st[q] : ends[q]]]
            if not len(x) or not len(y):
                return False
            return bool((np.linalg.norm(x[:, None, :] - y[None, :, :], axis=2) < 2.0).any())

        from .io.ccd import monomer_kind

        changed = True
        while changed:
            changed = False
            for r in sorted(todo):
                if not any(kind[q] and linked(r, q) for q in (r - 1, r + 1) if 0 <= q < n_res):
                    continue
                mk = monomer_kind(str(names[r]))
                todo.discard(r)
                if mk is not None:
                    kind[r] = 1 if mk == "protein" else 2
                    changed = True
        return kind

    @cached_property
    def polymer_mask(self) -> np.ndarray:
        """True for atoms of polymer residues: amino acids and nucleotides of chains (see :attr:`protein_mask`).

        Modified residues and caps bonded into a chain are polymer; free amino
        acids written as HETATM, glycans, ions and other components are not.
        """
        return (self._residue_kind > 0)[self.residue_index]

    @cached_property
    def protein_mask(self) -> np.ndarray:
        """True for atoms of the protein part of the polymer (amino acids, modified residues, caps)."""
        return (self._residue_kind == 1)[self.residue_index]

    # ---------------------------------------------------------------- chains
    def _chain_refs(self, chain: str) -> list[dict[str, Any]]:
        return [r for r in self.meta.get("ref_seq", []) if r.get("chain_id") == chain]

    @cached_property
    def chain_subunits(self) -> dict[str, str]:
        """Author chain -> subunit name (GluN1, GluN2B, antibody, other), polymer chains only."""
        a = self.atoms
        poly = self.polymer_mask
        out: dict[str, str] = {}
        chains, first = np.unique(a["chain_id"][poly], return_index=True)
        order = np.argsort(first)
        ent = self.meta.get("entities", {})
        for ch in chains[order]:
            ch = str(ch)
            refs = [r for r in self._chain_refs(ch) if (r.get("db_name") or "UNP") == "UNP"]
            eid = str(a["entity_id"][poly & (a["chain_id"] == ch)][0])
            desc = (ent.get(eid) or {}).get("description")
            name = "other"
            for r in refs:
                name = identify_subunit(r.get("accession"), r.get("db_code"), None)
                if name != "other":
                    break
            if name == "other":
                name = identify_subunit(None, None, desc)
            out[ch] = name
        return out

    @cached_property
    def uniprot_num(self) -> np.ndarray:
        """Per-atom UniProt residue number (``-1`` where the file gives no mapping)."""
        a = self.atoms
        out = np.full(self.n_atoms, -1, dtype=np.int32)
        poly = self.polymer_mask
        for r in self.meta.get("ref_seq", []):
            if r.get("db_beg") is None or (r.get("db_name") or "UNP") != "UNP":
                continue
            on_chain = poly & (a["chain_id"] == r.get("chain_id"))
            if r.get("seq_beg") is not None and r.get("seq_end") is not None and (a["label_seq"][on_chain] >= 0).any():
                s = a["label_seq"]
                m = on_chain & (s >= r["seq_beg"]) & (s <= r["seq_end"])
                out[m] = s[m] - r["seq_beg"] + r["db_beg"]
            elif r.get("auth_beg") is not None and r.get("auth_end") is not None:
                s = a["res_id"]
                m = on_chain & (s >= r["auth_beg"]) & (s <= r["auth_end"]) & (a["ins_code"] == "")
                out[m] = s[m] - r["auth_beg"] + r["db_beg"]
        out.flags.writeable = False
        return out

    def _chain_accession(self, chain: str) -> tuple[str | None, str | None]:
        for r in self._chain_refs(chain):
            if (r.get("db_name") or "UNP") == "UNP":
                return r.get("accession"), r.get("db_code")
        return None, None

    def numbering_check(self, chain: str) -> str:
        """Check a chain's UniProt numbering against literature anchors.

        Returns ``"ok (...)"`` when every anchor residue present in the chain
        has the expected amino acid and the SYTANLAAF motif starts at the
        expected UniProt number; ``"mismatch: ..."`` otherwise (and warns);
        ``"not covered"`` when the chain holds no anchor; ``"no anchors"`` for
        subunits without anchors; ``"unmapped"`` without a UniProt mapping.
        """
        check_str(chain, "chain")
        subunit = self.chain_subunits.get(chain, "other")
        anchors = [x for x in ANCHORS if x.subunit == subunit]
        if not anchors:
            return "no anchors"
        res = self.residues(chain=chain)
        if (res["uniprot_num"] < 0).all():
            return "unmapped"
        by_num = dict(zip(res["uniprot_num"], res["one_letter"]))
        checked, problems = [], []
        for x in anchors:
            got = by_num.get(x.uniprot_num)
            if got is None:
                continue
            checked.append(f"{x.residue}{x.uniprot_num}")
            if got != x.residue:
                problems.append(f"{subunit} {x.uniprot_num} is {got}, expected {x.residue} ({x.role})")
        seq = "".join(res["one_letter"])
        pos = seq.find(MOTIF)
        if pos >= 0 and subunit in MOTIF_START:
            start = int(res["uniprot_num"].iloc[pos])
            checked.append(f"{MOTIF}@{start}")
            if start != MOTIF_START[subunit]:
                problems.append(f"{MOTIF} starts at {start}, expected {MOTIF_START[subunit]}")
        if problems:
            msg = f"{self.entry_id} chain {chain}: " + "; ".join(problems)
            if msg not in self._warned:
                self._warned.add(msg)
                warnings.warn(msg, NumberingWarning, stacklevel=2)
            return "mismatch: " + "; ".join(problems)
        return f"ok ({', '.join(checked)})" if checked else "not covered"

    def chains(self) -> pd.DataFrame:
        """One row per polymer chain (columns :data:`CHAIN_COLUMNS`)."""
        import pandas as pd

        a = self.atoms
        ent = self.meta.get("entities", {})
        rows = []
        for ch, subunit in self.chain_subunits.items():
            mask = self.polymer_mask & (a["chain_id"] == ch)
            eid = str(a["entity_id"][mask][0])
            acc, code = self._chain_accession(ch)
            res_ids = a["res_id"][self.residue_starts[np.isin(self.residue_starts, np.flatnonzero(mask))]]
            e = ent.get(eid) or {}
            rows.append(
                {
                    "entry": self.entry_id,
                    "chain": ch,
                    "entity_id": eid,
                    "description": e.get("description"),
                    "subunit": subunit,
                    "uniprot_acc": acc,
                    "uniprot_id": code,
                    "species": e.get("species"),
                    "n_residues": len(res_ids),
                    "first_res": int(res_ids.min()) if len(res_ids) else None,
                    "last_res": int(res_ids.max()) if len(res_ids) else None,
                    "numbering_check": self.numbering_check(ch),
                }
            )
        return pd.DataFrame(rows, columns=CHAIN_COLUMNS)

    # --------------------------------------------------------------- residues
    def residues(self, chain: str | None = None) -> pd.DataFrame:
        """Polymer residues (columns :data:`RESIDUE_COLUMNS`), in file order.

        ``auth_seq_id``/``ins_code`` are the author numbering of the file;
        ``uniprot_num`` is the UniProt position (initiator Met = 1), ``-1``
        where unmapped.
        """
        import pandas as pd

        check_str(chain, "chain", optional=True)
        a = self.atoms
        starts = self.residue_starts
        counts = np.diff(np.append(starts, self.n_atoms))
        keep = self.polymer_mask[starts]
        if chain is not None:
            keep &= a["chain_id"][starts] == chain
        s = starts[keep]
        chains = a["chain_id"][s]
        subunits = np.array([self.chain_subunits.get(c, "other") for c in chains.tolist()], dtype=object)
        accs = {c: self._chain_accession(c)[0] for c in np.unique(chains).tolist()}
        names = a["res_name"][s]
        return pd.DataFrame(
            {
                "entry": self.entry_id,
                "chain": chains.astype(object),
                "subunit": subunits,
                "res_name": names.astype(object),
                "one_letter": [_one_letter(x) for x in names.tolist()],
                "auth_seq_id": a["res_id"][s].astype(np.int64),
                "ins_code": a["ins_code"][s].astype(object),
                "uniprot_num": self.uniprot_num[s].astype(np.int64),
                "uniprot_acc": [accs[c] for c in chains.tolist()],
                "n_atoms": counts[keep].astype(np.int64),
            },
            columns=RESIDUE_COLUMNS,
        )

    def sequence(self, chain: str) -> str:
        """One-letter sequence of the observed residues of a chain ('' for a chain without polymer residues)."""
        check_str(chain, "chain")
        return "".join(self.residues(chain=chain)["one_letter"])

    # ---------------------------------------------------------------- ligands
    def ligands(self, category: str | None = None) -> pd.DataFrame:
        """Every non-polymer instance (columns :data:`LIGAND_COLUMNS`).

        ``name`` comes from the CCD (offline copy shipped by biotite), else from
        the file. ``category`` is one of :data:`toolkit.catalog.LIGAND_CATEGORIES`
        so that "the ligand" of 7EU8 (JC9) is told apart from its glycans.
        Components that the CCD lacks are kept, with ``in_ccd=False``, category
        ``unknown`` and an :class:`~toolkit.errors.UnknownComponentWarning`.

        Parameters
        ----------
        category
            Keep only this category (e.g. ``"ligand"``).
        """
        import pandas as pd

        from .catalog import LIGAND_CATEGORIES
        from .errors import InvalidParameter
        from .io.ccd import component_info

        if category is not None and category not in LIGAND_CATEGORIES:
            raise InvalidParameter(f"unknown ligand category {category!r}; expected one of {LIGAND_CATEGORIES}")

        a = self.atoms
        starts = self.residue_starts
        counts = np.diff(np.append(starts, self.n_atoms))
        nonpoly = ~self.polymer_mask[starts]
        heavy = np.add.reduceat(self.heavy_mask, starts) if self.n_atoms else np.array([])
        file_comps = self.meta.get("components", {})
        rows = []
        unknown = set()
        for i in np.flatnonzero(nonpoly):
            s = starts[i]
            code = str(a["res_name"][s])
            info = component_info(code)
            if info is None:
                unknown.add(code)
            name = (info or {}).get("name") or (file_comps.get(code) or {}).get("name")
            cat = component_category(code, (info or {}).get("type"), int(heavy[i]))
            rows.append(
                {
                    "entry": self.entry_id,
                    "ccd_code": code,
                    "name": name,
                    "category": cat,
                    "chain": str(a["chain_id"][s]),
                    "auth_seq_id": int(a["res_id"][s]),
                    "ins_code": str(a["ins_code"][s]),
                    "label_asym": str(a["label_asym"][s]),
                    "n_atoms": int(counts[i]),
                    "n_heavy_atoms": int(heavy[i]),
                    "in_ccd": info is not None,
                }
            )
        for code in sorted(unknown):
            key = f"unknown:{code}"
            if key not in self._warned:
                self._warned.add(key)
                warnings.warn(
                    f"{self.entry_id or 'structure'}: component {code!r} has no entry in the "
                    "Chemical Component Dictionary; it is listed with category 'unknown' and "
                    "cannot be templated (give a SMILES template instead)",
                    UnknownComponentWarning,
                    stacklevel=2,
                )
        df = pd.DataFrame(rows, columns=LIGAND_COLUMNS)
        if category is not None:
            df = df[df["category"] == category].reset_index(drop=True)
        return df

    def ligand_atoms(self, code: str | LigandKey, chain: str | None = None, res_id: int | None = None) -> np.ndarray:
        """Atom indices of one ligand instance (``code`` may be a :class:`LigandKey` or any form it accepts).

        Raises
        ------
        LigandNotFound
            No such component, or several instances and no chain/number given.
        """
        key = LigandKey.of(code, chain, res_id)
        code, chain, res_id = key.code, key.chain, key.res_id
        a = self.atoms
        m = (a["res_name"] == code) & ~self.polymer_mask
        if key.ins_code:
            m &= a["ins_code"] == key.ins_code
        if chain is not None:
            m &= a["chain_id"] == chain
        if res_id is not None:
            m &= a["res_id"] == res_id
        idx = np.flatnonzero(m)
        if idx.size == 0:
            present = sorted(set(self.ligands()["ccd_code"]))
            where = f" chain {chain}" if chain else ""
            where += f" residue {res_id}" if res_id is not None else ""
            raise LigandNotFound(
                f"{self.entry_id}: no ligand {code!r}{where}; components present: {', '.join(present) or 'none'}"
            )
        # one instance = one (chain, number, insertion code), even when its atoms are not contiguous
        # (e.g. hydrogens written after the heavy atoms)
        keys = sorted({f"{a['chain_id'][i]}:{a['res_id'][i]}{a['ins_code'][i]}" for i in idx.tolist()})
        if len(keys) > 1:
            raise LigandNotFound(
                f"{self.entry_id}: {len(keys)} instances of {code!r} ({', '.join(keys)}); "
                "give chain= and res_id="
            )
        return idx

    # ----------------------------------------------------------------- interop
    def select(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """Per-atom arrays (including ``uniprot_num``) restricted to a boolean mask (one value per atom)."""
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != (self.n_atoms,):
            raise InvalidParameter(
                f"mask must be a boolean array of one value per atom ({self.n_atoms}), "
                f"got {type(mask).__name__} of dtype {m.dtype} and shape {m.shape}"
            )
        out = {k: v[mask] for k, v in self.atoms.items()}
        out["uniprot_num"] = self.uniprot_num[mask]
        return out

    def to_biopython(self) -> BioStructure:
        """A :class:`Bio.PDB.Structure.Structure` built from the same atoms.

        Hetero residues get Biopython's ``H_<name>`` ids, waters ``W``.

        >>> from toolkit import load_structure  # doctest: +SKIP
        >>> bio = load_structure("7EU8").to_biopython()  # doctest: +SKIP
        >>> bio[0]["B"][("H_JC9", 903, " ")].get_resname()  # doctest: +SKIP
        'JC9'
        """
        from Bio.PDB.StructureBuilder import StructureBuilder

        a = self.atoms
        sb = StructureBuilder()
        sb.init_structure(self.entry_id or "structure")
        sb.init_model(0)
        current_chain = None
        starts = set(self.residue_starts.tolist())
        poly = self.polymer_mask
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(self.n_atoms):
                ch = str(a["chain_id"][i])
                if ch != current_chain:
                    sb.init_chain(ch)
                    current_chain = ch
                if i in starts:
                    name = str(a["res_name"][i])
                    field_ = " " if poly[i] else ("W" if name in ("HOH", "DOD", "WAT") else f"H_{name}")
                    sb.init_seg("    ")
                    sb.init_residue(name, field_, int(a["res_id"][i]), str(a["ins_code"][i]) or " ")
                x, y, z = a["coord"][i]
                nm = str(a["atom_name"][i])
                sb.init_atom(
                    nm, np.array([x, y, z], dtype="f"), float(a["b_factor"][i]), float(a["occupancy"][i]),
                    " ", nm.ljust(4) if len(nm) < 4 else nm, element=str(a["element"][i]).upper(),
                )  # fmt: skip
        return sb.get_structure()

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly overview: entry, title, method, resolution, chains, ligands."""
        chains = self.chains()
        ligs = self.ligands()
        return {
            "entry": self.entry_id,
            "title": self.title,
            "method": self.method,
            "resolution_A": self.resolution,
            "doi": self.citation.get("doi"),
            "n_atoms": self.n_atoms,
            "chains": chains.to_dict("records"),
            "ligands": ligs.to_dict("records"),
        }
