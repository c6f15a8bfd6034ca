"""Molecular properties, drug-likeness rules, CNS MPO and 3D conformers.

Definitions (RDKit; every threshold with its source)
----------------------------------------------------
* ``mw``: average molecular weight (``Descriptors.MolWt``); ``exact_mass``:
  monoisotopic mass (``Descriptors.ExactMolWt``); ``heavy_atoms``; ``formula``.
* ``clogp``: Crippen logP (Wildman & Crippen 1999, ``Crippen.MolLogP``).
* ``tpsa``: topological polar surface area, N and O only (Ertl et al. 2000,
  ``rdMolDescriptors.CalcTPSA``), Å².
* ``hbd``/``hba``: the **Lipinski counts** used in the rule of five
  (Lipinski et al. 1997 Adv Drug Deliv Rev 23:3): HBD = number of N-H and
  O-H (``rdMolDescriptors.CalcNumLipinskiHBD``), HBA = number of N and O
  atoms (``CalcNumLipinskiHBA``). These are the definitions the rule was
  calibrated with; the pharmacophore-style ``NumHDonors``/``NumHAcceptors``
  differ for e.g. amides or aromatic N. Ketamine: HBD 1, HBA 2.
* ``rotatable_bonds``: ``rdMolDescriptors.CalcNumRotatableBonds`` (default
  RDKit definition; bonds to terminal heavy atoms such as CH3 are not counted).
* ``fraction_csp3``, ``rings``, ``aromatic_rings``, ``formal_charge``.
* ``stereocentres_defined``/``stereocentres_undefined``: tetrahedral chiral
  centres with CIP-distinct neighbours (``Chem.FindMolChiralCenters``, legacy
  perception), split by whether the input specifies them. Ring-only
  stereogenic atoms (cis/trans ring substitution, adamantane bridgeheads) are
  not counted: amantadine has 0 (the newer ``FindPotentialStereo`` reports 4).
  Known limit: symmetry across the whole molecule is not checked, so achiral
  memantine counts 2 undefined centres.
* ``qed``: quantitative estimate of drug-likeness (Bickerton et al. 2012
  Nat Chem 4:90, ``QED.qed``).

Rules
-----
* Lipinski (Lipinski et al. 1997): MW <= 500, cLogP <= 5, HBD <= 5, HBA <= 10.
  ``lipinski_violations`` names the failed rules (';'-joined);
  ``lipinski_pass`` is True with at most one violation ("poor absorption is
  more likely when there are more than 5 H-bond donors, ... (two or more)").
* Veber (Veber et al. 2002 J Med Chem 45:2615): rotatable bonds <= 10 and
  TPSA <= 140 Å²; both must hold.
* CNS MPO (Wager et al. 2010 ACS Chem Neurosci 1:435, doi:10.1021/cn100008c):
  sum (0-6) of six piecewise-linear desirability functions: cLogP (1 at
  <= 3, 0 at >= 5), cLogD (1 at <= 2, 0 at >= 4), MW (1 at <= 360, 0 at
  >= 500), TPSA (0 at <= 20, 1 from 40 to 90, 0 at >= 120), HBD (1 at <= 0.5,
  0 at >= 3.5), pKa of the most basic centre (1 at <= 8, 0 at >= 10).
  Computed **only when a pKa is supplied** (no pKa predictor is used);
  otherwise ``cns_mpo`` is NaN and ``cns_mpo_note`` says why. The original
  used ClogP/ClogD from BioByte and a measured or predicted pKa; here cLogP is
  Crippen and cLogD is derived from it for a base:
  ``clogd = clogp - log10(1 + 10**(pKa - pH))`` (only the neutral form
  partitions), so scores are an approximation of Wager's.
* ``fraction_protonated`` at ``ph`` for a base of the given pKa:
  ``1 / (1 + 10**(pH - pKa))`` (Henderson-Hasselbalch).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "PROPERTY_COLUMNS",
    "PH_RANGE",
    "PKA_RANGE",
    "DESCRIPTOR_COLUMNS",
    "compute_properties",
    "descriptors",
    "cns_mpo",
    "clogd_base",
    "embed_conformers",
]

#: Allowed pH values: the aqueous pH scale at 25 °C (IUPAC Gold Book, "pH").
PH_RANGE = (0.0, 14.0)

#: Allowed pKa values: the range of the pKa scale of organic acids and bases
#: (about -10 to 50; Evans & Ripin pKa table, Harvard 2005); beyond it
#: ``10**(pKa - pH)`` overflows.
PKA_RANGE = (-20.0, 60.0)

#: Descriptor columns computed for every molecule (see module docstring).
DESCRIPTOR_COLUMNS: list[str] = [
    "mw", "exact_mass", "heavy_atoms", "formula", "clogp", "tpsa", "hbd", "hba",
    "rotatable_bonds", "fraction_csp3", "rings", "aromatic_rings", "formal_charge",
    "stereocentres_defined", "stereocentres_undefined", "qed",
    "lipinski_violations", "lipinski_pass", "veber_violations", "veber_pass",
]  # fmt: skip

#: Column schema of :func:`compute_properties`.
PROPERTY_COLUMNS: list[str] = [
    "input", "smiles", "standardization", *DESCRIPTOR_COLUMNS,
    "ph", "pka", "fraction_protonated", "clogd", "cns_mpo", "cns_mpo_note",
]  # fmt: skip

#: Lipinski et al. 1997 limits.
LIPINSKI_LIMITS = {"mw": 500.0, "clogp": 5.0, "hbd": 5, "hba": 10}
#: Veber et al. 2002 limits.
VEBER_LIMITS = {"rotatable_bonds": 10, "tpsa": 140.0}


def descriptors(mol: Chem.Mol) -> dict[str, Any]:
    """Descriptors and rule checks of one sanitised molecule (keys: :data:`DESCRIPTOR_COLUMNS`).

    Examples
    --------
    >>> from rdkit import Chem
    >>> d = descriptors(Chem.MolFromSmiles("CN[C@]1(c2ccccc2Cl)CCCCC1=O"))
    >>> round(d["mw"], 2), round(d["tpsa"], 1), d["hbd"], d["hba"], d["rotatable_bonds"], d["heavy_atoms"]
    (237.73, 29.1, 1, 2, 2, 16)
    """
    from rdkit import Chem
    from rdkit.Chem import Crippen, Descriptors, rdMolDescriptors

    mw = Descriptors.MolWt(mol)
    clogp = Crippen.MolLogP(mol)
    tpsa = rdMolDescriptors.CalcTPSA(mol)
    hbd = rdMolDescriptors.CalcNumLipinskiHBD(mol)
    hba = rdMolDescriptors.CalcNumLipinskiHBA(mol)
    rot = rdMolDescriptors.CalcNumRotatableBonds(mol)
    centres = Chem.FindMolChiralCenters(mol, includeUnassigned=True, useLegacyImplementation=True)
    undefined = sum(label == "?" for _, label in centres)
    defined = len(centres) - undefined
    lip = [
        name
        for name, bad in (
            ("MW>500", mw > LIPINSKI_LIMITS["mw"]),
            ("cLogP>5", clogp > LIPINSKI_LIMITS["clogp"]),
            ("HBD>5", hbd > LIPINSKI_LIMITS["hbd"]),
            ("HBA>10", hba > LIPINSKI_LIMITS["hba"]),
        )
        if bad
    ]
    veb = [
        name
        for name, bad in (
            ("rotatable_bonds>10", rot > VEBER_LIMITS["rotatable_bonds"]),
            ("TPSA>140", tpsa > VEBER_LIMITS["tpsa"]),
        )
        if bad
    ]
    try:
        qed = _qed(mol, mw, clogp, tpsa)
    except Exception:  # QED fails on a few exotic inputs (e.g. a lone noble-gas atom); keep the row
        qed = math.nan
    return {
        "mw": mw,
        "exact_mass": Descriptors.ExactMolWt(mol),
        "heavy_atoms": mol.GetNumHeavyAtoms(),
        "formula": rdMolDescriptors.CalcMolFormula(mol),
        "clogp": clogp,
        "tpsa": tpsa,
        "hbd": hbd,
        "hba": hba,
        "rotatable_bonds": rot,
        "fraction_csp3": rdMolDescriptors.CalcFractionCSP3(mol),
        "rings": rdMolDescriptors.CalcNumRings(mol),
        "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(mol),
        "formal_charge": Chem.GetFormalCharge(mol),
        "stereocentres_defined": defined,
        "stereocentres_undefined": undefined,
        "qed": qed,
        "lipinski_violations": ";".join(lip),
        "lipinski_pass": len(lip) <= 1,
        "veber_violations": ";".join(veb),
        "veber_pass": not veb,
    }


def _qed(mol: Chem.Mol, mw: float, clogp: float, tpsa: float) -> float:
    """``QED.qed(mol)`` reusing MW, Crippen logP and TPSA already computed (same definitions).

    Identical to :func:`rdkit.Chem.QED.qed` (checked on the panel and an
    enumerated library in the tests); it only avoids computing three of its
    eight properties twice.
    """
    from rdkit import Chem
    from rdkit.Chem import QED, rdMolDescriptors

    if mol.GetNumAtoms() != mol.GetNumHeavyAtoms():  # explicit hydrogens: QED removes them first
        mol = Chem.RemoveHs(mol)
        mw, clogp, tpsa = rdMolDescriptors._CalcMolWt(mol), _crippen(mol), rdMolDescriptors.CalcTPSA(mol)
    props = QED.QEDproperties(
        MW=mw,
        ALOGP=clogp,
        HBA=sum(len(mol.GetSubstructMatches(p)) for p in QED.Acceptors if mol.HasSubstructMatch(p)),
        HBD=rdMolDescriptors.CalcNumHBD(mol),
        PSA=tpsa,
        ROTB=rdMolDescriptors.CalcNumRotatableBonds(mol, rdMolDescriptors.NumRotatableBondsOptions.Strict),
        AROM=len(Chem.GetSSSR(Chem.DeleteSubstructs(Chem.Mol(mol), QED.AliphaticRings))),
        ALERTS=sum(1 for alert in QED.StructuralAlerts if mol.HasSubstructMatch(alert)),
    )
    return QED.qed(mol, qedProperties=props)


def _crippen(mol: Chem.Mol) -> float:
    from rdkit.Chem import Crippen

    return Crippen.MolLogP(mol)


def _ramp_down(x: float, lo: float, hi: float) -> float:
    """1 at x <= lo, 0 at x >= hi, linear in between (Wager et al. 2010 monotonic decreasing)."""
    if x <= lo:
        return 1.0
    if x >= hi:
        return 0.0
    return (hi - x) / (hi - lo)


def clogd_base(clogp: float, pka: float, ph: float = 7.4) -> float:
    """cLogD of a base from cLogP and pKa: ``clogp - log10(1 + 10**(pKa - pH))``.

    >>> round(clogd_base(2.0, 7.5, 7.4), 3)
    1.646
    """
    return float(clogp) - math.log10(1.0 + 10.0 ** (float(pka) - float(ph)))


def cns_mpo(clogp: float, clogd: float, mw: float, tpsa: float, hbd: float, pka: float) -> float:
    """CNS MPO score (0-6) of Wager et al. 2010 (ACS Chem Neurosci 1:435, doi:10.1021/cn100008c).

    Examples
    --------
    >>> cns_mpo(clogp=2.0, clogd=1.0, mw=300, tpsa=60, hbd=1, pka=9.0)  # doctest: +ELLIPSIS
    5.3333...
    """
    if tpsa <= 20 or tpsa >= 120:
        f_tpsa = 0.0
    elif tpsa < 40:
        f_tpsa = (tpsa - 20) / 20
    elif tpsa <= 90:
        f_tpsa = 1.0
    else:
        f_tpsa = (120 - tpsa) / 30
    return (
        _ramp_down(clogp, 3, 5)
        + _ramp_down(clogd, 2, 4)
        + _ramp_down(mw, 360, 500)
        + f_tpsa
        + _ramp_down(hbd, 0.5, 3.5)
        + _ramp_down(pka, 8, 10)
    )


def _as_list(x: Any) -> list[Any]:


    return molecules_list(x)


def molecules_list(x: Any, name: str = "molecules") -> list[Any]:
    """``x`` as a list of SMILES/molecules; a table or mapping is refused, not iterated.

    Iterating a DataFrame yields its column names and a dict its keys, so
    ``compute_properties(df)`` would have treated the column names as SMILES.
    """
    from rdkit import Chem

    from ..errors import InvalidMolecule, InvalidParameter

    if isinstance(x, (str, Chem.Mol)):
        return [x]
    kind = type(x).__name__
    if kind == "DataFrame" or isinstance(x, dict):
        cols = list(getattr(x, "columns", x))[:8]
        raise InvalidParameter(
            f"{name}: a {kind} is not a list of molecules (iterating it gives its "
            f"{'column names' if kind == 'DataFrame' else 'keys'} {cols!r}); pass one column, e.g. df['smiles']"
        )
    if x is None or isinstance(x, (bytes, numbers.Number)) or not hasattr(x, "__iter__"):
        raise InvalidMolecule(f"expected a SMILES, an RDKit molecule or an iterable of them, not {kind}")
    return list(x)


def compute_properties(
    mols_or_smiles: Any,
    *,
    ph: float = 7.4,
    pka: float | Sequence[float | None] | None = None,
    tautomer: str = "keep",
    n_jobs: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Properties, rule checks, protonation and CNS MPO of one or more molecules.

    Each input is standardised first (:func:`toolkit.chem.standardization.standardize`).

    Parameters
    ----------
    mols_or_smiles : str, rdkit.Chem.Mol or iterable of them
    ph : float
        pH for the fraction protonated and cLogD (default 7.4), within
        :data:`PH_RANGE` (0-14, the aqueous pH scale at 25 °C).
    pka : float, sequence of float/None, or None
        pKa of the most basic centre (one value for all, or one per molecule).
        Without it ``fraction_protonated``, ``clogd`` and ``cns_mpo`` are NaN
        and ``cns_mpo_note`` says so. The toolkit predicts no pKa.
    tautomer : {"keep", "canonical"}
        Tautomer policy of the standardisation.
    n_jobs : int
        Worker processes (chunks of molecules; order preserved, same result as
        serial); ``-1`` for every usable core, capped at the usable cores.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per input, columns :data:`PROPERTY_COLUMNS`.

    Raises
    ------
    toolkit.errors.InvalidMolecule
        An input cannot be parsed or sanitised (use :func:`toolkit.batch.compare`
        to keep bad rows instead).
    toolkit.errors.InvalidParameter
        ``pka`` has the wrong length, ``ph`` is outside :data:`PH_RANGE`, ``pka``
        is not finite, ``n_jobs`` is invalid, or a DataFrame/dict is given
        instead of a column of molecules.

    Examples
    --------
    >>> df = compute_properties("CNC1(c2ccccc2Cl)CCCCC1=O", pka=7.5)  # ketamine, pKa 7.5 (Merck Index)
    >>> df.loc[0, ["hbd", "hba", "rotatable_bonds", "heavy_atoms"]].tolist()
    [1, 2, 2, 16]
    >>> round(float(df.loc[0, "fraction_protonated"]), 3), round(float(df.loc[0, "cns_mpo"]), 2)
    (0.557, 5.02)
    """
    import pandas as pd

    from .._checks import check_bool, check_number, shown
    from .._jobs import resolve_n_jobs
    from ..errors import InvalidParameter

    items = _as_list(mols_or_smiles)
    if pka is None or (isinstance(pka, numbers.Real) and not isinstance(pka, bool)):
        pkas: list[float | None] = [None if pka is None else float(pka)] * len(items)
    elif isinstance(pka, (str, bytes)) or not hasattr(pka, "__iter__"):
        raise InvalidParameter(f"pka must be a number, None or one value per molecule, not {pka!r}")
    else:
        pkas = list(pka)
        if len(pkas) != len(items):
            raise InvalidParameter(f"pka has {len(pkas)} values for {len(items)} molecules")
    ph = check_number(ph, "ph", PH_RANGE[0], PH_RANGE[1])
    for pk in pkas:
        if pk is not None and (isinstance(pk, bool) or not isinstance(pk, numbers.Real)):
            raise InvalidParameter(f"pka must be a number, None or NaN, got {shown(pk)}")
        if pk is not None and math.isinf(float(pk)):
            raise InvalidParameter(f"pka must be finite or None/NaN, got {pk!r}")
        if pk is not None and not PKA_RANGE[0] <= float(pk) <= PKA_RANGE[1] and not math.isnan(float(pk)):
            raise InvalidParameter(f"pka must be between {PKA_RANGE[0]:g} and {PKA_RANGE[1]:g}, got {pk!r}")
    if not isinstance(tautomer, str):
        raise InvalidParameter(f"tautomer must be 'keep' or 'canonical', got {shown(tautomer)}")
    progress = check_bool(progress, "progress")
    n_jobs = resolve_n_jobs(n_jobs)
    chunk = max(1, min(500, math.ceil(len(items) / (4 * int(n_jobs)))))
    tasks = [(items[i : i + chunk], pkas[i : i + chunk]) for i in range(0, len(items), chunk)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), unit="mol", desc="properties")
    rows: list[dict[str, Any]] = []
    try:
        if int(n_jobs) == 1 or len(tasks) == 1:
            results: Iterable[list[dict[str, Any]]] = (_rows(it, pk, ph, tautomer) for it, pk in tasks)
            for part in results:
                rows.extend(part)
                if bar is not None:
                    bar.update(len(part))
        else:
            from .._jobs import process_pool

            with process_pool(int(n_jobs)) as ex:  # workers die with this process
                for part in ex.map(_rows, *zip(*tasks), [ph] * len(tasks), [tautomer] * len(tasks)):
                    rows.extend(part)
                    if bar is not None:
                        bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame(rows, columns=PROPERTY_COLUMNS)


