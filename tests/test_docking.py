"""toolkit.docking: optional extra, receptor/ligand preparation, boxes, docking, analysis, panel batch.

Docking runs here use low exhaustiveness and few poses (2-core machine);
the validation redocking of S-ketamine over 5 seeds is marked slow.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from blocked_imports import run_without

from toolkit.errors import (
    EmptyReceptor,
    InvalidBox,
    InvalidMolecule,
    InvalidParameter,
    LigandPreparationError,
)

KETAMINE_S = "CN[C@]1(c2ccccc2Cl)CCCCC1=O"
EXTRA_MODULES = ("vina", "meeko", "dimorphite_dl", "spyrmsd", "posebusters")


def _has_extra() -> bool:
    from toolkit.docking import available

    return available()


needs_extra = pytest.mark.skipif(not _has_extra(), reason="the 'docking' extra is not installed")


# ------------------------------------------------------------------ optional extra
def test_core_works_and_docking_names_the_extra_when_it_is_missing():
    """With the extra's modules blocked: the core imports and works; docking calls raise MissingExtra."""
    run_without(EXTRA_MODULES, f"""
        import toolkit
        s = toolkit.load_structure("7EU8")
        site = toolkit.site_residues(s, "JC9")
        assert "GluN2B L643" in set(site["label"]), site
        from toolkit import docking
        from toolkit.errors import MissingExtra
        assert docking.available() is False
        r = docking.prepare_receptor(s)  # numpy only: works without the extra
        for call in (lambda: docking.prepare_ligand("{KETAMINE_S}"),
                     lambda: docking.dock_panel(r, ["{KETAMINE_S}"], {{"pore": docking.pore_box(s)}}),
                     lambda: toolkit.prepare_ligand("CCO")):
            try:
                call()
            except MissingExtra as exc:
                assert exc.extra == "docking" and "nmda-toolkit[docking]" in str(exc), exc
                assert isinstance(exc, ImportError)
            else:
                raise AssertionError("no MissingExtra")
        print("ok")
    """)


