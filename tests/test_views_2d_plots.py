"""2D depictions (RDKit SVG) and matplotlib plots, from real inputs."""

from __future__ import annotations

import re

import matplotlib

from toolkit.errors import InvalidMolecule, InvalidParameter

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from browser.helpers import site_tables

from toolkit.views import (
    interaction_diagram_svg,
    interaction_heatmap,
    ligand_grid_svg,
    property_space_plot,
    residue_contact_plot,
)
from toolkit.views.palette import INTERACTION_COLORS, SUBUNIT_COLORS

KETAMINE = "CN[C@@]1(CCCCC1=O)c1ccccc1Cl"  # S-ketamine (esketamine)
NORKETAMINE = "N[C@@]1(CCCCC1=O)c1ccccc1Cl"
MEMANTINE = "CC12CC3CC(C)(C1)CC(N)(C3)C2"


@pytest.fixture(scope="module")
def tables(s7eu8):
    return site_tables(s7eu8, "JC9", "B", 903)


def _jc9_mol():
    """JC9 from the CCD (bond orders/charges from the template), atom names kept."""
    import biotite.structure.info as info
    from biotite.interface.rdkit import to_mol

    res = info.residue("JC9")
    res = res[res.element != "H"]
    mol = to_mol(res, explicit_hydrogen=False)
    for atom, name in zip(mol.GetAtoms(), res.atom_name):
        atom.SetProp("atom_name", str(name))
    return mol


def test_ligand_grid_names_properties_highlight():
    from rdkit import Chem
    from rdkit.Chem import Crippen, rdMolDescriptors

    smiles = [KETAMINE, NORKETAMINE, MEMANTINE]
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    props = pd.DataFrame({
        "cLogP": [Crippen.MolLogP(m) for m in mols], "TPSA": [rdMolDescriptors.CalcTPSA(m) for m in mols],
    })  # fmt: skip
    core = Chem.MolFromSmarts("NC1(CCCCC1=O)c1ccccc1Cl")
    hl = [list(m.GetSubstructMatch(core)) for m in mols]
    assert len(hl[0]) == 15 and len(hl[1]) == 15 and hl[2] == []
    svg = ligand_grid_svg(mols, ["ketamine", "norketamine", "memantine <NMDA>"], properties=props, highlight_atoms=hl, mols_per_row=2)
    for name in ("ketamine", "norketamine", "memantine &lt;NMDA&gt;"):
        assert f">{name}</text>" in svg
    assert f"TPSA={props['TPSA'][0]:.2f}".rstrip("0") in svg
    assert re.search(r"width='500' height='\d+'", svg)
    # highlighted atoms are drawn with RDKit's highlight colour (default light red)
    assert svg.count("#FF7F7F") > 0
    with pytest.raises(InvalidParameter, match="out of range"):
        ligand_grid_svg(mols[:1], ["k"], highlight_atoms=[[99]])
    with pytest.raises(InvalidMolecule, match="invalid SMILES"):
        ligand_grid_svg(["C1CC"], ["bad"])


def test_interaction_diagram_from_real_tables(tables):
    site, inter = tables
    svg = interaction_diagram_svg(_jc9_mol(), site, inter, title="7EU8 JC9")
    # one disc per residue instance (GluN1 V644 of chains A and C are two discs)
    assert len(re.findall(r'class="residue"', svg)) == len(site) == len(site.drop_duplicates(["chain", "auth_seq_id"]))
    for lab, ch in zip(site["label"], site["chain"]):
        assert svg.count(f">{lab} ({ch})</text>") == 1  # chain-qualified: GluN1 V644 (A) and (C)
    # labels sit in boxes inside the picture; lines end on a box edge, never inside a label
    size = 600
    boxes = [tuple(map(float, b)) for b in re.findall(r'<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"[^>]*fill="white"', svg)]
    assert len(boxes) == len(site)
    for x, y, w, h in boxes:
        assert 0 <= x and x + w <= size and 0 <= y and y + h <= size
    ends = [tuple(map(float, e)) for e in re.findall(r'x2="([\d.]+)" y2="([\d.]+)" stroke="#[0-9A-F]+"[^>]*class="interaction', svg)]
    for ex, ey in ends:
        inside = [(x + 0.5 < ex < x + w - 0.5 and y + 0.5 < ey < y + h - 0.5) for x, y, w, h in boxes]
        on_edge = [(x - 0.6 <= ex <= x + w + 0.6 and y - 0.6 <= ey <= y + h + 0.6) for x, y, w, h in boxes]
        assert not any(inside) and any(on_edge)
    lines = re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="[\d.]+" y2="[\d.]+" stroke="(#[0-9A-F]+)"[^>]*class="interaction', svg)
    assert len(lines) == len(inter)
    assert {c for *_, c in lines} == {INTERACTION_COLORS[t] for t in inter["type"]}
    # lines start at the named ligand atoms (not all at one point)
    assert len({(x, y) for x, y, _ in lines}) > 1
    assert SUBUNIT_COLORS["GluN2B"] in svg and SUBUNIT_COLORS["GluN1"] in svg


