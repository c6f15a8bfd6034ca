"""Chemical Component Dictionary look-ups (offline, from biotite's CCD copy).

biotite ships the wwPDB CCD (``chem_comp``, ``chem_comp_atom``,
``chem_comp_bond``). The first look-up loads its index (about 0.5 s);
later look-ups are dictionary reads.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["component_info", "require_component", "ccd_version", "monomer_kind", "one_letter", "CAP_CODES"]

#: Chain caps: non-polymer components that terminate a chain and stay in it when bonded to it
#: (acetyl, N-methylamide, amide, formyl).
CAP_CODES = frozenset({"ACE", "NME", "NH2", "FOR"})


@lru_cache(maxsize=1)
def _chem_comp_index() -> tuple[dict[str, int], dict[str, Any]]:
    from biotite.structure.info import get_ccd

    cat = get_ccd()["chem_comp"]
    keys = ("id", "name", "type", "formula", "pdbx_synonyms", "pdbx_formal_charge", "mon_nstd_parent_comp_id",
            "one_letter_code")
    cols = {k: cat[k].as_array() for k in keys if k in cat}
    index = {str(code): i for i, code in enumerate(cols["id"])}
    return index, cols


def component_info(code: str) -> dict[str, Any] | None:
    """CCD ``chem_comp`` record of a component, or None when the CCD lacks it.

    >>> component_info("JC9")["synonyms"]
    'Esketamine'
    """
    index, cols = _chem_comp_index()
    i = index.get(code.upper())
    if i is None:
        return None

    def val(key: str) -> str | None:
        v = str(cols[key][i])
        return None if v in ("?", ".", "") else v

    return {
        "code": code.upper(),
        "name": val("name"),
        "type": val("type"),
        "formula": val("formula"),
        "synonyms": val("pdbx_synonyms"),
        "formal_charge": int(cols["pdbx_formal_charge"][i]),
        "parent": val("mon_nstd_parent_comp_id") if "mon_nstd_parent_comp_id" in cols else None,
        "one_letter_code": val("one_letter_code") if "one_letter_code" in cols else None,
    }


def monomer_kind(code: str) -> str | None:
    """``"protein"``, ``"nucleic"`` or None: what polymer a component can be a monomer of.

    From the CCD ``_chem_comp.type`` (``L-PEPTIDE LINKING``, ``DNA LINKING``,
    ``RNA LINKING``, ...; saccharide linking types are not polymer monomers
    here) and :data:`CAP_CODES` for chain caps. Modified residues carry their
    standard parent in ``_chem_comp.mon_nstd_parent_comp_id`` (MSE -> MET).

    >>> monomer_kind("MSE"), monomer_kind("DA"), monomer_kind("NAG"), monomer_kind("ACE")
    ('protein', 'nucleic', None, 'protein')
    """
    code = str(code).upper()
    if code in CAP_CODES:
        return "protein"
    info = component_info(code)
    t = ((info or {}).get("type") or "").upper()
    if "PEPTIDE" in t and "LINKING" in t:
        return "protein"
    if ("DNA" in t or "RNA" in t) and "LINKING" in t:
        return "nucleic"
    return None


@lru_cache(maxsize=512)
def one_letter(code: str) -> str:
    """One-letter code of a residue: standard amino acids directly, modified ones by their CCD parent.

    ``_chem_comp.mon_nstd_parent_comp_id`` names the standard parent of a
    modified residue (MSE -> MET -> M, CAS -> CYS -> C); "X" when there is none.

    >>> one_letter("LEU"), one_letter("MSE"), one_letter("CAS"), one_letter("NAG")
    ('L', 'M', 'C', 'X')
    """
    from .aminoacids import THREE_TO_ONE

    code = str(code).upper()
    if code in THREE_TO_ONE:
        return THREE_TO_ONE[code]
    info = component_info(code) or {}
    parent = (info.get("parent") or "").split(",")[0].strip().upper()
    if parent in THREE_TO_ONE and monomer_kind(code) == "protein":
        return THREE_TO_ONE[parent]
    return "X"


def require_component(code: str) -> dict[str, Any]:
    """Like :func:`component_info` but raise when the CCD has no such code.

    Raises
    ------
    ComponentNotFound
        The code is absent from the Chemical Component Dictionary.
    """
    info = component_info(code)
    if info is None:
        from ..errors import ComponentNotFound

        raise ComponentNotFound(
            f"{code!r} is not in the Chemical Component Dictionary ({ccd_version()}); "
            "supply a SMILES template for this ligand"
        )
    return info


@lru_cache(maxsize=1)
def ccd_version() -> str:
    """Version of the biotite package whose CCD copy is used.

    Read from the name of the installed package's ``dist-info`` folder next
    to it (``biotite-1.2.0.dist-info``), else from its metadata: neither
    imports biotite (which imports matplotlib) nor ``importlib.metadata``
    (about 25 ms in a fresh process).

    >>> ccd_version().startswith("biotite ")
    True
    """
    from importlib.util import find_spec

    spec = find_spec("biotite")
    if spec is not None and spec.origin:
        infos = sorted(Path(spec.origin).parent.parent.glob("biotite-*.dist-info"))
        if len(infos) == 1:
            return f"biotite {infos[0].name[len('biotite-') : -len('.dist-info')]}"
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"biotite {version('biotite')}"
    except PackageNotFoundError:  # e.g. a source checkout on sys.path
        import biotite

        return f"biotite {biotite.__version__}"