def test_import_toolkit_docking_stays_light():
    code = ("import sys, toolkit.docking, toolkit.docking.engine, toolkit.docking.panel; "
            "print(','.join(m for m in ('vina', 'meeko', 'rdkit', 'pandas', 'posebusters') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ------------------------------------------------------------------ receptor
@pytest.fixture(scope="module")
def receptor(s7eu8):
    from toolkit.docking import prepare_receptor

    return prepare_receptor(s7eu8)


def test_receptor_removes_the_bound_ligand_and_types_atoms(s7eu8, receptor):
    a = s7eu8.atoms
    assert receptor.removed == ["JC9 B:903"]
    assert receptor.chains == ["A", "B", "C", "D"]
    assert not np.isin(a["res_name"][receptor.atom_index], ["JC9", "NAG", "HOH"]).any()
    types = set(receptor.types.tolist())
    assert types <= {"C", "A", "N", "NA", "OA", "SA"}, types
    lines = [ln for ln in receptor.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    assert len(lines) == receptor.n_atoms + receptor.n_polar_h
    hd = [ln for ln in lines if ln[77:79].strip() == "HD"]
    assert len(hd) == receptor.n_polar_h > 1000
    # every HD sits 1.01 Å from the donor written just before it
    prev = {i: lines[i - 1] for i, ln in enumerate(lines) if ln[77:79].strip() == "HD"}
    for i, donor in list(prev.items())[:200]:
        d = np.linalg.norm(np.array([float(lines[i][30 + 8 * k: 38 + 8 * k]) for k in range(3)])
                           - np.array([float(donor[30 + 8 * k: 38 + 8 * k]) for k in range(3)]))  # fmt: skip
        assert d == pytest.approx(1.01, abs=0.01)
        assert donor[77:79].strip() in {"N", "OA"}
    # His ND1 is an acceptor (HIE tautomer), His NE2 a donor
    his_nd1 = (a["res_name"][receptor.atom_index] == "HIS") & (a["atom_name"][receptor.atom_index] == "ND1")
    assert set(receptor.types[his_nd1].tolist()) <= {"NA"}


def _types_of(structure, receptor, code):
    a = structure.atoms
    sel = a["res_name"][receptor.atom_index] == code
    return dict(zip(a["atom_name"][receptor.atom_index][sel].tolist(), receptor.types[sel].tolist()))


def _donors(receptor, code, chain, res_id):
    """Atom names of ``code`` written with an HD right after them."""
    lines = [ln for ln in receptor.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    return {lines[i - 1][12:16].strip() for i, ln in enumerate(lines) if ln[77:79].strip() == "HD"
            and lines[i - 1][17:20] == code and lines[i - 1][21] == chain and int(lines[i - 1][22:26]) == res_id}


def test_receptor_keeps_cofactors_typed_from_the_ccd(mirror):
    """Haem, tetrahydrobiopterin and GppCp keep CCD donors/acceptors; Fe/Mg are metals; acids are deprotonated."""
    import toolkit
    from toolkit.docking import prepare_receptor

    s = toolkit.load_structure(mirror / "complexes" / "6nhb.pdb.gz")
    r = prepare_receptor(s, remove=("KNS", "A", 803), keep=("ion", "ligand"))
    assert "HEM A:801" in r.kept_hetero and "H4B A:802" in r.kept_hetero and "KNS A:803" in r.removed
    hem = _types_of(s, r, "HEM")
    assert hem["FE"] == "Fe" and {hem[n] for n in ("NA", "NB", "NC", "ND")} == {"N"}  # pyrrole N bound to Fe
    assert {hem[n] for n in ("O1A", "O2A", "O1D", "O2D")} == {"OA"}
    # propionates are carboxylates at pH 7.4: no donor H; H4B amine/amide/hydroxyl H are donors
    assert not _donors(r, "HEM", "A", 801)
    assert _donors(r, "H4B", "A", 802) == {"N2", "N3", "N5", "N8", "O9", "O10"}  # amine, NH and hydroxyl H
    assert _types_of(s, r, "H4B")["N1"] == "NA"  # ring N without H: acceptor
    s2 = toolkit.load_structure(mirror / "complexes" / "4dst.pdb.gz")
    r2 = prepare_receptor(s2, remove=("9LI", "A", 201), keep=("ion", "ligand"))
    gcp = _types_of(s2, r2, "GCP")
    assert gcp["N7"] == "NA" and gcp["N9"] == "N" and gcp["PA"] == "P" and gcp["O6"] == "OA"
    assert _types_of(s2, r2, "MG")["MG"] == "Mg"
    assert _donors(r2, "GCP", "A", 202) == {"N1", "N2", "O2'", "O3'"}  # phosphate O-H deprotonated at pH 7.4


def test_receptor_keeps_crystal_waters_only_when_asked(mirror):
    """Default: no water; keep=(..., 'water'): every water O typed OA with one HD (donor and acceptor)."""
    import toolkit
    from toolkit.docking import prepare_receptor

    s = toolkit.load_structure(mirror / "complexes" / "4dst.pdb.gz")
    n_water = int((s.atoms["res_name"] == "HOH").sum())
    assert n_water > 10
    dry = prepare_receptor(s, remove=("9LI", "A", 201), keep=("ion", "ligand"))
    assert not (s.atoms["res_name"][dry.atom_index] == "HOH").any()
    wet = prepare_receptor(s, remove=("9LI", "A", 201), keep=("ion", "ligand", "water"))
    sel = s.atoms["res_name"][wet.atom_index] == "HOH"
    assert int(sel.sum()) == n_water and set(wet.types[sel].tolist()) == {"OA"}
    assert wet.n_polar_h == dry.n_polar_h + n_water
    lines = [ln for ln in wet.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    hoh = [i for i, ln in enumerate(lines) if ln[17:20] == "HOH"]
    assert all(lines[i + 1][77:79].strip() == "HD" and lines[i + 1][17:20] == "HOH" for i in hoh[::2])
    assert sum(1 for i in hoh if lines[i][77:79].strip() == "OA") == n_water


def test_receptor_chain_selection_and_empty_selection(s7eu8):
    from toolkit.docking import prepare_receptor

    r = prepare_receptor(s7eu8, chains=["B"], remove=("JC9", "B", 903))
    assert set(s7eu8.atoms["chain_id"][r.atom_index].tolist()) == {"B"}
    assert r.removed == ["JC9 B:903"]
    with pytest.raises(EmptyReceptor, match="no protein atom left"):
        prepare_receptor(s7eu8, chains=[])
    with pytest.raises(InvalidParameter, match="no protein chain Z"):
        prepare_receptor(s7eu8, chains=["Z"])


# ------------------------------------------------------------------ ligands
@needs_extra
def test_ketamine_is_protonated_at_74_by_its_sourced_pka_and_by_dimorphite():
    from rdkit import Chem

    from toolkit import load_panel
    from toolkit.docking import prepare_ligand, prepare_ligand_states, protonation_states

    panel = load_panel()
    row = panel[panel["name"] == "esketamine ((S)-ketamine)"].iloc[0]
    assert row["pka"] == 7.5
    lig = prepare_ligand(row)
    assert lig.state == "cation (+1)" and lig.formal_charge == 1 and lig.ph == 7.4
    assert "pKa 7.5" in lig.protonation
    assert lig.smiles == "C[NH2+][C@]1(c2ccccc2Cl)CCCCC1=O"
    dimo = prepare_ligand(KETAMINE_S)  # no pKa: Dimorphite-DL agrees
    assert dimo.state == "cation (+1)" and "Dimorphite" in dimo.protonation
    # both states are populated at 7.4 (56 % / 44 %); at pH 9.5 the neutral amine dominates
    states = protonation_states(KETAMINE_S, 7.4, 7.5)
    assert [round(f, 3) for _, _, f in states] == [0.557, 0.443]
    assert [x.state for x in prepare_ligand_states(row)] == ["cation (+1)", "neutral"]
    assert prepare_ligand(KETAMINE_S, pka=7.5, ph=9.5).state == "neutral"
    assert len(protonation_states(KETAMINE_S, 7.4, 7.5, states="majority")) == 1
    # hydrogens explicit, 3D, stereo kept
    m = lig.mol
    assert m.GetNumAtoms() > m.GetNumHeavyAtoms() and m.GetConformer().Is3D()
    assert [lab for _, lab in Chem.FindMolChiralCenters(m)] == ["S"]
    assert "ROOT" in lig.pdbqt and "REMARK SMILES" in lig.pdbqt


@needs_extra
def test_ligand_embedding_is_seeded_and_structure_ligands_use_the_ccd(s7eu8):
    from rdkit import Chem

    from toolkit.docking import prepare_ligand

    a = prepare_ligand(KETAMINE_S, pka=7.5, seed=7).mol.GetConformer().GetPositions()
    b = prepare_ligand(KETAMINE_S, pka=7.5, seed=7).mol.GetConformer().GetPositions()
    c = prepare_ligand(KETAMINE_S, pka=7.5, seed=8).mol.GetConformer().GetPositions()
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    jc9 = prepare_ligand((s7eu8, "JC9"), pka=7.5)
    assert jc9.name == "JC9" and jc9.reference is not None and "CCD" in jc9.source
    assert jc9.reference.GetNumAtoms() == 16
    assert Chem.MolToSmiles(Chem.RemoveHs(jc9.mol)) == "C[NH2+][C@]1(c2ccccc2Cl)CCCCC1=O"


@needs_extra
def test_ring_conformers_are_distinct_puckers_lowest_energy_first():
    """Non-aromatic 4-6 rings get up to RING_CONFORMERS distinct puckers (ligand module docstring); others one."""
    from rdkit import Chem

    from toolkit.docking import prepare_ligand
    from toolkit.docking.ligand import RING_CONFORMERS, RING_TORSION_TOL, _ring_torsions

    # the 6nhb nNOS inhibitor KNS: a 3-ethoxy-N-methylpyrrolidine (envelope puckers)
    kns = prepare_ligand("CCO[C@@H]1C[C@H](CCc2cc(F)c(F)c(CCc3cc(C)cc(N)n3)c2)N(C)C1", ring_conformers=3)
    assert 1 <= len(kns.conformers) <= RING_CONFORMERS
    assert kns.conformers[0][0] is kns.mol and kns.conformers[0][1] == kns.pdbqt
    tors = [_ring_torsions(m) for m, _ in kns.conformers]
    assert all(t.shape == (5,) for t in tors)
    for i in range(len(tors)):
        for j in range(i):
            assert np.max(np.abs((tors[i] - tors[j] + 180) % 360 - 180)) > RING_TORSION_TOL
    pops = []
    for m, text in kns.conformers:
        pops.append(m.GetDoubleProp("ring_population"))
        assert "ROOT" in text and Chem.MolToSmiles(Chem.RemoveHs(m)) == kns.smiles
    assert pops == sorted(pops, reverse=True) and min(pops) >= 0.1 and sum(pops) <= 1.0 + 1e-9
    # a strained pucker is not docked: the fused cyclohexane of 4cum WS7 keeps its chair alone
    ws7 = prepare_ligand("C[C@]12CCCCC1=Nc1c(nc(N)[nH]c1=O)N2", ring_conformers=3)
    assert len(ws7.conformers) == 1 and np.all(np.abs(_ring_torsions(ws7.mol)[:6]) > 40)  # chair: |torsions| ~55
    # ketamine's cyclohexanone: the two chairs (aryl equatorial / axial)
    ket = prepare_ligand(KETAMINE_S, pka=7.5, ring_conformers=3)
    assert len(ket.conformers) == 2
    t1, t2 = (_ring_torsions(m) for m, _ in ket.conformers)
    assert np.all(np.abs(t1) > 20) and np.all(np.abs(t2) > 20) and np.all(np.sign(t1) == -np.sign(t2))  # chair flip
    # seeded: the same conformers again
    again = prepare_ligand("CCO[C@@H]1C[C@H](CCc2cc(F)c(F)c(CCc3cc(C)cc(N)n3)c2)N(C)C1", ring_conformers=3)
    assert [x[1] for x in again.conformers] == [x[1] for x in kns.conformers]
    # aromatic rings only (9LI of 4dst): one embedding; the default (ring_conformers=1): one embedding
    assert len(prepare_ligand("Cc1[nH]c2cc(Cl)cc(Cl)c2c1CCN", ring_conformers=3).conformers) == 1
    assert len(prepare_ligand(KETAMINE_S, pka=7.5).conformers) == 1
    with pytest.raises(InvalidParameter, match="ring_conformers"):
        prepare_ligand(KETAMINE_S, ring_conformers=0)


@needs_extra
def test_dock_pools_the_ring_puckers_with_vinas_rule(s7eu8, receptor):
    """ring_conformers=3: each pucker docked with the same seed, poses pooled by score, none within MIN_RMSD."""
    from toolkit.docking import box_from_ligand, dock, prepare_ligand
    from toolkit.docking.engine import MIN_RMSD

    lig = prepare_ligand((s7eu8, "JC9"), pka=7.5, ring_conformers=3)  # the cation: both chairs
    assert len(lig.conformers) == 2
    box = box_from_ligand(s7eu8, "JC9")
    res = dock(receptor, lig, box, seed=5, exhaustiveness=1, n_poses=4)
    assert res.settings["ring_conformers"] == 2 and 2 <= len(res.mols) <= 4
    assert res.poses["score"].is_monotonic_increasing
    assert res.poses["score"].max() <= res.poses["score"].min() + 3.0  # Vina's energy range
    assert [m.GetIntProp("conformer") for m in res.mols] == res.poses["conformer"].tolist()
    heavy = [a.GetAtomicNum() > 1 for a in res.mols[0].GetAtoms()]
    xyz = [m.GetConformer().GetPositions()[heavy] for m in res.mols]
    conf = res.poses["conformer"].tolist()
    for i in range(len(xyz)):
        for j in range(i):
            if conf[i] != conf[j]:
                assert np.sqrt(((xyz[i] - xyz[j]) ** 2).sum(1).mean()) >= MIN_RMSD
    # each pucker's own run, as dock gives it for that pucker alone: the pooled top pose is the best of them
    singles = []
    for m, text in lig.conformers:
        one = dataclasses.replace(lig, mol=m, pdbqt=text, conformers=[(m, text)])
        singles.append(dock(receptor, one, box, seed=5, exhaustiveness=1, n_poses=4).best_score)
    assert res.best_score == min(singles)


@needs_extra
def test_bad_ligands_are_named_errors():
    from toolkit.docking import prepare_ligand

    with pytest.raises(InvalidMolecule, match="cannot be parsed"):
        prepare_ligand("C1CC(")
    with pytest.raises(LigandPreparationError, match="could not embed"):
        prepare_ligand("C1#CC1")  # cyclopropyne: no 3D embedding exists
    with pytest.raises(LigandPreparationError, match="not an atom"):
        prepare_ligand("[Xe]")
    with pytest.raises(InvalidParameter, match="ph must be between"):
        prepare_ligand("CCN", ph=15)


# ------------------------------------------------------------------ boxes
def test_boxes_from_ligand_residues_and_pocket_rows(s7eu8, receptor):
    from toolkit.docking import (
        box_from_ligand,
        box_from_pocket,
        box_from_residues,
        pore_box,
        validate_box,
    )

    lig = s7eu8.coord[s7eu8.ligand_atoms("JC9")]
    b = box_from_ligand(s7eu8, "JC9")
    assert np.allclose(b.size, lig.max(0) - lig.min(0) + 8.0)
    assert np.allclose(b.center, (lig.max(0) + lig.min(0)) / 2)
    assert b.contains(lig).all()
    rings = ["GluN1 N616", "GluN1 V644", "GluN1 T648", "GluN2B N615", "GluN2B L643", "GluN2B T647"]
    r = box_from_residues(s7eu8, rings)
    p = pore_box(s7eu8)
    assert p.center == r.center and p.size == r.size and "GluN2B L643" in p.source
    # the literature pore box (blind to the ligand) holds the deposited ketamine
    assert p.contains(lig).all()
    validate_box(p, receptor)
    with pytest.raises(InvalidParameter, match="not found"):
        box_from_residues(s7eu8, ["GluN2A L642"])
    with pytest.raises(InvalidParameter, match="not '<subunit>"):
        box_from_residues(s7eu8, ["L643"])
    from toolkit import find_pockets

    row = find_pockets(s7eu8).iloc[0]
    pb = box_from_pocket(row)
    assert pb.size == (20.0, 20.0, 20.0) and pb.center == (row.center_x, row.center_y, row.center_z)
    assert box_from_pocket({"center_x": 1, "center_y": 2, "center_z": 3, "size": 14.0}).size == (14.0,) * 3
    assert box_from_pocket({"center_x": 1, "center_y": 2, "center_z": 3}, size=(10, 12, 14)).size == (10, 12, 14)
    with pytest.raises(InvalidParameter, match="center_x"):
        box_from_pocket({"x": 1})


def test_bad_boxes_are_named_errors(receptor):
    from toolkit.docking import Box, validate_box

    with pytest.raises(InvalidBox, match="outside the protein"):
        validate_box(Box((0.0, 0.0, 0.0), (20.0, 20.0, 20.0)), receptor)
    centre = tuple(receptor.coord.mean(axis=0))
    with pytest.raises(InvalidBox, match="above Vina's search-space limit"):
        validate_box(Box(centre, (40.0, 40.0, 40.0)), receptor)
    with pytest.raises(InvalidBox, match="edges positive"):
        Box(centre, (10.0, -1.0, 10.0))
    with pytest.raises(InvalidBox, match="three"):
        Box((1.0, 2.0), (10.0, 10.0, 10.0))
    assert issubclass(InvalidBox, InvalidParameter)


# ------------------------------------------------------------------ docking
@pytest.fixture(scope="module")
def quick_result(s7eu8, receptor):
    from toolkit.docking import box_from_ligand, dock_states, prepare_ligand_states

    states = prepare_ligand_states((s7eu8, "JC9"), pka=7.5)
    return dock_states(receptor, states, box_from_ligand(s7eu8, "JC9"), site="pore", seed=3, exhaustiveness=2,
                       n_poses=3)  # fmt: skip


@needs_extra
def test_docking_returns_rdkit_poses_with_prepared_bond_orders(quick_result, s7eu8, receptor):
    from rdkit import Chem

    from toolkit.docking import POSE_COLUMNS, box_from_ligand, dock, prepare_ligand

    res = quick_result
    assert list(res.poses.columns) == POSE_COLUMNS
    assert 2 <= len(res.mols) <= 6 and len(res.poses) == len(res.mols)
    assert res.poses["score"].is_monotonic_increasing and res.best_score < -4.0
    assert set(res.poses["state"]) <= {"cation (+1)", "neutral"}
    smiles = {Chem.MolToSmiles(Chem.RemoveHs(m)) for m in res.mols}
    assert smiles <= {"C[NH2+][C@]1(c2ccccc2Cl)CCCCC1=O", "CN[C@]1(c2ccccc2Cl)CCCCC1=O"}
    box = box_from_ligand(s7eu8, "JC9")
    for m in res.mols:
        heavy = np.array([a.GetAtomicNum() > 1 for a in m.GetAtoms()])
        assert box.contains(m.GetConformer().GetPositions()[heavy], margin=0.5).all()
    assert res.settings["seed"] == 3 and res.settings["exhaustiveness"] == 2
    assert set(res.poses["conformer"]) == {1}  # default: one embedding per state
    # same seed, same result
    lig = prepare_ligand((s7eu8, "JC9"), pka=7.5)
    r1 = dock(receptor, lig, box, seed=11, exhaustiveness=1, n_poses=2)
    r2 = dock(receptor, lig, box, seed=11, exhaustiveness=1, n_poses=2)
    assert r1.poses["score"].tolist() == r2.poses["score"].tolist()
    assert np.allclose(r1.mols[0].GetConformer().GetPositions(), r2.mols[0].GetConformer().GetPositions())
    with pytest.raises(InvalidParameter, match="exhaustiveness"):
        dock(receptor, lig, box, exhaustiveness=0)


@needs_extra
def test_pose_analysis_labels_residues_by_subunit_and_uniprot(quick_result):
    from toolkit.docking import contact_recall, pose_contacts, posebusters_flags, symmetry_rmsd
    from toolkit.sites import INTERACTION_COLUMNS, SITE_COLUMNS

    site, inter = pose_contacts(quick_result, poses=2)
    assert list(site.columns) == ["pose", "name", *SITE_COLUMNS]
    assert list(inter.columns) == ["pose", "name", *INTERACTION_COLUMNS]
    assert set(site["pose"]) == {1, 2}
    top = set(site.loc[site["pose"] == 1, "label"])
    assert top & {"GluN2B L643", "GluN1 V644", "GluN1 N616", "GluN2B N615", "GluN2B T647"}
    assert all(lab.startswith(("GluN1 ", "GluN2B ")) for lab in top)
    flags = posebusters_flags(quick_result, poses=2)
    assert len(flags) == 2 and all(isinstance(f, str) for f in flags)
    ref = quick_result.ligand.reference
    assert symmetry_rmsd(ref, ref) == pytest.approx(0.0, abs=1e-6)
    rmsd = symmetry_rmsd(quick_result.mols[0], ref)
    assert 0.0 < rmsd < 10.0
    assert contact_recall(["a", "b"], ["a", "c"]) == 0.5 and np.isnan(contact_recall(["a"], []))


@needs_extra
@pytest.mark.filterwarnings("ignore::toolkit.errors.AssetWarning")
def test_pose_view_score_plot_and_report_section(quick_result, tmp_path):
    from toolkit.docking import DOCK_COLUMNS, pose_view, report_section, score_plot

    view = pose_view(quick_result, 1)
    path = view.to_html(tmp_path / "pose.html")
    text = path.read_text() if hasattr(path, "read_text") else (tmp_path / "pose.html").read_text()
    assert "UNL" in text and "GluN2B" in text
    with pytest.raises(InvalidParameter, match="pose must be between"):
        pose_view(quick_result, 99)
    table = pd.DataFrame([
        {**dict.fromkeys(DOCK_COLUMNS), "ligand": "esketamine", "site": "pore", "best_score": -6.4,
         "measured_nM": 300.0, "status": "ok", "ph": 7.4, "seed": 1, "exhaustiveness": 8},
        {**dict.fromkeys(DOCK_COLUMNS), "ligand": "xenon", "site": "pore", "status": "preparation_failed",
         "message": "one atom", "measured_nM": np.nan, "ph": 7.4},
    ])  # fmt: skip
    fig = score_plot(table)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and len(ax.collections) == 1
    assert any("assays" in t.get_text() for t in fig.texts)
    html = report_section(table)
    assert html.startswith("<section") and "<svg" in html and "preparation_failed" in html and "assays" in html
    with pytest.raises(InvalidParameter, match="dock_panel table"):
        score_plot(pd.DataFrame({"x": [1]}))


# ------------------------------------------------------------------ panel batch
PANEL_LIGANDS = [("esketamine", KETAMINE_S), ("xenon", "[Xe]"), ("broken", "C1CC("), ("memantine", "CC12CC3CC(C)(C1)CC(N)(C3)C2")]


@pytest.fixture(scope="module")
def panel_sites(s7eu8):
    from toolkit.docking import Box, pore_box

    return {"pore": pore_box(s7eu8), "nowhere": Box((0.0, 0.0, 0.0), (20.0, 20.0, 20.0), "test")}


@pytest.fixture(scope="module")
def panel_serial(receptor, panel_sites):
    from toolkit.docking import dock_panel

    return dock_panel(receptor, PANEL_LIGANDS, panel_sites, exhaustiveness=1, n_poses=2, return_results=True)


@needs_extra
def test_panel_reports_every_ligand_and_site_with_a_status(panel_serial):
    from toolkit.docking import DOCK_COLUMNS, DOCK_STATUSES

    df, results = panel_serial
    assert list(df.columns) == DOCK_COLUMNS
    assert len(df) == 8 and set(df["status"]) <= set(DOCK_STATUSES)
    status = dict(zip(zip(df["ligand"], df["site"]), df["status"]))
    assert status[("esketamine", "pore")] == "ok" and status[("memantine", "pore")] == "ok"
    assert status[("esketamine", "nowhere")] == "invalid_box"
    assert status[("xenon", "pore")] == status[("broken", "pore")] == "preparation_failed"
    msg = dict(zip(zip(df["ligand"], df["site"]), df["message"]))
    assert "outside the protein" in msg[("esketamine", "nowhere")]
    assert "cannot be parsed" in msg[("broken", "pore")]
    ok = df[df["status"] == "ok"]
    assert (ok["best_score"] < 0).all() and ok["key_contacts"].str.contains("GluN").all()
    # the state of the top pose: ketamine's two states are pooled and its cation scores best (seeded, deterministic);
    # memantine (primary amine, far from pH 7.4) has the cation alone
    assert ok["state"].tolist() == ["cation (+1)", "cation (+1)"]
    assert df.attrs["note"].startswith("Vina scores")
    assert set(results) == {("esketamine", "pore"), ("memantine", "pore")}
    r = results[("esketamine", "pore")]
    # every returned pose is analysed: contacts and PoseBusters checks
    assert set(r.extra["site"]["pose"]) == set(range(1, len(r.mols) + 1))
    assert len(r.extra["posebusters"]) == len(r.mols)


@needs_extra
@pytest.mark.slow
def test_panel_parallel_and_dask_equal_serial(receptor, panel_sites, panel_serial):
    from toolkit.docking import dock_panel

    serial = panel_serial[0].drop(columns=["seconds"])
    par, par_results = dock_panel(receptor, PANEL_LIGANDS, panel_sites, exhaustiveness=1, n_poses=2, n_jobs=2,
                                  return_results=True)  # fmt: skip
    pd.testing.assert_frame_equal(serial, par.drop(columns=["seconds"]))
    # the parallel run docks each protonation state as its own task and pools them as dock_states does
    assert set(par_results) == set(panel_serial[1])
    for key, r in par_results.items():
        s_res = panel_serial[1][key]
        pd.testing.assert_frame_equal(r.poses, s_res.poses)
        assert [m.GetDoubleProp("score") for m in r.mols] == r.poses["score"].tolist()
        assert [m.GetProp("state") for m in r.mols] == r.poses["state"].tolist()
        pd.testing.assert_frame_equal(r.extra["site"], s_res.extra["site"])
        assert r.extra["posebusters"] == s_res.extra["posebusters"]
    dsk = dock_panel(receptor, PANEL_LIGANDS, panel_sites, exhaustiveness=1, n_poses=2, n_jobs=2,
                     engine="dask").drop(columns=["seconds"])  # fmt: skip
    pd.testing.assert_frame_equal(serial, dsk)


@needs_extra
def test_panel_bad_arguments(receptor, panel_sites):
    from toolkit.docking import dock_panel

    with pytest.raises(InvalidParameter, match="n_jobs"):
        dock_panel(receptor, PANEL_LIGANDS, panel_sites, n_jobs=0)
    with pytest.raises(InvalidParameter, match="engine"):
        dock_panel(receptor, PANEL_LIGANDS, panel_sites, engine="threads")
    with pytest.raises(InvalidParameter, match="at least one"):
        dock_panel(receptor, PANEL_LIGANDS, {})
    with pytest.raises(InvalidParameter, match="SMILES strings"):
        dock_panel(receptor, [42], panel_sites)


# ------------------------------------------------------------------ validation
@needs_extra
@pytest.mark.slow
def test_redocking_s_ketamine_into_7eu8_over_five_seeds(s7eu8, receptor):
    """Redocking into the box of the bound ligand (the standard protocol; the box is centred on JC9).

    Preparation: both ketamine states populated at pH 7.4 (pKa 7.5: cation 56 %,
    neutral 44 %), ETKDG seed fixed, receptor with polar H (pH 7.4 states).
    Bars (issue 11): top-pose centroid within 2.5 Å of the deposited one in
    >= 3 of 5 seeds; median recall of the deposited 4.5 Å contact residues
    of the top pose >= 0.7; a pose within 3.0 Å symmetry-aware RMSD among
    the returned poses in every seed (9 poses per state: up to 18). Measured
    during development: centroid 2.16-2.25 Å in 5/5 seeds, recall 1.0, best
    pose 2.54-2.85 Å; the cation alone gives top 4.2 Å and best 3.25-3.57 Å,
    the neutral amine alone best 2.5-2.6 Å but centroid 2.97 Å.
    """
    import toolkit
    from toolkit.docking import (
        box_from_ligand,
        contact_recall,
        dock_states,
        pose_contacts,
        prepare_ligand_states,
        symmetry_rmsd,
    )
    from toolkit.docking.engine import pose_centroid

    states = prepare_ligand_states((s7eu8, "JC9"), pka=7.5)
    ref = states[0].reference
    ref_centroid = ref.GetConformer().GetPositions().mean(axis=0)
    deposited = set(toolkit.site_residues(s7eu8, "JC9", cutoff=4.5, with_interactions=False)["label"])
    box = box_from_ligand(s7eu8, "JC9")
    centroid_ok, recalls, best = 0, [], []
    for seed in range(1, 6):
        res = dock_states(receptor, states, box, site="pore", seed=seed, exhaustiveness=8, n_poses=9)
        site, _ = pose_contacts(res, poses=1)
        centroid_ok += np.linalg.norm(pose_centroid(res.mols[0]) - ref_centroid) <= 2.5
        recalls.append(contact_recall(site["label"], deposited))
        best.append(min(symmetry_rmsd(m, ref) for m in res.mols))
    assert centroid_ok >= 3, centroid_ok
    assert np.median(recalls) >= 0.7, recalls
    assert max(best) <= 3.0, best


def test_rule_protonation_keeps_h_off_a_metal_bound_histidine_nitrogen(mirror):
    """4GQL (zinc enzyme): with the default rule a His ring N within 2.6 Å of a Zn (found here from
    the geometry) is an acceptor without H and the other ring N the donor; His far from any metal
    stay HIE (NE2 donor, ND1 acceptor)."""
    import warnings

    import toolkit
    from toolkit.docking import prepare_receptor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = toolkit.load_structure(mirror / "complexes" / "4gql.pdb.gz")
        r = prepare_receptor(s, keep=("ion",))
    lines = [ln for ln in r.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    typed, donors = {}, set()
    for before, ln in zip(["", *lines], lines):
        if ln[77:79].strip() == "HD":  # the donor is the heavy atom written just before its H
            donors.add((before[21], int(before[22:26]), before[12:16].strip()))
        elif ln.startswith("ATOM") and ln[17:20] == "HIS":
            typed[(ln[21], int(ln[22:26]), ln[12:16].strip())] = ln[77:79].strip()
    a = s.atoms
    zn = s.coord[a["res_name"] == "ZN"]
    ring = np.flatnonzero((a["res_name"] == "HIS") & np.isin(a["atom_name"], ["ND1", "NE2"]))
    bound = {(str(a["chain_id"][i]), int(a["res_id"][i]), str(a["atom_name"][i]))
             for i in ring.tolist() if np.linalg.norm(zn - s.coord[i], axis=1).min() <= 2.6}  # fmt: skip
    assert len(bound) >= 6 and {b[2] for b in bound} == {"ND1", "NE2"}  # both tautomers occur
    for c, n, atom in bound:
        other = (c, n, {"ND1": "NE2", "NE2": "ND1"}[atom])
        assert typed[(c, n, atom)] == "NA" and (c, n, atom) not in donors
        assert typed[other] == "N" and other in donors
    free = {(k[0], k[1]) for k in typed} - {(b[0], b[1]) for b in bound}
    assert len(free) >= 3
    for c, n in free:
        if (c, n, "NE2") in typed and (c, n, "ND1") in typed:
            assert (c, n, "NE2") in donors and (c, n, "ND1") not in donors and typed[(c, n, "ND1")] == "NA"
