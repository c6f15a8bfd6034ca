"""Ligand chemistry from the Chemical Component Dictionary (CCD) or a SMILES template.

Coordinates in a PDB/mmCIF file carry no bond orders, formal charges or
hydrogens. :func:`ligand_to_mol` rebuilds a ligand instance as an RDKit
molecule with the structure's 3D coordinates and the chemistry of its CCD
entry (matched atom by atom on the atom names, heavy atoms only), or, for a
component absent from the CCD, of a user-supplied SMILES
(``AllChem.AssignBondOrdersFromTemplate``). Stereochemistry is assigned from
the 3D coordinates (``Chem.AssignStereochemistryFrom3D``), never from the
template.

The CCD is the copy shipped with biotite (``biotite.structure.info.get_ccd``);
only the rows of the requested component are decoded into a molecule (one
read of the dictionary file, about 1 s on first use, then cached).

Protonation rule (``ph`` and ``pka`` given): a basic amine is protonated
(formal charge +1 on its nitrogen) when the fraction protonated,
``1 / (1 + 10**(pH - pKa))`` (Henderson-Hasselbalch), is >= 0.5, i.e. when
``pH <= pKa``. Ketamine (pKa about 7.5, Merck Index) is therefore taken as
cationic at pH 7.4. The pKa is applied to every basic amine nitrogen of the
molecule (aliphatic amine N, not amide, not aniline, not N-N/N-O, not
already charged); molecules with several amines of different pKa must be
charged by the caller.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ComponentNotFound, InvalidParameter, LossyFixWarning, TemplateMismatch

if TYPE_CHECKING:
    from pathlib import Path

    from rdkit import Chem

    from ..model import Structure

__all__ = ["ccd_template", "ligand_to_mol", "protonate_amines", "fraction_protonated", "BASIC_AMINE_SMARTS"]

#: Basic (aliphatic) amine nitrogen: neutral sp3 N with no double/triple bond,
#: not bonded to an aromatic atom, a carbonyl/thiocarbonyl/imine/sulfonyl
#: carbon or sulfur/phosphorus, or another heteroatom (N, O).
BASIC_AMINE_SMARTS = (
    "[NX3;+0;!$(N-a);!$(N-[C,S,P]=[O,S,N]);!$(N-[S,P](=O));!$(N-[#7,#8]);!$(N-C#N)]"
)

_BOND_ORDERS = {"SING": 1, "DOUB": 2, "TRIP": 3, "QUAD": 4, "AROM": 12}


@lru_cache(maxsize=1)
def _ccd_tables() -> tuple[Any, Any]:
    from biotite.structure.info import get_ccd

    ccd = get_ccd()
    return ccd["chem_comp_atom"], ccd["chem_comp_bond"]


def _raw(cat: Any, key: str) -> dict[str, Any] | None:
    """The still-encoded BinaryCIF column ``key`` (None when unavailable or masked)."""
    el = getattr(cat, "_elements", {}).get(key)
    if not isinstance(el, dict) or el.get("mask") is not None or "data" not in el:
        return None
    return el["data"]


def _decode(cat: Any, key: str, rows: np.ndarray) -> np.ndarray:
    """Values of column ``key`` at ``rows`` only.

    BinaryCIF string columns are an index array into a table of unique
    strings; decoding the index array is fast, so only the strings of the
    requested rows are materialised (biotite would build all 2.3 million).
    Falls back to biotite's full decoding for any other layout.
    """
    from biotite.structure.io.pdbx.encoding import decode_stepwise, deserialize_encoding

    data = _raw(cat, key)
    encs = data["encoding"] if data else []
    if len(encs) == 1 and encs[0].get("kind") == "StringArray":
        sa = encs[0]
        idx = decode_stepwise(data["data"], [deserialize_encoding(e) for e in sa["dataEncoding"]])[rows]
        off = decode_stepwise(sa["offsets"], [deserialize_encoding(e) for e in sa["offsetEncoding"]])
        text = sa["stringData"]
        return np.array([text[off[i] : off[i + 1]] for i in idx.tolist()], dtype=str)
    return np.asarray(cat[key].as_array())[rows]


@lru_cache(maxsize=2)
def _comp_rows_index(which: str) -> tuple[np.ndarray, dict[str, int]] | None:
    """(per-row unique-string index, code -> unique index) of a ``comp_id`` column."""
    from biotite.structure.io.pdbx.encoding import decode_stepwise, deserialize_encoding

    cat = _ccd_tables()[0 if which == "atom" else 1]
    data = _raw(cat, "comp_id")
    encs = data["encoding"] if data else []
    if not (len(encs) == 1 and encs[0].get("kind") == "StringArray"):
        return None
    sa = encs[0]
    idx = decode_stepwise(data["data"], [deserialize_encoding(e) for e in sa["dataEncoding"]])
    off = decode_stepwise(sa["offsets"], [deserialize_encoding(e) for e in sa["offsetEncoding"]]).tolist()
    text = sa["stringData"]
    codes = {text[off[i] : off[i + 1]]: i for i in range(len(off) - 1)}
    return np.asarray(idx), codes


def _rows(which: str, code: str) -> np.ndarray:
    fast = _comp_rows_index(which)
    if fast is not None:
        idx, codes = fast
        u = codes.get(code)
        return np.flatnonzero(idx == u) if u is not None else np.array([], dtype=np.int64)
    cat = _ccd_tables()[0 if which == "atom" else 1]
    return np.flatnonzero(np.asarray(cat["comp_id"].as_array()) == code)


_COMPONENT_KEYS = ("atom_name", "element", "charge", "bond_1", "bond_2", "bond_order", "bond_arom", "ideal_xyz")


def _component_cache_path(code: str) -> Path | None:
    """On-disk copy of one component's atoms and bonds, keyed by the CCD version (None for odd codes)."""
    from ..io.ccd import component_cache_path

    return component_cache_path(code)


