"""Typed protein-ligand interactions on heavy atoms, with PLIP's published geometry.

:func:`interactions` types one ligand instance against the protein. It
builds the ligand's chemistry (:func:`toolkit.chem.templates.ligand_to_mol`:
CCD bond orders), charges both partners at the pH
(:mod:`toolkit.sites.protonation`: the ligand's ionisable groups by
substructure with a tabulated or sourced pKa, Asp/Glu/His/Lys/Arg and the
termini by their pKa), types the protein around the ligand once
(:class:`~toolkit.sites.detectors.ProteinContext`) and runs one detector per
interaction type (:mod:`toolkit.sites.detectors`). Every table states the
charge state it used in ``table.attrs`` (``ph``, ``ligand_formal_charge``,
``ligand_charge_state``).

Default thresholds (:class:`Thresholds`) are PLIP's published values:
Salentin S. et al. (2015) PLIP: fully automated protein-ligand interaction
profiler. Nucleic Acids Res 43:W443-W447, doi:10.1093/nar/gkv315; Adasme M.F.
et al. (2021) PLIP 2021: expanding the scope of the protein-ligand
interaction profiler to DNA and RNA. Nucleic Acids Res 49:W530-W534,
doi:10.1093/nar/gkab294 (values as in ``plip.basic.config`` of PLIP 3.0,
which names the primary source of each).

Rules (PLIP's, adapted to heavy atoms):

* ``hydrophobic``: carbon bonded only to carbon/hydrogen, ligand to protein,
  <= 4.0 Å; one row per (ligand atom, residue), the closest; atoms of two
  stacked rings make no extra hydrophobic contact.
* ``hbond``: donor to acceptor <= 4.1 Å, D-H...A >= 100° with the hydrogen
  modelled from the donor's heavy-atom neighbours (PLIP: Hubbard & Haider
  2001 + 0.6 Å / + 10°); an H-bond between two groups forming a salt bridge
  is not reported, and each donor keeps one H-bond (the largest angle), as
  PLIP refines them.
* ``salt_bridge``: centres of opposite charged groups <= 5.5 Å (Barlow &
  Thornton 1983 + 1.5 Å, PLIP). Charged groups come from the charge state at
  the pH; histidine follows its pKa (``his_positive=True``: always positive,
  PLIP's convention).
* ``pi_stacking``: aromatic ring centroids <= 5.5 Å (McGaughey 1998), ring
  normals within 30° of parallel or T-shaped, offset <= 2.0 Å.
* ``cation_pi``: cation centre to ring centroid <= 6.0 Å (Gallivan & Dougherty
  1999), offset <= 2.0 Å.
* ``halogen``: C-X...A, X...A <= 4.0 Å, C-X...A = 165 ± 30°, X...A-Y =
  120 ± 30° (Auffinger et al. 2004).
* ``water_bridge``: ligand polar atom - water O - protein polar atom, each
  2.5-4.1 Å, angle at the water 71-140° (Jiang et al. 2005), when the file
  models waters; a donor already H-bonded makes none; two per water.
* ``metal_complex``: metal atom of the ligand to protein O/N/S binders
  < 3.0 Å (Harding 2001), with PLIP's coordination-geometry fit.
* Covalent links: a protein atom closer than :data:`COVALENT_DIST_MAX`
  (2.0 Å) to a ligand heavy atom is bonded to it (the Asn ND2 of an
  N-glycan, a covalent inhibitor) and takes part in no interaction.

Conventions: the default (``convention="toolkit"``) is the chemistry at the
pH above, with the donor hydrogen of a rotatable group taken as its best
rotamer. ``convention="plip"`` reproduces PLIP 3.0.1's own typing so that
its output can be compared like with like (its pH-free charged-group rules,
Open Babel's hydrogen placement, its hydrophobic and halogen rules; see
:func:`interactions`); it is a comparison tool, not a better chemistry.

Interaction partners are the protein's amino-acid residues (modified
residues and caps included); nucleotides of DNA/RNA chains are polymer but
have no interaction tables here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameter

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = [
    "INTERACTION_COLUMNS",
    "INTERACTION_TYPES",
    "COVALENT_DIST_MAX",
    "Thresholds",
    "interactions",
    "interaction_records",
    "PROTEIN_DONORS",
    "PROTEIN_ACCEPTORS",
    "PROTEIN_CATIONS",
    "PROTEIN_ANIONS",
    "PROTEIN_RINGS",
]

INTERACTION_COLUMNS = [
    "entry", "ligand", "ligand_chain", "ligand_res_id", "type", "chain", "subunit", "res_name",
    "auth_seq_id", "uniprot_num", "label", "ligand_atom", "protein_atom", "distance", "angle",
    "lig_x", "lig_y", "lig_z", "prot_x", "prot_y", "prot_z", "detail",
]  # fmt: skip

#: Heavy-atom distance (Å) below which a protein atom is taken as covalently bonded to the ligand
#: (C-N/C-O/C-S bonds are 1.4-1.8 Å; non-bonded heavy-atom contacts are >= 2.5 Å).
COVALENT_DIST_MAX = 2.0

INTERACTION_TYPES = (
    "hydrophobic", "hbond", "salt_bridge", "pi_stacking", "cation_pi", "halogen", "water_bridge", "metal_complex",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Geometric thresholds (Å, degrees); defaults are PLIP's published values.

    Source: Salentin et al. 2015, Nucleic Acids Res 43:W443,
    doi:10.1093/nar/gkv315; Adasme et al. 2021, Nucleic Acids Res 49:W530,
    doi:10.1093/nar/gkab294 (``plip.basic.config``, which gives each value's
    primary source: H-bonds Hubbard & Haider 2001 + 0.6 Å / + 10°; salt
    bridges Barlow & Thornton 1983 + 1.5 Å; π-stacking McGaughey et al. 1998;
    cation-π Gallivan & Dougherty 1999; halogen bonds Auffinger et al. 2004;
    water bridges Jiang et al. 2005, doi:10.1002/prot.20660: water-polar atom
    2.5-4.1 Å, angle at the water 71-140°; metal complexes Harding 2001,
    doi:10.1107/S0907444900019168: metal-binder < 3.0 Å).

    ``his_positive``: None (default) charges His by its pKa at the pH of
    :func:`interactions`; True counts it positive always (PLIP's convention),
    False never.

    >>> Thresholds().hbond_dist_max
    4.1
    >>> Thresholds.from_any({"hydrophobic_dist_max": 4.5}).hydrophobic_dist_max
    4.5
    """

    min_dist: float = 0.5
    hydrophobic_dist_max: float = 4.0
    hbond_dist_max: float = 4.1
    hbond_don_angle_min: float = 100.0
    salt_bridge_dist_max: float = 5.5
    pistack_dist_max: float = 5.5
    pistack_ang_dev: float = 30.0
    pistack_offset_max: float = 2.0
    pication_dist_max: float = 6.0
    halogen_dist_max: float = 4.0
    halogen_acc_angle: float = 120.0
    halogen_don_angle: float = 165.0
    halogen_angle_dev: float = 30.0
    water_bridge_mindist: float = 2.5
    water_bridge_maxdist: float = 4.1
    water_bridge_omega_min: float = 71.0
    water_bridge_omega_max: float = 140.0
    metal_dist_max: float = 3.0
    his_positive: bool | None = None

    @classmethod
    def from_any(cls, value: Thresholds | dict[str, Any] | None) -> Thresholds:
        """Build from None (defaults), a dict of overrides or a Thresholds."""
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            bad = sorted(set(value) - known)
            if bad:
                raise InvalidParameter(f"unknown threshold(s) {bad}; known: {sorted(known)}")
            out = replace(cls(), **value)
            for k, v in asdict(out).items():
                if k == "his_positive":
                    if v is not None and not isinstance(v, bool):
                        raise InvalidParameter(f"threshold his_positive must be True, False or None, got {v!r}")
                elif isinstance(v, bool) or not (isinstance(v, (int, float)) and np.isfinite(v) and v >= 0):
                    raise InvalidParameter(f"threshold {k} must be a number >= 0, got {v!r}")
            return out
        raise InvalidParameter(f"thresholds must be a dict or Thresholds, got {type(value).__name__}")


