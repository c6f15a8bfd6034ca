"""Membrane placement (toolkit.sites.implicit_membrane) on real entries and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from structure_edits import with_atoms, with_coord

from toolkit.errors import InvalidCoordinates, NoProteinError
from toolkit.sites.implicit_membrane import MEMBRANE_COLUMNS, Membrane, NoMembrane, membrane
from toolkit.sites.pockets import tmd_frame


def _complexes(mirror):
    files = sorted((Path(mirror) / "complexes").glob("*.pdb.gz"))
    assert len(files) >= 20
    return files


@pytest.mark.parametrize("entry", ["7EU8", "7EOS"])
def test_membrane_on_nmda_tmd(entry, request):
    s = request.getfixturevalue("s" + entry.lower())
    m = membrane(s)
    assert isinstance(m, Membrane) and m.has_membrane
    axis = tmd_frame(s).axis
    angle = np.degrees(np.arccos(min(1.0, abs(float(m.normal @ axis)))))
    assert angle < 10.0, angle  # normal along the pore axis (from the M3 helices, computed independently)
    assert m.normal @ axis > 0  # oriented to the extracellular side
    # hydrophobic thickness of iGluR TMDs: about 28-34 Å (we accept 26-34: the fit gives 27-28)
    assert 26.0 <= m.thickness <= 34.0, m.thickness
    assert m.energy < -20.0 and m.n_segments >= 8  # M1, M3, M4 of four subunits cross the slab
    r = m.residues
    assert list(r.columns) == MEMBRANE_COLUMNS
    assert len(r) == len(s.residues())
    assert set(r["subunit"]) <= {"GluN1", "GluN2A", "GluN2B"}
    assert np.allclose(r["depth"].abs().where(r["lipid_exposed"]).dropna() <= m.half_thickness, True)
    # Trp/Tyr belts: exposed aromatic residues near the slab cluster near the two faces
    wy = r[
        r["res_name"].isin(["TRP", "TYR"])
        & (r["exposure"] >= 0.25)
        & (r["depth"].abs() < m.half_thickness + 8)
    ]
    upper = wy.loc[wy["depth"] > 0, "depth"]
    lower = wy.loc[wy["depth"] < 0, "depth"]
    assert len(upper) >= 4 and len(lower) >= 4
    # each belt lies in the outer half of its leaflet: closer to its face than to the centre
    assert upper.median() > m.half_thickness / 2, (upper.median(), m.half_thickness)
    assert -lower.median() > m.half_thickness / 2, (lower.median(), m.half_thickness)
    assert abs(upper.median() - m.half_thickness) < 7.5 and abs(-lower.median() - m.half_thickness) < 7.5
    # and not in the core: few of them within the central third
    assert (wy["depth"].abs() < m.thickness / 6).mean() < 0.25
    # lipid-exposed residues: apolar on average (Kyte-Doolittle positive residues dominate)
    lip = r[r["lipid_exposed"]]
    assert lip["one_letter"].isin(list("AILMFVCGWY")).mean() > 0.6
    s_ = m.summary()
    assert bool(s_["membrane"].iloc[0]) and s_["thickness"].iloc[0] == round(m.thickness, 1)


def test_membrane_rotation_invariant(s7eu8):
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    q *= np.sign(np.linalg.det(q))
    rot = with_coord(s7eu8, (s7eu8.coord @ q.T).astype(s7eu8.coord.dtype))
    a, b = membrane(s7eu8), membrane(rot)
    assert b.has_membrane
    angle = np.degrees(np.arccos(min(1.0, abs(float(b.normal @ (q @ a.normal))))))
    assert angle < 5.0
    assert abs(a.thickness - b.thickness) <= 2.0


def test_soluble_complexes_have_no_membrane(mirror):
    from toolkit import load_structure
    from toolkit.errors import NoProteinError as NPE

    seen = 0
    for f in _complexes(mirror):
        try:
            s = load_structure(f)
        except NPE:  # 4yb0 is RNA only
            continue
        m = membrane(s)
        assert isinstance(m, NoMembrane), f.name
        assert not m.has_membrane and "no membrane" in m.reason
        assert m.summary()["membrane"].iloc[0] is False or not m.summary()["membrane"].iloc[0]
        seen += 1
    assert seen >= 19


def test_no_protein_and_nan_coordinates(s7eu8):
    coord = s7eu8.coord.copy()
    coord[5] = np.nan
    with pytest.raises(InvalidCoordinates, match="non-finite"):
        membrane(with_coord(s7eu8, coord))
    keep = ~s7eu8.polymer_mask
    no_prot = {k: v[keep] for k, v in s7eu8.atoms.items()}
    with pytest.raises(NoProteinError, match="no protein"):
        membrane(with_atoms(s7eu8, no_prot))


def test_fft_scan_equals_direct_sums():
    """_scan (real FFTs, types summed in the frequency domain) equals the direct sum of the Ez
    profiles over the residues, for every direction, slab centre and thickness."""
    from toolkit.sites.implicit_membrane import _BIN, _ez, _ez_depth, _hemisphere, _scan

    rng = np.random.default_rng(5)
    types = ["ALA", "LEU", "LYS", "TRP"]
    xyz = rng.normal(size=(60, 3)) * [20.0, 15.0, 30.0]
    tidx = rng.integers(0, len(types), size=60)
    dirs = _hemisphere(7)
    thick = np.array([24.0, 30.0, 37.0])
    e, c, t = _scan(dirs, xyz, tidx, types, thick)
    every = xyz @ dirs.T
    lo = every.min() - 2.0  # one bin grid for every direction
    n_bins = int(np.ceil((every.max() + 2.0 - lo) / _BIN)) + 1
    for k, d in enumerate(dirs):
        bins = np.rint((xyz @ d - lo) / _BIN)
        best = (np.inf, 0.0, 0.0)
        for th in thick:
            half = 0.5 * th + 25.0
            for j in range(n_bins):
                dz = (j - bins) * _BIN  # depth of each residue from a slab centred on bin j
                inside = np.abs(dz) <= half + 1e-9
                en = sum(_ez([types[i]], _ez_depth(np.array([[z]]), th))[0, 0] for i, z in zip(tidx[inside], dz[inside]))
                if en < best[0] - 1e-9:
                    best = (en, lo + j * _BIN, th)
        assert e[k] == pytest.approx(best[0], abs=1e-9) and c[k] == pytest.approx(best[1]) and t[k] == best[2]
