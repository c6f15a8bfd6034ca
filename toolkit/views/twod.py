"""2D depictions (RDKit): a ligand grid and a ligand-site interaction diagram, as SVG.

Molecules come from the chem layer (CCD- or SMILES-templated RDKit
molecules); highlight atom lists (for example the common substructure with
ketamine, computed by ``toolkit.chem``) are inputs. Nothing here perceives
chemistry: bond orders, charges and stereo are drawn as given.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InvalidMolecule, InvalidParameter
from .palette import INTERACTION_COLORS, subunit_color

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ligand_grid_svg", "interaction_diagram_svg", "depiction"]


def _as_mol(m: Any, i: int):
    from rdkit import Chem

    if isinstance(m, Chem.Mol):
        return m
    if isinstance(m, str):
        mol = Chem.MolFromSmiles(m)
        if mol is None:
            raise InvalidMolecule(f"molecule {i}: invalid SMILES {m!r}")
        return mol
    raise InvalidMolecule(f"molecule {i}: expected an RDKit Mol or a SMILES string, got {type(m).__name__}")


def depiction(mol: Any) -> Any:
    """A copy of ``mol`` with fresh 2D depiction coordinates (RDKit, ring templates on).

    A ligand read from a structure carries its 3D pose; drawn as is, it is a
    flattened projection with overlapping rings. This lays it out in 2D
    (``rdDepictor.Compute2DCoords`` with RDKit's ring-system templates), keeping
    atoms, bonds, charges and stereo as given.

    >>> from rdkit import Chem
    >>> m = depiction(Chem.MolFromSmiles("CNC1(CCCCC1=O)c1ccccc1Cl"))
    >>> m.GetConformer().Is3D()
    False
    """
    from rdkit.Chem import rdDepictor

    mol2 = type(mol)(_as_mol(mol, 0))
    try:
        rdDepictor.Compute2DCoords(mol2, useRingTemplates=True)
    except TypeError:  # RDKit without ring templates
        rdDepictor.Compute2DCoords(mol2)
    return mol2


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "nan" if math.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def ligand_grid_svg(
    mols: Sequence[Any],
    names: Sequence[str],
    *,
    properties: pd.DataFrame | None = None,
    highlight_atoms: Sequence[Sequence[int] | None] | None = None,
    mols_per_row: int = 4,
    size: tuple[int, int] = (250, 220),
) -> str:
    """A grid of 2D depictions with names, chosen properties and highlighted atoms.

    Parameters
    ----------
    mols : sequence of rdkit Mol or SMILES
        The ligands (SMILES are read as written, not sanitised beyond RDKit's default).
    names : sequence of str
        One legend name per molecule.
    properties : DataFrame, optional
        One row per molecule (same order); every column is printed under the name.
    highlight_atoms : sequence of atom-index lists, optional
        Atoms to highlight per molecule (for example the maximum common substructure
        with ketamine from ``toolkit.chem``); None for none.
    mols_per_row : int
    size : (width, height)
        Size of one cell in pixels.

    Returns
    -------
    str
        SVG text.

    Examples
    --------
    >>> svg = ligand_grid_svg(["CNC1(CCCCC1=O)c1ccccc1Cl"], ["ketamine"], highlight_atoms=[[0, 1, 2]])
    >>> svg.lstrip().startswith("<?xml") and "ketamine" in svg
    True
    """
    mols = [_as_mol(m, i) for i, m in enumerate(mols)]
    names = [str(n) for n in names]
    if len(names) != len(mols):
        raise InvalidParameter(f"{len(mols)} molecules but {len(names)} names")
    if properties is not None and len(properties) != len(mols):
        raise InvalidParameter(f"{len(mols)} molecules but {len(properties)} property rows")
    if highlight_atoms is not None and len(highlight_atoms) != len(mols):
        raise InvalidParameter(f"{len(mols)} molecules but {len(highlight_atoms)} highlight lists")
    from rdkit.Chem.Draw import rdMolDraw2D

    lines_per_cell = []
    for i, name in enumerate(names):
        text = [name]
        if properties is not None:
            row = properties.iloc[i]
            text.append(", ".join(f"{c}={_fmt(row[c])}" for c in properties.columns))
        lines_per_cell.append(text)
    hl: list[list[int]] = [[] for _ in mols]
    if highlight_atoms is not None:
        for i, atoms in enumerate(highlight_atoms):
            atoms = [] if atoms is None else [int(a) for a in atoms]
            bad = [a for a in atoms if not 0 <= a < mols[i].GetNumAtoms()]
            if bad:
                raise InvalidParameter(f"molecule {i} ({names[i]}): highlight atoms {bad} out of range")
            hl[i] = atoms
    w, h = int(size[0]), int(size[1])
    n_text = max(len(t) for t in lines_per_cell) if lines_per_cell else 1
    text_h = 14 * n_text + 6
    per_row = max(1, int(mols_per_row))
    n_rows = max(1, -(-len(mols) // per_row))
    cols = min(per_row, max(1, len(mols)))
    parts = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{cols * w}' height='{n_rows * (h + text_h)}' "
        f"viewBox='0 0 {cols * w} {n_rows * (h + text_h)}'>",
        "<rect width='100%' height='100%' fill='white'/>",
    ]
    for i, mol in enumerate(mols):
        x0, y0 = (i % per_row) * w, (i // per_row) * (h + text_h)
        d = rdMolDraw2D.MolDraw2DSVG(w, h)
        rdMolDraw2D.PrepareAndDrawMolecule(d, depiction(mol), highlightAtoms=hl[i])
        d.FinishDrawing()
        body = d.GetDrawingText()
        body = body[body.index("<svg") :]
        parts.append(f"<g transform='translate({x0},{y0})'>{body}</g>")
        for k, line in enumerate(lines_per_cell[i]):
            size_ = 13 if k == 0 else 10
            parts.append(
                f"<text x='{x0 + w / 2:.0f}' y='{y0 + h + 14 * (k + 1):.0f}' font-family='sans-serif' "
                f"font-size='{size_}' text-anchor='middle'>{html.escape(line)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _atom_index_by_name(mol) -> dict[str, int]:
    out: dict[str, int] = {}
    for atom in mol.GetAtoms():
        name = None
        info = atom.GetPDBResidueInfo()
        if info is not None:
            name = info.GetName().strip()
        for prop in ("atom_name", "name", "_Name"):
            if name is None and atom.HasProp(prop):
                name = atom.GetProp(prop).strip()
        if name:
            out[name] = atom.GetIdx()
    return out


def interaction_diagram_svg(
    mol: Any,
    site: pd.DataFrame,
    interactions: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    size: int = 600,
) -> str:
    """A 2D interaction diagram: the ligand in the centre, site residues on a circle.

    Each residue of ``site`` (``SITE_COLUMNS``) is a disc coloured by subunit and
    labelled with its ``label`` (one disc per chain + residue number, so the same
    residue of two GluN1 chains appears twice); each interaction row
    (``INTERACTION_COLUMNS``) is a line from the ligand atom named ``ligand_atom``
    (matched to the molecule's PDB atom names, or atom property ``atom_name``; the
    ligand centre when absent) to its residue, coloured by ``type``. Interacting
    residues are placed towards their ligand atoms; the others in subunit, UniProt
    order.

    Examples
    --------
    >>> import pandas as pd
    >>> site = pd.DataFrame({"label": ["GluN2B L643"], "subunit": ["GluN2B"], "uniprot_num": [643]})
    >>> svg = interaction_diagram_svg("CNC1(CCCCC1=O)c1ccccc1Cl", site)
    >>> "GluN2B L643" in svg
    True
    """
    from rdkit.Chem.Draw import rdMolDraw2D

    mol = _as_mol(mol, 0)
    for col in ("label", "subunit"):
        if col not in site.columns:
            raise InvalidParameter(f"site table lacks column {col!r} (see toolkit.sites.SITE_COLUMNS)")
    mol2 = depiction(mol)
    d = rdMolDraw2D.MolDraw2DSVG(size, size)
    opts = d.drawOptions()
    opts.padding = 0.36
    opts.clearBackground = True
    d.DrawMolecule(mol2)
    d.FinishDrawing()
    svg = d.GetDrawingText()
    pos = [d.GetDrawCoords(i) for i in range(mol2.GetNumAtoms())]
    cx = sum(p.x for p in pos) / max(len(pos), 1)
    cy = sum(p.y for p in pos) / max(len(pos), 1)
    def key(row) -> tuple[str, str]:
        # one disc per residue instance: chain + number when given, else the label
        if "chain" in row and "auth_seq_id" in row:
            return (str(row["chain"]), str(row["auth_seq_id"]))
        return ("", str(row["label"]))

    order = site.sort_values([c for c in ("subunit", "uniprot_num", "chain", "label") if c in site.columns])
    residues: dict[tuple[str, str], tuple[str, str]] = {}
    for _, row in order.iterrows():
        lab = str(row["label"])
        if "chain" in row and not lab.endswith(")"):
            lab = f"{lab} ({row['chain']})"  # the same residue of two chains stays distinguishable
        residues.setdefault(key(row), (lab, str(row["subunit"])))
    names = _atom_index_by_name(mol2)
    inter_rows = []
    if interactions is not None:
        for col in ("type", "label"):
            if col not in interactions.columns:
                raise InvalidParameter(f"interactions table lacks column {col!r} (see toolkit.sites.INTERACTION_COLUMNS)")
        for _, row in interactions.iterrows():
            k = key(row) if "chain" in site.columns and "auth_seq_id" in site.columns else ("", str(row["label"]))
            if k not in residues:
                if str(row["type"]) != "water_bridge":
                    continue
                # a water bridge reaches past the contact cutoff of the site table: its residue gets a box too
                lab = str(row["label"])
                if k[0] and not lab.endswith(")"):
                    lab = f"{lab} ({k[0]})"
                residues[k] = (lab, str(row["subunit"]) if "subunit" in row else "other")
            if str(row["type"]) not in INTERACTION_COLORS:
                raise InvalidParameter(f"unknown interaction type {row['type']!r}; expected one of {sorted(INTERACTION_COLORS)}")
            idx = names.get(str(row.get("ligand_atom", "")).strip())
            start = (pos[idx].x, pos[idx].y) if idx is not None else (cx, cy)
            inter_rows.append((k, str(row["type"]), start))
    # Place residues on a circle; a residue that interacts sits near the direction of its
    # ligand atoms (fewer crossing lines), the others keep their sorted order in between.
    keys = list(residues)
    n = max(len(keys), 1)
    target: dict[tuple[str, str], float] = {}
    for k in keys:
        starts = [st for kk, _, st in inter_rows if kk == k]
        if starts:
            mx = sum(p[0] for p in starts) / len(starts) - cx
            my = sum(p[1] for p in starts) / len(starts) - cy
            target[k] = math.atan2(my, mx) % (2 * math.pi)
    rest = [k for k in keys if k not in target]
    anchored = sorted(target, key=target.get)
    slots = [2 * math.pi * i / n - math.pi / 2 for i in range(n)]
    placed: dict[tuple[str, str], float] = {}
    free = list(range(n))
    for k in anchored:
        best = min(free, key=lambda i: abs(math.remainder(slots[i] - target[k], 2 * math.pi)))
        placed[k] = slots[best]
        free.remove(best)
    for k, i in zip(rest, free):
        placed[k] = slots[i]
    fs = max(11, size // 45)
    box_w = {k: 0.62 * fs * len(residues[k][0]) + 12 for k in keys}
    box_h = fs + 10
    max_w = max(box_w.values(), default=60.0)
    centre = size / 2.0
    rx = centre - max_w / 2 - 6  # boxes stay inside the picture
    ry = centre - box_h / 2 - 26  # room for the title and the legend
    res_xy = {k: (centre + rx * math.cos(a), centre + ry * math.sin(a)) for k, a in placed.items()}

    def edge_point(k: tuple[str, str], x0: float, y0: float) -> tuple[float, float]:
        # where the line from (x0, y0) to the box centre meets the box: lines end at labels, never cross them
        x1, y1 = res_xy[k]
        dx, dy = x0 - x1, y0 - y1
        if abs(dx) < 1e-9 and abs(dy) < 1e-9:
            return x1, y1
        t = min((box_w[k] / 2) / abs(dx) if abs(dx) > 1e-9 else math.inf, (box_h / 2) / abs(dy) if abs(dy) > 1e-9 else math.inf)
        return x1 + dx * min(t, 1.0), y1 + dy * min(t, 1.0)

    parts = []
    used_types: list[str] = []
    for k, kind, (x0, y0) in inter_rows:
        col = INTERACTION_COLORS[kind]
        if kind not in used_types:
            used_types.append(kind)
        x1, y1 = edge_point(k, x0, y0)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{col}" '
            f'stroke-width="2" stroke-dasharray="6,4" class="interaction {html.escape(kind, quote=True)}"/>'
        )
    for k, (x, y) in res_xy.items():
        lab, sub = residues[k]
        col = subunit_color(sub)
        w = box_w[k]
        for fill, opacity in (("white", 1.0), (col, 0.3)):
            parts.append(f'<rect x="{x - w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{w:.1f}" height="{box_h}" rx="{box_h / 2:.1f}" '
                         f'fill="{fill}" fill-opacity="{opacity}" stroke="{col}" stroke-width="1.5" class="residue-box"/>')  # fmt: skip
        parts.append(
            f'<text x="{x:.1f}" y="{y + fs * 0.35:.1f}" font-family="sans-serif" font-size="{fs}" '
            f'text-anchor="middle" class="residue">{html.escape(lab)}</text>'
        )
    ly = size - 8
    lx = 8.0
    for t in used_types:
        parts.append(f'<line x1="{lx:.0f}" y1="{ly - 4}" x2="{lx + 18:.0f}" y2="{ly - 4}" stroke="{INTERACTION_COLORS[t]}" stroke-width="2" stroke-dasharray="6,4"/>')  # fmt: skip
        parts.append(f'<text x="{lx + 22:.0f}" y="{ly}" font-family="sans-serif" font-size="11">{html.escape(t)}</text>')
        lx += 30 + 7 * len(t)
    if title:
        parts.append(f'<text x="8" y="16" font-family="sans-serif" font-size="14">{html.escape(title)}</text>')
    end = svg.rfind("</svg>")
    return svg[:end] + "\n".join(parts) + "\n</svg>\n"
