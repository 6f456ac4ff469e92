"""The insights page's Events block, against a few events built through the services and
counted by hand.

| event                      | kind        | country | when            | came (confirmed)         |
| matchmaking day (Oslo LL)  | matchmaking | NO      | 2 days ago      | Alice PL start-up, Bob NO |
|                            |             |         |                 | hospital, Carol DK SME    |
| Aarhus visit (Bergen Cl.)  | study_visit | DK      | 3 days ago      | Carol DK SME              |
| taken off (Oslo LL)        | study_visit | NO      | 4 days ago      | Bob — unpublished: no     |
| ahead (Oslo LL)            | study_visit | NO      | in 60 days      | Carol — not yet: no       |

At the matchmaking day Alice and Bob met (Alice: held, talks; Bob: an agreement), so one
meeting held, an agreement; Bob and Carol's meeting does not count (Bob: held, Carol:
Bob never came).
"""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

from datetime import timedelta

import pytest

from matchmaker.accounts.models import utcnow
from matchmaker.insights import event_queries, views
from matchmaker.insights.figures import last_quarters, quarter_of
from tests.web.test_events import app, make_event, move, person, sign_up, user, world  # noqa: F401
from tests.web.test_insights import csv_rows, label, parse, quarter, t
from tests.web.test_meetings import SLOT_1, SLOT_2, book, day, hold_in_the_past, post  # noqa: F401

EVENT_FIGURES = ("events", "participant-countries", "participant-kinds", "meetings")


def to_past(event, days_ago: int) -> None:
    ends = utcnow() - timedelta(days=days_ago)
    move(
        event,
        starts_at=ends - timedelta(hours=6),
        ends_at=ends,
        registration_deadline=ends - timedelta(days=1),
    )


@pytest.fixture
def held(app, day, world):
    event, people = day
    first = book(people, world, event, "alice", "bob", SLOT_1)
    second = book(people, world, event, "carol", "bob", SLOT_2)
    aarhus = make_event(world, host="other_host", title="Aarhus visit", country="DK", city="Aarhus")
    taken_off = make_event(world, title="Taken off")
    ahead = make_event(world, title="Ahead")
    assert sign_up(people["carol"], aarhus).status_code == 200
    assert sign_up(people["bob"], taken_off).status_code == 200
    assert sign_up(people["carol"], ahead).status_code == 200
    hold_in_the_past(event, days_ago=2)
    to_past(aarhus, 3)
    to_past(taken_off, 4)
    move(taken_off, status="unpublished")
    said = [
        ("alice", first, "presence", "held"),
        ("alice", first, "outcome", "talks"),
        ("bob", first, "outcome", "agreement"),
        ("bob", second, "presence", "held"),
        ("carol", second, "presence", "no_show"),
    ]
    for name, meeting, what, value in said:
        url = f"/en/events/{event.id}/meetings/meetings/{meeting.id}/{what}"
        assert post(people[name], url, **{what: value}).status_code == 303
    return event, aarhus


def expected_quarters(*counts_by_day) -> list[list[str]]:
    """The events table: per quarter, study visits, matchmaking, conferences, all."""
    rows = []
    for year_quarter in last_quarters(utcnow().date()):
        kinds = [
            sum(1 for kind, day in counts_by_day if kind == k and quarter_of(day) == year_quarter)
            for k in ("study_visit", "matchmaking", "conference")
        ]
        rows.append([quarter("en", *year_quarter), *map(str, kinds), str(sum(kinds))])
    return rows


def ended(days_ago: int):
    return (utcnow() - timedelta(days=days_ago)).date()


def test_events_held_are_counted_per_quarter_and_kind(client, held):
    page = parse(client.get("/en/insights/"))
    assert page.rows["events"] == expected_quarters(
        ("matchmaking", ended(2)), ("study_visit", ended(3))
    )
    assert page.svgs["events"] == 1


