"""Structure I/O: parsing, the on-disk cache, the mirror and downloads.

This layer knows file formats and where files live; it knows nothing about
NMDA receptors and never draws.
"""

from .ccd import component_info
from .parse import ATOM_FIELDS, RawEntry, parse_bytes

__all__ = ["ATOM_FIELDS", "RawEntry", "parse_bytes", "component_info"]
