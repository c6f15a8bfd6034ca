"""Binding-site residues: protein residues with a heavy atom near a ligand heavy atom.

Neighbour search uses :class:`~toolkit.sites._common.NeighbourIndex` (numpy) on the protein heavy
atoms. Residues are labelled ``"<subunit> <one-letter><UniProt number>"``
(``"GluN2B L643"``) so that sites compare across chains and entries; a
residue without a UniProt mapping is labelled with its author number and
chain (``"other K12 (auth B)"``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EmptySiteWarning, InvalidParameter, LigandNotFound
from ._common import heavy_mask, protein_tree, residue_label

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure
    from .interactions import Thresholds

__all__ = ["SITE_COLUMNS", "site_residues", "residue_label", "ligand_instances", "protein_tree"]

SITE_COLUMNS = [
    "entry", "ligand", "ligand_chain", "ligand_res_id", "chain", "subunit", "res_name", "auth_seq_id",
    "ins_code", "uniprot_num", "label", "min_distance", "n_contacts", "interactions",
]  # fmt: skip

_SITE_DTYPES = {
    "ligand_res_id": "int64", "auth_seq_id": "int64", "uniprot_num": "int64", "min_distance": "float64",
    "n_contacts": "int64",
}  # fmt: skip


def ligand_instances(
    structure: Structure, ligand: str | None = None, chain: str | None = None, res_id: int | None = None
) -> pd.DataFrame:
    """Ligand instances (columns ccd_code, chain, auth_seq_id) by code/chain/number.

    ``ligand=None`` selects every instance of category ``'ligand'``.

    Raises
    ------
    LigandNotFound
        Nothing matches (the message lists the components present).
    """
    import pandas as pd

    from ..model import LigandKey

    if ligand is not None:
        key = LigandKey.of(ligand, chain, res_id)
        ligand, chain, res_id = key.code, key.chain, key.res_id
    if ligand is None:
        ligs = structure.ligands()
        sel = ligs[ligs["category"] == "ligand"]
    else:  # read instances from the atom arrays (no CCD look-up needed)
        a = structure.atoms
        st = structure.residue_starts
        m = (a["res_name"][st] == str(ligand).upper()) & ~structure.polymer_mask[st]
        sel = pd.DataFrame(
            {"ccd_code": a["res_name"][st][m].astype(str), "chain": a["chain_id"][st][m].astype(str),
             "auth_seq_id": a["res_id"][st][m].astype(np.int64)}
        )  # fmt: skip
    if chain is not None:
        sel = sel[sel["chain"] == chain]
    if res_id is not None:
        sel = sel[sel["auth_seq_id"] == int(res_id)]
    if sel.empty:
        if ligand is None and chain is None and res_id is None:
            present = ", ".join(sorted(set(structure.ligands()["ccd_code"]))) or "none"
            raise LigandNotFound(
                f"{structure.entry_id}: no component of category 'ligand' (components present: {present}); "
                "name the ligand code"
            )
        structure.ligand_atoms(str(ligand or ""), chain=chain, res_id=res_id)  # raises with a full message
        raise LigandNotFound(f"{structure.entry_id}: no ligand {ligand!r} chain={chain} res_id={res_id}")
    return sel.reset_index(drop=True)


#: Columns of an ``interaction_table`` that :func:`site_residues` reads.
_TABLE_KEYS = ("ligand", "ligand_chain", "ligand_res_id", "chain", "auth_seq_id", "type")

#: Heavy-atom distance (Å) below which a protein atom is bonded to the ligand (as in .interactions).
_COVALENT = 2.0


def _is_saccharide(code: str) -> bool:
    from ..io.ccd import component_info

    info = component_info(code) or {}
    return "saccharide" in (info.get("type") or "").lower()


def _empty_site() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=_SITE_DTYPES.get(c, object)) for c in SITE_COLUMNS})


def site_residues(
    structure: Structure,
    ligand: str | None = None,
    *,
    chain: str | None = None,
    res_id: int | None = None,
    cutoff: float = 4.5,
    with_interactions: bool = True,
    ph: float | None = 7.4,
    pka: float | None = None,
    thresholds: Thresholds | dict[str, Any] | None = None,
    smiles: str | None = None,
    interaction_table: pd.DataFrame | None = None,
    glycan_attachment_only: bool = True,
) -> pd.DataFrame:
    """Protein residues with any heavy atom within ``cutoff`` Å of a ligand heavy atom.

    Parameters
    ----------
    structure
        A loaded :class:`~toolkit.model.Structure`.
    ligand
        CCD code (``"JC9"``), ``"CODE:CHAIN:NUMBER"`` or a
        :class:`~toolkit.model.LigandKey`; ``None`` = every instance of
        category ``'ligand'`` (glycans, ions, water, detergents excluded).
    chain, res_id
        Restrict to one instance (author chain and number).
    cutoff
        Heavy-atom distance in Å (default 4.5; PLIP's binding-site shell is
        7.5 Å, Salentin et al. 2015, doi:10.1093/nar/gkv315).
    with_interactions
        Fill the ``interactions`` column from :func:`~toolkit.sites.interactions`
        (needs the ligand chemistry: CCD or ``smiles``).
    ph, pka, thresholds, smiles
        Passed to :func:`~toolkit.sites.interactions`.
    interaction_table
        A table already returned by :func:`~toolkit.sites.interactions` for
        these ligand instances: its rows fill the ``interactions`` column
        instead of computing them again (``ph``, ``pka``, ``thresholds`` and
        ``smiles`` are then not used).
    glycan_attachment_only
        A saccharide (CCD type ``...saccharide...``) covalently bonded to the
        protein (a heavy atom within
        :data:`~toolkit.sites.interactions.COVALENT_DIST_MAX`, 2.0 Å, of a
        protein atom: the N-glycan's Asn ND2) is reported as its covalent
        attachment only: the bonded residue(s), ``interactions`` =
        ``"covalent"`` (default True); False lists every residue near it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SITE_COLUMNS`, one row per (ligand instance, residue),
        sorted by ligand instance, subunit, chain, UniProt number.
        ``n_contacts`` counts (ligand atom, protein atom) heavy-atom pairs
        within the cutoff; ``interactions`` is the ';'-joined sorted set of
        interaction types of the residue ('' for a contact only; ``covalent``
        for a glycan's attachment). Interaction types come from
        :func:`~toolkit.sites.interactions`, whose charge-state text is
        copied to ``table.attrs`` (``ph``, ``ligand_formal_charge``,
        ``ligand_charge_state``) for a single ligand instance.

    Raises
    ------
    InvalidParameter
        ``cutoff`` <= 0 or not finite; an argument of the wrong type (the
        message names it and what was given).
    NoProteinError
        The structure holds no protein residue (e.g. an RNA-only entry).
    LigandNotFound
        No such ligand/instance.

    Warns
    -----
    EmptySiteWarning
        A ligand has no residue within the cutoff (the table is empty; the
        message names the nearest residues and their distances).

    Examples
    --------
    >>> s = toolkit.load_structure("7EU8")  # doctest: +SKIP
    >>> site_residues(s, "JC9", cutoff=4.0)["label"].unique().tolist()  # doctest: +SKIP
    ['GluN1 V644', 'GluN2B L643', 'GluN2B T647']
    """
    import pandas as pd

    from .._checks import check_bool, check_str, check_table
    from .interactions import _check_structure
    from .protonation import _check_pka, check_ph

    _check_structure(structure)
    if ph is not None:
        ph = check_ph(ph)
    _check_pka(pka)
    check_str(smiles, "smiles", optional=True)
    with_interactions = check_bool(with_interactions, "with_interactions")
    glycan_attachment_only = check_bool(glycan_attachment_only, "glycan_attachment_only")
    if interaction_table is not None:
        check_table(interaction_table, "interaction_table", _TABLE_KEYS, what="table of interactions()")
    try:
        cutoff = float(cutoff)
    except (TypeError, ValueError):
        raise InvalidParameter(f"cutoff must be a number of ångström, got {cutoff!r}") from None
    if not np.isfinite(cutoff) or cutoff <= 0:
        raise InvalidParameter(f"cutoff must be a positive distance in Å, got {cutoff!r}")
    inst = ligand_instances(structure, ligand, chain, res_id)
    a = structure.atoms
    heavy = heavy_mask(structure)
    prot, tree = protein_tree(structure)
    subunits = structure.chain_subunits
    frames = []
    attrs: dict[str, Any] = {}
    for _, li in inst.iterrows():
        code, lch, lres = str(li["ccd_code"]), str(li["chain"]), int(li["auth_seq_id"])
        lig = structure.ligand_atoms(code, chain=lch, res_id=lres)
        lig = lig[heavy[lig]]
        lxyz = structure.coord[lig]
        pairs = tree.query_ball_point(lxyz, cutoff)
        pj = np.fromiter((j for lst in pairs for j in lst), dtype=np.int64)
        if pj.size == 0:
            if len(prot):
                d, j = tree.query(lxyz, k=min(50, len(prot)))
                d, j = np.atleast_2d(d).ravel(), np.atleast_2d(j).ravel()
            else:  # no protein at all (e.g. an RNA-only entry)
                d, j = np.zeros(0), np.zeros(0, dtype=np.int64)
            near: dict[int, float] = {}
            for dd, jj in sorted(zip(d.tolist(), j.tolist())):
                r = int(structure.residue_index[prot[jj]])
                near.setdefault(r, dd)
            desc = []
            for r, dd in list(near.items())[:3]:
                g = structure.residue_starts[r]
                sub = subunits.get(str(a["chain_id"][g]), "other")
                lab = residue_label(sub, str(a["res_name"][g]), int(structure.uniprot_num[g]), int(a["res_id"][g]),
                                    str(a["ins_code"][g]), str(a["chain_id"][g]))  # fmt: skip
                desc.append(f"{lab} chain {a['chain_id'][g]} at {dd:.2f} Å")
            warnings.warn(
                f"{structure.entry_id} {code} {lch}:{lres}: no protein residue within {cutoff} Å; "
                f"nearest: {', '.join(desc) or 'none'}",
                EmptySiteWarning,
                stacklevel=2,
            )
            continue
        li_of_pair = np.repeat(np.arange(len(lig)), [len(x) for x in pairs])
        gi = prot[pj]
        dist = np.linalg.norm(lxyz[li_of_pair] - structure.coord[gi], axis=1)
        resi = structure.residue_index[gi]
        order = np.lexsort((dist, resi))
        uniq, first, counts = np.unique(resi[order], return_index=True, return_counts=True)
        min_d = dist[order][first]
        g = structure.residue_starts[uniq]
        chains = a["chain_id"][g].astype(str)
        subs = [subunits.get(c, "other") for c in chains.tolist()]
        rn = a["res_name"][g].astype(str)
        un = structure.uniprot_num[g].astype(np.int64)
        au = a["res_id"][g].astype(np.int64)
        ins = a["ins_code"][g].astype(str)
        out = pd.DataFrame(
            {
                "entry": structure.entry_id,
                "ligand": code,
                "ligand_chain": lch,
                "ligand_res_id": lres,
                "chain": chains,
                "subunit": subs,
                "res_name": rn,
                "auth_seq_id": au,
                "ins_code": ins,
                "uniprot_num": un,
                "label": [residue_label(*x) for x in zip(subs, rn, un, au, ins, chains)],
                "min_distance": min_d.astype(float),
                "n_contacts": counts.astype(np.int64),
                "interactions": "",
            }
        )
        if glycan_attachment_only and (out["min_distance"] < _COVALENT).any() and _is_saccharide(code):
            # an N-/O-glycan bonded to its Asn/Ser/Thr: report the attachment, not its neighbourhood
            out = out[out["min_distance"] < _COVALENT].copy()
            out["interactions"] = "covalent"
            frames.append(out)
            continue
        if with_interactions:
            from .interactions import interactions as _interactions

            if interaction_table is not None:
                it = interaction_table[(interaction_table["ligand"] == code) & (interaction_table["ligand_chain"] == lch)
                                       & (interaction_table["ligand_res_id"] == lres)]  # fmt: skip
            else:
                it = _interactions(
                    structure, code, chain=lch, res_id=lres, ph=ph, pka=pka, thresholds=thresholds, smiles=smiles
                )
            attrs.update(it.attrs)
            types = it.groupby(["chain", "auth_seq_id"])["type"].agg(lambda t: ";".join(sorted(set(t))))
            key = list(zip(out["chain"], out["auth_seq_id"]))
            out["interactions"] = [types.get(k, "") for k in key]
        frames.append(out)
    if not frames:
        return _empty_site()
    res = pd.concat(frames, ignore_index=True)
    res = res.sort_values(
        ["ligand_chain", "ligand_res_id", "ligand", "subunit", "chain", "uniprot_num", "auth_seq_id"], kind="stable"
    )
    res = res.reset_index(drop=True)[SITE_COLUMNS]
    if len(inst) == 1 and attrs:
        res.attrs.update(attrs)
    return res
