"""Receptor preparation for AutoDock Vina from a loaded :class:`~toolkit.model.Structure`.

Why not meeko's receptor preparation
------------------------------------
meeko (``mk_prepare_receptor``) matches every residue to a complete
template and drops residues that do not match. Cryo-EM models such as 7EU8
truncate many side chains (GluN2B L643 of the ketamine site among them):
on the 7EU8 pore region meeko 0.8 drops 166 of 451 residues, which would
open holes in the very site being docked. This module therefore types the
atoms as they are deposited (a documented equivalent of meeko's output for
the Vina scoring function):

* **Atoms kept**: protein atoms of the chosen chains (all chains by
  default), plus non-polymer components of the categories or CCD codes in
  ``keep`` (default: ions), minus the removed ligand instance(s) (default:
  every component of category ``'ligand'``, so the bound drug is removed).
  Water is removed by default. Hydrogens present in the file are dropped and
  polar hydrogens added by rule (below), so every input is treated alike.
* **AutoDock atom types**: carbon ``C``, aromatic ring carbons of
  Phe/Tyr/Trp/His ``A``; nitrogen ``N``, His Nδ1 ``NA`` (acceptor);
  oxygen ``OA``; sulfur ``SA``; selenium typed ``SA``; metals by element
  (Zn, Fe, Mg, Mn, Ca, ...); polar hydrogens ``HD``.
* **Kept non-polymer components** (cofactors such as haem, nucleotides,
  pterins, substrates, additives) are typed from their CCD definition
  (bond orders, charges and hydrogen counts via
  :func:`toolkit.ligand_to_mol`), by the AutoDock rules meeko applies to
  ligands: aromatic carbon ``A``; N and O carrying a hydrogen are donors
  (one ``HD`` written, as for the protein); N without hydrogen is an
  acceptor ``NA`` when it has a free lone pair (pyridine/imine N with two
  connections, nitrile N, non-conjugated amine), else ``N`` (haem pyrrole
  N bound to the iron, amide N); every O is an acceptor ``OA``.
  Carboxylic, phosphoric and sulfonic acid O-H groups are taken as
  deprotonated at pH 7.4 (acceptors only). A component the CCD cannot
  type (unknown code, atoms missing) is typed by element and named in a
  :class:`~toolkit.errors.LossyFixWarning`. Metal ions stay single atoms
  typed by element (Vina's ``Met_D``).
* **Protonation (pH 7.4 standard states)**: backbone N–H (not Pro); Lys
  NZ and Arg NE/NH1/NH2 protonated (donors); Asp/Glu carboxylates
  deprotonated (acceptors only); His neutral Nε2–H tautomer (HIE: NE2
  donor, ND1 acceptor), except where a ring N coordinates a kept metal ion
  (within 2.6 Å): that N binds the metal with its lone pair and carries no
  H (acceptor ``NA``), the other ring N carries it (HID when NE2 binds,
  as at zinc sites); Ser/Thr/Tyr hydroxyls donor and acceptor; Asn/Gln
  amide N and Trp NE1 donors. One ``HD`` is written per donor atom, 1.01 Å
  from it, pointing away from its bonded heavy neighbours: Vina uses
  hydrogens only to mark donors (its hydrogen-bond term is distance-only
  between heavy atoms), so one approximate hydrogen per donor types the
  donor exactly as a fully protonated receptor would.
* **Protonation by pdb2pqr** (``protonation="pdb2pqr"``, an option; the
  ``pdb2pqr`` package of the ``docking`` extra). The standard preparation
  of docking receptors assigns His tautomers/charges and Asn/Gln/His side-
  chain flips from pKa values at the pH and an optimised hydrogen-bond
  network (PDB2PQR: Dolinsky et al. 2004, doi:10.1093/nar/gkh381; Jurrus
  et al. 2018, doi:10.1002/pro.3280; PROPKA 3: Olsson et al. 2011,
  doi:10.1021/ct100578z; the flips as in Reduce: Word et al. 1999,
  doi:10.1006/jmbi.1998.2401). pdb2pqr is run on the kept standard amino
  acids (the removed ligand, waters and cofactors are not given to it; kept
  metal ions are, so PROPKA counts their charge) at ``ph``, and only its
  *decisions* are read back onto the deposited heavy atoms: which N/O
  carries a hydrogen (donor ``HD``; His N without H typed ``NA``, with H
  ``N``; HIP has both; protonated Asp/Glu O become donors), and which
  Asn/Gln/His side chains it flipped (the deposited OD1 position then takes
  ND2's typing and vice versa; for His, ND1<->CD2 and NE2<->CE1). Its
  rebuilt atoms, hydrogens and moved coordinates are not used. Residues
  with truncated side chains (cryo-EM models: 7EU8 truncates about 1400
  of its residues) are handed to pdb2pqr as Ala (CB deposited) or Gly, so
  it sees complete residues and the network around them; they, residues
  whose heavy atoms pdb2pqr still had to rebuild, and non-standard residues
  keep the rule (``Receptor.states['kept_rule']``).
  A His N within 2.6 Å of a kept metal ion coordinates it: it carries no
  hydrogen, the other N does, and the ring is not flipped (pdb2pqr does
  not see the metal bond). When pdb2pqr gives up (e.g. a backbone-only
  model: it cannot rebuild that much and stops on a non-integral charge)
  the rule is used and a :class:`~toolkit.errors.LossyFixWarning` says
  why. Measured on the crystal redocking benchmark it gives the same
  top-1 success as the rule, 1/4 (``benchmarks/bench_docking.py``
  docstring): it changes no atom near the two ligands Vina mis-scores.
  It first showed that the rule's plain HIE put a donor H on the three
  zinc-bound His NE2 of 4gql (chemically impossible; those spurious
  H-bonds had held R47's deposited pose on top, the rule's third
  "success"): the rule now keeps the H off a metal-bound ring N (above),
  so pdb2pqr stays an option and the rule the default.
* **Crystal waters** (``keep=(..., "water")``, an option): every water
  oxygen is kept, typed ``OA`` with one ``HD`` (donor and acceptor, as
  Vina types a water it is given). Docking with the crystallographic
  waters is an established redocking variant (Roberts & Mancera 2008,
  doi:10.1021/ci700285e: waters kept in the binding site improved pose
  prediction), but in a *redocking* they are an information leak: the
  deposited waters fill the site everywhere except where the deposited
  ligand sits, so they steer the search toward the answer. The default
  therefore removes them; benchmark figures with them are reported
  separately (``benchmarks/bench_docking.py --waters``).
* **Charges**: written as 0.000. The Vina scoring function uses no partial
  charges (Trott & Olson 2010, doi:10.1002/jcc.21334; Eberhardt et al.
  2021, doi:10.1021/acs.jcim.1c00203); they would matter only for the AD4
  scoring function, which this module does not offer.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EmptyReceptor, InvalidParameter, LossyFixWarning

if TYPE_CHECKING:
    from ..model import Structure

__all__ = ["Receptor", "prepare_receptor", "PROTONATION_NOTE", "VINA_METALS"]

#: One-line statement of the receptor protonation used (stated in outputs).
PROTONATION_NOTE = (
    "receptor: deposited heavy atoms, polar H by rule at pH 7.4 standard states "
    "(Lys/Arg+, Asp/Glu-, His neutral HIE, the N-H away from a bound metal, backbone N-H), cofactors typed from the CCD (acids deprotonated), "
    "AutoDock types, no partial charges (Vina)"
)

#: Metal elements Vina types as metal donors (``Met_D`` in its atom typing).
VINA_METALS = ("Zn", "Fe", "Mg", "Mn", "Ca", "Cu", "Na", "K", "Ni", "Co", "Cd", "Hg")

_AROMATIC = {
    "PHE": ("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),
    "TYR": ("CG", "CD1", "CD2", "CE1", "CE2", "CZ"),
    "TRP": ("CG", "CD1", "CD2", "NE1", "CE2", "CE3", "CZ2", "CZ3", "CH2"),
    "HIS": ("CG", "ND1", "CD2", "CE1", "NE2"),
}
_SIDECHAIN_DONORS = {
    "LYS": ("NZ",), "ARG": ("NE", "NH1", "NH2"), "ASN": ("ND2",), "GLN": ("NE2",), "HIS": ("NE2",),
    "TRP": ("NE1",), "SER": ("OG",), "THR": ("OG1",), "TYR": ("OH",),
}  # fmt: skip
_BOND_MAX = 1.9  # Å, heavy-atom bond search for hydrogen placement
_H_DIST = 1.01  # Å, N-H / O-H


@dataclass(eq=False)
class Receptor:
    """A receptor ready for Vina.

    Attributes
    ----------
    structure : Structure
        The loaded entry it came from.
    atom_index : numpy.ndarray
        Indices (in ``structure.atoms``) of the heavy atoms kept, in file order.
    types : numpy.ndarray
        AutoDock atom type of each kept atom.
    pdbqt : str
        Rigid receptor PDBQT text (kept atoms plus one ``HD`` per donor).
    chains : list of str
        Author chains kept.
    removed : list of str
        Removed ligand instances as ``CODE chain:number``.
    kept_hetero : list of str
        Non-polymer components kept (``CODE chain:number``).
    n_polar_h : int
        Number of polar hydrogens written.
    protonation : str
        How the polar hydrogens were placed (:data:`PROTONATION_NOTE` for the rule).
    states : dict or None
        With ``protonation='pdb2pqr'``: ``'his'`` (``'chain:number'`` -> ``'HID'``/``'HIE'``/``'HIP'``),
        ``'flipped'`` (``'ASN A:85'``, ...) and ``'kept_rule'`` (residues left to the rule); None for the rule.
    """

    structure: Structure
    atom_index: np.ndarray
    types: np.ndarray
    pdbqt: str
    chains: list[str]
    removed: list[str]
    kept_hetero: list[str]
    n_polar_h: int
    protonation: str = PROTONATION_NOTE
    states: dict[str, Any] | None = None
    _tree: Any = field(default=None, repr=False)

    @property
    def coord(self) -> np.ndarray:
        """Coordinates (Å) of the kept heavy atoms."""
        return self.structure.coord[self.atom_index]

    @property
    def n_atoms(self) -> int:
        return int(self.atom_index.size)

    def tree(self) -> Any:
        """cKDTree of the kept heavy atoms (built once)."""
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.coord)
        return self._tree

    def __repr__(self) -> str:
        return (f"<Receptor {self.structure.entry_id}: {self.n_atoms} heavy atoms + {self.n_polar_h} polar H, "
                f"chains {','.join(self.chains)}, removed {', '.join(self.removed) or 'nothing'}>")  # fmt: skip

    def __getstate__(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["_tree"] = None
        return d


def _ccd_types(mol: Any) -> dict[int, tuple[str, bool]]:
    """AutoDock type and donor flag of each heavy atom of a CCD-templated component (module docstring rules)."""
    out: dict[int, tuple[str, bool]] = {}
    for at in mol.GetAtoms():
        sym = at.GetSymbol()
        nh = at.GetTotalNumHs()
        heavy_nb = [n for n in at.GetNeighbors() if n.GetAtomicNum() > 1]
        if sym == "O" and nh and heavy_nb:
            x = heavy_nb[0]
            oxo = any(b.GetBondTypeAsDouble() == 2.0 and b.GetOtherAtom(x).GetSymbol() == "O" for b in x.GetBonds())
            if x.GetSymbol() in ("P", "S") or (x.GetSymbol() == "C" and oxo):
                nh = 0  # acid O-H: deprotonated at pH 7.4
        if sym == "C":
            t = "A" if at.GetIsAromatic() else "C"
        elif sym == "N":
            amide = any(n.GetSymbol() == "C" and any(b.GetBondTypeAsDouble() == 2.0 and b.GetOtherAtom(n).GetSymbol()
                        in ("O", "S") for b in n.GetBonds()) for n in heavy_nb)  # fmt: skip
            conn = at.GetDegree() + nh
            hyb = str(at.GetHybridization())
            lone_pair = at.GetFormalCharge() <= 0 and not amide and (
                (hyb == "SP") or (hyb in ("SP2",) and conn <= 2) or (at.GetIsAromatic() and conn <= 2)
                or (hyb == "SP3" and not any(n.GetIsAromatic() or n.GetHybridization() != at.GetHybridization()
                                             for n in heavy_nb if n.GetSymbol() == "C") and conn <= 3))  # fmt: skip
            t = "NA" if lone_pair else "N"
        elif sym == "O":
            t = "OA"
        elif sym in ("S", "Se"):
            t = "SA"
        elif sym in VINA_METALS or sym in ("F", "Cl", "Br", "I", "P"):
            t = sym
        else:
            continue
        out[int(at.GetIntProp("atom_index"))] = (t, sym in ("N", "O") and nh > 0)
    return out


def _type_hetero(structure: Structure, idx: np.ndarray, types: np.ndarray,
                 keys: list[tuple[str, str, int]]) -> np.ndarray:  # fmt: skip
    """Retype kept multi-atom components from the CCD in place; return their donor mask over ``idx``."""
    from ..chem.templates import ligand_to_mol
    from ..errors import ToolkitError

    donor = np.zeros(idx.size, dtype=bool)
    failed = []
    for code, chain, res_id in keys:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mol = ligand_to_mol(structure, code, chain, res_id)
            typed = _ccd_types(mol)
        except (ToolkitError, ValueError, RuntimeError) as exc:
            failed.append(f"{code} {chain}:{res_id} ({type(exc).__name__})")
            continue
        for ai, (t, d) in typed.items():
            k = int(np.searchsorted(idx, ai))
            if k < idx.size and idx[k] == ai:
                types[k] = t
                donor[k] = d
    if failed:
        warnings.warn(
            f"{structure.entry_id}: {', '.join(failed)} could not be typed from the CCD; typed by element "
            "(no donors, N not acceptor)",
            LossyFixWarning,
            stacklevel=3,
        )
    return donor


#: Standard amino acids handed to pdb2pqr (other polymer residues keep the rule).
_STANDARD_AA = frozenset(
    "ALA ARG ASN ASP CYS GLN GLU GLY HIS ILE LEU LYS MET PHE PRO SER THR TRP TYR VAL".split()
)
_BACKBONE = frozenset({"N", "CA", "C", "O", "OXT"})
#: Side-chain heavy atoms of each standard amino acid (fewer deposited = a truncated side chain).
_SIDECHAIN_HEAVY = {
    "ALA": 1, "ARG": 7, "ASN": 4, "ASP": 4, "CYS": 2, "GLN": 5, "GLU": 5, "GLY": 0, "HIS": 6, "ILE": 4,
    "LEU": 4, "LYS": 5, "MET": 4, "PHE": 7, "PRO": 3, "SER": 2, "THR": 3, "TRP": 10, "TYR": 8, "VAL": 3,
}  # fmt: skip
#: Side chains whose heavy atoms pdb2pqr may flip (H-bond network optimisation).
_FLIPPABLE = {"ASN": ("OD1", "ND2"), "GLN": ("OE1", "NE2"), "HIS": ("ND1", "CD2", "CE1", "NE2")}
_MATCH = 0.05  # Å, an unmoved heavy atom of pdb2pqr's output on its deposited position
_FLIP_MATCH = 0.7  # Å, a flipped heavy atom (chi rotated by 180 degrees) near the deposited partner position
#: Å, a His N this close to a kept metal ion coordinates it (Zn/Fe/Cu-N(His) 2.0-2.2 Å: Harding 2006,
#: doi:10.1107/S0907444906014594), so it carries no hydrogen and the ring is not flipped
_METAL_N = 2.6


def _metal_bound_his(xyz: np.ndarray, e: np.ndarray, res_name: np.ndarray, name: np.ndarray, is_poly: np.ndarray,
                     chain: np.ndarray, res_id: np.ndarray, ins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``(bound, other)`` masks: His ring N within :data:`_METAL_N` of a kept metal ion, and the
    other ring N of those His (when it is not bound too)."""
    from scipy.spatial import cKDTree

    metal = ~is_poly & np.isin(e, list(VINA_METALS))
    ring_n = is_poly & (res_name == "HIS") & np.isin(name, ["ND1", "NE2"])
    bound = np.zeros(len(e), dtype=bool)
    if metal.any() and ring_n.any():
        d, _ = cKDTree(xyz[metal]).query(xyz[ring_n])
        bound[np.flatnonzero(ring_n)[d <= _METAL_N]] = True
    keys = list(zip(chain.tolist(), res_id.tolist(), ins.tolist()))
    bound_res = {keys[k] for k in np.flatnonzero(bound).tolist()}
    other = ring_n & ~bound & np.array([k in bound_res for k in keys], dtype=bool)
    return bound, other


