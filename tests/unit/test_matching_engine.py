"""Ranking: scores, exclusions, candidate selection, order, and properties that must hold.

Pure tests: no app, no database. Profiles are hand-made; the shipped rules.toml is used
unless a test says otherwise, and assertions compare candidates with each other rather
than restating its numbers.
"""

from __future__ import annotations

import ast
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker import matching
from matchmaker.matching import (
    AmountRange,
    ItemKey,
    ListKind,
    Match,
    MatchContext,
    MatchingError,
    Profile,
    TagRef,
    TagStats,
    load_rules,
    rank,
    relevant_tags,
    score_candidates,
    score_pair,
    selection_tags,
)
from matchmaker.matching.engine import order_of

RULES = load_rules()
PARTNERS = ListKind.PROJECT_PARTNERS


def org(
    item_id: int,
    kind: str = "sme",
    country: str = "PL",
    region: str | None = None,
    languages: tuple[str, ...] = ("en",),
    ticket: AmountRange | None = None,
    regions_covered: tuple[str, ...] = (),
    organisation_id: int | None = None,
    **tags: list[str],
) -> Profile:
    return Profile(
        key=ItemKey("organisation", item_id),
        organisation_id=item_id if organisation_id is None else organisation_id,
        org_kind=kind,
        country=country,
        region=region,
        languages=frozenset(languages),
        tags=tags,
        ticket=ticket,
        regions_covered=frozenset(regions_covered),
    )


def project(
    item_id: int,
    owner: int = 1000,
    kind: str = "startup",
    country: str = "PL",
    region: str | None = None,
    languages: tuple[str, ...] = ("en",),
    stage: str | None = "pilot",
    funding: AmountRange | None = None,
    **tags: list[str],
) -> Profile:
    return Profile(
        key=ItemKey("project", item_id),
        organisation_id=owner,
        org_kind=kind,
        country=country,
        region=region,
        languages=frozenset(languages),
        tags=tags,
        stage=stage,
        funding=funding,
    )


def ids(matches: list[Match]) -> list[int]:
    return [match.key.item_id for match in matches]


def codes(match: Match) -> list[str]:
    return [reason.code for reason in match.reasons]


# --- scores ------------------------------------------------------------------------------


def test_a_candidate_for_which_every_rule_holds_scores_100():
    subject = project(
        1,
        kind="startup",
        region="PL-DS",
        languages=("pl",),
        need=["test_bed"],
        capability=["remote_monitoring"],
        seeks=["pilot_site"],
        category=["medical_devices"],
        specialisation=["cardiology"],
    )
    hospital = org(
        2,
        kind="hospital",
        region="PL-DS",
        languages=("pl",),
        capability=["test_bed"],
        need=["remote_monitoring"],
        category=["medical_devices"],
        specialisation=["cardiology"],
    )
    match = score_pair(subject, hospital, PARTNERS)
    assert match.score == 100
    assert all(reason.points > 0 for reason in match.reasons)


def test_reasons_add_up_to_the_score_strongest_first_and_negative_last():
    subject = project(1, languages=("pl",), need=["biobank", "ip_legal"], category=["back_office"])
    candidate = org(2, languages=("da",), capability=["biobank"], category=["back_office"])
    match = score_pair(subject, candidate, PARTNERS)
    assert sum(reason.points for reason in match.reasons) == pytest.approx(match.score, abs=0.5)
    positive = [reason.points for reason in match.reasons if reason.points > 0]
    assert positive == sorted(positive, reverse=True)
    assert codes(match)[-1] == "no_shared_language"


def test_a_missing_shared_language_lowers_the_score_and_is_explained():
    subject = project(1, languages=("pl",), need=["biobank"])
    speaks_polish = org(2, languages=("pl", "en"), capability=["biobank"])
    danish_only = org(3, languages=("da",), capability=["biobank"])
    both = rank(subject, [danish_only, speaks_polish], PARTNERS)
    assert ids(both) == [2, 3]
    assert "no_shared_language" in codes(both[1])


