"""Batch comparison of a molecule library with the ligand panel: :func:`compare`.

Every input row is standardised (:mod:`toolkit.chem.standardization`), described
(:func:`toolkit.chem.properties.descriptors`: properties, Lipinski and Veber
flags), compared with a reference (ECFP4 Tanimoto, default esketamine) and
matched to its nearest panel compound (ECFP4 Tanimoto). CNS MPO is not
computed here: it needs a per-molecule pKa (use
:func:`toolkit.chem.compute_properties`).

No row is ever lost
-------------------
Each input row gives exactly one output row, in input order, with ``row``
(1-based record number), ``name``, the original ``input``, a ``status`` and a
``message``. Statuses (:data:`STATUSES`):

``ok``
    computed.
``empty``
    blank SMILES (empty line or empty cell).
``invalid_smiles``
    the SMILES cannot be parsed (syntax), or the cell/line holds more than one
    SMILES: a blank (space, tab, newline) or a non-ASCII character inside it
    (RDKit alone would read ``CCO DROP TABLE`` as ethanol).
``sanitization_error``
    parsed, but RDKit sanitisation fails (e.g. a pentavalent carbon); the
    message is RDKit's reason.
``too_large``
    more than :data:`MAX_HEAVY_ATOMS` heavy atoms, or a SMILES longer than
    :data:`MAX_SMILES_CHARS` characters (not parsed). The limit bounds the time
    per row (QED, ring perception, fingerprints) far above drug-like size
    (a Lipinski-compliant MW 500 is about 35 heavy atoms; the panel's largest,
    rapastinel, has 29).
``malformed_record``
    an SDF record RDKit cannot read, or a CSV line with the wrong number of fields.
``decode_error``
    the line/record is not valid UTF-8. Decoding is checked per row, so one bad
    byte costs one row, not the file (the input keeps the bytes as ``\\xNN``).
``error``
    any other failure of the calculation for this row (message says what).

Lines and comments: ``.smi`` and ``.sdf`` lines may end in LF, CRLF or a lone
CR. In a ``.smi`` file a line whose first non-blank character is ``#`` is a
comment, not a molecule (no SMILES starts with a bond symbol): it is skipped,
gets no row, and is counted in ``CompareSummary.extra["comment_lines"]``;
every other line, blank ones included, is one row.

Duplicate names are kept; ``duplicate_of_row`` gives the row of the first
occurrence (empty for the first one). Whole-file problems raise
:class:`toolkit.errors.InputFileError` *before* any output is written: an
empty input (no rows), a CSV without the SMILES column (the message lists the
available columns), an unsupported extension.

Output and memory
-----------------
The output (``.csv``, ``.parquet`` or ``.sdf``, by extension) is written chunk
by chunk to a temporary file next to the target and moved into place with
``os.replace`` only when the run finishes: a failed run never replaces a
good file and never leaves a partial one (:mod:`toolkit.io.atomic`). A run
killed with SIGKILL cannot clean up; its temporary file is removed by the next
run to the same output (only files of processes that no longer exist on this
host). The output may not be the input file. Worker processes die with the
calling process, even on SIGKILL, and ignore Ctrl-C, which the caller handles
(:func:`toolkit._jobs.process_pool`). Input is streamed in chunks of
``chunk_size`` rows and at most ``2 * n_jobs`` chunks are in flight, so memory
stays bounded for any number of rows (the duplicate-name index grows with
the number of distinct names only). With ``n_jobs > 1`` chunks run in worker
processes (``concurrent.futures``, forkserver); ``engine="dask"`` runs the same
per-chunk function on dask.distributed. Output is identical whatever the
engine and ``n_jobs``.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import math
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BATCH_COLUMNS",
    "STATUSES",
    "MAX_HEAVY_ATOMS",
    "MAX_SMILES_CHARS",
    "SCHEDULER_TIMEOUT",
    "CompareSummary",
    "compare",
    "process_chunk",
    "read_records",
]

#: Rows with more heavy atoms are ``too_large`` (see module docstring).
MAX_HEAVY_ATOMS = 150
#: SMILES longer than this are ``too_large`` without being parsed.
MAX_SMILES_CHARS = 2000
#: Lines longer than this (bytes) are cut to this length while reading, so an endless line
#: cannot exhaust memory; such a row is ``too_large`` anyway (> MAX_SMILES_CHARS).
MAX_LINE_BYTES = 1 << 20
#: SDF records larger than this (bytes) are ``too_large`` without being parsed (a mol block
#: of MAX_HEAVY_ATOMS atoms with hydrogens is a few tens of kB).
MAX_SDF_RECORD_BYTES = 4 << 20
#: Seconds to wait for a Dask scheduler given by address before
#: :class:`~toolkit.errors.SchedulerUnreachable` is raised.
SCHEDULER_TIMEOUT = 5.0

STATUSES = (
    "ok", "empty", "invalid_smiles", "sanitization_error", "too_large",
    "malformed_record", "decode_error", "error",
)  # fmt: skip

_INT = ["heavy_atoms", "hbd", "hba", "rotatable_bonds", "rings", "aromatic_rings", "formal_charge",
        "stereocentres_defined", "stereocentres_undefined"]  # fmt: skip
_FLOAT = ["mw", "exact_mass", "clogp", "tpsa", "fraction_csp3", "qed", "tanimoto_reference",
          "nearest_panel_tanimoto"]  # fmt: skip
_BOOL = ["lipinski_pass", "veber_pass"]

#: Column schema of the :func:`compare` output (in order).
BATCH_COLUMNS: list[str] = [
    "row", "name", "input", "status", "message", "duplicate_of_row", "smiles", "standardization",
    "mw", "exact_mass", "heavy_atoms", "formula", "clogp", "tpsa", "hbd", "hba",
    "rotatable_bonds", "fraction_csp3", "rings", "aromatic_rings", "formal_charge",
    "stereocentres_defined", "stereocentres_undefined", "qed",
    "lipinski_violations", "lipinski_pass", "veber_violations", "veber_pass",
    "tanimoto_reference", "nearest_panel", "nearest_panel_tanimoto",
]  # fmt: skip

_SMI_EXT = {".smi", ".smiles", ".txt"}
_EOL = re.compile(rb"\r\n|\r|\n")
_CSV_EXT = {".csv": ",", ".tsv": "\t"}
_SDF_EXT = {".sdf", ".sd"}
_OUT_EXT = {".csv", ".parquet", ".sdf"}

# A record: (row, name, kind, payload, status, message); kind in smiles | molblock | status.
Record = tuple[int, "str | None", str, str, "str | None", str]


@dataclass
class CompareSummary:
    """What :func:`compare` did: output path, row count and counts per status."""

    output: Path
    n_rows: int
    counts: dict[str, int]
    n_duplicate_names: int
    reference: str
    seconds: float
    engine: str
    n_jobs: int
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        return (
            f"{self.n_rows} rows -> {self.output} ({parts}; {self.n_duplicate_names} duplicate names) "
            f"in {self.seconds:.1f} s [{self.engine}, n_jobs={self.n_jobs}]"
        )


# --------------------------------------------------------------------------- reading
def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace"), False


def _lines(fh: Any, block: int = 1 << 20) -> Iterator[bytes]:
    """Lines of a binary stream, ending at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac files).

    Terminators are removed. Streams in blocks, and a line longer than
    :data:`MAX_LINE_BYTES` is cut to that length, so memory stays bounded.
    """
    pending = b""
    while True:
        chunk = fh.read(block)
        if not chunk:
            break
        data = pending + chunk
        if data.endswith(b"\r"):  # may be the first half of \r\n: wait for the next block
            pending, data = b"\r", data[:-1]
        else:
            pending = b""
        parts = _EOL.split(data)
        pending = parts.pop() + pending
        if len(pending) > MAX_LINE_BYTES:  # one endless line: keep its start only (memory stays bounded)
            pending = pending[:MAX_LINE_BYTES] + (b"\r" if pending.endswith(b"\r") else b"")
        yield from (p[:MAX_LINE_BYTES] for p in parts)
    if pending:
        pending = pending[:-1] if pending.endswith(b"\r") else pending
        yield pending


def _iter_smi(path: Path, stats: dict[str, int] | None = None) -> Iterator[Record]:
    """SMILES lines. Rule: a line whose first non-blank character is ``#`` is a comment, not a
    molecule (no SMILES starts with a bond symbol): it is skipped and counted in
    ``stats["comment_lines"]``; every other line, blank ones included, is one row."""
    row = 0
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(_lines(fh), 1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw.lstrip().startswith(b"#"):
                if stats is not None:
                    stats["comment_lines"] = stats.get("comment_lines", 0) + 1
                continue
            text, ok = _decode(raw)
            parts = text.split(None, 1)
            if lineno == 1 and parts and parts[0].lower() == "smiles":
                continue  # header line
            row += 1
            name = parts[1].strip() if len(parts) > 1 else None
            if not ok:
                yield (row, name, "status", parts[0] if parts else text, "decode_error",
                       f"line {lineno} is not valid UTF-8")  # fmt: skip
                continue
            yield (row, name, "smiles", parts[0] if parts else "", None, "")


def _bad_utf8(fields: Iterable[str]) -> bool:
    try:
        "".join(fields).encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _iter_csv(path: Path, smiles_column: str, name_column: str | None, delimiter: str) -> Iterator[Record]:
    from .errors import InputFileError

    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise InputFileError(f"{path}: the header line cannot be read as CSV ({exc})") from None
        if header is None:
            return
        if _bad_utf8(header):
            raise InputFileError(f"{path}: the header line is not valid UTF-8")
        header = [h.strip() for h in header]
        shown_cols = ", ".join(repr(h[:40]) for h in header[:30]) + (", ..." if len(header) > 30 else "")
        if smiles_column not in header:
            raise InputFileError(
                f"{path}: no column {smiles_column[:80]!r}; available columns: {shown_cols} "
                "(choose one with smiles_column= / --smiles-column)"
            )
        if name_column is not None and name_column not in header:
            raise InputFileError(
                f"{path}: no name column {name_column[:80]!r}; available columns: {shown_cols}"
            )
        if name_column is None:
            name_column = next((h for h in header if h.lower() in ("name", "id", "title")), None)
        si = header.index(smiles_column)
        ni = header.index(name_column) if name_column is not None else None
        for row, fields in enumerate(_csv_rows(reader), 1):
            line = reader.line_num
            if isinstance(fields, csv.Error):  # e.g. a field over the csv module's size limit
                yield (row, None, "status", f"line {line}", "malformed_record", f"line {line}: {fields}")
                continue
            bad = _bad_utf8(fields)
            if bad:
                fields = [f.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for f in fields]
            name = fields[ni].strip() if ni is not None and ni < len(fields) else None
            if len(fields) != len(header):
                text = delimiter.join(fields)
                yield (row, name or None, "status", text, "malformed_record",
                       f"line {line}: {len(fields)} fields, header has {len(header)}")  # fmt: skip
            elif bad:
                yield (row, name or None, "status", fields[si], "decode_error", f"line {line} is not valid UTF-8")
            else:
                yield (row, name or None, "smiles", fields[si], None, "")


def _csv_rows(reader: Any) -> Iterator[Any]:
    """Rows of a csv reader; a row the reader cannot parse is yielded as its ``csv.Error``."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc


