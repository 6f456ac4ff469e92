"""The array form of the matcher gives exactly the engine's lists.

``vector.MatchIndex`` scores a whole list at once; the engine scores pair by pair and is
the reference. Random registers (hypothesis) must give the same pages, totals, scores
and reasons both ways, for every list, with exclusions and paging.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.matching import (
    AmountRange,
    ItemKey,
    ListKind,
    MatchContext,
    MatchingError,
    Profile,
    engine,
    rank,
    score_candidates,
    vector,
)
from matchmaker.matching.engine import Demotions, ListFilter
from matchmaker.matching.profiles import TAG_ROLES
from matchmaker.matching.vector import MatchIndex, Records, tag_bits
from matchmaker.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
VOCABULARIES = {
    name: [tag.code for tag in TAXONOMY.by_vocabulary(name)]
    for name in ("capability", "category", "specialisation", "focus_area", "stage", "seeks")
}
KINDS = [tag.code for tag in TAXONOMY.by_vocabulary("org_kind")]
PLACES = [("PL", "PL-DS"), ("PL", "PL-MZ"), ("PL", None), ("DK", "DK-84"), ("NO", "NO-03")]
LANGUAGES = ["pl", "en", "da", "nb", "de"]


def records_of(profiles: list[Profile]) -> Records:
    """What the service reads from the register, for these profiles."""
    records = Records(VOCABULARIES)
    for profile in profiles:
        records.item_type.append(profile.key.item_type)
        records.item_id.append(profile.key.item_id)
        records.organisation_id.append(profile.organisation_id)
        records.org_kind.append(profile.org_kind)
        records.country.append(profile.country)
        records.region.append(profile.region)
        records.stage.append(profile.stage)
        funding = profile.funding or AmountRange(0, 0)
        ticket = profile.ticket or AmountRange(0, 0)
        records.funding_min.append(funding.low if profile.funding else None)
        records.funding_max.append(funding.high if profile.funding else None)
        records.ticket_min.append(ticket.low if profile.ticket else None)
        records.ticket_max.append(ticket.high if profile.ticket else None)
        records.languages.append(sorted(profile.languages))
        records.regions_covered.append(sorted(profile.regions_covered))
    bits = tag_bits(VOCABULARIES)
    for role in TAG_ROLES:
        records.tags[role] = [
            sum(1 << bits[code] for code in profile.tag_codes(role)) for profile in profiles
        ]
    return records


def some(draw, vocabulary: str, most: int) -> list[str]:
    return draw(st.lists(st.sampled_from(VOCABULARIES[vocabulary]), max_size=most, unique=True))


amounts = st.none() | st.tuples(
    st.none() | st.sampled_from([0, 100_000, 250_000, 1_000_000, 2_000_000]),
    st.none() | st.sampled_from([300_000, 1_000_000, 5_000_000]),
).filter(lambda pair: pair != (None, None) and (None in pair or pair[0] <= pair[1])).map(
    lambda pair: AmountRange(*pair)
)


@st.composite
def registers(draw) -> list[Profile]:
    organisations = []
    for item_id in range(1, draw(st.integers(1, 25)) + 1):
        country, region = draw(st.sampled_from(PLACES))
        kind = draw(st.sampled_from(KINDS))
        organisations.append(
            Profile(
                key=ItemKey("organisation", item_id),
                organisation_id=item_id,
                org_kind=kind,
                country=country,
                region=region,
                languages=draw(st.frozensets(st.sampled_from(LANGUAGES), max_size=2)),
                tags={
                    "capability": some(draw, "capability", 5),
                    "need": some(draw, "capability", 3),
                    "need_text": some(draw, "capability", 2),
                    "capability_text": some(draw, "capability", 2),
                    "category": some(draw, "category", 3),
                    "specialisation": some(draw, "specialisation", 2),
                    "focus_area": some(draw, "focus_area", 2),
                    "preferred_stage": some(draw, "stage", 2) if kind == "investor" else [],
                },
                ticket=draw(amounts) if kind == "investor" else None,
                regions_covered=(
                    draw(st.frozensets(st.sampled_from(["PL-DS", "DK-84", "NO-03"]), max_size=2))
                    if kind == "cluster"
                    else frozenset()
                ),
            )
        )
    projects = []
    for item_id in range(1, draw(st.integers(0, 25)) + 1):
        owner = draw(st.sampled_from(organisations))
        country, region = draw(st.sampled_from(PLACES))
        written = draw(st.frozensets(st.sampled_from(LANGUAGES), min_size=1, max_size=2))
        projects.append(
            Profile(
                key=ItemKey("project", item_id),
                organisation_id=owner.organisation_id,
                org_kind=owner.org_kind,
                country=country,
                region=region,
                languages=written | owner.languages,  # as the service reads them
                tags={
                    "need": some(draw, "capability", 4),
                    "need_text": some(draw, "capability", 2),
                    "category": some(draw, "category", 2),
                    "specialisation": some(draw, "specialisation", 2),
                    "seeks": some(draw, "seeks", 3),
                },
                stage=draw(st.none() | st.sampled_from(VOCABULARIES["stage"])),
                funding=draw(amounts),
            )
        )
    return organisations + projects


demotions = st.just(Demotions()) | st.builds(
    Demotions,
    countries=st.frozensets(st.sampled_from(["PL", "DK", "NO", "SE"]), max_size=2),
    categories=st.frozensets(st.sampled_from(VOCABULARIES["category"]), max_size=2),
    stages=st.frozensets(st.sampled_from(VOCABULARIES["stage"]), max_size=2),
)
narrowings = st.just(ListFilter()) | st.builds(
    ListFilter,
    org_kind=st.none() | st.sampled_from(KINDS),
    country=st.none() | st.sampled_from([country for country, _ in PLACES] + ["SE"]),
    stage=st.none() | st.sampled_from(VOCABULARIES["stage"]),
    seeks=st.none() | st.sampled_from(VOCABULARIES["seeks"]),
    language=st.none() | st.sampled_from([*LANGUAGES, "fi"]),
    needs_my_offer=st.booleans(),
    among=st.none()
    | st.frozensets(
        st.builds(ItemKey, st.sampled_from(["organisation", "project"]), st.integers(1, 25)),
        max_size=8,
    ),
)


def lists_of(subject: Profile) -> list[ListKind]:
    if subject.is_project:
        return [ListKind.PROJECT_PARTNERS, ListKind.PROJECT_INVESTORS, ListKind.PROJECT_CLUSTERS]
    kinds = [ListKind.ORGANISATION_PARTNERS]
    return kinds + ([ListKind.INVESTOR_PROJECTS] if subject.org_kind == "investor" else [])


@settings(max_examples=120, deadline=None)
@given(registers(), st.data())
def test_every_list_equals_the_engine_over_the_whole_register(profiles, data):
    index = MatchIndex(records_of(data.draw(st.permutations(profiles))))
    subject = data.draw(st.sampled_from(profiles))
    context = MatchContext(
        index.stats,
        declined_organisations=data.draw(st.frozensets(st.integers(1, 25), max_size=3)),
        dismissed=data.draw(
            st.frozensets(
                st.builds(
                    ItemKey, st.sampled_from(["organisation", "project"]), st.integers(1, 25)
                ),
                max_size=3,
            )
        ),
        narrowed=data.draw(narrowings),
        demoted=data.draw(demotions),
        tie_salt=data.draw(
            st.sampled_from([0, 1, 2**63 + 12345, data.draw(st.integers(1, 2**64 - 1))])
        ),
    )
    limit, offset = data.draw(st.integers(0, 30)), data.draw(st.integers(0, 10))
    for kind in lists_of(subject):
        whole = score_candidates(subject, profiles, kind, context)
        page, total = index.rank(subject, kind, context, limit=limit, offset=offset)
        assert page == rank(subject, profiles, kind, context, limit=limit, offset=offset)
        assert total == len(whole)
        # Every score treated as on a rounding boundary: the careful path gives the same.
        with mock.patch.object(vector, "ROUNDING_MARGIN", 0.6):
            assert index.rank(subject, kind, context, limit=limit, offset=offset) == (page, total)
        assert index.candidates(subject, kind, context) == sorted(
            index.candidates(subject, kind, context)
        )
        assert {match.key for match in whole} <= set(index.candidates(subject, kind, context))


@settings(max_examples=60, deadline=None)
@given(registers())
def test_profiles_come_back_out_of_the_index_as_they_went_in(profiles):
    index = MatchIndex(records_of(profiles))
    for profile in profiles:
        assert index.profile(profile.key) == profile
    assert index.profile(ItemKey("organisation", 999)) is None


@settings(max_examples=60, deadline=None)
@given(registers())
def test_tag_statistics_count_entries_carrying_a_code_in_any_role(profiles):
    index = MatchIndex(records_of(profiles))
    assert index.stats.total == len(profiles)
    for code in ("test_bed", "clinical_validation", "ehealth_telemedicine", "pilot"):
        carrying = sum(1 for p in profiles if any(code in codes for codes in p.tags.values()))
        assert index.stats.frequency(code) == carrying


def test_an_empty_register_gives_empty_lists():
    index = MatchIndex(records_of([]))
    subject = Profile(ItemKey("project", 1), 1, "startup", "PL", tags={"need": ["test_bed"]})
    assert index.rank(subject, ListKind.PROJECT_PARTNERS) == ([], 0)


def test_a_subject_without_such_a_list_is_refused_and_paging_is_checked():
    index = MatchIndex(records_of([]))
    hospital = Profile(ItemKey("organisation", 1), 1, "hospital", "PL")
    with pytest.raises(MatchingError):
        index.rank(hospital, ListKind.INVESTOR_PROJECTS)
    with pytest.raises(ValueError):
        index.rank(hospital, ListKind.ORGANISATION_PARTNERS, limit=-1)


def test_a_vocabulary_too_large_for_a_bit_set_is_refused():
    with pytest.raises(ValueError, match="more than 63"):
        tag_bits({"capability": [f"code_{n}" for n in range(64)]})


def test_many_equal_scores_are_ordered_by_key_across_pages():
    owner = Profile(ItemKey("organisation", 1), 1, "startup", "PL", languages={"en"})
    project = Profile(
        ItemKey("project", 1), 1, "startup", "PL", languages={"en"}, tags={"need": ["test_bed"]}
    )
    hospitals = [
        Profile(
            ItemKey("organisation", n),
            n,
            "hospital",
            "PL",
            languages={"en"},
            tags={"capability": ["test_bed"]},
        )
        for n in range(2, 60)
    ]
    profiles = [owner, project, *hospitals]
    index = MatchIndex(records_of(profiles[::-1]))
    pages = [
        index.rank(project, ListKind.PROJECT_PARTNERS, limit=20, offset=offset)[0]
        for offset in (0, 20, 40)
    ]
    keys = [match.key.item_id for page in pages for match in page]
    assert keys == list(range(2, 60))
    assert len({match.score for page in pages for match in page}) == 1


def test_a_new_tag_leaves_the_bits_stored_for_the_others_unchanged():
    from matchmaker.register.models import tag_bits as stored_bits

    before = stored_bits([(1, "capability"), (2, "category"), (3, "capability")])
    after = stored_bits(
        [
            (5, "category"),
            (4, "capability"),
            *[(i, v) for i, v in [(1, "capability"), (2, "category"), (3, "capability")]],
        ]
    )
    assert {tag: after[tag] for tag in before} == before == {1: 0, 2: 0, 3: 1}
    assert (after[4], after[5]) == (2, 1)
    with pytest.raises(ValueError, match="more than 63"):
        stored_bits([(i, "capability") for i in range(64)])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(ItemKey, st.sampled_from(["organisation", "project"]), st.integers(1, 10**9)),
        min_size=1,
        max_size=20,
        unique=True,
    ),
    st.integers(0, 2**64 - 1),
)
def test_the_index_shuffles_ties_as_the_engine_does(keys, salt):
    index = MatchIndex(records_of([Profile(key, 1, "startup", "PL") for key in keys]))
    positions = np.array([index.find(key) for key in keys])
    assert list(index._tie_orders(positions, salt)) == [engine.tie_order(k, salt) for k in keys]


def test_equal_scores_are_shuffled_per_viewer_and_day_but_pages_never_repeat():
    owner = Profile(ItemKey("organisation", 1), 1, "startup", "PL", languages={"en"})
    project = Profile(
        ItemKey("project", 1), 1, "startup", "PL", languages={"en"}, tags={"need": ["test_bed"]}
    )
    hospitals = [
        Profile(ItemKey("organisation", n), n, "hospital", "PL", languages={"en"},
                tags={"capability": ["test_bed"]})
        for n in range(2, 60)
    ]  # fmt: skip
    index = MatchIndex(records_of([owner, project, *hospitals]))

    def order(salt: int) -> list[int]:
        context = MatchContext(tie_salt=salt)
        pages = [
            index.rank(project, ListKind.PROJECT_PARTNERS, context, limit=20, offset=offset)[0]
            for offset in (0, 20, 40)
        ]
        return [match.key.item_id for page in pages for match in page]

    monday, tuesday = order(12345), order(67890)
    assert sorted(monday) == sorted(tuesday) == list(range(2, 60))  # each once, none lost
    assert monday == order(12345)  # the same all day
    assert monday != tuesday and monday != list(range(2, 60))
