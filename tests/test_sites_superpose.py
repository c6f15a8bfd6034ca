"""toolkit.sites.superpose: Kabsch fit and TMD superposition of 7EOS (GluN2A) onto 7EU8 (GluN2B)."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.errors import InvalidParameter, NoTransmembraneDomain
from toolkit.model import Structure
from toolkit.sites import superpose_tmd, tmd_frame
from toolkit.sites.superpose import kabsch


def _rotation(seed: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    return q * np.sign(np.linalg.det(q))  # a proper rotation


def test_kabsch_recovers_a_known_transform():
    x = np.random.default_rng(1).normal(size=(30, 3)) * 10
    rot, shift = _rotation(2), np.array([5.0, -3.0, 12.0])
    r, t, rmsd = kabsch(x, x @ rot.T + shift)
    assert np.allclose(r, rot) and np.allclose(t, shift) and rmsd < 1e-9
    mirrored = x * [-1, 1, 1]  # a reflection cannot be fitted by a rotation
    assert np.linalg.det(kabsch(x, mirrored)[0]) == pytest.approx(1.0) and kabsch(x, mirrored)[2] > 1
    with pytest.raises(InvalidParameter, match="n >= 3"):
        kabsch(x[:2], x[:2])


def test_moved_copy_of_itself_comes_back(s7eu8):
    rot, shift = _rotation(3), np.array([40.0, -20.0, 7.0])
    atoms = dict(s7eu8.atoms)
    atoms["coord"] = (s7eu8.coord @ rot.T + shift).astype(s7eu8.coord.dtype)
    moved = Structure(s7eu8.entry_id, atoms, dict(s7eu8.meta), "test: rotated copy")
    sup = superpose_tmd(moved, s7eu8)
    assert sup.chain_pairs == {"A": "A", "B": "B", "C": "C", "D": "D"}
    assert sup.rmsd < 1e-3 and sup.n_pairs > 400
    assert np.abs(sup.structure.coord - s7eu8.coord).max() < 1e-2  # float32 coordinates
    assert moved.coord is not sup.structure.coord and np.allclose(moved.coord, s7eu8.coord @ rot.T + shift, atol=1e-3)


def test_7eos_onto_7eu8_puts_the_gluN2a_site_around_ketamine(s7eu8, s7eos):
    sup = superpose_tmd(s7eos, s7eu8)
    # chains pair by subunit family, whatever the chain order of each entry
    for rc, mc in sup.chain_pairs.items():
        ref, mob = s7eu8.chain_subunits[rc], s7eos.chain_subunits[mc]
        assert (ref, mob) in {("GluN1", "GluN1"), ("GluN2B", "GluN2A")}
    assert len(sup.chain_pairs) == 4 and sup.n_pairs > 400 and sup.rmsd < 4.0
    # the two pore axes coincide after the fit, and ketamine sits on the moved 7EOS axis
    fa, fb = tmd_frame(s7eu8), tmd_frame(sup.structure)
    assert np.degrees(np.arccos(abs(fa.axis @ fb.axis))) < 3 and np.linalg.norm(fa.origin - fb.origin) < 2.5
    jc9 = s7eu8.coord[s7eu8.ligand_atoms("JC9", "B", 903)]
    assert fb.radial(jc9.mean(axis=0)[None])[0] < 1.5
    # GluN2A L642 (the GluN2B L643 equivalent) lines the superposed ketamine position
    a = sup.structure.atoms
    l642 = np.flatnonzero((a["chain_id"] == sup.chain_pairs["B"]) & (a["res_id"] == 642))
    assert set(a["res_name"][l642]) == {"LEU"}
    assert np.linalg.norm(sup.structure.coord[l642][:, None] - jc9[None], axis=2).min() < 4.5
    assert "superposed on the 7EU8 TMD" in sup.structure.source


def test_no_tmd_and_no_common_subunit(s7eu8):
    from toolkit import load_structure

    with pytest.raises(NoTransmembraneDomain):
        superpose_tmd(s7eu8, load_structure("4KCC"))
    with pytest.raises(InvalidParameter, match="equivalent TMD"):
        superpose_tmd(load_structure("4KCC"), s7eu8)  # an LBD-only entry has no TMD residues to pair
