"""Events: signing up, the waiting list, cancelling, organisers, CSV, calendars, moderation."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from jinja2 import BytecodeCache
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from matchmaker.events import questions, services, times
from matchmaker.events.models import Event, EventHost, EventMessage, Registration
from matchmaker.events.services import EventInput
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from matchmaker.organisations.models import Membership
from tests.conftest import body_text
from tests.factories import PASSWORD, UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated

OSLO = ZoneInfo("Europe/Oslo")
TITLE = "Visit to Alma House"
HTMX = {"HX-Request": "true"}
LOCAL = "%Y-%m-%dT%H:%M"
QUESTIONS = [
    {"key": "dietary_needs", "type": "text", "label": {"en": "Dietary needs"}, "options": []},
    {
        "key": "lunch",
        "type": "choice",
        "label": {"en": "Lunch"},
        "options": [
            {"key": "meat", "label": {"en": "Meat"}},
            {"key": "fish", "label": {"en": "Fish"}},
        ],
    },
]


# --- the world -----------------------------------------------------------------------------

# The factory's scrypt hash costs a quarter second per user and per log-in; these tests
# log in many people, so they share one cheap hash of the same password (the log-in itself
# is the real one).
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def user(**fields):
    return UserFactory(password_hash=FAST_HASH, **fields)


class SharedTemplates(BytecodeCache):
    """Compiled templates kept across the tests' apps (each test builds a new app).

    A bucket is keyed by the template's name and checked against its source, so an
    edited template is compiled again.
    """

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplates()


@pytest.fixture
def app(app):
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = user(email="mod@example.org", role="moderator")
    olga = user(email="olga@example.org", name="Olga Host")
    harald = user(email="harald@example.org", name="Harald Host")
    alice = user(email="alice@example.org", name="Alice", locale="pl", phone="+48 600 100 200")
    anna = user(email="anna@example.org", name="Anna")
    bob = user(email="bob@example.org", name="Bob", locale="nb")
    carol = user(email="carol@example.org", name="Carol", locale="da")
    dave = user(email="dave@example.org", name="Dave")
    host = make_organisation(olga, name="Oslo Living Lab", kind="cluster")
    other_host = make_organisation(harald, name="Bergen Clinic", kind="hospital")
    telecare = make_organisation(
        alice, name="Wroclaw Telecare", kind="startup", country="PL", region="PL-DS"
    )
    for org in (host, other_host, telecare):
        publish("organisation", org, moderator)
    db.session.add(Membership(user_id=anna.id, organisation_id=telecare.id, role="editor"))
    db.session.commit()
    return {
        "moderator": moderator,
        "olga": olga,
        "harald": harald,
        "alice": alice,
        "anna": anna,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "host": host,
        "other_host": other_host,
        "telecare": telecare,
    }


# Today in Oslo, read once: every time a test names (at import or while it runs) counts
# from the same day, also when the run crosses midnight in Oslo.
TODAY_IN_OSLO = datetime.now(OSLO).date()


def at_oslo(days: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Oslo `days` from today, as aware UTC."""
    day = TODAY_IN_OSLO + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), OSLO).astimezone(UTC)


def make_event(world, host="host", title=TITLE, publish_it=True, **fields) -> Event:
    """An event of `host` (created and published through the services)."""
    owner = world["olga"] if host == "host" else world["harald"]
    values = {
        "kind": "study_visit",
        "original_language": "en",
        "city": "Oslo",
        "country": "NO",
        "timezone": "Europe/Oslo",
        "starts_at": at_oslo(60, 9),
        "ends_at": at_oslo(60, 16),
        "registration_deadline": at_oslo(50, 23, 59),
        "capacity": 2,
        "languages": ["en"],
        "texts": {"en": {"title": title, "description": "A living lab.", "programme": ""}},
    }
    values.update(fields)
    event = services.create_event(owner, world[host], EventInput(**values))
    if publish_it:
        services.publish_event(event)
    return event


def move(event: Event, **values) -> None:
    """Change an event's row directly (times in the past, a status)."""
    db.session.execute(update(Event).where(Event.id == event.id).values(**values))
    db.session.commit()
    db.session.expire_all()


def person(app, world, name: str):
    """A logged-in client of `name`, with a CSRF token and the organisation they come for."""
    client = app.test_client()
    log_in(client, world[name].email)
    client.token = csrf_token(client, "/en/events/mine")
    memberships = db.session.scalars(
        select(Membership.organisation_id).where(Membership.user_id == world[name].id)
    ).all()
    client.org = memberships[0] if memberships else 0
    return client


def sign_up(client, event, htmx=True, organisation=None, lang="en", **fields):
    """Sign up through the sign-up box: `answer_lunch="fish"` answers the question of key
    "lunch" (a choice by its key), `share_email="y"`."""
    data = {
        "csrf_token": client.token,
        "organisation": client.org if organisation is None else organisation,
        **{key.replace("answer_", "answer-"): value for key, value in fields.items()},
    }
    return client.post(
        f"/{lang}/events/{event.id}/sign-up", data=data, headers=HTMX if htmx else {}
    )


def post(client, url: str, htmx=False, **data):
    return client.post(url, data={"csrf_token": client.token, **data}, headers=HTMX if htmx else {})


def registrations(event: Event) -> list[Registration]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
        )
    )


def state(event: Event) -> dict[str, tuple[str, int | None]]:
    """Each person's (status, place on the waiting list), as the organiser sees it."""
    db.session.expire_all()
    people = services.participants(event.id)
    found = {r.user.name: ("confirmed", None) for r in people.confirmed}
    found.update({r.user.name: ("waiting", i) for i, r in enumerate(people.waiting, start=1)})
    found.update({r.user.name: (r.status, None) for r in people.ended})
    return found


def fresh(event: Event) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event.id)


