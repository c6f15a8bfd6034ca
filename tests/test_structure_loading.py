"""load_structure: sources (cache, mirror, download), validation, bad input."""

from __future__ import annotations

import gzip
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import toolkit
from toolkit.errors import (
    EntryMismatch,
    InvalidPDBId,
    NoProteinError,
    StructureFormatError,
    StructureNotFound,
)
from toolkit.structure import clear_memory_cache, load_structure


def _files(folder: Path) -> list[Path]:
    """Files of the structure cache (the CCD look-ups under ``ccd/`` are not entry data)."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "ccd" not in p.relative_to(folder).parts[:1])


# ----------------------------------------------------------------- IDs
@pytest.mark.parametrize("bad", ["../x", "12345", "abcd", "", "7eu", "7eu8.cif", "/etc/passwd-not-there", "7EU8;rm", None, 7])
def test_invalid_ids(bad, fresh):
    with pytest.raises(InvalidPDBId, match="neither an existing file nor a valid PDB ID"):
        load_structure(bad)
    assert _files(fresh) == []


def test_extended_id_and_case(fresh):
    a = load_structure("pdb_00007eu8")
    assert a.entry_id == "7EU8"
    assert load_structure("7eu8") is a  # same in-process object


def test_unknown_id_offline_says_where_it_looked(fresh, monkeypatch, mirror):
    with pytest.raises(StructureNotFound) as err:
        load_structure("1ABC")
    msg = str(err.value)
    assert "1ABC" in msg and str(mirror) in msg and "download: disabled" in msg and "parsed cache" in msg
    assert _files(fresh) == []
    monkeypatch.delenv("NMDA_TOOLKIT_MIRROR")
    with pytest.raises(StructureNotFound, match=r"mirror: not set"):
        load_structure("1ABC")


# --------------------------------------------------------- mirror / cache
def test_mirror_then_parsed_cache(fresh, mirror):
    s = load_structure("7EU8")
    assert s.source.startswith("mirror:") and s.source.endswith("7eu8.cif.gz")
    npz = fresh / "parsed" / "v1" / "7eu8.npz"
    assert npz.is_file()
    # the cache is plain arrays: loads without pickle
    with np.load(npz, allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)
    clear_memory_cache()
    again = load_structure("7EU8")
    assert again.source == "cache"
    assert again.n_atoms == s.n_atoms
    np.testing.assert_array_equal(again.coord, s.coord)
    assert again.chain_subunits == s.chain_subunits
    assert again.ligands().equals(s.ligands())


def test_parsed_cache_in_new_process(fresh, mirror):
    load_structure("7EU8")
    code = "import toolkit; s = toolkit.load_structure('7EU8'); print(s.source, s.n_atoms)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), check=True)
    assert out.stdout.split() == ["cache", "18670"]


@pytest.mark.parametrize("damage", ["truncated", "not_a_zip", "empty"])
def test_damaged_parsed_cache_is_reparsed_and_repaired(fresh, mirror, damage):
    s = load_structure("7EU8")
    npz = fresh / "parsed" / "v1" / "7eu8.npz"
    data = npz.read_bytes()
    npz.write_bytes({"truncated": data[:5000], "not_a_zip": b"hello" * 100, "empty": b""}[damage])
    clear_memory_cache()
    again = load_structure("7EU8")
    assert again.source.startswith("mirror:")  # the damaged copy was not used
    np.testing.assert_array_equal(again.coord, s.coord)
    clear_memory_cache()
    assert load_structure("7EU8").source == "cache"  # and the cache was written again


def test_changed_mirror_file_is_parsed_again(fresh, tmp_path, monkeypatch, mirror):
    """The parsed cache remembers its source file: a new revision in the mirror is not hidden by it."""
    local = tmp_path / "mirror"
    local.mkdir()
    text = gzip.decompress((mirror / "7eu8.pdb.gz").read_bytes())
    (local / "7eu8.pdb.gz").write_bytes(gzip.compress(text))
    monkeypatch.setenv("NMDA_TOOLKIT_MIRROR", str(local))
    first = load_structure("7EU8")
    clear_memory_cache()
    assert load_structure("7EU8").source == "cache"
    # a "new revision": one fewer NAG glycan (its HETATM lines removed)
    lines = [ln for ln in text.decode().splitlines(keepends=True) if not (ln.startswith("HETATM") and " NAG D 903" in ln)]
    assert len(lines) < len(text.decode().splitlines())
    newer = local / "7eu8.pdb.gz"
    newer.write_bytes(gzip.compress("".join(lines).encode()))
    os.utime(newer, ns=(newer.stat().st_atime_ns, newer.stat().st_mtime_ns + 10**9))
    clear_memory_cache()
    again = load_structure("7EU8")
    assert again.source.startswith("mirror:") and again.n_atoms == first.n_atoms - 14
    clear_memory_cache()
    assert load_structure("7EU8").source == "cache" and load_structure("7EU8").n_atoms == again.n_atoms


def test_divided_mirror_layout(fresh, tmp_path, monkeypatch, mirror):
    divided = tmp_path / "divided"
    (divided / "eo").mkdir(parents=True)
    shutil.copy(mirror / "7eos.pdb.gz", divided / "eo" / "7eos.pdb.gz")
    monkeypatch.setenv("NMDA_TOOLKIT_MIRROR", str(divided))
    s = load_structure("7EOS", use_cache=False)
    assert s.source == f"mirror:{divided / 'eo' / '7eos.pdb.gz'}"
    assert s.chain_subunits == {"A": "GluN2A", "B": "GluN1", "C": "GluN2A", "D": "GluN1"}
    assert _files(fresh) == []  # use_cache=False writes nothing


def test_mirror_file_with_wrong_entry(fresh, tmp_path, monkeypatch, mirror):
    bad = tmp_path / "m"
    bad.mkdir()
    shutil.copy(mirror / "4kcc.cif.gz", bad / "7eos.cif.gz")
    monkeypatch.setenv("NMDA_TOOLKIT_MIRROR", str(bad))
    with pytest.raises(EntryMismatch, match="asked for 7EOS but the file holds entry 4KCC"):
        load_structure("7EOS")
    assert _files(fresh) == []


# ------------------------------------------------------------ local files
def test_paths_all_formats(fresh, tmp_path, mirror):
    raw = gzip.decompress((mirror / "7eu8.cif.gz").read_bytes())
    plain = tmp_path / "7eu8.cif"
    plain.write_bytes(raw)
    a = load_structure(plain)
    b = load_structure(str(mirror / "7eu8.cif.gz"))
    c = load_structure(mirror / "7eu8.pdb.gz")
    assert a.n_atoms == b.n_atoms == c.n_atoms == 18670
    assert a.source.startswith("file:")
    assert a.chain_subunits == c.chain_subunits
    assert _files(fresh) == []  # paths are never copied into the cache


@pytest.mark.parametrize(
    ("content", "exc", "pattern"),
    [
        (b"", StructureFormatError, "empty"),
        (b"hello, this is not a structure\n", StructureFormatError, "not a structure file"),
        (
            b"HETATM    1  C1  JC9 B 903      10.000  10.000  10.000  1.00 10.00           C\nEND\n",
            NoProteinError,
            "no protein",
        ),
    ],
)
def test_bad_files(fresh, tmp_path, content, exc, pattern):
    p = tmp_path / "bad.pdb"
    p.write_bytes(content)
    with pytest.raises(exc, match=pattern):
        load_structure(p)
    assert _files(fresh) == []


def test_truncated_gzip_file(fresh, tmp_path, mirror):
    data = (mirror / "7eu8.cif.gz").read_bytes()
    p = tmp_path / "7eu8.cif.gz"
    p.write_bytes(data[:100_000])
    with pytest.raises(StructureFormatError, match="truncated or corrupt"):
        load_structure(p)
    assert _files(fresh) == []


def test_directory_is_not_a_structure(fresh, tmp_path):
    with pytest.raises(StructureFormatError, match="directory"):
        load_structure(tmp_path)


# -------------------------------------------------------------- downloads
class _Server:
    """A loopback HTTP server with canned responses: path -> (status, body, declared length)."""

    def __init__(self, routes: dict[str, tuple[int, bytes, int | None]]):
        routes_ = routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, body, length = routes_.get(self.path, (404, b"not found", None))
                self.send_response(status)
                self.send_header("Content-Length", str(length if length is not None else len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # silence
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def online(fresh, monkeypatch):
    monkeypatch.delenv("NMDA_TOOLKIT_MIRROR")
    monkeypatch.delenv("NMDA_TOOLKIT_OFFLINE")
    return fresh


@pytest.mark.network
def test_download_validated_and_cached(online, monkeypatch, mirror):
    body = (mirror / "7eu8.cif.gz").read_bytes()
    with _Server({"/7EU8.cif.gz": (200, body, None)}) as srv:
        monkeypatch.setenv("NMDA_TOOLKIT_DOWNLOAD_URL", srv.url)
        s = load_structure("7EU8")
    assert s.source.startswith("download:")
    assert (online / "pdb" / "7eu8.cif.gz").read_bytes() == body
    assert sorted(p.name for p in _files(online)) == ["7eu8.cif.gz", "7eu8.npz"]
    # next time: no server needed
    clear_memory_cache()
    monkeypatch.setenv("NMDA_TOOLKIT_DOWNLOAD_URL", "http://127.0.0.1:9")
    assert load_structure("7EU8").source == "cache"


@pytest.mark.network
@pytest.mark.parametrize(
    ("route", "exc", "pattern"),
    [
        ("truncated_stream", StructureNotFound, "interrupted|failed"),
        ("truncated_gzip", StructureFormatError, "not valid"),
        ("wrong_entry", EntryMismatch, "holds entry 4KCC"),
        ("not_a_structure", StructureFormatError, "not a structure file"),
        ("missing", StructureNotFound, "HTTP 404"),
    ],
)
def test_download_failures_leave_no_file(online, monkeypatch, mirror, route, exc, pattern):
    good = (mirror / "7eu8.cif.gz").read_bytes()
    routes = {
        "truncated_stream": (200, good[:50_000], len(good)),
        "truncated_gzip": (200, good[:50_000], None),
        "wrong_entry": (200, (mirror / "4kcc.cif.gz").read_bytes(), None),
        "not_a_structure": (200, b"<html>Service unavailable</html>", None),
        "missing": (404, b"", None),
    }
    with _Server({"/7EU8.cif.gz": routes[route]} if route != "missing" else {}) as srv:
        monkeypatch.setenv("NMDA_TOOLKIT_DOWNLOAD_URL", srv.url)
        with pytest.raises(exc, match=pattern):
            load_structure("7EU8")
    assert _files(online) == [], "a failed download must not leave a file in the cache"


@pytest.mark.network
def test_no_network(online, monkeypatch):
    # a closed port on loopback stands in for "no network"
    monkeypatch.setenv("NMDA_TOOLKIT_DOWNLOAD_URL", "http://127.0.0.1:9")
    with pytest.raises(StructureNotFound, match="download: .*failed.*no network"):
        load_structure("7EU8")
    assert _files(online) == []


def test_lazy_import_keeps_heavy_libraries_out():
    code = (
        "import sys, toolkit; heavy = [m for m in ('pandas', 'rdkit', 'biotite', 'gemmi', 'scipy', 'Bio') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert "load_structure" in toolkit.__all__


def test_every_public_name_resolves():
    """toolkit.__all__ is the curated flat API: every name imports (lazily)."""
    for name in toolkit.__all__:
        assert getattr(toolkit, name) is not None, name
    assert callable(toolkit.site_residues) and callable(toolkit.compare)


def test_no_public_name_is_shadowed_by_a_submodule():
    """Once every submodule is imported, exported names still resolve to their objects.

    (A function named like its own submodule, e.g. ``chem.standardize`` in
    ``chem/standardize.py``, would turn into the module after the first import.)
    """
    import importlib
    import pkgutil
    import types

    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for pkg in ("toolkit", "toolkit.chem", "toolkit.sites", "toolkit.views", "toolkit.io"):
        mod = importlib.import_module(pkg)
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            assert not isinstance(obj, types.ModuleType), f"{pkg}.{name} is a module"
    assert callable(toolkit.standardize) and callable(toolkit.chem.standardize)


def test_strict_load_refuses_components_missing_from_the_ccd(fresh, tmp_path, monkeypatch, mirror):
    """strict=True: a ligand code without a CCD entry is a named error, for a path and for an ID; nothing cached."""
    from toolkit.errors import ComponentNotFound

    text = gzip.decompress((mirror / "7eu8.pdb.gz").read_bytes()).decode().replace(" JC9 ", " ZQ8 ")
    path = tmp_path / "unknown.pdb"
    path.write_text(text)
    with pytest.raises(ComponentNotFound, match=r"\['ZQ8'\] have no entry in the Chemical Component Dictionary"):
        load_structure(path, strict=True)
    assert load_structure(path).n_atoms == 18670  # the default keeps it (flagged 'unknown')
    with pytest.raises(ComponentNotFound, match="ZQ8"):
        load_structure(path, strict=True)  # also when the lenient load is in memory
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "7eu8.pdb.gz").write_bytes(gzip.compress(text.encode()))
    monkeypatch.setenv("NMDA_TOOLKIT_MIRROR", str(fake_mirror))
    with pytest.raises(ComponentNotFound, match="7EU8"):
        load_structure("7EU8", strict=True)
    assert _files(fresh) == []  # nothing was written to the cache
    monkeypatch.setenv("NMDA_TOOLKIT_MIRROR", str(mirror))
    assert load_structure("7EU8", strict=True).entry_id == "7EU8"  # the real entry passes