def _iter_sdf(path: Path) -> Iterator[Record]:
    """SDF records; one over :data:`MAX_SDF_RECORD_BYTES` becomes a ``too_large`` row unread."""
    row = 0
    buf: list[bytes] = []
    size = 0
    start = 1
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(_lines(fh), 1):
            if raw.strip() == b"$$$$":
                row += 1
                yield _sdf_record(row, buf, start, lineno, size)
                buf = []
                size = 0
                start = lineno + 1
            else:
                size += len(raw) + 1
                if size <= MAX_SDF_RECORD_BYTES:  # beyond: counted, not kept (bounded memory)
                    buf.append(raw + b"\n")
    if size and any(b.strip() for b in buf):  # last record without "$$$$"
        row += 1
        yield _sdf_record(row, buf, start, start + len(buf) - 1, size)


def _sdf_record(row: int, lines: list[bytes], first: int, last: int, size: int = 0) -> Record:
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    if size > MAX_SDF_RECORD_BYTES:
        where = f"SDF record {row} (lines {first}-{last})"
        title = lines[0].decode("utf-8", "backslashreplace").strip()[:200] if lines else ""
        return (row, title or None, "status", f"{where}: {title}", "too_large",
                f"{where} has {size} bytes > {MAX_SDF_RECORD_BYTES}; not parsed")  # fmt: skip
    text, ok = _decode(b"".join(lines))
    title = text.split("\n", 1)[0].strip()
    where = f"SDF record {row} (lines {first}-{last})"
    if not ok:
        return (row, title or None, "status", f"{where}: {title}", "decode_error", f"{where} is not valid UTF-8")
    return (row, title or None, "molblock", text, None, where)