def test_a_score_never_goes_below_zero_and_such_candidates_are_dropped():
    subject = project(1, languages=("pl",), category=["back_office"], need=["biobank"])
    weak = org(2, languages=("da",), category=["back_office", "mobile_apps", "cybersecurity"])
    penalised = replace(RULES, penalties={"shared_language": 100})
    assert score_pair(subject, weak, PARTNERS, rules=penalised).score == 0
    assert rank(subject, [weak], PARTNERS, rules=penalised) == []


# --- exclusions --------------------------------------------------------------------------


def test_own_organisation_declined_and_dismissed_candidates_are_left_out():
    subject = project(1, owner=10, need=["biobank"])
    own = org(10, capability=["biobank"])
    declined = org(11, capability=["biobank"])
    dismissed = org(12, capability=["biobank"])
    fine = org(13, capability=["biobank"])
    context = MatchContext(
        declined_organisations=frozenset({11}),
        dismissed=frozenset({ItemKey("organisation", 12)}),
    )
    assert ids(rank(subject, [own, declined, dismissed, fine], PARTNERS, context)) == [13]
    assert ids(rank(subject, [own, declined, dismissed, fine], PARTNERS)) == [11, 12, 13]


def test_an_investors_own_projects_are_not_recommended_to_it():
    investor = org(5, kind="investor", preferred_stage=["pilot"], category=["mobile_apps"])
    own = project(1, owner=5, category=["mobile_apps"])
    other = project(2, owner=6, category=["mobile_apps"])
    assert ids(rank(investor, [own, other], ListKind.INVESTOR_PROJECTS)) == [2]


def test_candidates_of_the_wrong_type_or_kind_are_not_listed():
    subject = project(1, need=["investment_capital"], category=["mobile_apps"])
    investor = org(2, kind="investor", capability=["investment_capital"], category=["mobile_apps"])
    sme = org(3, kind="sme", capability=["investment_capital"], category=["mobile_apps"])
    other_project = project(4, owner=7, category=["mobile_apps"])
    everyone = [investor, sme, other_project]
    assert ids(rank(subject, everyone, ListKind.PROJECT_INVESTORS)) == [2]
    assert ids(rank(subject, everyone, PARTNERS)) == [3]


def test_a_subject_without_such_a_list_is_refused():
    with pytest.raises(MatchingError, match="investor_projects"):
        rank(org(1, kind="hospital"), [], ListKind.INVESTOR_PROJECTS)
    with pytest.raises(MatchingError, match="project_partners"):
        rank(org(1), [], PARTNERS)
    with pytest.raises(MatchingError, match="unknown list kind"):
        rank(project(1), [], "friends")


def test_a_candidate_given_twice_is_an_error():
    candidate = org(2, capability=["biobank"])
    with pytest.raises(ValueError, match="given twice"):
        rank(project(1, need=["biobank"]), [candidate, candidate], PARTNERS)


# --- order -------------------------------------------------------------------------------


def test_ties_are_broken_by_the_item_key_whatever_the_input_order():
    subject = project(1, need=["biobank"])
    twins = [org(item_id, capability=["biobank"]) for item_id in (40, 7, 23, 15)]
    for _ in range(5):
        random.shuffle(twins)
        matches = rank(subject, twins, PARTNERS)
        assert ids(matches) == [7, 15, 23, 40]
        assert len({match.score for match in matches}) == 1


def test_pages_are_slices_of_the_whole_ordered_list():
    subject = project(1, need=["biobank", "ip_legal", "test_bed"], region="PL-DS")
    candidates = [
        org(
            item_id,
            region=random.Random(item_id).choice(["PL-DS", "PL-MZ", None]),
            capability=random.Random(item_id).sample(
                ["biobank", "ip_legal", "test_bed"], k=1 + item_id % 3
            ),
        )
        for item_id in range(2, 30)
    ]
    everything = score_candidates(subject, candidates, PARTNERS)
    order = order_of(0)
    assert [order(m) for m in everything] == sorted(order(m) for m in everything)
    pages = [
        rank(subject, candidates, PARTNERS, limit=5, offset=offset) for offset in range(0, 30, 5)
    ]
    assert [match for page in pages for match in page] == everything
    with pytest.raises(ValueError, match="negative"):
        rank(subject, candidates, PARTNERS, offset=-1)


