"""Pocket search and lateral candidates (toolkit.sites.pockets) on real mirror entries."""

from __future__ import annotations

import re

import numpy as np
import pytest
from structure_edits import rotated, with_atoms, with_coord

from toolkit.errors import InvalidParameter, NoTransmembraneDomain, ToolkitError
from toolkit.sites.pockets import (
    KETAMINE_VOLUME,
    LATERAL_MIN_HYDROPHOBICITY,
    LATERAL_MIN_VOLUME,
    MIN_BURIEDNESS,
    POCKET_COLUMNS,
    drug_like_ligands,
    find_pockets,
    lateral_candidates,
    pocket_points,
    tmd_frame,
)

#: The vestibule must be among this many top-ranked pockets of the whole assembly.
TOP_N = 3
LABEL = re.compile(r"^\S+ [A-Z]\d+$|^\S+ [A-Z]-?\d+\S* \(auth ?\S*\)$")


@pytest.fixture(scope="module")
def p7eu8(s7eu8):
    return find_pockets(s7eu8)


@pytest.fixture(scope="module")
def p7eos(s7eos):
    return find_pockets(s7eos)


@pytest.fixture(scope="module")
def s4kcc():
    from toolkit import load_structure

    return load_structure("4KCC")


def _jc9_centroid(s):
    return s.atoms["coord"][s.ligand_atoms("JC9", chain="B", res_id=903)].astype(np.float64).mean(axis=0)


def _min_dist(points, xyz):
    return float(np.linalg.norm(points - xyz, axis=1).min())


# ------------------------------------------------------------------ schema
@pytest.mark.parametrize("fixture", ["p7eu8", "p7eos"])
def test_schema_and_invariants(fixture, request):
    df = request.getfixturevalue(fixture)
    assert list(df.columns) == POCKET_COLUMNS
    assert len(df) > 10
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    assert df["pocket_id"].is_unique
    assert (np.diff(df["score"].to_numpy()) <= 0).all()
    assert np.allclose(df["volume"], df["n_points"] * 1.0**3)
    assert np.allclose(df["score"], df["deep_volume"])  # score = volume of the core (>= 6/7) points
    assert (df["deep_volume"] <= df["volume"]).all()
    assert df["buriedness"].between(MIN_BURIEDNESS - 1e-9, 1).all()  # every point: > half the lines enclosed
    assert df["stability"].between(0, 1).all() and df["druggability"].between(0, 1).all()
    assert df["stability"].median() > 0.7  # pockets mostly reproduce on the half-step shifted lattice
    assert df["hydrophobicity"].between(0, 1).all()
    assert (df["volume"] >= 50).all()
    assert set(df["faces"]) <= {"pore", "membrane", "both", "none"}
    assert (df.loc[~df["in_tmd"], "faces"] == "none").all()
    assert df["in_tmd"].any() and (~df["in_tmd"]).any()  # TMD and extracellular-domain pockets
    assert df["in_tmd"].dtype == bool and df["lateral_candidate"].dtype == bool
    assert not df["lateral_candidate"].any()
    for labels, n in zip(df["lining_residues"], df["n_lining"]):
        parts = labels.split(";")
        assert all(LABEL.match(x) for x in parts), parts
        assert all(x.split()[0] in ("GluN1", "GluN2A", "GluN2B") for x in parts), parts
        assert len(parts) == len(set(parts)) <= n
    assert df.attrs["tmd"] is not None and df.attrs["params"]["grid_spacing"] == 1.0