def _iter_panel() -> Iterator[Record]:
    from .chem.panel import load_panel

    df = load_panel()
    for i, (name, smi) in enumerate(zip(df["name"], df["isomeric_smiles"]), 1):
        yield (i, name, "smiles", smi, None, "")


def read_records(
    input: Any,
    *,
    smiles_column: str = "smiles",
    name_column: str | None = None,
    stats: dict[str, int] | None = None,
) -> Iterator[Record]:
    """Stream the input as records ``(row, name, kind, payload, status, message)``.

    ``input``: a path (``.smi``/``.smiles``/``.txt``: SMILES and an optional name
    per line, an optional header line starting with "smiles", ``#`` comment
    lines; ``.csv``/``.tsv`` with a SMILES column; ``.sdf``/``.sd``), the word
    ``"panel"``, a list of SMILES, or a DataFrame with ``smiles_column``.
    Lines may end in LF, CRLF or a lone CR. ``stats`` (a dict) receives
    ``comment_lines``: lines skipped as comments (they are not rows).

    Raises
    ------
    toolkit.errors.InputFileError
        Missing file, unsupported extension, missing column (listing the available ones).
    """
    import pandas as pd

    from .errors import InputFileError

    def text(x: Any) -> str | None:  # None and NaN are missing values, not the words "None"/"nan"
        return None if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x)

    if isinstance(input, pd.DataFrame):
        for col in (smiles_column, name_column):
            if col is not None and col not in input.columns:
                raise InputFileError(
                    f"DataFrame has no column {col!r}; available columns: "
                    f"{', '.join(map(repr, map(str, input.columns)))}"
                )
        names = input[name_column] if name_column else [None] * len(input)
        return (
            (i, text(n), "smiles", text(s) or "", None, "")
            for i, (s, n) in enumerate(zip(input[smiles_column], names), 1)
        )
    if isinstance(input, pd.Series):
        input = input.tolist()
    if isinstance(input, (list, tuple)) or (
        isinstance(input, Iterable) and not isinstance(input, (str, bytes, os.PathLike))
    ):  # any other iterable of SMILES (a generator, a set, ...), read lazily
        return ((i, None, "smiles", text(s) or "", None, "") for i, s in enumerate(input, 1))
    for label, col in (("smiles_column", smiles_column), ("name_column", name_column)):
        if col is not None and not isinstance(col, str):
            raise InputFileError(f"{label} must be a column name (str), not {type(col).__name__}")
    if not isinstance(input, (str, os.PathLike)):
        raise InputFileError(
            f"input must be a file path, 'panel', a DataFrame or an iterable of SMILES, not {type(input).__name__}"
        )
    if isinstance(input, str) and input == "panel" and not Path(input).exists():
        return _iter_panel()
    try:
        path = Path(input)
        is_file = path.is_file()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte
        raise InputFileError(f"input {_shown(input)} cannot be used as a file name ({type(exc).__name__})") from None
    if not is_file:
        what = "is not a regular file" if path.exists() else "not found"
        raise InputFileError(f"input file {what}: {_shown(path)}")
    ext = path.suffix.lower()
    if ext in _SMI_EXT:
        return _iter_smi(path, stats)
    if ext in _CSV_EXT:
        it = _iter_csv(path, smiles_column, name_column, _CSV_EXT[ext])
        return _prime(it)
    if ext in _SDF_EXT:
        return _iter_sdf(path)
    raise InputFileError(
        f"{_shown(path)}: unsupported input extension {ext[:20]!r}; use .smi/.smiles/.txt, .csv/.tsv, .sdf/.sd or 'panel'"
    )


