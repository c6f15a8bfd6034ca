"""Site comparison across subunits and entries (toolkit.sites.mapping)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.errors import InvalidParameter
from toolkit.sites import (
    MAP_COLUMNS,
    compare_pore_site,
    interaction_matrix,
    interactions,
    map_residues,
    map_site,
    site_residues,
)


@pytest.fixture(scope="module")
def site(s7eu8):
    return site_residues(s7eu8, "JC9", cutoff=4.5)


def test_map_site_7eu8_onto_7eos(s7eu8, s7eos, site):
    m = map_site(site, s7eos, source=s7eu8)
    assert list(m.columns) == MAP_COLUMNS
    assert len(m) == len(site.drop_duplicates(["chain", "auth_seq_id"]))  # no row lost
    l643 = m[m["source_label"] == "GluN2B L643"]
    assert set(l643["target_label"]) == {"GluN2A L642"}
    assert set(l643["method"]) == {"alignment"} and l643["identical"].all()
    # GluN2A is on 7EOS chains A/C: read from the structure, not assumed
    assert set(l643["target_chain"]) <= {c for c, s in s7eos.chain_subunits.items() if s == "GluN2A"}
    v644 = m[m["source_label"] == "GluN1 V644"]
    assert set(v644["target_label"]) == {"GluN1 V644"} and set(v644["method"]) == {"uniprot"}
    assert set(v644["target_chain"]) == {"B", "D"}
    assert set(m.loc[m["source_label"] == "GluN2B T647", "target_label"]) == {"GluN2A T646"}


def test_map_residues_alignment_keeps_motif(s7eu8, s7eos):
    """The SYTANLAAF gate motif of GluN2B aligns onto GluN2A's, residue by residue."""
    seq_b, seq_a = s7eu8.sequence("B"), s7eos.sequence("A")
    rb, ra = s7eu8.residues("B"), s7eos.residues("A")
    pb, pa = seq_b.find("SYTANLAAF"), seq_a.find("SYTANLAAF")
    assert pb >= 0 and pa >= 0
    nums = rb["auth_seq_id"].iloc[pb : pb + 9].tolist()
    m = map_residues(s7eu8, "B", s7eos, "A", nums)
    assert m["target_uniprot_num"].tolist() == ra["uniprot_num"].iloc[pa : pa + 9].tolist()
    assert m["identical"].all()
    with pytest.raises(InvalidParameter, match="no residues numbered"):
        map_residues(s7eu8, "B", s7eos, "A", [99999])


def test_map_residues_same_subunit_by_uniprot(s7eu8, s7eos):
    m = map_residues(s7eu8, "A", s7eos, "B")  # GluN1 -> GluN1, whole chain
    assert len(m) == len(s7eu8.residues("A"))
    mapped = m[m["method"] == "uniprot"]
    assert (mapped["source_uniprot_num"] == mapped["target_uniprot_num"]).all()
    assert (m["method"] == "unmapped").any()  # residues not observed in 7EOS stay, unmapped


def test_compare_pore_site(s7eu8, s7eos):
    t = compare_pore_site(s7eu8, [s7eos], cutoff=4.5).set_index("position")
    assert t.loc["GluN2B L643", "GluN2A_label"] == "GluN2A L642"
    assert t.loc["GluN2B L643", "GluN1_label"] == "GluN1 V644"
    assert not t.loc["GluN2B L643", "identical"] and t.loc["GluN2B L643", "identical_glun2"]
    assert t.loc["GluN2B T647", "GluN1_label"] == "GluN1 T648"  # the Thr ring
    assert t.loc["GluN2B T647", "GluN2A_label"] == "GluN2A T646"
    assert t.loc["GluN1 V644", "GluN2B_label"] == "GluN2B L643"
    assert t.loc["GluN1 V644", "source_chains"] == "A;C"
    assert {"GluN1_one_letter", "GluN2A_one_letter", "GluN2B_one_letter"} <= set(t.columns)
    # each letter is the residue really present at that label in its structure
    r8 = s7eu8.residues()
    for pos, row in t.iterrows():
        sub, num = row["source_subunit"], row["source_uniprot_num"]
        letter = r8[(r8["subunit"] == sub) & (r8["uniprot_num"] == num)]["one_letter"].iloc[0]
        assert row[f"{sub}_one_letter"] == letter == pos.split()[1][0]


def test_compare_without_glun2a_source(s7eu8):
    t = compare_pore_site(s7eu8, cutoff=4.0)
    assert t["GluN2A_label"].isna().all()
    assert set(t["position"]) == {"GluN1 V644", "GluN2B L643", "GluN2B T647"}


def test_interaction_matrix(s7eu8, site):
    it = interactions(s7eu8, "JC9")
    cnt = interaction_matrix(it, value="count")
    assert list(cnt.columns) == ["JC9"]
    for lab, n in it.groupby("label").size().items():
        assert cnt.loc[lab, "JC9"] == n
    types = interaction_matrix(site, by="entry")
    assert list(types.columns) == ["7EU8"]
    assert types.loc["GluN2B L643", "7EU8"] == "hydrophobic"
    assert types.loc["GluN1 N616", "7EU8"] == ""
    dist = interaction_matrix(site, value="min_distance")
    assert dist.loc["GluN2B L643", "JC9"] == pytest.approx(site[site["label"] == "GluN2B L643"]["min_distance"].min())
    # two ligands side by side: absent residues get '' / 0
    nag = s7eu8.ligands()
    nag = nag[(nag["ccd_code"] == "NAG") & (nag["chain"] == "A")].iloc[0]
    other = site_residues(s7eu8, "NAG", chain="A", res_id=int(nag["auth_seq_id"]), with_interactions=False)
    both = interaction_matrix(pd.concat([site, other]), value="count")
    assert set(both.columns) == {"JC9", "NAG"}
    assert both.loc["GluN2B L643", "NAG"] == 0 and both.loc["GluN2B L643", "JC9"] > 0
    with pytest.raises(InvalidParameter, match="by"):
        interaction_matrix(it, by="chain")


def test_map_site_bad_input(s7eu8, s7eos, site):
    with pytest.raises(InvalidParameter, match="one entry"):
        map_site(pd.concat([site, site.assign(entry="XXXX")]), s7eos, source=s7eu8)
    with pytest.raises(InvalidParameter, match="source structure"):
        map_site(site, s7eos, source=s7eos)


def test_unknown_subunit_and_category_names_are_errors(s7eu8, s7eos):
    from toolkit.errors import InvalidParameter
    from toolkit.sites import compare_pore_site, map_site, site_residues

    site = site_residues(s7eu8, "JC9", with_interactions=False)
    with pytest.raises(InvalidParameter, match="unknown subunit"):
        compare_pore_site(s7eu8, [s7eos], subunits=("GluN1", "foo"), site_df=site)
    with pytest.raises(InvalidParameter, match="names unknown subunits"):
        map_site(site, s7eos, source=s7eu8, subunit_map={"GluN2B": "GluN9"})
    with pytest.raises(InvalidParameter, match="unknown ligand category"):
        s7eu8.ligands(category="drug")
    # a single Structure is accepted where a list is expected
    one = compare_pore_site(s7eu8, s7eos, site_df=site)
    assert one.set_index("position").loc["GluN2B L643", "GluN2A_label"] == "GluN2A L642"
