"""Lateral candidates with their evidence (toolkit.sites.lateral) on 7EU8 and 7EOS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from structure_edits import rotated, with_coord

from toolkit.errors import InvalidParameter, NoTransmembraneDomain
from toolkit.sites.lateral import (
    KETAMINE_PATH_RADIUS,
    LATERAL_COLUMNS,
    LINING_COLUMNS,
    PORE_RADIUS,
    lateral_sites,
)
from toolkit.sites.pockets import (
    KETAMINE_VOLUME,
    LATERAL_MIN_VOLUME,
    POCKET_COLUMNS,
    lateral_candidates,
    pocket_points,
    tmd_frame,
)

HELICES = {"pre-M1", "M1", "M2", "M3", "M4", "other"}


@pytest.fixture(scope="module")
def lat7eu8(s7eu8, s7eos):
    return lateral_sites(s7eu8, paralog=s7eos)


@pytest.fixture(scope="module")
def lat7eos(s7eos, s7eu8):
    return lateral_sites(s7eos, paralog=s7eu8)


def _keys(lining, pid):
    g = lining[lining["pocket_id"] == pid]
    return set(g["chain"] + ":" + g["label"])


@pytest.mark.parametrize("fixture", ["lat7eu8", "lat7eos"])
def test_evidence_schema(fixture, request):
    sites, lining = request.getfixturevalue(fixture)
    assert list(sites.columns) == LATERAL_COLUMNS and LATERAL_COLUMNS[: len(POCKET_COLUMNS)] == POCKET_COLUMNS
    assert list(lining.columns) == LINING_COLUMNS
    assert len(sites) >= 5  # the TMD has many pockets; each has a row, candidate or not
    assert set(lining["pocket_id"]) == set(sites["pocket_id"])
    assert set(lining["helix"]) <= HELICES
    assert set(lining["subunit"]) <= {"GluN1", "GluN2A", "GluN2B"}
    assert (lining["uniprot_num"] > 0).all()
    # every rejected pocket says why; candidates have no reason
    assert (sites["reason"].str.len() > 0).eq(~sites["lateral_candidate"]).all()
    assert sites["consensus"].between(0, 1).all() and sites["lateral_score"].between(0, 1).all()
    assert sites["lipid_exposure"].between(0, 1).all()
    c = sites[sites["lateral_candidate"]]
    assert c["in_slab"].all() and not c["pore"].any()
    assert (c["path_radius"] >= KETAMINE_PATH_RADIUS - 0.2 - 1e-9).all()  # consensus may admit one 0.2 Å step
    assert (c["consensus"] > 0.5).all()
    # the score formula of the module docstring
    expect = (sites["stability"] * sites["hydrophobicity"] * np.minimum(1, sites["volume"] / KETAMINE_VOLUME)
              * np.minimum(1, sites["path_radius"] / KETAMINE_PATH_RADIUS)
              * np.where(sites["partner_pocket"] >= 0, 1.0, 0.5))  # fmt: skip
    assert np.allclose(sites["lateral_score"], expect)
    assert "computed candidates" in sites.attrs["note"].lower() and "10.1038/s41380-024-02729-9" in sites.attrs["note"]
    assert "NOT reproduced" in sites.attrs["note"]


def test_helices_by_sequence_position(lat7eu8):
    _, lining = lat7eu8
    lab = lining.drop_duplicates(["subunit", "uniprot_num"]).set_index(["subunit", "uniprot_num"])["helix"]
    # GluN1 N616 (M2 N-site), GluN1 T648 / GluN2B L643 (M3, SYTANLAAF region): Chou et al. 2022 rings
    assert lab.get(("GluN1", 616)) == "M2"
    assert lab.get(("GluN1", 648)) == "M3"
    assert lab.get(("GluN2B", 643)) == "M3"


def test_ketamine_pore_site_is_never_a_candidate(s7eu8, lat7eu8):
    from scipy.spatial import cKDTree

    sites, _ = lat7eu8
    jc9 = s7eu8.coord[s7eu8.ligand_atoms("JC9")].astype(float)
    frame = tmd_frame(s7eu8)
    holding = []
    for _, row in sites.iterrows():
        pts = pocket_points(s7eu8, row)
        if (cKDTree(pts).query(jc9)[0] <= 2.0).any():
            holding.append(row)
        if row["lateral_candidate"]:
            assert frame.radial(pts).min() >= PORE_RADIUS
    assert holding, "the vestibule pocket is among the TMD pockets"
    for row in holding:
        assert not row["lateral_candidate"] and row["pore"]
        assert "pore" in row["reason"]


def test_partners_and_conservation(lat7eu8, lat7eos):
    for sites, lining in (lat7eu8, lat7eos):
        has = sites[sites["partner_pocket"] >= 0]
        for _, r in has.iterrows():
            assert r["partner_pocket"] in set(sites["pocket_id"]) and r["partner_jaccard"] >= 0.5
            # the partner is lined by the same residues on other chains
            a = lining[lining["pocket_id"] == r["pocket_id"]]
            b = lining[lining["pocket_id"] == r["partner_pocket"]]
            assert not set(a["chain"]) & set(b["chain"])
        none = sites[sites["partner_pocket"] < 0]
        assert none["partner_note"].str.startswith("no pocket in the other").all()
        cons = sites["conservation_2a_2b"].dropna()
        assert len(cons) and cons.between(0, 1).all()
        assert cons.mean() > 0.8  # the GluN2A/GluN2B TMDs are highly conserved


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["7EU8", "7EOS"])
def test_candidates_stable_under_spacing_and_rotation(entry, request):
    """Issue 10 acceptance: the candidate list is the same at 1.0 and 0.8 Å spacing and after a
    random rotation of the input (every candidate has a counterpart with lining Jaccard >= 0.5)."""
    s = request.getfixturevalue("s" + entry.lower())
    base, bl = lateral_sites(s)
    variants = [lateral_sites(s, grid_spacing=0.8), lateral_sites(rotated(s, 11))]
    for other, ol in variants:
        assert other["lateral_candidate"].sum() == base["lateral_candidate"].sum()
        for x, xl, y, yl in ((base, bl, other, ol), (other, ol, base, bl)):
            for pid in x.loc[x["lateral_candidate"], "pocket_id"]:
                a = _keys(xl, pid)
                best = max(
                    (len(a & _keys(yl, q)) / len(a | _keys(yl, q)) for q in y.loc[y["lateral_candidate"], "pocket_id"]),
                    default=0.0,
                )
                assert best >= 0.5, (entry, pid, best)


def test_parallel_perturbed_searches_equal_serial(s7eos, s7eu8, lat7eos, monkeypatch):
    """n_jobs=2 runs the perturbed searches of the consensus in forked children beside the unperturbed
    search; on a fresh copy of the entry (nothing reused from the search cache) the tables equal
    the serial ones exactly."""
    import os
    import threading

    from toolkit.sites import lateral

    sites, lining = lat7eos
    assert sites["lateral_candidate"].any()  # 7EOS has candidates: the comparison is not vacuous
    started = []
    real = lateral._in_child
    monkeypatch.setattr(lateral, "_in_child", lambda fn, *a: (started.append(a), real(fn, *a))[1])
    fresh = with_coord(s7eos, s7eos.coord.copy())
    psites, plining = lateral_sites(fresh, paralog=s7eu8, n_jobs=2)
    if hasattr(os, "fork") and threading.active_count() == 1:  # the forked path ran: 2 children, 2 seeds each
        assert sorted(len(a[0]) for a in started) == [2, 2]
    pd.testing.assert_frame_equal(psites, sites, check_exact=True)
    pd.testing.assert_frame_equal(plining, lining, check_exact=True)


def test_lateral_candidates_wrapper(s7eu8, lat7eu8):
    lat = lateral_candidates(s7eu8, n_perturbations=4)
    sites, _ = lat7eu8
    assert list(lat.columns) == LATERAL_COLUMNS
    assert lat["pocket_id"].tolist() == sites.loc[sites["lateral_candidate"], "pocket_id"].tolist()
    assert set(lat.attrs["rejected"]) == set(sites.loc[~sites["lateral_candidate"], "pocket_id"])
    assert all(isinstance(v, str) and v for v in lat.attrs["rejected"].values())
    assert "computed candidates" in lat.attrs["note"].lower()
    assert set(lat.attrs["lining"]["pocket_id"]) == set(lat["pocket_id"])


def test_ketamine_path_radius_is_ketamine_cross_section():
    """KETAMINE_PATH_RADIUS: smallest circle around ketamine's projected heavy-atom vdW discs."""
    from rdkit import Chem
    from rdkit.Chem import AllChem
    from scipy.optimize import minimize

    bondi = {"C": 1.70, "N": 1.55, "O": 1.52, "Cl": 1.75}
    mol = Chem.AddHs(Chem.MolFromSmiles("CN[C@@]1(CCCCC1=O)c1ccccc1Cl"))
    cids = list(AllChem.EmbedMultipleConfs(mol, 3, randomSeed=7))
    AllChem.MMFFOptimizeMoleculeConfs(mol)
    heavy = np.array([a.GetSymbol() != "H" for a in mol.GetAtoms()])
    radii = np.array([bondi.get(a.GetSymbol(), 1.2) for a in mol.GetAtoms()])[heavy]
    n = 150
    i = np.arange(n) + 0.5
    z = 1 - i / n
    phi = np.pi * (1 + 5**0.5) * i
    dirs = np.stack([np.sqrt(1 - z * z) * np.cos(phi), np.sqrt(1 - z * z) * np.sin(phi), z], axis=1)
    best = np.inf
    for c in cids:
        x = mol.GetConformer(c).GetPositions()[heavy]
        for d in dirs:
            u = np.cross(d, [1.0, 0, 0] if abs(d[0]) < 0.9 else [0, 1.0, 0])
            u /= np.linalg.norm(u)
            v = np.cross(d, u)
            p = np.stack([x @ u, x @ v], axis=1)
            f = minimize(lambda q, p=p: (np.linalg.norm(p - q, axis=1) + radii).max(), p.mean(axis=0), method="Nelder-Mead")
            best = min(best, f.fun)
    assert abs(best - KETAMINE_PATH_RADIUS) < 0.35, best
    assert best > 1.4 + 1.0  # far wider than a water probe


