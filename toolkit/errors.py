"""Narrow exceptions and warnings raised by the toolkit.

Every error names what was wrong and, for look-ups, where the toolkit looked.
All exceptions derive from :class:`ToolkitError`; each also derives from the
closest built-in exception so that generic ``except ValueError`` code keeps
working.
"""

from __future__ import annotations

__all__ = [
    "ToolkitError",
    "InvalidPDBId",
    "StructureNotFound",
    "StructureFormatError",
    "EntryMismatch",
    "NoProteinError",
    "DownloadError",
    "ComponentNotFound",
    "LigandNotFound",
    "ToolkitWarning",
    "LossyFixWarning",
    "UnknownComponentWarning",
    "NumberingWarning",
]


class ToolkitError(Exception):
    """Base class of every error raised on purpose by the toolkit."""


class InvalidPDBId(ToolkitError, ValueError):
    """A string is neither an existing file nor a syntactically valid PDB ID."""


class StructureNotFound(ToolkitError, LookupError):
    """No copy of an entry could be found (the message lists where we looked)."""


class StructureFormatError(ToolkitError, ValueError):
    """A file is empty, truncated, corrupt or not a macromolecular structure."""


class EntryMismatch(StructureFormatError):
    """A file holds a different entry than the one that was asked for."""


class NoProteinError(StructureFormatError):
    """A structure holds no protein chain, so there is nothing to analyse."""


class DownloadError(ToolkitError, OSError):
    """A download failed (no network, time-out, server error)."""


class ComponentNotFound(ToolkitError, LookupError):
    """A residue/ligand code has no entry in the Chemical Component Dictionary."""


class LigandNotFound(ToolkitError, LookupError):
    """A ligand code or instance is not present in a structure."""


class ToolkitWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class LossyFixWarning(ToolkitWarning):
    """Data was dropped or changed to make input usable (for example altlocs)."""


class UnknownComponentWarning(ToolkitWarning):
    """A component in a file has no CCD entry; it is kept but cannot be templated."""


class NumberingWarning(ToolkitWarning):
    """A chain's UniProt numbering failed a sequence anchor check."""
