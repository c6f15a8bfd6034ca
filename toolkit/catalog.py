"""NMDA receptor knowledge: the entry catalogue, subunit naming, numbering anchors.

* :func:`list_entries` returns the curated catalogue of NMDA receptor PDB
  entries (``structures/nmda_catalog.csv``) with sources and verification
  status.
* :func:`identify_subunit` names a polymer chain (GluN1, GluN2A, ...,
  ``antibody`` or ``other``) from its UniProt accession, UniProt entry name or
  entity description: never from the chain letter.
* :data:`ANCHORS` are literature residues used to check a chain's UniProt
  numbering against its sequence.
* :func:`component_category` sorts non-polymer components into ``ligand``,
  ``glycan``, ``ion``, ``water``, ``lipid_detergent`` and ``additive``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "list_entries",
    "identify_subunit",
    "SUBUNITS",
    "ANCHORS",
    "Anchor",
    "component_category",
    "CATALOG_COLUMNS",
    "LIGAND_CATEGORIES",
]

#: Columns of :func:`list_entries`, in order.
CATALOG_COLUMNS = [
    "pdb_id", "title", "subunits", "chains", "species", "method", "resolution_A",
    "ligands_ccd", "state_or_note", "paper", "doi", "pmid", "in_mirror",
    "verification", "verification_detail", "ligand_codes", "ligand_names",
]  # fmt: skip

#: Subunit -> (UniProt accessions across species, UniProt entry-name prefix,
#: description patterns). Accessions: UniProtKB (human, rat, mouse, and the
#: Xenopus GluN1 used by 5TQ2).
SUBUNITS: dict[str, dict[str, Any]] = {
    "GluN1": {"accessions": {"Q05586", "P35439", "P35438", "Q91977"}, "mnemonic": "NMDZ1",
              "patterns": [r"\bNMDA 1\b", r"\bGLUN1\b", r"\bNR1\b", r"ZETA-1", r"\bGRIN1\b"]},
    "GluN2A": {"accessions": {"Q12879", "Q00959", "P35436"}, "mnemonic": "NMDE1",
               "patterns": [r"\bNMDA 2A\b", r"\bGLUN2A\b", r"\bNR2A\b", r"EPSILON-1", r"\bGRIN2A\b"]},
    "GluN2B": {"accessions": {"Q13224", "Q00960", "Q01097"}, "mnemonic": "NMDE2",
               "patterns": [r"\bNMDA 2B\b", r"\bGLUN2B\b", r"\bNR2B\b", r"EPSILON-2", r"\bGRIN2B\b"]},
    "GluN2C": {"accessions": {"Q14957", "Q00961", "Q01098"}, "mnemonic": "NMDE3",
               "patterns": [r"\bNMDA 2C\b", r"\bGLUN2C\b", r"\bNR2C\b", r"EPSILON-3", r"\bGRIN2C\b"]},
    "GluN2D": {"accessions": {"O15399", "Q62645", "Q03391"}, "mnemonic": "NMDE4",
               "patterns": [r"\bNMDA 2D\b", r"\bGLUN2D\b", r"\bNR2D\b", r"EPSILON-4", r"\bGRIN2D\b"]},
    "GluN3A": {"accessions": {"Q8TCU5", "Q9R1M7"}, "mnemonic": "NMD3A",
               "patterns": [r"\bNMDA 3A\b", r"\bGLUN3A\b", r"\bNR3A\b", r"\bGRIN3A\b"]},
    "GluN3B": {"accessions": {"O60391", "Q8VHN2"}, "mnemonic": "NMD3B",
               "patterns": [r"\bNMDA 3B\b", r"\bGLUN3B\b", r"\bNR3B\b", r"\bGRIN3B\b"]},
}  # fmt: skip

_ANTIBODY = re.compile(r"\b(FAB|ANTIBODY|HEAVY CHAIN|LIGHT CHAIN|NANOBODY|IGG|SCFV|FV)\b", re.I)


def identify_subunit(
    accession: str | None = None, db_code: str | None = None, description: str | None = None
) -> str:
    """Name the subunit of a polymer chain.

    The UniProt accession wins, then the UniProt entry name (``NMDE2_HUMAN``),
    then the entity description. Returns ``"antibody"`` for Fab/antibody
    chains and ``"other"`` when nothing matches.

    Examples
    --------
    >>> identify_subunit("Q13224")
    'GluN2B'
    >>> identify_subunit(description="Glutamate receptor ionotropic, NMDA 2A")
    'GluN2A'
    >>> identify_subunit(description="FAB, HEAVY CHAIN")
    'antibody'
    """
    from .errors import InvalidParameter

    for label, value in (("accession", accession), ("db_code", db_code), ("description", description)):
        if value is not None and not isinstance(value, str):
            raise InvalidParameter(f"{label} must be a string or None, got {type(value).__name__}")
    if accession:
        for name, spec in SUBUNITS.items():
            if accession.upper() in spec["accessions"]:
                return name
    if db_code:
        prefix = db_code.upper().split("_")[0]
        for name, spec in SUBUNITS.items():
            if prefix == spec["mnemonic"]:
                return name
    if description:
        text = description.upper()
        for name, spec in SUBUNITS.items():
            if any(re.search(p, text) for p in spec["patterns"]):
                return name
        if _ANTIBODY.search(text):
            return "antibody"
    return "other"


@dataclass(frozen=True)
class Anchor:
    """A literature residue used to check UniProt numbering."""

    subunit: str
    uniprot_num: int
    residue: str  # one-letter code
    role: str
    source: str


_ZHANG = "Zhang et al. 2021 Nature 596:301, doi:10.1038/s41586-021-03769-9"
_CHOU = "Chou et al. 2022 Nat Struct Mol Biol 29:507, doi:10.1038/s41594-022-00772-0"

#: Literature residues (UniProt numbering, initiator Met = 1). The SYTANLAAF
#: starts are derived from the Thr-ring residue (its 3rd position) named in
#: the source.
ANCHORS: tuple[Anchor, ...] = (
    Anchor("GluN1", 616, "N", "M2 N-site asparagine (Asn ring)", _ZHANG + "; " + _CHOU),
    Anchor("GluN1", 644, "V", "hydrophobic ring", _CHOU),
    Anchor("GluN1", 648, "T", "Thr ring; 3rd residue of SYTANLAAF (motif 646-654)", _CHOU),
    Anchor("GluN2B", 615, "N", "M2 N-site asparagine (Asn ring)", _CHOU),
    Anchor("GluN2B", 643, "L", "hydrophobic ring", _ZHANG + "; " + _CHOU),
    Anchor("GluN2B", 647, "T", "Thr ring; 3rd residue of SYTANLAAF (motif 645-653)", _CHOU),
    Anchor("GluN2A", 642, "L", "hydrophobic ring (equivalent of GluN2B L643)", _ZHANG),
)

#: First residue of the M3 gate motif SYTANLAAF, derived from the anchors.
MOTIF_START = {"GluN1": 646, "GluN2B": 645, "GluN2A": 644}
MOTIF = "SYTANLAAF"

#: Categories of non-polymer components, as used in the ligand inventory.
LIGAND_CATEGORIES = ("ligand", "glycan", "ion", "water", "lipid_detergent", "additive", "unknown")


@lru_cache(maxsize=1)
def _category_table() -> dict[str, str]:
    from importlib import resources

    path = resources.files("toolkit") / "data" / "component_categories.csv"
    with path.open() as fh:
        return {r["code"]: r["category"] for r in csv.DictReader(fh)}


def component_category(code: str, ccd_type: str | None = None, n_heavy_atoms: int | None = None) -> str:
    """Category of a non-polymer component.

    Order of rules: curated table (water, glycans, lipids/detergents,
    crystallisation additives) -> a single heavy atom is an ``ion`` -> a CCD
    type containing "saccharide" is a ``glycan`` -> everything else is a
    ``ligand`` (drug-like molecules, but also free amino-acid agonists such as
    glycine or glutamate). ``unknown`` when the CCD has no such code and the
    table does not list it.

    >>> component_category("JC9", "non-polymer", 16)
    'ligand'
    >>> component_category("NAG", "D-saccharide, beta linking", 14)
    'glycan'
    >>> component_category("ZN", "non-polymer", 1)
    'ion'
    """
    table = _category_table()
    if code in table:
        return table[code]
    if n_heavy_atoms == 1:
        return "ion"
    if ccd_type and "saccharide" in ccd_type.lower():
        return "glycan"
    if ccd_type is None:
        return "unknown"
    return "ligand"


def _catalog_path():
    from importlib import resources

    return resources.files("toolkit") / "data" / "nmda_catalog.csv"


def list_entries() -> pd.DataFrame:
    """The curated catalogue of NMDA receptor entries.

    One row per entry with the columns :data:`CATALOG_COLUMNS`.
    ``resolution_A`` is numeric (NaN where not verified); ``verification``
    says how far each row was checked, and ``in_mirror`` whether the file was
    in the developers' local mirror. ``ligands_ccd`` is the curated text;
    ``ligand_codes`` lists the CCD codes it states outright (tokens outside
    parentheses, without a "?", that exist in the Chemical Component
    Dictionary; ';'-separated) and ``ligand_names`` their CCD names. How far
    each code was checked is in ``verification_detail``.

    Examples
    --------
    >>> df = list_entries()
    >>> df.set_index("pdb_id").loc["7EU8", "resolution_A"]
    np.float64(4.07)
    """
    import pandas as pd

    with _catalog_path().open() as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df["resolution_A"] = pd.to_numeric(df["resolution_A"].str.replace("~", ""), errors="coerce")
    codes = [_stated_codes(text) for text in df["ligands_ccd"]]
    df["ligand_codes"] = [";".join(c) for c in codes]
    df["ligand_names"] = [";".join(_ccd_name(x) for x in c) for c in codes]
    return df[CATALOG_COLUMNS]


def _stated_codes(text: str) -> list[str]:
    """CCD codes stated in a ``ligands_ccd`` text: outside parentheses, no '?', present in the CCD."""
    from .io.ccd import component_info

    outside = re.sub(r"\([^()]*\)", " ", text)
    out: list[str] = []
    for tok in re.split(r"[\s;,+]+", outside):
        if re.fullmatch(r"[A-Z0-9]{2,5}", tok) and (re.search(r"[A-Z]", tok) or len(tok) == 3):
            if tok not in out and component_info(tok) is not None:
                out.append(tok)
    return out


def _ccd_name(code: str) -> str:
    from .io.ccd import component_info

    return str((component_info(code) or {}).get("name") or "")