@lru_cache(maxsize=256)
def _ccd_component(code: str) -> dict[str, Any] | None:
    """Atoms and bonds of one CCD component (None when absent).

    Reading biotite's CCD takes about 0.3 s per process; a component once read
    is kept as JSON in the cache (``ccd/<version>/<code>.json``, written
    atomically; a damaged file is read again from the CCD), so later processes
    skip that read.
    """
    import json

    from ..io.cache import atomic_write_bytes

    path = _component_cache_path(code)
    if path is not None and path.is_file():
        try:
            comp = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(comp, dict) and all(k in comp for k in _COMPONENT_KEYS):
                return comp
        except (OSError, ValueError):
            pass
    comp = _ccd_component_from_tables(code)
    if comp is not None and path is not None:
        try:
            atomic_write_bytes(path, json.dumps(comp).encode("utf-8"))
        except OSError:  # a read-only cache only costs the CCD read next time
            pass
    return comp


def _ccd_component_from_tables(code: str) -> dict[str, Any] | None:
    atoms, bonds = _ccd_tables()
    ai = _rows("atom", code)
    if ai.size == 0:
        return None
    bi = _rows("bond", code)

    def col(cat: Any, key: str, rows: np.ndarray) -> list[str]:
        return [str(x) for x in _decode(cat, key, rows)] if rows.size else []

    try:
        xyz = np.stack([_decode(atoms, f"pdbx_model_Cartn_{c}_ideal", ai).astype(float) for c in "xyz"], axis=1)
        ideal = xyz.tolist() if np.isfinite(xyz).all() and not np.allclose(xyz, 0) else None
    except (KeyError, ValueError):
        ideal = None
    return {
        "ideal_xyz": ideal,
        "atom_name": col(atoms, "atom_id", ai),
        "element": [x.capitalize() for x in col(atoms, "type_symbol", ai)],
        "charge": [int(x) if x.lstrip("-").isdigit() else 0 for x in col(atoms, "charge", ai)],
        "bond_1": col(bonds, "atom_id_1", bi),
        "bond_2": col(bonds, "atom_id_2", bi),
        "bond_order": col(bonds, "value_order", bi),
        "bond_arom": col(bonds, "pdbx_aromatic_flag", bi),
    }