@dataclass
class _Pdb2pqrStates:
    """Polar-atom decisions of pdb2pqr over the receptor's kept atoms (positions ``k`` into ``idx``)."""

    role: dict[int, str]  # deposited atom -> atom name it takes (differs from its own name only if flipped)
    donor: dict[int, bool]  # kept atoms of the residues pdb2pqr handled -> its role carries an H in pdb2pqr's output
    his: dict[str, str]  # 'A:57' -> HID / HIE / HIP
    flipped: list[str]  # 'ASN A:85' ...
    kept_rule: list[str]  # residues left to the rule (side-chain heavy atoms missing, or not standard)


def _pdb2pqr_states(structure: Structure, idx: np.ndarray, is_poly: np.ndarray, ph: float,
                    metal_bound: np.ndarray) -> _Pdb2pqrStates:  # fmt: skip
    """Run pdb2pqr (PROPKA titration at ``ph``, H-bond network optimisation) on the kept protein atoms.

    ``metal_bound``: the His ring N that coordinate a kept metal ion (:func:`_metal_bound_his`);
    pdb2pqr does not see that bond, so those keep no H and their rings are not flipped.

    Only its decisions are read back (which polar atoms carry a hydrogen,
    which Asn/Gln/His side chains it flipped); its rebuilt atoms, hydrogens
    and coordinates are not used. Raises :class:`~toolkit.errors.MissingExtra`
    without pdb2pqr and ``RuntimeError``/``ValueError`` when pdb2pqr gives up.
    """
    import contextlib
    import io
    import logging
    import os
    import tempfile

    from scipy.spatial import cKDTree

    from ._extra import require

    require("pdb2pqr", what="prepare_receptor(protonation='pdb2pqr')")
    from pdb2pqr.main import run_pdb2pqr

    logging.captureWarnings(False)  # importing pdb2pqr sends every Python warning of the process to logging

    a = structure.atoms
    res_name = a["res_name"][idx].astype(str)
    sel = is_poly & np.isin(res_name, list(_STANDARD_AA))
    kk = np.flatnonzero(sel)
    chain = a["chain_id"][idx].astype(str)
    res_id = a["res_id"][idx].astype(int)
    ins = a["ins_code"][idx].astype(str)
    name = a["atom_name"][idx].astype(str)
    el = np.char.upper(a["element"][idx].astype(str))
    xyz = structure.coord[idx].astype(float)
    rkey = [f"{c}:{r}{i}" for c, r, i in zip(chain.tolist(), res_id.tolist(), ins.tolist())]
    members: dict[str, list[int]] = {}
    for k in kk.tolist():
        members.setdefault(rkey[k], []).append(k)
    # truncated side chains (cryo-EM models): written as Ala (CB kept) or Gly, so pdb2pqr sees complete residues
    # and the hydrogen-bond network around them; such residues keep the rule
    truncated = {rk: ("ALA" if "CB" in names else "GLY") for rk, m in members.items()
                 for names in [{name[k] for k in m}] if len(names - _BACKBONE) < _SIDECHAIN_HEAVY[res_name[m[0]]]}  # fmt: skip
    # one chain letter per author chain (pdb2pqr reads PDB columns); TER between chains
    letters = {c: chr(65 + i % 26) for i, c in enumerate(dict.fromkeys(chain[kk].tolist()))}
    lines = []
    prev = None
    for n, k in enumerate(kk.tolist()):
        rn = truncated.get(rkey[k], res_name[k])
        if rn != res_name[k] and name[k] not in _BACKBONE | ({"CB"} if rn == "ALA" else set()):
            continue
        if prev is not None and chain[k] != prev:
            lines.append("TER")
        prev = chain[k]
        nm = name[k] if len(name[k]) >= 4 else " " + name[k]
        lines.append(
            f"ATOM  {(n + 1) % 100000:5d} {nm:<4s} {rn:>3s} {letters[chain[k]]}{res_id[k] % 10000:4d}"
            f"{(ins[k] or ' ')[:1]}   {xyz[k, 0]:8.3f}{xyz[k, 1]:8.3f}{xyz[k, 2]:8.3f}  1.00  0.00          {el[k]:>2s}"
        )
    lines.append("TER")
    # kept metal ions as HETATM: PROPKA 3 counts their charge (its 'ions' parameters: Zn, Ca, Mg, Mn 2+, ...)
    for n, k in enumerate(np.flatnonzero(~is_poly & np.isin(np.char.capitalize(el), list(VINA_METALS))).tolist()):
        ion = el[k][:2]
        lines.append(
            f"HETATM{(kk.size + n + 1) % 100000:5d} {ion:<4s} {ion:>3s} Z{n % 10000:4d}    "
            f"{xyz[k, 0]:8.3f}{xyz[k, 1]:8.3f}{xyz[k, 2]:8.3f}  1.00  0.00          {ion:>2s}"
        )
    with tempfile.TemporaryDirectory() as d:
        inp, out = os.path.join(d, "in.pdb"), os.path.join(d, "out.pqr")
        with open(inp, "w") as fh:
            fh.write("\n".join(lines) + "\nEND\n")
        root = logging.getLogger()
        level = root.level
        logging.disable(logging.CRITICAL)  # pdb2pqr and propka log every step at INFO/WARNING
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run_pdb2pqr(["--ff", "AMBER", "--ffout", "AMBER", "--titration-state-method", "propka",
                             "--with-ph", f"{ph:g}", "--keep-chain", inp, out])  # fmt: skip
        finally:
            logging.disable(logging.NOTSET)
            root.setLevel(level)
        with open(out) as fh:
            pqr = [ln for ln in fh if ln.startswith(("ATOM", "HETATM"))]
    # group pdb2pqr's atoms by residue
    groups: dict[tuple[str, str, str], list[tuple[str, np.ndarray]]] = {}
    for ln in pqr:
        key = (ln[21], ln[22:27], ln[17:20].strip())
        groups.setdefault(key, []).append((ln[12:16].strip(), np.array([float(ln[30:38]), float(ln[38:46]), float(ln[46:54])])))
    tree = cKDTree(xyz[kk])
    out_st = _Pdb2pqrStates({}, {}, {}, [], [])
    handled: set[str] = set()
    for (_, _, rname), atoms in groups.items():
        heavy = [(n, p) for n, p in atoms if not n.startswith("H") and n != "OXT"]
        hyd = [p for n, p in atoms if n.startswith("H")]
        ca = next((p for n, p in heavy if n == "CA"), None)
        if ca is None:
            continue
        dist, j = tree.query(ca)
        if dist > _MATCH:
            continue
        rk = rkey[kk[j]]
        mine = members[rk]
        if rk in truncated or len(heavy) > len(mine):  # pdb2pqr rebuilt missing heavy atoms: its decision saw atoms we do not have
            out_st.kept_rule.append(f"{res_name[mine[0]]} {rk}")
            continue
        handled.add(rk)
        hname = {n: p for n, p in heavy}
        has_h = {n: bool(hyd) and bool((np.linalg.norm(np.array(hyd) - p, axis=1) < 1.2).any())
                 for n, p in heavy if n[0] in "NO"}  # fmt: skip
        base = res_name[mine[0]]
        flip = False
        bound = {name[k] for k in mine if metal_bound[k]}
        if bound:  # metal-bound His: the bound N carries no H, the other does; never flipped
            has_h = {**has_h, **{n: n not in bound for n in ("ND1", "NE2")}}
            rname = {frozenset({"NE2"}): "HID", frozenset({"ND1"}): "HIE"}.get(frozenset(bound), "HIS")
        for k in mine:
            role = name[k]
            if base in _FLIPPABLE and role in _FLIPPABLE[base] and not bound:
                cand = [(float(np.linalg.norm(hname[n] - xyz[k])), n) for n in _FLIPPABLE[base] if n in hname]
                d0, role = min(cand) if cand else (0.0, role)
                if role != name[k] and d0 < _FLIP_MATCH:
                    flip = True
                else:
                    role = name[k]
            out_st.role[k] = role
            out_st.donor[k] = has_h.get(role, False)  # a flipped His carbon position is never a donor
        if flip:
            out_st.flipped.append(f"{base} {rk}")
        if base == "HIS":
            out_st.his[rk] = rname if rname in ("HID", "HIE", "HIP") else {
                (True, False): "HID", (False, True): "HIE", (True, True): "HIP"}.get(
                (has_h.get("ND1", False), has_h.get("NE2", False)), rname)  # fmt: skip
    out_st.kept_rule += sorted({f"{res_name[k]} {rkey[k]}" for k in np.flatnonzero(is_poly).tolist()
                                if rkey[k] not in handled} - set(out_st.kept_rule))  # fmt: skip
    return out_st