def _prime(it: Iterator[Record]) -> Iterator[Record]:
    """Run a generator up to its first record so header errors raise now, not later."""
    import itertools

    try:
        first = next(it)
    except StopIteration:
        return iter(())
    return itertools.chain([first], it)


# --------------------------------------------------------------------------- per-chunk work
_STATE: dict[str, Any] = {}


def _state(reference: str) -> dict[str, Any]:
    key = f"ref:{reference}"
    if key not in _STATE:
        from rdkit.Chem import rdFingerprintGenerator

        from .chem.panel import load_panel
        from .chem.standardization import parse_smiles, standardize_mol

        gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
        chiral = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048, includeChirality=True)
        panel = load_panel()
        pmols = [standardize_mol(parse_smiles(s))[0] for s in panel["isomeric_smiles"]]
        ref_fp = gen.GetFingerprint(standardize_mol(parse_smiles(reference))[0])
        _STATE[key] = {"gen": gen, "chiral_gen": chiral, "panel_names": list(panel["name"]),
                       "panel_fps": [gen.GetFingerprint(m) for m in pmols],
                       "panel_chiral_fps": [chiral.GetFingerprint(m) for m in pmols], "ref_fp": ref_fp}  # fmt: skip
    return _STATE[key]


def _process_one(rec: Record, opts: dict[str, Any], st: dict[str, Any]) -> dict[str, Any]:
    from rdkit import Chem, DataStructs

    from .chem.properties import descriptors
    from .chem.standardization import smiles_problem, standardize_mol

    row, name, kind, payload, status, message = rec
    out: dict[str, Any] = {"row": row, "name": name, "input": payload, "status": status, "message": message}
    if kind == "status":
        return out
    if kind == "molblock":
        out["input"] = f"{message}: {payload.split(chr(10), 1)[0].strip()}"
        mol = Chem.MolFromMolBlock(payload, sanitize=False, removeHs=False, strictParsing=True)
        if mol is None:
            out.update(status="malformed_record", message=f"{message}: RDKit cannot read this mol block")
            return out
    else:
        smi = payload.strip()
        if not smi:
            out.update(status="empty", message="empty SMILES")
            return out
        if len(smi) > MAX_SMILES_CHARS:
            out.update(status="too_large", message=f"SMILES of {len(smi)} characters > {MAX_SMILES_CHARS}; not parsed")
            return out
        problem = smiles_problem(smi)
        if problem:  # RDKit would read "CCO DROP TABLE" as ethanol
            out.update(status="invalid_smiles", message=problem)
            return out
        mol = Chem.MolFromSmiles(smi, sanitize=False)
        if mol is None:
            out.update(status="invalid_smiles", message="SMILES cannot be parsed (syntax error)")
            return out
    n_heavy = mol.GetNumHeavyAtoms()
    if n_heavy > opts["max_heavy_atoms"]:
        out.update(status="too_large", message=f"{n_heavy} heavy atoms > limit {opts['max_heavy_atoms']}")
        return out
    try:
        Chem.SanitizeMol(mol)
    except Exception as exc:  # RDKit raises several sanitisation exception types
        msg = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out.update(status="sanitization_error", message=msg)
        return out
    try:
        if kind == "molblock":
            mol = Chem.RemoveHs(mol)
        mol, changes = standardize_mol(mol, tautomer=opts["tautomer"])
        res: dict[str, Any] = descriptors(mol)
        fp = st["gen"].GetFingerprint(mol)
        sims = DataStructs.BulkTanimotoSimilarity(fp, st["panel_fps"])
        best = max(range(len(sims)), key=sims.__getitem__)
        ties = [i for i, v in enumerate(sims) if v == sims[best]]
        if len(ties) > 1:  # e.g. enantiomers: the stereo-aware ECFP4 picks the matching one
            cfp = st["chiral_gen"].GetFingerprint(mol)
            best = max(ties, key=lambda i: DataStructs.TanimotoSimilarity(cfp, st["panel_chiral_fps"][i]))
        res.update(
            status="ok",
            message="",
            smiles=Chem.MolToSmiles(mol),
            standardization=";".join(changes),
            tanimoto_reference=DataStructs.TanimotoSimilarity(fp, st["ref_fp"]),
            nearest_panel=st["panel_names"][best],
            nearest_panel_tanimoto=sims[best],
        )
        if opts.get("molblock"):
            res["_molblock"] = Chem.MolToMolBlock(mol)
        out.update(res)  # only complete results are kept: a failed row carries no numbers
    except Exception as exc:  # one bad row must never stop the batch
        out.update(status="error", message=f"{type(exc).__name__}: {exc}")
    return out


