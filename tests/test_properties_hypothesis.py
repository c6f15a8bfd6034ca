"""Property-based tests (Hypothesis): SMILES cells, line endings, structure files (issue 14).

Properties, for every generated input:

* a CSV cell is either one SMILES or a non-``ok`` row with a message, and
  rows in equal rows out;
* a ``.smi`` file gives one row per non-comment line whatever its line
  endings (LF, CRLF, CR, mixed) and however the reader's blocks cut it;
* a damaged structure file either parses (to finite coordinates and equal
  array lengths) or raises a :class:`~toolkit.errors.ToolkitError`.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from toolkit.batch import _iter_csv, _lines, process_chunk, read_records  # noqa: E402
from toolkit.chem.panel import REFERENCE_NAME, panel_smiles  # noqa: E402
from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.io.parse import parse_bytes  # noqa: E402

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                HealthCheck.function_scoped_fixture])  # fmt: skip

SMILES_ALPHABET = "CNOSPFIcnos()[]=#123@+-/\\Hl"
BLANKS = [" ", "\t", "\n", "\r", "\u00a0", "\u2003"]
ODD = ["\u0663", "\u00e9", "\u200b", "\uff11", "\x00", "\x7f", "\u212a"]  # Arabic-Indic 3, é, ZWSP, fullwidth 1, ...

cells = st.lists(
    st.one_of(st.sampled_from(list(SMILES_ALPHABET)), st.sampled_from(BLANKS), st.sampled_from(ODD)),
    min_size=0,
    max_size=25,
).map("".join)


def _opts() -> dict:
    return {"reference": panel_smiles(REFERENCE_NAME), "tautomer": "keep", "max_heavy_atoms": 150, "molblock": False}


@FAST
@given(st.lists(cells, min_size=1, max_size=8))
def test_csv_cells_are_one_smiles_or_not_ok(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("cells") / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["smiles", "name"])
        for i, v in enumerate(values):
            w.writerow([v, f"m{i}"])
    records = list(_iter_csv(path, "smiles", None, ","))
    assert len(records) == len(values)  # rows in = rows out, even with newlines inside cells
    df = process_chunk(records, _opts())
    assert df["row"].tolist() == list(range(1, len(values) + 1))
    for value, status, message in zip(values, df["status"], df["message"]):
        core = value.strip()
        bad_char = any(c.isspace() or not 33 <= ord(c) <= 126 for c in core)
        if bad_char:
            assert status == "invalid_smiles", (value, status)
            assert message
        if status == "ok":
            assert not bad_char and core
        else:
            assert message


eols = st.sampled_from([b"\n", b"\r\n", b"\r"])
tokens = st.sampled_from(["CCO", "c1ccccc1", "", "xyz", "# comment", "  #indented", "CCN name with spaces", "C\u0663"])


@FAST
@given(st.lists(st.tuples(tokens, eols), min_size=1, max_size=30), st.booleans(), st.integers(1, 7))
def test_smi_rows_whatever_the_line_endings(tmp_path_factory, lines, final_eol, block):
    # "A" CR then an empty line ended by LF is the bytes "A\r\n": one CRLF line, not two
    pairs = itertools.pairwise(lines)
    assume(not any(e1 == b"\r" and t2 == "" and e2.startswith(b"\n") for (_, e1), (t2, e2) in pairs))
    data = b"".join(t.encode() + e for t, e in lines)
    if not final_eol:
        last_e = lines[-1][1]
        data = data[: len(data) - len(last_e)]
    # a trailing empty line without terminator is no line at all; otherwise every token is a line
    expected = [t for t, _ in lines]
    if not final_eol and expected[-1] == "":
        expected = expected[:-1]
    path = tmp_path_factory.mktemp("smi") / "in.smi"
    path.write_bytes(data)
    stats: dict[str, int] = {}
    recs = list(read_records(path, stats=stats))
    molecules = [t for t in expected if not t.lstrip().startswith("#")]
    assert len(recs) == len(molecules)
    assert stats.get("comment_lines", 0) == len(expected) - len(molecules)
    assert [r[3] for r in recs] == [(t.split(None, 1) or [""])[0] for t in molecules]
    # the block reader cuts anywhere (CR LF across blocks) and still finds the same lines
    assert list(_lines(io.BytesIO(data), block=block)) == _reference_lines(data)


def _reference_lines(data: bytes) -> list[bytes]:
    parts = re.split(rb"\r\n|\r|\n", data)
    if parts and parts[-1] == b"":
        parts.pop()
    return parts


@pytest.fixture(scope="module")
def small_pdb(mirror) -> bytes:
    text = gzip.decompress((mirror / "7eu8.pdb.gz").read_bytes()).decode("latin-1").splitlines()
    head = [line for line in text if line[:6] in ("HEADER", "COMPND", "SOURCE", "DBREF ", "EXPDTA")]
    atoms = [line for line in text if line.startswith("ATOM  ")][:400]
    return ("\n".join(head + atoms) + "\nEND\n").encode()


@pytest.fixture(scope="module")
def small_cif(mirror) -> bytes:
    return gzip.decompress((mirror / "4kcc.cif.gz").read_bytes())


def _check_parse(data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            entry = parse_bytes(data, name="damaged")
        except ToolkitError:
            return
    coord = entry.atoms["coord"]
    assert coord.ndim == 2 and coord.shape[1] == 3 and np.isfinite(coord).all()
    assert all(len(v) == len(coord) for v in entry.atoms.values())


damage = st.tuples(
    st.sampled_from(["truncate", "replace", "insert", "delete", "gzip-truncate"]),
    st.floats(0, 1),
    st.binary(min_size=1, max_size=40),
)


def _damaged(data: bytes, how: tuple[str, float, bytes]) -> bytes:
    kind, where, junk = how
    i = int(where * len(data))
    if kind == "truncate":
        return data[:i]
    if kind == "replace":
        return data[:i] + junk + data[i + len(junk) :]
    if kind == "insert":
        return data[:i] + junk + data[i:]
    if kind == "delete":
        return data[:i] + data[i + len(junk) :]
    gz = gzip.compress(data)
    return gz[: max(2, int(where * len(gz)))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage)
def test_damaged_pdb_parses_or_raises_a_named_error(small_pdb, how):
    _check_parse(_damaged(small_pdb, how))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage)
def test_damaged_mmcif_parses_or_raises_a_named_error(small_cif, how):
    _check_parse(_damaged(small_cif, how))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_parse_or_raise_a_named_error(data):
    assume(data[:2] != b"\x1f\x8b" or len(data) > 2)
    _check_parse(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["nan", "inf", "-inf", "1e40", "-1e40", "NaN", "1e999"]), st.integers(0, 399))
def test_non_finite_coordinate_anywhere_is_refused(small_pdb, value, which):
    lines = small_pdb.decode().splitlines()
    idx = [i for i, line in enumerate(lines) if line.startswith("ATOM  ")]
    i = idx[which % len(idx)]
    lines[i] = lines[i][:38] + f"{value:>8}" + lines[i][46:]
    with pytest.raises(ToolkitError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parse_bytes("\n".join(lines).encode(), name="nonfinite.pdb")