def test_bad_input(s7eu8):
    from toolkit import load_structure

    with pytest.raises(NoTransmembraneDomain):
        lateral_sites(load_structure("4KCC"))
    with pytest.raises(InvalidParameter, match="n_perturbations"):
        lateral_sites(s7eu8, n_perturbations=99)
    with pytest.raises(InvalidParameter, match="paralog"):
        lateral_sites(s7eu8, paralog="7EOS")
    with pytest.raises(InvalidParameter, match="path_radius"):
        lateral_sites(s7eu8, path_radius=-1)
    with pytest.raises(InvalidParameter, match="unknown search parameter"):
        lateral_sites(s7eu8, spacing=1.0)
    assert LATERAL_MIN_VOLUME <= KETAMINE_VOLUME


@pytest.mark.parametrize("where", ["m3", "atd", "inf"])
def test_non_finite_coordinates_named_error(s7eu8, where):
    """NaN/inf protein coordinates (in the TMD or far from it) give InvalidCoordinates from
    lateral_sites, lateral_candidates, tmd_frame, membrane and find_pockets, before any search."""
    from toolkit.errors import InvalidCoordinates, StructureFormatError
    from toolkit.sites import find_pockets, lateral_candidates, membrane, tmd_frame

    a = s7eu8.atoms
    if where == "atd":
        i = int(np.flatnonzero(s7eu8.polymer_mask)[10])  # an ATD atom of chain A
    else:  # a Cα of the M3 helix (GluN1 V644 region), which the TMD frame uses
        i = int(np.flatnonzero((a["atom_name"] == "CA") & (a["chain_id"] == "A") & (s7eu8.uniprot_num == 644))[0])
    coord = s7eu8.coord.copy()
    coord[i] = np.inf if where == "inf" else np.nan
    bad = with_coord(s7eu8, coord)
    for fn in (lateral_sites, lateral_candidates, tmd_frame, membrane, find_pockets):
        with pytest.raises(InvalidCoordinates, match="non-finite") as e:
            fn(bad)
        assert isinstance(e.value, StructureFormatError)