def _rows(items: list[Any], pkas: list[float | None], ph: float, tautomer: str) -> list[dict[str, Any]]:
    """Property rows of a chunk of molecules (the per-task function of :func:`compute_properties`)."""
    from .standardization import standardize
    from .templates import fraction_protonated

    rows = []
    for item, pk in zip(items, pkas):
        st = standardize(item, tautomer=tautomer)
        d = descriptors(st.mol)
        row: dict[str, Any] = {"input": st.input, "smiles": st.smiles, "standardization": ";".join(st.changes)}
        row.update(d)
        row["ph"] = float(ph)
        if pk is None or (isinstance(pk, float) and math.isnan(pk)):
            row.update(pka=math.nan, fraction_protonated=math.nan, clogd=math.nan, cns_mpo=math.nan,
                       cns_mpo_note="no pKa supplied: CNS MPO needs the pKa of the most basic centre")  # fmt: skip
        else:
            clogd = clogd_base(d["clogp"], pk, ph)
            row.update(
                pka=float(pk),
                fraction_protonated=fraction_protonated(ph, pk),
                clogd=clogd,
                cns_mpo=cns_mpo(d["clogp"], clogd, d["mw"], d["tpsa"], d["hbd"], pk),
                cns_mpo_note="cLogD derived from Crippen cLogP and the supplied pKa (base)",
            )
        rows.append(row)
    return rows