# The residue tables live with the detectors; re-exported here (public names of this module).
from .detectors import (  # noqa: E402
    PROTEIN_ACCEPTORS,
    PROTEIN_ANIONS,
    PROTEIN_CATIONS,
    PROTEIN_DONORS,
    PROTEIN_RINGS,
)


def _check_structure(structure: Any) -> None:
    """A loaded Structure holding protein (InvalidParameter / NoProteinError otherwise)."""
    from .._checks import check_structure

    check_structure(structure, "structure")
    if not structure.protein_mask.any():
        from ..errors import NoProteinError

        polymer = sorted({str(c) for c in structure.atoms["chain_id"][structure.polymer_mask]})
        raise NoProteinError(
            f"{structure.entry_id or 'structure'} holds no protein residue (polymer chains: "
            f"{', '.join(polymer) or 'none'}): there is no binding site or protein partner to find"
        )


def detectors_for(th: Thresholds, hbond_donors: set[tuple[str, int]] | None = None) -> list[Any]:
    """The detector objects of every interaction type, with the thresholds of ``th``."""
    from . import detectors as D

    out = []
    for cls in (D.Hydrophobic, D.HBond, D.SaltBridge, D.PiStacking, D.CationPi, D.Halogen, D.MetalComplex):
        out.append(cls(**{k: getattr(th, k) for k in cls.defaults}))
    out.append(D.WaterBridge(hbond_donors=hbond_donors, **{k: getattr(th, k) for k in D.WaterBridge.defaults}))
    return out


