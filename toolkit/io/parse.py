"""Parse structure files (PDBx/mmCIF, BinaryCIF, legacy PDB; gzipped or not).

The parser returns a :class:`RawEntry`: flat numpy arrays for the atom sites
plus a plain-Python metadata dictionary (JSON-serialisable). It knows nothing
about NMDA receptors; subunit naming lives in :mod:`toolkit.catalog`.

Speed. For mmCIF files written by the wwPDB, whose ``_atom_site`` rows are
column-aligned, the atom loop is sliced with numpy in one pass (the rest of the
file, i.e. the small metadata categories, is parsed by gemmi). Every other
layout falls back to gemmi's full CIF parser, so correctness never depends on
the fast path: both paths return the same arrays (tested).

Policies applied here, once:

* **Models**: only the first model is kept (NMR ensembles).
* **Altlocs**: for each atom site (chain, residue, insertion code, atom name)
  the alternate location with the highest occupancy is kept; ties go to the
  first one in the file. The number of dropped sites is recorded in
  ``meta["altlocs_dropped"]``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import NoProteinError, StructureFormatError

__all__ = ["RawEntry", "parse_bytes", "ATOM_FIELDS", "MAX_DECOMPRESSED_BYTES", "MAX_ABS_COORDINATE"]

#: Largest decompressed structure accepted (bytes): stops a gzip bomb before memory runs out.
MAX_DECOMPRESSED_BYTES = 4 * 1024**3
#: Coordinates beyond this (Å) are refused as corrupt: the legacy PDB format cannot
#: even write more than 9999.999 Å, and no deposited model spans a kilometre-scale 1e6 Å.
MAX_ABS_COORDINATE = 1e6

#: Magic numbers of common non-structure files, for a clear message.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3", "an SQLite database"),
)

#: Canonical per-atom arrays and their dtypes.
ATOM_FIELDS: dict[str, str] = {
    "hetero": "bool",
    "element": "U2",
    "atom_name": "U4",
    "altloc": "U1",
    "res_name": "U5",
    "label_asym": "U4",
    "entity_id": "U8",
    "label_seq": "int32",
    "res_id": "int32",
    "ins_code": "U1",
    "coord": "float32",
    "occupancy": "float32",
    "b_factor": "float32",
    "charge": "int8",
    "chain_id": "U4",
}

# mmCIF column -> canonical field
_CIF_COLUMNS = {
    "group_PDB": "hetero",
    "type_symbol": "element",
    "label_atom_id": "atom_name",
    "label_alt_id": "altloc",
    "label_comp_id": "res_name",
    "label_asym_id": "label_asym",
    "label_entity_id": "entity_id",
    "label_seq_id": "label_seq",
    "auth_seq_id": "res_id",
    "pdbx_PDB_ins_code": "ins_code",
    "Cartn_x": "x",
    "Cartn_y": "y",
    "Cartn_z": "z",
    "occupancy": "occupancy",
    "B_iso_or_equiv": "b_factor",
    "pdbx_formal_charge": "charge",
    "auth_asym_id": "chain_id",
    "pdbx_PDB_model_num": "model",
}
_REQUIRED = ("label_atom_id", "label_comp_id", "Cartn_x", "Cartn_y", "Cartn_z")

_METADATA_CATEGORIES = (
    "_entry.",
    "_struct.",
    "_exptl.",
    "_refine.",
    "_reflns.",
    "_em_3d_reconstruction.",
    "_entity.",
    "_entity_src_gen.",
    "_entity_src_nat.",
    "_pdbx_entity_src_syn.",
    "_struct_ref.",
    "_struct_ref_seq.",
    "_citation.",
    "_chem_comp.",
    "_pdbx_audit_revision_history.",
    "_entity_poly.",
)


@dataclass
class RawEntry:
    """Atom arrays plus metadata, as read from one file.

    ``atoms`` maps every key of :data:`ATOM_FIELDS` to a numpy array of equal
    length (``coord`` has shape ``(n, 3)``). ``meta`` is JSON-serialisable.
    """

    atoms: dict[str, np.ndarray]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_atoms(self) -> int:
        return int(self.atoms["coord"].shape[0])


# --------------------------------------------------------------------------- #
# entry point
# --------------------------------------------------------------------------- #
def parse_bytes(data: bytes, *, name: str = "<bytes>", require_protein: bool = True) -> RawEntry:
    """Parse the bytes of a structure file (format and compression detected).

    Parameters
    ----------
    data
        File content, optionally gzip-compressed.
    name
        Shown in error messages (usually the path).
    require_protein
        Raise :class:`~toolkit.errors.NoProteinError` when no polymer amino
        acid is present.

    Raises
    ------
    StructureFormatError
        Empty, truncated or corrupt input, or input that is not a structure.
    """
    if not data:
        raise StructureFormatError(f"{name}: the file is empty")
    raw = _decompress(data, name)
    if not raw.strip():
        raise StructureFormatError(f"{name}: the file is empty after decompression")
    fmt = sniff_format(raw, name)
    try:
        if fmt == "bcif":
            entry = _parse_bcif(raw, name)
        elif fmt == "cif":
            entry = _parse_cif(raw, name)
        else:
            entry = _parse_pdb(raw, name)
    except StructureFormatError:
        raise
    except Exception as exc:  # gemmi/biotite raise generic errors on corrupt text
        raise StructureFormatError(f"{name}: could not be parsed as {fmt}: {exc}") from exc
    if entry.n_atoms == 0:
        raise StructureFormatError(f"{name}: the file has no atom records")
    _check_coordinates(entry, name)
    _drop_duplicate_atoms(entry, name)
    if not entry.meta.get("entities") and not entry.meta.get("ref_seq"):
        import warnings

        from ..errors import MissingMetadataWarning

        warnings.warn(
            f"{name}: no entity or sequence-reference records (_entity/_struct_ref, COMPND/DBREF): "
            "chains cannot be named by subunit and are all 'other'",
            MissingMetadataWarning,
            stacklevel=2,
        )
    entry.meta["format"] = fmt
    entry.meta["sha256"] = hashlib.sha256(raw).hexdigest()
    if require_protein:
        _check_protein(entry, name)
    return entry


def _decompress(data: bytes, name: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_DECOMPRESSED_BYTES + 1)
    except (EOFError, OSError, zlib.error) as exc:
        raise StructureFormatError(
            f"{name}: the gzip stream is truncated or corrupt ({exc})"
        ) from exc
    if len(out) > MAX_DECOMPRESSED_BYTES:
        raise StructureFormatError(f"{name}: decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes; refused")
    return out


def _check_coordinates(entry: RawEntry, name: str) -> None:
    """Refuse NaN, infinite or absurd coordinates with a named error (they would fail much later)."""
    from ..errors import InvalidCoordinates

    c = entry.atoms["coord"]
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isfinite(c).all(axis=1) | (np.abs(c) > MAX_ABS_COORDINATE).any(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        a = entry.atoms
        where = f"chain {a['chain_id'][i]} {a['res_name'][i]} {a['res_id'][i]} atom {a['atom_name'][i]}"
        raise InvalidCoordinates(
            f"{name}: {int(bad.sum())} atom(s) with NaN, infinite or |x| > {MAX_ABS_COORDINATE:g} Å "
            f"coordinates (first: {where}: {c[i].tolist()})"
        )


def _drop_duplicate_atoms(entry: RawEntry, name: str) -> None:
    """Keep the first of atom records that repeat the same atom.

    A record repeats an atom when chain, residue number, insertion code,
    residue name, atom name, altloc **and coordinates** are all equal: such a
    record would count a residue's atoms twice. Records that share a name but
    sit elsewhere are kept (tools that add hydrogens often name them all
    ``H``). The number dropped is in ``meta["duplicate_atoms_dropped"]`` and a
    LossyFixWarning names the first one.
    """
    a = entry.atoms
    n = entry.n_atoms
    # fast exit: a repeated atom has a repeated position, which is rare in a sound file
    xyz = np.ascontiguousarray(a["coord"], dtype=np.float32).view(np.dtype((np.void, 12))).ravel()
    xyz_sorted = np.sort(xyz)
    if n < 2 or not (xyz_sorted[1:] == xyz_sorted[:-1]).any():
        entry.meta["duplicate_atoms_dropped"] = 0
        return
    keys = ("chain_id", "res_id", "ins_code", "res_name", "atom_name", "altloc")
    cols = [a[k] for k in keys] + [a["coord"][:, j] for j in range(3)]
    # sort by the key; neighbours in sorted order that are equal are duplicates
    order = np.lexsort(tuple(reversed(cols)))
    same = np.ones(n - 1, dtype=bool)
    for col in cols:
        v = col[order]
        same &= v[1:] == v[:-1]
    entry.meta["duplicate_atoms_dropped"] = int(same.sum())
    if not same.any():
        return
    import warnings

    from ..errors import LossyFixWarning

    dup_sorted = np.flatnonzero(same) + 1
    # within a run of equal keys keep the earliest record in file order
    drop = np.zeros(n, dtype=bool)
    run_first = order.copy()
    for j in range(1, n):  # only reached for files with duplicates
        if same[j - 1]:
            keep, other = min(run_first[j - 1], order[j]), max(run_first[j - 1], order[j])
            drop[other] = True
            run_first[j] = keep
    i = int(order[dup_sorted[0]])
    warnings.warn(
        f"{name}: {int(drop.sum())} duplicate atom record(s) dropped (first kept; e.g. chain "
        f"{a['chain_id'][i]} {a['res_name'][i]} {a['res_id'][i]}{a['ins_code'][i]} atom {a['atom_name'][i]})",
        LossyFixWarning,
        stacklevel=3,
    )
    entry.atoms = {k: v[~drop] for k, v in a.items()}


def sniff_format(raw: bytes, name: str = "<bytes>") -> str:
    """Return ``"cif"``, ``"bcif"`` or ``"pdb"``; raise if it is none of them."""
    first = raw[:1]
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise StructureFormatError(f"{name}: {what}, not a structure file (mmCIF, BinaryCIF or PDB)")
    # BinaryCIF is a MessagePack map (fixmap 0x80-0x8f or map16/map32) with a "dataBlocks" key.
    if first and (0x80 <= first[0] <= 0x8F or first[0] in (0xDE, 0xDF)) and b"dataBlocks" in raw[:1024]:
        return "bcif"
    sample = raw[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > 8 or (first and first[0] >= 0x80 and not _is_text(sample)):
        raise StructureFormatError(
            f"{name}: binary content that is neither gzip nor BinaryCIF (not a structure file)"
        )
    head = raw[:65536].decode("latin-1")
    for line in head.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("data_"):
            return "cif"
        break
    if re.search(r"^(ATOM  |HETATM)", head, re.M) or re.search(
        r"^(HEADER|CRYST1|MODEL |REMARK|COMPND|SEQRES)", head, re.M
    ):
        return "pdb"
    # the file's own content is not quoted (it may be private, e.g. /etc/passwd)
    raise StructureFormatError(
        f"{name}: not a structure file (expected an mmCIF 'data_' block, PDB ATOM/HETATM records or "
        "BinaryCIF; it holds other text)"
    )


def _is_text(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # a character cut at the sample's end


# --------------------------------------------------------------------------- #
# mmCIF
# --------------------------------------------------------------------------- #
def _find_atom_site_loop(raw: bytes) -> tuple[int, int, list[str], int] | None:
    """Locate the ``_atom_site`` loop: (loop start, end, column names, body start)."""
    start = raw.find(b"\nloop_\n_atom_site.")
    if start < 0:
        m = re.search(rb"^loop_[ \t]*\r?\n(?=_atom_site\.)", raw, re.M)
        if m is None:
            return None
        start, pos = m.start(), m.end()
    else:
        start, pos = start + 1, start + 7
    names: list[str] = []
    while raw.startswith(b"_atom_site.", pos):
        eol = raw.index(b"\n", pos)
        names.append(raw[pos + 11 : eol].strip().decode())
        pos = eol + 1
    body_start = pos
    end = raw.find(b"\n#", body_start)
    end = len(raw) if end < 0 else end + 1
    # A loop that runs into another item without a '#' line makes the rows
    # unequal, so the fixed-width reader rejects it and gemmi parses the file.
    return start, end, names, body_start


def _slice_fixed_width(body: bytes, ncols: int) -> list[np.ndarray] | None:
    """Split a column-aligned loop body into ``ncols`` byte-string arrays.

    Returns None when the body is not strictly aligned (every row the same
    length, every token left-aligned in the same column span), in which case
    the caller uses the full CIF parser.
    """
    body = body.rstrip(b"\r\n")
    if not body:
        return None
    first_eol = body.find(b"\n")
    width = len(body) if first_eol < 0 else first_eol + 1
    n = (len(body) + 1) // width
    if n * width != len(body) + 1 or b"\t" in body or b"\r" in body:
        return None
    arr = np.frombuffer(body + b"\n", dtype=np.uint8).reshape(n, width)
    if not (arr[:, -1] == 10).all():
        return None
    arr = arr[:, :-1]
    filled = arr != 32
    used = filled.any(axis=0)
    # token spans = runs of columns used by at least one row
    edges = np.flatnonzero(np.diff(np.concatenate(([0], used.view(np.int8), [0]))))
    starts, stops = edges[0::2], edges[1::2]
    if len(starts) != ncols:
        return None
    # every row must start a token at each span start and have no inner gap
    if not filled[:, starts].all():
        return None
    tokens_per_row = filled[:, 0].astype(np.int32) + (filled[:, 1:] & ~filled[:, :-1]).sum(axis=1)
    if not (tokens_per_row == ncols).all():
        return None
    cols = []
    for a, b in zip(starts, stops):
        sub = np.ascontiguousarray(arr[:, a:b])
        sub[sub == 32] = 0  # trailing padding -> NUL, which 'S' strips
        col = sub.view(f"S{b - a}").ravel()
        if (sub[:, 0] == ord("'")).any() or (sub[:, 0] == ord('"')).any():
            col = np.array([_unquote(v) for v in col], dtype=object).astype("S")
        cols.append(col)
    return cols


def _unquote(v: bytes) -> bytes:
    if len(v) >= 2 and v[:1] in (b"'", b'"') and v[-1:] == v[:1]:
        return v[1:-1]
    return v


def _parse_cif(raw: bytes, name: str) -> RawEntry:
    import gemmi

    loop = _find_atom_site_loop(raw)
    columns: dict[str, np.ndarray] | None = None
    if loop is not None:
        start, end, names, body_start = loop
        missing = [c for c in _REQUIRED if c not in names]
        if missing:
            raise StructureFormatError(f"{name}: _atom_site lacks required columns {missing}")
        sliced = _slice_fixed_width(raw[body_start:end], len(names))
        if sliced is not None:
            columns = {c: sliced[i] for i, c in enumerate(names) if c in _CIF_COLUMNS}
            # metadata from the rest of the file (small)
            text = (raw[:start] + raw[end:]).decode("utf-8", "replace")
            block = gemmi.cif.read_string(text).sole_block()
    if columns is None:
        doc = gemmi.cif.read_string(raw.decode("utf-8", "replace"))
        block = doc.sole_block()
        columns = _columns_from_block(block, name)
    atoms = _atoms_from_columns(columns, name)
    meta = _cif_metadata(block)
    return _finish(atoms, meta)


def _columns_from_block(block: Any, name: str) -> dict[str, np.ndarray]:
    present = [c for c in _CIF_COLUMNS if len(block.find_loop("_atom_site." + c)) > 0]
    missing = [c for c in _REQUIRED if c not in present]
    if missing:
        raise StructureFormatError(f"{name}: no _atom_site records with columns {missing}")
    tab = block.find("_atom_site.", present)
    return {c: np.array(list(tab.column(i)), dtype="S") for i, c in enumerate(present)}


def _num(col: np.ndarray, dtype: str, missing: int | float) -> np.ndarray:
    col = np.asarray(col, dtype="S")
    fast = _parse_decimal(col)
    if fast is not None:
        value, bad = fast
        if bad.any():
            value[bad] = missing
        return value.astype(dtype)
    bad = (col == b"?") | (col == b".") | (col == b"")
    if bad.any():
        col = np.where(bad, str(missing).encode(), col)
    return col.astype(dtype)


def _parse_decimal(col: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised parse of plain decimals (``-12.345``, ``7``) in a byte-string array.

    Returns (values as float64, mask of '?'/'.' placeholders) or None when any
    value uses another notation (exponent, '+', spaces), so that the caller
    falls back to numpy's own conversion.
    """
    n = col.shape[0]
    width = col.dtype.itemsize
    if n == 0 or width == 0 or width > 18:
        return None
    m = col.view(np.uint8).reshape(n, width)
    digit = (m >= 48) & (m <= 57)
    dot = m == 46
    minus = m == 45
    empty = m == 0
    placeholder = ((m[:, 0] == 63) | (m[:, 0] == 46)) & (empty[:, 1:].all(axis=1) if width > 1 else True)
    ok = digit | dot | empty
    ok[:, 0] |= minus[:, 0]
    if not (ok | placeholder[:, None]).all():
        return None
    rows = ~placeholder
    if (dot[rows].sum(axis=1) > 1).any():
        return None
    length = width - empty.sum(axis=1)
    dot_pos = np.where(dot.any(axis=1), dot.argmax(axis=1), length)
    j = np.arange(width)[None, :]
    exponent = np.where(j < dot_pos[:, None], dot_pos[:, None] - j - 1, dot_pos[:, None] - j)
    contrib = np.where(digit, (m - 48) * np.power(10.0, exponent), 0.0)
    value = contrib.sum(axis=1)
    value[minus[:, 0]] *= -1
    # round to the written precision, removing float noise from the powers
    decimals = np.clip(length - dot_pos - 1, 0, None)
    value = np.round(value, int(decimals.max()) if decimals.size else 0)
    value[placeholder] = 0
    return value, placeholder


