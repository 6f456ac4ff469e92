"""The insights page's Connections block, against a small network built through the
services and counted by hand.

The matchmaking day of tests.web.test_meetings, hosted by Oslo Living Lab (NO), has taken
place; Alice (Wroclaw Telecare, PL), Bob (Oslo University Hospital, NO) and Carol (Aarhus
MedTech ApS, DK) came. Alice and Bob held a meeting; Wroclaw Telecare's contact request
to Aarhus MedTech was accepted, and one to Bergen Clinic too, which was then taken off
the register.

| organisation             | partners              | contact | event | meeting | betweenness |
| Oslo Living Lab          | Telecare, OUH, Aarhus |    0    |   3   |    0    | 0.5/3       |
| Wroclaw Telecare         | Living Lab, OUH, Aarh.|    1    |   1   |    1    | 0.5/3       |
| Aarhus MedTech ApS       | Living Lab, Telecare  |    1    |   1   |    0    | 0           |
| Oslo University Hospital | Living Lab, Telecare  |    0    |   1   |    1    | 0           |

(OUH and Aarhus are joined by two shortest paths, one through each of the first two.)
"""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.contacts import services as contacts
from matchmaker.contacts.models import ContactRequest
from matchmaker.extensions import db
from matchmaker.insights import connection_queries, tasks
from matchmaker.moderation import services as moderation
from matchmaker.organisations.models import Organisation
from tests.web.test_events import app, person, user, world  # noqa: F401  (fixtures)
from tests.web.test_insights import csv_rows, parse, t
from tests.web.test_meetings import SLOT_1, book, day, hold_in_the_past, post  # noqa: F401

RANKING = [
    ["Oslo Living Lab", "Norway", "3", "0", "3", "0", "0.167"],
    ["Wroclaw Telecare", "Poland", "3", "1", "1", "1", "0.167"],
    ["Aarhus MedTech ApS", "Denmark", "2", "1", "1", "0", "0.000"],
    ["Oslo University Hospital", "Norway", "2", "0", "1", "1", "0.000"],
]
MATRIX = [
    # PL, DK, NO, other countries
    ["Poland", "0", "1", "2", "0"],
    ["Denmark", "1", "0", "1", "0"],
    ["Norway", "2", "1", "1", "0"],
    ["Other countries", "0", "0", "0", "0"],
]


def accepted_contact(sender, sender_org, recipient, recipient_org) -> None:
    request, _created = contacts.send(
        sender,
        sender_org_id=sender_org.id,
        recipient_org_id=recipient_org.id,
        message="Could we pilot your platform together?",
    )
    contacts.accept(recipient, request.id, reply="Gladly, call us.")


@pytest.fixture
def network(day, world):
    event, people = day
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    hold_in_the_past(event, days_ago=2)
    base = f"/en/events/{event.id}/meetings/meetings/{meeting.id}"
    assert post(people["alice"], f"{base}/presence", presence="held").status_code == 303
    telecare = world["telecare"]
    accepted_contact(world["alice"], telecare, world["carol"], world["carol_org"])
    accepted_contact(world["alice"], telecare, world["harald"], world["other_host"])
    moderation.unpublish("organisation", world["other_host"], world["moderator"], "Closed.")
    return people


def test_the_most_connected_organisations_with_links_by_kind_and_centrality(client, network):
    page = parse(client.get("/en/insights/"))
    assert page.rows["connections"] == RANKING
    assert page.svgs["connections"] == 1
    body = client.get("/en/insights/").get_data(as_text=True)
    telecare = db.session.scalar(select(Organisation).where(Organisation.name.like("Wroclaw%")))
    assert f'<a href="/en/organisations/{telecare.id}">Wroclaw Telecare</a>' in body