def _not_in_ccd(code: str) -> ComponentNotFound:
    from ..io.ccd import ccd_version

    return ComponentNotFound(
        f"{code!r} is not in the Chemical Component Dictionary ({ccd_version()}); "
        "give smiles= to template this ligand"
    )


def ccd_template(code: str, *, keep_hydrogens: bool = False, stereo: bool = True) -> Chem.Mol:
    """RDKit molecule of a CCD component, with CCD bond orders and formal charges.

    Parameters
    ----------
    code
        CCD code (``"JC9"``), case-insensitive.
    keep_hydrogens
        Keep the CCD's explicit hydrogens (default: heavy atoms only, with
        implicit hydrogens).
    stereo
        Assign stereo tags from the CCD ideal coordinates (default True).

    Returns
    -------
    rdkit.Chem.Mol
        Sanitised molecule without conformer; every atom carries the CCD atom
        name in the ``atom_name`` property.

    Raises
    ------
    ComponentNotFound
        The code is absent from the CCD.
    TemplateMismatch
        The CCD record cannot be sanitised by RDKit.

    Examples
    --------
    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(ccd_template("JC9"))
    'CN[C@]1(c2ccccc2Cl)CCCCC1=O'
    """
    from rdkit import Chem

    from .._checks import check_bool, check_str

    check_str(code, "code")
    keep_hydrogens = check_bool(keep_hydrogens, "keep_hydrogens")
    stereo = check_bool(stereo, "stereo")
    code = str(code).upper().strip()
    comp = _ccd_component(code) if code else None
    if comp is None:
        raise _not_in_ccd(code)
    rw = Chem.RWMol()
    index = {}
    for name, el, ch in zip(comp["atom_name"], comp["element"], comp["charge"]):
        a = Chem.Atom(Chem.GetPeriodicTable().GetAtomicNumber(el if el != "D" else "H"))
        a.SetFormalCharge(ch)
        a.SetNoImplicit(True)
        a.SetProp("atom_name", name)
        index[name] = rw.AddAtom(a)
    for n1, n2, order in zip(comp["bond_1"], comp["bond_2"], comp["bond_order"]):
        o = _BOND_ORDERS.get(order.upper(), 1)
        bt = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE, 3: Chem.BondType.TRIPLE,
              4: Chem.BondType.QUADRUPLE, 12: Chem.BondType.AROMATIC}[o]  # fmt: skip
        rw.AddBond(index[n1], index[n2], bt)
    mol = rw.GetMol()
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:  # RDKit raises several sanitisation exception types
        raise TemplateMismatch(f"CCD component {code!r} cannot be sanitised by RDKit: {exc}") from exc
    if not keep_hydrogens:
        for a in mol.GetAtoms():
            a.SetNoImplicit(False)
        mol = Chem.RemoveHs(mol, sanitize=True)
    if stereo:  # the template's own stereo, from the CCD ideal coordinates
        _assign_stereo_from_ccd(code, mol)
    return mol


def _assign_stereo_from_ccd(code: str, mol: Chem.Mol) -> None:
    """Assign stereo of a template from the CCD ideal coordinates (for display only)."""
    from rdkit import Chem
    from rdkit.Geometry import Point3D

    comp = _ccd_component(code)
    if comp is None or comp["ideal_xyz"] is None:
        return
    pos = dict(zip(comp["atom_name"], comp["ideal_xyz"]))
    conf = Chem.Conformer(mol.GetNumAtoms())
    for a in mol.GetAtoms():
        p = pos[a.GetProp("atom_name")]
        conf.SetAtomPosition(a.GetIdx(), Point3D(*map(float, p)))
    conf.Set3D(True)
    cid = mol.AddConformer(conf, assignId=True)
    Chem.AssignStereochemistryFrom3D(mol, confId=cid)
    mol.RemoveAllConformers()


def fraction_protonated(ph: float, pka: float) -> float:
    """Fraction of a base protonated at ``ph``: ``1 / (1 + 10**(pH - pKa))`` (Henderson-Hasselbalch).

    >>> round(fraction_protonated(7.4, 7.5), 3)
    0.557
    """
    return 1.0 / (1.0 + 10.0 ** (float(ph) - float(pka)))