# ------------------------------------------------------------------ TMD frame
def test_tmd_frame_7eu8(s7eu8):
    f = tmd_frame(s7eu8)
    assert f.chains == ("A", "B", "C", "D")
    assert np.isclose(np.linalg.norm(f.axis), 1.0)
    jc9 = _jc9_centroid(s7eu8)[None]
    # ketamine sits in the pore, on the axis, inside the TMD slab
    assert f.radial(jc9)[0] < 2.0
    assert f.t_min < f.axial(jc9)[0] < f.t_max
    # the axis points to the extracellular side, where the ATD/LBD layers (most atoms) are
    assert f.axial(s7eu8.coord[s7eu8.polymer_mask].astype(float)).mean() > f.t_max
    assert 25.0 < f.t_max - f.t_min < 80.0  # about one membrane + helix ends
    assert 25.0 < f.r_max < 80.0


def test_tmd_frame_7eos_uses_sequence_not_chain_letters(s7eos):
    f = tmd_frame(s7eos)
    assert set(f.chains) == {"A", "B", "C", "D"}
    assert s7eos.chain_subunits["A"] == "GluN2A"


@pytest.mark.parametrize("entry", ["4KCC", "5TQ2"])
def test_no_tmd_named_error(entry):
    from toolkit import load_structure

    s = load_structure(entry)
    with pytest.raises(NoTransmembraneDomain, match="no transmembrane domain found") as e:
        lateral_candidates(s)
    assert "SYTANLAAF" in str(e.value)
    assert isinstance(e.value, ToolkitError) and isinstance(e.value, ValueError)
    with pytest.raises(NoTransmembraneDomain):
        tmd_frame(s)


def test_5tq2_mixed_chains_labels():
    """ATD + Fab entry: the search runs; unmapped antibody residues get chain labels."""
    from toolkit import load_structure

    s = load_structure("5TQ2")
    df = find_pockets(s)
    assert len(df) > 0 and not df["in_tmd"].any()
    labels = {x for v in df["lining_residues"] for x in v.split(";")}
    assert all(LABEL.match(x) for x in labels)
    assert any(x.startswith(("GluN1 ", "GluN2A ")) for x in labels)


def test_progress_and_threads_give_same_result(s4kcc):
    import dataclasses

    fresh = dataclasses.replace(s4kcc)  # a new object: no cached search result
    assert fresh is not s4kcc
    a = find_pockets(fresh, min_psp=5, n_jobs=-1, progress=True)
    assert a.equals(find_pockets(s4kcc, min_psp=5))


def test_pockets_without_tmd_are_not_in_tmd(s4kcc):
    df = find_pockets(s4kcc, min_psp=5)
    assert len(df) >= 1
    assert not df["in_tmd"].any() and (df["faces"] == "none").all()
    assert df.attrs["tmd"] is None
    # apo GluN1 LBD: the top pocket is the glycine-binding cleft (Furukawa & Gouaux 2003,
    # EMBO J 22:2873: glycine contacts P516, T518, R523, D732; numbering of 4KCC = UniProt)
    top = set(df.iloc[0]["lining_residues"].split(";"))
    assert {"GluN1 P516", "GluN1 T518", "GluN1 R523", "GluN1 D732"} <= top


def test_empty_result_keeps_schema(s4kcc):
    df = find_pockets(s4kcc)  # min_psp=6: no buried cavity >= 50 Å^3 in the apo LBD
    assert list(df.columns) == POCKET_COLUMNS
    assert str(df["volume"].dtype) == "float64" and str(df["rank"].dtype) == "int64"


