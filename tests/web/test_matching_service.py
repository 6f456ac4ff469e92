"""The matching service against the database: index lookup, profiles, idf counts, cache."""

from __future__ import annotations

import random

import pytest

from matchmaker.matching import engine, service
from matchmaker.matching.profiles import ItemKey
from matchmaker.matching.rules import ListKind
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy


def _org(owner, moderator, name, *, published=True, **fields):
    org = make_organisation(owner, name=name, **fields)
    if published:
        publish("organisation", org, moderator)
    return org


@pytest.fixture
def register(app):
    """A small register: a start-up's project, and organisations of every kind around it."""
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory()
    startup = _org(
        owner,
        moderator,
        "Heart Start-up",
        kind="startup",
        country="PL",
        region="PL-DS",
        working_languages=["pl", "en"],
        tags={"capability": ["remote_monitoring"], "need": ["funding_advice"]},
    )
    project = make_project(
        startup,
        stage="pilot",
        funding_min_eur=300_000,
        funding_max_eur=800_000,
        tags={
            "need": ["clinical_validation", "test_bed", "regulatory_mdr"],
            "category": ["ehealth_telemedicine"],
            "specialisation": ["cardiology"],
            "seeks": ["pilot_site", "investment"],
        },
    )
    publish("project", project, moderator)
    others = {}
    specs = {
        "near_hospital": dict(
            kind="hospital",
            country="PL",
            region="PL-DS",
            working_languages=["pl"],
            tags={
                "capability": ["clinical_validation", "test_bed"],
                "specialisation": ["cardiology"],
            },
        ),
        "far_hospital": dict(
            kind="hospital",
            country="NO",
            region="NO-03",
            working_languages=["nb"],
            tags={"capability": ["clinical_validation"]},
        ),
        "regulatory_sme": dict(
            kind="sme",
            country="DK",
            region="DK-84",
            working_languages=["da", "en"],
            tags={"capability": ["regulatory_mdr"], "category": ["ehealth_telemedicine"]},
        ),
        "unrelated_sme": dict(
            kind="sme",
            country="DK",
            region="DK-84",
            working_languages=["da"],
            tags={"capability": ["manufacturing"], "category": ["medical_devices"]},
            texts={"da": {"description": "Vi fremstiller hospitalsmøbler af stål og træ."}},
            original_language="da",
        ),
        "seed_investor": dict(
            kind="investor",
            country="PL",
            region="PL-MZ",
            working_languages=["pl", "en"],
            ticket_min_eur=250_000,
            ticket_max_eur=2_000_000,
            tags={"preferred_stage": ["pilot"], "category": ["ehealth_telemedicine"]},
        ),
        "late_investor": dict(
            kind="investor",
            country="NO",
            region="NO-03",
            working_languages=["nb", "en"],
            ticket_min_eur=5_000_000,
            tags={"preferred_stage": ["commercialisation"], "category": ["medical_devices"]},
        ),
        "cluster": dict(
            kind="cluster",
            country="PL",
            region="PL-DS",
            working_languages=["pl"],
            regions_covered=["PL-DS"],
            tags={"category": ["ehealth_telemedicine"]},
        ),
    }
    for name, fields in specs.items():
        others[name] = _org(UserFactory(), moderator, name, **fields)
    others["draft_hospital"] = _org(
        UserFactory(),
        moderator,
        "draft_hospital",
        published=False,
        kind="hospital",
        tags={"capability": ["clinical_validation", "test_bed", "regulatory_mdr"]},
    )
    return project, startup, others


def _full_scan(subject, kind):
    stats = service.tag_stats()
    return engine.score_candidates(
        subject, service.all_profiles(), kind, service.match_context(subject, stats)
    )


@pytest.mark.parametrize(
    "kind", [ListKind.PROJECT_PARTNERS, ListKind.PROJECT_INVESTORS, ListKind.PROJECT_CLUSTERS]
)
def test_project_lists_through_the_tag_index_equal_the_full_scan(register, kind):
    project, _startup, _others = register
    subject = service.published_profile("project", project.id)
    assert service.ranked(subject, kind) == _full_scan(subject, kind)