def protonate_amines(mol: Chem.Mol, ph: float, pka: float) -> Chem.Mol:
    """Protonate the basic amines of a molecule when ``fraction_protonated(ph, pka) >= 0.5``.

    The protonated nitrogen gets formal charge +1 and one more (implicit)
    hydrogen. Returns a new molecule (unchanged copy when the fraction is
    below 0.5).

    >>> from rdkit import Chem
    >>> m = protonate_amines(Chem.MolFromSmiles("CNC1(c2ccccc2Cl)CCCCC1=O"), 7.4, 7.5)
    >>> [a.GetFormalCharge() for a in m.GetAtoms() if a.GetSymbol() == "N"]
    [1]
    """
    from rdkit import Chem

    if not (np.isfinite(ph) and np.isfinite(pka)):
        raise InvalidParameter(f"ph and pka must be finite numbers, got ph={ph!r}, pka={pka!r}")
    out = Chem.Mol(mol)
    if fraction_protonated(ph, pka) < 0.5:
        return out
    patt = Chem.MolFromSmarts(BASIC_AMINE_SMARTS)
    for (i,) in out.GetSubstructMatches(patt):
        a = out.GetAtomWithIdx(i)
        if a.GetIsAromatic():
            continue
        a.SetFormalCharge(1)
        a.SetNumExplicitHs(a.GetTotalNumHs() + 1)
        a.SetNoImplicit(True)
    out.UpdatePropertyCache(strict=True)
    return out


def _instance_heavy_atoms(structure: Structure, code: Any, chain: str | None, res_id: int | None) -> np.ndarray:
    from ..model import LigandKey

    return LigandKey.of(code, chain, res_id).atoms(structure, heavy=True)


def ligand_to_mol(
    structure: Structure,
    code: str,
    chain: str | None = None,
    res_id: int | None = None,
    *,
    smiles: str | None = None,
    ph: float | None = None,
    pka: float | None = None,
) -> Chem.Mol:
    """One ligand instance as an RDKit molecule with the structure's 3D coordinates.

    Bond orders and formal charges come from the CCD entry of ``code``
    (atoms matched by name, heavy atoms only) or, when the CCD has no such
    code and ``smiles`` is given, from the SMILES via
    ``AllChem.AssignBondOrdersFromTemplate`` on a distance-based connectivity
    (``rdDetermineBonds.DetermineConnectivity``). Stereochemistry is
    assigned from the 3D coordinates.

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    code
        CCD code of the ligand (``"JC9"``) or a :class:`~toolkit.model.LigandKey`.
    chain, res_id
        Author chain and residue number of the instance (needed when the
        code occurs several times).
    smiles
        Template for a component absent from the CCD. For a component in the
        CCD the SMILES must describe the same molecule (same heavy atoms and
        connectivity; checked, else :class:`~toolkit.errors.TemplateMismatch`)
        and the CCD's bond orders and charges are used (a SMILES with other
        bond orders or charges gives a :class:`~toolkit.errors.LossyFixWarning`).
    ph, pka
        Give both to protonate basic amines by the rule of the module
        docstring (fraction protonated ``1/(1+10**(pH-pKa)) >= 0.5``).

    Returns
    -------
    rdkit.Chem.Mol
        Heavy atoms of the instance, one conformer with the file coordinates.
        Atom properties: ``atom_name`` (str) and ``atom_index`` (int, index in
        ``structure.atoms``).

    Raises
    ------
    LigandNotFound
        No such ligand or instance in the structure.
    ComponentNotFound
        The code is not in the CCD and no ``smiles`` was given.
    TemplateMismatch
        The template does not fit the instance's atoms (names or elements
        differ, or the SMILES does not match the connectivity), or ``smiles``
        is another molecule than the CCD component ``code``.
    InvalidMolecule
        ``smiles`` is not one valid SMILES (syntax, valence, blanks inside).
    InvalidParameter
        Only one of ``ph``/``pka`` given, or out of range (pH 0-14, pKa -10
        to 25); ``structure`` is not a loaded Structure or ``smiles`` not a
        string.

    Examples
    --------
    >>> from rdkit import Chem
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> Chem.MolToSmiles(ligand_to_mol(s, "JC9"))  # doctest: +SKIP
    'CN[C@]1(c2ccccc2Cl)CCCCC1=O'
    """
    from rdkit import Chem

    from .._checks import check_number, check_str, check_structure
    from ..model import LigandKey
    from .standardization import parse_smiles

    check_structure(structure, "structure")
    check_str(smiles, "smiles", optional=True)
    if (ph is None) != (pka is None):
        raise InvalidParameter(f"give both ph and pka to protonate amines (got ph={ph!r}, pka={pka!r})")
    if ph is not None:
        ph = check_number(ph, "ph", 0, 14)
        pka = check_number(pka, "pka", -10, 25)  # the range of toolkit.sites.protonation
    key = LigandKey.of(code, chain, res_id)
    code = key.code
    idx = key.atoms(structure, heavy=True)
    a = structure.atoms
    names = [str(x) for x in a["atom_name"][idx]]
    where = f"{structure.entry_id} {code} {a['chain_id'][idx[0]]}:{int(a['res_id'][idx[0]])}"
    tmpl = None if smiles is None else Chem.RemoveHs(parse_smiles(smiles))  # InvalidMolecule when unusable
    comp = _ccd_component(code)
    if comp is not None:
        if tmpl is not None:
            _check_smiles_is_component(tmpl, smiles, code, where)
        mol = _from_ccd(code, idx, names, structure, where)
    elif tmpl is not None:
        mol = _from_smiles(tmpl, smiles, idx, names, structure, where)
    else:
        raise _not_in_ccd(code)
    Chem.AssignStereochemistryFrom3D(mol)
    if ph is not None and pka is not None:
        mol = protonate_amines(mol, ph, pka)
    return mol


