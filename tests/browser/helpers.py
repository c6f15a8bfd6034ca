"""Browser-test helpers: find Chromium, make 3Dmol.js available, open a page offline.

Browser tests must run in CI (``CI`` set): a missing Chromium or 3Dmol.js is
then a failure; on a developer machine without Chromium they are skipped.
Pages are opened from ``file://`` with every other request blocked and
recorded, so a test can prove that nothing left the machine.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# The cache in force when the test modules are collected (before conftest swaps in a
# temporary one): `make assets` put 3Dmol.js there.
_OUTER_CACHE = os.environ.get("NMDA_TOOLKIT_CACHE")


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


def chromium_or_skip() -> str:
    from toolkit.views.static import find_chromium

    path = find_chromium()
    if path is None:
        if _in_ci():
            pytest.fail("CI is set but no Chromium was found (install Debian's chromium or set NMDA_TOOLKIT_CHROMIUM)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    return path


def ensure_3dmol() -> Path:
    """Make a verified 3Dmol.js available in the test cache; return its path."""
    from toolkit.views import assets

    hit = assets.cached_asset()
    if hit is not None:
        return hit.path
    candidates = []
    if _OUTER_CACHE:
        candidates.append(Path(_OUTER_CACHE))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(Path(base) / "nmda-toolkit")
    name = assets.asset_dir().name
    for root in candidates:
        src = root / "assets" / name
        if (src / "manifest.json").is_file():
            dst = assets.asset_dir()
            dst.mkdir(parents=True, exist_ok=True)
            for f in src.iterdir():
                shutil.copy2(f, dst / f.name)
            hit = assets.cached_asset()
            if hit is not None:
                return hit.path
    try:
        return assets.fetch().path
    except Exception as exc:  # no npm registry: a failure in CI, a skip elsewhere
        if _in_ci():
            pytest.fail(f"3Dmol.js could not be obtained in CI: {exc}")
        pytest.skip(f"3Dmol.js not cached and not fetchable here ({exc}); run `make assets`")


@dataclass
class PageResult:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    ready: bool = False
    viewer_png: bytes = b""
    globals: dict = field(default_factory=dict)


def open_offline(
    html_path: Path, *, probe: tuple[str, ...] = (), wait_ms: int = 20000, frame: str | None = None
) -> PageResult:
    """Open a local page in headless Chromium with the network blocked; screenshot the viewer.

    ``frame``: CSS selector of an iframe that holds the view (the report embeds it with srcdoc).
    """
    from playwright.sync_api import sync_playwright

    from toolkit.views.static import chromium_flags

    binary = chromium_or_skip()
    res = PageResult()
    profile = html_path.parent / "chromium-profile"
    flags = [f for f in chromium_flags(str(profile)) if not f.startswith(("--user-data-dir", "--headless"))]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, headless=True, args=flags)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})

            def route(r):
                url = r.request.url
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    res.blocked.append(url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: res.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: res.page_errors.append(str(e)))
            page.on("request", lambda rq: None)
            page.goto(html_path.as_uri())
            target = page
            if frame is not None:
                target = page.wait_for_selector(frame, timeout=wait_ms).content_frame()
            try:
                target.wait_for_function("window.nmdaViewReady === true", timeout=wait_ms)
                res.ready = True
            except Exception:
                res.ready = False
            page.wait_for_timeout(500)
            for name in probe:
                res.globals[name] = page.evaluate(f"typeof window[{name!r}] === 'undefined' ? null : window[{name!r}]")
            viewer = page.frame_locator(frame).locator("#nmda-viewer") if frame else page.locator("#nmda-viewer")
            res.viewer_png = viewer.screenshot()
        finally:
            browser.close()
    return res


def site_tables(s, code: str, chain: str, res_id: int, cutoff: float = 4.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real site-residue and interaction tables of one ligand, computed with numpy (test inputs).

    Site: protein residues with a heavy atom within ``cutoff`` Å of the ligand.
    Interactions: per residue, its closest ligand-protein atom pair, typed as
    ``hbond`` when both atoms are N/O within 4.1 Å, ``hydrophobic`` when both are
    C within 4.0 Å (PLIP's default distances); other pairs are contacts only.
    """
    a = s.atoms
    lig = s.ligand_atoms(code, chain, res_id)
    lxyz = a["coord"][lig].astype(float)
    prot = np.flatnonzero(s.polymer_mask & (a["element"] != "H"))
    d = np.linalg.norm(a["coord"][prot].astype(float)[:, None, :] - lxyz[None], axis=2)
    near = d.min(axis=1) < cutoff
    residues = s.residues().set_index(["chain", "auth_seq_id", "ins_code"])
    site_rows, inter_rows = [], []
    for ri in np.unique(s.residue_index[prot[near]]):
        sel = np.flatnonzero(s.residue_index[prot] == ri)
        dd = d[sel]
        k, j = np.unravel_index(np.argmin(dd), dd.shape)
        pi, li = prot[sel[k]], lig[j]
        ch, num, ins = str(a["chain_id"][pi]), int(a["res_id"][pi]), str(a["ins_code"][pi])
        info = residues.loc[(ch, num, ins)]
        label = f"{info['subunit']} {info['one_letter']}{int(info['uniprot_num'])}"
        pe, le = str(a["element"][pi]), str(a["element"][li])
        kind = ""
        if pe in "NO" and le in "NO" and dd[k, j] <= 4.1:
            kind = "hbond"
        elif pe == "C" and le == "C" and dd[k, j] <= 4.0:
            kind = "hydrophobic"
        site_rows.append({
            "entry": s.entry_id, "ligand": code, "ligand_chain": chain, "ligand_res_id": res_id, "chain": ch,
            "subunit": info["subunit"], "res_name": info["res_name"], "auth_seq_id": num, "ins_code": ins,
            "uniprot_num": int(info["uniprot_num"]), "label": label, "min_distance": float(dd[k, j]),
            "n_contacts": int((dd < cutoff).sum()), "interactions": kind,
        })  # fmt: skip
        if kind:
            inter_rows.append({
                "entry": s.entry_id, "ligand": code, "ligand_chain": chain, "ligand_res_id": res_id, "type": kind,
                "chain": ch, "subunit": info["subunit"], "res_name": info["res_name"], "auth_seq_id": num,
                "uniprot_num": int(info["uniprot_num"]), "label": label, "ligand_atom": str(a["atom_name"][li]),
                "protein_atom": str(a["atom_name"][pi]), "distance": float(dd[k, j]), "angle": float("nan"),
                "lig_x": float(lxyz[j, 0]), "lig_y": float(lxyz[j, 1]), "lig_z": float(lxyz[j, 2]),
                "prot_x": float(a["coord"][pi, 0]), "prot_y": float(a["coord"][pi, 1]), "prot_z": float(a["coord"][pi, 2]),
            })  # fmt: skip
    return pd.DataFrame(site_rows), pd.DataFrame(inter_rows)


