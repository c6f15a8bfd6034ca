"""prepare_receptor(protonation='pdb2pqr'): PROPKA titration + H-bond network optimisation by pdb2pqr.

The states the receptor takes are compared with pdb2pqr's own output on the
deposited file (its ATOM records and metal ions, run here independently of
the toolkit's PDB writer), not with hand-written expectations.
"""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pytest
from blocked_imports import run_without

from toolkit.errors import InvalidParameter, LossyFixWarning

pdb2pqr = pytest.importorskip("pdb2pqr", reason="pdb2pqr (docking extra) is not installed")

_PARTNER = {"ASN": {"OD1": "ND2", "ND2": "OD1"}, "GLN": {"OE1": "NE2", "NE2": "OE1"},
            "HIS": {"ND1": "CD2", "CD2": "ND1", "NE2": "CE1", "CE1": "NE2"}}  # fmt: skip


def _deposited_lines(path, metals=("MG", "ZN", "CA")):
    """The file's protein ATOM records and metal ions, one altloc per atom site (highest occupancy, ties first)."""
    best: dict[tuple, str] = {}
    order = []
    with gzip.open(path, "rt") as fh:
        for ln in fh:
            if ln.startswith("ENDMDL"):
                break
            if not (ln.startswith("ATOM") or (ln.startswith("HETATM") and ln[17:20].strip() in metals)):
                continue
            if ln[76:78].strip() in ("H", "D"):
                continue
            key = (ln[21], ln[22:27], ln[12:16])
            if key not in best:
                order.append(key)
                best[key] = ln
            elif float(ln[54:60]) > float(best[key][54:60]):
                best[key] = ln
    return [best[k][:16] + " " + best[k][17:] for k in order]


def _run_pdb2pqr(path, tmp_path):
    import logging

    from pdb2pqr.main import run_pdb2pqr

    logging.captureWarnings(False)
    inp, out = tmp_path / "in.pdb", tmp_path / "out.pqr"
    lines = _deposited_lines(path)
    inp.write_text("".join(ln for ln in lines if ln.startswith("ATOM")) + "TER\n"
                   + "".join(ln for ln in lines if ln.startswith("HETATM")) + "END\n")  # fmt: skip
    logging.disable(logging.CRITICAL)
    try:
        run_pdb2pqr(["--ff", "AMBER", "--ffout", "AMBER", "--titration-state-method", "propka", "--with-ph", "7.4",
                     "--keep-chain", str(inp), str(out)])  # fmt: skip
    finally:
        logging.disable(logging.NOTSET)
    res: dict[tuple[str, int], dict] = {}
    for ln in out.read_text().splitlines():
        if ln.startswith("ATOM"):
            r = res.setdefault((ln[21], int(ln[22:26])), {"name": ln[17:20].strip(), "atoms": {}})
            r["atoms"][ln[12:16].strip()] = np.array([float(ln[30:38]), float(ln[38:46]), float(ln[46:54])])
    return res