# --- rarer tags weigh more -----------------------------------------------------------------


def test_a_partner_offering_a_rare_need_ranks_above_one_offering_a_common_need():
    stats = TagStats(10_000, {"software_development": 1_500, "biobank": 12})
    subject = project(1, need=["software_development", "biobank"])
    rare = org(2, capability=["biobank"])
    common = org(3, capability=["software_development"])
    assert ids(rank(subject, [rare, common], PARTNERS, MatchContext(stats=stats))) == [2, 3]
    flipped = TagStats(10_000, {"software_development": 12, "biobank": 1_500})
    assert ids(rank(subject, [rare, common], PARTNERS, MatchContext(stats=flipped))) == [3, 2]


# --- candidate selection -------------------------------------------------------------------


def test_relevant_tags_are_the_subjects_tags_in_the_candidates_role():
    subject = project(
        1, stage="prototype", need=["biobank"], category=["mobile_apps"], seeks=["investment"]
    )
    assert relevant_tags(subject, PARTNERS) == {
        TagRef("capability", "biobank"),
        TagRef("capability_text", "biobank"),
        TagRef("category", "mobile_apps"),
    }
    assert TagRef("preferred_stage", "prototype") in relevant_tags(
        subject, ListKind.PROJECT_INVESTORS
    )
    partner = org(2, capability=["ip_legal"], need=["biobank"])
    assert relevant_tags(partner, ListKind.ORGANISATION_PARTNERS) == {
        TagRef("need", "ip_legal"),
        TagRef("need_text", "ip_legal"),
        TagRef("capability", "biobank"),
        TagRef("capability_text", "biobank"),
    }


BIG_REGISTER = TagStats(
    300_000, {"ehealth_telemedicine": 90_000, "mobile_apps": 60_000, "biobank": 300}
)


def test_common_tags_do_not_select_candidates_but_still_score():
    subject = project(1, need=["biobank"], category=["ehealth_telemedicine"])
    assert selection_tags(subject, PARTNERS, BIG_REGISTER) == {
        TagRef("capability", "biobank"),
        TagRef("capability_text", "biobank"),  # also when a text offers it
    }
    both = org(2, capability=["biobank"], category=["ehealth_telemedicine"])
    rare_only = org(3, capability=["biobank"])
    common_only = org(4, category=["ehealth_telemedicine"])
    matches = rank(
        subject, [both, rare_only, common_only], PARTNERS, MatchContext(stats=BIG_REGISTER)
    )
    assert ids(matches) == [2, 3]
    assert "shared_categories" in codes(matches[0])


def test_a_subject_with_only_common_tags_is_matched_through_its_rarest():
    subject = project(1, category=["ehealth_telemedicine", "mobile_apps"])
    assert TagRef("category", "mobile_apps") in selection_tags(subject, PARTNERS, BIG_REGISTER)
    candidate = org(2, category=["mobile_apps"])
    assert ids(rank(subject, [candidate], PARTNERS, MatchContext(stats=BIG_REGISTER))) == [2]


def test_a_small_register_selects_through_every_tag():
    small = TagStats(150, {"ehealth_telemedicine": 90, "biobank": 2})
    subject = project(1, need=["biobank"], category=["ehealth_telemedicine"])
    assert selection_tags(subject, PARTNERS, small) == relevant_tags(subject, PARTNERS)


def test_a_full_scan_and_an_index_lookup_give_the_same_list():
    subject = project(1, need=["biobank", "test_bed"], category=["ehealth_telemedicine"])
    generator = random.Random(4)
    everyone = [
        org(
            item_id,
            kind=generator.choice(["sme", "hospital", "investor", "cluster", "university"]),
            capability=generator.sample(
                ["biobank", "test_bed", "ip_legal", "prototyping"], k=generator.randint(0, 2)
            ),
            category=generator.sample(
                ["ehealth_telemedicine", "mobile_apps"], k=generator.randint(0, 1)
            ),
        )
        for item_id in range(2, 200)
    ]
    selection = selection_tags(subject, PARTNERS, BIG_REGISTER)
    looked_up = [c for c in everyone if any(tag.code in c.tag_codes(tag.role) for tag in selection)]
    context = MatchContext(stats=BIG_REGISTER)
    assert len(looked_up) < len(everyone)
    assert rank(subject, everyone, PARTNERS, context) == rank(subject, looked_up, PARTNERS, context)


