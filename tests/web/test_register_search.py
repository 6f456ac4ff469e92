"""Register search: words that name a tag, relevance, counts, and a register that changes."""

from __future__ import annotations

import re

import pytest

from matchmaker.moderation import services as moderation
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy


@pytest.fixture
def moderator(app):
    sync_taxonomy()
    return UserFactory(email="mod@example.org", role="moderator")


@pytest.fixture
def organisation(moderator):
    owner = UserFactory(email="owner@example.org")
    organisation = make_organisation(owner, name="Nordic Telecare AS")
    publish("organisation", organisation, moderator)
    return organisation


def project(organisation, moderator, title, description="", tags=None, lang="en"):
    item = make_project(
        organisation,
        original_language=lang,
        texts={lang: {"title": title, "summary": "Short.", "description": description}},
        tags=tags or {"category": ["medical_devices"], "seeks": ["pilot_site"]},
    )
    publish("project", item, moderator)
    return item


def titles(client, lang="en", **params) -> list[str]:
    page = client.get(f"/{lang}/projects", query_string=params).get_data(as_text=True)
    return re.findall(r"<h3[^>]*>\s*<a [^>]*>([^<]+)</a>", page)


def test_a_word_naming_a_tag_in_any_language_finds_what_carries_the_tag(
    client, organisation, moderator
):
    project(
        organisation,
        moderator,
        "Hjertepasienter hjemme",
        "Sensorer og sykepleiere.",
        tags={"category": ["ehealth_telemedicine"], "seeks": ["pilot_site"]},
        lang="nb",
    )
    project(organisation, moderator, "Surgical lights")
    for word in ("telemedycyna", "telemedicine", "telemedicin", "e-health"):
        assert titles(client, q=word) == ["Hjertepasienter hjemme"], word


def test_a_joining_word_of_tag_labels_finds_nothing_by_itself(client, organisation, moderator):
    project(
        organisation,
        moderator,
        "Hjertepasienter hjemme",
        tags={"category": ["ehealth_telemedicine"], "seeks": ["pilot_site"]},
        lang="nb",
    )
    assert titles(client, q="and") == []


def test_texts_that_hold_the_word_come_before_those_tagged_with_it(client, organisation, moderator):
    tagged = {"category": ["ehealth_telemedicine"], "seeks": ["pilot_site"]}
    project(organisation, moderator, "Heart sensors", "Home care.", tags=tagged)
    project(organisation, moderator, "Telemedicine for islands", "Video visits.")
    project(organisation, moderator, "Lung sensors", "Home care.", tags=tagged)
    assert titles(client, q="telemedicine") == [
        "Telemedicine for islands",
        "Lung sensors",
        "Heart sensors",
    ]
    assert titles(client, q="telemedicine", sort="name") == [
        "Heart sensors",
        "Lung sensors",
        "Telemedicine for islands",
    ]


def test_every_word_must_match_in_a_text_or_a_tag(client, organisation, moderator):
    project(
        organisation,
        moderator,
        "Heart sensors",
        tags={"category": ["ehealth_telemedicine"], "seeks": ["pilot_site"]},
    )
    project(organisation, moderator, "Heart valves")
    assert titles(client, q="heart telemedicine") == ["Heart sensors"]
    assert titles(client, q="heart") == ["Heart valves", "Heart sensors"]


def test_the_list_follows_each_decision_at_once(client, organisation, moderator):
    first = project(organisation, moderator, "First pilot")
    assert titles(client) == ["First pilot"]
    project(organisation, moderator, "Second pilot")
    assert titles(client) == ["Second pilot", "First pilot"]
    moderation.unpublish("project", first, moderator, note="Duplicate entry.")
    assert titles(client) == ["Second pilot"]


def test_facet_counts_follow_the_text_and_the_other_filters(client, organisation, moderator):
    project(organisation, moderator, "Heart sensors", tags={"category": ["medical_devices"]})
    project(organisation, moderator, "Heart valves", tags={"category": ["medical_devices"]})
    project(organisation, moderator, "Lung sensors", tags={"category": ["ai_diagnosis_treatment"]})
    page = client.get("/en/projects", query_string={"q": "heart"}).get_data(as_text=True)
    assert re.search(r'value="medical_devices"[^>]*>.*?\(2\)', page, re.S)
    assert 'value="ai_diagnosis_treatment"' not in page
    page = client.get("/en/projects", query_string={"category": "ai_diagnosis_treatment"}).get_data(
        as_text=True
    )
    # The chosen category's own facet still counts the other categories.
    assert re.search(r'value="medical_devices"[^>]*>.*?\(2\)', page, re.S)
    assert "Lung sensors" in page and "Heart valves" not in page


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "€250,000\u2013€2,000,000"), ("pl", "€250\u00a0000\u2013€2\u00a0000\u00a0000")],
)
def test_funding_sought_is_shown_in_the_readers_number_format(
    client, organisation, moderator, lang, expected
):
    item = make_project(organisation, funding_min_eur=250_000, funding_max_eur=2_000_000)
    publish("project", item, moderator)
    response = client.get(f"/{lang}/projects/{item.id}")
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)


def test_detail_pages_show_the_place_on_a_small_map(client, organisation, moderator):
    item = project(organisation, moderator, "Heart sensors")
    for url in (f"/pl/projects/{item.id}", f"/pl/organisations/{organisation.id}"):
        page = client.get(url).get_data(as_text=True)
        svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" class="map location-map"') :]
        svg = svg[: svg.index("</svg>") + 6]
        assert 'role="img"' in svg and "<title" in svg
        assert "Oslo, Norwegia" in svg  # named in the reader's language
        assert "<figcaption>Oslo, Norwegia</figcaption>" in page