def text(response) -> str:
    """The page as a reader sees it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def followed(client, response) -> str:
    """The page a redirect leads to (with its flashed message)."""
    assert response.status_code in (302, 303), text(response)[:2000]
    return text(client.get(response.headers["Location"]))


def event_form(event: Event | None = None, **changes) -> dict:
    """The event form as an organiser would send it (the event's values, or a new one)."""
    if event is None:
        data = {
            "kind": "study_visit",
            "original_language": "en",
            "texts_en-title": TITLE,
            "texts_en-description": "A living lab in Oslo.",
            "city": "Oslo",
            "country": "NO",
            "timezone": "Europe/Oslo",
            "starts_at": at_oslo(60, 9).astimezone(OSLO).strftime(LOCAL),
            "ends_at": at_oslo(60, 16).astimezone(OSLO).strftime(LOCAL),
            "registration_deadline": at_oslo(50, 23, 59).astimezone(OSLO).strftime(LOCAL),
            "capacity": "2",
            "waiting_list": "y",
        }
    else:
        event = fresh(event)

        def local(value):
            return times.at_place(value, event.timezone).strftime(LOCAL) if value else ""

        text_ = event.text("en")
        data = {
            "kind": event.kind,
            "original_language": event.original_language,
            "texts_en-title": text_.title,
            "texts_en-description": text_.description,
            "texts_en-programme": text_.programme,
            "venue": event.venue,
            "address": event.address,
            "city": event.city,
            "country": event.country or "",
            "online_url": event.online_url,
            "timezone": event.timezone,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "registration_opens_at": local(event.registration_opens_at),
            "registration_deadline": local(event.registration_deadline),
            "capacity": str(event.capacity),
            "max_per_organisation": str(event.max_per_organisation or ""),
            "languages": list(event.languages),
        }
        data.update(
            {
                f"questions_{lang}": text
                for lang, text in questions.as_texts(event.questions).items()
            }
        )
        data.update({name: "y" for name in ("online", "waiting_list") if getattr(event, name)})
    data.update(changes)
    return data


def edit(client, event: Event, revision: str | None = None, **changes):
    """Open the edit page, then save it with `changes`."""
    page = text(client.get(f"/en/my/events/{event.id}/edit"))
    found = re.search(r'name="revision" type="hidden" value="(\d+)"', page)
    assert found, "no revision on the edit page"
    data = event_form(event, **changes)
    data.update(csrf_token=client.token, revision=revision or found.group(1))
    return client.post(f"/en/my/events/{event.id}/edit", data=data)


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def calendar_of(response) -> Calendar:
    assert response.status_code == 200, text(response)[:500]
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


# --- signing up ----------------------------------------------------------------------------


def test_a_seat_is_confirmed_at_once_while_seats_are_free(app, world):
    event = make_event(world, capacity=2)
    alice = person(app, world, "alice")
    page = text(alice.get(f"/en/events/{event.id}"))
    assert "2 seats left of 2" in page and ">Sign up<" in page
    response = sign_up(alice, event, share_email="y")
    assert response.status_code == 200
    fragment = text(response)
    assert "<html" not in fragment
    assert "You're registered." in fragment
    assert "1 seat left of 2" in fragment  # the counter, swapped out of band
    assert "Cancel my registration" in fragment
    [registration] = registrations(event)
    assert (registration.status, registration.organisation_id, registration.share_email) == (
        "confirmed",
        world["telecare"].id,
        True,
    )
    assert "Confirmed" in text(alice.get("/en/events/mine"))


def test_the_third_person_on_a_two_seat_event_is_first_on_the_waiting_list(app, world):
    event = make_event(world, capacity=2)
    for name in ("alice", "bob"):
        assert "You're registered." in text(sign_up(person(app, world, name), event))
    carol = person(app, world, "carol")
    page = text(carol.get(f"/en/events/{event.id}"))
    assert "No seats left: new sign-ups join the waiting list." in page
    assert ">Join the waiting list<" in page
    fragment = text(sign_up(carol, event))
    assert "You're on the waiting list — position 1." in fragment
    assert "Leave the waiting list" in fragment
    assert "Waiting list, position 1" in text(carol.get("/en/events/mine"))
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Bob": ("confirmed", None),
        "Carol": ("waiting", 1),
    }
    assert fresh(event).taken == 2


def test_signing_up_twice_keeps_one_registration(app, world):
    event = make_event(world, capacity=2)
    alice = person(app, world, "alice")
    sign_up(alice, event)
    response = sign_up(alice, event, htmx=False)
    assert "You were already signed up." in followed(alice, response)
    assert "You're registered." in text(sign_up(alice, event))
    assert len(registrations(event)) == 1
    assert fresh(event).taken == 1


def test_a_full_event_without_a_waiting_list_says_so_and_signs_nobody_up(app, world):
    event = make_event(world, capacity=1, waiting_list=False)
    sign_up(person(app, world, "alice"), event)
    bob = person(app, world, "bob")
    assert "No seats left." in text(bob.get(f"/en/events/{event.id}"))
    message = "All seats are taken and this event keeps no waiting list."
    response = sign_up(bob, event)
    assert response.status_code == 409
    assert message in text(response)
    carol = person(app, world, "carol")
    assert message in followed(carol, sign_up(carol, event, htmx=False))
    assert [r.user.name for r in registrations(event)] == ["Alice"]
    assert fresh(event).taken == 1


def _deadline_passed(event, client):
    move(event, registration_deadline=datetime.now(UTC) - timedelta(hours=1))


def _closed_early(event, client):
    olga = client.application.test_client()
    log_in(olga, "olga@example.org")
    olga.token = csrf_token(olga, f"/en/my/events/{event.id}")
    response = post(olga, f"/en/my/events/{event.id}/registration", closed="yes")
    assert "Registration is closed." in followed(olga, response)


def _cancelled(event, client):
    services.cancel_event(event, "The venue burnt down.")


def _past(event, client):
    now = datetime.now(UTC)
    move(
        event,
        registration_deadline=now - timedelta(days=3),
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=7),
    )


def _not_open_yet(event, client):
    move(event, registration_opens_at=datetime.now(UTC) + timedelta(days=3))


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        (_deadline_passed, "Registration for this event is closed."),
        (_closed_early, "Registration for this event is closed."),
        (_cancelled, "This event has been cancelled: sign-up is closed."),
        (_past, "This event has already taken place."),
        (_not_open_yet, "Registration opens on "),
    ],
    ids=["deadline-passed", "closed-early", "cancelled", "past", "not-open-yet"],
)
def test_sign_up_is_refused_when_the_event_does_not_take_sign_ups(app, world, situation, message):
    event = make_event(world, capacity=5)
    alice = person(app, world, "alice")
    situation(event, alice)
    response = sign_up(alice, event)
    assert response.status_code == 409, text(response)[:2000]
    assert message in text(response)
    assert "You're registered." not in text(response)
    response = sign_up(alice, event, htmx=False)
    assert message in followed(alice, response)
    assert registrations(event) == []
    assert fresh(event).taken == 0