def test_clusters_are_listed_even_without_a_shared_tag():
    subject = project(1, region="PL-DS", need=["biobank"])
    covering = org(2, kind="cluster", region="PL-MZ", regions_covered=("PL-DS",))
    assert ids(rank(subject, [covering], ListKind.PROJECT_CLUSTERS)) == [2]
    assert rank(subject, [org(3, region="PL-DS")], PARTNERS) == []


# --- language independence -----------------------------------------------------------------


def test_a_polish_only_offer_meets_a_danish_only_need_through_tags():
    need = project(
        1, country="DK", region="DK-84", languages=("da",), need=["telemedicine_platform"]
    )
    offer = org(
        2, country="PL", region="PL-DS", languages=("pl",), capability=["telemedicine_platform"]
    )
    [match] = rank(need, [offer], PARTNERS)
    offers = next(reason for reason in match.reasons if reason.code == "offers_needed")
    assert offers.args == {"tags": ("telemedicine_platform",), "text_tags": ()}
    assert "no_shared_language" in codes(match)


def test_only_the_language_reason_depends_on_the_language():
    need = project(1, languages=("da",), need=["telemedicine_platform"], category=["mobile_apps"])
    in_polish = org(
        2, languages=("pl",), capability=["telemedicine_platform"], category=["mobile_apps"]
    )
    in_danish = org(
        3, languages=("da",), capability=["telemedicine_platform"], category=["mobile_apps"]
    )

    def without_language(match):
        return [(r.code, dict(r.args), r.points) for r in match.reasons if "language" not in r.code]

    polish, danish = score_pair(need, in_polish, PARTNERS), score_pair(need, in_danish, PARTNERS)
    assert without_language(polish) == without_language(danish)


# --- scenarios from the issue ------------------------------------------------------------------


def test_an_sme_needing_validation_ranks_a_nearby_hospital_with_a_test_bed_first():
    sme = project(
        1,
        kind="sme",
        region="PL-DS",
        languages=("pl", "en"),
        need=["clinical_validation", "test_bed"],
        seeks=["pilot_site"],
        category=["ehealth_telemedicine"],
    )
    nearby = org(
        2,
        kind="hospital",
        region="PL-DS",
        languages=("pl",),
        capability=["test_bed", "clinical_validation"],
    )
    distant = org(
        3,
        kind="hospital",
        country="NO",
        region="NO-03",
        languages=("nb", "en"),
        capability=["clinical_validation"],
    )
    assert ids(rank(sme, [distant, nearby], PARTNERS)) == [2, 3]


def test_an_investor_whose_ticket_is_too_small_ranks_below_one_that_covers_the_funding():
    startup = project(
        1, stage="pilot", funding=AmountRange(1_000_000, 2_000_000), category=["mobile_apps"]
    )

    def investor(item_id, ticket):
        return org(
            item_id,
            kind="investor",
            ticket=ticket,
            preferred_stage=["pilot"],
            category=["mobile_apps"],
        )

    small = investor(2, AmountRange(50_000, 300_000))
    covering = investor(3, AmountRange(500_000, 5_000_000))
    matches = rank(startup, [small, covering], ListKind.PROJECT_INVESTORS)
    assert ids(matches) == [3, 2]
    assert "ticket_too_small" in codes(matches[1])


def test_a_cluster_covering_the_region_and_the_category_ranks_first_among_clusters():
    subject = project(1, region="PL-DS", category=["medical_devices"])
    covering_both = org(
        4, kind="cluster", region="PL-MZ", regions_covered=("PL-DS",), category=["medical_devices"]
    )
    region_only = org(2, kind="cluster", region="PL-DS", category=["mobile_apps"])
    category_only = org(
        3, kind="cluster", country="DK", region="DK-84", category=["medical_devices"]
    )
    matches = rank(subject, [region_only, category_only, covering_both], ListKind.PROJECT_CLUSTERS)
    assert ids(matches)[0] == 4
    assert {"covers_region", "shared_categories"} <= set(codes(matches[0]))


