"""Static PNG pictures of views, rendered by headless Chromium (software WebGL).

Notebooks keep a picture where interactive 3D cannot run (a PDF export, a
viewer without JavaScript). The browser is Debian's ``chromium`` (or the one
named by ``$NMDA_TOOLKIT_CHROMIUM``); WebGL runs on SwiftShader, so no GPU is
needed. The picture is checked: a blank image raises :class:`RenderError`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InvalidParameter, RenderError

if TYPE_CHECKING:
    from .html import View

__all__ = ["find_chromium", "chromium_flags", "to_png", "image_variance", "drawn_fraction"]

#: Page margin (px) of :meth:`View.html`: the viewer box starts at (8, 8).
_MARGIN = 8

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium binary: ``$NMDA_TOOLKIT_CHROMIUM``, else ``chromium`` on PATH; None if absent."""
    env = os.environ.get("NMDA_TOOLKIT_CHROMIUM")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    for name in _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_flags(user_data_dir: str) -> list[str]:
    """Flags for an isolated, offline headless Chromium with software WebGL.

    WebGL runs on SwiftShader (a software GPU); the page itself is composited in
    software too (``--disable-gpu-compositing``): the same picture (a few edge
    pixels differ by antialiasing), about 0.6 CPU-s less for a report's still.
    """
    return [
        "--headless",
        "--no-sandbox",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-gpu-compositing",
        "--ignore-gpu-blocklist",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={user_data_dir}",
    ]


def image_variance(png: bytes | str | os.PathLike) -> float:
    """Pixel variance of a PNG (RGB channels, 0-1 scale); ~0 means a blank image."""
    import io

    from matplotlib import image as mpimg

    src = io.BytesIO(png) if isinstance(png, bytes) else png
    img = np.asarray(mpimg.imread(src, format="png"), dtype=float)
    return float(img[..., :3].var()) if img.ndim == 3 else float(img.var())


def drawn_fraction(png: bytes | str | os.PathLike, box: tuple[int, int, int, int] | None = None) -> float:
    """Fraction of pixels that differ from white inside ``box = (x, y, width, height)``.

    A 3D view that drew a molecule covers a good part of its box; a failed
    WebGL context, or a page whose script did not run, leaves it white.
    """
    import io

    from matplotlib import image as mpimg

    src = io.BytesIO(png) if isinstance(png, bytes) else png
    img = np.asarray(mpimg.imread(src, format="png"), dtype=float)[..., :3]
    if box is not None:
        x, y, w, h = box
        img = img[y + 2 : y + h - 2, x + 2 : x + w - 2]  # inside the 1 px border
    if img.size == 0:
        return 0.0
    return float((img.min(axis=-1) < 0.95).mean())


def to_png(
    view: View | str,
    path: str | os.PathLike,
    *,
    width: int | None = None,
    height: int | None = None,
    chromium: str | None = None,
    timeout: float = 120.0,
    wait_ms: int = 4000,
    min_drawn: float = 0.02,
) -> Path:
    """Render a view (or an HTML page string) to a PNG with headless Chromium.

    Parameters
    ----------
    view : View or str
        The view, or a complete HTML page.
    path : path
        Output PNG (written atomically; the folder must exist).
    width, height : int, optional
        Window size; default the view's size plus room for the legend.
    chromium : str, optional
        Browser binary; default :func:`find_chromium`.
    timeout : float
        Seconds before the browser is stopped.
    wait_ms : int
        Virtual time (ms, at least 1) given to the page to draw before the
        screenshot. Virtual time runs as fast as the page lets it: a larger
        budget costs little wall time.
    min_drawn : float
        Minimum fraction of non-white pixels in the viewer box (for a View) or
        the whole image (for a page string); less counts as blank.

    Raises
    ------
    RenderError
        No Chromium, the browser failed or timed out, or the image is blank.
    OutputPathError
        The output folder does not exist or is not writable.
    InvalidParameter
        An argument of the wrong type or out of range (checked before the
        browser starts).

    Examples
    --------
    >>> from toolkit.views import site_view, to_png  # doctest: +SKIP
    >>> to_png(site_view(s), "site.png")  # doctest: +SKIP
    """
    from .._checks import check_int, check_number, check_path, check_str
    from .html import View, check_output_path, write_atomic

    # every argument before the browser starts: a wrong one is a named error at once, not a
    # RenderError or a time-out whose timing depends on the machine's load
    if not isinstance(view, (View, str)):
        raise InvalidParameter(f"view must be a View or an HTML page string, got {type(view).__name__}")
    check_path(path, "path")
    if width is not None:
        check_int(width, "width", 50, 20000)
    if height is not None:
        check_int(height, "height", 50, 20000)
    check_str(chromium, "chromium", optional=True)
    check_number(timeout, "timeout", 1, 86400)
    check_int(wait_ms, "wait_ms", 1, 600000)  # Chromium never takes the screenshot with a budget of 0
    check_number(min_drawn, "min_drawn", 0, 1)
    out = Path(path)
    check_output_path(out)  # fail early, with a named error, on a bad output path
    binary = chromium or find_chromium()
    if binary is None:
        raise RenderError("no Chromium browser found: install Debian's `chromium` or set NMDA_TOOLKIT_CHROMIUM")
    if isinstance(view, View):
        page = view.html()
        w = width or view.width + 40
        h = height or view.page_height()
        box = (_MARGIN, _MARGIN, int(view.width), int(view.height))
    else:
        page = str(view)
        w, h = width or 1000, height or 800
        box = None
    with tempfile.TemporaryDirectory(prefix="nmda-png-") as tmp:
        html_path = Path(tmp) / "view.html"
        html_path.write_text(page, encoding="utf-8")
        shot = Path(tmp) / "shot.png"
        cmd = [
            binary, *chromium_flags(str(Path(tmp) / "profile")), f"--window-size={int(w)},{int(h)}",
            f"--virtual-time-budget={int(wait_ms)}", f"--screenshot={shot}", html_path.as_uri(),
        ]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"Chromium did not finish within {timeout} s") from exc
        except OSError as exc:
            raise RenderError(f"cannot run Chromium {binary}: {exc}") from exc
        if not shot.is_file():
            raise RenderError(f"Chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
        data = shot.read_bytes()
    drawn = drawn_fraction(data, box)
    if drawn < min_drawn:
        raise RenderError(
            f"the rendered view is blank ({drawn:.1%} of its pixels drawn, need {min_drawn:.0%}): "
            "WebGL or 3Dmol.js did not run"
        )
    write_atomic(out, data)
    return out
