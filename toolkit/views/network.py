"""An interactive 2D interaction network (residues around the ligand), like ProLIF's network view.

One HTML fragment: an inline SVG plus a small inline script (vanilla
JavaScript, no library, nothing fetched), so it works in a page opened
offline. Every site residue is a disc labelled with its chain-qualified label
("GluN2B L643 (B)") and coloured by subunit; each typed interaction is a line
to the ligand, coloured by type (:data:`~toolkit.views.palette.INTERACTION_COLORS`)
and labelled with its distance in Å; residues in contact without a typed
interaction get a thin dotted line with their closest distance. Residues can be
dragged (mouse, pen or touch); the lines and distances follow.

The function draws the tables it is given (``toolkit.sites`` site residues and
interactions); it computes nothing.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

from ..errors import InvalidParameter
from .html import js_literal
from .palette import INTERACTION_COLORS, subunit_color

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["interaction_network_html", "chain_label"]


def chain_label(label: str, chain: str) -> str:
    """A residue label qualified by its chain: ``"GluN2B L643 (B)"``.

    Labels that already name their chain (``"other K12 (auth H)"``) are kept.

    >>> chain_label("GluN2B L643", "B")
    'GluN2B L643 (B)'
    >>> chain_label("other K12 (auth H)", "H")
    'other K12 (auth H)'
    """
    label = str(label)
    return label if label.endswith(")") else f"{label} ({chain})"


_SCRIPT = r"""
(function () {
  var data = %(data)s;
  var svg = document.getElementById(%(id)s);
  if (!svg) { return; }
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    (parent || svg).appendChild(e);
    return e;
  }
  var W = data.width, H = data.height, cx = W / 2, cy = H / 2;
  var edgeLayer = el("g", {"class": "edges"});
  var nodeLayer = el("g", {"class": "nodes"});
  var lig = el("g", {"class": "ligand"}, nodeLayer);
  el("ellipse", {cx: cx, cy: cy, rx: 46, ry: 26, fill: "#f4e8ff", stroke: "#7a3fa0", "stroke-width": 2}, lig);
  var lt = el("text", {x: cx, y: cy + 5, "text-anchor": "middle", "font-size": data.font, "font-weight": "bold"}, lig);
  lt.textContent = data.ligand;
  var nodes = [];
  data.residues.forEach(function (r, i) {
    var g = el("g", {"class": "residue", "data-label": r.label, transform: "translate(" + r.x + "," + r.y + ")"}, nodeLayer);
    g.style.cursor = "grab";
    var w = Math.max(60, r.label.length * data.font * 0.6 + 14);
    el("rect", {x: -w / 2, y: -14, width: w, height: 28, rx: 14, fill: "white"}, g);
    el("rect", {x: -w / 2, y: -14, width: w, height: 28, rx: 14, fill: r.color, "fill-opacity": 0.25,
                stroke: r.color, "stroke-width": 2}, g);
    var t = el("text", {x: 0, y: 5, "text-anchor": "middle", "font-size": data.font}, g);
    t.textContent = r.label;
    nodes.push({g: g, x: r.x, y: r.y, edges: []});
  });
  data.edges.forEach(function (e) {
    var n = nodes[e.residue];
    var line = el("line", {stroke: e.color, "stroke-width": e.contact ? 1.2 : 2.5,
                           "stroke-dasharray": e.contact ? "2,4" : "7,4"}, edgeLayer);
    line.setAttribute("class", "edge " + e.type);
    line.setAttribute("data-residue", e.residue);
    var bg = el("rect", {width: 36, height: 15, fill: "white", "fill-opacity": 0.85, rx: 3}, edgeLayer);
    var txt = el("text", {"font-size": data.font - 2, "text-anchor": "middle", fill: e.contact ? "#666" : e.color}, edgeLayer);
    txt.setAttribute("class", "distance");
    txt.textContent = e.distance.toFixed(1) + " \u00c5";
    n.edges.push({line: line, text: txt, bg: bg, offset: e.offset});
  });
  function place(n) {
    n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")");
    n.edges.forEach(function (e) {
      var dx = n.x - cx, dy = n.y - cy, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var ox = -dy / len * e.offset, oy = dx / len * e.offset;
      e.line.setAttribute("x1", cx + ox); e.line.setAttribute("y1", cy + oy);
      e.line.setAttribute("x2", n.x + ox); e.line.setAttribute("y2", n.y + oy);
      var mx = (cx + n.x) / 2 + ox, my = (cy + n.y) / 2 + oy;
      e.text.setAttribute("x", mx); e.text.setAttribute("y", my + 4);
      e.bg.setAttribute("x", mx - 18); e.bg.setAttribute("y", my - 8);
    });
  }
  nodes.forEach(place);
  var drag = null;
  function point(ev) {
    var p = svg.createSVGPoint(); p.x = ev.clientX; p.y = ev.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  nodes.forEach(function (n) {
    n.g.addEventListener("pointerdown", function (ev) {
      var p = point(ev);
      drag = {n: n, dx: n.x - p.x, dy: n.y - p.y};
      n.g.style.cursor = "grabbing";
      if (n.g.setPointerCapture) { n.g.setPointerCapture(ev.pointerId); }
      ev.preventDefault();
    });
  });
  svg.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    var p = point(ev);
    drag.n.x = Math.min(W - 10, Math.max(10, p.x + drag.dx));
    drag.n.y = Math.min(H - 10, Math.max(10, p.y + drag.dy));
    place(drag.n);
  });
  function end() { if (drag) { drag.n.g.style.cursor = "grab"; drag = null; } }
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  window.nmdaNetworksReady = (window.nmdaNetworksReady || 0) + 1;
})();
"""


def interaction_network_html(
    site: pd.DataFrame,
    interactions: pd.DataFrame | None = None,
    *,
    ligand: str = "ligand",
    element_id: str = "nmda-network",
    width: int = 820,
    height: int = 560,
    font_size: int = 13,
) -> str:
    """An interactive interaction network as one offline HTML fragment (inline SVG + script).

    Parameters
    ----------
    site : DataFrame
        Site residues (``toolkit.sites.SITE_COLUMNS``: ``label``, ``chain``,
        ``subunit``, ``min_distance``).
    interactions : DataFrame, optional
        Typed interactions (``INTERACTION_COLUMNS``: ``label``, ``chain``,
        ``type``, ``distance``); the shortest of each (residue, type) is drawn.
    ligand : str
        Text of the central ligand node.
    element_id : str
        ``id`` of the ``<svg>`` (unique within the page).
    width, height, font_size : int
        Size in pixels; ``font_size`` 16 or more for a projector.

    Returns
    -------
    str
        ``<figure>`` with the SVG, a legend and the script; sets
        ``window.nmdaNetworksReady`` (count of networks drawn) when it has run.

    Examples
    --------
    >>> import pandas as pd
    >>> site = pd.DataFrame({"label": ["GluN2B L643"], "chain": ["B"], "subunit": ["GluN2B"], "min_distance": [2.6]})
    >>> inter = pd.DataFrame({"label": ["GluN2B L643"], "chain": ["B"], "type": ["hydrophobic"], "distance": [2.57]})
    >>> frag = interaction_network_html(site, inter, ligand="JC9")
    >>> "GluN2B L643 (B)" in frag and "<script>" in frag
    True
    """
    need = {"label", "chain", "subunit", "min_distance"}
    if not need.issubset(site.columns):
        raise InvalidParameter(f"site table lacks columns {sorted(need - set(site.columns))}")
    if not element_id.replace("-", "").replace("_", "").isalnum():
        raise InvalidParameter(f"element_id must be letters, digits, '-' or '_', not {element_id!r}")
    keys = list(dict.fromkeys((str(r.label), str(r.chain)) for r in site.itertuples(index=False)))
    sub = {(str(r.label), str(r.chain)): str(r.subunit) for r in site.itertuples(index=False)}
    mind = {(str(r.label), str(r.chain)): float(r.min_distance) for r in site.itertuples(index=False)}
    if interactions is not None and len(interactions):
        need_i = {"label", "chain", "type", "distance"}
        if not need_i.issubset(interactions.columns):
            raise InvalidParameter(f"interaction table lacks columns {sorted(need_i - set(interactions.columns))}")
        # a water bridge reaches past the contact cutoff of the site table: its residue gets a node too
        for r in interactions[interactions["type"] == "water_bridge"].itertuples(index=False):
            k = (str(r.label), str(r.chain))
            if k not in sub:
                keys.append(k)
                sub[k] = str(getattr(r, "subunit", "other"))
    # residues ordered by subunit then chain, evenly on an ellipse around the ligand
    keys.sort(key=lambda k: (sub[k], k[1], k[0]))
    n = max(len(keys), 1)
    rx, ry = width / 2 - 90, height / 2 - 40
    residues = []
    for i, k in enumerate(keys):
        a = -math.pi / 2 + 2 * math.pi * i / n
        residues.append({"label": chain_label(k[0], k[1]), "color": subunit_color(sub[k]),
                         "x": round(width / 2 + rx * math.cos(a), 1), "y": round(height / 2 + ry * math.sin(a), 1)})  # fmt: skip
    edges = []
    typed: set[tuple[str, str]] = set()
    if interactions is not None and len(interactions):
        best = interactions.sort_values("distance").drop_duplicates(["label", "chain", "type"])
        for (lab, ch), grp in best.groupby(["label", "chain"], sort=False):
            k = (str(lab), str(ch))
            if k not in keys:
                continue
            typed.add(k)
            m = len(grp)
            for j, r in enumerate(grp.itertuples(index=False)):
                kind = str(r.type)
                edges.append({"residue": keys.index(k), "type": kind, "color": INTERACTION_COLORS.get(kind, "#444444"),
                              "distance": float(r.distance), "contact": False, "offset": (j - (m - 1) / 2) * 8})  # fmt: skip
    for k in keys:
        if k not in typed:
            edges.append({"residue": keys.index(k), "type": "contact", "color": "#999999", "distance": mind[k],
                          "contact": True, "offset": 0})  # fmt: skip
    data = {"width": width, "height": height, "font": font_size, "ligand": str(ligand), "residues": residues, "edges": edges}
    used = sorted({e["type"] for e in edges if not e["contact"]})
    legend = " ".join(
        f'<span style="white-space:nowrap"><span style="display:inline-block;width:22px;border-top:3px dashed '
        f'{INTERACTION_COLORS.get(t, "#444")};vertical-align:middle"></span> {html.escape(t)}</span>'
        for t in used
    )
    legend += (' <span style="white-space:nowrap"><span style="display:inline-block;width:22px;border-top:2px dotted #999;'
               'vertical-align:middle"></span> contact only (closest distance)</span>')  # fmt: skip
    return (
        f'<figure class="nmda-network"><svg id="{element_id}" xmlns="http://www.w3.org/2000/svg" width="{int(width)}" '
        f'height="{int(height)}" viewBox="0 0 {int(width)} {int(height)}" style="border:1px solid #ddd;touch-action:none;'
        f'font-family:sans-serif" role="img" aria-label="interaction network of {html.escape(str(ligand), quote=True)}">'
        f"</svg><figcaption>{legend}. Drag a residue to move it; distances in Å.</figcaption>"
        f"<script>{_SCRIPT % {'data': js_literal(data), 'id': js_literal(element_id)}}</script></figure>"
    )