def test_an_unpublished_organisation_and_its_links_are_left_out(client, network, world):
    bergen = world["other_host"]
    status = select(ContactRequest.status).where(ContactRequest.recipient_org_id == bergen.id)
    assert db.session.scalar(status) == "accepted"
    assert "Bergen Clinic" not in client.get("/en/insights/").get_data(as_text=True)


def test_the_matrix_counts_links_between_countries_with_row_and_column_headers(client, network):
    response = client.get("/en/insights/")
    assert parse(response).rows["connections-countries"] == MATRIX
    body = response.get_data(as_text=True)
    assert '<th scope="row">Poland</th>' in body
    assert '<th scope="col" class="number">Other countries</th>' in body


def test_per_region_the_most_connected_and_no_categories_without_any(client, network):
    page = parse(client.get("/en/insights/"))
    by_region = {}
    for name, region, *_numbers in page.rows["connections-regions"]:
        by_region.setdefault(region, []).append(name)
    assert sorted(by_region.values()) == [
        ["Aarhus MedTech ApS"],
        ["Oslo Living Lab", "Oslo University Hospital"],
        ["Wroclaw Telecare"],
    ]
    assert page.paragraphs["connections-categories"] == [
        t("en", "No organisation to show here yet.")
    ]


def test_the_csv_files_hold_the_ranking_and_the_matrix_with_codes(client, network):
    page = parse(client.get("/en/insights/"))
    ranking = csv_rows(client.get(page.csv["connections"]))
    assert ranking[0][0] == t("en", "Code")
    assert [row[1:] for row in ranking[1:]] == [
        [*row[:6], str(round(float(row[6]), 3))] for row in RANKING
    ]
    matrix = csv_rows(client.get(page.csv["connections-countries"]))
    assert [row[0] for row in matrix[1:]] == ["PL", "DK", "NO", "other"]
    assert [row[1:] for row in matrix[1:]] == MATRIX


def test_no_person_nor_message_appears_on_the_page_or_in_the_csv(client, network, world):
    texts = [client.get("/en/insights/").get_data(as_text=True)]
    for name in ("connections", "connections-regions", "connections-countries"):
        texts.append(client.get(f"/en/insights/{name}.csv").get_data(as_text=True))
    for someone in ("alice", "bob", "carol", "olga", "harald", "anna"):
        for text in texts:
            assert world[someone].name not in text
            assert world[someone].email not in text
    for text in texts:
        assert "pilot your platform" not in text and "call us" not in text


def test_a_country_filter_ranks_its_organisations_and_keeps_every_country_in_the_matrix(
    client, network
):
    page = parse(client.get("/en/insights/?country=PL"))
    assert page.rows["connections"] == [RANKING[1]]
    assert page.rows["connections-countries"] == MATRIX
    assert page.csv["connections"].endswith("/en/insights/connections.csv?country=PL")


def test_a_member_opts_out_and_the_organisation_is_no_longer_named(app, client, network, world):
    alice = person(app, world, "alice")
    telecare = world["telecare"]
    manage = alice.get(f"/en/my/organisations/{telecare.id}").get_data(as_text=True)
    label = t("en", "Do not name the organisation in the rankings of the insights page")
    assert label in manage
    response = post(alice, f"/en/my/organisations/{telecare.id}/insights", unnamed="y")
    assert response.status_code == 303
    db.session.expire_all()
    assert telecare.unnamed_in_insights and telecare.status == "published"
    manage = alice.get(f"/en/my/organisations/{telecare.id}").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="unnamed"[^>]*>', manage).group()
    page = parse(client.get("/en/insights/"))
    assert page.rows["connections"] == [RANKING[0], RANKING[2], RANKING[3]]
    assert page.rows["connections-countries"] == MATRIX  # its links still count
    assert "Wroclaw Telecare" not in client.get("/en/insights/").get_data(as_text=True)
    post(alice, f"/en/my/organisations/{telecare.id}/insights")  # ticked off again
    assert parse(client.get("/en/insights/")).rows["connections"] == RANKING


