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
    "InvalidParameter",
    "NoTransmembraneDomain",
    "GridTooLarge",
    "TemplateMismatch",
    "OutputPathError",
    "RenderError",
    "InvalidMolecule",
    "InputFileError",
    "InvalidCoordinates",
    "SchedulerUnreachable",
    "MissingExtra",
    "DockingError",
    "InvalidBox",
    "EmptyReceptor",
    "LigandPreparationError",
    "ToolkitWarning",
    "LossyFixWarning",
    "UnknownComponentWarning",
    "NumberingWarning",
    "EmptySiteWarning",
    "AssetWarning",
    "CacheWarning",
    "AmbiguousSourceWarning",
    "MissingMetadataWarning",
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


class InvalidCoordinates(StructureFormatError):
    """A structure file holds NaN, infinite or absurdly large (> 1e6 Å) coordinates."""


class DownloadError(ToolkitError, OSError):
    """A download failed (no network, time-out, server error)."""


class ComponentNotFound(ToolkitError, LookupError):
    """A residue/ligand code has no entry in the Chemical Component Dictionary."""


class LigandNotFound(ToolkitError, LookupError):
    """A ligand code or instance is not present in a structure."""


class InvalidParameter(ToolkitError, ValueError):
    """A function argument is out of its valid range (the message names it and the range)."""


class NoTransmembraneDomain(ToolkitError, ValueError):
    """A structure has no transmembrane domain (e.g. an isolated ATD or LBD construct)."""


class GridTooLarge(InvalidParameter):
    """A grid search would allocate more grid points than its limit (the message gives both)."""


class TemplateMismatch(ToolkitError, ValueError):
    """A CCD or SMILES template does not match a ligand's atoms in a structure."""


class OutputPathError(ToolkitError, OSError):
    """An output file cannot be written there (missing or read-only folder, a directory, ...)."""


class RenderError(ToolkitError, RuntimeError):
    """A view could not be rendered (no headless browser, blank image, time-out)."""


class InvalidMolecule(ToolkitError, ValueError):
    """A SMILES or molecule record cannot be parsed or sanitised (the message says why)."""


class InputFileError(ToolkitError, ValueError):
    """A batch input file is empty, undecodable or lacks the named column (the message lists the columns)."""


class SchedulerUnreachable(ToolkitError, ConnectionError):
    """A Dask scheduler address does not answer within the time-out."""


class MissingExtra(ToolkitError, ImportError):
    """An optional extra is not installed (the message names the extra and the install command)."""

    def __init__(self, extra: str, module: str, what: str = "this function") -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{what} needs the optional extra {extra!r} (module {module!r} is missing): "
            f"pip install 'nmda-toolkit[{extra}]'"
        )

    def __reduce__(self):  # picklable across worker processes
        return (self.__class__, (self.extra, self.module))


class DockingError(ToolkitError, RuntimeError):
    """Docking failed for a reason other than bad input (the message gives the engine's reason)."""


class InvalidBox(InvalidParameter):
    """A docking box is outside the receptor, degenerate, or larger than Vina's search-space limit."""


class EmptyReceptor(ToolkitError, ValueError):
    """A receptor selection (chains, ligand removal) leaves no protein atoms to dock into."""


class LigandPreparationError(InvalidMolecule):
    """A ligand cannot be protonated, embedded in 3D or typed for docking (the message says why)."""


class ToolkitWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class LossyFixWarning(ToolkitWarning):
    """Data was dropped or changed to make input usable (for example altlocs)."""


class UnknownComponentWarning(ToolkitWarning):
    """A component in a file has no CCD entry; it is kept but cannot be templated."""


class NumberingWarning(ToolkitWarning):
    """A chain's UniProt numbering failed a sequence anchor check."""


class EmptySiteWarning(ToolkitWarning):
    """A ligand has no protein residue within the cutoff (the warning names the nearest ones)."""


class AssetWarning(ToolkitWarning):
    """A browser asset (3Dmol.js) is missing or unverified; a fallback is used."""


class CacheWarning(ToolkitWarning):
    """The on-disk cache cannot be read or written (read-only, broken); work goes on without it."""


class AmbiguousSourceWarning(ToolkitWarning):
    """A string is both a valid PDB ID and the name of a local file; the ID is used."""


class MissingMetadataWarning(ToolkitWarning):
    """A structure file lacks entity/sequence-reference records, so chains cannot be named by subunit."""