def _safe_process_one(rec: Record, opts: dict[str, Any], st: dict[str, Any]) -> dict[str, Any]:
    try:
        return _process_one(rec, opts, st)
    except Exception as exc:  # parsing itself failed in an unexpected way: keep the row
        row, name, _kind, payload, _status, _message = rec
        return {"row": row, "name": name, "input": payload, "status": "error",
                "message": f"{type(exc).__name__}: {exc}"}  # fmt: skip


def process_chunk(records: list[Record], opts: dict[str, Any]) -> pd.DataFrame:
    """Process one chunk of records into a DataFrame with :data:`BATCH_COLUMNS` (the per-chunk task).

    ``opts``: ``reference`` (SMILES), ``tautomer``, ``max_heavy_atoms``, ``molblock`` (bool).
    Used by every engine (serial, processes, dask) so that their outputs are identical.
    """
    from rdkit import rdBase

    st = _state(opts["reference"])
    with rdBase.BlockLogs():
        rows = [_safe_process_one(r, opts, st) for r in records]
    return _frame(rows, with_molblock=bool(opts.get("molblock")))


def _frame(rows: list[dict[str, Any]], with_molblock: bool = False) -> pd.DataFrame:
    import pandas as pd

    cols = [*BATCH_COLUMNS, "_molblock"] if with_molblock else BATCH_COLUMNS
    data = {c: [r.get(c) for r in rows] for c in cols}
    df = pd.DataFrame(data, columns=cols)
    df["row"] = df["row"].astype("int64")
    df["duplicate_of_row"] = pd.array([None] * len(df), dtype="Int64")
    for c in _INT:
        df[c] = pd.array(data[c], dtype="Int64")
    for c in _FLOAT:
        df[c] = pd.to_numeric(pd.Series(data[c], dtype="object"), errors="raise").astype("float64")
    for c in _BOOL:
        df[c] = pd.array(data[c], dtype="boolean")
    return df


# --------------------------------------------------------------------------- writers
class _CsvOut:
    def __init__(self, path: Path) -> None:
        self.fh = open(path, "w", encoding="utf-8", newline="")
        self.first = True

    def write(self, df: pd.DataFrame) -> None:
        df[BATCH_COLUMNS].to_csv(self.fh, header=self.first, index=False, lineterminator="\n")
        self.first = False

    def close(self) -> None:
        self.fh.close()


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"row": pa.int64(), "duplicate_of_row": pa.int64()}
    types.update(dict.fromkeys(_INT, pa.int64()))
    types.update(dict.fromkeys(_FLOAT, pa.float64()))
    types.update(dict.fromkeys(_BOOL, pa.bool_()))
    return pa.schema([(c, types.get(c, pa.string())) for c in BATCH_COLUMNS])