def _from_ccd(code: str, idx: np.ndarray, names: list[str], structure: Structure, where: str) -> Chem.Mol:
    from rdkit import Chem
    from rdkit.Geometry import Point3D

    tmpl = ccd_template(code, stereo=False)  # stereo comes from the file's coordinates
    t_names = [at.GetProp("atom_name") for at in tmpl.GetAtoms()]
    pos = {n: i for i, n in enumerate(names)}
    extra = sorted(set(names) - set(t_names))
    if extra:
        raise TemplateMismatch(
            f"{where}: atoms {', '.join(extra)} are not heavy atoms of CCD {code} "
            f"(CCD heavy atoms: {', '.join(t_names)})"
        )
    el = structure.atoms["element"][idx]
    for at in tmpl.GetAtoms():
        n = at.GetProp("atom_name")
        if n in pos and str(el[pos[n]]).upper() != at.GetSymbol().upper():
            raise TemplateMismatch(f"{where}: atom {n} is {el[pos[n]]} in the file but {at.GetSymbol()} in CCD {code}")
    missing = [n for n in t_names if n not in pos]
    rw = Chem.RWMol(tmpl)
    if missing:
        warnings.warn(
            f"{where}: CCD heavy atoms {', '.join(missing)} are not modelled; they are dropped "
            "and their partners get implicit hydrogens",
            LossyFixWarning,
            stacklevel=3,
        )
        for i in sorted((t_names.index(n) for n in missing), reverse=True):
            rw.RemoveAtom(i)
    mol = rw.GetMol()
    for at in mol.GetAtoms():
        at.SetNoImplicit(False)
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:
        raise TemplateMismatch(f"{where}: template without the missing atoms is invalid: {exc}") from exc
    conf = Chem.Conformer(mol.GetNumAtoms())
    xyz = structure.coord[idx].astype(float)
    for at in mol.GetAtoms():
        j = pos[at.GetProp("atom_name")]
        conf.SetAtomPosition(at.GetIdx(), Point3D(*xyz[j]))
        at.SetIntProp("atom_index", int(idx[j]))
    conf.Set3D(True)
    mol.RemoveAllConformers()
    mol.AddConformer(conf, assignId=True)
    # stereo flags of the template must not leak: clear before assigning from 3D
    for at in mol.GetAtoms():
        at.SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)
    for b in mol.GetBonds():
        b.SetStereo(Chem.BondStereo.STEREONONE)
    return mol