def test_lean_perturbed_keys_equal_full_evaluation(s7eos):
    """A perturbed search of the consensus evaluates only the pockets still in the running (faces,
    path to the lipid, lining); the passing pockets and their lining equal those of the full
    evaluation of every pocket (7EOS: candidates pass, so the comparison is not vacuous)."""
    import inspect

    from toolkit.sites.implicit_membrane import membrane
    from toolkit.sites.lateral import _perturbed_keys, _perturbed_keys_full
    from toolkit.sites.pockets import _buriedness_arg, find_pockets, tmd_frame

    kw = {k: v.default for k, v in inspect.signature(find_pockets).parameters.items()
          if v.kind is inspect.Parameter.KEYWORD_ONLY}  # fmt: skip
    kw["min_buriedness"] = _buriedness_arg(kw.pop("min_psp"), kw["min_buriedness"])
    m, frame = membrane(s7eos), tmd_frame(s7eos)
    crit = (200.0, 0.5, 0.5, 3.8)
    full = _perturbed_keys_full(s7eos, m, frame, kw, crit, 303)
    assert full  # pockets pass on this grid
    assert _perturbed_keys(s7eos, m, frame, kw, crit, 303) == full


def _boom(x):
    raise ValueError(f"bad {x}")


def test_in_child_result_and_fallback():
    """A forked child's result comes back through the pipe; a failing child is recomputed here (same error)."""
    import os

    from toolkit.sites.lateral import _in_child

    if not hasattr(os, "fork"):
        pytest.skip("no os.fork on this platform (the threads path runs instead)")
    wait, _ = _in_child(lambda n: {n: {"A:L1", str(os.getpid())}}, 3)
    got = wait()
    assert list(got) == [3] and "A:L1" in got[3] and str(os.getpid()) not in got[3]  # computed in another process
    wait, _ = _in_child(_boom, 7)
    with pytest.raises(ValueError, match="bad 7"):
        wait()
    wait, kill = _in_child(lambda: __import__("time").sleep(30))
    kill()  # stopped and reaped at once