class _ParquetOut:
    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self.schema = _arrow_schema()
        self.writer = pq.ParquetWriter(str(path), self.schema)

    def write(self, df: pd.DataFrame) -> None:
        import pyarrow as pa

        table = pa.Table.from_pandas(df[BATCH_COLUMNS], schema=self.schema, preserve_index=False)
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


class _SdfOut:
    """SDF: one record per row; rows without a molecule are written as an empty (0-atom) record."""

    def __init__(self, path: Path) -> None:
        from rdkit import Chem

        self.fh = open(path, "w", encoding="utf-8")
        self.writer = Chem.SDWriter(self.fh)

    def write(self, df: pd.DataFrame) -> None:
        from rdkit import Chem

        for rec in df.to_dict("records"):
            block = rec.pop("_molblock", None)
            mol = Chem.MolFromMolBlock(block, removeHs=False) if isinstance(block, str) else Chem.Mol()
            mol.SetProp("_Name", str(rec.get("name") or ""))
            for c in BATCH_COLUMNS:
                v = rec[c]
                if v is None or v is _pd_na() or (isinstance(v, float) and math.isnan(v)):
                    continue
                mol.SetProp(c, str(v))
            self.writer.write(mol)

    def close(self) -> None:
        self.writer.close()
        self.fh.close()


def _pd_na() -> Any:
    import pandas as pd

    return pd.NA


# --------------------------------------------------------------------------- engines
def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    buf: list[Record] = []
    for r in records:
        buf.append(r)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def _run_serial(chunks: Iterator[list[Record]], opts: dict[str, Any]) -> Iterator[pd.DataFrame]:
    for c in chunks:
        yield process_chunk(c, opts)


def _run_bounded(submit: Any, chunks: Iterator[list[Record]], opts: dict[str, Any], depth: int,
                 result: Any) -> Iterator[pd.DataFrame]:  # fmt: skip
    pending: collections.deque[Any] = collections.deque()
    for c in chunks:
        pending.append(submit(process_chunk, c, opts))
        if len(pending) >= depth:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


@contextlib.contextmanager
def _without_main_module() -> Iterator[None]:
    """Start worker processes without re-running the caller's ``__main__``.

    forkserver/spawn children normally import the main script again, so a
    script without an ``if __name__ == "__main__":`` guard would start
    workers recursively and fail. Workers here run only
    :func:`process_chunk` on plain records (nothing pickled by reference to
    ``__main__``), so while processes are started the main module is hidden
    from multiprocessing's preparation data.
    """
    import sys
    import types

    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _run_processes(chunks: Iterator[list[Record]], opts: dict[str, Any], n_jobs: int) -> Iterator[pd.DataFrame]:
    from ._jobs import process_pool

    def submit(*args: Any) -> Any:
        with _without_main_module():  # a submit may start a worker (and the fork server)
            return ex.submit(*args)

    # workers die with this process (SIGTERM/SIGKILL) and ignore SIGINT (see toolkit._jobs.worker_init)
    with process_pool(n_jobs, ["toolkit.batch", "toolkit.chem.properties", "rdkit.Chem", "pandas"]) as ex:
        yield from _run_bounded(submit, chunks, opts, 2 * n_jobs, lambda f: f.result())


