"""The open API's events: the site's list of public events and an event's page as JSON,
in the reader's language, never who signs up."""

# ruff: noqa: F811  (the fixtures of test_events are imported by name)
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import schemathesis

from matchmaker.accounts.models import utcnow
from matchmaker.events import services
from tests.factories import make_organisation, publish
from tests.web.helpers import translated
from tests.web.test_events import (  # noqa: F401  (fixtures)
    QUESTIONS,
    app,
    at_oslo,
    make_event,
    move,
    person,
    sign_up,
    world,
)
from tests.web.test_insights_events import to_past

POLISH = {"title": "Wizyta w Alma House", "description": "Żywe laboratorium.", "programme": ""}
ENGLISH = {"title": "Visit to Alma House", "description": "A living lab.", "programme": ""}
SECRET_ROOM = "https://meet.example/secret-room-4711"
SECRET_ANSWER = "Gluten-free, secretly"
ANSWERS = {"answer_dietary_needs": SECRET_ANSWER, "answer_lunch": "fish"}


def titles(client, **params) -> list[str]:
    answer = client.get("/api/v1/events", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return [item["title"] for item in answer.get_json()["items"]]


def page_titles(client, **params) -> list[str]:
    page = client.get("/en/events/", query_string=params).get_data(as_text=True)
    return re.findall(r'<h2 class="h3"><a [^>]*>([^<]+)</a>', page)


@pytest.fixture
def visit(world):
    """A published study visit to come, in English and Polish, with a co-host and a
    category, and questions to answer on signing up."""
    cluster = make_organisation(world["olga"], name="Oslo Health Cluster", kind="cluster")
    publish("organisation", cluster, world["moderator"])
    return make_event(
        world,
        texts={"en": ENGLISH, "pl": POLISH},
        co_host_ids=[cluster.id],
        tags={"category": ["medical_devices"]},
        questions=QUESTIONS,
    )


@pytest.fixture
def events(world, visit):
    """Besides the visit: one to come later and one cancelled (both listed), one that took
    place, a draft, one taken off by a moderator, an online one later still."""
    later = make_event(
        world,
        host="other_host",
        title="Bergen conference",
        kind="conference",
        country="DK",
        city="Aarhus",
        starts_at=at_oslo(70, 9),
        ends_at=at_oslo(70, 16),
        registration_deadline=at_oslo(69),
    )
    cancelled = make_event(world, title="Cancelled visit", starts_at=at_oslo(60, 10))
    services.cancel_event(cancelled, "The bus broke down.")
    held = make_event(world, title="Visit that took place")
    to_past(held, days_ago=3)
    draft = make_event(world, title="Draft visit", publish_it=False)
    taken_off = make_event(world, title="Visit taken off")
    move(taken_off, status="unpublished")
    online = make_event(
        world,
        title="Online webinar",
        kind="conference",
        online=True,
        online_url=SECRET_ROOM,
        starts_at=at_oslo(80, 9),
        ends_at=at_oslo(80, 11),
        registration_deadline=at_oslo(79),
    )
    return {
        "visit": visit,
        "later": later,
        "cancelled": cancelled,
        "held": held,
        "draft": draft,
        "taken_off": taken_off,
        "online": online,
    }


def test_a_published_event_to_come_with_its_fields_in_two_languages(client, world, visit):
    english = client.get("/api/v1/events").get_json()
    assert english["total"] == 1 and english["next"] is None
    item = english["items"][0]
    cluster = item["co_host_ids"][0]
    assert item == {
        "id": visit.id,
        "kind": "study_visit",
        "kind_label": "Study visit",
        "status": "published",
        "title": "Visit to Alma House",
        "description": "A living lab.",
        "text_language": "en",
        "original_language": "en",
        "starts_at": at_oslo(60, 9).isoformat(),
        "ends_at": at_oslo(60, 16).isoformat(),
        "timezone": "Europe/Oslo",
        "online": False,
        "city": "Oslo",
        "country": "NO",
        "country_name": "Norway",
        "organisation_id": world["host"].id,
        "organisation": "Oslo Living Lab",
        "co_host_ids": [cluster],
        "category_codes": ["medical_devices"],
        "capacity": 2,
        "seats_left": 2,
        "waiting_list": True,
        "url": f"http://localhost/en/events/{visit.id}",
    }
    spec = client.get("/api/v1/openapi.json").get_json()
    assert set(item) == set(spec["components"]["schemas"]["Event"]["properties"])
    polish = client.get(f"/api/v1/events/{visit.id}", query_string={"lang": "pl"}).get_json()
    assert (polish["title"], polish["description"]) == (POLISH["title"], POLISH["description"])
    assert polish["text_language"] == "pl"
    assert polish["kind_label"] == translated("pl", "Study visit")
    assert polish["country_name"] == "Norwegia"
    assert polish["url"] == f"http://localhost/pl/events/{visit.id}"
    assert polish["starts_at"] == item["starts_at"]  # times stay in UTC
    danish = client.get(f"/api/v1/events/{visit.id}", query_string={"lang": "da"}).get_json()
    assert (danish["title"], danish["text_language"]) == (ENGLISH["title"], "en")  # as the site


def test_the_list_is_the_sites_upcoming_by_default_and_past_when_asked(client, events):
    assert titles(client) == [
        "Visit to Alma House",
        "Cancelled visit",
        "Bergen conference",
        "Online webinar",
    ]
    assert titles(client) == page_titles(client)
    assert titles(client, when="past") == ["Visit that took place"] == page_titles(client, past=1)
    cancelled = client.get(f"/api/v1/events/{events['cancelled'].id}").get_json()
    assert (cancelled["status"], cancelled["seats_left"]) == ("cancelled", None)
    held = client.get(f"/api/v1/events/{events['held'].id}")
    assert held.status_code == 200  # its page stays, as on the site


def test_every_answer_is_as_the_document_says(app, client, events):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    listing, detail = schema["/api/v1/events"]["GET"], schema["/api/v1/events/{event_id}"]["GET"]
    for when in ("upcoming", "past"):
        listing.validate_response(client.get("/api/v1/events", query_string={"when": when}))
    for name in ("visit", "cancelled", "held", "online", "draft"):
        detail.validate_response(client.get(f"/api/v1/events/{events[name].id}?lang=pl"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "conference"}, ["Bergen conference", "Online webinar"]),
        ({"country": "DK"}, ["Bergen conference"]),
        ({"country": "dk"}, ["Bergen conference"]),
        ({"tag": "medical_devices"}, ["Visit to Alma House"]),
        ({"kind": "matchmaking"}, []),
    ],
)
def test_the_filters_of_the_sites_list(client, events, params, expected):
    assert titles(client, **params) == expected


