"""Hostile structure inputs and a hostile cache (issue 14, items 4-6, 15, 19, 20; atomic writes)."""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from toolkit.errors import (
    AmbiguousSourceWarning,
    CacheWarning,
    InvalidCoordinates,
    InvalidPDBId,
    LossyFixWarning,
    MissingMetadataWarning,
    OutputPathError,
    StructureFormatError,
)
from toolkit.io import cache as _cache
from toolkit.io.atomic import (
    atomic_output,
    check_output_path,
    clean_stale_temporaries,
    temporary_path,
)
from toolkit.io.parse import parse_bytes
from toolkit.structure import clear_memory_cache, load_structure


@pytest.fixture(scope="module")
def pdb_7eu8(mirror) -> str:
    return gzip.decompress((mirror / "7eu8.pdb.gz").read_bytes()).decode("latin-1")


def _atom_lines(text: str) -> list[int]:
    lines = text.splitlines()
    return [i for i, line in enumerate(lines) if line.startswith("ATOM  ")]


# ------------------------------------------------------------------ cache (items 4, 5)
def test_broken_cache_root_warns_and_loads(fresh, tmp_path, monkeypatch):
    """A file where the cache folder should be: loading works, with a CacheWarning."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("NMDA_TOOLKIT_CACHE", str(blocker))
    with pytest.warns(CacheWarning, match="continuing without it"):
        s = load_structure("4KCC")
    assert s.entry_id == "4KCC" and s.source.startswith("mirror:")


def test_unreadable_cache_warns_and_loads(fresh, monkeypatch):
    """A cache that raises PermissionError when read (as a read-only, foreign-owned folder does)."""
    load_structure("4KCC")  # fills the cache
    clear_memory_cache()

    def denied(entry_id):
        raise PermissionError(13, "Permission denied", str(_cache.parsed_path(entry_id)))

    monkeypatch.setattr(_cache, "load_parsed", denied)
    monkeypatch.setattr(_cache, "store_parsed", lambda *a, **k: denied(a[0]))
    with pytest.warns(CacheWarning, match="Permission denied"):
        s = load_structure("4KCC")
    assert s.source.startswith("mirror:") and s.n_atoms > 0


def test_cache_entry_copied_over_another_name_is_rejected(fresh):
    load_structure("4KCC")
    load_structure("7EU8")
    clear_memory_cache()
    shutil.copy(_cache.parsed_path("4KCC"), _cache.parsed_path("7EU8"))
    s = load_structure("7EU8")
    assert s.entry_id == "7EU8" and s.source.startswith("mirror:")
    assert s.n_atoms == 18670
    clear_memory_cache()
    assert load_structure("7EU8").source == "cache"  # repaired


@pytest.mark.parametrize(
    "damage",
    [
        lambda a: a.__setitem__("coord", a["coord"][:, :2].copy()),  # wrong shape
        lambda a: a.__setitem__("coord", a["coord"].astype(np.float64)),  # wrong dtype
        lambda a: a.__setitem__("res_id", a["res_id"].astype(np.float32)),  # wrong dtype
        lambda a: a["coord"].__setitem__((0, 0), np.nan),  # non-finite
    ],
    ids=["shape", "coord-dtype", "res-id-dtype", "nan"],
)
def test_cache_arrays_are_checked(fresh, damage):
    import json

    load_structure("4KCC")
    clear_memory_cache()
    path = _cache.parsed_path("4KCC")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    damage(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, __meta__=np.array(json.dumps(meta)), **arrays)
    s = load_structure("4KCC")
    assert s.source.startswith("mirror:")
    assert np.isfinite(s.atoms["coord"]).all() and s.atoms["coord"].shape[1] == 3


# ------------------------------------------------------------------ coordinates (item 6)
@pytest.mark.parametrize("value", ["     nan", "     inf", "    -inf", " 1.0e+39"])
def test_non_finite_coordinates_refused_at_load(tmp_path, pdb_7eu8, value):
    lines = pdb_7eu8.splitlines()
    i = _atom_lines(pdb_7eu8)[5]
    lines[i] = lines[i][:30] + value + lines[i][38:]
    p = tmp_path / "nan.pdb"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidCoordinates, match="NaN, infinite"):
        load_structure(p)


def test_non_finite_coordinates_in_mmcif(mirror):
    text = gzip.decompress((mirror / "4kcc.cif.gz").read_bytes()).decode()
    i = text.index("\nATOM ")
    j = text.index("\n", i + 1)
    row = text[i + 1 : j].split()
    row[10] = "NaN"  # Cartn_x
    bad = text[: i + 1] + " ".join(row) + text[j:]
    with pytest.raises(InvalidCoordinates):
        parse_bytes(bad.encode(), name="nan.cif")


# ------------------------------------------------------------------ special files (item 15)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.timeout(20)
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "x.cif"
    os.mkfifo(fifo)
    t = time.perf_counter()
    with pytest.raises(StructureFormatError, match="FIFO"):
        load_structure(fifo)
    assert time.perf_counter() - t < 5


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.timeout(20)
def test_dev_zero_is_refused():
    with pytest.raises(StructureFormatError, match="only regular files"):
        load_structure(Path("/dev/zero"))


def test_size_limits(tmp_path, monkeypatch, mirror):
    import toolkit.io.parse as parse_mod
    import toolkit.structure as structure_mod

    monkeypatch.setattr(structure_mod, "MAX_FILE_BYTES", 1000)
    with pytest.raises(StructureFormatError, match="bytes read at most"):
        load_structure(mirror / "4kcc.cif.gz")
    monkeypatch.setattr(structure_mod, "MAX_FILE_BYTES", 2 * 1024**3)
    monkeypatch.setattr(parse_mod, "MAX_DECOMPRESSED_BYTES", 100_000)  # a gzip bomb in miniature
    bomb = tmp_path / "bomb.cif.gz"
    bomb.write_bytes(gzip.compress(b"data_x\n" + b"#" * 1_000_000))
    with pytest.raises(StructureFormatError, match="decompresses to more than"):
        load_structure(bomb)


# ------------------------------------------------------------------ messages (item 19)
def test_png_renamed_cif_is_called_a_png(tmp_path):
    p = tmp_path / "picture.cif"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(StructureFormatError) as err:
        load_structure(p)
    assert "PNG image" in str(err.value) and "BinaryCIF (" not in str(err.value)


def test_other_msgpack_is_not_called_bcif():
    with pytest.raises(StructureFormatError) as err:
        parse_bytes(b"\x81\xa3abc\x01" + bytes(range(128, 256)), name="x.bcif")
    assert "corrupt BinaryCIF" not in str(err.value)


def test_text_file_error_does_not_quote_its_content(tmp_path):
    p = tmp_path / "passwd"
    p.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    with pytest.raises(StructureFormatError, match="not a structure file") as err:
        load_structure(p)
    assert "root:x" not in str(err.value)


def test_huge_id_is_not_echoed_whole():
    with pytest.raises(InvalidPDBId) as err:
        load_structure("7" * 1_000_000)
    assert len(str(err.value)) < 400 and "1000000 characters" in str(err.value)


# ------------------------------------------------------------------ item 20
def test_duplicate_atom_records_dropped_with_warning(pdb_7eu8):
    lines = pdb_7eu8.splitlines()
    idx = _atom_lines(pdb_7eu8)
    first_res = [i for i in idx if lines[i][17:27] == lines[idx[0]][17:27]]
    dup = lines[: idx[0]] + [lines[i] for i in first_res] + lines[idx[0] :]
    clean = parse_bytes(pdb_7eu8.encode(), name="clean.pdb")
    with pytest.warns(LossyFixWarning, match=f"{len(first_res)} duplicate atom record"):
        e = parse_bytes("\n".join(dup).encode(), name="dup.pdb")
    assert e.n_atoms == clean.n_atoms
    assert e.meta["duplicate_atoms_dropped"] == len(first_res)
    assert clean.meta["duplicate_atoms_dropped"] == 0


def test_mmcif_without_entity_data_warns(mirror):
    import gemmi

    doc = gemmi.cif.read_string(gzip.decompress((mirror / "4kcc.cif.gz").read_bytes()).decode())
    block = doc.sole_block()
    for cat in ("_entity.", "_entity_poly.", "_struct_ref.", "_struct_ref_seq.", "_entity_src_gen.",
                "_entity_poly_seq.", "_pdbx_entity_nonpoly."):  # fmt: skip
        if block.get_mmcif_category(cat):
            block.find_mmcif_category(cat).erase()
    with pytest.warns(MissingMetadataWarning, match="all 'other'"):
        e = parse_bytes(doc.as_string().encode(), name="noentity.cif")
    assert e.n_atoms > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingMetadataWarning)
        parse_bytes((mirror / "4kcc.cif.gz").read_bytes(), name="4kcc.cif.gz")  # a normal file: silent


def test_local_file_named_like_an_id_does_not_win(fresh, tmp_path, monkeypatch, mirror):
    monkeypatch.chdir(tmp_path)
    shutil.copy(mirror / "4kcc.cif.gz", tmp_path / "7EU8")
    with pytest.warns(AmbiguousSourceWarning, match="'./7EU8'"):
        s = load_structure("7EU8")
    assert s.entry_id == "7EU8" and s.source.startswith("mirror:")
    assert load_structure("./7EU8").entry_id == "4KCC"
    assert load_structure(Path("7EU8")).entry_id == "4KCC"


# ------------------------------------------------------------------ atomic writes and output checks
def test_atomic_output_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("good\n")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as tmp:
        tmp.write_text("partial")
        raise KeyboardInterrupt
    assert target.read_text() == "good\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_stale_temporaries_removed_only_when_dead_and_local(tmp_path):
    import subprocess

    target = tmp_path / "out.csv"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    mine = temporary_path(target)
    host = mine.name.split("@")[1].split(".tmp")[0]
    stale = tmp_path / f".out.csv.{dead_pid}@{host}.tmp.csv"
    legacy = tmp_path / f".out.csv.{dead_pid}.tmp.csv"
    live = tmp_path / f".out.csv.{os.getppid()}@{host}.tmp.csv"
    other_host = tmp_path / f".out.csv.{dead_pid}@elsewhere.tmp.csv"
    other_target = tmp_path / f".other.csv.{dead_pid}@{host}.tmp.csv"
    for p in (stale, legacy, live, other_host, other_target):
        p.write_text("x")
    removed = clean_stale_temporaries(target)
    assert sorted(removed) == sorted([stale, legacy])
    assert live.exists() and other_host.exists() and other_target.exists()


def test_check_output_path_messages(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        check_output_path(f / "o.csv")
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "o.csv")
    with pytest.raises(OutputPathError, match="is a directory"):
        check_output_path(tmp_path)
    with pytest.raises(OutputPathError, match="is the input file"):
        check_output_path(f, inputs=[str(f)])
    with pytest.raises(OutputPathError, match="is the input file"):
        check_output_path(tmp_path / "." / "file", inputs=[f])
    assert check_output_path(tmp_path / "new.csv", inputs=[f, "panel", 3]) == tmp_path / "new.csv"


def test_non_numeric_pdb_coordinate_is_refused_not_read_as_a_number(pdb_7eu8):
    lines = pdb_7eu8.splitlines()
    i = _atom_lines(pdb_7eu8)[3]
    lines[i] = lines[i][:30] + " abcdefg" + lines[i][38:]
    with pytest.raises(StructureFormatError, match="non-numeric coordinates"):
        parse_bytes("\n".join(lines).encode(), name="alpha.pdb")


def test_symlink_loop_is_a_named_error(tmp_path):
    (tmp_path / "a.cif").symlink_to(tmp_path / "b.cif")
    (tmp_path / "b.cif").symlink_to(tmp_path / "a.cif")
    with pytest.raises(StructureFormatError):
        load_structure(str(tmp_path / "a.cif"))


def test_same_name_at_another_position_is_not_a_duplicate(mirror):
    """Tools that add hydrogens may name them all 'H' (complexes/4dst_protonated): all are kept."""
    data = (mirror / "complexes" / "4dst_protonated.pdb.gz").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossyFixWarning)
        e = parse_bytes(data, name="4dst_protonated.pdb.gz", require_protein=False)
    assert e.meta["duplicate_atoms_dropped"] == 0
    assert e.n_atoms == 2120
