"""The projects list by funding sought: bands with counts, a range in euros, downloads of
the filtered list, the stage facet in its own order, and what to remove when nothing matches."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import log_in


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


@pytest.fixture
def add(organisation, moderator):
    """Publish a project seeking ``low``-``high`` euros (None: not stated)."""

    def add(title, low=None, high=None, stage="pilot", category="medical_devices"):
        item = make_project(
            organisation,
            stage=stage,
            funding_min_eur=low,
            funding_max_eur=high,
            texts={"en": {"title": title, "summary": "Short.", "description": ""}},
            tags={"category": [category], "seeks": ["investment"]},
        )
        publish("project", item, moderator)
        return item

    return add


@pytest.fixture
def projects(add):
    """One project per kind of funding statement, newest last."""
    add("Small grant", 100_000, 200_000)  # under €250k
    add("Seed round", 250_000, 1_000_000, stage="prototype")  # €250k-1M only: touches both ends
    add("Bridge round", 500_000, 2_000_000)  # €250k-1M and €1-5M
    add("Heart growth", None, 30_000_000, stage="commercialisation")  # one end: that amount
    add("Unstated heart", stage="concept")  # in no band, in no range


def page(client, lang="en", **params) -> str:
    response = client.get(f"/{lang}/projects", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def titles(text: str) -> list[str]:
    return sorted(re.findall(r"<h3[^>]*>\s*<a [^>]*>([^<]+)</a>", text))


def facet(text: str, name: str) -> list[tuple[str, int]]:
    """(value, count) of one facet's checkboxes, in the order shown."""
    found = re.findall(
        rf'name="{name}" value="([^"]+)"[^>]*>\s*<label[^>]*>.*?\((\d+)\)</span>', text, re.S
    )
    return [(value, int(count)) for value, count in found]


def test_bands_count_the_projects_whose_funding_lies_in_them_in_order_of_amount(client, projects):
    assert facet(page(client), "funding") == [
        ("under_250k", 1),
        ("250k_1m", 2),
        ("1m_5m", 1),
        ("over_20m", 1),
    ]


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "€250,000\u2013€1,000,000"),
        ("pl", "€250\u00a0000\u2013€1\u00a0000\u00a0000"),
        ("da", "€250.000\u2013€1.000.000"),
    ],
)
def test_band_labels_are_amounts_in_the_readers_number_format(client, projects, lang, label):
    assert label in page(client, lang)


def test_a_band_lists_its_projects_and_several_bands_add_up(client, projects):
    assert titles(page(client, funding="1m_5m")) == ["Bridge round"]
    assert titles(page(client, funding=["under_250k", "over_20m"])) == [
        "Heart growth",
        "Small grant",
    ]


def test_a_range_lists_the_projects_whose_funding_overlaps_it(client, projects):
    listed = titles(page(client, funding_min="1000000", funding_max="5000000"))
    assert listed == ["Bridge round", "Seed round"]
    assert titles(page(client, funding_min="20000000")) == ["Heart growth"]
    assert titles(page(client, funding_max="150000")) == ["Small grant"]
    assert titles(page(client, funding_min="0")) == [
        "Bridge round",
        "Heart growth",
        "Seed round",
        "Small grant",
    ]  # a project stating no amount drops out of any funding filter


def test_the_range_is_kept_in_the_form_and_bands_are_counted_within_it(client, projects):
    text = page(client, funding_min="1000000", funding_max="5000000")
    assert re.search(r'name="funding_min"[^>]*value="1000000"', text, re.S)
    assert re.search(r'name="funding_max"[^>]*value="5000000"', text, re.S)
    assert facet(text, "funding") == [("250k_1m", 2), ("1m_5m", 1)]


def test_funding_combines_with_the_text_and_the_other_facets(client, projects):
    assert titles(page(client, q="heart", funding_min="1000000")) == ["Heart growth"]
    assert titles(page(client, stage="pilot", funding="250k_1m")) == ["Bridge round"]
    text = page(client, funding="250k_1m")
    # Other facets are counted among the chosen band's projects...
    assert facet(text, "stage") == [("prototype", 1), ("pilot", 1)]
    # ...and the bands among the chosen stage's, the band's own choice aside.
    text = page(client, stage="pilot", funding="250k_1m")
    assert facet(text, "funding") == [("under_250k", 1), ("250k_1m", 1), ("1m_5m", 1)]


def test_htmx_gets_the_results_with_the_funding_filter(client, projects):
    response = client.get(
        "/en/projects", query_string={"funding": "over_20m"}, headers={"HX-Request": "true"}
    )
    text = response.get_data(as_text=True)
    assert "<html" not in text and 'id="register-results"' in text
    assert titles(text) == ["Heart growth"]
    assert 'hx-preserve="true"' in text and 'id="f-funding_min"' in text


def test_the_stage_facet_follows_the_order_of_the_stages(client, add):
    for _ in range(3):
        add("Sold", stage="commercialisation")
    add("Idea", stage="concept")
    add("Trial", stage="pilot")
    add("Trial two", stage="pilot")
    assert [value for value, _count in facet(page(client), "stage")] == [
        "concept",
        "pilot",
        "commercialisation",
    ]


def download_links(text: str) -> dict[str, str]:
    links = re.findall(r'<a href="([^"]*/projects/export\.(csv|json)[^"]*)" download>', text)
    return {fmt: html.unescape(href) for href, fmt in links}