def embed_conformers(
    mol_or_smiles: Any,
    *,
    n_conformers: int = 1,
    seed: int = 20210721,
    minimize: bool = False,
    max_iters: int = 500,
) -> Chem.Mol:
    """3D conformers with ETKDGv3 (Wang et al. 2020 J Chem Inf Model 60:2044), seeded and reproducible.

    Hydrogens are added. The same ``seed`` gives the same coordinates (one
    embedding thread). With ``minimize=True`` every conformer is minimised
    with MMFF94 (Halgren 1996), falling back to UFF if MMFF lacks parameters.

    Parameters
    ----------
    mol_or_smiles : str or rdkit.Chem.Mol
    n_conformers : int
        Number of conformers (>= 1).
    seed : int
        Random seed for ETKDGv3.
    minimize : bool
        MMFF94 minimisation after embedding.
    max_iters : int
        Maximum minimiser iterations.

    Returns
    -------
    rdkit.Chem.Mol
        Molecule with explicit hydrogens and ``n_conformers`` conformers.

    Raises
    ------
    toolkit.errors.InvalidMolecule
        Embedding failed.

    Examples
    --------
    >>> m = embed_conformers("CNC1(c2ccccc2Cl)CCCCC1=O", n_conformers=2, seed=7)
    >>> m.GetNumConformers(), m.GetNumAtoms()
    (2, 32)
    """
    from rdkit import Chem
    from rdkit.Chem import AllChem

    from .._checks import check_bool, check_int
    from ..errors import InvalidMolecule
    from .standardization import parse_smiles

    n_conformers = check_int(n_conformers, "n_conformers", 1, 10_000)
    seed = check_int(seed, "seed", 0, 2**31 - 1)
    max_iters = check_int(max_iters, "max_iters", 1, 1_000_000)
    minimize = check_bool(minimize, "minimize")
    if not isinstance(mol_or_smiles, (str, Chem.Mol)):
        raise InvalidMolecule(f"expected a SMILES string or an RDKit Mol, got {type(mol_or_smiles).__name__}")
    mol = parse_smiles(mol_or_smiles) if isinstance(mol_or_smiles, str) else Chem.Mol(mol_or_smiles)
    mol = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = int(seed)
    params.numThreads = 1
    ids = list(AllChem.EmbedMultipleConfs(mol, numConfs=int(n_conformers), params=params))
    if len(ids) < n_conformers:
        raise InvalidMolecule(f"ETKDGv3 embedded {len(ids)} of {n_conformers} conformers (seed {seed})")
    if minimize:
        if AllChem.MMFFHasAllMoleculeParams(mol):
            AllChem.MMFFOptimizeMoleculeConfs(mol, numThreads=1, maxIters=max_iters)
        else:
            AllChem.UFFOptimizeMoleculeConfs(mol, numThreads=1, maxIters=max_iters)
    return mol


