"""Ligand preparation for docking: protonation at a pH, seeded 3D embedding, PDBQT.

Protonation rule (stated in every output as ``protonation``)
------------------------------------------------------------
* With a sourced pKa (the panel's ``pka`` column, or ``pka=``), basic
  amines are protonated when the protonated fraction
  ``1/(1+10**(pH-pKa))`` is at least 0.5 (Henderson-Hasselbalch; the rule
  of :func:`toolkit.chem.templates.protonate_amines`). Ketamine (pKa 7.5,
  Merck Index, as sourced in the panel) is 56 % protonated at pH 7.4, so
  it is docked as the cation.
* Without a pKa, Dimorphite-DL (Ropp et al. 2019,
  doi:10.1186/s13321-019-0336-9) gives the majority state at the pH
  (``precision=0``: one state, from its substructure pKa table). For
  ketamine it also gives the cation at pH 7.4, agreeing with the sourced
  pKa.

Populated states (``states="populated"``, the default of
:func:`prepare_ligand_states` and of the docking functions): every state
with at least :data:`MIN_STATE_FRACTION` (10 %) of the population at the
pH is prepared and docked, and the poses of all states are pooled and
sorted by score (``n_poses`` per state). With a pKa
that is the minority state when ``|pH - pKa| <= 0.95``; with Dimorphite-DL,
its states within one pH unit (its default precision). Ketamine at pH 7.4
(pKa 7.5): cation 56 %, neutral 44 %, both docked. ``states="majority"``
keeps one state.

3D embedding: RDKit ETKDGv3 (Wang, Witek, Landrum & Riniker 2020,
doi:10.1021/acs.jcim.0c00025) with a fixed ``seed``, hydrogens added, then
MMFF94 minimisation (UFF when MMFF has no parameters). Vina randomises
position, orientation and torsions at the start of every search, so only
ring conformations come from this embedding. Atom typing and the torsion
tree: meeko (Forli lab), whose SMILES/index remarks let docked poses be read
back with the prepared bond orders.

Ring conformations (option ``ring_conformers``; default :data:`RING_CONFORMERS` = 1)
------------------------------------------------------------------------------------
Vina keeps every ring rigid as embedded: only rotatable bonds are
searched (Trott & Olson 2010, doi:10.1002/jcc.21334); meeko opens
macrocycles (rings of 7 or more atoms) with closure pseudo-atoms
(Eberhardt et al. 2021, doi:10.1021/acs.jcim.1c00203; Forli & Botta 2007,
doi:10.1021/ci700036j, who describe the rigid-ring limitation), smaller
rings stay rigid. A single embedding therefore fixes the pucker of every
saturated or partly saturated ring (cyclohexane chair with a substituent
axial or equatorial, pyrrolidine envelope, ...), and a wrong pucker moves
the substituents by Å. The remedy is to dock an ensemble of ring
conformations and pool the poses. Vina cannot see ring strain, though
(rings are rigid, so their internal energy is not scored): a strained
pucker that happens to fit better wins (on 4cum WS7, docking every pucker
within 10 kcal/mol moved the top pose from 2.6 to 5.6 Å, a twist-boat of
the cyclohexane ring). So only the *populated* puckers are docked, by the
same rule as protonation states: for a state with a non-aromatic ring of
4-6 atoms, :data:`RING_EMBEDS` seeded ETKDG conformers are minimised with
MMFF94s without its Coulomb term (the force field OMEGA ranks conformers
with, so that gas-phase charge-charge contacts do not decide: Hawkins et
al. 2010, doi:10.1021/ci100031x); conformers are taken lowest energy
first and one is a new pucker when one of its endocyclic torsions differs
by more than :data:`RING_TORSION_TOL` (30°, half the ±55-60° torsion of a
chair: a chair, its flipped chair, a boat and a twist differ by more,
the same pucker minimised twice by less; Cremer & Pople 1975,
doi:10.1021/ja00839a011); a pucker is docked when its Boltzmann
population among the puckers at 298.15 K is at least
:data:`MIN_STATE_FRACTION` (10 %, as for protonation states), up to
``ring_conformers``, then minimised with the full MMFF94 like every
embedding (a conformer that this moves into a pucker already kept is
dropped). The first (lowest energy) is ``mol``/``pdbqt``; all
are in ``conformers``, and :func:`dock` docks each with the same seed and
pools the poses. Ketamine's cyclohexanone: the two chairs (aryl
equatorial/axial). A ligand without such a ring keeps its single seeded
embedding.

It is an option (``ring_conformers=3``), not the default, because it did
not help where it was measured (2026-11-30, exhaustiveness 8, seed 1):
crystal redocking of ``benchmarks/bench_docking.py`` gave the same
successes or worse (6nhb KNS, a pyrrolidine: top-1 1.97 Å with the single
embedding, 2.04 Å with its populated puckers; 4cum WS7: its chair alone
is populated, top-1 5.6 Å as with any embedding seed but the default
one), and on 7EU8 the flipped chair of ketamine (aryl axial) gives a top
pose turned out of the deposited place: the top-pose centroid came within
2.5 Å of the deposited one in 0 of 5 seeds instead of 5 of 5 (the test
``test_redocking_s_ketamine_into_7eu8_over_five_seeds``). With
``ring_conformers=1`` (default) every ligand keeps its single seeded
embedding and :func:`dock` runs Vina once per state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidMolecule, InvalidParameter, LigandPreparationError
from ._extra import require

if TYPE_CHECKING:
    from rdkit import Chem

    from ..model import Structure

__all__ = [
    "PreparedLigand", "prepare_ligand", "prepare_ligand_states", "protonation_state", "protonation_states",
    "DEFAULT_PH", "EMBED_SEED", "MIN_STATE_FRACTION", "STATE_POLICIES", "RING_CONFORMERS", "RING_EMBEDS",
    "RING_TEMPERATURE", "RING_TORSION_TOL",
]  # fmt: skip

#: Default pH of every preparation (physiological).
DEFAULT_PH = 7.4
#: Default seed of the ETKDG embedding.
EMBED_SEED = 0xF00D
#: A protonation state is docked when at least this fraction of the molecules is in it.
MIN_STATE_FRACTION = 0.1
#: ``states=`` values: one majority state, or every populated state.
STATE_POLICIES = ("majority", "populated")
#: Default largest number of ring conformations docked per state (1: the seeded embedding alone; module docstring).
RING_CONFORMERS = 1
#: ETKDG conformers generated to find the ring conformations.
RING_EMBEDS = 30
#: Temperature (K) of the Boltzmann populations of ring puckers.
RING_TEMPERATURE = 298.15
#: Two ring conformations are distinct when one endocyclic torsion differs by more than this (degrees).
RING_TORSION_TOL = 30.0


@dataclass(eq=False)
class PreparedLigand:
    """A ligand ready for Vina.

    Attributes
    ----------
    name : str
    input_smiles : str
        As given (or the CCD/structure template's SMILES).
    smiles : str
        Isomeric SMILES of the docked protonation state.
    mol : rdkit.Chem.Mol
        With explicit hydrogens and one embedded conformer.
    pdbqt : str
        meeko PDBQT text (torsion tree, AutoDock types, Gasteiger charges).
    ph : float
    formal_charge : int
    state : str
        ``"cation (+1)"``, ``"neutral"``, ``"anion (-1)"``, ``"zwitterion (+1/-1)"``, ...
    protonation : str
        How the state was chosen (pKa rule with its value, or Dimorphite-DL).
    reference : rdkit.Chem.Mol or None
        For a ligand taken from a structure: its heavy atoms at the deposited
        coordinates (CCD bond orders), for RMSD and contact recall.
    source : str
    conformers : list of (rdkit.Chem.Mol, str)
        Every ring conformation docked (molecule, PDBQT), the first being
        ``mol``/``pdbqt`` (module docstring); one entry for a ligand without a
        non-aromatic ring of 4-6 atoms.
    """

    name: str
    input_smiles: str
    smiles: str
    mol: Any
    pdbqt: str
    ph: float
    formal_charge: int
    state: str
    protonation: str
    reference: Any = None
    source: str = ""
    seed: int = EMBED_SEED
    fraction: float = float("nan")
    meta: dict[str, Any] = field(default_factory=dict)
    conformers: list[tuple[Any, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.conformers:
            self.conformers = [(self.mol, self.pdbqt)]

    def __repr__(self) -> str:
        return f"<PreparedLigand {self.name}: {self.smiles} ({self.state} at pH {self.ph:g}; {self.protonation})>"


def _state_text(mol: Chem.Mol) -> tuple[int, str]:
    pos = sum(a.GetFormalCharge() for a in mol.GetAtoms() if a.GetFormalCharge() > 0)
    neg = sum(a.GetFormalCharge() for a in mol.GetAtoms() if a.GetFormalCharge() < 0)
    q = pos + neg
    if pos and neg:
        return q, f"zwitterion (+{pos}/{neg})"
    if q > 0:
        return q, f"cation (+{q})"
    if q < 0:
        return q, f"anion ({q})"
    return 0, "neutral"


def protonation_state(mol_or_smiles: Any, ph: float = DEFAULT_PH, pka: float | None = None) -> tuple[Chem.Mol, str]:
    """The majority protonation state at ``ph`` and how it was chosen (see the module docstring).

    >>> m, how = protonation_state("CN[C@]1(c2ccccc2Cl)CCCCC1=O", 7.4, pka=7.5)
    >>> from rdkit import Chem
    >>> Chem.MolToSmiles(m), how
    ('C[NH2+][C@]1(c2ccccc2Cl)CCCCC1=O', 'pKa 7.5 (sourced): basic amines protonated if fraction >= 0.5 at pH 7.4')
    """
    from rdkit import Chem

    from ..chem.templates import protonate_amines

    try:
        ph = float(ph)
    except (TypeError, ValueError):
        raise InvalidParameter(f"ph must be a number, got {ph!r}") from None
    if not (0.0 <= ph <= 14.0):
        raise InvalidParameter(f"ph must be between 0 and 14, got {ph}")
    mol = Chem.MolFromSmiles(mol_or_smiles) if isinstance(mol_or_smiles, str) else Chem.Mol(mol_or_smiles)
    if mol is None:
        raise InvalidMolecule(f"SMILES {mol_or_smiles!r} cannot be parsed")
    mol = Chem.RemoveHs(mol)
    if pka is not None and np.isfinite(float(pka)):
        out = protonate_amines(mol, ph, float(pka))
        return out, f"pKa {float(pka):g} (sourced): basic amines protonated if fraction >= 0.5 at pH {ph:g}"
    (dimorphite,) = require("dimorphite_dl", what="protonation at a pH")
    smi = Chem.MolToSmiles(mol)
    try:
        variants = dimorphite.protonate_smiles(smi, ph_min=ph, ph_max=ph, precision=0.0, max_variants=1)
    except Exception as exc:  # dimorphite raises bare exceptions on odd input
        raise LigandPreparationError(f"Dimorphite-DL cannot protonate {smi!r}: {exc}") from exc
    out = Chem.MolFromSmiles(variants[0]) if variants else None
    if out is None:
        raise LigandPreparationError(f"Dimorphite-DL gave no valid state for {smi!r} at pH {ph:g}")
    return out, f"Dimorphite-DL majority state at pH {ph:g} (no sourced pKa)"


def _neutral(mol: Chem.Mol) -> Chem.Mol:
    from rdkit.Chem.MolStandardize import rdMolStandardize

    return rdMolStandardize.Uncharger().uncharge(mol)


def protonation_states(mol_or_smiles: Any, ph: float = DEFAULT_PH, pka: float | None = None,
                       states: str = "populated") -> list[tuple[Chem.Mol, str, float]]:  # fmt: skip
    """Protonation states to dock: ``[(molecule, how chosen, fraction), ...]``, majority first.

    ``fraction`` is the Henderson-Hasselbalch fraction with a pKa, NaN with
    Dimorphite-DL. See the module docstring for the rule.

    >>> [(round(f, 2), how.split(":")[0]) for _, how, f in protonation_states("CNC1(c2ccccc2Cl)CCCCC1=O", 7.4, 7.5)]
    [(0.56, 'pKa 7.5 (sourced)'), (0.44, 'pKa 7.5 (sourced)')]
    """
    from rdkit import Chem

    from ..chem.templates import fraction_protonated, protonate_amines

    if states not in STATE_POLICIES:
        raise InvalidParameter(f"states must be one of {STATE_POLICIES}, got {states!r}")
    major, how = protonation_state(mol_or_smiles, ph, pka)
    if pka is not None and np.isfinite(float(pka)):
        f = fraction_protonated(float(ph), float(pka))
        neutral = _neutral(major)
        charged = protonate_amines(neutral, float(pka) - 1.0, float(pka))
        same = Chem.MolToSmiles(neutral) == Chem.MolToSmiles(charged)
        if same:  # no basic amine: one state
            return [(major, how, 1.0)]
        first, second = ((charged, f), (neutral, 1.0 - f)) if f >= 0.5 else ((neutral, 1.0 - f), (charged, f))
        out = [(first[0], how, first[1])]
        if states == "populated" and second[1] >= MIN_STATE_FRACTION:
            out.append((second[0], f"pKa {float(pka):g} (sourced): minority state, {second[1]:.0%} at pH {float(ph):g}",
                        second[1]))  # fmt: skip
        return out
    out = [(major, how, float("nan"))]
    if states == "majority":
        return out
    (dimorphite,) = require("dimorphite_dl", what="protonation at a pH")
    try:
        variants = dimorphite.protonate_smiles(Chem.MolToSmiles(major), ph_min=ph - 1.0, ph_max=ph + 1.0,
                                               precision=0.0, max_variants=4)  # fmt: skip
    except Exception:  # keep the majority state alone
        variants = []
    seen = {Chem.MolToSmiles(major)}
    for v in variants:
        m = Chem.MolFromSmiles(v)
        if m is not None and Chem.MolToSmiles(m) not in seen:
            seen.add(Chem.MolToSmiles(m))
            out.append((m, f"Dimorphite-DL state within 1 pH unit of {ph:g} (no sourced pKa)", float("nan")))
    return out


def _embed(mol: Chem.Mol, seed: int, name: str) -> Chem.Mol:
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mh = Chem.AddHs(mol)
    if mh.GetNumHeavyAtoms() < 2:
        raise LigandPreparationError(f"{name}: {mh.GetNumHeavyAtoms()} heavy atom(s); Vina needs a molecule, not an atom")
    params = AllChem.ETKDGv3()
    params.randomSeed = int(seed)
    cid = AllChem.EmbedMolecule(mh, params)
    if cid < 0:
        params.useRandomCoords = True
        cid = AllChem.EmbedMolecule(mh, params)
    if cid < 0:
        raise LigandPreparationError(f"{name}: RDKit ETKDG could not embed the molecule in 3D (seed {seed})")
    _clean_up(mh)
    return mh


def _clean_up(mh: Chem.Mol) -> None:
    """Minimise the conformer in place: MMFF94 where it has every parameter, else UFF (500 steps); a failed
    clean-up keeps the geometry it was given."""
    from rdkit.Chem import AllChem

    try:
        if AllChem.MMFFHasAllMoleculeParams(mh):
            AllChem.MMFFOptimizeMolecule(mh, maxIters=500)
        else:
            AllChem.UFFOptimizeMolecule(mh, maxIters=500)
    except Exception:  # a failed clean-up keeps the embedded geometry
        pass


def _ring_torsions(mol: Chem.Mol, conf_id: int = -1) -> np.ndarray:
    """Endocyclic torsions (degrees) of the non-aromatic rings of 4-6 atoms, in a fixed order."""
    from rdkit.Chem import rdMolTransforms

    conf = mol.GetConformer(conf_id)
    out = []
    for ring in mol.GetRingInfo().AtomRings():
        n = len(ring)
        if not 4 <= n <= 6 or all(mol.GetAtomWithIdx(i).GetIsAromatic() for i in ring):
            continue
        out += [rdMolTransforms.GetDihedralDeg(conf, *[ring[(k + j) % n] for j in range(4)]) for k in range(n)]
    return np.asarray(out, dtype=float)


def _ring_conformers(mol: Chem.Mol, seed: int, name: str, n_max: int) -> list[Chem.Mol]:
    """Populated ring puckers, lowest energy first (module docstring); ``[_embed(...)]`` without such rings."""
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mh = Chem.AddHs(mol)
    if n_max <= 1 or mh.GetNumHeavyAtoms() < 2 or not any(
            4 <= len(r) <= 6 and not all(mh.GetAtomWithIdx(i).GetIsAromatic() for i in r)
            for r in mh.GetRingInfo().AtomRings()):  # fmt: skip
        return [_embed(mol, seed, name)]
    params = AllChem.ETKDGv3()
    params.randomSeed = int(seed)
    cids = list(AllChem.EmbedMultipleConfs(mh, RING_EMBEDS, params))
    if not cids:
        return [_embed(mol, seed, name)]
    energy = np.zeros(len(cids))
    try:
        props = AllChem.MMFFGetMoleculeProperties(mh, mmffVariant="MMFF94s")
        if props is not None:
            props.SetMMFFEleTerm(False)
        for k, cid in enumerate(cids):
            ff = (AllChem.MMFFGetMoleculeForceField(mh, props, confId=cid) if props is not None
                  else AllChem.UFFGetMoleculeForceField(mh, confId=cid))  # fmt: skip
            ff.Minimize(maxIts=2000)
            energy[k] = ff.CalcEnergy()
    except Exception:  # no force field: the ETKDG geometry of the seeded embedding alone
        return [_embed(mol, seed, name)]
    order = sorted(range(len(cids)), key=lambda i: (energy[i], i))
    tors = {i: _ring_torsions(mh, cids[i]) for i in order}
    puckers: list[int] = []
    for i in order:
        if all(np.max(np.abs((tors[i] - tors[j] + 180.0) % 360.0 - 180.0)) > RING_TORSION_TOL for j in puckers):
            puckers.append(i)
    rt = 0.0019872036 * RING_TEMPERATURE  # kcal/mol
    w = np.exp(-(energy[puckers] - energy[puckers[0]]) / rt)
    frac = w / w.sum()
    out = []
    for i, f in zip(puckers, frac):
        if f < MIN_STATE_FRACTION or len(out) >= n_max:
            continue
        m = Chem.Mol(mh)
        conf = Chem.Conformer(mh.GetConformer(cids[i]))
        m.RemoveAllConformers()
        m.AddConformer(conf, assignId=True)
        _clean_up(m)  # the docked geometry: full MMFF94 as for every embedding (_embed); the pucker stays
        tm = _ring_torsions(m)
        if any(np.max(np.abs((tm - _ring_torsions(x) + 180.0) % 360.0 - 180.0)) <= RING_TORSION_TOL for x in out):
            continue  # the clean-up moved it into a pucker already kept (flat 5-ring pseudorotation)
        m.SetDoubleProp("ring_population", float(f))
        out.append(m)
    return out


def _pdbqt(mh: Chem.Mol, name: str) -> str:
    (meeko,) = require("meeko", what="ligand preparation")
    try:
        setups = meeko.MoleculePreparation().prepare(mh)
        text, ok, err = meeko.PDBQTWriterLegacy.write_string(setups[0])
    except Exception as exc:  # meeko raises many kinds on untypable input
        raise LigandPreparationError(f"{name}: meeko cannot type the molecule for Vina: {exc}") from exc
    if not ok:
        raise LigandPreparationError(f"{name}: meeko cannot write PDBQT: {err.strip()}")
    return text


def prepare_ligand(
    source: Any,
    *,
    name: str | None = None,
    ph: float = DEFAULT_PH,
    pka: float | None = None,
    seed: int = EMBED_SEED,
    ring_conformers: int = RING_CONFORMERS,
) -> PreparedLigand:
    """Protonate, embed and type a ligand for Vina.

    Parameters
    ----------
    source
        A SMILES; an RDKit molecule; a panel row (mapping or pandas row with
        ``name``, ``isomeric_smiles`` and ``pka``, from
        :func:`toolkit.load_panel`); or ``(structure, code)`` /
        ``(structure, code, chain, res_id)`` for a ligand of a loaded
        structure (bond orders from the CCD via
        :func:`toolkit.ligand_to_mol`; the deposited pose is kept as
        ``reference``).
    name
        Label in every output (default: the panel name, CCD code or SMILES).
    ph
        pH of the protonation state (default 7.4).
    pka
        Sourced pKa of the most basic amine (overrides the panel's).
    seed
        Seed of the ETKDG embedding.
    ring_conformers
        Largest number of populated ring puckers to dock (default
        :data:`RING_CONFORMERS` = 1: the seeded embedding alone; e.g. 3 to
        dock up to three; see the module docstring).

    Returns
    -------
    PreparedLigand

    Raises
    ------
    InvalidMolecule
        The SMILES cannot be parsed.
    LigandPreparationError
        Protonation, 3D embedding or typing failed (the message says which).
    MissingExtra
        The ``docking`` extra is not installed.

    Examples
    --------
    >>> lig = prepare_ligand("CN[C@]1(c2ccccc2Cl)CCCCC1=O", name="esketamine", pka=7.5)  # doctest: +SKIP
    >>> lig.state, lig.smiles  # doctest: +SKIP
    ('cation (+1)', 'C[NH2+][C@]1(c2ccccc2Cl)CCCCC1=O')
    """
    return prepare_ligand_states(source, name=name, ph=ph, pka=pka, seed=seed, states="majority",
                                 ring_conformers=ring_conformers)[0]


def check_ligand_options(*, name: object = None, ph: object = DEFAULT_PH, pka: object = None,
                         seed: object = EMBED_SEED, states: object = "majority",
                         ring_conformers: object = RING_CONFORMERS) -> None:
    """Type and range checks of the ligand-preparation arguments (:class:`~toolkit.errors.InvalidParameter`).

    pH and pKa ranges are those of :func:`toolkit.chem.compute_properties`.

    >>> check_ligand_options(ph="seven")
    Traceback (most recent call last):
    ...
    toolkit.errors.InvalidParameter: ph must be between 0 and 14 (a number), got 'seven'
    """
    from .._checks import check_int, check_number, check_optional, check_str
    from ..chem.properties import PH_RANGE, PKA_RANGE

    check_optional(check_str, name, "name")
    check_number(ph, "ph", *PH_RANGE)
    check_optional(check_number, pka, "pka", *PKA_RANGE)
    check_int(seed, "seed", 0, 2**31 - 1)
    check_str(states, "states", tuple(STATE_POLICIES))
    check_int(ring_conformers, "ring_conformers", 1, 20)


def _parse_source(source: Any, name: str | None, pka: float | None) -> tuple[Any, str, float | None, Any, str]:
    from rdkit import Chem

    reference = None
    src = "smiles"
    if isinstance(source, tuple) and len(source) in (2, 4) and hasattr(source[0], "atoms"):
        from ..chem.templates import ligand_to_mol

        structure: Structure = source[0]
        code = str(source[1]).upper()
        chain, res_id = (source[2], source[3]) if len(source) == 4 else (None, None)
        reference = ligand_to_mol(structure, code, chain, res_id)
        mol = Chem.Mol(reference)
        mol.RemoveAllConformers()
        name = name or code
        src = f"{structure.entry_id} {code} (CCD template)"
    elif isinstance(source, str):
        mol = Chem.MolFromSmiles(source)
        if mol is None:
            raise InvalidMolecule(f"SMILES {source!r} cannot be parsed")
        name = name or source
    elif isinstance(source, Mapping) or hasattr(source, "isomeric_smiles"):
        get = source.get if isinstance(source, Mapping) else (lambda k, d=None: getattr(source, k, d))
        smi = get("isomeric_smiles")
        mol = Chem.MolFromSmiles(str(smi)) if smi is not None else None
        if mol is None:
            raise InvalidMolecule(f"panel row {get('name')!r}: SMILES {smi!r} cannot be parsed")
        p = get("pka")
        if pka is None and p is not None and np.isfinite(float(p)):
            pka = float(p)
        name = name or str(get("name"))
        src = "panel"
    elif hasattr(source, "GetAtoms"):
        mol = Chem.Mol(source)
        mol.RemoveAllConformers()
        name = name or Chem.MolToSmiles(mol)
        src = "molecule"
    else:
        raise InvalidParameter(f"cannot prepare a ligand from {type(source).__name__}; give a SMILES, molecule, panel row "
                               "or (structure, code)")  # fmt: skip
    return mol, name, pka, reference, src


def prepare_ligand_states(
    source: Any,
    *,
    name: str | None = None,
    ph: float = DEFAULT_PH,
    pka: float | None = None,
    seed: int = EMBED_SEED,
    states: str = "populated",
    ring_conformers: int = RING_CONFORMERS,
) -> list[PreparedLigand]:
    """Every protonation state to dock (see the module docstring), each prepared as by :func:`prepare_ligand`.

    Returns a list, majority state first; ``fraction`` and ``state`` say
    which is which. Same parameters and errors as :func:`prepare_ligand`
    plus ``states`` (:data:`STATE_POLICIES`).

    Examples
    --------
    >>> [x.state for x in prepare_ligand_states("CNC1(c2ccccc2Cl)CCCCC1=O", pka=7.5)]  # doctest: +SKIP
    ['cation (+1)', 'neutral']
    """
    from rdkit import Chem

    check_ligand_options(name=name, ph=ph, pka=pka, seed=seed, states=states, ring_conformers=ring_conformers)
    require("meeko", "dimorphite_dl", what="ligand preparation")
    mol, name, pka, reference, src = _parse_source(source, name, pka)
    input_smiles = Chem.MolToSmiles(Chem.RemoveHs(mol))
    out = []
    for prot, how, frac in protonation_states(mol, ph, pka, states):
        q, state = _state_text(prot)
        confs = [(m, _pdbqt(m, name)) for m in _ring_conformers(prot, seed, name, int(ring_conformers))]
        mh, text = confs[0]
        out.append(PreparedLigand(
            name=name, input_smiles=input_smiles, smiles=Chem.MolToSmiles(prot), mol=mh, pdbqt=text, ph=float(ph),
            formal_charge=q, state=state, protonation=how, reference=reference, source=src, seed=int(seed),
            fraction=float(frac), conformers=confs,
        ))  # fmt: skip
    return out
