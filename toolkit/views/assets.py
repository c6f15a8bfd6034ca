"""3Dmol.js for offline views: find the version py3Dmol expects, fetch, verify, cache.

3Dmol.js (BSD-3-Clause, https://3dmol.org) is third-party browser code and is
never committed. ``python -m toolkit.views.assets fetch`` (``make assets``)

1. reads the version the installed py3Dmol expects from the default ``js=``
   URL of ``py3Dmol.view.__init__`` (py3Dmol 2.5.5 pins ``3dmol@2.5.5``);
2. asks the npm client for the package metadata (``npm view 3dmol@VER dist``)
   and downloads the tarball with ``npm pack`` into a temporary folder;
3. checks the tarball against npm's ``dist.integrity`` (SRI sha512) and the
   size, extracts ``package/build/3Dmol-min.js`` and its licence file;
4. stores them atomically under ``cache_dir()/assets/3dmol-VER/`` with a
   ``manifest.json`` (version, sha256 of the script, npm integrity, source),
   written last so a reader never sees a half-finished copy.

When npm is not available the URL py3Dmol itself uses is tried instead (the
script's sha256 is then recorded, with no registry integrity to compare).
:func:`load_3dmol_js` returns the verified script text, or None with an
:class:`~toolkit.errors.AssetWarning` so that views fall back to py3Dmol's
default (network) loading.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssetWarning, DownloadError

__all__ = [
    "AssetInfo",
    "expected_version",
    "expected_url",
    "asset_dir",
    "cached_asset",
    "fetch",
    "load_3dmol_js",
    "main",
]

PACKAGE = "3dmol"
SCRIPT = "3Dmol-min.js"
LICENSE = "3Dmol-min.js.LICENSE.txt"
_MEMBER = f"package/build/{SCRIPT}"
_LICENSE_MEMBER = f"package/build/{LICENSE}"
_VERSION_RE = re.compile(r"3dmol@([0-9A-Za-z.\-+]+)/")


@dataclass(frozen=True)
class AssetInfo:
    """A verified cached copy of 3Dmol.js."""

    version: str
    path: Path
    sha256: str
    integrity: str | None
    source: str


@functools.lru_cache(maxsize=1)
def _py3dmol_source_url() -> str | None:
    """py3Dmol's default ``view(js=...)`` read from its source file, without importing it.

    Importing py3Dmol imports IPython (~0.3 s); the report only needs this one
    string. ``ast`` finds the literal default of ``js`` in ``class view``'s
    ``__init__``; None when the file cannot be read or the default is not a
    string literal (the caller then imports py3Dmol).
    """
    import ast
    import importlib.util

    try:
        spec = importlib.util.find_spec("py3Dmol")
        if spec is None or not spec.origin:
            return None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, ImportError):
        return None
    for cls in tree.body:
        if not (isinstance(cls, ast.ClassDef) and cls.name == "view"):
            continue
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef) and fn.name == "__init__":
                args = fn.args.args
                defaults = fn.args.defaults
                for arg, default in zip(args[len(args) - len(defaults):], defaults):
                    if arg.arg == "js" and isinstance(default, ast.Constant) and isinstance(default.value, str):
                        return default.value
    return None


def expected_url() -> str:
    """The 3Dmol.js URL the installed py3Dmol loads by default (its ``view(js=...)``).

    Read from py3Dmol's source without importing it (which would import
    IPython); imported only when the source cannot be read.
    """
    url = _py3dmol_source_url()
    if url is not None:
        return url
    import inspect

    import py3Dmol

    return str(inspect.signature(py3Dmol.view.__init__).parameters["js"].default)


def expected_version() -> str:
    """The 3Dmol.js version the installed py3Dmol expects.

    Read from the ``3dmol@VERSION`` part of py3Dmol's default script URL;
    py3Dmol's own version when the URL names none (the two are released
    together).

    >>> expected_version()  # doctest: +SKIP
    '2.5.5'
    """
    m = _VERSION_RE.search(expected_url())
    if m:
        return m.group(1)
    from importlib import metadata

    return metadata.version("py3Dmol")


def asset_dir(version: str | None = None) -> Path:
    """Folder of the cached copy of one 3Dmol.js version."""
    from ..io.cache import cache_dir

    return cache_dir() / "assets" / f"{PACKAGE}-{version or expected_version()}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cached_asset(version: str | None = None) -> AssetInfo | None:
    """The cached copy of 3Dmol.js if present *and* its sha256 matches the manifest."""
    version = version or expected_version()
    folder = asset_dir(version)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        data = (folder / SCRIPT).read_bytes()
    except (OSError, ValueError):
        return None
    if manifest.get("version") != version or manifest.get("sha256") != _sha256(data):
        return None
    return AssetInfo(version, folder / SCRIPT, manifest["sha256"], manifest.get("integrity"), manifest["source"])


def _check_integrity(data: bytes, integrity: str) -> None:
    algo, _, b64 = integrity.partition("-")
    if algo not in ("sha512", "sha384", "sha256"):
        raise DownloadError(f"unsupported integrity algorithm {algo!r} for {PACKAGE}")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != b64:
        raise DownloadError(f"{PACKAGE} tarball failed its integrity check ({algo}): expected {b64}, got {got}")


def _npm(args: list[str], cwd: str, timeout: float) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm")
    proc = subprocess.run([npm, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise DownloadError(f"npm {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return proc.stdout


def _from_npm(version: str, timeout: float) -> tuple[bytes, bytes | None, str, str]:
    """Script, licence text, npm integrity and source of ``3dmol@version`` (package.json version checked)."""
    with tempfile.TemporaryDirectory(prefix="nmda-3dmol-") as tmp:
        meta = json.loads(_npm(["view", f"{PACKAGE}@{version}", "dist", "--json"], tmp, timeout) or "null")
        if isinstance(meta, list):  # several versions matched: keep the exact one
            meta = meta[-1] if meta else None
        if not meta or "integrity" not in meta:
            raise DownloadError(f"npm has no integrity record for {PACKAGE}@{version}")
        out = json.loads(_npm(["pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", tmp], tmp, timeout))
        tarball = Path(tmp) / out[0]["filename"]
        data = tarball.read_bytes()
        _check_integrity(data, meta["integrity"])
        with tarfile.open(tarball, "r:gz") as tar:
            pkg = tar.extractfile("package/package.json")
            pkg_version = json.loads(pkg.read()).get("version") if pkg else None
            if pkg_version != version:
                raise DownloadError(f"npm returned {PACKAGE} version {pkg_version}, not {version}")
            member = tar.extractfile(_MEMBER)
            if member is None:
                raise DownloadError(f"{PACKAGE}@{version} has no {_MEMBER}")
            script = member.read()
            try:
                lic = tar.extractfile(_LICENSE_MEMBER)
                license_text = lic.read() if lic else None
            except KeyError:
                license_text = None
    return script, license_text, meta["integrity"], f"npm pack {PACKAGE}@{version}"


def _from_url(url: str, timeout: float) -> tuple[bytes, None, None, str]:
    import urllib.request

    if os.environ.get("NMDA_TOOLKIT_OFFLINE"):
        raise DownloadError("NMDA_TOOLKIT_OFFLINE is set: not downloading 3Dmol.js")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            data = resp.read()
    except OSError as exc:
        raise DownloadError(f"could not download {url}: {exc}") from exc
    return data, None, None, url


def fetch(version: str | None = None, *, force: bool = False, timeout: float = 300.0) -> AssetInfo:
    """Obtain, verify and cache 3Dmol.js; return the cached copy.

    Parameters
    ----------
    version : str, optional
        3Dmol.js version; default :func:`expected_version`.
    force : bool
        Fetch again even if a verified copy is cached.
    timeout : float
        Seconds allowed for each npm or download step.

    Raises
    ------
    DownloadError
        npm or the download failed, or the tarball failed its integrity check.

    Examples
    --------
    >>> info = fetch()  # doctest: +SKIP
    >>> info.version, info.path.name  # doctest: +SKIP
    ('2.5.5', '3Dmol-min.js')
    """
    from ..io.cache import atomic_write_bytes

    version = version or expected_version()
    if not force:
        hit = cached_asset(version)
        if hit is not None:
            return hit
    try:
        script, license_text, integrity, source = _from_npm(version, timeout)
    except FileNotFoundError:
        url = expected_url()
        if version not in url:
            raise DownloadError(f"npm is not installed and py3Dmol's URL {url} is not version {version}") from None
        script, license_text, integrity, source = _from_url(url, timeout)
    except subprocess.TimeoutExpired as exc:
        raise DownloadError(f"npm timed out after {timeout} s fetching {PACKAGE}@{version}") from exc
    if b"$3Dmol" not in script and b"3Dmol" not in script:
        raise DownloadError(f"{source} did not return 3Dmol.js")
    folder = asset_dir(version)
    atomic_write_bytes(folder / SCRIPT, script)
    if license_text:
        atomic_write_bytes(folder / LICENSE, license_text)
    manifest = {
        "package": PACKAGE,
        "version": version,
        "file": SCRIPT,
        "sha256": _sha256(script),
        "size": len(script),
        "integrity": integrity,
        "source": source,
    }
    atomic_write_bytes(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
    hit = cached_asset(version)
    if hit is None:  # pragma: no cover - only if the disk changed under us
        raise DownloadError(f"3Dmol.js written to {folder} but could not be read back")
    return hit


def load_3dmol_js(version: str | None = None) -> str | None:
    """The verified cached 3Dmol.js text, or None with an :class:`AssetWarning`.

    >>> js = load_3dmol_js()  # doctest: +SKIP
    """
    version = version or expected_version()
    hit = cached_asset(version)
    if hit is None:
        warnings.warn(
            f"3Dmol.js {version} is not cached in {asset_dir(version)} (run `make assets` or "
            "`python -m toolkit.views.assets fetch`): the view falls back to py3Dmol's default "
            f"loading from {expected_url()} and needs network access in the browser",
            AssetWarning,
            stacklevel=2,
        )
        return None
    return hit.path.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m toolkit.views.assets {fetch,info} [--version V] [--force]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m toolkit.views.assets", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["fetch", "info"])
    parser.add_argument("--version", default=None, help="3Dmol.js version (default: what py3Dmol expects)")
    parser.add_argument("--force", action="store_true", help="fetch again even if cached")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        try:
            info = fetch(args.version, force=args.force)
        except DownloadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    else:
        info = cached_asset(args.version)
        if info is None:
            print(f"3Dmol.js {args.version or expected_version()} is not cached in {asset_dir(args.version)}")
            return 1
    print(f"3Dmol.js {info.version}: {info.path} sha256={info.sha256} ({info.source})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