def test_the_online_meeting_address_is_shown_to_confirmed_participants_only(app, world):
    url = "https://meet.example.org/alma-house-4711"
    event = make_event(world, capacity=1, online=True, online_url=url, city="", country=None)
    alice, bob = person(app, world, "alice"), person(app, world, "bob")
    assert url not in text(alice.get(f"/en/events/{event.id}"))
    assert url in text(sign_up(alice, event))
    assert url in text(alice.get(f"/en/events/{event.id}"))
    assert url not in text(sign_up(bob, event))  # on the waiting list
    for client in (bob, app.test_client()):
        assert url not in text(client.get(f"/en/events/{event.id}"))
        assert url not in text(client.get(f"/en/events/{event.id}/calendar.ics"))
        assert url not in text(client.get("/en/events/"))


def test_drafts_are_404_for_everyone_but_their_organisers(app, world):
    event = make_event(world, publish_it=False)
    alice = person(app, world, "alice")
    for url in (
        f"/en/events/{event.id}",
        f"/en/events/{event.id}/seats",
        f"/en/events/{event.id}/sign-up",
        f"/en/events/{event.id}/calendar.ics",
    ):
        assert alice.get(url).status_code == 404, url
        assert app.test_client().get(url).status_code in (302, 303, 404), url
    assert sign_up(alice, event).status_code == 404
    assert registrations(event) == []
    assert "Visit to Alma House" not in text(alice.get("/en/events/"))
    olga = person(app, world, "olga")
    preview = text(olga.get(f"/en/events/{event.id}"))
    assert "Not public" in preview and "The event is not published yet." in preview


def test_nobody_signs_up_for_an_organisation_they_do_not_belong_to(app, world):
    event = make_event(world, capacity=5)
    alice = person(app, world, "alice")
    # A forged form: the organisation is not among those offered (a hidden field here).
    response = sign_up(alice, event, organisation=world["other_host"].id)
    assert response.status_code == 422
    assert "You're registered." not in text(response)
    dave = person(app, world, "dave")  # no organisation: only "Myself" is offered
    response = sign_up(dave, event, organisation=world["telecare"].id)
    assert response.status_code == 422
    assert registrations(event) == []
    # With the organisation offered, it works.
    assert sign_up(dave, event).status_code == 200
    assert [(r.user.name, r.organisation_id) for r in registrations(event)] == [("Dave", None)]


def test_an_organisation_gets_no_more_seats_than_the_event_allows_it(app, world):
    event = make_event(world, capacity=5, max_per_organisation=1)
    assert "You're registered." in text(sign_up(person(app, world, "alice"), event))
    anna = person(app, world, "anna")  # Alice's colleague at Wroclaw Telecare
    response = sign_up(anna, event)
    assert response.status_code == 409
    assert "Your organisation already has the 1 seat allowed per organisation." in text(response)
    assert "You're registered." in text(sign_up(person(app, world, "dave"), event))
    assert [r.user.name for r in registrations(event)] == ["Alice", "Dave"]


def test_a_choice_question_left_unanswered_is_asked_again_and_nothing_is_saved(app, world):
    event = make_event(world, capacity=5, questions=QUESTIONS)
    alice = person(app, world, "alice")
    page = text(alice.get(f"/en/events/{event.id}"))
    assert "Dietary needs" in page and re.search(r'<option value="fish"[^>]*>Fish</option>', page)
    response = sign_up(alice, event, answer_dietary_needs="No nuts")
    assert response.status_code == 422
    fragment = text(response)
    assert "Choose one of the answers." in fragment
    assert 'value="No nuts"' in fragment  # what was typed is kept
    response = sign_up(
        alice, event, htmx=False, answer_dietary_needs="No nuts", answer_lunch="pizza"
    )
    assert response.status_code == 422
    assert "Choose one of the answers." in text(response)
    assert registrations(event) == []
    assert fresh(event).taken == 0


def test_answers_are_kept_with_the_registration(app, world):
    event = make_event(world, capacity=5, questions=QUESTIONS)
    alice = person(app, world, "alice")
    assert (
        sign_up(alice, event, answer_dietary_needs=" No nuts ", answer_lunch="fish").status_code
        == 200
    )
    [registration] = registrations(event)
    assert registration.answers == {"dietary_needs": "No nuts", "lunch": "fish"}


# --- cancelling ----------------------------------------------------------------------------


def test_a_cancelled_seat_goes_at_once_to_the_first_waiting_who_is_told_in_their_language(
    app, world, smtp_server
):
    event = make_event(world, capacity=1)
    alice, bob, carol = (person(app, world, n) for n in ("alice", "bob", "carol"))
    for client in (alice, bob, carol):
        sign_up(client, event)
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Bob": ("waiting", 1),
        "Carol": ("waiting", 2),
    }
    # Each got a receipt in their language: a seat, or their place in the queue.
    [receipt] = smtp_server.wait_for("alice@example.org")
    assert receipt["Subject"] == translated("pl", "You're registered: %(title)s", title=TITLE)
    [receipt] = smtp_server.wait_for("carol@example.org")
    assert receipt["Subject"] == translated(
        "da", "You're on the waiting list: %(title)s", title=TITLE
    )
    assert " 2 " in body_text(receipt)  # number 2 in the queue
    smtp_server.clear()
    [mine] = [r for r in registrations(event) if r.user.name == "Alice"]
    response = post(alice, f"/en/events/registrations/{mine.id}/cancel", htmx=True)
    assert response.status_code == 200
    assert "Your registration is cancelled." in text(response)
    assert state(event) == {
        "Alice": ("cancelled", None),
        "Bob": ("confirmed", None),
        "Carol": ("waiting", 1),
    }
    assert fresh(event).taken == 1
    assert "You're registered." in text(bob.get(f"/en/events/{event.id}"))
    assert "Waiting list, position 1" in text(carol.get("/en/events/mine"))
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    assert mail["Subject"] == translated("nb", "You have a seat: %(title)s", title=TITLE)
    body = body_text(mail)
    event = fresh(event)
    assert times.when(event.starts_at, event.ends_at, event.timezone, "nb") in body
    assert f"/nb/events/{event.id}" in body
    assert smtp_server.to("carol@example.org") == []
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == world["bob"].id)
    ).all()
    assert note.kind == "event_promoted" and f"/nb/events/{event.id}" in note.link
    told = "A seat became free: you are now registered for “%(title)s”."
    assert translated("nb", told, title=TITLE) in text(bob.get("/nb/notifications/"))