def interactions(
    structure: Structure,
    ligand: Any,
    *,
    chain: str | None = None,
    res_id: int | None = None,
    ph: float | None = 7.4,
    pka: float | None = None,
    thresholds: Thresholds | dict[str, Any] | None = None,
    smiles: str | None = None,
    mol: Any = None,
    convention: str = "toolkit",
) -> pd.DataFrame:
    """Typed interactions between one ligand instance and the protein (heavy atoms).

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    ligand
        CCD code of the ligand (``"JC9"``) or a :class:`~toolkit.model.LigandKey`.
    chain, res_id
        Author chain/number of the instance when the code occurs several times.
    ph
        pH of the charge states (default 7.4; 0-14). Ligand groups are
        charged by :func:`~toolkit.sites.protonation.ligand_charge_state`
        (major microspecies), protein groups by their pKa
        (:data:`~toolkit.sites.protonation.PROTEIN_PKA`). ``None``: no pH
        model, the CCD formal charges as they are and His counted positive.
    pka
        A sourced pKa for the ligand's most basic group; by default the
        ligand panel's (ketamine/JC9: 7.5, Merck Index), else the table value.
    thresholds
        :class:`Thresholds` or a dict of overrides; defaults are PLIP's
        (Salentin et al. 2015, doi:10.1093/nar/gkv315; Adasme et al. 2021,
        doi:10.1093/nar/gkab294).
    smiles
        Template for a ligand absent from the CCD.
    mol
        A ready RDKit molecule from :func:`~toolkit.chem.templates.ligand_to_mol`
        (skips templating; its charges are re-derived at ``ph``).
    convention
        ``"toolkit"`` (default): charge states at ``ph`` as above.
        ``"plip"``: PLIP 3.0.1's typing, to compare like with like with PLIP
        (no pH model; ``ph`` and ``pka`` are ignored): the ligand's charged
        groups by :func:`~toolkit.sites.protonation.plip_charge_state` on its
        CCD form (tertiary but not primary/secondary amines, DMSO as a
        sulfonium, phosphates but not phosphonates), His always positive, no
        charged termini, and PLIP's hydrophobic-patch refinement (a protein
        carbon touching several ligand carbons keeps the closest of each bonded
        patch and, as PLIP 3.0.1 does, none of the unbonded ones:
        ``PLInteraction.refine_hydrophobic``), PLIP's halogen-bond acceptors
        (any O/N/S with one heavy neighbour, ``BindingSite.find_hal``), the
        residues' donors and acceptors as Open Babel types them
        (:data:`~toolkit.sites.detectors.PLIP_PROTEIN_TYPING`; from the
        file's hydrogens when it has some, completed where the file leaves
        some out), Open Babel's bond-order perception of the file (which O of
        an Asp/Glu, carboxylic acid or phosphate carries the hydrogen, the C=N
        of an Arg-like guanidine:
        :func:`~toolkit.sites.protonation.plip_bond_orders`,
        ``ProteinContext._plip_carboxylic_acids``), donor hydrogens placed as Open
        Babel places them (anti-periplanar or staggered about the X-D bond
        instead of the best rotamer, every hydrogen of a donor a separate
        water-bridge candidate), PLIP 3.0.1's literal two-per-water
        water-bridge loop and no covalent-link exclusion (PLIP has none).
        Hydrogens written in the file are used in both conventions.

    Returns
    -------
    pandas.DataFrame
        One row per interaction, columns :data:`INTERACTION_COLUMNS`, sorted by
        type, chain, residue. For ring interactions ``ligand_atom`` /
        ``protein_atom`` are the ';'-joined ring atom names and the
        coordinates are ring centroids; for charged groups, the group
        centroid. ``angle``: donor angle (hbond), ring-normal angle
        (pi_stacking), C-X...A angle (halogen), angle at the water
        (water_bridge), NaN otherwise. ``detail``: donor side, stacking
        type (P/T), the bridging water, the metal geometry.
        ``table.attrs``: ``ph``, ``ligand_formal_charge`` (int) and
        ``ligand_charge_state`` (text: the state used and its pKa source).

    Raises
    ------
    LigandNotFound, ComponentNotFound, TemplateMismatch
        See :func:`~toolkit.chem.templates.ligand_to_mol`.
    InvalidParameter
        Bad structure, ligand, pH, pKa, smiles or thresholds.
    NoProteinError
        The structure holds no protein residue (e.g. an RNA-only entry).

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> df = interactions(s, "JC9")  # doctest: +SKIP
    >>> df.attrs["ligand_charge_state"]  # doctest: +SKIP
    'cation (+1) at pH 7.4: secondary amine N1 pKa 7.5 (Merck Index)'
    >>> sorted(set(df["label"][df["type"] == "hydrophobic"]))[:2]  # doctest: +SKIP
    ['GluN1 V644', 'GluN2B L643']
    """
    records, attrs = interaction_records(
        structure, ligand, chain=chain, res_id=res_id, ph=ph, pka=pka, thresholds=thresholds, smiles=smiles,
        mol=mol, convention=convention,
    )
    df = _table(records)
    df.attrs.update(attrs)
    return df