@pytest.mark.parametrize("kind", [ListKind.ORGANISATION_PARTNERS, ListKind.INVESTOR_PROJECTS])
def test_organisation_lists_through_the_tag_index_equal_the_full_scan(register, kind):
    _project, _startup, others = register
    subject = service.published_profile("organisation", others["seed_investor"].id)
    assert service.ranked(subject, kind) == _full_scan(subject, kind)


def test_index_lookup_loads_only_candidates_sharing_a_selection_tag(register):
    project, _startup, others = register
    subject = service.published_profile("project", project.id)
    found = set(service.candidates(subject, ListKind.PROJECT_PARTNERS))
    assert ItemKey("organisation", others["near_hospital"].id) in found
    assert ItemKey("organisation", others["unrelated_sme"].id) not in found
    assert ItemKey("organisation", others["cluster"].id) not in found  # not a partner kind


def test_partners_rank_the_hospital_with_a_test_bed_nearby_first_and_leave_out_drafts(register):
    project, startup, others = register
    page = service.matches_for_project(project.id, ListKind.PROJECT_PARTNERS)
    keys = [item.match.key for item in page.items]
    assert keys[0] == ItemKey("organisation", others["near_hospital"].id)
    assert keys.index(ItemKey("organisation", others["near_hospital"].id)) < keys.index(
        ItemKey("organisation", others["far_hospital"].id)
    )
    assert ItemKey("organisation", others["draft_hospital"].id) not in keys
    assert ItemKey("organisation", startup.id) not in keys


def test_investor_whose_ticket_covers_the_funding_ranks_first(register):
    project, _startup, others = register
    page = service.matches_for_project(project.id, ListKind.PROJECT_INVESTORS)
    keys = [item.match.key for item in page.items]
    assert keys[0] == ItemKey("organisation", others["seed_investor"].id)
    codes = {reason.code for reason in page.items[0].match.reasons}
    assert {"investor_stage", "ticket_fits"} <= codes


def test_profiles_read_ticket_regions_and_languages_from_the_register(register):
    project, _startup, others = register
    investor = service.published_profile("organisation", others["seed_investor"].id)
    assert (investor.ticket.low, investor.ticket.high) == (250_000, 2_000_000)
    assert investor.languages == {"pl", "en"}
    cluster = service.published_profile("organisation", others["cluster"].id)
    assert cluster.regions_covered == {"PL-DS"}
    subject = service.published_profile("project", project.id)
    # The project is written in English; its organisation works in Polish and English.
    assert subject.languages == {"pl", "en"}
    assert (subject.funding.low, subject.funding.high) == (300_000, 800_000)
    assert subject.tag_codes("need") == {"clinical_validation", "test_bed", "regulatory_mdr"}


def test_a_project_without_a_region_is_matched_from_its_organisations_region(register):
    _project, startup, others = register
    moderator = UserFactory(role="moderator")
    unplaced = make_project(startup, region=None)
    publish("project", unplaced, moderator)
    abroad = make_project(startup, region=None, country="DK")
    publish("project", abroad, moderator)

    subject = service.published_profile("project", unplaced.id)
    assert subject.region == "PL-DS"  # the start-up's region, in the same country
    assert service.published_profile("project", abroad.id).region is None
    clusters = service.ranked(subject, ListKind.PROJECT_CLUSTERS)
    assert clusters == _full_scan(subject, ListKind.PROJECT_CLUSTERS)
    [cluster] = [m for m in clusters if m.key == ItemKey("organisation", others["cluster"].id)]
    assert {"same_region", "covers_region"} & {reason.code for reason in cluster.reasons}


def test_tag_frequencies_are_counted_per_entry_and_cached_until_the_register_changes(register):
    _project, _startup, _others = register
    stats = service.tag_stats()
    assert stats.total == 9  # 8 organisations and 1 project published
    assert stats.frequency("clinical_validation") == 3  # the project needs it, 2 offer it
    assert service.tag_stats() is stats
    owner = UserFactory()
    publish(
        "organisation",
        make_organisation(owner, name="Another", tags={"capability": ["clinical_validation"]}),
        UserFactory(role="moderator"),
    )
    fresh = service.tag_stats()
    assert fresh is not stats
    assert fresh.frequency("clinical_validation") == 4


