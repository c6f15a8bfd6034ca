"""Render docs/7eu8_ketamine_site.png, the README picture, with the toolkit itself.

Run: ``NMDA_TOOLKIT_MIRROR=../shared/structures python scripts/make_readme_picture.py``
(needs Chromium and a cached 3Dmol.js: ``make assets``).
"""

from __future__ import annotations

from pathlib import Path

import toolkit
from toolkit.views import site_view, to_png


def main() -> None:
    s = toolkit.load_structure("7EU8")
    site = toolkit.site_residues(s, "JC9")
    inter = toolkit.interactions(s, "JC9")
    view = site_view(s, site, inter, ligand=("JC9", "B", 903), title="7EU8: S-ketamine in the GluN1-GluN2B pore",
                     label_size=14, width=720, height=480)  # fmt: skip
    out = Path(__file__).resolve().parents[1] / "docs" / "7eu8_ketamine_site.png"
    to_png(view, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
