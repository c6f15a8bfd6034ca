"""Chemical Component Dictionary look-ups (offline, from biotite's CCD copy).

biotite ships the wwPDB CCD (``chem_comp``, ``chem_comp_atom``,
``chem_comp_bond``). The first look-up loads its index (about 0.5 s);
later look-ups are dictionary reads.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["component_info", "component_cache_path", "require_component", "ccd_version", "monomer_kind", "one_letter",
           "CAP_CODES"]

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


def component_cache_path(code: str, suffix: str = ".json") -> Path | None:
    """On-disk copy of one component's CCD data, keyed by the CCD version (None for odd codes).

    ``<cache>/ccd/<version>/<code><suffix>``; the CCD copy only changes with the
    installed biotite, whose version names the folder.
    """
    import re

    from .cache import cache_dir

    if not re.fullmatch(r"[A-Za-z0-9]{1,5}", code):
        return None
    version = re.sub(r"[^A-Za-z0-9.]+", "-", ccd_version())
    return cache_dir() / "ccd" / version / f"{code}{suffix}"


def component_info(code: str) -> dict[str, Any] | None:
    """CCD ``chem_comp`` record of a component, or None when the CCD lacks it.

    Loading the CCD index costs about 0.5 s (and the import of
    ``biotite.structure``) per process, so each record looked up, or its
    absence, is kept as JSON in the cache (:func:`component_cache_path`,
    ``<code>.info.json``, written atomically; a damaged file is read again
    from the CCD): later processes read only the codes they need.

    >>> component_info("JC9")["synonyms"]
    'Esketamine'
    """
    info = _cached_info(str(code).upper())
    return dict(info) if info is not None else None


_INFO_KEYS = ("code", "name", "type", "formula", "synonyms", "formal_charge", "parent", "one_letter_code")


@lru_cache(maxsize=4096)
def _cached_info(code: str) -> dict[str, Any] | None:
    import json

    from .cache import atomic_write_bytes

    path = component_cache_path(code, ".info.json")
    if path is not None and path.is_file():
        try:
            got = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(got, dict) and got.get("absent") is True and len(got) == 1:
                return None
            if isinstance(got, dict) and set(got) == set(_INFO_KEYS) and got["code"] == code:
                return got
        except (OSError, ValueError):
            pass
    info = _info_from_ccd(code)
    if path is not None:
        try:
            atomic_write_bytes(path, json.dumps(info if info is not None else {"absent": True}).encode("utf-8"))
        except OSError:  # a read-only cache only costs the CCD read next time
            pass
    return info


def _info_from_ccd(code: str) -> dict[str, Any] | None:
    index, cols = _chem_comp_index()
    i = index.get(code)
    if i is None:
        return None

    def val(key: str) -> str | None:
        v = str(cols[key][i])
        return None if v in ("?", ".", "") else v

    return {
        "code": code,
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