@pytest.mark.parametrize(
    "query", ["when=soon", "kind=party", "country=XX", "country=Norway", "cursor=made-up"]
)
def test_wrong_parameters_are_a_400(client, events, query):
    answer = client.get(f"/api/v1/events?{query}")
    assert answer.status_code == 400
    assert answer.get_json()["code"] == 400


def test_drafts_events_taken_off_and_forged_ids_are_a_json_404(client, events):
    for event_id in (events["draft"].id, events["taken_off"].id, 999999):
        answer = client.get(f"/api/v1/events/{event_id}")
        assert answer.status_code == 404, event_id
        assert answer.get_json()["code"] == 404
    listed = client.get("/api/v1/events", query_string={"limit": 100}).get_data(as_text=True)
    listed += client.get("/api/v1/events?when=past").get_data(as_text=True)
    assert "Draft visit" not in listed and "Visit taken off" not in listed


def test_no_answer_names_a_participant_or_what_they_wrote(app, client, world, events):
    visit = events["visit"]
    alice = person(app, world, "alice")
    assert sign_up(alice, visit, share_email="y", share_phone="y", **ANSWERS).status_code == 200
    assert sign_up(person(app, world, "dave"), events["online"]).status_code == 200
    to_past(events["online"], days_ago=3)
    assert client.get(f"/api/v1/events/{visit.id}").get_json()["seats_left"] == 1
    texts = []
    for path, params in (
        ("/api/v1/events", {}),
        ("/api/v1/events", {"when": "past"}),
        (f"/api/v1/events/{visit.id}", {}),
        (f"/api/v1/events/{events['online'].id}", {}),
        ("/api/v1/openapi.json", {}),
    ):
        for lang in ("pl", "en", "da", "nb"):
            answer = client.get(path, query_string={**params, "lang": lang})
            texts.append(answer.get_data(as_text=True))
    for someone in ("alice", "dave", "olga", "harald"):
        for text in texts:
            assert world[someone].name not in text
            assert world[someone].email not in text
    for text in texts:
        assert "+48 600 100 200" not in text
        assert SECRET_ANSWER not in text and "secret-room" not in text


def test_pages_walk_every_event_once_in_the_sites_order(client, world):
    for number in range(22):
        day = 10 + number
        make_event(
            world,
            title=f"Visit {number:02d}",
            starts_at=at_oslo(day, 9),
            ends_at=at_oslo(day, 16),
            registration_deadline=at_oslo(day - 1),
        )
    first = client.get("/api/v1/events?lang=pl").get_json()
    assert (first["total"], first["limit"], len(first["items"])) == (22, 20, 20)
    assert "lang=pl" in first["next"] and first["next_cursor"] in first["next"]
    second = client.get(first["next"]).get_json()
    assert (second["next"], second["next_cursor"]) == (None, None)
    seen = [item["title"] for item in first["items"] + second["items"]]
    assert seen == [f"Visit {number:02d}" for number in range(22)]
    cursor = client.get("/api/v1/events", query_string={"cursor": first["next_cursor"]})
    assert [item["title"] for item in cursor.get_json()["items"]] == ["Visit 20", "Visit 21"]


def test_an_unchanged_list_answers_304_and_a_sign_up_a_new_etag(app, client, world, visit):
    listing, detail = "/api/v1/events", f"/api/v1/events/{visit.id}"
    tags = {path: client.get(path).headers["ETag"] for path in (listing, detail)}
    for path, tag in tags.items():
        again = client.get(path, headers={"If-None-Match": tag})
        assert (again.status_code, again.get_data(), again.headers["ETag"]) == (304, b"", tag)
        assert again.headers["Cache-Control"] == "public, max-age=60"
    assert sign_up(person(app, world, "alice"), visit, **ANSWERS).status_code == 200
    changed = {path: client.get(path, headers={"If-None-Match": tags[path]}) for path in tags}
    for path, answer in changed.items():
        assert answer.status_code == 200 and answer.headers["ETag"] != tags[path]
    assert changed[listing].get_json()["items"][0]["seats_left"] == 1
    assert changed[detail].get_json()["seats_left"] == 1


def test_the_etag_changes_when_an_event_ends(client, visit, monkeypatch):
    tag = client.get("/api/v1/events").headers["ETag"]
    later = utcnow() + timedelta(days=61)  # the visit ended yesterday; nothing else changed
    monkeypatch.setattr("matchmaker.api.views.utcnow", lambda: later)
    monkeypatch.setattr("matchmaker.events.services.utcnow", lambda: later)
    changed = client.get("/api/v1/events", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.get_json()["items"] == []
    assert client.get("/api/v1/events?when=past").get_json()["total"] == 1