# ------------------------------------------------------------------ validation
def test_7eu8_vestibule_pocket_holds_ketamine(s7eu8, p7eu8):
    """Top-3 pocket of the whole 7EU8 assembly, in the TMD and facing the pore, holds JC9."""
    jc9 = _jc9_centroid(s7eu8)
    hits = []
    for _, row in p7eu8.head(TOP_N).iterrows():
        pts = pocket_points(s7eu8, row)
        if _min_dist(pts, jc9) <= 2.0:
            hits.append(row)
    assert len(hits) == 1, [(r["rank"], r["faces"]) for r in hits]
    row = hits[0]
    assert row["in_tmd"] and row["faces"] == "pore"
    # ketamine (~215 Å^3) fits: the vestibule is larger than the ligand but not a whole domain gap
    assert KETAMINE_VOLUME < row["volume"] < 2000
    lining = set(row["lining_residues"].split(";"))
    # Chou et al. 2022 rings / Zhang et al. 2021 residues
    assert {"GluN2B L643", "GluN1 N616", "GluN1 V644", "GluN1 T648", "GluN2B T647"} <= lining
    # every JC9 heavy atom is close to the pocket's point cloud
    lig = s7eu8.coord[s7eu8.ligand_atoms("JC9")].astype(float)
    pts = pocket_points(s7eu8, row)
    d = np.linalg.norm(lig[:, None, :] - pts[None, :, :], axis=2).min(axis=1)
    assert d.max() < 3.0


def test_7eu8_keeping_ketamine_fills_the_site(s7eu8):
    """With JC9 kept as an obstacle, no pocket point lies at the ketamine centroid."""
    jc9 = _jc9_centroid(s7eu8)
    df = find_pockets(s7eu8, exclude_ligands=False)
    assert df.attrs["params"]["exclude_ligands"] is False
    for pid in df["pocket_id"]:
        assert _min_dist(pocket_points(s7eu8, int(pid), exclude_ligands=False), jc9) > 1.5


def test_7eos_same_vestibule_found(s7eos, p7eos):
    """7EOS (GluN2A, no ketamine): the same vestibule pocket, lined by the equivalent residues.

    (The agonist-state vestibule without ketamine is a smaller deep volume than several
    inter-domain pockets: rank 8 of the whole assembly, so it is looked for among the top 10.)"""
    f = tmd_frame(s7eos)
    top = p7eos.head(10)
    vest = top[top["in_tmd"] & top["faces"].isin(["pore", "both"])]
    assert len(vest) >= 1
    row = vest.iloc[0]
    centre = row[["center_x", "center_y", "center_z"]].to_numpy(float)[None]
    assert f.radial(centre)[0] < 3.0  # on the pore axis
    lining = set(row["lining_residues"].split(";"))
    assert "GluN2A L642" in lining  # equivalent of GluN2B L643 (Zhang et al. 2021)
    assert {"GluN1 V644", "GluN1 T648", "GluN1 N616"} <= lining  # Chou et al. 2022 rings
    assert not any(x.startswith("GluN2B") for x in lining)


def test_7eos_and_7eu8_vestibules_match_in_uniprot_numbering(p7eu8, p7eos):
    def glun1(df):
        row = df[df["in_tmd"] & df["faces"].isin(["pore", "both"])].iloc[0]
        return {x for x in row["lining_residues"].split(";") if x.startswith("GluN1 ")}

    common = glun1(p7eu8) & glun1(p7eos)
    assert {"GluN1 N616", "GluN1 V644", "GluN1 T648"} <= common


# ------------------------------------------------------------------ lining / hydrophobicity
def test_lining_and_hydrophobicity_recomputed_independently(s7eu8, p7eu8):
    from scipy.spatial import cKDTree

    from toolkit.io.aminoacids import THREE_TO_ONE

    row = p7eu8.iloc[0]
    pts = pocket_points(s7eu8, row)
    a = s7eu8.atoms
    mask = s7eu8.polymer_mask & (a["element"] != "H")
    idx = np.flatnonzero(mask)
    near = cKDTree(pts).query(a["coord"][idx].astype(float), distance_upper_bound=4.0)[0] <= 4.0
    res = {}
    for i in idx[near]:
        key = (str(a["chain_id"][i]), int(a["res_id"][i]))
        res[key] = (
            s7eu8.chain_subunits[key[0]],
            THREE_TO_ONE[str(a["res_name"][i])],
            int(s7eu8.uniprot_num[i]),
        )
    labels = {f"{sub} {one}{num}" for sub, one, num in res.values()}
    assert labels == set(row["lining_residues"].split(";"))
    assert len(res) == row["n_lining"]
    frac = np.mean([one in "IVLFCMA" for _, one, _ in res.values()])
    assert np.isclose(frac, row["hydrophobicity"])