def test_far_point_screen_keeps_every_point_near_an_atom():
    """_maybe_near: every point with an atom centre within the bound is kept (random clouds, brute force)."""
    from scipy.spatial import cKDTree

    from toolkit.sites.lateral import _FAR_BOUND, _maybe_near

    rng = np.random.default_rng(13)
    for n_atoms in (1, 50, 400):
        xyz = rng.uniform(-20, 20, size=(n_atoms, 3))
        pts = rng.uniform(-35, 35, size=(20000, 3))
        d, _ = cKDTree(xyz).query(pts, k=1)
        kept = _maybe_near(pts, xyz, _FAR_BOUND)
        assert kept[d <= _FAR_BOUND].all()
        assert not kept[d > _FAR_BOUND + 2 * np.sqrt(3.0) * 2.0 + 1e-6].any()  # a screen, not a no-op
        assert (~kept).any()
    assert _maybe_near(np.zeros((0, 3)), xyz, _FAR_BOUND).shape == (0,)


def test_path_radius_at_least_decides_like_the_bisection(s7eos):
    """``at_least=r`` (one level labelled) answers ``path radius >= r`` exactly as the full
    bisection over the levels, for every in-slab pocket of 7EOS and several r."""
    import inspect

    from toolkit.sites.implicit_membrane import membrane
    from toolkit.sites.lateral import _path_radius
    from toolkit.sites.pockets import _buriedness_arg, _search, find_pockets

    kw = {k: v.default for k, v in inspect.signature(find_pockets).parameters.items()
          if v.kind is inspect.Parameter.KEYWORD_ONLY}  # fmt: skip
    kw["min_buriedness"] = _buriedness_arg(kw.pop("min_psp"), kw["min_buriedness"])
    res, m = _search(s7eos, **kw), membrane(s7eos)
    depth = m.depth(res.df[["center_x", "center_y", "center_z"]].to_numpy(float))
    pids = [int(p) for p, d in zip(res.df["pocket_id"], depth) if abs(d) <= m.half_thickness]
    full = _path_radius(res, m, pids)
    radii = sorted(set(full.values()))
    assert len(pids) > 5 and len(radii) >= 3  # pockets reach the lipid at different levels
    for r in (1.0, 2.5, 3.8, radii[-1], 5.0):
        lean = _path_radius(res, m, pids, at_least=r)
        assert {p: lean[p] >= r for p in pids} == {p: full[p] >= r for p in pids}, r