def test_an_investor_is_recommended_projects_at_its_stages_first():
    investor = org(1, kind="investor", preferred_stage=["prototype"], category=["mobile_apps"])
    at_stage = project(3, owner=7, stage="prototype", category=["mobile_apps"])
    too_late = project(2, owner=8, stage="commercialisation", category=["mobile_apps"])
    matches = rank(investor, [too_late, at_stage], ListKind.INVESTOR_PROJECTS)
    assert ids(matches) == [3, 2]
    assert "stage_not_preferred" in codes(matches[1])


def test_an_investor_finds_projects_at_its_stages_outside_its_fields():
    """Selected by stage alone (no shared category), and still below one in its field."""
    investor = org(1, kind="investor", preferred_stage=["prototype"], category=["mobile_apps"])
    in_field = project(2, owner=7, stage="prototype", category=["mobile_apps"])
    other_field = project(3, owner=8, stage="prototype", category=["medical_devices"])
    other_stage = project(4, owner=9, stage="pilot", category=["medical_devices"])
    matches = rank(investor, [other_stage, other_field, in_field], ListKind.INVESTOR_PROJECTS)
    assert ids(matches) == [2, 3]
    assert "investor_stage" in codes(matches[1])


def test_a_stage_next_to_the_investors_costs_little_and_a_distant_one_the_whole_penalty():
    investor = org(1, kind="investor", preferred_stage=["prototype"], category=["mobile_apps"])
    next_one = project(2, owner=7, stage="pilot", category=["mobile_apps"])
    far_off = project(3, owner=8, stage="commercialisation", category=["mobile_apps"])
    matches = rank(investor, [far_off, next_one], ListKind.INVESTOR_PROJECTS)
    assert ids(matches) == [2, 3]
    penalty = {m.key.item_id: m.reasons[-1] for m in matches}
    assert penalty[2].code == penalty[3].code == "stage_not_preferred"
    full = RULES.penalties["investor_stage"]
    assert penalty[2].points == pytest.approx(-full * RULES.stage_adjacent)
    assert penalty[3].points == pytest.approx(-full)


def test_a_ticket_just_short_of_the_funding_costs_less_than_one_far_short():
    startup = project(1, funding=AmountRange(350_000, 500_000), category=["mobile_apps"])
    near = org(2, kind="investor", ticket=AmountRange(50_000, 300_000), category=["mobile_apps"])
    far = org(3, kind="investor", ticket=AmountRange(10_000, 50_000), category=["mobile_apps"])
    large = org(4, kind="investor", ticket=AmountRange(600_000, None), category=["mobile_apps"])
    matches = {
        m.key.item_id: m for m in rank(startup, [far, near, large], ListKind.PROJECT_INVESTORS)
    }
    points = {i: m.reasons[-1].points for i, m in matches.items()}
    full = RULES.penalties["investor_ticket"]
    # EUR 50k short of EUR 350k: 14 % off, over the near miss of 50 %.
    assert points[2] == pytest.approx(-full * (50_000 / 350_000 / RULES.ticket_near_miss))
    assert points[3] == pytest.approx(-full)
    # EUR 100k above the EUR 500k sought: 20 % off.
    assert points[4] == pytest.approx(-full * (100_000 / 500_000 / RULES.ticket_near_miss))
    assert matches[2].score > matches[3].score


def test_an_investor_sees_projects_seeking_investment_before_those_seeking_other_things():
    investor = org(1, kind="investor", preferred_stage=["pilot"], category=["mobile_apps"])
    seeking = project(2, owner=7, category=["mobile_apps"], seeks=["investment"])
    unstated = project(3, owner=8, category=["mobile_apps"])
    elsewhere = project(4, owner=9, category=["mobile_apps"], seeks=["pilot_site"])
    matches = rank(investor, [elsewhere, unstated, seeking], ListKind.INVESTOR_PROJECTS)
    assert ids(matches) == [2, 3, 4]
    assert "seeks_investment" in codes(matches[0])
    assert codes(matches[2])[-1] == "seeks_no_investment"
    assert matches[2].reasons[-1].points == -RULES.penalties["seeks_investment"]