def test_the_list_offers_downloads_of_what_it_shows(client, projects):
    text = page(client, q="round", funding_min="600000", stage="pilot")
    links = download_links(text)
    assert set(links) == {"csv", "json"}
    assert "Download CSV" in text and "Download JSON" in text
    data = client.get(links["json"]).get_json()
    assert [item["name"] for item in data["items"]] == ["Bridge round"]
    rows = list(csv.DictReader(io.StringIO(client.get(links["csv"]).get_data(as_text=True))))
    assert [row["name"] for row in rows] == ["Bridge round"]
    assert rows[0]["funding_min_eur"] == "500000"


def test_exports_honour_the_funding_filters(client, projects):
    data = client.get("/en/projects/export.json?funding=under_250k&funding=over_20m").get_json()
    assert sorted(item["name"] for item in data["items"]) == ["Heart growth", "Small grant"]
    data = client.get("/en/projects/export.json?funding_min=1000000&funding_max=1000000").get_json()
    assert sorted(item["name"] for item in data["items"]) == ["Bridge round", "Seed round"]


def relaxations(text: str) -> dict[str, str]:
    """The empty state's offers to remove a filter: link text → address."""
    block = re.search(r'<ul class="relaxations">(.*?)</ul>', text, re.S)
    if block is None:
        return {}
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', block[1])
    return {html.unescape(label).strip(): html.unescape(href) for href, label in links}


def test_an_empty_list_offers_to_remove_each_filter_that_emptied_it(client, projects):
    text = page(client, stage="concept", funding="over_20m")
    assert titles(text) == []
    offers = relaxations(text)
    assert list(offers) == [
        "Remove “Stage: Concept” (1 project)",
        "Remove “Funding sought: more than €20,000,000” (1 project)",
    ]
    without_stage = client.get(offers["Remove “Stage: Concept” (1 project)"])
    assert titles(without_stage.get_data(as_text=True)) == ["Heart growth"]
    without_band = client.get(offers["Remove “Funding sought: more than €20,000,000” (1 project)"])
    assert titles(without_band.get_data(as_text=True)) == ["Unstated heart"]


def test_only_removals_that_give_results_are_offered_with_their_counts(client, projects):
    text = page(client, q="heart", stage=["pilot", "prototype"], funding_min="1")
    assert list(relaxations(text)) == [
        "Remove the words “heart” (3 projects)",
        "Remove “Stage: Pilot or Prototype” (1 project)",
    ]
    # Removing any one of three filters still leaves nothing: nothing to offer.
    text = page(client, q="grant", stage="concept", funding="over_20m")
    assert titles(text) == [] and relaxations(text) == {}


def test_removing_the_range_is_offered_as_one_filter(client, projects):
    text = page(client, stage="concept", funding_min="1000", funding_max="2000000")
    assert list(relaxations(text)) == [
        "Remove “Stage: Concept” (3 projects)",
        "Remove “Funding sought: €1,000\u2013€2,000,000” (1 project)",
    ]


NOT_A_NUMBER = "Enter an amount in euros with digits only, such as 250000."
NEGATIVE = "Enter an amount of 0 or more."
TOO_LARGE = "Enter an amount of at most 1,000,000,000,000 euros."


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("1e9", NOT_A_NUMBER),
        ("0x10", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("\u0661\u0662\u0663", NOT_A_NUMBER),  # Arabic-Indic digits
        ("-5", NEGATIVE),
        ("1000000000001", TOO_LARGE),
        ("9" * 39, TOO_LARGE),
        ("9" * 5000, TOO_LARGE),
        ("  ", None),
    ],
)
def test_an_amount_that_is_not_one_is_ignored_with_a_message(client, projects, amount, message):
    text = page(client, funding_min=amount, funding_max="150000")
    assert titles(text) == ["Small grant"]  # the other end still filters
    text = page(client, funding_min=amount)
    assert len(titles(text)) == 5  # no filter
    if message:
        assert re.search(rf'<p class="error" role="alert">\s*{re.escape(message)}', text)
    else:
        assert 'role="alert"' not in text


def test_amounts_typed_with_spaces_or_decimals_are_read(client, projects):
    assert titles(page(client, funding_max="150 000")) == ["Small grant"]
    assert titles(page(client, funding_max="150000.99")) == ["Small grant"]


def test_a_reversed_range_is_ignored_with_a_message(client, projects):
    text = page(client, funding_min="5000000", funding_max="1000")
    assert len(titles(text)) == 5
    assert "The largest amount must not be smaller than the smallest." in text
    # What was typed stays in the fields, to be corrected.
    assert re.search(r'name="funding_min"[^>]*value="5000000"', text, re.S)
    assert re.search(r'name="funding_max"[^>]*value="1000"', text, re.S)


def test_unknown_bands_and_funding_on_the_organisations_list_are_ignored(client, projects):
    assert len(titles(page(client, funding="a_lot"))) == 5
    response = client.get("/en/organisations?funding=over_20m&funding_min=abc&funding_max=-1")
    assert response.status_code == 200
    assert "Nordic Telecare AS" in response.get_data(as_text=True)
    assert client.get("/en/projects/export.csv?funding_min=x&funding_max=1e99").status_code == 200


def test_a_saved_search_keeps_the_funding_filters(client, projects):
    UserFactory(email="investor@example.org")
    log_in(client, "investor@example.org")
    text = page(client, funding="1m_5m", funding_min="1000000")
    assert 'form="save-search" name="funding_min" value="1000000"' in text
    assert 'form="save-search" name="funding" value="1m_5m"' in text


def test_the_funding_filter_is_open_and_so_are_the_four_facets_before_it_was_added(
    client, projects
):
    text = page(client)
    opened = re.findall(r'<details class="facet[^"]*" open>\s*<summary>([^<]+)</summary>', text)
    assert opened == ["Stage", "Funding sought", "Kind of organisation", "Country", "Region"]