# ------------------------------------------------------------------ lateral candidates
def test_lateral_candidates_7eu8(s7eu8, p7eu8):
    from toolkit.sites.lateral import KETAMINE_PATH_RADIUS, LATERAL_COLUMNS

    lat = lateral_candidates(s7eu8, n_perturbations=0)
    assert list(lat.columns) == LATERAL_COLUMNS and LATERAL_COLUMNS[: len(POCKET_COLUMNS)] == POCKET_COLUMNS
    note = lat.attrs["note"]
    assert "computed candidates" in note.lower() and "10.1038/s41380-024-02729-9" in note
    assert "NOT reproduced" in note
    assert lat["lateral_candidate"].all() if len(lat) else True
    assert (lat["hydrophobicity"] >= LATERAL_MIN_HYDROPHOBICITY).all()
    assert (lat["volume"] >= LATERAL_MIN_VOLUME).all()
    assert (lat["path_radius"] >= KETAMINE_PATH_RADIUS).all() and lat["in_slab"].all()
    assert (np.diff(lat["rank"].to_numpy()) > 0).all()
    # every other TMD pocket is listed with the reason it was rejected
    assert lat.attrs["rejected"] and all(lat.attrs["rejected"].values())
    assert set(lat.attrs["rejected"]) <= set(p7eu8["pocket_id"])
    # the ketamine pore pocket is not a lateral candidate, and candidates lie off the pore axis
    f = tmd_frame(s7eu8)
    jc9 = _jc9_centroid(s7eu8)
    for _, row in lat.iterrows():
        pts = pocket_points(s7eu8, row)
        assert _min_dist(pts, jc9) > 5.0
        assert f.radial(row[["center_x", "center_y", "center_z"]].to_numpy(float)[None])[0] > 8.0


def test_lateral_min_volume_justified_by_ketamine_volume():
    from rdkit import Chem
    from rdkit.Chem import AllChem

    mol = Chem.AddHs(Chem.MolFromSmiles("CN[C@@]1(CCCCC1=O)c1ccccc1Cl"))  # S-ketamine (JC9)
    assert AllChem.EmbedMolecule(mol, randomSeed=7) == 0
    vol = AllChem.ComputeMolVolume(mol, gridSpacing=0.2)
    assert abs(vol - KETAMINE_VOLUME) / KETAMINE_VOLUME < 0.05
    assert 0.8 * vol <= LATERAL_MIN_VOLUME <= vol


def test_lateral_stricter_volume_is_subset(s7eos):
    lat = lateral_candidates(s7eos, n_perturbations=0)
    big = lateral_candidates(s7eos, min_volume=300.0, n_perturbations=0)
    assert set(big["pocket_id"]) <= set(lat["pocket_id"])
    assert (big["volume"] >= 300).all()


# ------------------------------------------------------------------ points / reproducibility
def test_pocket_points(s7eu8, p7eu8):
    row = p7eu8.iloc[1]
    pts = pocket_points(s7eu8, row)
    assert pts.shape == (row["n_points"], 3)
    assert np.allclose(pts.mean(axis=0), row[["center_x", "center_y", "center_z"]].to_numpy(float))
    assert np.array_equal(pts, pocket_points(s7eu8, int(row["pocket_id"])))
    with pytest.raises(InvalidParameter, match="no pocket_id 9999"):
        pocket_points(s7eu8, 9999)
    with pytest.raises(InvalidParameter, match="unknown search parameter"):
        pocket_points(s7eu8, 1, spacing=1.0)


