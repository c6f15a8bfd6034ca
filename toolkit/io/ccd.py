"""Chemical Component Dictionary look-ups (offline, from biotite's CCD copy).

biotite ships the wwPDB CCD (``chem_comp``, ``chem_comp_atom``,
``chem_comp_bond``). The first look-up loads its index (about 0.5 s);
later look-ups are dictionary reads.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["component_info", "require_component", "ccd_version"]


@lru_cache(maxsize=1)
def _chem_comp_index() -> tuple[dict[str, int], dict[str, Any]]:
    from biotite.structure.info import get_ccd

    cat = get_ccd()["chem_comp"]
    cols = {k: cat[k].as_array() for k in ("id", "name", "type", "formula", "pdbx_synonyms", "pdbx_formal_charge")}
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
    }


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


def ccd_version() -> str:
    """Version of the biotite package whose CCD copy is used.

    Read from the installed package's metadata: importing biotite itself
    (which imports matplotlib) is not needed for that.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"biotite {version('biotite')}"
    except PackageNotFoundError:  # e.g. a source checkout on sys.path
        import biotite

        return f"biotite {biotite.__version__}"