def test_only_a_member_may_change_the_choice(app, network, world):
    carol = person(app, world, "carol")
    response = post(carol, f"/en/my/organisations/{world['telecare'].id}/insights", unnamed="y")
    assert response.status_code == 404
    db.session.expire_all()
    assert not world["telecare"].unnamed_in_insights


def test_without_connections_the_block_says_so(client, world):
    response = client.get("/en/insights/")
    page = parse(response)
    assert not any(name.startswith("connections") for name in page.rows)
    body = response.get_data(as_text=True)
    assert t("en", "There are no connections between published organisations yet.") in body


def test_links_are_read_once_an_hour_and_organisations_once_per_register_change(
    client, network, monkeypatch
):
    reads = []
    original = connection_queries.read_links
    monkeypatch.setattr(
        connection_queries, "read_links", lambda now: reads.append(1) or original(now)
    )
    now = utcnow().replace(minute=10)
    monkeypatch.setattr(tasks, "utcnow", lambda: now)
    client.get("/en/insights/")
    client.get("/en/insights/?country=PL")
    client.get("/en/insights/connections.csv")
    assert len(reads) == 1
    monkeypatch.setattr(tasks, "utcnow", lambda: now + timedelta(hours=1))
    client.get("/en/insights/")
    assert len(reads) == 2


@pytest.fixture
def worker_away(monkeypatch):
    """The worker is not running: what the page asks of it stays queued (counted here)."""
    asked = []
    monkeypatch.setattr(tasks, "count_connections", lambda: asked.append(1))
    return asked


def test_before_the_first_count_the_block_says_it_is_being_counted(client, network, worker_away):
    response = client.get("/en/insights/")
    page = parse(response)
    assert not any(name.startswith("connections") for name in page.rows)
    body = response.get_data(as_text=True)
    assert (
        t("en", "The connections are being counted. They will appear here within a few minutes.")
        in body
    )
    assert worker_away  # the page asked the worker to count
    assert client.get("/en/insights/connections.csv").status_code == 404


def test_the_page_shows_the_last_count_until_the_worker_counts_again(
    app, client, network, world, worker_away, monkeypatch
):
    now = utcnow().replace(minute=10)
    monkeypatch.setattr(tasks, "utcnow", lambda: now)
    assert tasks.count_connections_every_ten_minutes()  # the worker's periodic job
    db.session.commit()
    assert parse(client.get("/en/insights/")).rows["connections"] == RANKING
    assert not worker_away  # the count is fresh: nothing asked
    # A new contact between Aarhus and Oslo University Hospital, an hour later.
    accepted_contact(world["carol"], world["carol_org"], world["bob"], world["bob_org"])
    monkeypatch.setattr(tasks, "utcnow", lambda: now + timedelta(hours=1))
    page = parse(client.get("/en/insights/"))
    assert page.rows["connections"] == RANKING  # the last complete count, meanwhile
    assert worker_away
    assert tasks.count_connections_every_ten_minutes()
    db.session.commit()
    assert not tasks.count_connections_every_ten_minutes()  # fresh: nothing to count
    ranking = parse(client.get("/en/insights/")).rows["connections"]
    aarhus = next(row for row in ranking if row[0] == "Aarhus MedTech ApS")
    assert aarhus[2:4] == ["3", "2"]  # partners: the Living Lab, Telecare and now OUH


def test_a_wish_not_to_be_named_shows_before_the_next_count(
    app, client, network, world, worker_away
):
    tasks.count_connections_every_ten_minutes()
    db.session.commit()
    alice = person(app, world, "alice")
    post(alice, f"/en/my/organisations/{world['telecare'].id}/insights", unnamed="y")
    page = parse(client.get("/en/insights/"))
    assert page.rows["connections"] == [RANKING[0], RANKING[2], RANKING[3]]
    assert worker_away  # the register changed: a new count is asked for, not waited for
