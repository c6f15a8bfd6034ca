"""Compare binding sites across subunits and entries.

Residues are mapped between chains by UniProt number when both chains are
the same protein (same UniProt accession, or same subunit name), and
otherwise by a global pairwise alignment of the chains' observed sequences
(Biopython :class:`Bio.Align.PairwiseAligner`, BLOSUM62, affine gaps: open
-10, extend -0.5, the EMBOSS needle defaults; Rice et al. 2000 Trends Genet
16:276, doi:10.1016/S0168-9525(00)02024-2).

Chains are paired by subunit and, within a subunit, by order of appearance
in the file (first GluN2B chain -> first GluN2A chain, ...). Subunits are
always read from the structure (:attr:`Structure.chain_subunits`), never
from chain letters (7EU8 has GluN1 on A/C, 7EOS on B/D).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import shown
from ..errors import InvalidParameter
from .contacts import residue_label

if TYPE_CHECKING:
    import pandas as pd

    from ..model import Structure

__all__ = ["MAP_COLUMNS", "map_residues", "map_site", "compare_pore_site", "interaction_matrix", "align_chains"]

#: Columns of :func:`map_site` / :func:`map_residues`.
MAP_COLUMNS = [
    "source_entry", "source_chain", "source_subunit", "source_res_name", "source_auth_seq_id",
    "source_uniprot_num", "source_label", "target_entry", "target_chain", "target_subunit",
    "target_res_name", "target_one_letter", "target_auth_seq_id", "target_uniprot_num", "target_label",
    "method", "identical",
]  # fmt: skip

#: Site-table columns read by :func:`map_site` and :func:`compare_pore_site`.
_SITE_KEYS = ("entry", "chain", "subunit", "res_name", "auth_seq_id", "ins_code", "uniprot_num", "label")

GAP_OPEN = -10.0
GAP_EXTEND = -0.5


@lru_cache(maxsize=256)
def _align(seq_a: str, seq_b: str) -> tuple[tuple[int, int], ...]:
    """Pairs of aligned positions (i in a, j in b) of a global BLOSUM62 alignment."""
    from Bio.Align import PairwiseAligner, substitution_matrices

    al = PairwiseAligner()
    al.mode = "global"
    al.substitution_matrix = substitution_matrices.load("BLOSUM62")
    al.open_gap_score = GAP_OPEN
    al.extend_gap_score = GAP_EXTEND
    aln = al.align(seq_a, seq_b)[0]
    pairs = []
    for (a0, a1), (b0, b1) in zip(*aln.aligned):
        pairs.extend(zip(range(a0, a1), range(b0, b1)))
    return tuple(pairs)


def align_chains(source: Structure, source_chain: str, target: Structure, target_chain: str) -> dict[int, int]:
    """Residue-row map (source residue table row -> target row) from a sequence alignment.

    Rows refer to ``structure.residues(chain=...)``.
    """
    sa, sb = source.sequence(source_chain), target.sequence(target_chain)
    if not sa or not sb:
        return {}
    return dict(_align(sa, sb))


def _same_protein(source: Structure, sc: str, target: Structure, tc: str) -> bool:
    acc_a = source._chain_accession(sc)[0]
    acc_b = target._chain_accession(tc)[0]
    if acc_a and acc_b:
        return acc_a.split("-")[0] == acc_b.split("-")[0]
    return source.chain_subunits.get(sc) == target.chain_subunits.get(tc) != "other"


def _chains_of(structure: Structure, subunit: str) -> list[str]:
    return [c for c, s in structure.chain_subunits.items() if s == subunit]


def _family(subunit: str) -> str:
    # GluN2A..D share a family; GluN3A/B another; everything else is its own family.
    return subunit[:5] if subunit.startswith(("GluN2", "GluN3")) else subunit


def _pair_chains(
    source: Structure, target: Structure, subunit_map: dict[str, str] | None
) -> dict[str, tuple[str, str] | None]:
    """Source chain -> (target chain, target subunit), by subunit and order of appearance."""
    from ..catalog import SUBUNITS

    if subunit_map is not None and not isinstance(subunit_map, dict):
        raise InvalidParameter(
            f"subunit_map must be a dict of subunit names or None, got {type(subunit_map).__name__} {shown(subunit_map)}"
        )
    bad = {k: v for k, v in (subunit_map or {}).items() if k not in SUBUNITS or v not in SUBUNITS}
    if bad:
        raise InvalidParameter(f"subunit_map {bad} names unknown subunits; expected names from {sorted(SUBUNITS)}")
    out: dict[str, tuple[str, str] | None] = {}
    tgt_subunits = list(dict.fromkeys(target.chain_subunits.values()))
    for sub in dict.fromkeys(source.chain_subunits.values()):
        if subunit_map and sub in subunit_map:
            tsub = subunit_map[sub]
        elif sub in tgt_subunits:
            tsub = sub
        else:
            fam = [t for t in tgt_subunits if _family(t) == _family(sub) and t != "other"]
            tsub = fam[0] if len(fam) == 1 else None
        src_chains = _chains_of(source, sub)
        tgt_chains = _chains_of(target, tsub) if tsub else []
        for k, c in enumerate(src_chains):
            out[c] = (tgt_chains[k], tsub) if k < len(tgt_chains) and tsub else None
    return out


def map_residues(
    source: Structure,
    source_chain: str,
    target: Structure,
    target_chain: str,
    auth_seq_ids: list[int] | None = None,
) -> pd.DataFrame:
    """Map residues of one chain onto a chain of another (or the same) entry.

    Parameters
    ----------
    source, source_chain
        Structure and author chain of the residues to map.
    target, target_chain
        Structure and author chain to map onto.
    auth_seq_ids
        Source author residue numbers to map (default: every residue).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MAP_COLUMNS`; ``method`` is ``"uniprot"`` (same
        protein, matched by UniProt number), ``"alignment"`` (different
        proteins, or unmapped numbering) or ``"unmapped"`` (target residue not
        observed / aligned to a gap; target columns are empty). One row per
        source residue: no row is lost.

    Examples
    --------
    >>> s, t = toolkit.load_structure("7EU8"), toolkit.load_structure("7EOS")  # doctest: +SKIP
    >>> map_residues(s, "B", t, "A", [643])["target_label"].tolist()  # doctest: +SKIP
    ['GluN2A L642']
    """
    import pandas as pd

    from .._checks import check_int, check_str, check_structure

    check_structure(source, "source")
    check_str(source_chain, "source_chain")
    check_structure(target, "target")
    check_str(target_chain, "target_chain")
    if auth_seq_ids is not None:
        if isinstance(auth_seq_ids, (str, bytes)) or not hasattr(auth_seq_ids, "__iter__"):
            raise InvalidParameter(
                f"auth_seq_ids must be a list of residue numbers or None, got {type(auth_seq_ids).__name__} "
                f"{shown(auth_seq_ids)}"
            )
        auth_seq_ids = [check_int(x, "auth_seq_ids[]") for x in auth_seq_ids]
    src = source.residues(chain=source_chain).reset_index(drop=True)
    tgt = target.residues(chain=target_chain).reset_index(drop=True)
    if src.empty:
        raise InvalidParameter(f"{source.entry_id}: chain {source_chain!r} has no protein residues")
    if tgt.empty:
        raise InvalidParameter(f"{target.entry_id}: chain {target_chain!r} has no protein residues")
    rows_src = src.index.to_numpy() if auth_seq_ids is None else src.index[src["auth_seq_id"].isin(auth_seq_ids)].to_numpy()
    if auth_seq_ids is not None:
        missing = sorted(set(int(x) for x in auth_seq_ids) - set(src["auth_seq_id"].astype(int)))
        if missing:
            raise InvalidParameter(f"{source.entry_id} chain {source_chain}: no residues numbered {missing}")
    same = _same_protein(source, source_chain, target, target_chain)
    by_num = {int(u): k for k, u in enumerate(tgt["uniprot_num"]) if u >= 0}
    use_uniprot = same and (src.loc[rows_src, "uniprot_num"] >= 0).all() and bool(by_num)
    amap = {} if use_uniprot else align_chains(source, source_chain, target, target_chain)
    ssub = source.chain_subunits.get(source_chain, "other")
    tsub = target.chain_subunits.get(target_chain, "other")
    out = []
    # the columns read, as Python lists (a pandas row read per residue builds a Series; whole tables as
    # records would convert columns never read)
    src_cols = {c: src[c].tolist() for c in ("res_name", "auth_seq_id", "uniprot_num", "ins_code")}
    tgt_cols = {c: tgt[c].tolist() for c in ("res_name", "one_letter", "auth_seq_id", "uniprot_num", "ins_code")}
    for r in rows_src:
        s = {c: v[r] for c, v in src_cols.items()}
        j = by_num.get(int(s["uniprot_num"])) if use_uniprot else amap.get(int(r))
        rec: dict[str, Any] = {
            "source_entry": source.entry_id,
            "source_chain": source_chain,
            "source_subunit": ssub,
            "source_res_name": s["res_name"],
            "source_auth_seq_id": int(s["auth_seq_id"]),
            "source_uniprot_num": int(s["uniprot_num"]),
            "source_label": residue_label(ssub, s["res_name"], s["uniprot_num"], s["auth_seq_id"], s["ins_code"], source_chain),
            "target_entry": target.entry_id,
            "target_chain": target_chain,
            "target_subunit": tsub,
        }
        if j is None:
            rec.update(target_res_name=None, target_one_letter=None, target_auth_seq_id=pd.NA,
                       target_uniprot_num=pd.NA, target_label=None, method="unmapped", identical=False)  # fmt: skip
        else:
            t = {c: v[j] for c, v in tgt_cols.items()}
            rec.update(
                target_res_name=t["res_name"],
                target_one_letter=t["one_letter"],
                target_auth_seq_id=int(t["auth_seq_id"]),
                target_uniprot_num=int(t["uniprot_num"]),
                target_label=residue_label(tsub, t["res_name"], t["uniprot_num"], t["auth_seq_id"], t["ins_code"], target_chain),
                method="uniprot" if use_uniprot else "alignment",
                identical=bool(t["res_name"] == s["res_name"]),
            )
        out.append(rec)
    df = pd.DataFrame(out, columns=MAP_COLUMNS)
    for c in ("target_auth_seq_id", "target_uniprot_num"):
        df[c] = df[c].astype("Int64")
    return df


def map_site(
    site_df: pd.DataFrame,
    target_structure: Structure,
    *,
    source: Structure | None = None,
    subunit_map: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Map a site table (:data:`~toolkit.sites.SITE_COLUMNS`) onto another entry.

    Parameters
    ----------
    site_df
        Output of :func:`~toolkit.sites.site_residues` (one entry).
    target_structure
        Entry to map onto.
    source
        The structure the site comes from (default: loaded with
        :func:`toolkit.load_structure` from ``site_df.entry``).
    subunit_map
        Source subunit -> target subunit (default: the same subunit when the
        target has it, else the only subunit of the same family, e.g. GluN2B
        -> GluN2A).

    Returns
    -------
    pandas.DataFrame
        :data:`MAP_COLUMNS`, one row per site row (unpaired chains and gaps
        give ``method="unmapped"`` rows).

    Examples
    --------
    >>> site = toolkit.sites.site_residues(s7eu8, "JC9")  # doctest: +SKIP
    >>> m = map_site(site, s7eos, source=s7eu8)  # doctest: +SKIP
    >>> m.loc[m.source_label == "GluN2B L643", "target_label"].unique().tolist()  # doctest: +SKIP
    ['GluN2A L642']
    """
    import pandas as pd

    from .._checks import check_structure, check_table

    check_table(site_df, "site_df", _SITE_KEYS, what="site table (site_residues)")
    check_structure(target_structure, "target_structure")
    check_structure(source, "source", optional=True)
    if site_df.empty:
        return pd.DataFrame(columns=MAP_COLUMNS)
    entries = site_df["entry"].unique().tolist()
    if len(entries) != 1:
        raise InvalidParameter(f"map_site takes a site table of one entry, got {entries}")
    if source is None:
        from ..structure import load_structure

        source = load_structure(entries[0])
    elif source.entry_id != entries[0]:
        raise InvalidParameter(f"site table is from {entries[0]} but source structure is {source.entry_id}")
    pairs = _pair_chains(source, target_structure, subunit_map)
    frames = []
    uniq = site_df.drop_duplicates(["chain", "auth_seq_id", "ins_code"])
    for ch, grp in uniq.groupby("chain", sort=False):
        pair = pairs.get(ch)
        if pair is None:
            sub = source.chain_subunits.get(ch, "other")
            frames.append(pd.DataFrame([{
                "source_entry": source.entry_id, "source_chain": ch, "source_subunit": sub,
                "source_res_name": r["res_name"], "source_auth_seq_id": int(r["auth_seq_id"]),
                "source_uniprot_num": int(r["uniprot_num"]), "source_label": r["label"],
                "target_entry": target_structure.entry_id, "target_chain": None, "target_subunit": None,
                "target_res_name": None, "target_one_letter": None, "target_auth_seq_id": pd.NA,
                "target_uniprot_num": pd.NA, "target_label": None, "method": "unmapped", "identical": False,
            } for _, r in grp.iterrows()], columns=MAP_COLUMNS))  # fmt: skip
            continue
        frames.append(map_residues(source, ch, target_structure, pair[0], grp["auth_seq_id"].astype(int).tolist()))
    out = pd.concat(frames, ignore_index=True)
    for c in ("target_auth_seq_id", "target_uniprot_num"):
        out[c] = out[c].astype("Int64")
    return out


def compare_pore_site(
    site_structure: Structure,
    others: list[Structure] | tuple[Structure, ...] = (),
    *,
    ligand: str = "JC9",
    cutoff: float = 4.5,
    subunits: tuple[str, ...] = ("GluN1", "GluN2A", "GluN2B"),
    site_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The residues of a ligand site, position by position, in each subunit.

    The site of ``ligand`` in ``site_structure`` (7EU8: JC9, the pore site)
    is reduced to positions (subunit + UniProt number, chains merged). Each
    position is mapped onto one representative chain of every subunit in
    ``subunits`` (the first chain of that subunit found in
    ``site_structure`` or ``others``): by UniProt number within a subunit,
    by sequence alignment across subunits.

    Parameters
    ----------
    site_structure
        Entry holding the ligand (7EU8).
    others
        Further entries providing subunits (7EOS for GluN2A).
    ligand, cutoff
        Site definition (:func:`~toolkit.sites.site_residues`).
    subunits
        Subunits to compare.
    site_df
        A precomputed site table (skips :func:`site_residues`).

    Returns
    -------
    pandas.DataFrame
        Columns ``position`` (source label), ``source_subunit``,
        ``source_uniprot_num``, ``source_chains`` (';'-joined), then for each
        subunit S: ``S_label`` and ``S_one_letter`` (None when S is not
        available or the position aligns to a gap), then ``identical`` (all
        available subunits carry the same amino acid) and
        ``identical_glun2`` (GluN2 subunits agree; NA with fewer than two).

    Examples
    --------
    >>> t = compare_pore_site(s7eu8, [s7eos])  # doctest: +SKIP
    >>> t.set_index("position").loc["GluN2B L643", "GluN2A_label"]  # doctest: +SKIP
    'GluN2A L642'
    """
    import pandas as pd

    from .._checks import check_structure, check_table
    from ..catalog import SUBUNITS
    from ..model import Structure as _Structure
    from .contacts import site_residues

    check_structure(site_structure, "site_structure")
    if isinstance(others, _Structure):
        others = (others,)
    if not isinstance(others, (list, tuple)):
        raise InvalidParameter(
            f"others must be a Structure or a list/tuple of Structures, got {type(others).__name__} {shown(others)}"
        )
    for k, st in enumerate(others):
        check_structure(st, f"others[{k}]")
    if site_df is not None:
        check_table(site_df, "site_df", _SITE_KEYS, what="site table (site_residues)")
    if isinstance(subunits, (str, bytes)) or not isinstance(subunits, (list, tuple)):
        raise InvalidParameter(
            f"subunits must be a tuple or list of subunit names, got {type(subunits).__name__} {shown(subunits)}"
        )
    bad = [x for x in subunits if x not in SUBUNITS]
    if bad:
        raise InvalidParameter(f"unknown subunit(s) {bad}; expected names from {sorted(SUBUNITS)}")
    if site_df is None:
        site_df = site_residues(site_structure, ligand, cutoff=cutoff, with_interactions=False)
    reps: dict[str, tuple[Structure, str]] = {}
    for st in (site_structure, *others):
        for ch, sub in st.chain_subunits.items():
            if sub in subunits and sub not in reps:
                reps[sub] = (st, ch)
    positions = (
        site_df.groupby(["subunit", "uniprot_num", "label"], sort=False)
        .agg(
            source_chains=("chain", lambda c: ";".join(sorted(set(c)))),
            chain=("chain", "first"),
            auth_seq_id=("auth_seq_id", "first"),
        )
        .reset_index()
    )
    rows = []
    for _, p in positions.iterrows():
        rec: dict[str, Any] = {
            "position": p["label"],
            "source_subunit": p["subunit"],
            "source_uniprot_num": int(p["uniprot_num"]),
            "source_chains": p["source_chains"],
        }
        for sub in subunits:
            lab = one = None
            if sub in reps:
                st, ch = reps[sub]
                m = map_residues(site_structure, p["chain"], st, ch, [int(p["auth_seq_id"])])
                if m["method"].iloc[0] != "unmapped":
                    lab, one = m["target_label"].iloc[0], m["target_one_letter"].iloc[0]
            rec[f"{sub}_label"] = lab
            rec[f"{sub}_one_letter"] = one
        letters = [rec[f"{s}_one_letter"] for s in subunits if rec[f"{s}_one_letter"] is not None]
        rec["identical"] = bool(letters) and len(set(letters)) == 1
        g2 = [rec[f"{s}_one_letter"] for s in subunits if s.startswith("GluN2") and rec[f"{s}_one_letter"]]
        rec["identical_glun2"] = (len(set(g2)) == 1) if len(g2) >= 2 else pd.NA
        rows.append(rec)
    cols = ["position", "source_subunit", "source_uniprot_num", "source_chains"]
    cols += [f"{s}_{k}" for s in subunits for k in ("label", "one_letter")] + ["identical", "identical_glun2"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["source_subunit", "source_uniprot_num"], kind="stable").reset_index(drop=True)


def interaction_matrix(long_df: pd.DataFrame, by: str = "ligand", *, value: str = "types") -> pd.DataFrame:
    """Residue x ligand (or entry) matrix from a long interaction or site table.

    Parameters
    ----------
    long_df
        :data:`~toolkit.sites.INTERACTION_COLUMNS` table (has ``type``) or
        :data:`~toolkit.sites.SITE_COLUMNS` table (has ``interactions``), for
        one or several ligands/entries (concatenated).
    by
        ``"ligand"`` (columns = CCD codes) or ``"entry"`` (columns = entries).
    value
        ``"types"``: ';'-joined sorted interaction types ('' = contact only,
        for site tables); ``"count"``: number of interactions (interaction
        table) or heavy-atom contacts (site table); ``"min_distance"``:
        shortest distance in Å.

    Returns
    -------
    pandas.DataFrame
        Index ``label`` (chain-independent residue label, chains merged),
        one column per ligand/entry; residues absent for a column hold ''
        (types), 0 (count) or NaN (min_distance). Rows sorted by subunit and
        UniProt number.

    Examples
    --------
    >>> it = toolkit.sites.interactions(s7eu8, "JC9")  # doctest: +SKIP
    >>> interaction_matrix(it, value="count").loc["GluN2B L643", "JC9"]  # doctest: +SKIP
    3
    """
    import pandas as pd

    if by not in ("ligand", "entry"):
        raise InvalidParameter(f"by must be 'ligand' or 'entry', got {by!r}")
    if value not in ("types", "count", "min_distance"):
        raise InvalidParameter(f"value must be 'types', 'count' or 'min_distance', got {value!r}")
    from .._checks import check_table

    what = "site or interaction table"
    check_table(long_df, "long_df", what=what)
    is_site = "interactions" in long_df.columns and "type" not in long_df.columns
    if not is_site and "type" not in long_df.columns:
        raise InvalidParameter("long_df must be an interaction table (column 'type') or a site table ('interactions')")
    need = ["label", "subunit", "uniprot_num", by]
    need += ["interactions", "n_contacts", "min_distance"] if is_site else ["type", "distance"]
    check_table(long_df, "long_df", need, what=what)
    df = long_df.copy()
    if df.empty:
        return pd.DataFrame(index=pd.Index([], name="label"))
    if is_site:
        df["_types"] = df["interactions"].fillna("")
        df["_count"] = df["n_contacts"]
        df["_dist"] = df["min_distance"]
    else:
        df["_types"] = df["type"]
        df["_count"] = 1
        df["_dist"] = df["distance"]
    g = df.groupby(["label", by], sort=False)
    if value == "types":
        agg = g["_types"].agg(lambda t: ";".join(sorted({x for s in t for x in str(s).split(";") if x})))
        fill: Any = ""
    elif value == "count":
        agg = g["_count"].sum()
        fill = 0
    else:
        agg = g["_dist"].min()
        fill = np.nan
    mat = agg.unstack(by).fillna(fill) if value != "min_distance" else agg.unstack(by)
    if value == "count":
        mat = mat.astype(np.int64)
    order = df.drop_duplicates("label").sort_values(["subunit", "uniprot_num"])["label"].tolist()
    mat = mat.reindex(order)
    mat.columns.name = by
    mat.index.name = "label"
    return mat
