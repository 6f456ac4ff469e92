"""The open API's insights: the insights page's figures as JSON, the same rows as its CSV
files, with the worker's count of the connections."""

# ruff: noqa: F811  (the fixtures of the insights and events tests are imported by name)
from __future__ import annotations

from datetime import timedelta

import pytest

from matchmaker.accounts.models import utcnow
from matchmaker.api import records
from matchmaker.csv_writer import to_csv
from matchmaker.extensions import db
from matchmaker.insights import tasks
from tests.web.test_events import app, world  # noqa: F401  (fixtures)
from tests.web.test_insights import TODAY, register, t, today  # noqa: F401
from tests.web.test_insights_connections import network, worker_away  # noqa: F401
from tests.web.test_meetings import day  # noqa: F401

GROWTH = (
    "quarters",
    "categories",
    "specialisations",
    "country-growth",
    "stages",
    "stage-moves",
    "seeks",
    "organisation-kinds",
    "organisation-countries",
    "places",  # the Where block
)
CONNECTIONS = (
    "connections",
    "connections-categories",
    "connections-regions",
    "connections-countries",
)
EVENTS = ("events", "participant-countries", "participant-kinds", "meetings")


def insights(client, **params) -> dict:
    answer = client.get("/api/v1/insights", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def assert_figures_are_the_csv_files(client, body: dict, lang: str, country: str = "") -> None:
    for figure in body["figures"]:
        csv_file = client.get(
            f"/{lang}/insights/{figure['name']}.csv", query_string={"country": country}
        )
        assert csv_file.get_data(as_text=True) == to_csv(figure["columns"], figure["rows"])


@pytest.fixture
def fixed_today(register, monkeypatch):
    """The API asks on the same day as the page (20 May 2025)."""
    monkeypatch.setattr(records, "utcnow", lambda: TODAY)


@pytest.mark.parametrize("lang", ["en", "pl", "da", "nb"])
def test_the_growth_figures_are_the_rows_of_the_csv_files(client, fixed_today, lang):
    body = insights(client, lang=lang)
    assert (body["lang"], body["country"]) == (lang, None)
    assert [figure["name"] for figure in body["figures"]] == [*GROWTH, *CONNECTIONS, *EVENTS]
    assert_figures_are_the_csv_files(client, body, lang)
    stages = next(figure for figure in body["figures"] if figure["name"] == "stages")
    assert stages["title"] == t(lang, "Projects by stage")
    assert stages["columns"][0] == t(lang, "Code")
    assert [(row[0], row[2]) for row in stages["rows"]] == [  # codes and numbers, not texts
        ("pilot", 2),
        ("commercialisation", 1),
        ("concept", 1),
        ("prototype", 1),
    ]
    categories = next(figure for figure in body["figures"] if figure["name"] == "categories")
    assert categories["rows"][0][0] == "mobile_apps" and categories["rows"][0][-1] is None


def test_a_country_filters_the_figures_as_on_the_page(client, fixed_today):
    body = insights(client, country="pl", lang="pl")
    assert body["country"] == "PL"
    assert_figures_are_the_csv_files(client, body, "pl", "PL")
    countries = next(f for f in body["figures"] if f["name"] == "organisation-countries")
    assert [row[0] for row in countries["rows"]] == ["PL"]
    assert insights(client, country="PL") != insights(client)


@pytest.mark.parametrize("value", ["XX", "Poland", "P", ""])
def test_a_wrong_country_is_a_400(client, fixed_today, value):
    answer = client.get("/api/v1/insights", query_string={"country": value})
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == 400 and "country" in body["errors"]["query"]


def test_the_connections_and_events_figures_are_those_of_the_page(client, network, world):
    body = insights(client)
    assert [figure["name"] for figure in body["figures"]] == [*GROWTH, *CONNECTIONS, *EVENTS]
    assert body["connections_counted_at"] is not None
    assert_figures_are_the_csv_files(client, body, "en")
    ranking = next(figure for figure in body["figures"] if figure["name"] == "connections")
    assert [row[1] for row in ranking["rows"]] == [
        "Oslo Living Lab",
        "Wroclaw Telecare",
        "Aarhus MedTech ApS",
        "Oslo University Hospital",
    ]
    assert ranking["rows"][0][0] == str(world["host"].id)
    text = client.get("/api/v1/insights?lang=pl").get_data(as_text=True)
    text += client.get("/api/v1/insights?country=NO").get_data(as_text=True)
    for someone in ("alice", "bob", "carol", "olga", "harald", "anna"):
        assert world[someone].name not in text and world[someone].email not in text


def test_before_the_first_count_there_are_no_connection_figures_and_it_says_so(
    client, network, worker_away
):
    before = client.get("/api/v1/insights")
    body = before.get_json()
    assert body["connections_counted_at"] is None
    assert [figure["name"] for figure in body["figures"]] == [*GROWTH, *EVENTS]
    assert worker_away  # the worker was asked to count, as the page asks it
    again = client.get("/api/v1/insights", headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 304
    assert tasks.count_connections_every_ten_minutes()
    db.session.commit()
    counted = client.get("/api/v1/insights", headers={"If-None-Match": before.headers["ETag"]})
    assert counted.status_code == 200 and counted.headers["ETag"] != before.headers["ETag"]
    assert counted.get_json()["connections_counted_at"] is not None
    assert "connections" in [figure["name"] for figure in counted.get_json()["figures"]]


def test_the_etag_changes_with_the_hour(client, network, monkeypatch):
    client.get("/api/v1/insights")  # the worker counts (here at once) when first asked
    tag = client.get("/api/v1/insights").headers["ETag"]
    assert client.get("/api/v1/insights", headers={"If-None-Match": tag}).status_code == 304
    assert client.get("/api/v1/insights?lang=pl").headers["ETag"] != tag
    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr("matchmaker.api.views.utcnow", lambda: later)
    assert client.get("/api/v1/insights", headers={"If-None-Match": tag}).status_code == 200


def test_until_gives_the_figures_as_they_were_at_the_end_of_a_past_quarter(client, fixed_today):
    body = insights(client, until="2024-Q4")
    quarters = next(f for f in body["figures"] if f["name"] == "quarters")
    assert [row[0] for row in quarters["rows"]][-1] == "2024-Q4"
    page_csv = client.get("/en/insights/quarters.csv", query_string={"until": "2024-Q4"})
    assert page_csv.get_data(as_text=True) == to_csv(quarters["columns"], quarters["rows"])


@pytest.mark.parametrize("value", ["2031-Q1", "2024-Q5", "last year"])
def test_an_until_that_is_no_past_quarter_is_a_400(client, fixed_today, value):
    answer = client.get("/api/v1/insights", query_string={"until": value})
    assert answer.status_code == 400
    assert answer.get_json()["code"] == 400