def interaction_records(
    structure: Structure,
    ligand: Any,
    *,
    chain: str | None = None,
    res_id: int | None = None,
    ph: float | None = 7.4,
    pka: float | None = None,
    thresholds: Thresholds | dict[str, Any] | None = None,
    smiles: str | None = None,
    mol: Any = None,
    convention: str = "toolkit",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of :func:`interactions` as plain records, without pandas.

    The same computation, arguments and checks as :func:`interactions`, which
    builds its DataFrame from these records; for callers that write the table
    straight to a file (``nmda-toolkit interactions``) and need not import
    pandas in a fresh process.

    Returns
    -------
    records : list of dict
        One dict per interaction, keys :data:`INTERACTION_COLUMNS` in order,
        values Python ``str``/``int``/``float`` (``nan`` where
        :func:`interactions` has NaN), in the order of its rows.
    attrs : dict
        ``ph``, ``ligand_formal_charge``, ``ligand_charge_state``: the
        ``table.attrs`` of :func:`interactions`.

    Raises
    ------
    LigandNotFound, ComponentNotFound, TemplateMismatch, InvalidParameter, NoProteinError
        As :func:`interactions`.

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> records, attrs = interaction_records(s, "JC9")  # doctest: +SKIP
    >>> records[0]["type"], attrs["ligand_formal_charge"]  # doctest: +SKIP
    ('hydrophobic', 1)
    """
    from .._checks import check_str
    from ..model import LigandKey
    from .protonation import _check_pka, check_ph, ligand_charge_state

    _check_structure(structure)
    _check_pka(pka)
    if ligand is None:
        raise InvalidParameter("ligand must be a CCD code (e.g. 'JC9') or a LigandKey, got None")
    key = LigandKey.of(ligand, chain, res_id)
    code = key.code
    check_str(smiles, "smiles", optional=True)
    if convention not in ("toolkit", "plip"):
        raise InvalidParameter(f"convention must be 'toolkit' or 'plip', got {convention!r}")
    plip = convention == "plip"
    if plip:
        ph = None
    if ph is not None:
        ph = check_ph(ph)
    th = Thresholds.from_any(thresholds)
    if mol is None:
        from ..chem.templates import ligand_to_mol

        mol = ligand_to_mol(structure, key, smiles=smiles)
    if plip:
        from .protonation import _neutralise, plip_charge_state

        # PLIP reads a PDB file without formal charges: Open Babel types donors/acceptors on the neutral form
        mol = _neutralise(mol)
        state = plip_charge_state(mol)
        # ... and perceives the bond orders of the file (which O of an acid carries the H, Arg's C=NE)
        from .detectors import metal_sites
        from .protonation import plip_bond_orders

        mol = plip_bond_orders(mol, *metal_sites(structure))
        charge, text, his = state.formal_charge, state.description, True
    elif ph is None:
        state = None
        charge = int(sum(at.GetFormalCharge() for at in mol.GetAtoms()))
        text = f"CCD charges as written (no pH model), formal charge {charge:+d}"
        his = True if th.his_positive is None else th.his_positive
    else:
        mol, state = ligand_charge_state(mol, ph, pka=pka, pka_source=None if pka is None else "given pKa", code=code)
        charge, text, his = state.formal_charge, state.description, th.his_positive
    from .detectors import LigandContext, ProteinContext

    lig = LigandContext(mol, state)
    if not structure.heavy_mask.all():
        lig.attach_file_hydrogens(structure, retype=plip)
    a = structure.atoms
    g0 = int(lig.idx[0])
    lig_chain, lig_resid = str(a["chain_id"][g0]), int(a["res_id"][g0])
    dets = detectors_for(th)
    reach = max(d.reach for d in dets) + 3.0
    prot = ProteinContext(structure, lig.xyz, reach, 7.4 if ph is None else ph, his, exclude=lig.idx, termini=not plip)
    if plip:
        lig.h_model = prot.h_model = "staggered"
        prot.plip_halogen_acceptors = True
        prot.use_plip_typing()
    rows: list[dict[str, Any]] = []
    if len(prot.idx):
        from ._common import NeighbourIndex

        # covalent links: the ligand atom bonded to a protein atom is one of its neighbours (hydrogen model)
        d_min, nearest = NeighbourIndex(lig.xyz).query(prot.xyz)
        bonded = np.flatnonzero(d_min < COVALENT_DIST_MAX)
        prot.extra_neighbours = {int(j): lig.xyz[int(nearest[j])][None, :] for j in bonded.tolist()}
        for det in dets[:-1]:
            rows.extend(det.detect(lig, prot))
        # PLIP: atoms of two stacked rings make no additional hydrophobic contact with each other
        stacked = {(int(structure.residue_index[r["gi"]]), a_, p_) for r in rows if r["type"] == "pi_stacking"
                   for a_ in r["ligand_atom"].split(";") for p_ in r["protein_atom"].split(";")}  # fmt: skip
        if stacked:
            rows = [r for r in rows if r["type"] != "hydrophobic"
                    or (int(structure.residue_index[r["gi"]]), r["ligand_atom"], r["protein_atom"]) not in stacked]  # fmt: skip
        if plip:
            rows = _refine_hydrophobic_plip(rows, lig)
        rows = _refine_hbonds(rows, lig, structure)
        donors = {("L", lig.names.index(r["ligand_atom"])) if r["detail"] == "ligand donor" else ("P", r["gi"])
                  for r in rows if r["type"] == "hbond"}  # fmt: skip
        wb = dets[-1]
        wb.hbond_donors = donors
        wb.plip_order = plip
        rows.extend(wb.detect(lig, prot))
        # covalent links: a protein atom bonded to the ligand takes part in no interaction
        # (PLIP has no covalent links: under its convention the linked atom keeps its interactions)
        linked = set() if plip else set(prot.idx[bonded].tolist())
        if not lig.metals:
            rows = [r for r in rows if r["gi"] not in linked]
        else:
            rows = [r for r in rows if r["gi"] not in linked or r["type"] == "metal_complex"]
    records = _records(structure, code, lig_chain, lig_resid, rows)
    return records, {"ph": ph, "ligand_formal_charge": int(charge), "ligand_charge_state": text}


def _root(parent: dict[int, int], k: int) -> int:
    """Union-find root of ``k``."""
    while parent[k] != k:
        parent[k] = parent[parent[k]]
        k = parent[k]
    return k


def _refine_hydrophobic_plip(rows: list[dict[str, Any]], lig: Any) -> list[dict[str, Any]]:
    """PLIP 3.0.1's third hydrophobic refinement (``PLInteraction.refine_hydrophobic``).

    Contacts are grouped by protein atom; a protein atom with one contact keeps
    it; otherwise its ligand atoms are clustered by their bonds ("hydrophobic
    patches") and each patch keeps its closest contact. Ligand atoms bonded to
    no other atom of the group belong to no patch and are dropped, as in PLIP.
    """
    hyd = [r for r in rows if r["type"] == "hydrophobic"]
    by_prot: dict[int, list[dict[str, Any]]] = {}
    for r in hyd:
        by_prot.setdefault(int(r["gi"]), []).append(r)
    pos = {n: k for k, n in enumerate(lig.names)}
    keep = []
    for group in by_prot.values():
        if len(group) == 1:
            keep.extend(group)
            continue
        members = {pos[r["ligand_atom"]]: r for r in group}
        parent = {k: k for k in members}
        bonded = set()
        for k in members:
            for nb in lig.mol.GetAtomWithIdx(k).GetNeighbors():
                j = nb.GetIdx()
                if j in members:
                    bonded |= {k, j}
                    parent[_root(parent, k)] = _root(parent, j)
        best: dict[int, dict[str, Any]] = {}
        for k in sorted(bonded):
            root, r = _root(parent, k), members[k]
            if root not in best or r["distance"] < best[root]["distance"]:
                best[root] = r
        keep.extend(best.values())
    return [r for r in rows if r["type"] != "hydrophobic"] + keep


def _refine_hbonds(rows: list[dict[str, Any]], lig: Any, structure: Structure) -> list[dict[str, Any]]:
    """PLIP's hydrogen-bond refinement (``refine_hbonds_ldon/pdon``).

    A hydrogen bond between atoms of two groups that form a salt bridge with
    each other is not reported (the salt bridge is); then each donor atom
    keeps one hydrogen bond, the one with the largest D-H...A angle.
    """
    ri = structure.residue_index
    salt = set()
    for r in rows:
        if r["type"] == "salt_bridge":
            lm = lig.group_members.get(r["ligand_atom"], set(r["ligand_atom"].split(";")))
            salt |= {(int(ri[r["gi"]]), la, pa) for la in lm for pa in r["protein_atom"].split(";")}
    best: dict[tuple[str, Any], dict[str, Any]] = {}
    others = []
    for r in rows:
        if r["type"] != "hbond":
            others.append(r)
            continue
        if (int(ri[r["gi"]]), r["ligand_atom"], r["protein_atom"]) in salt:
            continue
        key = ("L", r["ligand_atom"]) if r["detail"] == "ligand donor" else ("P", r["gi"])
        ang = 180.0 if np.isnan(r["angle"]) else r["angle"]
        if key not in best or ang > (180.0 if np.isnan(best[key]["angle"]) else best[key]["angle"]):
            best[key] = r
    return others + list(best.values())


def _records(structure: Structure, code: str, lig_chain: str, lig_resid: int,
             rows: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """Detector rows -> records with the residue columns, keys :data:`INTERACTION_COLUMNS`, sorted.

    Sorted by type (:data:`INTERACTION_TYPES` order), chain, residue number and
    distance (NaN last), stable; plain Python values only (no numpy scalars).
    """
    from ._common import residue_label

    if not rows:
        return []
    a = structure.atoms
    gi = np.fromiter((r["gi"] for r in rows), dtype=np.int64, count=len(rows))
    subunits = structure.chain_subunits
    chains = a["chain_id"][gi].astype(str).tolist()
    res_names = a["res_name"][gi].astype(str).tolist()
    unums = structure.uniprot_num[gi].astype(np.int64).tolist()
    auth = a["res_id"][gi].astype(np.int64).tolist()
    ins = a["ins_code"][gi].astype(str).tolist()
    entry = structure.entry_id
    out = []
    for k, r in enumerate(rows):
        sub = subunits.get(chains[k], "other")
        rec = {
            "entry": entry, "ligand": code, "ligand_chain": lig_chain, "ligand_res_id": int(lig_resid),
            "type": r["type"], "chain": chains[k], "subunit": sub, "res_name": res_names[k],
            "auth_seq_id": auth[k], "uniprot_num": unums[k],
            "label": residue_label(sub, res_names[k], unums[k], auth[k], ins[k], chains[k]),
        }  # fmt: skip
        for c in _ROW_COLUMNS:
            v = r[c]
            rec[c] = float(v) if isinstance(v, (float, np.floating)) else v
        out.append(rec)
    order = {t: k for k, t in enumerate(INTERACTION_TYPES)}

    def key(rec: dict[str, Any]) -> tuple[Any, ...]:
        d = rec["distance"]
        return order[rec["type"]], rec["chain"], rec["auth_seq_id"], d != d, 0.0 if d != d else d

    return sorted(out, key=key)


def _table(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The DataFrame of :func:`interactions` from :func:`_records` (columns :data:`INTERACTION_COLUMNS`)."""
    import pandas as pd

    if not records:
        return pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, object)) for c in INTERACTION_COLUMNS})
    return pd.DataFrame(records, columns=INTERACTION_COLUMNS)


#: The columns that come from the detectors' rows (after the residue columns).
_ROW_COLUMNS = INTERACTION_COLUMNS[INTERACTION_COLUMNS.index("ligand_atom"):]

_DTYPES = {
    "ligand_res_id": "int64", "auth_seq_id": "int64", "uniprot_num": "int64", "distance": "float64",
    "angle": "float64", "lig_x": "float64", "lig_y": "float64", "lig_z": "float64", "prot_x": "float64",
    "prot_y": "float64", "prot_z": "float64",
}  # fmt: skip