def test_a_subject_without_such_a_list_gets_none(register):
    _project, _startup, others = register
    assert service.recommended_projects(others["near_hospital"].id) is None
    assert service.matches_for_project(999_999, ListKind.PROJECT_PARTNERS) is None
    assert service.matches_for_organisation(others["draft_hospital"].id) is None


def test_pages_hold_twenty_matches(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory()
    investor = _org(
        owner,
        moderator,
        "Fund",
        kind="investor",
        tags={"category": ["ehealth_telemedicine"], "preferred_stage": ["pilot"]},
    )
    for number in range(23):
        org = _org(UserFactory(), moderator, f"Start-up {number}", kind="startup")
        publish("project", make_project(org), moderator)
    first = service.recommended_projects(investor.id, page=1)
    second = service.recommended_projects(investor.id, page=2)
    assert (first.total, first.pages, len(first.items), len(second.items)) == (23, 2, 20, 3)
    assert not {i.match.key for i in first.items} & {i.match.key for i in second.items}


def test_every_list_through_the_index_equals_the_full_scan_on_a_random_register(app):
    from matchmaker.taxonomy import load_taxonomy

    sync_taxonomy()
    taxonomy = load_taxonomy()
    codes = {
        name: [tag.code for tag in taxonomy.by_vocabulary(name)]
        for name in ("org_kind", "stage", "seeks", "capability", "category", "specialisation")
    }
    rng = random.Random(4)
    moderator = UserFactory(role="moderator")
    places = [("PL", "PL-DS"), ("PL", "PL-MZ"), ("DK", "DK-84"), ("NO", "NO-03")]
    organisations = []
    for number in range(30):
        country, region = rng.choice(places)
        kind = rng.choice(codes["org_kind"])
        fields = {
            "kind": kind,
            "country": country,
            "region": region,
            "working_languages": rng.sample(["pl", "en", "da", "nb"], rng.randint(1, 2)),
            "tags": {
                "capability": rng.sample(codes["capability"], rng.randint(0, 4)),
                "need": rng.sample(codes["capability"], rng.randint(0, 3)),
                "category": rng.sample(codes["category"], rng.randint(0, 2)),
                "specialisation": rng.sample(codes["specialisation"], rng.randint(0, 2)),
            },
        }
        if kind == "investor":
            fields["tags"]["preferred_stage"] = rng.sample(codes["stage"], 2)
            fields["ticket_min_eur"] = rng.choice([None, 100_000, 1_000_000])
        if kind == "cluster":
            fields["regions_covered"] = [region]
        organisations.append(_org(UserFactory(), moderator, f"Org {number}", **fields))
    projects = []
    for number in range(10):
        project = make_project(
            rng.choice(organisations),
            stage=rng.choice(codes["stage"]),
            funding_min_eur=rng.choice([None, 200_000]),
            funding_max_eur=rng.choice([None, 900_000]),
            texts={"en": {"title": f"Project {number}"}},
            tags={
                "need": rng.sample(codes["capability"], rng.randint(1, 3)),
                "category": rng.sample(codes["category"], 1),
                "specialisation": rng.sample(codes["specialisation"], rng.randint(0, 1)),
                "seeks": rng.sample(codes["seeks"], rng.randint(1, 2)),
            },
        )
        publish("project", project, moderator)
        projects.append(project)

    compared = found = 0
    for project in projects:
        subject = service.published_profile("project", project.id)
        for kind in service.PROJECT_LISTS.values():
            ranked = service.ranked(subject, kind)
            assert ranked == _full_scan(subject, kind)
            compared, found = compared + 1, found + len(ranked)
    for organisation in organisations:
        subject = service.published_profile("organisation", organisation.id)
        kinds = [ListKind.ORGANISATION_PARTNERS]
        if subject.org_kind == "investor":
            kinds.append(ListKind.INVESTOR_PROJECTS)
        for kind in kinds:
            ranked = service.ranked(subject, kind)
            assert ranked == _full_scan(subject, kind)
            compared, found = compared + 1, found + len(ranked)
    assert compared >= 40 and found >= 100  # many lists, most of them not empty