def test_pocket_points_row_from_other_search_is_refused(s4kcc):
    df = find_pockets(s4kcc, min_psp=4)
    row = df.iloc[0]
    with pytest.raises(InvalidParameter, match="pass the search parameters"):
        pocket_points(s4kcc, row, min_psp=5)  # pocket 1 of another search is elsewhere
    assert pocket_points(s4kcc, row, min_psp=4).shape == (row["n_points"], 3)


def test_reproducible_serial_equals_parallel(p7eu8, s7eu8):
    import dataclasses

    fresh = dataclasses.replace(s7eu8)  # a new object: no cached search result
    assert fresh is not s7eu8
    par = find_pockets(fresh, n_jobs=2)
    assert par.equals(p7eu8)
    for pid in par["pocket_id"].head(5):
        assert np.array_equal(pocket_points(fresh, int(pid)), pocket_points(s7eu8, int(pid)))


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"grid_spacing": 0}, "grid_spacing must be > 0"),
        ({"grid_spacing": -1.0}, "grid_spacing must be > 0"),
        ({"grid_spacing": float("nan")}, "grid_spacing"),
        ({"grid_spacing": 0.05}, "coarser spacing"),
        ({"min_volume": 0}, "min_volume must be > 0"),
        ({"min_volume": -10}, "min_volume must be > 0"),
        ({"probe_radius": -0.5}, "probe_radius must be >= 0"),
        ({"max_ray": 0}, "max_ray must be > 0"),
        ({"min_psp": 0}, "min_psp must be an integer from 1 to 7"),
        ({"min_psp": 8}, "min_psp must be an integer from 1 to 7"),
        ({"min_psp": 5.5}, "min_psp"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"grid_spacing": "fine"}, "grid_spacing must be a number"),
        ({"grid_spacing": 50.0}, "grid_spacing must be > 0 and <= 4"),
        ({"max_ray": 1e9}, "max_ray must be > 0 and <= 50"),
        ({"max_ray": -3}, "max_ray must be > 0"),
        ({"max_ray": None}, "max_ray must be a number"),
        ({"probe_radius": 1e9}, "probe_radius must be >= 0 and <= 5"),
        ({"min_buriedness": 0}, "min_buriedness must be > 0"),
        ({"min_buriedness": 1.5}, "min_buriedness"),
        ({"min_volume": [1]}, "min_volume must be a number"),
        ({"n_jobs": "2"}, "n_jobs"),
        ({"min_psp": True}, "min_psp"),
    ],
)
def test_bad_parameters(s7eu8, kwargs, match):
    with pytest.raises(InvalidParameter, match=match) as e:
        find_pockets(s7eu8, **kwargs)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"min_volume": 0}, "min_volume must be > 0"),
        ({"min_volume": -200}, "min_volume must be > 0"),
        ({"min_hydrophobicity": 1.5}, "min_hydrophobicity"),
        ({"grid_spacing": 0}, "grid_spacing must be > 0"),
    ],
)
def test_bad_lateral_parameters(s7eu8, kwargs, match):
    with pytest.raises(InvalidParameter, match=match):
        lateral_candidates(s7eu8, **kwargs)


# ------------------------------------------------------------------ generalisation (issue 10)
def _bound_ligands(s):
    """Heavy-atom coordinates of each drug-like ligand instance (:func:`drug_like_ligands`)."""
    idx = [s.ligand_atoms(r.ccd_code, r.chain, r.auth_seq_id) for r in drug_like_ligands(s).itertuples(index=False)]
    return [s.coord[i[s.heavy_mask[i]]].astype(float) for i in idx]


