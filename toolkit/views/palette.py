"""Fixed, documented colours shared by every view (3D, 2D and plots).

Subunit colours are a colour-blind-safe set (Okabe & Ito, "Color Universal
Design", 2008; https://jfly.uni-koeln.de/color/) extended with two greys for
antibody and other chains. GluN2A (bluish green) and GluN2B (vermilion) differ in
hue, not only in lightness, so a GluN2A/GluN2B comparison stays legible.
Ligand carbons are magenta first (never green: chlorine is green in the usual
element colours, Jmol/CPK). Interaction colours follow the usual convention of
interaction viewers (PLIP: Salentin et al., Nucleic Acids Res 43:W443, 2015):
grey hydrophobic, blue H-bond, yellow salt bridge, green pi-stacking, orange
cation-pi, cyan halogen, purple water bridge (PLIP draws them light blue, which
would sit next to the H-bond blue and the halogen cyan) and brown metal complex
(PLIP: violet-purple; here dark brown, away from the magenta ligand carbons).
Every type of ``toolkit.sites.INTERACTION_TYPES`` has a colour (tested), and the
two added colours stay >= 20 CIELAB units from every other one in normal vision
and under simulated protanopia and deuteranopia (Machado et al. 2009, IEEE TVCG
15:1291; tested).
"""

from __future__ import annotations

from ..errors import InvalidParameter

__all__ = ["SUBUNIT_COLORS", "INTERACTION_COLORS", "LIGAND_CARBON_COLORS", "POCKET_COLORS", "subunit_color", "interaction_color"]

#: Cartoon colour per subunit name (as produced by :func:`toolkit.identify_subunit`).
SUBUNIT_COLORS: dict[str, str] = {
    "GluN1": "#0072B2",  # blue
    "GluN2A": "#009E73",  # bluish green
    "GluN2B": "#D55E00",  # vermilion
    "GluN2C": "#CC79A7",  # reddish purple
    "GluN2D": "#F0E442",  # yellow
    "GluN3A": "#E69F00",  # orange
    "GluN3B": "#56B4E9",  # sky blue
    "antibody": "#999999",  # grey
    "other": "#C8C8C8",  # light grey
}

#: Dashed-line colour per interaction type (``toolkit.sites`` type names).
INTERACTION_COLORS: dict[str, str] = {
    "hydrophobic": "#7F7F7F",
    "hbond": "#1F4FE0",
    "salt_bridge": "#E0B000",
    "pi_stacking": "#1A9641",
    "cation_pi": "#FF7F00",
    "halogen": "#17BECF",
    "water_bridge": "#6A3D9A",
    "metal_complex": "#543005",
}

#: Carbon colours for the ligands of a comparison (first, second, ...): 3Dmol.js's
#: ``magentaCarbon``, ``cyanCarbon``, ``yellowCarbon`` and ``purpleCarbon`` schemes.
LIGAND_CARBON_COLORS: list[str] = ["#FF00FF", "#00FFFF", "#FFFF00", "#800080"]

#: Distinct, saturated pocket colours (none grey, none a subunit colour), cycled.
POCKET_COLORS: list[str] = ["#E41A1C", "#FFD92F", "#9B30FF", "#00CED1", "#FF1493", "#F781BF", "#4DAF4A", "#FF7F00"]


def subunit_color(subunit: str | None) -> str:
    """Colour of a subunit name; unknown names get the ``other`` colour.

    >>> subunit_color("GluN2B")
    '#D55E00'
    >>> subunit_color("GluK2")
    '#C8C8C8'
    """
    return SUBUNIT_COLORS.get(str(subunit), SUBUNIT_COLORS["other"])


def interaction_color(kind: str) -> str:
    """Colour of an interaction type; raises ValueError for an unknown type.

    >>> interaction_color("hbond")
    '#1F4FE0'
    """
    try:
        return INTERACTION_COLORS[kind]
    except KeyError:
        raise InvalidParameter(f"unknown interaction type {kind!r}; expected one of {sorted(INTERACTION_COLORS)}") from None