def _his_counts(his: dict[str, str]) -> str:
    from collections import Counter

    c = Counter(his.values())
    return " ".join(f"{k} {c[k]}" for k in ("HID", "HIE", "HIP") if c[k]) or "none"


def _instances(structure: Structure, spec: Any) -> list[tuple[str, str | None, int | None]]:
    if isinstance(spec, str):
        return [(spec.upper(), None, None)]
    if isinstance(spec, tuple) and len(spec) == 3 and isinstance(spec[0], str):
        return [(spec[0].upper(), spec[1], None if spec[2] is None else int(spec[2]))]
    if isinstance(spec, Sequence):
        return [x for s in spec for x in _instances(structure, s)]
    raise InvalidParameter(f"remove must be a CCD code, a (code, chain, res_id) tuple or a list of them, got {spec!r}")


def prepare_receptor(
    structure: Structure,
    chains: Sequence[str] | None = None,
    *,
    remove: Any = None,
    keep: Sequence[str] = ("ion",),
    protonation: str = "rule",
    ph: float = 7.4,
) -> Receptor:
    """Select, protonate (by rule) and type a receptor for Vina.

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    chains
        Author chains to keep (default: every protein chain).
    remove
        Ligand instance(s) to remove: a CCD code (every instance), a
        ``(code, chain, res_id)`` tuple, or a list of them. Default: every
        component of category ``'ligand'`` (so the bound drug is removed).
    keep
        Non-polymer components to keep, by category (``'ion'``, ``'ligand'``,
        ``'additive'``, ...) or CCD code (``'HEM'``); the ``remove``
        instances are removed whatever ``keep`` says. Water is removed unless
        ``'water'`` is in ``keep`` (an option for redocking into the
        deposited complex: each water oxygen typed ``OA`` with one ``HD``,
        donor and acceptor; see the module docstring for what it implies).
    protonation
        ``'rule'`` (default: standard states at pH 7.4, His HIE, no flips) or
        ``'pdb2pqr'`` (PROPKA titration at ``ph`` and H-bond network
        optimisation by pdb2pqr: His HID/HIE/HIP, Asn/Gln/His flips,
        protonated Asp/Glu; see the module docstring). Needs the ``pdb2pqr``
        package of the ``docking`` extra.
    ph
        pH of the pdb2pqr titration (default 7.4; the rule is for pH 7.4).

    Returns
    -------
    Receptor

    Raises
    ------
    EmptyReceptor
        No protein atom is left after the selection.
    InvalidParameter
        Unknown chain, bad ``remove``.
    LigandNotFound
        A ``remove`` instance is not in the structure.
    MissingExtra
        ``protonation='pdb2pqr'`` without the ``pdb2pqr`` package.

    Warns
    -----
    LossyFixWarning
        Atoms of elements Vina cannot type were dropped; pdb2pqr gave up
        (the rule is used instead, the warning says why).

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> r = prepare_receptor(s)  # doctest: +SKIP
    >>> r.removed  # doctest: +SKIP
    ['JC9 B:903']
    """
    from .._checks import check_structure

    check_structure(structure)
    if not isinstance(protonation, str) or protonation not in ("rule", "pdb2pqr"):
        raise InvalidParameter(f"protonation must be 'rule' or 'pdb2pqr', got {protonation!r}")
    if isinstance(ph, bool) or not isinstance(ph, (int, float, np.integer, np.floating)) or not 0.0 <= float(ph) <= 14.0:
        raise InvalidParameter(f"ph must be a number from 0 to 14, got {ph!r}")
    a = structure.atoms
    el = np.char.capitalize(a["element"].astype(str))
    heavy = (el != "H") & (el != "D")
    poly = structure.polymer_mask
    all_chains = list(structure.chain_subunits)
    if chains is None:
        chains = all_chains
    else:
        chains = [str(c) for c in ([chains] if isinstance(chains, str) else chains)]
        bad = [c for c in chains if c not in all_chains]
        if bad:
            raise InvalidParameter(f"{structure.entry_id}: no protein chain {', '.join(bad)}; chains: {', '.join(all_chains)}")
    keep_atoms = poly & heavy & np.isin(a["chain_id"], chains)
    if not keep_atoms.any():
        raise EmptyReceptor(
            f"{structure.entry_id}: no protein atom left after selecting chains {chains} "
            f"(protein chains: {', '.join(all_chains) or 'none'})"
        )
    # non-polymer components
    ligs = structure.ligands()
    if remove is None:
        rem = ligs[ligs["category"] == "ligand"]
        remove_keys = {(r.ccd_code, r.chain, int(r.auth_seq_id)) for r in rem.itertuples()}
    else:
        remove_keys = set()
        for code, ch, rid in _instances(structure, remove):
            idx = structure.ligand_atoms(code, chain=ch, res_id=rid) if (ch is not None or rid is not None) else None
            if idx is None:
                sel = ligs[ligs["ccd_code"] == code]
                if sel.empty:
                    structure.ligand_atoms(code)  # raises LigandNotFound with the components present
                remove_keys |= {(r.ccd_code, r.chain, int(r.auth_seq_id)) for r in sel.itertuples()}
            else:
                i = int(idx[0])
                remove_keys.add((code, str(a["chain_id"][i]), int(a["res_id"][i])))
    keep_set = {str(k) for k in keep}
    keep_water = "water" in keep_set or "HOH" in keep_set
    kept_het: list[str] = []
    kept_keys: list[tuple[str, str, int]] = []
    het_mask = np.zeros(structure.n_atoms, dtype=bool)
    for r in ligs.itertuples():
        key = (r.ccd_code, r.chain, int(r.auth_seq_id))
        if key in remove_keys or (r.category == "water" and not keep_water):
            continue
        if r.category in keep_set or r.ccd_code in keep_set:
            m = (a["res_name"] == r.ccd_code) & (a["chain_id"] == r.chain) & (a["res_id"] == int(r.auth_seq_id)) & ~poly
            het_mask |= m & heavy
            kept_het.append(f"{r.ccd_code} {r.chain}:{int(r.auth_seq_id)}")
            if int(r.n_heavy_atoms) > 1:
                kept_keys.append(key)
    sel = keep_atoms | het_mask
    idx = np.flatnonzero(sel)
    res_name = a["res_name"][idx].astype(str)
    name = a["atom_name"][idx].astype(str)
    e = el[idx]
    is_poly = poly[idx]
    types = np.full(idx.size, "", dtype="U2")
    types[e == "C"] = "C"
    arom = np.array([n in _AROMATIC.get(r, ()) for r, n in zip(res_name.tolist(), name.tolist())], dtype=bool) & is_poly
    types[(e == "C") & arom] = "A"
    types[e == "N"] = "N"
    types[(e == "N") & (res_name == "HIS") & (name == "ND1") & is_poly] = "NA"
    types[e == "O"] = "OA"
    types[(e == "S") | (e == "Se")] = "SA"
    for m in VINA_METALS:
        types[e == m] = m
    for x in ("F", "Cl", "Br", "I", "P"):
        types[e == x] = x
    untyped = types == ""
    if untyped.any():
        warnings.warn(
            f"{structure.entry_id}: {int(untyped.sum())} atoms of elements {sorted(set(e[untyped].tolist()))} "
            "have no Vina atom type and were dropped from the receptor",
            LossyFixWarning,
            stacklevel=2,
        )
        idx, types, res_name, name, e, is_poly = (x[~untyped] for x in (idx, types, res_name, name, e, is_poly))
    if not is_poly.any():
        raise EmptyReceptor(f"{structure.entry_id}: no protein atom left after typing")
    # polar hydrogens: one per donor atom
    donor = is_poly & (((name == "N") & (res_name != "PRO")) | np.array(
        [n in _SIDECHAIN_DONORS.get(r, ()) for r, n in zip(res_name.tolist(), name.tolist())], dtype=bool))  # fmt: skip
    het_donor = _type_hetero(structure, idx, types, kept_keys)
    donor |= het_donor
    donor |= ~is_poly & (e == "O") & np.isin(res_name, ["HOH", "DOD", "WAT"])  # water O: donor and acceptor
    # a His ring N that coordinates a kept metal ion binds it with its lone pair: no H there (an acceptor,
    # which Vina pairs with the metal), the ring's other N carries the H (HID/HIE by the metal, not HIE always)
    bound, other = _metal_bound_his(structure.coord[idx].astype(float), e, res_name, name, is_poly,
                                    a["chain_id"][idx].astype(str), a["res_id"][idx].astype(int),
                                    a["ins_code"][idx].astype(str))  # fmt: skip
    types[bound], donor[bound] = "NA", False
    types[other], donor[other] = "N", True
    note, states = PROTONATION_NOTE, None
    if protonation == "pdb2pqr":
        from ..errors import MissingExtra

        try:
            states = _pdb2pqr_states(structure, idx, is_poly, float(ph), bound)
        except MissingExtra:
            raise
        except Exception as exc:  # pdb2pqr gives up (RuntimeError/ValueError/KeyError ...): keep the rule
            why = exc.__cause__ if exc.__cause__ is not None and not str(exc) else exc
            warnings.warn(
                f"{structure.entry_id}: pdb2pqr could not assign the protein's protonation states "
                f"({type(why).__name__}: {' '.join(str(why).split())[:200]}); polar hydrogens placed by rule instead",
                LossyFixWarning,
                stacklevel=2,
            )
        if states is not None:
            for k, role in states.role.items():
                r = res_name[k]
                if role != name[k]:  # flipped side chain: the deposited atom takes its partner's chemistry
                    types[k] = {"OD1": "OA", "OE1": "OA", "ND2": "N", "NE2": "N", "ND1": "N", "CD2": "A", "CE1": "A"}[role]
                if r == "HIS" and role in ("ND1", "NE2"):
                    types[k] = "N" if states.donor.get(k, False) else "NA"
                if k in states.donor:
                    donor[k] = states.donor[k]
            note = (f"receptor: deposited heavy atoms, polar H from pdb2pqr (PROPKA at pH {float(ph):g}, H-bond network "
                    f"optimisation: His {_his_counts(states.his)}, {len(states.flipped)} Asn/Gln/His flipped"
                    f"{f', {len(states.kept_rule)} residues by rule' if states.kept_rule else ''}), cofactors typed "
                    "from the CCD (acids deprotonated), AutoDock types, no partial charges (Vina)")  # fmt: skip
    xyz = structure.coord[idx].astype(float)
    from scipy.spatial import cKDTree

    tree = cKDTree(xyz)
    h_pos: dict[int, np.ndarray] = {}
    for k in np.flatnonzero(donor).tolist():
        nbs = [j for j in tree.query_ball_point(xyz[k], _BOND_MAX) if j != k]
        if nbs:
            v = xyz[k] - xyz[nbs].mean(axis=0)
            n = np.linalg.norm(v)
            v = v / n if n > 1e-3 else np.array([1.0, 0.0, 0.0])
        else:
            v = np.array([1.0, 0.0, 0.0])
        h_pos[k] = xyz[k] + _H_DIST * v
    # write PDBQT
    chain_ids = a["chain_id"][idx].astype(str)
    res_ids = a["res_id"][idx].astype(int)
    ins = a["ins_code"][idx].astype(str)
    lines = []
    serial = 0
    for k in range(idx.size):
        serial += 1
        rec = "ATOM  " if is_poly[k] else "HETATM"
        nm = name[k] if len(name[k]) >= 4 else " " + name[k]
        lines.append(
            f"{rec}{serial % 100000:5d} {nm:<4s} {res_name[k][:3]:>3s} {chain_ids[k][:1]:1s}{res_ids[k] % 10000:4d}"
            f"{(ins[k] or ' ')[:1]}   {xyz[k, 0]:8.3f}{xyz[k, 1]:8.3f}{xyz[k, 2]:8.3f}  1.00  0.00    {0.0:+6.3f} {types[k]:<2s}"
        )
        if k in h_pos:
            serial += 1
            h = h_pos[k]
            lines.append(
                f"{rec}{serial % 100000:5d}  H   {res_name[k][:3]:>3s} {chain_ids[k][:1]:1s}{res_ids[k] % 10000:4d}"
                f"{(ins[k] or ' ')[:1]}   {h[0]:8.3f}{h[1]:8.3f}{h[2]:8.3f}  1.00  0.00    {0.0:+6.3f} HD"
            )
    removed = sorted(f"{c} {ch}:{rid}" for c, ch, rid in remove_keys)
    return Receptor(
        structure=structure, atom_index=idx, types=types, pdbqt="\n".join(lines) + "\n",
        chains=[c for c in all_chains if c in set(chains)], removed=removed, kept_hetero=kept_het,
        n_polar_h=len(h_pos), protonation=note,
        states=None if states is None else {"his": dict(states.his), "flipped": list(states.flipped),
                                            "kept_rule": list(states.kept_rule)},
    )  # fmt: skip