def _donor_names(receptor, structure):
    """{(chain, res_id): set of atom names written with an HD right after them} over protein atoms."""
    lines = [ln for ln in receptor.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    out: dict[tuple[str, int], set[str]] = {}
    for i, ln in enumerate(lines):
        if ln[77:79].strip() == "HD" and lines[i - 1].startswith("ATOM"):
            p = lines[i - 1]
            out.setdefault((p[21], int(p[22:26])), set()).add(p[12:16].strip())
    return out


@pytest.fixture(scope="module")
def dst(mirror):
    import toolkit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = toolkit.load_structure(mirror / "complexes" / "4dst.pdb.gz")
    return s


def test_pdb2pqr_states_are_pdb2pqrs_own(dst, mirror, tmp_path):
    """4DST (GppCp, 2 Mg, 9LI removed): His tautomers, flips and rebuilt residues as pdb2pqr reports them."""
    from toolkit.docking import prepare_receptor

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossyFixWarning)
        r = prepare_receptor(dst, remove=("9LI", "A", 201), keep=("ion", "ligand"), protonation="pdb2pqr")
    rule = prepare_receptor(dst, remove=("9LI", "A", 201), keep=("ion", "ligand"))
    assert rule.states is None and "pdb2pqr" not in rule.protonation
    assert "pdb2pqr" in r.protonation and "pH 7.4" in r.protonation
    ref = _run_pdb2pqr(mirror / "complexes" / "4dst.pdb.gz", tmp_path)
    a = dst.atoms
    dep = {}  # deposited heavy atoms by residue
    for i in r.atom_index.tolist():
        if dst.polymer_mask[i]:
            dep.setdefault((str(a["chain_id"][i]), int(a["res_id"][i])), {})[str(a["atom_name"][i])] = dst.coord[i]
    rebuilt = {k for k, v in ref.items() if len([n for n in v["atoms"] if not n.startswith("H") and n != "OXT"])
               > len(dep.get(k, {}))}  # fmt: skip
    assert rebuilt, "4DST has truncated side chains that pdb2pqr rebuilds"
    assert sorted(x.split()[1] for x in r.states["kept_rule"]) == sorted(f"{c}:{n}" for c, n in rebuilt)
    # His tautomers
    his = {f"{c}:{n}": v["name"] for (c, n), v in ref.items() if v["name"] in ("HID", "HIE", "HIP")
           and (c, n) not in rebuilt}  # fmt: skip
    assert his and r.states["his"] == his
    # flips: pdb2pqr's atom sits nearer the deposited partner than the deposited atom of its own name
    flipped = set()
    for (c, n), v in ref.items():
        base = {"ASN": "ASN", "GLN": "GLN"}.get(v["name"], "HIS" if v["name"] in ("HID", "HIE", "HIP") else None)
        if base is None or (c, n) in rebuilt:
            continue
        probe = {"ASN": "OD1", "GLN": "OE1", "HIS": "ND1"}[base]
        d_own = np.linalg.norm(v["atoms"][probe] - dep[(c, n)][probe])
        d_partner = np.linalg.norm(v["atoms"][probe] - dep[(c, n)][_PARTNER[base][probe]])
        if d_partner < d_own:
            flipped.add(f"{base} {c}:{n}")
    assert flipped and set(r.states["flipped"]) == flipped
    # typing follows: each flipped amide's deposited O position is now a donor N, the deposited N an acceptor O
    donors = _donor_names(r, dst)
    types = {(str(a["chain_id"][i]), int(a["res_id"][i]), str(a["atom_name"][i])): t
             for i, t in zip(r.atom_index.tolist(), r.types.tolist())}  # fmt: skip
    for f in flipped:
        base, (c, n) = f.split()[0], f.split()[1].split(":")
        n = int(n)
        if base == "ASN":
            assert types[(c, n, "OD1")] == "N" and types[(c, n, "ND2")] == "OA"
            assert "OD1" in donors[(c, n)] and "ND2" not in donors[(c, n)]
    for key, state in his.items():
        c, n = key.split(":")
        n = int(n)
        nd1, ne2 = ("CD2", "CE1") if f"HIS {key}" in flipped else ("ND1", "NE2")
        want = {"HID": (True, False), "HIE": (False, True), "HIP": (True, True)}[state]
        got = (nd1 in donors.get((c, n), set()), ne2 in donors.get((c, n), set()))
        assert got == want, (key, state, got)
        assert types[(c, n, nd1)] == ("N" if want[0] else "NA") and types[(c, n, ne2)] == ("N" if want[1] else "NA")
    # every HD follows a donor N or O (a flipped His's deposited NE2 position is a carbon now)
    lines = [ln for ln in r.pdbqt.splitlines() if ln.startswith(("ATOM", "HETATM"))]
    assert {lines[i - 1][77:79].strip() for i, ln in enumerate(lines) if ln[77:79].strip() == "HD"} <= {"N", "OA"}
    # residues pdb2pqr rebuilt keep the rule's donors; everything else is pdb2pqr's
    rd = _donor_names(rule, dst)
    assert all(donors.get(k, set()) == rd.get(k, set()) for k in rebuilt)
    assert r.n_atoms == rule.n_atoms and np.array_equal(r.atom_index, rule.atom_index)  # no rebuilt atom added


def test_metal_bound_histidine_carries_no_h_on_the_bound_nitrogen(mirror):
    """4GQL: a His N within 2.6 Å of a Zn is an acceptor without H, the other N the donor, the ring not flipped."""
    import toolkit
    from toolkit.docking import prepare_receptor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = toolkit.load_structure(mirror / "complexes" / "4gql.pdb.gz")
    r = prepare_receptor(s, remove=("R47", "A", 306), keep=("ion",), protonation="pdb2pqr")
    a = s.atoms
    zn = s.coord[(a["res_name"] == "ZN")]
    donors = _donor_names(r, s)
    types = {(str(a["chain_id"][i]), int(a["res_id"][i]), str(a["atom_name"][i])): t
             for i, t in zip(r.atom_index.tolist(), r.types.tolist())}  # fmt: skip
    bound = []
    for i in np.flatnonzero((a["res_name"] == "HIS") & np.isin(a["atom_name"], ["ND1", "NE2"])).tolist():
        if np.linalg.norm(zn - s.coord[i], axis=1).min() <= 2.6:
            bound.append((str(a["chain_id"][i]), int(a["res_id"][i]), str(a["atom_name"][i])))
    assert len(bound) >= 6 and any(b[2] == "ND1" for b in bound) and any(b[2] == "NE2" for b in bound)
    for c, n, atom in bound:
        other = {"ND1": "NE2", "NE2": "ND1"}[atom]
        assert types[(c, n, atom)] == "NA" and atom not in donors[(c, n)]
        assert types[(c, n, other)] == "N" and other in donors[(c, n)]
        assert r.states["his"][f"{c}:{n}"] == {"ND1": "HIE", "NE2": "HID"}[atom]
        assert f"HIS {c}:{n}" not in r.states["flipped"]