def test_a_seat_freed_after_the_event_took_place_is_given_to_nobody(app, world, smtp_server):
    event = make_event(world, capacity=1)
    alice = person(app, world, "alice")
    sign_up(alice, event)
    sign_up(person(app, world, "bob"), event)
    smtp_server.clear()  # the sign-up receipts
    alices = registrations(event)[0]
    _past(event, alice)
    assert "Cancel my registration" in text(alice.get(f"/en/events/{event.id}"))
    post(alice, f"/en/events/registrations/{alices.id}/cancel")
    assert state(event)["Bob"] == ("waiting", 1)
    assert smtp_server.to("bob@example.org") == []  # no "You have a seat" for last week


def test_nobody_cancels_another_persons_registration(app, world):
    event = make_event(world, capacity=1)
    sign_up(person(app, world, "alice"), event)
    sign_up(person(app, world, "bob"), event)
    [alices, _] = registrations(event)
    dave = person(app, world, "dave")
    assert post(dave, f"/en/events/registrations/{alices.id}/cancel").status_code == 404
    assert post(dave, f"/en/events/registrations/{alices.id}/cancel", htmx=True).status_code == 404
    assert state(event) == {"Alice": ("confirmed", None), "Bob": ("waiting", 1)}


def test_cancelling_twice_says_the_registration_had_already_ended(app, world):
    event = make_event(world, capacity=2)
    alice = person(app, world, "alice")
    sign_up(alice, event)
    [mine] = registrations(event)
    url = f"/en/events/registrations/{mine.id}/cancel"
    assert "Your registration is cancelled." in followed(alice, post(alice, url))
    again = post(alice, url, htmx=True)
    assert again.status_code == 409
    assert "This registration had already ended." in text(again)
    assert "This registration had already ended." in followed(alice, post(alice, url))
    assert [r.status for r in registrations(event)] == ["cancelled"]
    assert fresh(event).taken == 0


# --- organisers ----------------------------------------------------------------------------


def test_another_organisations_event_is_404_on_every_management_route(app, world):
    theirs = make_event(world, host="other_host", title="Bergen open day", capacity=1)
    sign_up(person(app, world, "alice"), theirs)
    sign_up(person(app, world, "bob"), theirs)
    [confirmed, waiting] = registrations(theirs)
    olga = person(app, world, "olga")
    base = f"/en/my/events/{theirs.id}"
    for url in (base, f"{base}/edit", f"{base}/participants.csv"):
        assert olga.get(url).status_code == 404, url
    posts = {
        f"{base}/edit": event_form(theirs, **{"texts_en-title": "Hijacked"}),
        f"{base}/publish": {},
        f"{base}/registration": {"closed": "yes"},
        f"{base}/cancel": {"note": "Gone", "confirm": "yes"},
        f"{base}/registrations/{confirmed.id}/remove": {},
        f"{base}/registrations/{waiting.id}/seat": {},
        f"{base}/registrations/{waiting.id}/first": {},
        f"{base}/message": {"audience": "confirmed", "subject": "Hi", "body": "Spam"},
    }
    for url, data in posts.items():
        assert post(olga, url, **data).status_code == 404, url
    theirs = fresh(theirs)
    assert (theirs.status, theirs.title, theirs.capacity, theirs.registration_closed) == (
        "published",
        "Bergen open day",
        1,
        False,
    )
    assert state(theirs) == {"Alice": ("confirmed", None), "Bob": ("waiting", 1)}
    assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 0


def test_registrations_of_another_event_are_404_on_the_organisers_own_event(app, world):
    mine = make_event(world, capacity=1)
    theirs = make_event(world, host="other_host", title="Bergen open day", capacity=1)
    sign_up(person(app, world, "alice"), theirs)
    sign_up(person(app, world, "bob"), theirs)
    [confirmed, waiting] = registrations(theirs)
    olga = person(app, world, "olga")
    for rid, action in (
        (confirmed.id, "remove"),
        (waiting.id, "remove"),
        (waiting.id, "seat"),
        (waiting.id, "first"),
    ):
        url = f"/en/my/events/{mine.id}/registrations/{rid}/{action}"
        assert post(olga, url).status_code == 404, url
    assert state(theirs) == {"Alice": ("confirmed", None), "Bob": ("waiting", 1)}
    assert fresh(mine).capacity == 1 and fresh(theirs).capacity == 1


def test_anonymous_visitors_are_sent_to_log_in(app, world, client):
    event = make_event(world)
    for url in (
        f"/en/my/events/{event.id}",
        f"/en/my/events/{event.id}/participants.csv",
        f"/en/my/events/new?organisation={world['host'].id}",
        f"/en/events/{event.id}/sign-up",
        "/en/events/mine",
    ):
        response = client.get(url)
        assert response.status_code in (302, 303), url
        assert "/en/account/login" in response.headers["Location"], url
    page = text(client.get(f"/en/events/{event.id}"))
    assert "Log in to sign up" in page


def test_removing_a_participant_gives_the_seat_to_the_next_and_tells_both(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob", "carol"):
        sign_up(person(app, world, name), event)
    smtp_server.clear()  # the sign-up receipts
    [alices, *_] = registrations(event)
    olga = person(app, world, "olga")
    response = post(olga, f"/en/my/events/{event.id}/registrations/{alices.id}/remove")
    assert "Alice is removed from the event." in followed(olga, response)
    assert state(event) == {
        "Alice": ("removed", None),
        "Bob": ("confirmed", None),
        "Carol": ("waiting", 1),
    }
    [removed] = smtp_server.wait_for("alice@example.org")
    assert removed["Subject"] == translated(
        "pl", "Your registration for %(title)s has ended", title=TITLE
    )
    [promoted] = smtp_server.wait_for("bob@example.org")
    assert promoted["Subject"] == translated("nb", "You have a seat: %(title)s", title=TITLE)
    page = text(olga.get(f"/en/my/events/{event.id}"))
    assert "1 of 1 seat taken" in page and "1 person waiting" in page


def test_giving_a_seat_out_of_turn_adds_one_seat(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob", "carol"):
        sign_up(person(app, world, name), event)
    carols = registrations(event)[2]
    olga = person(app, world, "olga")
    response = post(olga, f"/en/my/events/{event.id}/registrations/{carols.id}/seat")
    assert "Carol has a seat now." in followed(olga, response)
    assert (fresh(event).capacity, fresh(event).taken) == (2, 2)
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Bob": ("waiting", 1),
        "Carol": ("confirmed", None),
    }
    assert "2 of 2 seats taken" in text(olga.get(f"/en/my/events/{event.id}"))
    smtp_server.wait_for("carol@example.org")
    # Given twice: she is no longer waiting, nothing more happens.
    response = post(olga, f"/en/my/events/{event.id}/registrations/{carols.id}/seat")
    assert "Only people still on the waiting list of a coming, published event" in followed(
        olga, response
    )
    assert fresh(event).capacity == 2


def test_moving_someone_to_the_top_of_the_waiting_list_gives_them_the_next_seat(app, world):
    event = make_event(world, capacity=1)
    clients = {name: person(app, world, name) for name in ("alice", "bob", "carol", "dave")}
    for client in clients.values():
        sign_up(client, event)
    alices, _, _, daves = registrations(event)
    olga = person(app, world, "olga")
    response = post(olga, f"/en/my/events/{event.id}/registrations/{daves.id}/first")
    assert "Dave is first on the waiting list." in followed(olga, response)
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Dave": ("waiting", 1),
        "Bob": ("waiting", 2),
        "Carol": ("waiting", 3),
    }
    assert "You're on the waiting list — position 2." in text(
        clients["bob"].get(f"/en/events/{event.id}")
    )
    post(clients["alice"], f"/en/events/registrations/{alices.id}/cancel")
    assert state(event)["Dave"] == ("confirmed", None)
    assert state(event)["Bob"] == ("waiting", 1)