def test_property_space_plot():
    from rdkit import Chem
    from rdkit.Chem import Crippen, rdMolDescriptors

    names = ["ketamine", "norketamine", "memantine"]
    mols = [Chem.MolFromSmiles(s) for s in (KETAMINE, NORKETAMINE, MEMANTINE)]
    df = pd.DataFrame({"name": names, "clogp": [Crippen.MolLogP(m) for m in mols], "tpsa": [rdMolDescriptors.CalcTPSA(m) for m in mols]})
    ax = property_space_plot(df)
    texts = [t.get_text() for t in ax.texts]
    assert texts == names
    (rect,) = ax.patches
    assert rect.get_height() == 90 and rect.get_x() == 2 and rect.get_width() == 3
    hl = ax.collections[1].get_offsets()
    assert np.allclose(hl[0], [df.clogp[0], df.tpsa[0]])  # ketamine drawn as the highlighted point
    with pytest.raises(InvalidParameter, match="lacks columns"):
        property_space_plot(df.drop(columns=["tpsa"]))


def test_residue_contacts_and_heatmap(tables):
    site, inter = tables
    ax = residue_contact_plot(site)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    agg = site.groupby("label")["n_contacts"].sum()
    assert sorted(labels) == sorted(agg.index)
    heights = {lab: p.get_height() for lab, p in zip(labels, ax.patches)}
    assert heights == {k: float(v) for k, v in agg.items()}
    inter2 = pd.concat([inter, inter.assign(entry="7EU7")], ignore_index=True)
    ax, mat = interaction_heatmap(inter2)
    assert list(mat.columns) == ["7EU7", "7EU8"]
    assert mat.loc["GluN2B L643", "7EU8"] == (inter["label"] == "GluN2B L643").sum()
    assert int(mat.to_numpy().sum()) == len(inter2)


def test_property_space_labels_avoid_most_overlaps():
    """Every panel compound is labelled; placed labels overlap far less than fixed offsets would."""
    import itertools

    import toolkit
    from toolkit.views.plots import property_space_plot

    panel = toolkit.load_panel()
    props = toolkit.compute_properties(panel["isomeric_smiles"].tolist())
    props.insert(0, "name", panel["name"].to_numpy())
    ax = property_space_plot(props)
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent(ax.figure.canvas.get_renderer()) for t in ax.texts]
    assert sorted(t.get_text() for t in ax.texts) == sorted(panel["name"])
    pairs = sum(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    assert pairs <= 15  # 39 with every label at the same (3, 3) offset


def test_user_text_is_never_parsed_as_mathtext(tmp_path):
    """Names with '$' (valid in user files) draw as plain text instead of breaking the figure."""
    import io

    from toolkit.views.plots import interaction_heatmap, property_space_plot, residue_contact_plot

    odd = ["cpd $\\frac{1}$ x", "cost $5", "a_b^c"]
    df = pd.DataFrame({"name": odd, "clogp": [1.0, 2.0, 3.0], "tpsa": [20.0, 40.0, 60.0]})
    ax = property_space_plot(df)
    ax.figure.savefig(io.BytesIO(), format="svg")
    assert sorted(t.get_text() for t in ax.texts) == sorted(odd)
    site = pd.DataFrame({"label": odd, "subunit": ["GluN1"] * 3, "n_contacts": [1, 2, 3]})
    residue_contact_plot(site).figure.savefig(io.BytesIO(), format="svg")
    inter = pd.DataFrame({"label": odd, "entry": odd, "type": ["hydrophobic"] * 3})
    interaction_heatmap(inter)[0].figure.savefig(io.BytesIO(), format="svg")
