"""Typed interactions (toolkit.sites.interactions) on 7EU8 / JC9, checked against PLIP."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolkit.errors import InvalidParameter, LigandNotFound
from toolkit.sites import INTERACTION_COLUMNS, INTERACTION_TYPES, Thresholds, interactions, site_residues

PLIP_JSON = Path(__file__).resolve().parent / "data" / "plip_7eu8_jc9.json"

#: PLIP type -> our types that count as the same finding. Cation-pi and salt bridges
#: are both charge-driven; a halogen bond is an acceptor contact that our hbond rule
#: can also report.
COMPATIBLE = {
    "hydrophobic": {"hydrophobic"},
    "hbond": {"hbond"},
    "salt_bridge": {"salt_bridge"},
    "pi_stacking": {"pi_stacking"},
    "cation_pi": {"cation_pi", "salt_bridge"},
    "halogen": {"halogen", "hbond"},
}


@pytest.fixture(scope="module")
def neutral(s7eu8):
    """CCD charges as they are (like PLIP, which adds hydrogens without a pH model)."""
    return interactions(s7eu8, "JC9", ph=None)


def _xyz(s, chain, resid, names):
    a = s.atoms
    m = (a["chain_id"] == chain) & (a["res_id"] == resid) & s.polymer_mask
    pos = {str(n): s.coord[i] for n, i in zip(a["atom_name"][m], np.flatnonzero(m))}
    return np.array([pos[n] for n in names], dtype=float)


def _lig_xyz(s, names):
    a = s.atoms
    idx = s.ligand_atoms("JC9")
    pos = {str(a["atom_name"][i]): s.coord[i] for i in idx}
    return np.array([pos[n] for n in names], dtype=float)


def test_schema(neutral):
    assert list(neutral.columns) == INTERACTION_COLUMNS
    assert set(neutral["type"]) <= set(INTERACTION_TYPES)
    assert (neutral["entry"] == "7EU8").all() and (neutral["ligand"] == "JC9").all()
    assert neutral["distance"].gt(0).all()


def test_hydrophobic_contacts_are_carbon_pairs_within_4A(s7eu8, neutral):
    hyd = neutral[neutral["type"] == "hydrophobic"]
    assert set(hyd["label"]) == {"GluN1 V644", "GluN2B L643", "GluN2B T647"}
    assert (hyd["distance"] <= 4.0).all()
    assert hyd["protein_atom"].str.startswith("C").all()
    assert not hyd["protein_atom"].isin(["C", "CA"]).any()
    for _, r in hyd.iterrows():
        p = _xyz(s7eu8, r["chain"], r["auth_seq_id"], [r["protein_atom"]])[0]
        lig = _lig_xyz(s7eu8, [r["ligand_atom"]])[0]
        assert np.linalg.norm(p - lig) == pytest.approx(r["distance"], abs=1e-4)
        assert np.allclose([r["prot_x"], r["prot_y"], r["prot_z"]], p, atol=1e-3)
    # one row per (ligand atom, residue): the closest protein carbon
    assert not hyd.duplicated(["ligand_atom", "chain", "auth_seq_id"]).any()


def test_asn_hbond_with_heavy_atom_angle_proxy(s7eu8, neutral):
    hb = neutral[neutral["type"] == "hbond"]
    assert len(hb) == 1
    r = hb.iloc[0]
    assert (r["label"], r["chain"], r["protein_atom"], r["ligand_atom"]) == ("GluN2B N615", "D", "ND2", "N1")
    assert r["distance"] == pytest.approx(4.01, abs=0.01)
    # angle ND2-H...N1 recomputed here: the amide (sp2) hydrogens lie in the plane of CB-CG-OD1, at
    # 120 deg from CG, syn or anti to OD1 (no free rotation about the C-N bond); the one nearer N1 counts
    cb, cg, od1, nd2 = _xyz(s7eu8, "D", 615, ["CB", "CG", "OD1", "ND2"])
    n1 = _lig_xyz(s7eu8, ["N1"])[0]
    x = (cg - nd2) / np.linalg.norm(cg - nd2)
    normal = np.cross(cb - cg, od1 - cg)
    py = (od1 - cg) - ((od1 - cg) @ x) * x
    py /= np.linalg.norm(py)
    hs = [nd2 + np.cos(np.radians(120)) * x + np.sin(np.radians(120)) * s_ * py for s_ in (1.0, -1.0)]
    assert all(abs((h - nd2) @ normal) / np.linalg.norm(normal) < 0.1 for h in hs)  # in the amide plane
    h = min(hs, key=lambda v: np.linalg.norm(v - n1))
    v1, v2 = nd2 - h, n1 - h
    ang = np.degrees(np.arccos(v1 @ v2 / np.linalg.norm(v1) / np.linalg.norm(v2)))
    assert r["angle"] == pytest.approx(ang, abs=1.0) and ang >= 100
    # a stricter donor angle removes it
    strict = interactions(s7eu8, "JC9", ph=None, thresholds={"hbond_don_angle_min": ang + 1})
    assert "hbond" not in set(strict["type"])


def test_protonation_changes_charge_rules(s7eu8):
    """At pH 7.4 with pKa 7.5 the amine is a cation: no longer an acceptor, and charge rules apply."""
    wide = {"salt_bridge_dist_max": 20.0}
    cat = interactions(s7eu8, "JC9", ph=7.4, pka=7.5, thresholds=wide)
    neu = interactions(s7eu8, "JC9", ph=None, thresholds=wide)
    assert "salt_bridge" not in set(neu["type"])
    sb = cat[cat["type"] == "salt_bridge"]
    assert not sb.empty and (sb["ligand_atom"] == "N1").all()
    assert set(sb["res_name"]) <= {"ASP", "GLU"} and (sb["distance"] <= 20).all()
    # N615 ND2 is a donor only: the hbond to the (now N-H+) amine disappears
    assert "hbond" not in set(cat["type"])
    # the salt-bridge distance is to the carboxylate centroid
    r = sb.iloc[0]
    names = r["protein_atom"].split(";")
    c = _xyz(s7eu8, r["chain"], r["auth_seq_id"], names).mean(axis=0)
    assert np.linalg.norm(c - _lig_xyz(s7eu8, ["N1"])[0]) == pytest.approx(r["distance"], abs=1e-4)
    # high pH: neutral, as with no pKa
    assert "salt_bridge" not in set(interactions(s7eu8, "JC9", ph=9.0, pka=7.5, thresholds=wide)["type"])


def test_default_thresholds_find_no_ring_or_charge_interactions(neutral, s7eu8):
    """PLIP reports none for JC9 in 7EU8; neither do we (neutral or cationic)."""
    for df in (neutral, interactions(s7eu8, "JC9", ph=7.4, pka=7.5)):
        assert not set(df["type"]) & {"pi_stacking", "cation_pi", "salt_bridge", "halogen"}


def _ring_normal(x):
    c = x.mean(axis=0)
    n = np.cross(x[0] - c, x[2] - c)
    return c, n / np.linalg.norm(n)


def test_ring_rules_recomputed(s7eu8):
    th = {"pistack_dist_max": 14.0, "pistack_offset_max": 14.0, "pistack_ang_dev": 90.0,
          "pication_dist_max": 14.0}  # fmt: skip
    df = interactions(s7eu8, "JC9", ph=7.4, pka=7.5, thresholds=th)
    pi = df[df["type"] == "pi_stacking"]
    cp = df[df["type"] == "cation_pi"]
    assert not pi.empty and not cp.empty
    assert set(pi["res_name"]) <= {"PHE", "TYR", "TRP", "HIS"}
    for _, r in pi.iterrows():
        pc, pn = _ring_normal(_xyz(s7eu8, r["chain"], r["auth_seq_id"], r["protein_atom"].split(";")))
        lc, ln = _ring_normal(_lig_xyz(s7eu8, r["ligand_atom"].split(";")))
        assert np.linalg.norm(pc - lc) == pytest.approx(r["distance"], abs=1e-3)
        ang = np.degrees(np.arccos(abs(pn @ ln)))
        assert r["angle"] == pytest.approx(ang, abs=1.0)
    assert (cp["ligand_atom"] == "N1").all() and (cp["distance"] <= 14).all()
    # default offsets/angles reject all of these (PLIP: 30 deg, 2.0 A offset)
    assert pi["distance"].min() > Thresholds().pistack_dist_max


def test_halogen_rule_geometry(s7eu8):
    th = {"halogen_dist_max": 7.0, "halogen_angle_dev": 90.0}
    hal = interactions(s7eu8, "JC9", ph=None, thresholds=th)
    hal = hal[hal["type"] == "halogen"]
    assert not hal.empty and (hal["ligand_atom"] == "CL1").all()
    assert hal["protein_atom"].str[0].isin(["O", "N"]).all()
    for _, r in hal.iterrows():
        cl = _lig_xyz(s7eu8, ["CL1"])[0]
        a = _xyz(s7eu8, r["chain"], r["auth_seq_id"], [r["protein_atom"]])[0]
        assert np.linalg.norm(a - cl) == pytest.approx(r["distance"], abs=1e-4)
        assert abs(r["angle"] - 165) <= 90


def test_thresholds_override_and_validation(s7eu8, neutral):
    short = interactions(s7eu8, "JC9", thresholds={"hydrophobic_dist_max": 3.0})
    hyd = short[short["type"] == "hydrophobic"]
    assert set(hyd["label"]) == {"GluN2B L643"} and (hyd["distance"] <= 3.0).all()
    assert len(hyd) < (neutral["type"] == "hydrophobic").sum()
    assert Thresholds.from_any(Thresholds(hbond_dist_max=3.5)).hbond_dist_max == 3.5
    with pytest.raises(InvalidParameter, match="unknown threshold"):
        interactions(s7eu8, "JC9", thresholds={"hydrophobic_cutoff": 4})
    with pytest.raises(InvalidParameter, match=">= 0"):
        interactions(s7eu8, "JC9", thresholds={"hbond_dist_max": -1})
    with pytest.raises(LigandNotFound):
        interactions(s7eu8, "MK8")


def test_site_table_interactions_column(s7eu8, neutral):
    site = site_residues(s7eu8, "JC9", cutoff=4.5, ph=None)
    got = dict(zip(zip(site["chain"], site["auth_seq_id"]), site["interactions"]))
    for (ch, num), grp in neutral.groupby(["chain", "auth_seq_id"]):
        assert got[(ch, num)] == ";".join(sorted(set(grp["type"])))
    assert got[("C", 616)] == ""  # GluN1 N616 is a contact without a typed interaction


def test_every_plip_residue_is_in_our_site_with_compatible_type(s7eu8):
    ref = json.loads(PLIP_JSON.read_text())
    assert ref["ligand"] == "JC9" and ref["plip_version"]
    plip = [r for r in ref["interactions"] if r["type"] in COMPATIBLE]
    assert len(plip) >= 5
    # no pH model: the amine N stays an acceptor, as PLIP types it (PLIP also counts it as a cation)
    site = site_residues(s7eu8, "JC9", cutoff=Thresholds().pication_dist_max, ph=None)
    table = {(c, int(n)): set(t.split(";")) - {""} for c, n, t in zip(site["chain"], site["auth_seq_id"], site["interactions"])}
    for r in plip:
        key = (r["chain"], r["res_id"])
        assert key in table, f"PLIP {r['type']} with {r['res_name']}{r['res_id']} {r['chain']} missing"
        assert table[key] & COMPATIBLE[r["type"]], f"PLIP {r['type']} {key}: ours {table[key]}"
    # and we type no residue that PLIP leaves untyped
    ours = {k for k, v in table.items() if v}
    assert ours == {(r["chain"], r["res_id"]) for r in plip}


def test_covalent_link_is_not_an_interaction(s7eu8):
    """The N-glycan NAG on GluN1 N203 (chain A): the linking Asn ND2 is bonded, not H-bonded."""
    from toolkit.errors import LossyFixWarning
    from toolkit.sites.interactions import COVALENT_DIST_MAX

    with pytest.warns(LossyFixWarning, match="O1"):  # the CCD leaving atom O1 is absent from a glycan
        it = interactions(s7eu8, "NAG", chain="A", res_id=901)
    site = site_residues(s7eu8, "NAG", chain="A", res_id=901, cutoff=4.0, with_interactions=False)
    link = site[site["min_distance"] < COVALENT_DIST_MAX]
    assert link["label"].tolist() == ["GluN1 N203"]
    assert not ((it["label"] == "GluN1 N203") & (it["protein_atom"] == "ND2")).any()
    assert (it["distance"] >= 2.5).all()