def test_seats_cannot_drop_below_the_people_confirmed_and_nothing_is_saved(app, world):
    event = make_event(world, capacity=3)
    sign_up(person(app, world, "alice"), event)
    sign_up(person(app, world, "bob"), event)
    olga = person(app, world, "olga")
    before = fresh(event).revision
    response = edit(olga, event, capacity="1", **{"texts_en-title": "Renamed"})
    assert response.status_code == 422
    assert "2 people already have a seat: the event needs at least that many seats." in text(
        response
    )
    event = fresh(event)
    assert (event.capacity, event.title, event.revision, event.taken) == (
        3,
        "Visit to Alma House",
        before,
        2,
    )
    # Down to exactly the people confirmed is fine.
    assert edit(olga, event, capacity="2").status_code == 303
    assert fresh(event).capacity == 2


def test_more_seats_go_at_once_to_the_people_waiting(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob", "carol"):
        sign_up(person(app, world, name), event)
    smtp_server.clear()  # the sign-up receipts
    olga = person(app, world, "olga")
    response = edit(olga, event, capacity="2")
    assert "Your changes are saved." in followed(olga, response)
    assert state(event) == {
        "Alice": ("confirmed", None),
        "Bob": ("confirmed", None),
        "Carol": ("waiting", 1),
    }
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    assert smtp_server.to("carol@example.org") == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": "starts-1h"}, "ends_at", "The end must come after the start."),
        (
            {"registration_deadline": "starts+1h"},
            "registration_deadline",
            "The registration deadline must not be after the start.",
        ),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
    ],
    ids=["end-before-start", "deadline-after-start", "unknown-zone"],
)
def test_impossible_times_are_refused_and_no_event_is_made(app, world, changes, field, message):
    olga = person(app, world, "olga")
    url = f"/en/my/events/new?organisation={world['host'].id}"
    data = event_form()
    starts = datetime.strptime(data["starts_at"], LOCAL)
    shifts = {"starts-1h": starts - timedelta(hours=1), "starts+1h": starts + timedelta(hours=1)}
    for key, value in changes.items():
        data[key] = shifts[value].strftime(LOCAL) if value in shifts else value
    response = olga.post(url, data={"csrf_token": olga.token, **data})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'aria-describedby="{field}-error"' in page or f'id="{field}-error"' in page
    assert event_count() == 0
    # The same form with sensible times is saved.
    response = olga.post(url, data={"csrf_token": olga.token, **event_form()})
    assert response.status_code == 303
    assert event_count() == 1


def test_a_form_opened_before_someone_else_saved_is_refused(app, world):
    event = make_event(world, capacity=2)
    olga = person(app, world, "olga")
    stale = re.search(
        r'name="revision" type="hidden" value="(\d+)"',
        text(olga.get(f"/en/my/events/{event.id}/edit")),
    ).group(1)
    assert edit(olga, event, **{"texts_en-title": "First save"}).status_code == 303
    response = edit(olga, event, revision=stale, **{"texts_en-title": "Second save"})
    assert response.status_code == 409
    assert "Someone else saved this event while you were editing." in text(response)
    assert fresh(event).title == "First save"