def test_participants_by_country_and_kind_of_their_organisation(client, held):
    page = parse(client.get("/en/insights/"))
    assert page.rows["participant-countries"] == [
        ["Denmark", "2"],
        ["Norway", "1"],
        ["Poland", "1"],
    ]
    assert page.rows["participant-kinds"] == [
        [label("sme"), "2"],
        [label("hospital"), "1"],
        [label("startup"), "1"],
    ]


def test_a_meeting_counts_when_held_with_the_furthest_outcome_and_a_no_show_does_not(client, held):
    page = parse(client.get("/en/insights/"))
    assert page.rows["meetings"] == [[t("en", "An agreement or a project"), "1"]]
    assert any("1 meeting held." in text for text in page.paragraphs["meetings"])


def test_the_country_filter_counts_the_events_of_the_venues_country(client, held):
    page = parse(client.get("/en/insights/?country=DK"))
    assert page.rows["events"] == expected_quarters(("study_visit", ended(3)))
    assert page.rows["participant-countries"] == [["Denmark", "1"]]
    nothing = t("en", "No 1:1 meeting has been held yet.")
    assert page.rows["meetings"] == [] and page.paragraphs["meetings"] == [nothing]
    assert "meetings" not in page.svgs and "meetings" not in page.csv


def test_a_country_without_events_held_says_so_in_one_sentence(client, held):
    response = client.get("/en/insights/?country=PL")
    assert not any(name in parse(response).rows for name in EVENT_FIGURES)
    nothing = t("en", "No event has taken place in %(country)s yet.", country="Poland")
    assert nothing in response.get_data(as_text=True)


def test_the_csv_files_hold_the_tables_with_codes(client, held):
    page = parse(client.get("/en/insights/"))
    for name in EVENT_FIGURES:
        rows = csv_rows(client.get(page.csv[name]))
        assert rows[0][0] == t("en", "Code")
        assert [row[1:] for row in rows[1:]] == page.rows[name]
    meetings = csv_rows(client.get("/en/insights/meetings.csv"))
    assert [row[0] for row in meetings[1:]] == ["agreement"]


def test_no_event_title_nor_person_appears(client, held, world):
    texts = [client.get("/en/insights/").get_data(as_text=True)]
    texts += [
        client.get(f"/en/insights/{name}.csv").get_data(as_text=True) for name in EVENT_FIGURES
    ]
    for text in texts:
        for someone in ("alice", "bob", "carol", "olga"):
            assert world[someone].email not in text and world[someone].name not in text
        assert "Aarhus visit" not in text and "Taken off" not in text


def test_without_events_held_the_block_says_so_instead_of_zero(client, app, world):
    make_event(world, title="Ahead")
    response = client.get("/en/insights/")
    assert not any(name in parse(response).rows for name in EVENT_FIGURES)
    assert t("en", "No event has taken place yet.") in response.get_data(as_text=True)
    assert client.get("/en/insights/events.csv").status_code == 200


@pytest.mark.parametrize("lang", ("pl", "en", "da", "nb"))
def test_every_language_shows_the_block(client, held, lang):
    response = client.get(f"/{lang}/insights/")
    assert t(lang, "1:1 meetings held and what came of them") in response.get_data(as_text=True)
    assert parse(response).rows["meetings"][0][1] == "1"


def test_the_rows_are_read_once_an_hour(client, held, monkeypatch):
    reads = []
    original = event_queries.read_rows
    monkeypatch.setattr(event_queries, "read_rows", lambda now: reads.append(1) or original(now))
    now = utcnow().replace(minute=10)
    monkeypatch.setattr(views, "utcnow", lambda: now)
    client.get("/en/insights/")
    client.get("/en/insights/?country=NO")
    client.get("/en/insights/events.csv")
    assert len(reads) == 1
    monkeypatch.setattr(views, "utcnow", lambda: now + timedelta(hours=1))
    client.get("/en/insights/")
    assert len(reads) == 2
