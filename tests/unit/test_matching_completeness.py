"""The profile checklist: the fields a subject's lists read, worth their share of the
list's weights, most first; filled ones drop out."""

from __future__ import annotations

from matchmaker.matching.completeness import completeness
from matchmaker.matching.rules import ListKind, load_rules


def test_each_gap_weighs_its_rules_share_on_the_subjects_best_list():
    rules = load_rules()
    partners = rules.lists[ListKind.PROJECT_PARTNERS]
    found = completeness("project", "startup", [], rules)
    need = next(gap for gap in found.gaps if gap.field == "need")
    share = 100 * partners.weights["offers_needed"] / partners.total_weight
    assert need.points >= round(share)
    assert [gap.points for gap in found.gaps] == sorted(
        (gap.points for gap in found.gaps), reverse=True
    )


def test_filled_fields_drop_out_and_are_counted():
    empty = completeness("organisation", "sme", [])
    some = completeness("organisation", "sme", ["need", "capability", "no_such_field"])
    assert some.filled == 2 and some.counted == empty.counted
    assert {gap.field for gap in some.gaps} == {gap.field for gap in empty.gaps} - {
        "need", "capability"
    }  # fmt: skip


def test_only_investors_are_asked_for_stages_and_tickets():
    investor = {gap.field for gap in completeness("organisation", "investor", []).gaps}
    hospital = {gap.field for gap in completeness("organisation", "hospital", []).gaps}
    assert {"preferred_stage", "ticket"} <= investor
    assert not {"preferred_stage", "ticket"} & hospital


def test_a_missing_region_weighs_only_what_the_country_does_not_give():
    rules = load_rules()
    region = next(g for g in completeness("organisation", "sme", [], rules).gaps
                  if g.field == "region")  # fmt: skip
    most = max(100 * spec.weights.get("geography", 0) / spec.total_weight
               for spec in rules.lists.values() if spec.subject_type == "organisation")  # fmt: skip
    assert region.points == round(most * (1 - rules.geography["same_country"]))