def test_drug_like_ligands_by_ccd_classification(mirror):
    """One selection for the benchmark and the tests: category 'ligand' (CCD/curated table), not a
    polymer monomer by its CCD type (free amino acids, nucleotides), >= 10 heavy atoms."""
    from toolkit import load_structure
    from toolkit.model import LIGAND_COLUMNS

    def codes(entry, **kw):
        s = load_structure(mirror / "complexes" / f"{entry}.pdb.gz") if entry.islower() else load_structure(entry)
        df = drug_like_ligands(s, **kw)
        assert list(df.columns) == LIGAND_COLUMNS
        return sorted(zip(df["ccd_code"], df["chain"], df["auth_seq_id"]))

    assert codes("7EU8") == [("JC9", "B", 903)]  # not the NAG glycans
    assert codes("4dst") == [("9LI", "A", 201), ("GCP", "A", 202)]  # not ACT/DMS/EDO/GOL, MG, water
    assert codes("6nhb") == [("H4B", "A", 802), ("H4B", "B", 803), ("HEM", "A", 801), ("HEM", "B", 802),
                             ("KNS", "A", 803), ("KNS", "B", 804)]  # fmt: skip
    # free amino acids written as HETATM are polymer monomers by their CCD type, whatever their size
    assert codes("3ems") == codes("5ddr") == [] == codes("3ems", min_heavy_atoms=1)
    assert codes("6r79", min_heavy_atoms=1) == []  # GLY (5 heavy atoms); GOL, PO4, BME are additives
    assert codes("1het") == [("NAD", "A", 402), ("NAD", "B", 402)]
    assert sum(c == "MRD" for c, _, _ in codes("1het", min_heavy_atoms=8)) == 3  # MPD, 8 heavy atoms
    assert codes("4KCC") == codes("7EOS") == []  # PO4 additive; NAG glycans only
    for bad in (0, 2.5, True, "10"):
        with pytest.raises(InvalidParameter, match="min_heavy_atoms"):
            drug_like_ligands(load_structure("4KCC"), min_heavy_atoms=bad)


def test_top3_pocket_overlaps_ligand_on_ligand_bound_crystal_structures(mirror):
    """Issue 10 goal, on general ligand-bound crystal structures (ligands removed by the search):
    a top-3 pocket has a point within 2 Å of a ligand heavy atom in >= 85 %, and a top-3 pocket
    centre lies within 4 Å of a ligand centroid in >= 50 %."""
    from scipy.spatial import cKDTree

    from toolkit import load_structure
    from toolkit.errors import NoProteinError

    overlap, centre, n = 0, 0, 0
    for f in sorted((mirror / "complexes").glob("*.pdb.gz")):
        try:
            s = load_structure(f)
        except NoProteinError:
            continue
        ligs = _bound_ligands(s)
        if s.method != "X-RAY DIFFRACTION" or not ligs:
            continue
        n += 1
        df = find_pockets(s)
        hit = near = False
        for _, row in df.head(3).iterrows():
            pts = pocket_points(s, row)
            tree = cKDTree(pts)
            c = pts.mean(axis=0)
            hit |= any((tree.query(x)[0] <= 2.0).any() for x in ligs)
            near |= any(np.linalg.norm(c - x.mean(axis=0)) < 4.0 for x in ligs)
        overlap += hit
        centre += near
    assert n >= 6
    assert overlap / n >= 0.85, (overlap, n)
    assert centre / n >= 0.5, (centre, n)


def test_rotation_invariant_by_design(s7eu8, p7eu8):
    """The search runs in the protein's principal-axes frame: a rotated, shifted input gives the
    same pockets (same linings and volumes; points moved with the input)."""
    rot = rotated(s7eu8, 11)
    df = find_pockets(rot)
    assert len(df) == len(p7eu8)
    same = (df["lining_residues"].to_numpy() == p7eu8["lining_residues"].to_numpy()).mean()
    assert same > 0.97, same  # a few grid points may round differently
    assert np.allclose(df["volume"].head(10), p7eu8["volume"].head(10))


