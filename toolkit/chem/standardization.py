"""Standardise molecules before any calculation (RDKit ``rdMolStandardize``).

Steps, in order (each one recorded in :attr:`Standardized.changes`):

1. parse (SMILES or RDKit molecule) and sanitise; failure raises
   :class:`toolkit.errors.InvalidMolecule` naming the reason;
2. keep the largest organic fragment (``LargestFragmentChooser``: salts,
   counter-ions and solvents are stripped);
3. neutralise (``Uncharger``: protonates/deprotonates to the neutral form where
   possible; quaternary N and zwitterions that cannot be neutralised stay);
4. tautomers: by default the **input tautomer is kept** (``tautomer="keep"``),
   because canonicalisation can change the depicted chemistry of a
   registered compound (e.g. 7-chlorokynurenic acid's 4-quinolone). Pass
   ``tautomer="canonical"`` for RDKit's canonical tautomer
   (``TautomerEnumerator.Canonicalize``), useful to deduplicate a library.

The original input is kept next to the standardised SMILES.
Stereochemistry is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdkit import Chem

__all__ = ["Standardized", "standardize", "parse_smiles", "smiles_problem", "TAUTOMER_POLICIES"]

TAUTOMER_POLICIES = ("keep", "canonical")


@dataclass(frozen=True)
class Standardized:
    """Result of :func:`standardize`.

    Attributes
    ----------
    input : str
        The original input (SMILES as given, or the SMILES of an input molecule).
    mol : rdkit.Chem.Mol
        The standardised molecule.
    smiles : str
        Canonical isomeric SMILES of ``mol``.
    changes : tuple of str
        What was changed (``'largest_fragment'``, ``'neutralised'``, ``'tautomer'``); empty if nothing.
    """

    input: str
    mol: Any
    smiles: str
    changes: tuple[str, ...]


def smiles_problem(text: str) -> str | None:
    """Why ``text`` (already stripped of surrounding blanks) is not one SMILES, or None.

    RDKit stops reading a SMILES at the first blank and treats the rest as a
    name, so ``"CCO DROP TABLE"`` would silently become ethanol. A SMILES
    holds printable ASCII characters only (Weininger 1988; OpenSMILES 1.0
    grammar), so any blank (space, tab, newline) or non-ASCII character
    (e.g. the Arabic-Indic digit ``"\u0663"``) inside it is an error.

    >>> smiles_problem("CCO") is None
    True
    >>> smiles_problem("CCO DROP TABLE")
    "whitespace (' ') at position 4: one SMILES per cell/line, without spaces"
    """
    for i, ch in enumerate(text, 1):
        if ch.isspace():
            return f"whitespace ({ch!r}) at position {i}: one SMILES per cell/line, without spaces"
        if ord(ch) > 126 or ord(ch) < 33:
            return f"character {ch!r} (U+{ord(ch):04X}) at position {i} is not allowed in a SMILES (printable ASCII only)"
    return None


def parse_smiles(smiles: str) -> Chem.Mol:
    """Parse and sanitise a SMILES; raise :class:`~toolkit.errors.InvalidMolecule` with the reason.

    Examples
    --------
    >>> parse_smiles("CNC1(c2ccccc2Cl)CCCCC1=O").GetNumHeavyAtoms()
    16
    >>> parse_smiles("C(C)(C)(C)(C)C")
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidMolecule: SMILES 'C(C)(C)(C)(C)C' fails sanitisation: Explicit valence ...
    """
    from rdkit import Chem, rdBase

    from .._checks import shown
    from ..errors import InvalidMolecule

    if not isinstance(smiles, str):
        raise InvalidMolecule(f"expected a SMILES string, got {type(smiles).__name__}")
    if not smiles.strip():
        raise InvalidMolecule(f"empty SMILES: {smiles!r}")
    problem = smiles_problem(smiles.strip())
    if problem:
        raise InvalidMolecule(f"SMILES {shown(smiles)}: {problem}")
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles.strip(), sanitize=False)
        if mol is None:
            raise InvalidMolecule(f"SMILES {shown(smiles)} cannot be parsed (syntax error)")
        try:
            Chem.SanitizeMol(mol)
        except Exception as exc:  # RDKit raises several sanitisation exception types
            raise InvalidMolecule(f"SMILES {shown(smiles)} fails sanitisation: {_first_line(exc)}") from None
    return mol


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


_TOOLS: dict[str, Any] = {}


def _tools() -> dict[str, Any]:
    if not _TOOLS:
        from rdkit import Chem
        from rdkit.Chem.MolStandardize import rdMolStandardize as S

        _TOOLS["chooser"] = S.LargestFragmentChooser(preferOrganic=True)
        _TOOLS["uncharger"] = S.Uncharger()
        _TOOLS["tautomer"] = S.TautomerEnumerator()
        _TOOLS["charged"] = Chem.MolFromSmarts("[!+0]")
    return _TOOLS


def standardize_mol(mol: Chem.Mol, *, tautomer: str = "keep") -> tuple[Chem.Mol, tuple[str, ...]]:
    """Standardise a sanitised molecule; return ``(new_mol, changes)`` (see module docstring)."""
    from rdkit import Chem, rdBase

    from ..errors import InvalidParameter

    if tautomer not in TAUTOMER_POLICIES:
        raise InvalidParameter(f"tautomer must be one of {TAUTOMER_POLICIES}, got {tautomer!r}")
    t = _tools()
    changes: list[str] = []
    with rdBase.BlockLogs():
        if len(Chem.GetMolFrags(mol)) > 1:
            mol = t["chooser"].choose(mol)
            changes.append("largest_fragment")
        if mol.HasSubstructMatch(t["charged"]):
            before = Chem.MolToSmiles(mol)
            mol = t["uncharger"].uncharge(mol)
            if Chem.MolToSmiles(mol) != before:
                changes.append("neutralised")
        if tautomer == "canonical":
            before = Chem.MolToSmiles(mol)
            mol = t["tautomer"].Canonicalize(mol)
            if Chem.MolToSmiles(mol) != before:
                changes.append("tautomer")
    return mol, tuple(changes)


def standardize(mol_or_smiles: Any, *, tautomer: str = "keep") -> Standardized:
    """Standardise one molecule (largest fragment, neutralise, tautomer policy).

    Parameters
    ----------
    mol_or_smiles : str or rdkit.Chem.Mol
        SMILES or molecule.
    tautomer : {"keep", "canonical"}
        Keep the input tautomer (default) or use RDKit's canonical tautomer.

    Returns
    -------
    Standardized

    Raises
    ------
    toolkit.errors.InvalidMolecule
        The SMILES cannot be parsed or sanitised (the message says why).

    Examples
    --------
    >>> r = standardize("CNC1(c2ccccc2Cl)CCCCC1=O.Cl")   # ketamine hydrochloride
    >>> r.smiles, r.changes
    ('CNC1(c2ccccc2Cl)CCCCC1=O', ('largest_fragment',))
    >>> standardize("C[NH2+]C1(c2ccccc2Cl)CCCCC1=O").changes
    ('neutralised',)
    """
    from rdkit import Chem

    from ..errors import InvalidMolecule

    if isinstance(mol_or_smiles, str):
        mol = parse_smiles(mol_or_smiles)
        original = mol_or_smiles
    elif isinstance(mol_or_smiles, Chem.Mol):
        if mol_or_smiles.GetNumAtoms() == 0:
            raise InvalidMolecule("empty molecule (no atoms)")
        mol = Chem.Mol(mol_or_smiles)
        try:
            Chem.SanitizeMol(mol)
        except Exception as exc:
            raise InvalidMolecule(f"molecule fails sanitisation: {_first_line(exc)}") from None
        original = Chem.MolToSmiles(mol)
    else:
        raise InvalidMolecule(f"expected a SMILES string or an RDKit Mol, got {type(mol_or_smiles).__name__}")
    new, changes = standardize_mol(mol, tautomer=tautomer)
    return Standardized(input=original, mol=new, smiles=Chem.MolToSmiles(new), changes=changes)