def test_bad_protonation_argument(dst):
    from toolkit.docking import prepare_receptor

    with pytest.raises(InvalidParameter, match="protonation"):
        prepare_receptor(dst, protonation="reduce")
    for bad in ("seven", 15.0, -1, True):
        with pytest.raises(InvalidParameter, match="ph"):
            prepare_receptor(dst, protonation="pdb2pqr", ph=bad)


def test_missing_pdb2pqr_is_a_named_error_and_the_rule_still_works(mirror):
    run_without(("pdb2pqr", "propka"), f"""
        import warnings
        warnings.simplefilter("ignore")
        import toolkit
        from toolkit.docking import prepare_receptor
        from toolkit.errors import MissingExtra
        s = toolkit.load_structure({str(mirror / "complexes" / "4dst.pdb.gz")!r})
        r = prepare_receptor(s, remove=("9LI", "A", 201))
        assert r.states is None and r.n_polar_h > 100
        try:
            prepare_receptor(s, remove=("9LI", "A", 201), protonation="pdb2pqr")
        except MissingExtra as exc:
            assert exc.extra == "docking" and exc.module == "pdb2pqr", exc
        else:
            raise AssertionError("no MissingExtra")
        print("ok")
    """)


def test_truncated_side_chains_keep_the_rule_the_rest_gets_pdb2pqr(s7eu8):
    """7EU8 GluN2B chain B (cryo-EM, many truncated side chains): those keep the rule, the others pdb2pqr's states."""
    from biotite.structure.info import residue

    from toolkit.docking import prepare_receptor

    with warnings.catch_warnings():
        warnings.simplefilter("error", LossyFixWarning)
        r = prepare_receptor(s7eu8, chains=["B"], protonation="pdb2pqr")
    rule = prepare_receptor(s7eu8, chains=["B"])
    a = s7eu8.atoms
    names: dict[tuple[str, int], set] = {}
    for i in r.atom_index.tolist():
        names.setdefault((str(a["res_name"][i]), int(a["res_id"][i])), set()).add(str(a["atom_name"][i]))
    ideal = {}
    truncated = set()
    for (rn, n), got in names.items():
        if rn not in ideal:
            ref = residue(rn)
            ideal[rn] = {str(x) for x, e in zip(ref.atom_name, ref.element) if e != "H"} - {"OXT"}
        if not ideal[rn] <= got:
            truncated.add(f"B:{n}")
    assert len(truncated) > 100  # the cryo-EM model truncates many side chains
    kept = {x.split()[1] for x in r.states["kept_rule"]}
    assert truncated <= kept
    assert r.states["his"] and all(k not in truncated for k in r.states["his"])
    donors, rule_donors = _donor_names(r, s7eu8), _donor_names(rule, s7eu8)
    for key in truncated:
        n = int(key.split(":")[1])
        assert donors.get(("B", n), set()) == rule_donors.get(("B", n), set()), key
    assert r.pdbqt != rule.pdbqt and np.array_equal(r.atom_index, rule.atom_index)


def test_structure_pdb2pqr_cannot_complete_falls_back_to_the_rule(mirror, tmp_path):
    """A backbone trace (N, CA, C of 4DST): pdb2pqr gives up; a LossyFixWarning says why, the rule is used."""
    import toolkit
    from toolkit.docking import prepare_receptor

    with gzip.open(mirror / "complexes" / "4dst.pdb.gz", "rt") as fh:
        text = "".join(ln for ln in fh if not ln.startswith(("ATOM", "HETATM", "ANISOU"))
                       or (ln.startswith("ATOM") and ln[12:16].strip() in ("N", "CA", "C")))  # fmt: skip
    (tmp_path / "trace.pdb").write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = toolkit.load_structure(tmp_path / "trace.pdb")
    with pytest.warns(LossyFixWarning, match=r"pdb2pqr could not assign .*placed by rule instead"):
        r = prepare_receptor(s, protonation="pdb2pqr")
    rule = prepare_receptor(s)
    assert r.states is None and r.protonation == rule.protonation
    assert r.pdbqt == rule.pdbqt