def test_danish_and_norwegian_read_each_other_and_polish_and_danish_do_not():
    subject = project(1, languages=("nb",), need=["biobank"])
    danish = org(2, languages=("da",), capability=["biobank"])
    polish = org(3, languages=("pl",), capability=["biobank"])
    norwegian = org(4, languages=("nb", "en"), capability=["biobank"])
    matches = {m.key.item_id: m for m in rank(subject, [danish, polish, norwegian], PARTNERS)}
    assert "readable_language" in codes(matches[2])
    assert "no_shared_language" in codes(matches[3])
    assert "shared_language" in codes(matches[4])
    assert matches[4].score > matches[2].score > matches[3].score


def test_english_bridges_a_danish_side_and_an_english_one_but_not_a_polish_only_one():
    subject = project(1, languages=("da",), need=["biobank"])
    english = org(2, languages=("pl", "en"), capability=["biobank"])
    polish = org(3, languages=("pl",), capability=["biobank"])
    norwegian = org(4, languages=("nb",), capability=["biobank"])
    matches = {m.key.item_id: m for m in rank(subject, [english, polish, norwegian], PARTNERS)}
    bridged = next(r for r in matches[2].reasons if r.code == "bridge_language")
    assert bridged.args == {"bridge": "en", "subject_languages": ("da",),
                            "candidate_languages": ("en", "pl")}  # fmt: skip
    assert "no_shared_language" in codes(matches[3])
    assert "readable_language" in codes(matches[4])  # readable comes before a bridge
    assert matches[4].score > matches[2].score > matches[3].score
    # Either side may be the English one; a Polish-only subject is taken at its word.
    danish = org(5, languages=("da",), capability=["biobank"])
    english_subject = project(6, owner=7, languages=("en",), need=["biobank"])
    assert "bridge_language" in codes(rank(english_subject, [danish], PARTNERS)[0])
    polish_subject = project(8, owner=9, languages=("pl",), need=["biobank"])
    assert "no_shared_language" in codes(rank(polish_subject, [danish], PARTNERS)[0])


# --- serialisation -----------------------------------------------------------------------------


def test_a_match_survives_a_round_trip_through_json():
    subject = project(1, languages=("pl",), need=["biobank"], funding=AmountRange(None, 500_000))
    candidate = org(
        2,
        kind="investor",
        languages=("da",),
        capability=["biobank"],
        ticket=AmountRange(100_000, None),
    )
    match = score_pair(subject, candidate, ListKind.PROJECT_INVESTORS)
    assert Match.from_dict(json.loads(json.dumps(match.to_dict()))) == match


# --- properties ----------------------------------------------------------------------------------

CAPABILITIES = ["biobank", "test_bed", "ip_legal", "prototyping", "internationalisation"]
CATEGORIES = ["mobile_apps", "ehealth_telemedicine", "medical_devices"]
KINDS = ["sme", "startup", "hospital", "university", "investor", "cluster"]
REGIONS = [("PL", "PL-DS"), ("PL", "PL-MZ"), ("DK", "DK-84"), ("NO", None)]

tag_sets = st.frozensets(st.sampled_from(CAPABILITIES), max_size=3)
category_sets = st.frozensets(st.sampled_from(CATEGORIES), max_size=2)
languages = st.frozensets(st.sampled_from(["pl", "en", "da", "nb"]), max_size=2)
amounts = st.none() | st.tuples(st.integers(0, 3_000_000), st.integers(0, 3_000_000)).map(
    lambda pair: AmountRange(min(pair), max(pair))
)