def test_nobody_is_given_a_seat_at_a_cancelled_event(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob"):
        sign_up(person(app, world, name), event)
    bobs = registrations(event)[1]
    olga = person(app, world, "olga")
    post(olga, f"/en/my/events/{event.id}/cancel", confirm="yes")
    smtp_server.wait_for("bob@example.org")  # told of the cancellation
    smtp_server.clear()
    # The waiting list is still shown, with its buttons; a seat must not be given.
    post(olga, f"/en/my/events/{event.id}/registrations/{bobs.id}/seat")
    assert state(event)["Bob"] == ("waiting", 1)
    assert fresh(event).capacity == 1
    assert smtp_server.to("bob@example.org") == []  # no "You have a seat" for a cancelled event


def test_a_new_time_or_place_is_told_to_everyone_signed_up_and_nothing_else_is(
    app, world, smtp_server
):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob"):
        sign_up(person(app, world, name), event)
    smtp_server.clear()  # the sign-up receipts
    olga = person(app, world, "olga")
    response = edit(olga, event, **{"texts_en-description": "Now with a lab tour."})
    assert "Your changes are saved." in followed(olga, response)
    assert smtp_server.to("alice@example.org") == []  # a new description is no news
    later = at_oslo(61, 10).astimezone(OSLO)
    response = edit(
        olga,
        event,
        starts_at=later.strftime(LOCAL),
        ends_at=later.replace(hour=17).strftime(LOCAL),
        city="Bergen",
    )
    assert "Your changes are saved." in followed(olga, response)
    for address, lang in (("alice@example.org", "pl"), ("bob@example.org", "nb")):
        [mail] = smtp_server.wait_for(address)
        assert mail["Subject"] == translated(lang, "Changed: %(title)s", title=TITLE)
        assert "Bergen" in body_text(mail) and "10:00" in body_text(mail)


def test_cancelling_the_event_tells_everyone_and_ends_sign_up(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob"):
        sign_up(person(app, world, name), event)
    smtp_server.clear()  # the sign-up receipts
    olga = person(app, world, "olga")
    url = f"/en/my/events/{event.id}/cancel"
    response = post(olga, url, note="The venue is flooded.")
    assert response.status_code == 422
    assert "Tick the box to confirm that the event is cancelled." in text(response)
    assert fresh(event).status == "published"
    response = post(olga, url, note="The venue is flooded.", confirm="yes")
    assert "The event is cancelled. 2 people have been told." in followed(olga, response)
    assert fresh(event).status == "cancelled"
    for address, lang in (("alice@example.org", "pl"), ("bob@example.org", "nb")):
        [mail] = smtp_server.wait_for(address)
        assert mail["Subject"] == translated(lang, "Cancelled: %(title)s", title=TITLE)
        assert "The venue is flooded." in body_text(mail)
    dave = person(app, world, "dave")
    page = text(dave.get(f"/en/events/{event.id}"))
    assert "This event has been cancelled." in page and "The venue is flooded." in page
    response = sign_up(dave, event)
    assert response.status_code == 409
    assert "This event has been cancelled: sign-up is closed." in text(response)
    assert "Dave" not in state(event)


def test_a_message_to_the_people_with_a_seat_reaches_only_them(app, world, smtp_server):
    event = make_event(world, capacity=1)
    for name in ("alice", "bob"):
        sign_up(person(app, world, name), event)
    smtp_server.clear()  # the sign-up receipts
    olga = person(app, world, "olga")
    response = post(
        olga,
        f"/en/my/events/{event.id}/message",
        audience="confirmed",
        subject="Bring your passport",
        body="The hospital checks identity at the door.",
    )
    page = followed(olga, response)
    assert "Your message was sent to 1 person." in page
    assert "Bring your passport (1 recipient)" in page
    [mail] = smtp_server.wait_for("alice@example.org")
    assert "The hospital checks identity at the door." in body_text(mail)
    assert mail["Content-Language"] == "pl"
    assert smtp_server.to("bob@example.org") == []


class TestMessageLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "EVENT_MESSAGES_PER_DAY": 1}

    def test_messages_stop_at_the_daily_limit(self, app, world, smtp_server):
        event = make_event(world, capacity=2)
        sign_up(person(app, world, "alice"), event)
        smtp_server.clear()  # the sign-up receipt
        olga = person(app, world, "olga")
        url = f"/en/my/events/{event.id}/message"
        first = post(olga, url, audience="confirmed", subject="Hello", body="First")
        assert first.status_code == 303
        second = post(olga, url, audience="confirmed", subject="Again", body="Second")
        assert second.status_code == 429
        assert "You have sent as many messages for this event as allowed today." in text(second)
        smtp_server.wait_for("alice@example.org")
        assert len(smtp_server.to("alice@example.org")) == 1
        assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 1


def test_an_event_waits_for_its_organisation_to_be_published(app, world):
    newcomer = user(email="nina@example.org")
    draft_org = make_organisation(newcomer, name="Fresh Startup", kind="startup")
    event = services.create_event(
        newcomer,
        draft_org,
        EventInput(
            kind="conference",
            original_language="en",
            city="Oslo",
            country="NO",
            timezone="Europe/Oslo",
            starts_at=at_oslo(60, 9),
            ends_at=at_oslo(60, 16),
            registration_deadline=at_oslo(50),
            capacity=10,
            texts={"en": {"title": "Launch day", "description": "Come.", "programme": ""}},
        ),
    )
    nina = app.test_client()
    log_in(nina, "nina@example.org")
    nina.token = csrf_token(nina, f"/en/my/events/{event.id}")
    response = post(nina, f"/en/my/events/{event.id}/publish")
    assert "An event is published once its organisation's profile is published." in followed(
        nina, response
    )
    assert fresh(event).status == "draft"
    assert app.test_client().get(f"/en/events/{event.id}").status_code == 404


# --- the participant list ------------------------------------------------------------------


def test_the_csv_lists_everyone_and_only_what_they_chose_to_share(app, world):
    event = make_event(world, capacity=2, questions=QUESTIONS)
    world["eve"] = user(email="eve@example.org", name='=HYPERLINK("http://evil.example","Click")')
    alice, bob, eve, carol = (person(app, world, n) for n in ("alice", "bob", "eve", "carol"))
    sign_up(alice, event, share_email="y", answer_dietary_needs="No nuts", answer_lunch="fish")
    sign_up(bob, event, answer_lunch="meat")
    sign_up(eve, event, share_email="y", answer_dietary_needs="-2+3", answer_lunch="meat")
    sign_up(carol, event, share_email="y", answer_lunch="fish")
    sign_up(person(app, world, "dave"), event, answer_lunch="fish")
    daves = registrations(event)[-1]
    post(person(app, world, "dave"), f"/en/events/registrations/{daves.id}/cancel")

    olga = person(app, world, "olga")
    response = olga.get(f"/en/my/events/{event.id}/participants.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = text(response)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == [
        "Participant",
        "Organisation",
        "Country",
        "Status",
        "Place on the waiting list",
        "Signed up",
        "E-mail",
        "Phone",
        "Dietary needs",
        "Lunch",
    ]
    table = {row[0]: row for row in rows[1:]}
    assert len(rows) == 6
    evil = "'" + world["eve"].name
    assert set(table) == {"Alice", "Bob", evil, "Carol", "Dave"}
    assert table["Alice"][1:5] == ["Wroclaw Telecare", "Poland", "Confirmed", ""]
    assert table["Alice"][6:] == ["alice@example.org", "", "No nuts", "Fish"]
    assert table["Bob"][3:5] == ["Confirmed", ""] and table["Bob"][6] == ""
    assert table[evil][3:5] == ["Waiting list", "1"]
    assert table[evil][6] == "eve@example.org" and table[evil][8] == "'-2+3"
    assert table["Carol"][3:5] == ["Waiting list", "2"]
    assert table["Dave"][3:5] == ["Cancelled", ""]
    assert "bob@example.org" not in body and "dave@example.org" not in body
    assert "+48 600 100 200" not in body  # Alice did not share her phone


# --- calendars -----------------------------------------------------------------------------


def test_an_events_ics_has_the_places_wall_clock_and_keeps_its_uid_across_an_edit(app, world):
    olga = person(app, world, "olga")
    data = event_form()
    response = olga.post(
        f"/en/my/events/new?organisation={world['host'].id}",
        data={"csrf_token": olga.token, **data},
    )
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    services.publish_event(event)
    first = calendar_of(app.test_client().get(f"/en/events/{event.id}/calendar.ics"))
    [item] = first.walk("VEVENT")
    assert item["DTSTART"].params["TZID"] == "Europe/Oslo"
    start = item.decoded("DTSTART")
    assert start.strftime(LOCAL) == data["starts_at"]  # 09:00 at the place
    assert start.astimezone(UTC) == times.aware(fresh(event).starts_at)
    assert str(item["SUMMARY"]) == "Visit to Alma House"
    assert str(item["STATUS"]) == "CONFIRMED"
    assert first.walk("VTIMEZONE")

    later = datetime.strptime(data["starts_at"], LOCAL) + timedelta(hours=1)
    response = edit(olga, event, starts_at=later.strftime(LOCAL))
    assert response.status_code == 303
    second = calendar_of(app.test_client().get(f"/en/events/{event.id}/calendar.ics"))
    [again] = second.walk("VEVENT")
    assert str(again["UID"]) == str(item["UID"])
    assert int(again["SEQUENCE"]) > int(item["SEQUENCE"])
    assert again.decoded("DTSTART").strftime("%H:%M") == "10:00"


def feed_path(client) -> str:
    page = text(client.get("/en/events/mine"))
    found = re.search(r'id="feed-url" value="([^"]+)"', page)
    assert found
    return "/" + found.group(1).split("/", 3)[3]


def test_the_personal_feed_holds_the_events_with_a_seat_and_shows_cancellations(app, world):
    kept = make_event(world, title="Kept visit", capacity=2)
    called_off = make_event(world, title="Called-off visit", capacity=2)
    waiting_at = make_event(world, title="Full visit", capacity=1)
    left = make_event(world, title="Left visit", capacity=2)
    alice = person(app, world, "alice")
    sign_up(person(app, world, "bob"), waiting_at)
    for event in (kept, called_off, waiting_at, left):
        sign_up(alice, event)
    [lefts] = registrations(left)
    post(alice, f"/en/events/registrations/{lefts.id}/cancel")
    services.cancel_event(fresh(called_off), "Sorry.")

    url = feed_path(alice)
    feed = calendar_of(app.test_client().get(url))  # a calendar program: no session
    found = {str(e["SUMMARY"]): str(e["STATUS"]) for e in feed.walk("VEVENT")}
    assert found == {"Kept visit": "CONFIRMED", "Called-off visit": "CANCELLED"}

    response = post(alice, "/en/events/calendar/renew")
    assert "Your calendar has a new address. The old one no longer works." in followed(
        alice, response
    )
    assert app.test_client().get(url).status_code == 404
    new_url = feed_path(alice)
    assert new_url != url
    assert app.test_client().get(new_url).status_code == 200


# --- moderation ----------------------------------------------------------------------------


def test_a_moderator_takes_an_event_off_the_site_with_a_note_for_its_organisers(
    app, world, smtp_server
):
    event = make_event(world, capacity=2)
    alice = person(app, world, "alice")
    url = f"/en/moderation/events/{event.id}/unpublish"
    assert post(alice, url, note="Spam").status_code == 403
    assert fresh(event).status == "published"
    moderator = person(app, world, "moderator")
    assert "Unpublish this event" in text(moderator.get(f"/en/events/{event.id}"))
    response = post(moderator, url, note="")
    assert "Write a note to the organisers" in followed(moderator, response)
    assert fresh(event).status == "published"
    response = post(moderator, url, note="Advertises a paid course.")
    assert response.status_code in (302, 303)
    assert fresh(event).status == "unpublished"
    assert "Visit to Alma House" not in text(app.test_client().get("/en/events/"))
    assert app.test_client().get(f"/en/events/{event.id}").status_code == 404
    assert alice.get(f"/en/events/{event.id}").status_code == 404
    assert alice.get(f"/en/events/{event.id}/calendar.ics").status_code == 404
    assert sign_up(alice, event).status_code == 404
    page = text(person(app, world, "olga").get(f"/en/my/events/{event.id}"))
    assert "Advertises a paid course." in page
    # The organisers are told, and the decision is in the moderators' audit log.
    (mail,) = smtp_server.wait_for("olga@example.org")
    assert "Advertises a paid course." in body_text(mail)
    assert "Visit to Alma House" in text(moderator.get("/en/moderation/log"))


# --- the list ------------------------------------------------------------------------------


def titles(client, query: str = "") -> set[str]:
    page = text(client.get(f"/en/events/{query}"))
    return set(re.findall(r'<h2 class="h3"><a href="[^"]+" lang="\w+">([^<]+)</a>', page))


def test_the_list_filters_by_kind_country_and_month(app, world, client):
    make_event(
        world,
        title="Oslo visit",
        starts_at=at_oslo(40, 9),
        ends_at=at_oslo(40, 16),
        registration_deadline=at_oslo(35),
    )
    make_event(
        world,
        title="Warsaw conference",
        kind="conference",
        city="Warsaw",
        country="PL",
        timezone="Europe/Warsaw",
        starts_at=at_oslo(120, 9),
        ends_at=at_oslo(121, 16),
        registration_deadline=at_oslo(100),
    )
    make_event(world, title="Unpublished draft", publish_it=False)
    assert titles(client) == {"Oslo visit", "Warsaw conference"}
    assert titles(client, "?kind=conference") == {"Warsaw conference"}
    assert titles(client, "?kind=study_visit") == {"Oslo visit"}
    assert titles(client, "?country=pl") == {"Warsaw conference"}
    assert titles(client, "?country=NO") == {"Oslo visit"}
    month = at_oslo(40).astimezone(OSLO).strftime("%Y-%m")
    assert titles(client, f"?month={month}") == {"Oslo visit"}
    assert titles(client, "?kind=conference&country=NO") == set()
    assert "No upcoming events match. Try fewer filters." in text(
        client.get("/en/events/?kind=conference&country=NO")
    )


def test_the_month_filter_uses_the_date_shown_at_the_place(app, world, client):
    """A hackathon starting at midnight on the 1st (Oslo) is in that month, not the one before."""
    soon = (datetime.now(OSLO) + timedelta(days=40)).date()
    first = (soon.replace(day=1) + timedelta(days=32)).replace(day=1)
    starts = datetime.combine(first, time(0, 0), OSLO).astimezone(UTC)
    make_event(
        world,
        title="Midnight hackathon",
        kind="matchmaking",
        starts_at=starts,
        ends_at=starts + timedelta(hours=24),
        registration_deadline=starts - timedelta(days=2),
    )
    event_month = first.strftime("%Y-%m")
    page = text(client.get(f"/en/events/{db.session.scalar(select(Event.id))}"))
    shown = times.when(starts, starts + timedelta(hours=24), "Europe/Oslo", "en")
    assert shown.startswith(first.strftime("%A, 1 %B %Y,")) and shown in page  # the 1st, there
    assert titles(client, f"?month={event_month}") == {"Midnight hackathon"}
    before = (first - timedelta(days=1)).strftime("%Y-%m")
    assert titles(client, f"?month={before}") == set()


def test_past_events_are_in_the_archive_not_the_upcoming_list(app, world, client):
    past = make_event(world, title="Last spring visit")
    make_event(world, title="Coming visit")
    now = datetime.now(UTC)
    move(
        past,
        registration_deadline=now - timedelta(days=40),
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30) + timedelta(hours=7),
    )
    assert titles(client) == {"Coming visit"}
    page = text(client.get("/en/events/?past=1"))
    assert "<h1>Past events</h1>" in page
    assert titles(client, "?past=1") == {"Last spring visit"}
    # Its page is still there, and says it has taken place.
    assert "This event has already taken place." in text(client.get(f"/en/events/{past.id}"))


