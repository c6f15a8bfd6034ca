"""Charge states at a pH, for the ligand and for the protein.

The Chemical Component Dictionary writes most components in a neutral form
(carboxylic acids, phosphoric acids and amines uncharged). Interactions that
depend on charge (salt bridges, cation-π) need the state at the pH of
interest, so both partners are charged here by rule.

Ligand
------
Ionisable groups are found by substructure (:data:`LIGAND_GROUPS`) on a
neutralised copy of the molecule, whatever charges the CCD wrote. Each group
has a typical pKa; the group is charged when that form is the major
microspecies at the pH (Henderson-Hasselbalch: an acid is deprotonated when
pH > pKa, a base protonated when pH < pKa). The pKa values are the class
means of the substructure table of Dimorphite-DL 2.1.0
(``site_substructures.smarts``; Ropp P.J. et al. (2019) Dimorphite-DL: an
open-source program for enumerating the ionization states of drug-like small
molecules. J Cheminform 11:14, doi:10.1186/s13321-019-0336-9), which compiles
them from measured values (R. Williams' pKa compilation and the primary
papers named there). A sourced pKa (an argument, or the ``pka`` column of the
ligand panel, e.g. ketamine 7.5, Merck Index) replaces the table value of the
most basic group of the molecule.

Protein
-------
Asp, Glu, His, Lys, Arg and the chain termini follow :data:`PROTEIN_PKA`,
the mean pKa values measured in folded proteins (Grimsley G.R., Scholtz J.M.,
Pace C.N. (2009) A summary of the measured pK values of the ionizable groups
in folded proteins. Protein Sci 18:247-251, doi:10.1002/pro.19; arginine:
Fitch C.A. et al. (2015) Arginine: its pKa value revisited. Protein Sci
24:752-761, doi:10.1002/pro.2647). At pH 7.4 Asp/Glu and the C-terminus are
anions, Lys/Arg and the N-terminus cations, His neutral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..errors import InvalidParameter

__all__ = [
    "IonisableGroup",
    "LIGAND_GROUPS",
    "PROTEIN_PKA",
    "ChargedGroup",
    "ChargeState",
    "check_ph",
    "ligand_charge_state",
    "plip_bond_orders",
    "plip_charge_state",
    "protein_group_charged",
    "sourced_pka",
]

#: Mean pKa of the ionisable groups of proteins (Grimsley et al. 2009, doi:10.1002/pro.19;
#: Arg: Fitch et al. 2015, doi:10.1002/pro.2647). NTERM/CTERM: alpha-amino/carboxyl termini.
PROTEIN_PKA: dict[str, float] = {
    "ASP": 3.5, "GLU": 4.2, "HIS": 6.6, "LYS": 10.5, "ARG": 13.8, "NTERM": 7.7, "CTERM": 3.3,
}  # fmt: skip
_PROTEIN_ACIDS = ("ASP", "GLU", "CTERM")

_DIMORPHITE = "Dimorphite-DL 2.1.0 table (Ropp et al. 2019, doi:10.1186/s13321-019-0336-9)"


@dataclass(frozen=True)
class IonisableGroup:
    """One class of ionisable group.

    ``smarts`` is matched on the neutral heavy-atom molecule; ``site`` is the
    index in the match of the atom that takes the charge (the acidic O, the
    basic N); ``centre`` the indices whose centroid is the charge centre (as
    PLIP: the O's of a carboxylate, the P/S of a phosphate/sulfonate, the N
    of an amine, the central C of an amidine/guanidine). ``pkas``: one pKa
    per proton (acids, in loss order), or ``()`` for a permanent charge.
    """

    name: str
    kind: str  # "acid", "base" or "permanent"
    smarts: str
    site: tuple[int, ...]
    centre: tuple[int, ...]
    pkas: tuple[float, ...]
    source: str = _DIMORPHITE


#: Ligand ionisable groups, in matching order (an atom belongs to the first group that claims it).
LIGAND_GROUPS: tuple[IonisableGroup, ...] = (
    IonisableGroup("quaternary ammonium", "permanent", "[NX4+;!$(N~[!#6])]", (0,), (0,), ()),
    IonisableGroup("sulfate", "acid", "[SX4](=O)(=O)([OX2H1,OX1-])[OX2]", (3,), (0,), (-2.36,)),
    IonisableGroup("sulfonate", "acid", "[SX4](=O)(=O)([OX2H1,OX1-])[#6,#7]", (3,), (0,), (-1.82,)),
    # phosphates/phosphonates: every P-OH is a site; pKa 1 and 2 of the Phosphate/Phosphonate entries,
    # polyphosphate internal P-OH 0.9
    IonisableGroup("phosphate", "acid", "[PX4](=O)([OX2H1,OX1-])([OX2H1,OX1-])[OX2]", (2, 3), (0,), (2.42, 6.51)),
    IonisableGroup("phosphonate", "acid", "[PX4](=O)([OX2H1,OX1-])([OX2H1,OX1-])[#6]", (2, 3), (0,), (1.88, 7.25)),
    IonisableGroup("phosphodiester", "acid", "[PX4](=O)([OX2H1,OX1-])([OX2])[OX2,#6]", (2,), (0,), (0.9,)),
    IonisableGroup("carboxylate", "acid", "[CX3](=O)[OX2H1,OX1-]", (2,), (1, 2), (3.46,)),
    IonisableGroup("tetrazole", "acid", "[nH1,n-]1nnnc1", (0,), (0, 1, 2, 3, 4), (5.18,)),
    IonisableGroup("tetrazole", "acid", "[nH1,n-]1nncn1", (0,), (0, 1, 2, 3, 4), (5.18,)),
    IonisableGroup("guanidine", "base", "[NX3;!$(N-C=O)]C(=[NX2;!$(N-C#N);!$(N-S(=O)=O);!$(N-[OX2]);!$(N-[N+](=O)[O-]);!$(N-N(=O)=O)])[NX3;!$(N-C=O)]", (2,), (1,), (12.03,)),
    IonisableGroup("amidine", "base", "[#6,#1]-[CX3](-[NX3;!$(N-c);!$(N-C=[O,S]);!$(N-[!#6;!#1])])=[NX2;!$(N-c);!$(N-C=[O,S,N]);!$(N-[!#6;!#1])]", (3,), (1,), (12.06,)),
    IonisableGroup("primary amine", "base", "[NX3;H2;+0;!$(N-[!$([CX4])])]", (0,), (0,), (10.55,)),
    IonisableGroup("secondary amine", "base", "[NX3;H1;+0;!$(N-[!$([CX4])]);!$([N;r3])]", (0,), (0,), (11.02,)),
    IonisableGroup("tertiary amine", "base", "[NX3;H0;+0;!$(N-[!$([CX4])]);!$([N;r3])]", (0,), (0,), (10.28,)),
)
# Amines with a deactivating neighbour (beta heteroatom or unsaturation, benzylic) fall back to the
# generic amine class mean 8.16 (Dimorphite-DL "Amines_primary_secondary_tertiary").
_DEACTIVATED_AMINE = "[NX3;+0]-[CX4]-[$([!#6;!#1]),$([#6]=,#*),$(c)]"
_GENERIC_AMINE_PKA = 8.16


@dataclass(frozen=True)
class ChargedGroup:
    """One group of the ligand charged at the pH (atom indices of the RDKit molecule)."""

    name: str
    charge: int
    atoms: tuple[int, ...]
    centre: tuple[int, ...]
    pka: float | None
    pka_source: str


@dataclass(frozen=True)
class ChargeState:
    """Charge state of a ligand at a pH: formal charge, charged groups and a human summary."""

    ph: float
    formal_charge: int
    groups: tuple[ChargedGroup, ...] = field(default_factory=tuple)
    description: str = ""

    def __str__(self) -> str:
        return self.description


def check_ph(ph: Any, name: str = "ph") -> float:
    """A pH as a float in [0, 14], else :class:`~toolkit.errors.InvalidParameter`.

    >>> check_ph(7.4)
    7.4
    """
    if isinstance(ph, bool) or (not isinstance(ph, (int, float)) and not hasattr(ph, "__float__")):
        raise InvalidParameter(f"{name} must be a number between 0 and 14, got {ph!r}")
    try:
        v = float(ph)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number between 0 and 14, got {ph!r}") from None
    if not math.isfinite(v) or not 0.0 <= v <= 14.0:
        raise InvalidParameter(f"{name} must be a number between 0 and 14, got {ph!r}")
    return v


def _check_mol(mol: Any) -> None:
    """An RDKit molecule, else :class:`~toolkit.errors.InvalidParameter`."""
    from rdkit import Chem

    from .._checks import shown

    if not isinstance(mol, Chem.Mol):
        raise InvalidParameter(
            f"mol must be an RDKit molecule (e.g. from ligand_to_mol), got {type(mol).__name__} {shown(mol)}"
        )


def _check_pka(pka: Any) -> float | None:
    if pka is None:
        return None
    if isinstance(pka, bool) or isinstance(pka, str):
        raise InvalidParameter(f"pka must be a number or None, got {pka!r}")
    try:
        v = float(pka)
    except (TypeError, ValueError):
        raise InvalidParameter(f"pka must be a number or None, got {pka!r}") from None
    if not math.isfinite(v) or not -10.0 <= v <= 25.0:
        raise InvalidParameter(f"pka must be a finite number between -10 and 25, got {pka!r}")
    return v


def protein_group_charged(group: str, ph: float) -> bool:
    """Whether a protein group (``ASP``, ``GLU``, ``HIS``, ``LYS``, ``ARG``, ``NTERM``, ``CTERM``) is charged.

    >>> protein_group_charged("HIS", 7.4), protein_group_charged("HIS", 5.0), protein_group_charged("ASP", 7.4)
    (False, True, True)
    """
    pka = PROTEIN_PKA[group]
    return ph > pka if group in _PROTEIN_ACIDS else ph < pka


@lru_cache(maxsize=1)
def _panel_pkas() -> dict[str, tuple[float, str]]:
    """CCD code -> (pKa, source) from the ``pka`` column of the packaged ligand panel (csv, no pandas)."""
    import csv
    import re
    from pathlib import Path

    out: dict[str, tuple[float, str]] = {}
    # the package's own data folder (a plain path: importlib.resources costs ~10 ms to import)
    with (Path(__file__).resolve().parents[1] / "data" / "ligand_panel.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                pka = float(row.get("pka") or "nan")
            except ValueError:
                continue
            if not math.isfinite(pka):
                continue
            for code in re.findall(r"\b[0-9A-Z]{3}\b", row.get("ccd_code") or ""):
                out.setdefault(code, (pka, row.get("pka_source") or "ligand panel"))
    return out


def sourced_pka(code: str | None) -> tuple[float, str] | None:
    """(pKa, source) of a CCD component from the ligand panel, or None.

    >>> sourced_pka("JC9")[0]
    7.5
    """
    if not code:
        return None
    return _panel_pkas().get(str(code).upper())


def _neutralise(mol: Any) -> Any:
    """Copy of ``mol`` with ionised acids/bases in their neutral form (nitro, N-oxides, quaternary N kept)."""
    from rdkit import Chem

    out = Chem.RWMol(mol)
    for at in out.GetAtoms():
        q = at.GetFormalCharge()
        nb_q = [n.GetFormalCharge() for n in at.GetNeighbors()]
        if q < 0 and at.GetSymbol() in ("O", "S", "N") and not any(c > 0 for c in nb_q):
            at.SetFormalCharge(0)
            at.SetNumExplicitHs(at.GetTotalNumHs() - q)
            at.SetNoImplicit(True)
        elif q > 0 and at.GetSymbol() == "N" and at.GetTotalNumHs() > 0 and not any(c < 0 for c in nb_q):
            at.SetFormalCharge(0)
            at.SetNumExplicitHs(at.GetTotalNumHs() - 1)
            at.SetNoImplicit(True)
    m = out.GetMol()
    m.UpdatePropertyCache(strict=False)
    return m


@lru_cache(maxsize=32)
def _patt(smarts: str) -> Any:
    from rdkit import Chem

    p = Chem.MolFromSmarts(smarts)
    if p is None:  # pragma: no cover - the table is tested
        raise ValueError(f"bad SMARTS {smarts}")
    return p


def ligand_charge_state(
    mol: Any, ph: float = 7.4, *, pka: float | None = None, pka_source: str | None = None, code: str | None = None
) -> tuple[Any, ChargeState]:
    """The ligand's major microspecies at ``ph``: (charged RDKit molecule, :class:`ChargeState`).

    Parameters
    ----------
    mol
        RDKit molecule (heavy atoms, CCD bond orders; any charge state).
    ph
        pH (0-14).
    pka, pka_source
        A sourced pKa for the most basic group (overrides the table value).
    code
        CCD code: when ``pka`` is None, a pKa from the ligand panel is used.

    Returns
    -------
    (rdkit.Chem.Mol, ChargeState)
        A new molecule with formal charges set on the charged sites (atom
        order, properties and conformer kept) and its charge state.

    Raises
    ------
    InvalidParameter
        ``mol`` is not an RDKit molecule, ``ph`` is outside 0-14, ``pka``
        outside -10 to 25, or ``pka_source``/``code`` is not a string.

    Examples
    --------
    >>> from rdkit import Chem
    >>> m, st = ligand_charge_state(Chem.MolFromSmiles("CNC1(c2ccccc2Cl)CCCCC1=O"), 7.4, pka=7.5,
    ...                             pka_source="Merck Index")
    >>> st.formal_charge, st.description
    (1, 'cation (+1) at pH 7.4: secondary amine N2 pKa 7.5 (Merck Index)')
    >>> ligand_charge_state(Chem.MolFromSmiles("CC(=O)O"), 7.4)[1].formal_charge
    -1
    """
    from rdkit import Chem

    from .._checks import check_str

    _check_mol(mol)
    ph = check_ph(ph)
    pka = _check_pka(pka)
    check_str(pka_source, "pka_source", optional=True)
    check_str(code, "code", optional=True)
    if pka is None and code is not None:
        hit = sourced_pka(code)
        if hit is not None:
            pka, pka_source = hit
    neutral = _neutralise(mol)
    claimed: set[int] = set()
    found: list[tuple[IonisableGroup, tuple[int, ...], list[float]]] = []
    deactivated = {m[0] for m in neutral.GetSubstructMatches(_patt(_DEACTIVATED_AMINE))}
    for g in LIGAND_GROUPS:
        for match in neutral.GetSubstructMatches(_patt(g.smarts)):
            sites = tuple(match[i] for i in g.site)
            if any(s in claimed for s in sites):
                continue
            claimed.update(sites)
            pkas = list(g.pkas)
            if g.kind == "base" and g.name.endswith("amine") and match[0] in deactivated:
                pkas = [_GENERIC_AMINE_PKA]
            found.append((g, match, pkas))
    # a sourced pKa replaces the table value of the most basic group
    override = None
    if pka is not None:
        bases = [k for k, (g, _, _) in enumerate(found) if g.kind == "base"]
        if bases:
            override = max(bases, key=lambda k: found[k][2][0])
    rw = Chem.RWMol(neutral)
    groups: list[ChargedGroup] = []
    for k, (g, match, pkas) in enumerate(found):
        src = g.source
        if k == override:
            pkas, src = [float(pka)], (pka_source or "given pKa")  # type: ignore[arg-type]
        centre = tuple(match[i] for i in g.centre)
        if g.kind == "permanent":
            groups.append(ChargedGroup(g.name, 1, (match[0],), centre, None, "permanent charge"))
            rw.GetAtomWithIdx(match[0]).SetFormalCharge(1)
            continue
        if g.kind == "acid":
            n = sum(1 for p in pkas if ph > p)
            sites = [match[i] for i in g.site][:n]
            for s in sites:
                at = rw.GetAtomWithIdx(s)
                at.SetFormalCharge(-1)
                at.SetNumExplicitHs(0)
                at.SetNoImplicit(True)
            if n:
                groups.append(ChargedGroup(g.name, -n, tuple(sites), centre, pkas[n - 1], src))
        else:
            if ph < pkas[0]:
                s = match[g.site[0]]
                at = rw.GetAtomWithIdx(s)
                at.SetNumExplicitHs(at.GetTotalNumHs() + 1)
                at.SetFormalCharge(1)
                at.SetNoImplicit(True)
                groups.append(ChargedGroup(g.name, 1, (s,), centre, pkas[0], src))
    out = rw.GetMol()
    out.UpdatePropertyCache(strict=False)
    charge = sum(a.GetFormalCharge() for a in out.GetAtoms())
    state = ChargeState(ph, int(charge), tuple(groups), _describe(out, ph, charge, groups))
    return out, state


def _describe(mol: Any, ph: float, charge: int, groups: list[ChargedGroup]) -> str:
    kind = "neutral" if charge == 0 else ("cation" if charge > 0 else "anion")
    head = f"{kind} ({charge:+d}) at pH {ph:g}" if charge else f"neutral at pH {ph:g}"
    if not groups:
        return head + ": no group ionised"
    parts = []
    for g in groups:
        names = ",".join(
            mol.GetAtomWithIdx(i).GetProp("atom_name") if mol.GetAtomWithIdx(i).HasProp("atom_name")
            else f"{mol.GetAtomWithIdx(i).GetSymbol()}{i + 1}"
            for i in g.atoms
        )  # fmt: skip
        pk = "" if g.pka is None else f" pKa {g.pka:g}"
        src = "" if g.pka_source.startswith("Dimorphite") else f" ({g.pka_source})"
        parts.append(f"{g.name} {names}{pk}{src}".rstrip())
    tail = "; ".join(parts)
    if any(g.pka_source.startswith("Dimorphite") for g in groups):
        tail += "; table pKa: Dimorphite-DL (Ropp 2019)"
    return f"{head}: {tail}"


def _plip_sp3_n(at: Any) -> bool:
    """Open Babel's sp3 nitrogen (``atomtyp.txt`` INTHYB rules): not aromatic, no multiple bond, and
    no C/N/O neighbour that carries a multiple or aromatic bond."""
    if at.GetIsAromatic() or any(b.GetBondTypeAsDouble() != 1 for b in at.GetBonds()):
        return False
    for nb in at.GetNeighbors():
        if nb.GetSymbol() in ("C", "N", "O") and (
            nb.GetIsAromatic() or any(b.GetBondTypeAsDouble() != 1 for b in nb.GetBonds())
        ):
            return False
    return True


def plip_charge_state(mol: Any) -> ChargeState:
    """Charged groups of a ligand as PLIP 3.0.1 types them (no pH model), for like-with-like comparison.

    PLIP (``plip.structure.preparation.Ligand.is_functional_group``; Salentin
    et al. 2015, doi:10.1093/nar/gkv315) finds charged groups on the heavy-atom
    graph, whatever the protonation: a nitrogen with four heavy neighbours
    (quaternary ammonium) or an sp3 nitrogen with three (tertiary amine; primary
    and secondary amines are *not* charged), a sulfur with three heavy
    neighbours ("sulfonium", which includes sulfoxides such as DMSO), a sulfur
    with three or four oxygens (sulfonate, sulfate), a phosphorus bonded only to
    oxygens (phosphate; phosphonates are not), a carbon bonded to two oxygens
    and one carbon (carboxylate, esters included) and a carbon bonded to three
    nitrogens one of which has no other heavy neighbour (guanidine, which
    includes guanine's C2). Centres as PLIP: the N/S/P atom, the carbon of a
    guanidine, the centroid of a carboxylate's oxygens.

    This is a convention, not chemistry at a pH: :func:`ligand_charge_state` is
    the toolkit's default. The molecule is not changed (its CCD form keeps the
    hydrogen-bond typing PLIP uses: neutral amines and acid OH as donors).

    >>> from rdkit import Chem
    >>> st = plip_charge_state(Chem.MolFromSmiles("CS(C)=O"))  # DMSO: PLIP's "sulfonium"
    >>> st.formal_charge, [g.name for g in st.groups]
    (1, ['sulfonium'])
    >>> [g.name for g in plip_charge_state(Chem.MolFromSmiles("CNC1(c2ccccc2Cl)CCCCC1=O")).groups]
    []
    """
    _check_mol(mol)
    groups: list[ChargedGroup] = []
    src = "PLIP 3.0.1 convention"
    for at in mol.GetAtoms():
        i, sym = at.GetIdx(), at.GetSymbol()
        nbs = list(at.GetNeighbors())
        el = [n.GetSymbol() for n in nbs]
        heavy = [n for n in nbs if n.GetAtomicNum() > 1]
        if sym == "N":
            if len(heavy) == 4:
                groups.append(ChargedGroup("quaternary ammonium", 1, (i,), (i,), None, src))
            elif len(heavy) >= 3 and _plip_sp3_n(at):
                groups.append(ChargedGroup("tertiary amine", 1, (i,), (i,), None, src))
        elif sym == "S":
            if len(heavy) == 3:
                groups.append(ChargedGroup("sulfonium", 1, (i,), (i,), None, src))
            elif el.count("O") == 3:
                ox = tuple(n.GetIdx() for n in nbs if n.GetSymbol() == "O")
                groups.append(ChargedGroup("sulfonate", -1, (i, *ox), (i,), None, src))
            elif el.count("O") == 4:
                groups.append(ChargedGroup("sulfate", -1, (i, *(n.GetIdx() for n in nbs)), (i,), None, src))
        elif sym == "P" and el and set(el) == {"O"}:
            groups.append(ChargedGroup("phosphate", -1, (i, *(n.GetIdx() for n in nbs)), (i,), None, src))
        elif sym == "C":
            if el.count("O") == 2 and el.count("C") == 1:
                ox = tuple(n.GetIdx() for n in nbs if n.GetSymbol() == "O")
                groups.append(ChargedGroup("carboxylate", -1, ox, ox, None, src))
            elif el.count("N") == 3 and len(nbs) == 3 and min(n.GetDegree() for n in nbs) == 1:
                nit = tuple(n.GetIdx() for n in nbs)
                groups.append(ChargedGroup("guanidine", 1, nit, (i,), None, src))
    charge = sum(g.charge for g in groups)
    names = "; ".join(f"{g.name} {','.join(_name(mol, k) for k in g.atoms)}" for g in groups) or "no charged group"
    return ChargeState(float("nan"), int(charge), tuple(groups), f"PLIP convention (no pH model), charge {charge:+d}: {names}")


#: Open Babel's covalent radii (Å; Cordero et al. 2008, doi:10.1039/B801115J) of C and O, for the double-bond
#: length test of ``OBMol::PerceiveBondOrders`` (its ``CorrectedBondRad``: x 0.95 for sp2).
_OB_RAD_C, _OB_RAD_O = 0.76, 0.66


def plip_bond_orders(mol: Any, metal_xyz: Any = None, metal_radius: Any = None, order: str = "file") -> Any:
    """Copy of ``mol`` with the bond orders and hydrogens Open Babel perceives when PLIP reads a PDB file.

    PLIP 3.0.1 reads the file with single bonds only and calls
    ``OBMol::PerceiveBondOrders`` (Open Babel 3, ``src/mol.cpp``); the CCD's
    bond orders (which :func:`~toolkit.chem.templates.ligand_to_mol` gives) and
    Open Babel's differ where a group has equivalent oxygens or nitrogens, and
    with them which atom carries the hydrogen, so which is a donor. Rules
    reproduced (``convention="plip"`` only):

    * carboxylic acids, ``data/bondtyp.txt`` rule ``[#6D3^2]([#8D1])([#8])*``
      (``OBBondTyper::AssignFunctionalGroupBonds``, ``src/bondtyper.cpp``): the
      C=O goes to the first terminal O in the carbon's bond list, the other O
      is single and gets the hydrogen;
    * phosphates and phosphonates, rule ``[#15D4]([#8D1])(*)(*)(*)``: the P=O
      goes to the first terminal O, every other terminal O gets a hydrogen;
    * a terminal O bonded to a metal ion is not ``D1`` (``OBMol::ConnectTheDots``
      bonds it, d < r_metal + r_O + 0.45 Å): it takes no double bond and no
      hydrogen;
    * "first" is in the bond list Open Babel builds from the file: the bonds of
      CONECT records come first, in their order (the wwPDB writes them, by
      atom serial, for every hetero group: ``order="file"``, the default);
      without CONECT records ``ConnectTheDots`` walks the atoms sorted by z, so
      the first O is the one of lowest z (``order="z"``, as for the Asp/Glu of
      the chains). Checked with Open Babel 3.1 on the 444 carboxyl and
      phosphate groups of the reference files: all 403 without CONECT records
      by z, 38 of the 40 with them by file order (the other two are formates,
      next rule); free amino acids written as HETATM without CONECT records
      (3EMS) are the exception the default order gets wrong;
    * a carbon with two terminal O and no other heavy neighbour (formate, its
      H not in the file) matches no rule; pass 6 makes a terminal bond double
      only when it is at most 0.93 x the sum of the corrected covalent radii
      (C sp2 0.95 x 0.76 Å, O 0.66 Å): a longer C-O stays single and its O
      gets a hydrogen; of the qualifying O the shortest bond is taken;
    * an acyclic guanidine with one substituted N (arginine, free or in a
      chain): the C=N goes to the substituted N, the terminal NH2 keep their
      hydrogens (pass 6; as Open Babel types every Arg NE of the reference
      files, :data:`toolkit.sites.detectors.PLIP_PROTEIN_TYPING`).

    Formal charges are left as they are (call on the neutral form).
    ``metal_xyz``: coordinates (N x 3) of the metal ions of the file;
    ``metal_radius``: their covalent radii (Å; default 1.5); ``order``:
    ``"file"`` or ``"z"`` (see above).

    >>> from rdkit import Chem
    >>> from rdkit.Chem import AllChem
    >>> m = Chem.AddHs(Chem.MolFromSmiles("CC(=O)O"))
    >>> _ = AllChem.EmbedMolecule(m, randomSeed=1)
    >>> m = Chem.RemoveHs(m)
    >>> out = plip_bond_orders(m)
    >>> sorted(at.GetTotalNumHs() for at in out.GetAtoms() if at.GetSymbol() == "O")
    [0, 1]
    """
    import numpy as np
    from rdkit import Chem

    _check_mol(mol)
    if order not in ("file", "z"):
        raise InvalidParameter(f"order must be 'file' or 'z', got {order!r}")
    if mol.GetNumConformers() == 0:
        return mol
    xyz = mol.GetConformer().GetPositions()
    metals = np.zeros((0, 3)) if metal_xyz is None else np.asarray(metal_xyz, dtype=float).reshape(-1, 3)
    rad = np.full(len(metals), 1.5) if metal_radius is None else np.asarray(metal_radius, dtype=float)

    def metal_bonded(i: int) -> bool:
        return bool(len(metals)) and bool(np.any(np.linalg.norm(metals - xyz[i], axis=1) < rad + _OB_RAD_O + 0.45))

    if order == "file":  # CONECT records: the bonds in file order of the partner atoms
        def first(k: int) -> float:
            at = mol.GetAtomWithIdx(k)
            return float(at.GetIntProp("atom_index")) if at.HasProp("atom_index") else float(k)
    else:  # ConnectTheDots: ascending z
        def first(k: int) -> float:
            return float(xyz[k][2])

    edits: list[tuple[int, list[tuple[int, int]], dict[int, int]]] = []  # (centre, [(nb, order)], {atom: n_H})
    for at in mol.GetAtoms():
        sym, i = at.GetSymbol(), at.GetIdx()
        if at.GetIsAromatic() or at.IsInRing():
            continue
        nbs = [n for n in at.GetNeighbors() if n.GetAtomicNum() > 1]
        term_o = [n.GetIdx() for n in nbs if n.GetSymbol() == "O" and n.GetDegree() == 1]
        free = sorted((k for k in term_o if not metal_bonded(k)), key=first)
        if sym == "C" and len(nbs) == 3 and len(term_o) == 2 and free:
            edits.append((i, [(k, 2 if k == free[0] else 1) for k in term_o],
                          {k: 0 if k == free[0] or k not in free else 1 for k in term_o}))  # fmt: skip
        elif sym == "C" and len(nbs) == 2 and len(term_o) == 2:
            limit = 0.93 * (0.95 * _OB_RAD_C + _OB_RAD_O)
            ok = sorted((k for k in free if np.linalg.norm(xyz[k] - xyz[i]) <= limit),
                        key=lambda k: float(np.linalg.norm(xyz[k] - xyz[i])))  # fmt: skip
            dbl = ok[0] if ok else -1
            edits.append((i, [(k, 2 if k == dbl else 1) for k in term_o],
                          {k: 0 if k == dbl or k not in free else 1 for k in term_o}))  # fmt: skip
        elif sym == "P" and len(nbs) == 4 and free:
            edits.append((i, [(k, 2 if k == free[0] else 1) for k in term_o],
                          {k: 0 if k == free[0] or k not in free else 1 for k in term_o}))  # fmt: skip
        elif sym == "C" and len(nbs) == 3 and all(n.GetSymbol() == "N" and not n.IsInRing() for n in nbs):
            sub = [n.GetIdx() for n in nbs if n.GetDegree() == 2]
            term = [n.GetIdx() for n in nbs if n.GetDegree() == 1]
            if len(sub) == 1 and len(term) == 2:
                edits.append((i, [(sub[0], 2), *((k, 1) for k in term)], {sub[0]: 0, term[0]: 2, term[1]: 2}))
    if not edits:
        return mol
    out = Chem.RWMol(mol)
    btype = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE}
    for centre, bonds, hs in edits:
        for k, bo in bonds:
            out.GetBondBetweenAtoms(centre, k).SetBondType(btype[bo])
        for k, n in hs.items():
            a = out.GetAtomWithIdx(k)
            a.SetNumExplicitHs(n)
            a.SetNoImplicit(True)
            a.SetNumRadicalElectrons(0)
    m = out.GetMol()
    m.UpdatePropertyCache(strict=False)
    Chem.SetHybridization(m)
    return m


def _name(mol: Any, i: int) -> str:
    at = mol.GetAtomWithIdx(i)
    return at.GetProp("atom_name") if at.HasProp("atom_name") else f"{at.GetSymbol()}{i + 1}"
