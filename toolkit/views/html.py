"""A 3D view as data, rendered to one self-contained HTML page.

A :class:`View` records the 3Dmol.js calls of a scene (models, styles, labels,
shapes) plus an HTML legend and notes. :meth:`View.to_html` writes a single
file that embeds the coordinates and the cached, verified 3Dmol.js
(:mod:`toolkit.views.assets`), so it renders with the network off. When no
cached copy exists the page loads py3Dmol's default URL instead and an
:class:`~toolkit.errors.AssetWarning` says so.

Escaping: every value that reaches JavaScript goes through :func:`js_literal`
(``json.dumps`` plus ``<``, ``>``, ``&`` as ``\\u`` escapes, so a label can
never close the ``<script>`` element); every text that reaches HTML goes
through :func:`html.escape`.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidParameter, OutputPathError

__all__ = ["View", "js_literal", "write_atomic", "check_output_path", "lesson_page"]


def js_literal(value: Any) -> str:
    """A JavaScript literal of ``value`` that is safe inside an HTML ``<script>``.

    >>> js_literal("</script><b>")
    '"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"'
    """
    text = json.dumps(value, ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def check_output_path(path: str | os.PathLike) -> Path:
    """The folder of ``path`` if a file can be written there, else :class:`OutputPathError`.

    The checks are :func:`toolkit.io.atomic.check_output_path`'s (a directory, a
    missing or read-only folder, a NUL character are refused).
    """
    from ..io.atomic import check_output_path as _check

    out = _check(path, what="cannot write")
    return out.parent if str(out.parent) else Path(".")


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically.

    The folder must exist and be writable; the file appears complete or not at
    all, with the usual permissions (0666 less the umask). This is
    :func:`toolkit.io.atomic.atomic_write_bytes` after
    :func:`check_output_path`.

    Raises
    ------
    OutputPathError
        ``path`` is a directory, or its folder is missing or not writable.
    """
    from ..io.atomic import atomic_write_bytes

    check_output_path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        atomic_write_bytes(path, raw, make_parents=False)
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return Path(path)