def test_vestibule_survives_spacing(s7eu8):
    """On a 0.8 Å grid a top-5 pocket of the whole 7EU8 assembly still holds the ketamine site
    (rank 3 at 1.0 Å, rank 4 at 0.8 Å)."""
    from scipy.spatial import cKDTree

    jc9 = s7eu8.coord[s7eu8.ligand_atoms("JC9")].astype(float)
    df = find_pockets(s7eu8, grid_spacing=0.8)
    hits = [int(r["rank"]) for _, r in df.head(5).iterrows()
            if (cKDTree(pocket_points(s7eu8, r, grid_spacing=0.8)).query(jc9)[0] <= 2.0).any()]  # fmt: skip
    assert hits


def test_far_atom_costs_a_small_grid(s4kcc):
    """Issue 14 item 21: one atom far away no longer makes a huge grid."""
    idx = np.flatnonzero(s4kcc.polymer_mask)[:18]
    atoms = {k: v[idx].copy() for k, v in s4kcc.atoms.items()}
    atoms["coord"][-1] += 480.0
    tiny = with_atoms(s4kcc, atoms)
    df = find_pockets(tiny)
    assert df.attrs["grid_points"] < 200_000
    assert len(df) == 0 and list(df.columns) == POCKET_COLUMNS


def test_bad_structures_named_errors(s4kcc):
    from toolkit.errors import InvalidCoordinates, NoProteinError

    coord = s4kcc.coord.copy()
    coord[3] = np.nan
    with pytest.raises(InvalidCoordinates, match="non-finite"):
        find_pockets(with_coord(s4kcc, coord))
    keep = ~s4kcc.polymer_mask
    none = {k: v[keep] for k, v in s4kcc.atoms.items()}
    with pytest.raises(NoProteinError, match="no protein"):
        find_pockets(with_atoms(s4kcc, none))


def test_grid_limit_is_named(s7eu8):
    from toolkit.errors import GridTooLarge

    with pytest.raises(GridTooLarge, match="limit") as e:
        find_pockets(s7eu8, grid_spacing=0.2)
    assert isinstance(e.value, InvalidParameter)


def test_packed_enclosure_equals_boolean_shifts():
    """The bit-packed scan-line enclosure counts exactly what OR-ing shifted boolean grids counts."""
    from toolkit.sites.pockets import N_LINES, _enclosure, _lines, _shift_or

    def reference(protein, ray):
        steps = int(np.floor(ray))
        counts = np.zeros(protein.shape, dtype=np.uint8)
        for d in _lines(N_LINES):
            offs = []
            for k in range(1, steps + 1):
                o = tuple(int(x) for x in np.rint(k * d))
                if o != (0, 0, 0) and o not in offs and all(abs(x) < n for x, n in zip(o, protein.shape)):
                    offs.append(o)
            fwd, bwd = np.zeros_like(protein), np.zeros_like(protein)
            for o in offs:
                _shift_or(fwd, protein, o)
                _shift_or(bwd, protein, (-o[0], -o[1], -o[2]))
            counts += fwd & bwd
        return counts

    rng = np.random.default_rng(3)
    for shape in [(5, 7, 9), (64, 6, 5), (65, 9, 4), (130, 12, 9), (20, 70, 11)]:  # across word boundaries
        for density in (0.05, 0.3):
            protein = rng.random(shape) < density
            for ray in (3.0, 15.0):
                got = _enclosure(protein, 1.0, ray, 1, False)
                assert got.dtype == np.uint8 and np.array_equal(got, reference(protein, ray)), (shape, density, ray)