def test_the_hosts_public_pages_list_their_coming_events(app, world, client):
    event = make_event(world, capacity=2)
    db.session.add(EventHost(event_id=event.id, organisation_id=world["telecare"].id))
    db.session.commit()
    draft = make_event(world, title="A draft visit", publish_it=False)
    for org in ("host", "telecare"):
        page = text(client.get(f"/en/organisations/{world[org].id}"))
        assert f'href="/en/events/{event.id}"' in page
        assert f'href="/en/events/{draft.id}"' not in page
    other = text(client.get(f"/en/organisations/{world['other_host'].id}"))
    assert f'href="/en/events/{event.id}"' not in other and "Coming events" not in other


def test_a_person_the_organisers_removed_cannot_sign_up_again(app, world):
    event = make_event(world, capacity=2)
    alice = person(app, world, "alice")
    sign_up(alice, event)
    [alices] = registrations(event)
    olga = person(app, world, "olga")
    post(olga, f"/en/my/events/{event.id}/registrations/{alices.id}/remove")
    response = sign_up(alice, event)
    assert response.status_code == 409
    assert "The organisers have removed you from this event." in text(response)
    assert state(event) == {"Alice": ("removed", None)}


def test_a_draft_is_deleted_not_cancelled_so_it_never_becomes_public(app, world, client):
    draft = make_event(world, title="Never reviewed", publish_it=False)
    event = make_event(world)
    olga = person(app, world, "olga")
    response = post(olga, f"/en/my/events/{draft.id}/cancel", note="x", confirm="yes")
    assert response.status_code == 404 or fresh(draft).status == "draft"
    assert "Never reviewed" not in text(client.get("/en/events/"))
    assert client.get(f"/en/events/{draft.id}").status_code == 404
    draft_id = draft.id
    response = post(olga, f"/en/my/events/{draft_id}/delete")
    assert "The draft is deleted." in followed(olga, response)
    assert db.session.scalar(select(func.count()).where(Event.id == draft_id)) == 0
    # A published event is cancelled, never deleted.
    response = post(olga, f"/en/my/events/{event.id}/delete")
    assert "Only a draft can be deleted" in followed(olga, response)
    assert fresh(event).status == "published"


