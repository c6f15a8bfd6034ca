"""Fingerprint similarity, nearest panel neighbours and maximum common substructure.

Fingerprints (RDKit ``rdFingerprintGenerator``)
-----------------------------------------------
* ``ecfp4``: Morgan, radius 2, 2048 bits (Rogers & Hahn 2010 J Chem Inf
  Model 50:742; "ECFP4" = diameter 4 = radius 2).
* ``ecfp4_count``: the same environments as counts (unfolded to 2048 bins);
  Tanimoto on counts = sum(min)/sum(max).
* ``fcfp4``: Morgan radius 2 with pharmacophoric feature invariants
  (``GetMorganFeatureAtomInvGen``), 2048 bits.
* ``maccs``: the 166 MACCS keys (``GetMACCSKeysFingerprint``).

Chirality is ignored by default (``include_chirality=False``), so the two
ketamine enantiomers have Tanimoto 1.0; pass ``include_chirality=True`` to
tell them apart. The default reference is esketamine from the panel
(:data:`toolkit.chem.panel.REFERENCE_NAME`). Tanimoto values are
structural resemblance only, not a prediction of activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from rdkit import Chem

__all__ = [
    "FINGERPRINT_KINDS",
    "SIMILARITY_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "fingerprint",
    "tanimoto",
    "similarity_table",
    "nearest_neighbours",
    "MCSResult",
    "mcs",
]

FINGERPRINT_KINDS = ("ecfp4", "ecfp4_count", "fcfp4", "maccs")
FP_SIZE = 2048

#: Columns of :func:`similarity_table`.
SIMILARITY_COLUMNS = ["query", "query_smiles", "reference", "reference_smiles", "fingerprint", "tanimoto"]
#: Columns of :func:`nearest_neighbours`.
NEIGHBOUR_COLUMNS = [
    "rank", "name", "isomeric_smiles", "fingerprint", "tanimoto",
    "value_raw", "value_type", "assay_system", "status",
]  # fmt: skip


@lru_cache(maxsize=8)
def _generator(kind: str, include_chirality: bool) -> Any:
    from rdkit.Chem import rdFingerprintGenerator as G

    if kind in ("ecfp4", "ecfp4_count"):
        return G.GetMorganGenerator(radius=2, fpSize=FP_SIZE, includeChirality=include_chirality)
    if kind == "fcfp4":
        return G.GetMorganGenerator(
            radius=2,
            fpSize=FP_SIZE,
            includeChirality=include_chirality,
            atomInvariantsGenerator=G.GetMorganFeatureAtomInvGen(),
        )
    raise AssertionError(kind)


def _check_kind(kind: str) -> None:
    from ..errors import InvalidParameter

    if not isinstance(kind, str) or kind not in FINGERPRINT_KINDS:
        raise InvalidParameter(f"fingerprint kind must be one of {FINGERPRINT_KINDS}, got {kind!r}")


def _queries(queries: Any) -> list[Any]:
    from .properties import molecules_list

    return molecules_list(queries, "queries")


def _mol(x: Any) -> Chem.Mol:
    from .standardization import standardize

    return standardize(x).mol


def fingerprint(mol_or_smiles: Any, kind: str = "ecfp4", *, include_chirality: bool = False) -> Any:
    """Fingerprint of one (standardised) molecule.

    Parameters
    ----------
    mol_or_smiles : str or rdkit.Chem.Mol
    kind : {"ecfp4", "ecfp4_count", "fcfp4", "maccs"}
    include_chirality : bool
        Morgan kinds only: include CIP chirality in the atom environments.

    Returns
    -------
    rdkit ExplicitBitVect (bits) or UIntSparseIntVect (``ecfp4_count``).

    Examples
    --------
    >>> fingerprint("CNC1(c2ccccc2Cl)CCCCC1=O").GetNumBits()
    2048
    >>> fingerprint("CNC1(c2ccccc2Cl)CCCCC1=O", "maccs").GetNumBits()
    167
    """
    _check_kind(kind)
    mol = _mol(mol_or_smiles)
    return _fp(mol, kind, include_chirality)


def _fp(mol: Chem.Mol, kind: str, include_chirality: bool = False) -> Any:
    if kind == "maccs":
        from rdkit.Chem import rdMolDescriptors

        return rdMolDescriptors.GetMACCSKeysFingerprint(mol)
    gen = _generator(kind, include_chirality)
    if kind == "ecfp4_count":
        return gen.GetCountFingerprint(mol)
    return gen.GetFingerprint(mol)


def _tanimoto_list(fp: Any, fps: list[Any], kind: str) -> list[float]:
    from rdkit import DataStructs

    return list(DataStructs.BulkTanimotoSimilarity(fp, fps))


def _references(references: Any) -> list[tuple[str, Any]]:
    """[(label, mol_or_smiles)]: None -> esketamine; str/Mol -> one; dict -> name: smiles; list."""
    from rdkit import Chem

    from .panel import REFERENCE_NAME, panel_smiles
    from .properties import molecules_list

    if references is None:
        return [(REFERENCE_NAME, panel_smiles(REFERENCE_NAME))]
    if isinstance(references, dict):
        return [(str(k), v) for k, v in references.items()]
    references = molecules_list(references, "references")
    out = []
    for r in references:
        out.append((r if isinstance(r, str) else Chem.MolToSmiles(r), r))
    return out


def tanimoto(
    queries: Any, references: Any = None, *, kind: str = "ecfp4", include_chirality: bool = False
) -> pd.DataFrame:
    """Tanimoto similarity matrix (queries x references).

    Parameters
    ----------
    queries : str, Mol or iterable of them
    references : None, str, Mol, iterable, or dict name -> SMILES
        Default: esketamine from the panel.
    kind : {"ecfp4", "ecfp4_count", "fcfp4", "maccs"}
    include_chirality : bool

    Returns
    -------
    pandas.DataFrame
        Index: query SMILES as given; columns: reference labels; values in [0, 1].

    Examples
    --------
    >>> t = tanimoto(["CN[C@@]1(c2ccccc2Cl)CCCCC1=O", "NC1(c2ccccc2Cl)CCCCC1=O"])
    >>> float(t.iloc[0, 0]), bool(t.iloc[1, 0] < 1)
    (1.0, True)
    """
    import pandas as pd
    from rdkit import Chem

    _check_kind(kind)
    refs = _references(references)
    ref_fps = [_fp(_mol(m), kind, include_chirality) for _, m in refs]
    qs = _queries(queries)
    rows = []
    labels = []
    for q in qs:
        labels.append(q if isinstance(q, str) else Chem.MolToSmiles(q))
        rows.append(_tanimoto_list(_fp(_mol(q), kind, include_chirality), ref_fps, kind))
    return pd.DataFrame(rows, index=labels, columns=[label for label, _ in refs])


def similarity_table(
    queries: Any, references: Any = None, *, kinds: tuple[str, ...] = FINGERPRINT_KINDS
) -> pd.DataFrame:
    """Long table of Tanimoto similarities for several fingerprint kinds.

    Parameters
    ----------
    queries : str, Mol or iterable of them
        Molecules to compare (standardised first).
    references : str, Mol, dict or iterable, optional
        Reference molecule(s); a dict maps labels to molecules. Default:
        esketamine from the panel.
    kinds : tuple of str
        Fingerprints from :data:`FINGERPRINT_KINDS` (ECFP4 bit and count,
        FCFP4, MACCS).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIMILARITY_COLUMNS`; one row per (query, reference, fingerprint).

    Examples
    --------
    >>> df = similarity_table("NC1(c2ccccc2Cl)CCCCC1=O")
    >>> sorted(df["fingerprint"]) == sorted(FINGERPRINT_KINDS)
    True
    """
    import pandas as pd
    from rdkit import Chem

    from ..errors import InvalidParameter

    if isinstance(kinds, str):
        kinds = (kinds,)
    if not isinstance(kinds, (tuple, list)) or not kinds:
        raise InvalidParameter(f"kinds must be a non-empty tuple of {FINGERPRINT_KINDS}, got {kinds!r}")
    for kind in kinds:
        _check_kind(kind)
    refs = _references(references)
    ref_mols = [(label, _mol(m)) for label, m in refs]
    qs = _queries(queries)
    rows = []
    for q in qs:
        qm = _mol(q)
        qlabel = q if isinstance(q, str) else Chem.MolToSmiles(q)
        for kind in kinds:
            _check_kind(kind)
            qfp = _fp(qm, kind)
            for (label, rm), sim in zip(ref_mols, _tanimoto_list(qfp, [_fp(m, kind) for _, m in ref_mols], kind)):
                rows.append((qlabel, Chem.MolToSmiles(qm), label, Chem.MolToSmiles(rm), kind, sim))
    return pd.DataFrame(rows, columns=SIMILARITY_COLUMNS)


@lru_cache(maxsize=8)
def _panel_fps(kind: str, include_chirality: bool) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    from .panel import load_panel

    df = load_panel()
    return tuple(df["name"]), tuple(_fp(_mol(s), kind, include_chirality) for s in df["isomeric_smiles"])


def nearest_neighbours(
    mol_or_smiles: Any, k: int = 5, *, kind: str = "ecfp4", include_chirality: bool = False,
    exclude_self: bool = False,
) -> pd.DataFrame:  # fmt: skip
    """The ``k`` panel compounds most similar to a molecule (Tanimoto, descending; ties by panel order).

    The panel's value, assay and status come along so that nobody reads the
    neighbours' values as comparable: they come from different assays.

    Parameters
    ----------
    mol_or_smiles : str or Mol
    k : int
        Number of neighbours (1 to 34).
    kind : fingerprint kind
    include_chirality : bool
    exclude_self : bool
        Drop panel rows with Tanimoto exactly 1.0 (the query itself).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NEIGHBOUR_COLUMNS`.

    Examples
    --------
    >>> nn = nearest_neighbours("CCNC1(c2ccccc2Cl)CCCCC1=O", k=3)   # N-ethyl norketamine
    >>> nn["name"].iloc[0]
    'ketamine (racemic)'
    """
    import numpy as np
    import pandas as pd

    from .._checks import check_bool, check_int
    from .panel import load_panel

    _check_kind(kind)
    include_chirality = check_bool(include_chirality, "include_chirality")
    exclude_self = check_bool(exclude_self, "exclude_self")
    names, fps = _panel_fps(kind, include_chirality)
    k = check_int(k, "k", 1, len(names))
    sims = np.asarray(_tanimoto_list(_fp(_mol(mol_or_smiles), kind, include_chirality), list(fps), kind))
    order = np.argsort(-sims, kind="stable")
    if exclude_self:
        order = order[sims[order] < 1.0]
    order = order[:k]
    panel = load_panel()
    out = panel.iloc[order][["name", "isomeric_smiles", "value_raw", "value_type", "assay_system", "status"]]
    out = out.assign(rank=np.arange(1, len(order) + 1), fingerprint=kind, tanimoto=sims[order])
    return pd.DataFrame(out[NEIGHBOUR_COLUMNS]).reset_index(drop=True)


@dataclass(frozen=True)
class MCSResult:
    """Maximum common substructure of a query and a reference.

    Attributes
    ----------
    smarts : str
        SMARTS of the common substructure ('' if none).
    num_atoms, num_bonds : int
        Size of the common substructure.
    query_atoms, reference_atoms : tuple of int
        Atom indices to highlight, in the molecules parsed from ``query_smiles`` /
        ``reference_smiles`` (hydrogens implicit).
    query_smiles, reference_smiles : str
        Canonical SMILES of the standardised molecules; ``Chem.MolFromSmiles``
        of these gives the atom order the indices refer to.
    fraction_of_query : float
        ``num_atoms`` / heavy atoms of the query.
    timed_out : bool
        The search hit the timeout; the result may not be maximal.
    """

    smarts: str
    num_atoms: int
    num_bonds: int
    query_atoms: tuple[int, ...]
    reference_atoms: tuple[int, ...]
    query_smiles: str
    reference_smiles: str
    fraction_of_query: float
    timed_out: bool


def mcs(
    mol_or_smiles: Any,
    reference: Any = None,
    *,
    timeout: int = 10,
    ring_matches_ring_only: bool = True,
    complete_rings_only: bool = True,
) -> MCSResult:
    """Maximum common substructure with a reference (``rdFMCS.FindMCS``, with a timeout).

    Parameters
    ----------
    mol_or_smiles : str or Mol
    reference : str or Mol, optional
        Default: esketamine from the panel.
    timeout : int
        Seconds (>= 1); ``timed_out`` tells whether it was reached.
    ring_matches_ring_only, complete_rings_only : bool
        rdFMCS options (defaults avoid matching half rings). Atoms match by
        element, bonds by exact order (an aromatic bond matches only an
        aromatic bond, so a phenyl never maps onto a cyclohexane).

    Returns
    -------
    MCSResult

    Examples
    --------
    >>> r = mcs("NC1(c2ccccc2Cl)CCCCC1=O")     # norketamine vs esketamine
    >>> r.num_atoms, len(r.query_atoms), r.timed_out
    (15, 15, False)
    """
    from rdkit import Chem
    from rdkit.Chem import rdFMCS

    from .._checks import check_bool, check_int
    from .panel import REFERENCE_NAME, panel_smiles

    timeout = check_int(timeout, "timeout (s)", 1, 3600)
    ring_matches_ring_only = check_bool(ring_matches_ring_only, "ring_matches_ring_only")
    complete_rings_only = check_bool(complete_rings_only, "complete_rings_only")
    q = _mol(mol_or_smiles)
    r = _mol(panel_smiles(REFERENCE_NAME) if reference is None else reference)
    res = rdFMCS.FindMCS(
        [q, r],
        timeout=int(timeout),
        ringMatchesRingOnly=ring_matches_ring_only,
        completeRingsOnly=complete_rings_only,
        atomCompare=rdFMCS.AtomCompare.CompareElements,
        bondCompare=rdFMCS.BondCompare.CompareOrderExact,  # aromatic matches aromatic only
    )
    # The indices refer to the molecules parsed back from the returned SMILES, so that
    # Chem.MolFromSmiles(result.query_smiles) can be drawn with result.query_atoms.
    q_smi, r_smi = Chem.MolToSmiles(q), Chem.MolToSmiles(r)
    if res.numAtoms == 0:
        qa: tuple[int, ...] = ()
        ra: tuple[int, ...] = ()
    else:
        patt = Chem.MolFromSmarts(res.smartsString)
        qa = tuple(Chem.MolFromSmiles(q_smi).GetSubstructMatch(patt))
        ra = tuple(Chem.MolFromSmiles(r_smi).GetSubstructMatch(patt))
    return MCSResult(
        smarts=res.smartsString,
        num_atoms=int(res.numAtoms),
        num_bonds=int(res.numBonds),
        query_atoms=qa,
        reference_atoms=ra,
        query_smiles=q_smi,
        reference_smiles=r_smi,
        fraction_of_query=res.numAtoms / max(q.GetNumHeavyAtoms(), 1),
        timed_out=bool(res.canceled),
    )