def test_lipid_path_open_stops_after_the_needed_open_paths():
    """need=: the same answers as the full evaluation up to the block where enough paths are open."""
    from toolkit.sites.pockets import TMDFrame, _lipid_path_open

    rng = np.random.default_rng(5)
    sd = rng.uniform(0.0, 6.0, size=(40, 40, 40)).astype(np.float32)
    sd[sd < 2.5] = 0.0  # atoms: a random maze
    frame = TMDFrame(origin=np.array([20.0, 20.0, 20.0]), axis=np.array([0.0, 0.0, 1.0]), t_min=-15.0, t_max=15.0,
                     r_max=8.0, chains=())  # fmt: skip
    starts = rng.uniform(14.0, 26.0, size=(600, 3))
    dirs = rng.normal(size=(600, 3))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    full = _lipid_path_open(frame, starts, dirs, sd, 1.4, np.zeros(3), 1.0, 10.0)
    assert 3 <= full.sum() < len(full)
    part = _lipid_path_open(frame, starts, dirs, sd, 1.4, np.zeros(3), 1.0, 10.0, need=3)
    stop = (np.flatnonzero(np.cumsum(full) >= 3)[0] // 128 + 1) * 128
    assert (part[:stop] == full[:stop]).all() and not part[stop:].any()


@pytest.mark.parametrize("probe", [1.4, 0.0])
def test_buried_box_equals_whole_grid(s7eos, probe):
    """The shifted lattice's buried mask, computed only around the points that ask for it
    (``_buried_box``), equals the whole grid's there; so does the stability vote
    (pocket points, and points on the grid's edges where the sub-box is clipped)."""
    from toolkit.sites.pockets import (
        _DEFAULT_RADIUS,
        MIN_BURIEDNESS,
        _box,
        _buried_box,
        _grid,
        _reproduced,
        _search,
    )

    res = _search(s7eos, exclude_ligands=True, grid_spacing=1.0, probe_radius=probe, max_ray=15.0,
                  min_buriedness=MIN_BURIEDNESS, min_volume=50.0, n_jobs=1, progress=False)  # fmt: skip
    xyz, radii = res.atom_xyz, res.atom_radii
    origin, shape = _box(xyz, 1.0, probe + 2.0 + _DEFAULT_RADIUS, 0.5)
    whole = _grid(xyz, radii, 1.0, probe, 15.0, MIN_BURIEDNESS, origin, shape, 1, False)
    rng = np.random.default_rng(11)
    pocket = np.vstack([res.to_search(res.points[p]) for p in list(res.points)[:6]])
    edge = origin + rng.uniform(-0.5, 3.0, size=(20, 3))  # the low corner, partly outside
    for pts in (pocket, edge, np.vstack([pocket, edge])):
        box = _buried_box(xyz, radii, 1.0, probe, 15.0, MIN_BURIEDNESS, origin, shape, pts, 1)
        assert box is not None and box.buried.any() == (pts is not edge)  # no buried point at the corner
        sub = tuple(slice(int(a), int(a) + n) for a, n in zip(box.lo, box.buried.shape))
        assert np.array_equal(box.buried, whole.buried[sub])
        assert np.array_equal(_reproduced(pts, [box], 1.0), _reproduced(pts, [whole], 1.0))
    far = origin - 50.0  # no lattice neighbour in the grid
    assert _buried_box(xyz, radii, 1.0, probe, 15.0, MIN_BURIEDNESS, origin, shape, far[None], 1) is None


def test_split_in_the_buried_box_equals_whole_grid(s7eu8):
    """The watershed split run in the bounding box of the buried points labels exactly as on the whole grid."""
    from toolkit.sites.pockets import CORE_BURIEDNESS, TMDFrame, _search, _split, _split_box, tmd_frame

    res = _search(s7eu8, exclude_ligands=True, grid_spacing=1.0, probe_radius=1.4, max_ray=15.0,
                  min_buriedness=0.7, min_volume=50.0, n_jobs=1, progress=False)  # fmt: skip
    f = tmd_frame(s7eu8)
    frame = TMDFrame((f.origin - res.c0) @ res.rot.T, f.axis @ res.rot.T, f.t_min, f.t_max, f.r_max, f.chains)
    g = res.grids[0]
    for fr in (frame, None):
        got, n = _split(g, CORE_BURIEDNESS, fr)
        ref, n_ref = _split_box(g, np.zeros(3, dtype=np.int64), CORE_BURIEDNESS, fr)
        assert n == n_ref > 10 and got.dtype == ref.dtype and np.array_equal(got, ref)