@dataclass
class View:
    """A 3Dmol.js scene: models, calls, legend and notes.

    Build one with :func:`toolkit.views.site_view` or
    :func:`toolkit.views.comparison_view`; show it in Jupyter (it renders
    itself as an isolated ``<iframe>``), write it with :meth:`to_html`, or
    take a picture with :func:`toolkit.views.to_png`.

    Attributes
    ----------
    title : str
        Heading of the page (escaped).
    width, height : int
        Viewer size in pixels.
    grid : (rows, cols) or None
        Several linked viewers side by side.
    calls : list of (viewer, method, args)
        3Dmol.js ``GLViewer`` calls in order; ``viewer`` is ``(row, col)``.
    legend : list of (section, label, colour)
    notes : list of str
    font_size : int
        Legend and caption font size in px (13; 20 or more for a projector).
    antialias : bool
        WebGL antialiasing (True). A still rendered by software WebGL
        (:func:`toolkit.views.to_png`) costs about a third less CPU without it.
    """

    title: str = ""
    width: int = 800
    height: int = 600
    grid: tuple[int, int] | None = None
    calls: list[tuple[tuple[int, int], str, tuple[Any, ...]]] = field(default_factory=list)
    legend: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    captions: dict[tuple[int, int], str] = field(default_factory=dict)
    font_size: int = 13
    antialias: bool = True

    def __repr__(self) -> str:
        # a short text form: the embedded coordinates belong in the HTML, not in a text dump
        grid = f", grid {self.grid[0]}x{self.grid[1]}" if self.grid else ""
        return f"<View {self.title!r}: {self.width}x{self.height} px{grid}, {len(self.calls)} 3Dmol.js calls>"

    # ------------------------------------------------------------ building
    def call(self, method: str, *args: Any, viewer: tuple[int, int] = (0, 0)) -> View:
        """Record ``viewer.method(*args)`` (arguments become JSON)."""
        if not method.isidentifier():
            raise InvalidParameter(f"not a 3Dmol.js method name: {method!r}")
        rows, cols = self.grid or (1, 1)
        if not (0 <= viewer[0] < rows and 0 <= viewer[1] < cols):
            raise InvalidParameter(f"viewer {viewer} outside the grid {rows}x{cols}")
        self.calls.append((tuple(viewer), method, args))
        return self

    def page_height(self) -> int:
        """Height (px) of the page of :meth:`html`: viewer, heading, legend lines and notes, no blank gap.

        >>> View(height=400).page_height()
        470
        """
        line = int(self.font_size * 1.5) + 2
        sections = len({sec for sec, _, _ in self.legend})
        n_lines = sections + len(self.notes) * 1.4 + (1 if self.captions else 0)
        return int(self.height) + 16 + 2 + 48 + int(n_lines * line) + 4

    def add_legend(self, section: str, label: str, color: str) -> None:
        item = (section, label, color)
        if item not in self.legend:
            self.legend.append(item)

    # ------------------------------------------------------------- output
    def script(self, element_id: str = "nmda-viewer") -> str:
        """The JavaScript that builds the scene in element ``element_id`` (needs ``$3Dmol`` loaded first)."""
        rows, cols = self.grid or (1, 1)
        config = '{backgroundColor: "white"}' if self.antialias else '{backgroundColor: "white", antialias: false}'
        out = [
            "(function () {",
            f"  var box = document.getElementById({js_literal(element_id)});",
            '  if (typeof $3Dmol === "undefined") {',
            '    box.textContent = "3Dmol.js did not load: no 3D view (see the notes below).";',
            "    return;",
            "  }",
        ]
        if self.grid:
            out.append(
                f"  var g = $3Dmol.createViewerGrid(box, {{rows: {rows}, cols: {cols}, control_all: true}}, {config});"
            )
        else:
            out.append(f"  var g = [[$3Dmol.createViewer(box, {config})]];")
        for (r, c), method, args in self.calls:
            out.append(f"  g[{r}][{c}].{method}({', '.join(js_literal(a) for a in args)});")
        for r in range(rows):
            for c in range(cols):
                out.append(f"  g[{r}][{c}].render();")
        out += ["  window.nmdaViewReady = true;", "})();"]
        return "\n".join(out)

    def _legend_html(self) -> str:
        if not self.legend and not self.notes and not self.captions:
            return ""
        parts = ['<div class="nmda-legend">']
        if self.captions:
            rows, cols = self.grid or (1, 1)
            caps = " | ".join(html.escape(self.captions.get((r, c), "")) for r in range(rows) for c in range(cols))
            parts.append(f'<p class="captions">{caps}</p>')
        sections: dict[str, list[tuple[str, str]]] = {}
        for section, label, color in self.legend:
            sections.setdefault(section, []).append((label, color))
        for section, items in sections.items():
            parts.append(f"<div><b>{html.escape(section)}</b>: ")
            for label, color in items:
                parts.append(
                    f'<span class="key"><span class="swatch" style="background:{html.escape(color, quote=True)}">'
                    f"</span>{html.escape(label)}</span>"
                )
            parts.append("</div>")
        for note in self.notes:
            parts.append(f'<p class="note">{html.escape(note)}</p>')
        parts.append("</div>")
        return "\n".join(parts)

    def html(self, *, js: str | None = None, inline: bool = True) -> str:
        """The full page. ``js``: 3Dmol.js text (default: the cached copy, if any)."""
        from . import assets

        if js is None and inline:
            js = assets.load_3dmol_js()
        if js is not None:
            library = "<script>\n" + js.replace("</script", "<\\/script") + "\n</script>"
        else:
            library = f'<script src="{html.escape(assets.expected_url(), quote=True)}"></script>'
        title = html.escape(self.title or "nmda-toolkit view")
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'{'' if js is not None else ' https:'}; style-src 'unsafe-inline'; img-src data: blob:; worker-src blob:; connect-src 'none'">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 8px; background: white; }}
#nmda-viewer {{ position: relative; width: {int(self.width)}px; height: {int(self.height)}px; border: 1px solid #ddd; }}
.nmda-legend {{ font-size: {int(self.font_size)}px; max-width: {int(self.width)}px; }}
.nmda-legend div, .nmda-legend p {{ margin: 2px 0; }}
h3 {{ margin: 10px 0 6px; font-size: {int(self.font_size) + 4}px; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px; vertical-align: middle; border: 1px solid #555; }}
.note {{ color: #444; }}
</style>
</head>
<body>
<div id="nmda-viewer"></div>
<h3>{title}</h3>
{self._legend_html()}
{library}
<script>
{self.script()}
</script>
</body>
</html>
"""

    def to_html(self, path: str | os.PathLike | None = None) -> str:
        """The self-contained page; also written atomically to ``path`` when given.

        Raises
        ------
        OutputPathError
            The folder of ``path`` does not exist or is not writable.

        Examples
        --------
        >>> v = View(title="demo")
        >>> "<h3>demo</h3>" in v.html(js="")
        True
        """
        page = self.html()
        if path is not None:
            write_atomic(path, page)
        return page

    def to_py3dmol(self):
        """The same scene as a :class:`py3Dmol.view` (loads 3Dmol.js from py3Dmol's URL)."""
        import py3Dmol

        v = py3Dmol.view(width=self.width, height=self.height, viewergrid=self.grid)
        for (r, c), method, args in self.calls:
            kwargs = {"viewer": (r, c)} if self.grid else {}
            getattr(v, method)(*args, **kwargs)
        return v

    def _repr_html_(self) -> str:
        page = self.html()
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" style="border:0" '
            f'width="{int(self.width) + 40}" height="{self.page_height()}"></iframe>'
        )


def _lesson_text(text: str) -> str:
    """Blocks of a lesson text: ``## heading``, ``? question | answer`` (answer hidden), or a paragraph."""
    import re

    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if not block:
            continue
        if block.startswith("## "):
            out.append(f"<h2>{html.escape(block[3:].strip())}</h2>")
        elif block.startswith("? ") and "|" in block:
            q, a = block[2:].split("|", 1)
            out.append(f"<p class=\"q\"><b>{html.escape(q.strip())}</b></p>"
                       f"<details><summary>Answer</summary><p>{html.escape(a.strip())}</p></details>")
        else:
            out.append(f"<p>{html.escape(' '.join(block.split()))}</p>")
    return "\n".join(out)


def lesson_page(title: str, blocks: list[Any], path: str | os.PathLike | None = None) -> str:
    """One self-contained HTML page for students: instructions, questions and several 3D views.

    Parameters
    ----------
    title : str
        Page title and heading.
    blocks : list of str or View
        In order. A string is lesson text: blank-line separated blocks, each a
        paragraph, a ``## heading`` or a question ``? question | answer`` (the
        answer hidden until clicked). A :class:`View` is embedded interactively
        with its legend (3Dmol.js is inlined once for the whole page).
    path : path, optional
        Also write the page there (atomically).

    Returns
    -------
    str
        The page.

    Examples
    --------
    >>> page = lesson_page("Lesson", ["## Step 1\\n\\nLook at the pore.", "? Which subunits? | GluN1 and GluN2B"])
    >>> "<h2>Step 1</h2>" in page and "<details><summary>Answer</summary>" in page
    True
    """
    from . import assets

    views = [b for b in blocks if isinstance(b, View)]
    js = assets.load_3dmol_js() if views else None
    body = []
    scripts = []
    for i, b in enumerate(blocks):
        if isinstance(b, View):
            vid = f"nmda-viewer-{i}"
            body.append(f'<div class="view"><div id="{vid}" class="viewer" style="width:{int(b.width)}px;height:{int(b.height)}px"></div>'
                        f"<h3>{html.escape(b.title)}</h3>{b._legend_html()}</div>")
            scripts.append(b.script(vid))
        elif isinstance(b, str):
            body.append(_lesson_text(b))
        else:
            raise InvalidParameter(f"lesson blocks are text or View objects, not {type(b).__name__}")
    if views and js is None:
        body.append('<p class="note">3Dmol.js was not cached when this page was made: the 3D views need the '
                    "network (run `make assets` and export again for an offline page).</p>")
    library = ""
    if views:
        library = ("<script>\n" + js.replace("</script", "<\\/script") + "\n</script>" if js is not None
                   else f'<script src="{html.escape(assets.expected_url(), quote=True)}"></script>')
    script = "\n".join(s.replace("window.nmdaViewReady = true;", "window.nmdaViewsReady = (window.nmdaViewsReady || 0) + 1;")
                       for s in scripts)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 20px; max-width: 1000px; line-height: 1.45; font-size: 17px; }}
.viewer {{ position: relative; border: 1px solid #ddd; }}
.view {{ margin: 12px 0 20px; }}
.nmda-legend {{ font-size: 15px; }} .nmda-legend div, .nmda-legend p {{ margin: 2px 0; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px; vertical-align: middle; border: 1px solid #555; }}
details {{ margin: 0 0 12px 16px; }} .note {{ color: #444; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{chr(10).join(body)}
{library}
<script>
{script}
</script>
</body></html>
"""
    if path is not None:
        write_atomic(path, page)
    return page