def pocket_table(s, code: str, chain: str, res_id: int) -> pd.DataFrame:
    """A one-row pocket table centred on the ligand, volume of its bounding sphere (test input)."""
    xyz = s.atoms["coord"][s.ligand_atoms(code, chain, res_id)].astype(float)
    c = xyz.mean(axis=0)
    r = float(np.linalg.norm(xyz - c, axis=1).max()) + 1.0
    return pd.DataFrame([{
        "entry": s.entry_id, "pocket_id": 1, "rank": 1, "center_x": c[0], "center_y": c[1], "center_z": c[2],
        "volume": 4.0 / 3.0 * np.pi * r**3, "n_points": 0, "buriedness": np.nan, "hydrophobicity": np.nan,
        "in_tmd": True, "faces": "pore", "lining_residues": "", "n_lining": 0, "score": np.nan,
        "lateral_candidate": False,
    }])  # fmt: skip


def drag_network_node(html_path: Path, svg_id: str, *, dx: float = 60, dy: float = 40) -> dict:
    """Open a page offline (every non-file request blocked), drag the first residue of an interaction network.

    Returns the node transform and the first edge's end point before and after the drag,
    the distance labels, the requests that were blocked and any page errors.
    """
    from playwright.sync_api import sync_playwright

    from toolkit.views.static import chromium_flags

    binary = chromium_or_skip()
    flags = [f for f in chromium_flags(str(html_path.parent / "chromium-profile")) if not f.startswith(("--user-data-dir", "--headless"))]
    out: dict = {"blocked": [], "errors": []}
    js_state = f"""() => {{
        const svg = document.getElementById({svg_id!r});
        const g = svg.querySelector("g.residue");
        const label = g.getAttribute("data-label");
        const line = svg.querySelector('line.edge[data-residue="0"]');
        return {{transform: g.getAttribute("transform"), label: label,
                 x2: parseFloat(line.getAttribute("x2")), y2: parseFloat(line.getAttribute("y2")),
                 distances: [...svg.querySelectorAll("text.distance")].map(t => t.textContent),
                 residues: [...svg.querySelectorAll("g.residue")].map(n => n.getAttribute("data-label"))}};
    }}"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, headless=True, args=flags)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})

            def route(r):
                url = r.request.url
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    r.continue_()
                else:
                    out["blocked"].append(url)
                    r.abort()

            page.route("**/*", route)
            page.on("pageerror", lambda e: out["errors"].append(str(e)))
            page.goto(html_path.as_uri())
            page.wait_for_function("window.nmdaNetworksReady > 0", timeout=20000)
            out["ready"] = page.evaluate("window.nmdaNetworksReady")
            out["before"] = page.evaluate(js_state)
            node = page.locator(f"#{svg_id} g.residue").first
            node.scroll_into_view_if_needed()
            box = node.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
            page.mouse.move(x + dx, y + dy, steps=4)
            page.mouse.up()
            out["after"] = page.evaluate(js_state)
        finally:
            browser.close()
    return out