@st.composite
def organisations(draw, item_id: int) -> Profile:
    country, region = draw(st.sampled_from(REGIONS))
    return org(
        item_id,
        kind=draw(st.sampled_from(KINDS)),
        country=country,
        region=region,
        languages=tuple(draw(languages)),
        ticket=draw(amounts),
        regions_covered=tuple(draw(st.frozensets(st.sampled_from(["PL-DS", "DK-84"]), max_size=1))),
        organisation_id=draw(st.integers(1, 6)),
        capability=draw(tag_sets),
        need=draw(tag_sets),
        category=draw(category_sets),
        preferred_stage=draw(st.frozensets(st.sampled_from(["prototype", "pilot"]), max_size=1)),
    )


@st.composite
def projects(draw) -> Profile:
    country, region = draw(st.sampled_from(REGIONS))
    return project(
        1,
        owner=draw(st.integers(1, 6)),
        kind=draw(st.sampled_from(["sme", "startup", "hospital"])),
        country=country,
        region=region,
        languages=tuple(draw(languages)),
        stage=draw(st.sampled_from(["concept", "prototype", "pilot"])),
        funding=draw(amounts),
        need=draw(tag_sets),
        category=draw(category_sets),
        seeks=draw(
            st.frozensets(st.sampled_from(["pilot_site", "investment", "consortium_partners"]))
        ),
    )


@st.composite
def candidate_lists(draw) -> list[Profile]:
    count = draw(st.integers(0, 8))
    return [draw(organisations(item_id)) for item_id in range(2, 2 + count)]


registers = st.builds(
    lambda counts: TagStats(1_000, counts),
    st.fixed_dictionaries({code: st.integers(0, 1_000) for code in CAPABILITIES + CATEGORIES}),
)
contexts = st.builds(
    MatchContext,
    stats=registers,
    declined_organisations=st.frozensets(st.integers(1, 6), max_size=2),
    dismissed=st.frozensets(
        st.builds(ItemKey, st.just("organisation"), st.integers(2, 9)), max_size=2
    ),
)
project_lists = st.sampled_from([PARTNERS, ListKind.PROJECT_INVESTORS, ListKind.PROJECT_CLUSTERS])


@settings(max_examples=150, deadline=None)
@given(projects(), candidate_lists(), contexts, project_lists)
def test_exclusions_always_hold_and_scores_stay_within_0_to_100(subject, candidates, context, kind):
    for match in score_candidates(subject, candidates, kind, context):
        candidate = next(c for c in candidates if c.key == match.key)
        assert candidate.organisation_id != subject.organisation_id
        assert candidate.organisation_id not in context.declined_organisations
        assert candidate.key not in context.dismissed
        assert RULES.min_score <= match.score <= 100


@settings(max_examples=150, deadline=None)
@given(projects(), candidate_lists(), contexts, project_lists, st.randoms(use_true_random=False))
def test_the_order_of_the_input_does_not_matter(subject, candidates, context, kind, generator):
    shuffled = list(candidates)
    generator.shuffle(shuffled)
    assert rank(subject, shuffled, kind, context) == rank(subject, candidates, kind, context)


@settings(max_examples=200, deadline=None)
@given(projects(), organisations(2), registers, project_lists, st.sampled_from(CAPABILITIES))
def test_adding_a_shared_need_and_capability_never_lowers_a_score(
    subject, candidate, stats, kind, code
):
    def score(subject: Profile, candidate: Profile) -> int:
        matches = rank(subject, [candidate], kind, MatchContext(stats=stats))
        return matches[0].score if matches else 0

    def with_tag(profile: Profile, role: str) -> Profile:
        return replace(profile, tags={**profile.tags, role: profile.tag_codes(role) | {code}})

    before = score(subject, candidate)
    after = score(with_tag(subject, "need"), with_tag(candidate, "capability"))
    assert after >= before


# The pure part of the package; service, present, views and models beside it are the
# Flask and database side.
PURE_MODULES = ("__init__", "engine", "profiles", "reasons", "rules", "vector")


def test_the_engine_imports_neither_flask_nor_the_database():
    package = Path(matching.__file__).parent
    imported = set()
    for source in (package / f"{name}.py" for name in PURE_MODULES):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    forbidden = {"flask", "sqlalchemy", "flask_sqlalchemy", "matchmaker.extensions"}
    assert not {name for name in imported if name.split(".")[0] in forbidden or name in forbidden}
    assert not {name for name in imported if name.endswith(".models")}