def _txt(col: np.ndarray, dtype: str, blank: str = "") -> np.ndarray:
    out = np.asarray(col, dtype="S").astype(dtype)
    bad = (out == "?") | (out == ".")
    if bad.any():
        out[bad] = blank
    return out


_RESIDUE_LEVEL = (
    "group_PDB",
    "label_comp_id",
    "label_asym_id",
    "label_entity_id",
    "label_seq_id",
    "auth_seq_id",
    "pdbx_PDB_ins_code",
    "auth_asym_id",
    "pdbx_PDB_model_num",
)


def _bytes_matrix(col: np.ndarray) -> np.ndarray:
    col = np.ascontiguousarray(col, dtype="S" if col.dtype.kind != "S" else col.dtype)
    width = max(col.dtype.itemsize, 1)
    return col.view(np.uint8).reshape(col.shape[0], width)


def _residue_starts(c: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Indices where a new residue (or model / entity / group) starts."""
    keys = [k for k in _RESIDUE_LEVEL if k in c]
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        m = _bytes_matrix(c[k])
        change[1:] |= (m[1:] != m[:-1]).any(axis=1)
    return np.flatnonzero(change)


def _uniform(col: np.ndarray) -> bool:
    m = _bytes_matrix(col)
    return bool((m == m[0]).all())


def _coords(c: dict[str, np.ndarray], n: int, name: str) -> np.ndarray:
    """Parse x, y, z in one C-level pass (falls back to numpy conversion)."""
    import warnings

    parts = []
    for k in ("Cartn_x", "Cartn_y", "Cartn_z"):
        parts.append(_bytes_matrix(c[k]))
        parts.append(np.zeros((n, 1), dtype=np.uint8))
    m = np.concatenate(parts, axis=1)
    m[m == 0] = 32
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            flat = np.fromstring(m.tobytes(), dtype=np.float64, sep=" ")  # type: ignore[call-overload]
    except ValueError:
        flat = np.empty(0)
    if flat.size == 3 * n:
        with np.errstate(over="ignore"):  # |x| > float32 max becomes inf, refused by _check_coordinates
            return flat.reshape(n, 3).astype(np.float32)
    try:
        return np.stack([_num(c[k], "float32", 0) for k in ("Cartn_x", "Cartn_y", "Cartn_z")], axis=1)
    except ValueError as exc:
        raise StructureFormatError(f"{name}: non-numeric coordinates ({exc})") from exc


def _atoms_from_columns(c: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    n = len(c["Cartn_x"])
    coord = _coords(c, n, name)
    starts = _residue_starts(c, n)
    counts = np.diff(np.append(starts, n))

    def per_residue(col: str, conv: Any) -> np.ndarray:
        return np.repeat(conv(np.asarray(c[col])[starts]), counts)

    def const(value: Any, dtype: str) -> np.ndarray:
        return np.full(n, value, dtype=dtype)

    def atom_level(col: str, conv: Any, default: Any, dtype: str) -> np.ndarray:
        if col not in c:
            return const(default, dtype)
        if _uniform(c[col]):
            return np.full(n, conv(np.asarray(c[col][:1]))[0], dtype=dtype)
        return conv(c[col])

    def res_or_const(col: str, conv: Any, default: Any, dtype: str) -> np.ndarray:
        return per_residue(col, conv) if col in c else const(default, dtype)

    text = lambda dtype: (lambda a: _txt(a, dtype))  # noqa: E731
    number = lambda dtype, missing: (lambda a: _num(a, dtype, missing))  # noqa: E731
    seq_col = "auth_seq_id" if "auth_seq_id" in c else "label_seq_id"
    chain_col = "auth_asym_id" if "auth_asym_id" in c else "label_asym_id"
    name_col = "label_atom_id" if "label_atom_id" in c else "auth_atom_id"
    atoms: dict[str, np.ndarray] = {
        "hetero": res_or_const("group_PDB", lambda a: np.asarray(a, dtype="S") == b"HETATM", False, "bool"),
        "atom_name": _txt(c[name_col], "U4"),
        "altloc": atom_level("label_alt_id", text("U1"), "", "U1"),
        "res_name": per_residue("label_comp_id", text("U5")),
        "label_asym": res_or_const("label_asym_id", text("U4"), "", "U4"),
        "entity_id": res_or_const("label_entity_id", text("U8"), "", "U8"),
        "label_seq": res_or_const("label_seq_id", number("int32", -1), -1, "int32"),
        "res_id": res_or_const(seq_col, number("int32", -1), -1, "int32"),
        "ins_code": res_or_const("pdbx_PDB_ins_code", text("U1"), "", "U1"),
        "coord": coord,
        "occupancy": atom_level("occupancy", number("float32", 1.0), 1.0, "float32"),
        "b_factor": atom_level("B_iso_or_equiv", number("float32", 0.0), 0.0, "float32"),
        "charge": atom_level("pdbx_formal_charge", number("int8", 0), 0, "int8"),
        "chain_id": res_or_const(chain_col, text("U4"), "", "U4"),
    }
    element = atom_level("type_symbol", text("U2"), "", "U2")
    uniq, inverse = np.unique(element, return_inverse=True)
    atoms["element"] = np.char.capitalize(uniq)[inverse] if element.size else element
    if "pdbx_PDB_model_num" in c:
        model = per_residue("pdbx_PDB_model_num", number("int32", 1))
        first = model == model[0]
        if not first.all():
            atoms = {k: v[first] for k, v in atoms.items()}
    return atoms


def _category(block: Any, cat: str) -> dict[str, list[Any]]:
    d = block.get_mmcif_category(cat)
    return {k: [None if v in (None, False, True) else v for v in vals] for k, vals in d.items()} if d else {}


def _cif_metadata(block: Any) -> dict[str, Any]:
    cats = {c.strip("_.").rstrip("."): _category(block, c) for c in _METADATA_CATEGORIES}
    return _metadata_from_categories(cats, block.name)


def _first(cat: dict[str, list[Any]], key: str) -> Any:
    vals = cat.get(key) or [None]
    return vals[0]


def _float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _rows(cat: dict[str, list[Any]]) -> list[dict[str, Any]]:
    if not cat:
        return []
    keys = list(cat)
    n = len(cat[keys[0]])
    return [{k: cat[k][i] for k in keys} for i in range(n)]


def _metadata_from_categories(cats: dict[str, dict[str, list[Any]]], block_name: str) -> dict[str, Any]:
    entry_id = (_first(cats["entry"], "id") or block_name or "").upper()
    method = _first(cats["exptl"], "method")
    resolution = (
        _float(_first(cats["refine"], "ls_d_res_high"))
        or _float(_first(cats["em_3d_reconstruction"], "resolution"))
        or _float(_first(cats["reflns"], "d_resolution_high"))
    )
    species: dict[str, str] = {}
    for cat, key in (
        ("entity_src_gen", "pdbx_gene_src_scientific_name"),
        ("entity_src_nat", "pdbx_organism_scientific"),
        ("pdbx_entity_src_syn", "organism_scientific"),
    ):
        for row in _rows(cats[cat]):
            if row.get("entity_id") and row.get(key):
                species.setdefault(str(row["entity_id"]), str(row[key]))
    entities = {
        str(r["id"]): {
            "type": r.get("type"),
            "description": r.get("pdbx_description"),
            "species": species.get(str(r["id"])),
        }
        for r in _rows(cats["entity"])
    }
    for r in _rows(cats["entity_poly"]):
        e = entities.setdefault(str(r.get("entity_id")), {})
        e["poly_type"] = r.get("type")
        e["strands"] = (r.get("pdbx_strand_id") or "").replace(" ", "").split(",")
    refs = {
        str(r["id"]): {
            "entity_id": str(r.get("entity_id")),
            "db_name": r.get("db_name"),
            "db_code": r.get("db_code"),
            "accession": r.get("pdbx_db_accession"),
        }
        for r in _rows(cats["struct_ref"])
    }
    ref_seq = []
    for r in _rows(cats["struct_ref_seq"]):
        ref = refs.get(str(r.get("ref_id")), {})
        ref_seq.append(
            {
                "chain_id": r.get("pdbx_strand_id"),
                "accession": r.get("pdbx_db_accession") or ref.get("accession"),
                "db_name": ref.get("db_name"),
                "db_code": ref.get("db_code"),
                "seq_beg": _int(r.get("seq_align_beg")),
                "seq_end": _int(r.get("seq_align_end")),
                "auth_beg": _int(r.get("pdbx_auth_seq_align_beg")),
                "auth_end": _int(r.get("pdbx_auth_seq_align_end")),
                "db_beg": _int(r.get("db_align_beg")),
                "db_end": _int(r.get("db_align_end")),
            }
        )
    cit = next((r for r in _rows(cats["citation"]) if str(r.get("id")) == "primary"), None)
    if cit is None and _rows(cats["citation"]):
        cit = _rows(cats["citation"])[0]
    citation = (
        {
            "title": cit.get("title"),
            "journal": cit.get("journal_abbrev"),
            "year": cit.get("year"),
            "volume": cit.get("journal_volume"),
            "first_page": cit.get("page_first"),
            "doi": cit.get("pdbx_database_id_DOI"),
            "pmid": cit.get("pdbx_database_id_PubMed"),
        }
        if cit
        else {}
    )
    comp_names = {
        str(r["id"]): {"name": r.get("name"), "type": r.get("type")} for r in _rows(cats["chem_comp"])
    }
    revs = cats["pdbx_audit_revision_history"].get("revision_date") or []
    return {
        "entry_id": entry_id,
        "title": _first(cats["struct"], "title"),
        "method": method,
        "resolution": resolution,
        "entities": entities,
        "ref_seq": ref_seq,
        "citation": citation,
        "components": comp_names,
        "latest_revision": max(revs) if revs else None,
    }


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- #
# BinaryCIF
# --------------------------------------------------------------------------- #
def _parse_bcif(raw: bytes, name: str) -> RawEntry:
    from biotite.structure.io.pdbx import BinaryCIFFile

    try:
        f = BinaryCIFFile.read(io.BytesIO(raw))
        block = f.block
    except Exception as exc:
        raise StructureFormatError(f"{name}: corrupt BinaryCIF ({exc})") from exc
    if "atom_site" not in block:
        raise StructureFormatError(f"{name}: BinaryCIF without an atom_site category")
    site = block["atom_site"]

    def col(key: str) -> np.ndarray:
        c = site[key]
        arr = c.as_array(str)
        # biotite marks '?'/'.' via a mask
        if c.mask is not None:
            m = c.mask.array
            arr = arr.astype(object)
            arr[m == 1] = "."
            arr[m == 2] = "?"
        return np.asarray(arr, dtype="S")

    columns = {k: col(k) for k in _CIF_COLUMNS if k in site}
    atoms = _atoms_from_columns(columns, name)
    cats: dict[str, dict[str, list[Any]]] = {}
    for c in _METADATA_CATEGORIES:
        key = c.strip("_.").rstrip(".")
        if key in block:
            cat = block[key]
            cats[key] = {k: [None if v in ("?", ".") else v for v in cat[k].as_array(str).tolist()] for k in cat.keys()}
        else:
            cats[key] = {}
    meta = _metadata_from_categories(cats, getattr(block, "name", "") or "")
    return _finish(atoms, meta)


# --------------------------------------------------------------------------- #
# legacy PDB
# --------------------------------------------------------------------------- #
def _parse_pdb(raw: bytes, name: str) -> RawEntry:
    """Legacy PDB: fixed-column ATOM/HETATM records sliced with numpy; gemmi as fallback."""
    first = re.search(rb"^(ATOM  |HETATM)", raw, re.M)
    head_text = raw[: first.start() if first else len(raw)].decode("latin-1")
    header = _pdb_header(head_text)
    atoms = _pdb_atoms_fixed(raw, name)
    if atoms is None:
        return _parse_pdb_gemmi(raw, raw.decode("latin-1"), header, name)
    refs = _pdb_dbref(head_text)
    entities: dict[str, dict[str, Any]] = {}
    ent_of_chain: dict[str, str] = {}
    for mol_id, chains, molecule in header["mol_ids"]:
        for ch in chains:
            ent_of_chain[ch] = mol_id
        sp = next((header["species"][c] for c in chains if c in header["species"]), None)
        entities[mol_id] = {"type": "polymer", "description": molecule,
                            "species": sp.capitalize() if sp else None, "strands": chains}  # fmt: skip
    # entity of polymer residues = the COMPND MOL_ID of their chain; others none
    from .aminoacids import is_amino_acid

    poly = (~atoms["hetero"] | is_amino_acid(atoms["res_name"])) & np.isin(atoms["chain_id"], list(ent_of_chain))
    chains, inverse = np.unique(atoms["chain_id"], return_inverse=True)
    ent = np.array([ent_of_chain.get(c, "") for c in chains.tolist()], dtype="U8")[inverse]
    atoms["entity_id"] = np.where(poly, ent, "")
    atoms["label_asym"] = atoms["chain_id"].copy()
    meta: dict[str, Any] = {
        "entry_id": (header["id"] or "").upper(),
        "title": header["title"],
        "method": header["method"],
        "resolution": header["resolution"],
        "entities": entities,
        "ref_seq": refs,
        "citation": {"doi": header["doi"].lower(), "title": header["jrnl_title"]} if header["doi"] else {},
        "components": {k: {"name": v, "type": None} for k, v in header["hetnam"].items()},
        "latest_revision": header["revdat"],
    }
    return _finish(atoms, meta)


def _pdb_atoms_fixed(raw: bytes, name: str) -> dict[str, np.ndarray] | None:
    """ATOM/HETATM records of the first model, by the PDB format's fixed columns."""
    end = raw.find(b"\nENDMDL")
    recs = re.findall(rb"^(?:ATOM  |HETATM)[^\r\n]*", raw[: end if end >= 0 else len(raw)], re.M)
    if not recs:
        raise StructureFormatError(f"{name}: the PDB file has no ATOM/HETATM records")
    if min(map(len, recs)) < 54:
        return None
    m = np.array(recs, dtype="S80").view(np.uint8).reshape(len(recs), 80).copy()
    m[m == 0] = 32

    def col(a: int, b: int, text: bool = True) -> np.ndarray:
        sub = np.ascontiguousarray(m[:, a:b])
        raw_col = sub.view(f"S{b - a}").ravel()
        if not text:  # numbers: the converters accept surrounding blanks
            return raw_col
        uniq, inverse = np.unique(raw_col, return_inverse=True)  # few distinct values: strip those
        return np.char.strip(uniq)[inverse]

    c = {
        "group_PDB": col(0, 6),
        "label_atom_id": col(12, 16),
        "label_alt_id": col(16, 17),
        "label_comp_id": col(17, 21),
        "auth_asym_id": col(21, 22),
        "auth_seq_id": col(22, 26),
        "pdbx_PDB_ins_code": col(26, 27),
        "Cartn_x": col(30, 38, text=False),
        "Cartn_y": col(38, 46, text=False),
        "Cartn_z": col(46, 54, text=False),
        "occupancy": col(54, 60),
        "B_iso_or_equiv": col(60, 66),
        "type_symbol": col(76, 78),
    }
    # blank optional fields -> CIF placeholders
    for key in ("label_alt_id", "pdbx_PDB_ins_code", "occupancy", "B_iso_or_equiv", "type_symbol"):
        v = c[key]
        c[key] = np.where(v == b"", b"?" if key != "occupancy" else b"1", v)
    if (c["type_symbol"] == b"?").any():
        # element columns missing: fall back to gemmi's element inference
        return None
    # charge: "2+" / "1-" in columns 79-80
    ch = col(78, 80)
    if (ch != b"").any():
        sign = np.where(np.char.endswith(ch, b"-"), -1, 1)
        mag = np.char.strip(ch, b"+-")
        mag = np.where(mag == b"", b"0", mag).astype(np.int8)
        c["pdbx_formal_charge"] = (sign * mag).astype("S2")
    try:
        atoms = _atoms_from_columns(c, name)
    except StructureFormatError:  # non-numeric coordinates: gemmi would read them as numbers
        raise
    except ValueError:
        return None
    atoms["entity_id"] = np.full(len(atoms["coord"]), "", dtype="U8")
    return atoms


def _pdb_dbref(text: str) -> list[dict[str, Any]]:
    """DBREF records (fixed columns), including the DBREF1/DBREF2 pair form."""
    out: list[dict[str, Any]] = []
    pending: dict[str, Any] | None = None
    for line in text.splitlines():
        rec = line[:6]
        if rec in ("ATOM  ", "HETATM"):
            break
        if rec == "DBREF ":
            out.append({
                "chain_id": line[12:13].strip(), "accession": line[33:41].strip() or None,
                "db_name": line[26:32].strip() or None, "db_code": line[42:54].strip() or None,
                "seq_beg": None, "seq_end": None,
                "auth_beg": _int(line[14:18]), "auth_end": _int(line[20:24]),
                "db_beg": _int(line[55:60]), "db_end": _int(line[62:67]),
            })  # fmt: skip
        elif rec == "DBREF1":
            pending = {
                "chain_id": line[12:13].strip(), "db_name": line[26:32].strip() or None,
                "db_code": line[47:67].strip() or None, "seq_beg": None, "seq_end": None,
                "auth_beg": _int(line[14:18]), "auth_end": _int(line[20:24]),
            }  # fmt: skip
        elif rec == "DBREF2" and pending is not None:
            pending.update(accession=line[18:40].strip() or None, db_beg=_int(line[45:55]), db_end=_int(line[57:67]))
            out.append(pending)
            pending = None
    return out


def _parse_pdb_gemmi(raw: bytes, text: str, header: dict[str, Any], name: str) -> RawEntry:
    import gemmi

    st = gemmi.read_pdb_string(text)
    if len(st) == 0 or st[0].count_atom_sites() == 0:
        raise StructureFormatError(f"{name}: the PDB file has no ATOM/HETATM records")
    st.setup_entities()
    block = st.make_mmcif_block()
    atoms = _atoms_from_columns(_columns_from_block(block, name), name)
    meta = _cif_metadata(block)
    # gemmi names entities by chain letter; attach COMPND names and species
    for eid, ent in meta["entities"].items():
        for ch in ent.get("strands") or []:
            if ch in header["molecule"]:
                ent["description"] = header["molecule"][ch]
                sp = header["species"].get(ch)
                ent["species"] = sp.capitalize() if sp else None
                break
        if ent.get("type") == "non-polymer" and eid.endswith("!"):
            ent["description"] = header["hetnam"].get(eid[:-1])
    meta["components"] = {k: {"name": v, "type": None} for k, v in header["hetnam"].items()}
    meta["entry_id"] = (header["id"] or meta["entry_id"] or "").upper()
    meta["title"] = header["title"] or meta["title"]
    meta["resolution"] = meta["resolution"] or header["resolution"] or (st.resolution if st.resolution > 0 else None)
    meta["method"] = meta["method"] or header["method"]
    if header["doi"]:
        meta["citation"] = {"doi": header["doi"].lower(), "title": header["jrnl_title"]}
    meta["latest_revision"] = header["revdat"]
    return _finish(atoms, meta)


def _pdb_header(text: str) -> dict[str, Any]:
    molecule: dict[str, str] = {}
    species: dict[str, str] = {}
    hetnam: dict[str, str] = {}
    compnd, source, title, jrnl_title = [], [], [], []
    doi = ident = revdat = method = resolution = None
    for line in text.splitlines():
        rec = line[:6]
        if rec in ("ATOM  ", "HETATM"):
            break
        if rec == "EXPDTA":
            method = line[10:79].strip() or None
        elif rec == "REMARK" and line[7:10] == "  2" and "RESOLUTION." in line:
            m = re.search(r"RESOLUTION\.\s+([0-9.]+)", line)
            resolution = float(m.group(1)) if m else None
        elif rec == "HEADER":
            ident = line[62:66].strip() or None
        elif rec == "TITLE ":
            title.append(line[10:80].strip())
        elif rec == "COMPND":
            compnd.append(line[10:80].rstrip())
        elif rec == "SOURCE":
            source.append(line[10:80].rstrip())
        elif rec == "HETNAM":
            code = line[11:14].strip()
            hetnam[code] = (hetnam.get(code, "") + line[15:70].strip()).strip()
        elif rec == "JRNL  " and line[12:16] == "DOI ":
            doi = line[19:79].strip()
        elif rec == "JRNL  " and line[12:16] == "TITL":
            jrnl_title.append(line[19:79].strip())
        elif rec == "REVDAT" and revdat is None:
            revdat = line[13:22].strip()
    for specs, target, key in ((compnd, molecule, "MOLECULE"), (source, species, "ORGANISM_SCIENTIFIC")):
        joined = " ".join(s.strip() for s in specs)
        for mol in re.split(r"MOL_ID:\s*\d+;", joined):
            fields = dict(
                (k.strip(), v.strip()) for k, v in (f.split(":", 1) for f in mol.split(";") if ":" in f)
            )
            if key in fields:
                chains = re.split(r",\s*", fields.get("CHAIN", ""))
                value = fields[key]
                for ch in chains:
                    if ch:
                        target[ch] = value
    # SOURCE has no CHAIN field: map by MOL_ID order onto the COMPND chains
    if not species and source:
        pass
    mol_ids: list[tuple[str, list[str], str | None]] = []
    for chunk in re.split(r"(?=MOL_ID:\s*\d+;)", " ".join(s.strip() for s in compnd)):
        m = re.match(r"MOL_ID:\s*(\d+);", chunk)
        if not m:
            continue
        f = dict((k.strip(), v.strip()) for k, v in (x.split(":", 1) for x in chunk.split(";") if ":" in x))
        chains = [c for c in re.split(r",\s*", f.get("CHAIN", "")) if c]
        mol_ids.append((m.group(1), chains, f.get("MOLECULE")))
    comp_mols = re.split(r"MOL_ID:\s*\d+;", " ".join(s.strip() for s in compnd))[1:]
    src_mols = re.split(r"MOL_ID:\s*\d+;", " ".join(s.strip() for s in source))[1:]
    for cm, sm in zip(comp_mols, src_mols):
        cf = dict((k.strip(), v.strip()) for k, v in (f.split(":", 1) for f in cm.split(";") if ":" in f))
        sf = dict((k.strip(), v.strip()) for k, v in (f.split(":", 1) for f in sm.split(";") if ":" in f))
        for ch in re.split(r",\s*", cf.get("CHAIN", "")):
            if ch and sf.get("ORGANISM_SCIENTIFIC"):
                species[ch] = sf["ORGANISM_SCIENTIFIC"]
    return {
        "molecule": molecule,
        "species": species,
        "hetnam": hetnam,
        "doi": doi,
        "id": ident,
        "title": " ".join(title).strip() or None,
        "jrnl_title": " ".join(jrnl_title).strip() or None,
        "revdat": revdat,
        "method": method,
        "resolution": resolution,
        "mol_ids": mol_ids,
    }


# --------------------------------------------------------------------------- #
# shared post-processing
# --------------------------------------------------------------------------- #
def _finish(atoms: dict[str, np.ndarray], meta: dict[str, Any]) -> RawEntry:
    atoms, dropped = _apply_altloc_policy(atoms)
    meta["altlocs_dropped"] = int(dropped)
    meta["altloc_policy"] = "highest occupancy per atom site; ties: first in file"
    meta["models_kept"] = "first model only"
    return RawEntry(atoms=atoms, meta=meta)


def _apply_altloc_policy(atoms: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], int]:
    alt = atoms["altloc"]
    has_alt = alt != ""
    if not has_alt.any():
        return atoms, 0
    idx = np.flatnonzero(has_alt)
    key = np.char.add(
        np.char.add(np.char.add(atoms["chain_id"][idx], "|"), atoms["res_id"][idx].astype("U8")),
        np.char.add(np.char.add(atoms["ins_code"][idx], "|"), atoms["atom_name"][idx]),
    )
    keep = np.ones(len(alt), dtype=bool)
    occ = atoms["occupancy"][idx]
    best: dict[str, tuple[float, int]] = {}
    for k, i, o in zip(key.tolist(), idx.tolist(), occ.tolist()):
        cur = best.get(k)
        if cur is None or o > cur[0]:
            if cur is not None:
                keep[cur[1]] = False
            best[k] = (o, i)
        else:
            keep[i] = False
    dropped = int((~keep).sum())
    out = {k: v[keep] for k, v in atoms.items()}
    out["altloc"] = np.where(out["altloc"] != "", out["altloc"], "")
    return out, dropped


def _check_protein(entry: RawEntry, name: str) -> None:
    from .aminoacids import is_amino_acid

    if not (~entry.atoms["hetero"] & is_amino_acid(entry.atoms["res_name"])).any():
        raise NoProteinError(
            f"{name}: no protein chain (no ATOM records of amino-acid residues); "
            "pass require_protein=False to load it anyway"
        )
