"""The matcher's rules one by one, and the rules file that weighs them.

Pure tests: no app, no database. Each rule is called alone on two hand-made profiles;
the assertions are on the reason it gives (code and arguments) and on how strongly it
holds relative to a variation, not on the numbers in rules.toml.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from matchmaker.matching import engine
from matchmaker.matching.engine import TagStats, rank
from matchmaker.matching.profiles import (
    ROLE_VOCABULARIES,
    AmountRange,
    ItemKey,
    Profile,
    tags_by_role,
)
from matchmaker.matching.reasons import REASON_ARGS, Reason
from matchmaker.matching.rules import (
    DEFAULT_PATH,
    PURPOSES,
    RULE_IDS,
    ListKind,
    RulesError,
    load_rules,
    parse_rules,
)

RULES = load_rules()
NO_STATS = TagStats()


def org(
    item_id: int,
    kind: str = "sme",
    country: str = "PL",
    region: str | None = None,
    languages: tuple[str, ...] = ("en",),
    ticket: AmountRange | None = None,
    regions_covered: tuple[str, ...] = (),
    **tags: list[str],
) -> Profile:
    return Profile(
        key=ItemKey("organisation", item_id),
        organisation_id=item_id,
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


def run(rule_id: str, subject: Profile, candidate: Profile, stats: TagStats = NO_STATS):
    return engine.RULES[rule_id](subject, candidate, RULES, stats)


# --- needs and capabilities -------------------------------------------------------------


def test_offers_needed_names_the_shared_tags():
    subject = project(1, need=["telemedicine_platform", "clinical_validation"])
    candidate = org(2, capability=["clinical_validation", "telemedicine_platform", "prototyping"])
    hit = run("offers_needed", subject, candidate)
    assert hit.reason.code == "offers_needed"
    assert set(hit.reason.args["tags"]) == {"telemedicine_platform", "clinical_validation"}
    assert hit.strength == pytest.approx(1.0)


def test_offers_needed_grows_with_the_share_of_needs_covered():
    subject = project(1, need=["telemedicine_platform", "clinical_validation"])
    half = run("offers_needed", subject, org(2, capability=["clinical_validation"]))
    full = run(
        "offers_needed",
        subject,
        org(3, capability=["clinical_validation", "telemedicine_platform"]),
    )
    assert 0 < half.strength < full.strength


def test_offers_needed_does_not_fire_without_overlap_or_backwards():
    subject = project(1, need=["telemedicine_platform"])
    assert run("offers_needed", subject, org(2, capability=["prototyping"])) is None
    # The candidate needing what the subject needs is no offer.
    assert run("offers_needed", subject, org(3, need=["telemedicine_platform"])) is None


def test_offers_needed_lists_rarer_tags_first_and_weighs_them_more():
    stats = TagStats(1000, {"software_development": 600, "biobank": 3})
    subject = project(1, need=["software_development", "biobank"])
    both = run(
        "offers_needed", subject, org(2, capability=["software_development", "biobank"]), stats
    )
    assert both.reason.args["tags"] == ("biobank", "software_development")
    rare = run("offers_needed", subject, org(3, capability=["biobank"]), stats)
    common = run("offers_needed", subject, org(4, capability=["software_development"]), stats)
    assert rare.strength > 0.5 > common.strength


def test_needs_offered_looks_the_other_way():
    subject = org(1, capability=["manufacturing"])
    candidate = org(2, need=["manufacturing", "regulatory_mdr"])
    hit = run("needs_offered", subject, candidate)
    assert hit.reason == Reason("needs_offered", {"tags": ("manufacturing",), "text_tags": ()})
    assert 0 < hit.strength < 1
    assert run("offers_needed", subject, candidate) is None


# --- categories, specialisations, focus areas -------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "role", "ours", "shared", "theirs"),
    [
        ("shared_categories", "category", "mobile_apps", "ehealth_telemedicine", "back_office"),
        ("shared_specialisations", "specialisation", "oncology", "geriatrics", "cardiology"),
        ("shared_focus_areas", "focus_area", "mental_health", "health_data", "rehabilitation"),
    ],
)
def test_shared_tags_of_a_role_are_named(rule_id, role, ours, shared, theirs):
    subject = org(1, **{role: [ours, shared]})
    hit = run(rule_id, subject, org(2, **{role: [shared, theirs]}))
    assert hit.reason == Reason(rule_id, {"tags": (shared,)})
    assert 0 < hit.strength < 1
    assert run(rule_id, subject, org(3, **{role: [theirs]})) is None


def test_a_narrow_project_inside_a_broad_investors_categories_overlaps_fully():
    subject = project(1, category=["mobile_apps"])
    broad = org(2, kind="investor", category=["mobile_apps", "medical_devices", "cybersecurity"])
    partial = project(3, category=["mobile_apps", "back_office"])
    assert run("shared_categories", subject, broad).strength == pytest.approx(1.0)
    assert run("shared_categories", partial, broad).strength < 1.0


# --- what a project seeks, complementary kinds -------------------------------------------


def test_seeks_kind_matches_what_the_project_seeks_to_the_candidates_kind():
    subject = project(1, seeks=["pilot_site", "investment"])
    hit = run("seeks_kind", subject, org(2, kind="hospital"))
    assert hit.reason == Reason(
        "seeks_kind", {"seeks": ("pilot_site",), "kind": "hospital", "seeker": "subject"}
    )
    assert run("seeks_kind", subject, org(3, kind="patient_org")) is None


def test_seeks_kind_works_from_the_investors_side():
    investor = org(1, kind="investor")
    candidate = project(2, seeks=["investment"])
    hit = run("seeks_kind", investor, candidate)
    assert hit.reason.args == {"seeks": ("investment",), "kind": "investor", "seeker": "candidate"}


def test_seeks_kind_needs_a_project():
    assert run("seeks_kind", org(1), org(2, kind="hospital")) is None


@pytest.mark.parametrize(
    ("subject_kind", "candidate_kind", "purpose"),
    [
        ("startup", "hospital", "pilot"),
        ("hospital", "sme", "pilot"),
        ("startup", "investor", "investment"),
        ("investor", "startup", "investment"),
        ("university", "large_company", "technology_transfer"),
        ("patient_org", "cluster", "cluster_support"),
    ],
)
def test_complementary_kinds_name_their_purpose_in_either_direction(
    subject_kind, candidate_kind, purpose
):
    hit = run("complementary_kinds", org(1, kind=subject_kind), org(2, kind=candidate_kind))
    assert hit.reason == Reason(
        "complementary_kinds",
        {"purpose": purpose, "subject_kind": subject_kind, "candidate_kind": candidate_kind},
    )


def test_complementary_kinds_are_silent_for_kinds_that_do_not_complement():
    assert run("complementary_kinds", org(1, kind="investor"), org(2, kind="investor")) is None


def test_start_ups_complement_investors_more_than_smes():
    investor = org(1, kind="investor")
    startup = run("complementary_kinds", investor, org(2, kind="startup"))
    sme = run("complementary_kinds", investor, org(3, kind="sme"))
    assert startup.strength > sme.strength > 0


def test_a_projects_kind_is_its_owners():
    hit = run("complementary_kinds", project(1, kind="startup"), org(2, kind="hospital"))
    assert hit.reason.args["subject_kind"] == "startup"


# --- investors ---------------------------------------------------------------------------


def test_investor_stage_fires_for_a_preferred_stage_from_either_side():
    investor = org(1, kind="investor", preferred_stage=["prototype", "pilot"])
    pilot = project(2, stage="pilot")
    assert run("investor_stage", pilot, investor).reason == Reason(
        "investor_stage", {"stage": "pilot"}
    )
    assert run("investor_stage", investor, pilot).reason == Reason(
        "investor_stage", {"stage": "pilot"}
    )


def test_investor_stage_speaks_against_other_stages_in_taxonomy_order():
    investor = org(1, kind="investor", preferred_stage=["pilot", "concept"])
    hit = run("investor_stage", project(2, stage="commercialisation"), investor)
    assert hit.strength < 0
    assert hit.reason == Reason(
        "stage_not_preferred",
        {"stage": "commercialisation", "preferred_stages": ("concept", "pilot")},
    )


def test_investor_stage_is_silent_without_preferences_or_stage():
    assert run("investor_stage", project(1), org(2, kind="investor")) is None
    investor = org(3, kind="investor", preferred_stage=["pilot"])
    assert run("investor_stage", project(4, stage=None), investor) is None
    assert run("investor_stage", org(5), investor) is None


@pytest.mark.parametrize(
    ("funding", "ticket", "code"),
    [
        (AmountRange(300_000, 900_000), AmountRange(250_000, 2_000_000), "ticket_fits"),
        (AmountRange(300_000, 900_000), AmountRange(500_000, 2_000_000), "ticket_overlaps"),
        (AmountRange(1_000_000, 2_000_000), AmountRange(50_000, 300_000), "ticket_too_small"),
        (AmountRange(100_000, 200_000), AmountRange(1_000_000, 8_000_000), "ticket_too_large"),
        # One stated amount is read as that amount; an open end is no limit.
        (AmountRange(None, 400_000), AmountRange(250_000, 500_000), "ticket_fits"),
        (AmountRange(600_000, None), AmountRange(250_000, 500_000), "ticket_too_small"),
        (AmountRange(5_000_000, 9_000_000), AmountRange(1_000_000, None), "ticket_fits"),
    ],
)
def test_investor_ticket_against_funding_sought(funding, ticket, code):
    hit = run(
        "investor_ticket", project(1, funding=funding), org(2, kind="investor", ticket=ticket)
    )
    assert hit.reason == Reason(
        code,
        {
            "funding_min": funding.low,
            "funding_max": funding.high,
            "ticket_min": ticket.low,
            "ticket_max": ticket.high,
        },
    )
    assert (hit.strength < 0) == (code in ("ticket_too_small", "ticket_too_large"))


def test_a_ticket_that_covers_the_funding_beats_one_that_overlaps():
    funding = AmountRange(300_000, 900_000)
    fits = run(
        "investor_ticket",
        project(1, funding=funding),
        org(2, ticket=AmountRange(100_000, 1_000_000)),
    )
    overlaps = run(
        "investor_ticket",
        project(1, funding=funding),
        org(3, ticket=AmountRange(500_000, 1_000_000)),
    )
    assert fits.strength > overlaps.strength > 0


def test_investor_ticket_is_silent_when_an_amount_is_missing():
    ticket = AmountRange(100_000, 1_000_000)
    assert run("investor_ticket", project(1), org(2, ticket=ticket)) is None
    funding = AmountRange(200_000, 300_000)
    assert run("investor_ticket", project(1, funding=funding), org(2)) is None


def test_an_amount_range_needs_a_stated_end_in_the_right_order():
    assert AmountRange.from_bounds(None, None) is None
    with pytest.raises(ValueError, match="reversed"):
        AmountRange(2_000, 1_000)
    with pytest.raises(ValueError, match="at least one end"):
        AmountRange(None, None)


# --- geography ---------------------------------------------------------------------------


def test_same_region_is_the_strongest_and_the_only_geographic_reason():
    hit = run("geography", org(1, region="PL-DS"), org(2, region="PL-DS"))
    assert hit.reason == Reason("same_region", {"region": "PL-DS"})
    other_region = run("geography", org(1, region="PL-DS"), org(3, region="PL-MZ"))
    assert other_region.reason == Reason("same_country", {"country": "PL"})
    assert hit.strength > other_region.strength


def test_a_cluster_covering_the_region_counts_like_being_there():
    cluster = org(2, kind="cluster", region="PL-MZ", regions_covered=("PL-DS", "PL-MZ"))
    hit = run("geography", project(1, region="PL-DS"), cluster)
    assert hit.reason == Reason("covers_region", {"region": "PL-DS", "covered_by": "candidate"})
    assert hit.strength > run("geography", project(1, region="PL-LU"), cluster).strength


def test_covering_works_when_the_cluster_is_the_subject():
    cluster = org(1, kind="cluster", region="DK-84", regions_covered=("DK-81",))
    hit = run("geography", cluster, org(2, country="DK", region="DK-81"))
    assert hit.reason == Reason("covers_region", {"region": "DK-81", "covered_by": "subject"})


@pytest.mark.parametrize(
    ("subject_tags", "candidate_tags", "wanted_by"),
    [
        ({}, {"need": ["internationalisation"]}, "candidate"),
        ({"seeks": ["consortium_partners"]}, {}, "subject"),
    ],
)
def test_cross_border_partnership_wanted(subject_tags, candidate_tags, wanted_by):
    subject = project(1, country="PL", **subject_tags)
    candidate = org(2, country="NO", region="NO-03", **candidate_tags)
    hit = run("geography", subject, candidate)
    assert hit.reason == Reason("cross_border_wanted", {"wanted_by": wanted_by, "country": "NO"})


def test_distance_without_a_wish_for_partners_abroad_gives_nothing():
    assert run("geography", project(1, country="PL"), org(2, country="DK")) is None


# --- languages ---------------------------------------------------------------------------


def test_shared_working_languages_are_named():
    hit = run(
        "shared_language", org(1, languages=("pl", "en")), org(2, languages=("en", "da", "pl"))
    )
    assert hit.reason == Reason("shared_language", {"languages": ("en", "pl")})
    assert hit.strength > 0


def test_no_shared_language_speaks_against_and_says_so():
    hit = run("shared_language", org(1, languages=("pl",)), org(2, languages=("da", "en")))
    assert hit.strength < 0
    assert hit.reason == Reason(
        "no_shared_language",
        {"subject_languages": ("pl",), "candidate_languages": ("da", "en")},
    )


def test_unknown_languages_neither_help_nor_hurt():
    assert run("shared_language", org(1, languages=()), org(2, languages=("da",))) is None


def test_norwegian_codes_count_as_bokmal():
    hit = run("shared_language", org(1, languages=("no",)), org(2, languages=("nb",)))
    assert hit.reason.args == {"languages": ("nb",)}


# --- reasons and profiles ----------------------------------------------------------------


def test_a_reason_must_carry_exactly_its_documented_arguments():
    with pytest.raises(ValueError, match="unknown reason code"):
        Reason("made_up", {})
    with pytest.raises(ValueError, match="takes"):
        Reason("same_region", {"region": "PL-DS", "text": "Lower Silesia"})


def test_profiles_refuse_unknown_kinds_and_roles():
    with pytest.raises(ValueError, match="organisation kind"):
        org(1, kind="spaceship")
    with pytest.raises(ValueError, match="tag roles"):
        org(1, wish=["biobank"])


def test_tags_by_role_groups_register_rows():
    rows = [("need", "biobank"), ("capability", "ip_legal"), ("need", "test_bed")]
    assert tags_by_role(rows) == {
        "need": frozenset({"biobank", "test_bed"}),
        "capability": frozenset({"ip_legal"}),
    }


def test_tag_roles_are_those_of_the_models():
    from matchmaker.organisations.models import ORG_TAG_ROLES
    from matchmaker.projects.models import PROJECT_TAG_ROLES
    from matchmaker.register.models import MATCH_ROLES, MatchProfile

    # The owner's tags, and the capability tags read from the texts at publication.
    read_from_texts = {"need_text": "capability", "capability_text": "capability"}
    assert dict(ROLE_VOCABULARIES) == {**ORG_TAG_ROLES, **PROJECT_TAG_ROLES, **read_from_texts}
    # match_profile has one bit-set column per role.
    assert set(MATCH_ROLES) == set(ROLE_VOCABULARIES)
    assert set(MATCH_ROLES) <= set(MatchProfile.__table__.columns.keys())


# --- the rules file ----------------------------------------------------------------------


def shipped() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_the_shipped_rules_define_every_list_with_implemented_rules():
    assert set(RULES.lists) == set(ListKind)
    assert set(engine.RULES) == set(RULE_IDS)
    for spec in RULES.lists.values():
        assert spec.total_weight > 0


def test_every_reason_a_rule_can_give_is_documented():
    emitted = {
        "offers_needed", "needs_offered", "shared_categories", "shared_specialisations",
        "shared_focus_areas", "seeks_kind", "seeks_investment", "seeks_no_investment",
        "complementary_kinds", "investor_stage",
        "stage_not_preferred", "ticket_fits", "ticket_overlaps", "ticket_too_small",
        "ticket_too_large", "same_region", "covers_region", "same_country",
        "cross_border_wanted", "shared_language", "readable_language", "bridge_language",
        "no_shared_language",
        "like_dismissed",  # not a rule: engine.Demotions
    }  # fmt: skip
    assert set(REASON_ARGS) == emitted
    assert {row.purpose for row in RULES.complementary_kinds} <= set(PURPOSES)


def test_rules_from_a_file_load_like_the_shipped_ones(tmp_path: Path):
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rules(path) == RULES


def mutate(change) -> dict[str, Any]:
    raw = copy.deepcopy(shipped())
    change(raw)
    return raw


BAD_RULES = [
    pytest.param(lambda r: r.update(penalty={}), "unknown keys ['penalty']", id="typo-top-level"),
    pytest.param(
        lambda r: r["lists"]["project_partners"]["weights"].update(offers_neded=10),
        "lists.project_partners.weights] unknown keys ['offers_neded']",
        id="typo-rule-name",
    ),
    pytest.param(
        lambda r: r["lists"]["project_investors"].update(candidate_kinds=["investors"]),
        "unknown organisation kinds ['investors']",
        id="unknown-candidate-kind",
    ),
    pytest.param(
        lambda r: r["complementary_kinds"][0].update(other=["hospitl"]),
        "complementary_kinds #1.other] unknown organisation kinds ['hospitl']",
        id="unknown-kind-in-table",
    ),
    pytest.param(
        lambda r: r["complementary_kinds"][0].update(purpose="friendship"),
        "unknown purpose 'friendship'",
        id="unknown-purpose",
    ),
    pytest.param(
        lambda r: r["complementary_kinds"][0].update(strength=1.5),
        "1.5 is outside 0..1",
        id="strength-above-one",
    ),
    pytest.param(
        lambda r: r["lists"].pop("project_clusters"),
        "missing keys ['project_clusters']",
        id="missing-list",
    ),
    pytest.param(
        lambda r: r["seeks_kinds"].update(money=["investor"]),
        "seeks_kinds] unknown keys ['money']",
        id="unknown-seeks-code",
    ),
    pytest.param(
        lambda r: r["geography"]["cross_border_signals"].update(need=["abroad"]),
        "unknown capability tags ['abroad']",
        id="unknown-signal-tag",
    ),
    pytest.param(
        lambda r: r["lists"]["project_partners"]["weights"].update(geography="10"),
        "'10' is not a number",
        id="weight-as-text",
    ),
    pytest.param(
        lambda r: r["scoring"].update(min_score=True),
        "True is not a whole number",
        id="boolean-min-score",
    ),
    pytest.param(
        lambda r: r["lists"]["project_clusters"].update(weights={"geography": 0}),
        "at least one rule with points",
        id="no-points",
    ),
    pytest.param(
        lambda r: r["lists"]["organisation_partners"].update(
            match_tags=[["stage", "preferred_stage"]]
        ),
        "unknown subject role 'stage'",
        id="stage-of-an-organisation",
    ),
    pytest.param(
        lambda r: r["lists"]["project_investors"].update(match_tags=[["preferred_stage", "stage"]]),
        "unknown candidate role 'stage'",
        id="stage-of-a-candidate-organisation",
    ),
    pytest.param(
        lambda r: r["languages"].update(bridge_readers=["da", "Norsk"]),
        "languages.bridge_readers",
        id="bridge-reader-not-a-code",
    ),
    pytest.param(
        lambda r: r["languages"].update(bridge=12),
        "languages.bridge",
        id="bridge-not-a-code",
    ),
    pytest.param(
        lambda r: r["penalties"].update(geography=5),
        "penalties] unknown keys ['geography']",
        id="penalty-for-a-rule-that-cannot-speak-against",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_RULES)
def test_a_bad_rules_file_fails_clearly(change, message):
    with pytest.raises(RulesError) as excinfo:
        parse_rules(mutate(change), source="rules.toml")
    assert str(excinfo.value).startswith("rules.toml: [")
    assert message in str(excinfo.value)


def test_a_broken_rules_file_names_the_file(tmp_path: Path):
    path = tmp_path / "rules.toml"
    path.write_text("[scoring\nmin_score = 1\n", encoding="utf-8")
    with pytest.raises(RulesError, match="invalid TOML"):
        load_rules(path)
    with pytest.raises(RulesError, match="file not found"):
        load_rules(tmp_path / "missing.toml")


def test_changing_a_weight_in_the_file_is_enough_to_change_the_ranking():
    subject = project(1, region="PL-DS", need=["biobank", "ip_legal"])
    helpful = org(2, kind="university", region="PL-MZ", capability=["biobank", "ip_legal"])
    nearby = org(3, kind="university", region="PL-DS", capability=["ip_legal"])

    def order(rules):
        matches = rank(subject, [helpful, nearby], ListKind.PROJECT_PARTNERS, rules=rules)
        return [match.key.item_id for match in matches]

    def geography_first(raw):
        raw["lists"]["project_partners"]["weights"]["geography"] = 400

    assert order(RULES) == [2, 3]
    assert order(parse_rules(mutate(geography_first))) == [3, 2]