def _skeleton(mol: Chem.Mol) -> str:
    """Canonical heavy-atom graph (elements and connectivity; no bond orders, charges, H or stereo)."""
    from rdkit import Chem
    from rdkit.Chem import rdMolHash

    m = Chem.Mol(mol)
    Chem.RemoveStereochemistry(m)
    return rdMolHash.MolHash(m, rdMolHash.HashFunction.ElementGraph)


def _check_smiles_is_component(tmpl: Chem.Mol, smiles: str, code: str, where: str) -> None:
    """A SMILES given for a CCD component must be that component (same heavy-atom graph).

    The CCD's bond orders and charges are used; a SMILES with the same
    skeleton but other bond orders or charges (another tautomer or charge
    state) is reported with a :class:`~toolkit.errors.LossyFixWarning`.
    """
    from rdkit import Chem

    from .._checks import shown

    ref = ccd_template(code, stereo=False)
    if _skeleton(tmpl) != _skeleton(ref):
        raise TemplateMismatch(
            f"{where}: SMILES {shown(smiles)} is not CCD component {code} "
            f"({Chem.MolToSmiles(ref)}): heavy atoms or connectivity differ; "
            "smiles= templates only a component absent from the CCD or must describe the same molecule"
        )
    plain = Chem.Mol(tmpl)
    Chem.RemoveStereochemistry(plain)
    if Chem.MolToSmiles(plain) != Chem.MolToSmiles(ref):
        warnings.warn(
            f"{where}: SMILES {shown(smiles)} has the skeleton of CCD {code} but other bond orders or charges; "
            f"the CCD chemistry ({Chem.MolToSmiles(ref)}) is used",
            LossyFixWarning,
            stacklevel=3,
        )


def _from_smiles(
    tmpl: Chem.Mol, smiles: str, idx: np.ndarray, names: list[str], structure: Structure, where: str
) -> Chem.Mol:
    from rdkit import Chem
    from rdkit.Chem import AllChem, rdDetermineBonds
    from rdkit.Geometry import Point3D

    el = [str(x).capitalize() for x in structure.atoms["element"][idx]]
    rw = Chem.RWMol()
    conf = Chem.Conformer(len(idx))
    xyz = structure.coord[idx].astype(float)
    for k, (e, n) in enumerate(zip(el, names)):
        at = Chem.Atom(e)
        at.SetProp("atom_name", n)
        at.SetIntProp("atom_index", int(idx[k]))
        rw.AddAtom(at)
        conf.SetAtomPosition(k, Point3D(*xyz[k]))
    conf.Set3D(True)
    rw.AddConformer(conf, assignId=True)
    mol = rw.GetMol()
    rdDetermineBonds.DetermineConnectivity(mol, useHueckel=False)
    tmpl_formula = sorted(a.GetSymbol() for a in tmpl.GetAtoms())
    if sorted(el) != tmpl_formula:
        raise TemplateMismatch(
            f"{where}: SMILES {smiles!r} has heavy atoms {''.join(tmpl_formula)} but the instance has "
            f"{''.join(sorted(el))}"
        )
    try:
        out = AllChem.AssignBondOrdersFromTemplate(tmpl, mol)
    except (ValueError, RuntimeError) as exc:
        raise TemplateMismatch(f"{where}: SMILES {smiles!r} does not match the atoms' connectivity: {exc}") from exc
    for at in out.GetAtoms():
        at.SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)
        at.SetNumRadicalElectrons(0)
        at.SetNoImplicit(False)
    try:
        Chem.SanitizeMol(out)
    except Exception as exc:
        raise TemplateMismatch(f"{where}: SMILES {smiles!r} gives an invalid molecule on these atoms: {exc}") from exc
    return out