def test_a_double_clicked_message_goes_out_once(app, world, smtp_server):
    event = make_event(world, capacity=2)
    sign_up(person(app, world, "alice"), event)
    smtp_server.clear()  # the sign-up receipt
    olga = person(app, world, "olga")
    url = f"/en/my/events/{event.id}/message"
    post(olga, url, audience="confirmed", subject="Bus at 8", body="Meet at the station.")
    response = post(
        olga, url, audience="confirmed", subject="Bus at 8", body="Meet at the station."
    )
    assert "This message was sent a moment ago; it was not sent again." in followed(olga, response)
    smtp_server.wait_for("alice@example.org")
    assert len(smtp_server.to("alice@example.org")) == 1
    assert db.session.scalar(select(func.count()).select_from(EventMessage)) == 1


def test_participants_hear_when_moderators_take_an_event_down_and_it_can_come_back(
    app, world, smtp_server
):
    event = make_event(world, title="R&D day", capacity=2)
    sign_up(person(app, world, "bob"), event)
    smtp_server.clear()  # the sign-up receipt
    moderator = person(app, world, "moderator")
    post(moderator, f"/en/moderation/events/{event.id}/unpublish", note="Wrong date.")
    [mail] = smtp_server.wait_for("bob@example.org")
    # In Bob's language, and "R&D" as written (a subject is plain text, not HTML).
    assert mail["Subject"] == translated(
        "nb", "No longer on Matchmaker: %(title)s", title="R&D day"
    )
    notes = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == world["bob"].id)
    ).all()
    assert "event_unpublished" in notes
    # Moderators still see it, and put it back; Bob kept his seat.
    page = text(moderator.get(f"/en/events/{event.id}"))
    assert "Publish this event again" in page
    response = post(moderator, f"/en/moderation/events/{event.id}/republish")
    assert "The event is public again." in followed(moderator, response)
    assert fresh(event).status == "published"
    assert state(event) == {"Bob": ("confirmed", None)}
    assert app.test_client().get(f"/en/events/{event.id}").status_code == 200


def test_an_unpublished_organisation_takes_its_events_off_the_site(app, world, client):
    event = make_event(world, capacity=2)
    moderator = person(app, world, "moderator")
    response = post(
        moderator,
        f"/en/moderation/organisation/{world['host'].id}",
        decision="unpublish",
        note="Not a health organisation.",
    )
    assert response.status_code in (302, 303)
    assert fresh(event).status == "unpublished"
    assert client.get(f"/en/events/{event.id}").status_code == 404


def test_co_hosts_the_editor_cannot_speak_for_stay_on_the_event(app, world):
    event = make_event(world, capacity=2)
    db.session.add(EventHost(event_id=event.id, organisation_id=world["other_host"].id))
    db.session.add(
        Membership(user_id=world["dave"].id, organisation_id=world["host"].id, role="editor")
    )
    db.session.commit()
    dave = person(app, world, "dave")
    response = edit(dave, event, city="Bergen")
    assert "Your changes are saved." in followed(dave, response)
    assert fresh(event).city == "Bergen"
    assert [h.organisation_id for h in fresh(event).co_hosts] == [world["other_host"].id]