def _run_dask(chunks: Iterator[list[Record]], opts: dict[str, Any], n_jobs: int, scheduler: Any,
              info: dict[str, Any]) -> Iterator[pd.DataFrame]:  # fmt: skip
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        with _without_main_module():
            cluster = LocalCluster(n_workers=n_jobs, threads_per_worker=1, host="127.0.0.1",
                                   dashboard_address=None, processes=True)  # fmt: skip
        client = Client(cluster)
        own = True
    elif isinstance(scheduler, str):
        from .errors import SchedulerUnreachable

        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:  # refused, unreachable, bad address
            raise SchedulerUnreachable(
                f"Dask scheduler {scheduler[:200]!r} did not answer within {SCHEDULER_TIMEOUT:g} s "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        own = True
    else:
        client = scheduler
        own = False
    try:
        n = max(1, len(client.scheduler_info().get("workers", {})))
        info["workers"] = n  # reported as n_jobs: a given cluster decides its own size
        yield from _run_bounded(
            lambda f, c, o: client.submit(f, c, o, pure=False), chunks, opts, 2 * n, lambda f: f.result()
        )
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- public
def compare(
    input: Any,
    output: str | os.PathLike[str],
    *,
    smiles_column: str = "smiles",
    name_column: str | None = None,
    reference: str | None = None,
    tautomer: str = "keep",
    max_heavy_atoms: int = MAX_HEAVY_ATOMS,
    n_jobs: int = 1,
    progress: bool = False,
    engine: str = "local",
    scheduler: Any = None,
    chunk_size: int = 2000,
) -> CompareSummary:
    """Compare a molecule library with the ligand panel and write one row per input row.

    Parameters
    ----------
    input : path, "panel", list of SMILES or DataFrame
        ``.smi``/``.smiles``/``.txt`` (SMILES and optional name per line),
        ``.csv``/``.tsv`` (``smiles_column``; name from ``name_column`` or a
        column called name/id/title), ``.sdf``/``.sd``, or ``"panel"``.
    output : path
        ``.csv``, ``.parquet`` or ``.sdf``; written atomically.
    smiles_column, name_column : str
        CSV columns.
    reference : str, optional
        Reference SMILES for ``tanimoto_reference`` (ECFP4); default esketamine from the panel.
    tautomer : {"keep", "canonical"}
        Tautomer policy of the standardisation.
    max_heavy_atoms : int
        Rows above this are ``too_large`` (default :data:`MAX_HEAVY_ATOMS`).
    n_jobs : int
        Worker processes (``engine="local"``) or LocalCluster workers (``engine="dask"``
        without ``scheduler``; with a scheduler the cluster's workers are used and
        reported in the summary). ``-1``: every usable core; more than the usable
        cores are capped with a warning (:func:`toolkit._jobs.resolve_n_jobs`).
    progress : bool
        Show a tqdm progress bar (rows; with the total and an ETA when the input
        can be counted beforehand: files, lists, DataFrames, the panel).
    engine : {"local", "dask"}
    scheduler : str or distributed.Client, optional
        Dask scheduler address (e.g. ``"tcp://10.0.0.5:8786"``) or a Client; default: a
        LocalCluster on 127.0.0.1 with ``n_jobs`` workers. An address that does not
        answer within :data:`SCHEDULER_TIMEOUT` seconds raises
        :class:`~toolkit.errors.SchedulerUnreachable` (nothing is written).
    chunk_size : int
        Rows per task.

    Returns
    -------
    CompareSummary

    Raises
    ------
    toolkit.errors.InputFileError
        Empty input, missing column, unsupported extension, missing file (nothing written).
    toolkit.errors.OutputPathError
        The output folder does not exist or is not writable, the output is a
        directory, or the output is the input file.
    toolkit.errors.InvalidParameter
        Bad ``n_jobs``, ``chunk_size``, ``max_heavy_atoms``, ``engine``, ``tautomer`` or output extension.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> out = tempfile.mkdtemp() + "/panel.csv"
    >>> s = compare("panel", out)
    >>> s.n_rows, s.counts["ok"]
    (34, 34)
    >>> df = pd.read_csv(out)
    >>> df.loc[df["name"] == "norketamine (racemic)", "nearest_panel"].item()
    'norketamine (racemic)'
    """
    import pandas as pd

    from ._checks import check_bool, check_int
    from ._jobs import resolve_n_jobs
    from .chem.panel import REFERENCE_NAME, panel_smiles
    from .chem.standardization import TAUTOMER_POLICIES, parse_smiles
    from .errors import InputFileError, InvalidParameter, OutputPathError
    from .io.atomic import atomic_output, check_output_path

    t0 = time.perf_counter()
    if not isinstance(engine, str) or engine not in ("local", "dask"):
        raise InvalidParameter(f"engine must be 'local' or 'dask', got {engine!r}")
    n_jobs = resolve_n_jobs(n_jobs)
    chunk_size = check_int(chunk_size, "chunk_size", 1, 10_000_000)
    max_heavy_atoms = check_int(max_heavy_atoms, "max_heavy_atoms", 1, 100_000)
    if not isinstance(tautomer, str) or tautomer not in TAUTOMER_POLICIES:
        raise InvalidParameter(f"tautomer must be one of {TAUTOMER_POLICIES}, got {tautomer!r}")
    if not isinstance(smiles_column, str):
        raise InvalidParameter(f"smiles_column must be a column name (str), got {type(smiles_column).__name__}")
    if name_column is not None and not isinstance(name_column, str):
        raise InvalidParameter(f"name_column must be a column name (str) or None, got {type(name_column).__name__}")
    progress = check_bool(progress, "progress")
    if scheduler is not None and not isinstance(scheduler, str) and not hasattr(scheduler, "submit"):
        raise InvalidParameter(f"scheduler must be an address (str) or a distributed.Client, got {type(scheduler).__name__}")
    if reference is not None and not isinstance(reference, str):
        raise InvalidParameter(f"reference must be a SMILES string, got {type(reference).__name__}")
    if not isinstance(output, (str, os.PathLike)):
        raise InvalidParameter(f"output must be a file path, got {type(output).__name__}")
    out = Path(output)
    ext = out.suffix.lower()
    if ext not in _OUT_EXT:
        raise InvalidParameter(f"output extension must be one of {sorted(_OUT_EXT)}, got {out.name[-80:]!r}")
    check_output_path(out, inputs=[input] if isinstance(input, (str, os.PathLike)) else [])
    ref_label = REFERENCE_NAME if reference is None else reference
    ref_smiles = panel_smiles(REFERENCE_NAME) if reference is None else reference
    parse_smiles(ref_smiles)  # a bad reference fails now, with InvalidMolecule
    opts = {"reference": ref_smiles, "tautomer": tautomer, "max_heavy_atoms": int(max_heavy_atoms),
            "molblock": ext == ".sdf"}  # fmt: skip

    stats: dict[str, int] = {"comment_lines": 0}
    records = read_records(input, smiles_column=smiles_column, name_column=name_column, stats=stats)
    chunks = _chunks(records, int(chunk_size))
    first = next(chunks, None)
    if first is None:
        raise InputFileError(f"input {_shown(input)} is empty: no rows to compare")

    def all_chunks() -> Iterator[list[Record]]:
        yield first
        yield from chunks

    total = _count_rows(input, smiles_column) if progress else None
    run_info: dict[str, Any] = {}
    if engine == "dask":
        results = _run_dask(all_chunks(), opts, int(n_jobs), scheduler, run_info)
    elif n_jobs == 1:
        results = _run_serial(all_chunks(), opts)
    else:
        results = _run_processes(all_chunks(), opts, int(n_jobs))

    counts = dict.fromkeys(STATUSES, 0)
    seen: dict[str, int] = {}
    n_rows = n_dup = 0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        # total known: rows counted beforehand (files, lists, tables); tqdm then shows the ETA
        bar = tqdm(total=total, unit="rows", desc="compare", dynamic_ncols=True)
    try:
        # the one atomic-write helper: stale temporaries of killed runs are removed first, the
        # temporary file is renamed onto the output only at the end, and removed on any failure
        with atomic_output(out) as tmp:
            try:
                writer = {".csv": _CsvOut, ".parquet": _ParquetOut, ".sdf": _SdfOut}[ext](tmp)
            except OSError as exc:
                raise OutputPathError(f"cannot write next to {out}: {exc.strerror or exc}") from exc
            try:
                for df in results:
                    dup = []
                    for row, name in zip(df["row"].tolist(), df["name"].tolist()):
                        if name is None or (isinstance(name, float) and math.isnan(name)) or name == "":
                            dup.append(None)
                            continue
                        first_row = seen.setdefault(name, row)
                        dup.append(first_row if first_row != row else None)
                    df["duplicate_of_row"] = pd.array(dup, dtype="Int64")
                    n_dup += sum(d is not None for d in dup)
                    for k, v in df["status"].value_counts().items():
                        counts[str(k)] = counts.get(str(k), 0) + int(v)
                    n_rows += len(df)
                    writer.write(df)
                    if bar is not None:
                        bar.update(len(df))
            except BaseException:
                with contextlib.suppress(Exception):  # the original error is the one to report
                    writer.close()
                raise
            writer.close()
    finally:
        if bar is not None:
            bar.close()
        close = getattr(results, "close", None)
        if close is not None:
            close()
    if stats.get("comment_lines"):
        run_info["comment_lines"] = stats["comment_lines"]
    return CompareSummary(output=out, n_rows=n_rows, counts=counts, n_duplicate_names=n_dup,
                          reference=ref_label, seconds=time.perf_counter() - t0, engine=engine,
                          n_jobs=int(run_info.get("workers", n_jobs)),
                          extra={k: v for k, v in run_info.items() if k != "workers"})  # fmt: skip


def _shown(value: Any) -> str:
    from ._checks import shown

    return shown(str(value) if isinstance(value, (str, os.PathLike)) else type(value).__name__, 120)


def _count_rows(input: Any, smiles_column: str) -> int | None:
    """Number of rows ``input`` will give (for a progress total), or None when unknown."""
    import pandas as pd

    if isinstance(input, (pd.DataFrame, pd.Series, list, tuple)):
        return len(input)
    if isinstance(input, str) and input == "panel" and not Path(input).exists():
        from .chem.panel import load_panel

        return len(load_panel())
    if not isinstance(input, (str, os.PathLike)):
        return None
    path = Path(input)
    ext = path.suffix.lower()
    try:
        if ext in _SMI_EXT:
            return sum(1 for _ in _iter_smi(path))
        if ext in _SDF_EXT:
            return sum(1 for _ in _iter_sdf_ends(path))
        if ext in _CSV_EXT:
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                return max(0, sum(1 for _ in csv.reader(fh, delimiter=_CSV_EXT[ext])) - 1)
    except (OSError, csv.Error):
        return None
    return None


def _iter_sdf_ends(path: Path) -> Iterator[None]:
    tail = False
    with open(path, "rb") as fh:
        for raw in _lines(fh):
            if raw.strip() == b"$$$$":
                tail = False
                yield None
            elif raw.strip():
                tail = True
    if tail:
        yield None
