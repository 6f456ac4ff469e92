"""1:1 meetings at a matchmaking event: the organiser's set-up, who to meet with reasons on
both sides, requests that never hold a slot, race-free booking, agendas and calendars."""

# ruff: noqa: F811  (the fixtures of test_events are imported by name)
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.meetings import services
from matchmaker.meetings.models import Meeting, MeetingRequest, MeetingSetup
from matchmaker.notifications.models import Notification
from matchmaker.outbox.models import OutboxMessage
from tests.factories import make_organisation, publish
from tests.web.helpers import translated
from tests.web.test_events import (  # noqa: F401  (fixtures)
    app,
    at_oslo,
    make_event,
    move,
    person,
    sign_up,
    user,
    world,
)

SLOT_1 = at_oslo(60, 9, 0)
SLOT_2 = at_oslo(60, 9, 25)


def slot_value(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def settings_form(**changes) -> dict[str, str]:
    day = at_oslo(60).astimezone(services.grid.ZoneInfo("Europe/Oslo")).date()
    values = {
        "enabled": "1",
        "sessions": f"{day} 09:00-10:00",
        "length": "20",
        "break": "5",
        "tables": "1",
        "table_names": "",
        "video_pattern": "",
        "max_meetings": "8",
        "max_open_requests": "5",
        "expiry_days": "7",
        "requests_open_at": "",
        "requests_close_at": "",
        "needs_acceptance": "1",
    }
    values.update(changes)
    return values


@pytest.fixture
def day(app, world):
    """A matchmaking day with meetings on: Alice (PL start-up), Bob (Oslo hospital) and
    Carol (Danish SME) have seats; Dave is not signed up."""
    for name, org_name, kind, country, region, tags in (
        ("bob", "Oslo University Hospital", "hospital", "NO", "NO-03",
         {"need": ["remote_monitoring"], "capability": ["clinical_validation"]}),
        ("carol", "Aarhus MedTech ApS", "sme", "DK", "DK-82",
         {"capability": ["remote_monitoring"], "need": ["clinical_validation"]}),
    ):  # fmt: skip
        org = make_organisation(
            world[name], name=org_name, kind=kind, country=country, region=region, tags=tags
        )
        publish("organisation", org, world["moderator"])
        world[f"{name}_org"] = org
    event = make_event(world, kind="matchmaking", capacity=10, title="PL-DK-NO matchmaking day")
    organiser = person(app, world, "olga")
    response = organiser.post(
        f"/en/my/events/{event.id}/meetings/settings",
        data={"csrf_token": organiser.token, **settings_form()},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    people = {"olga": organiser}
    for name in ("alice", "bob", "carol"):
        client = person(app, world, name)
        assert sign_up(client, event).status_code == 200
        people[name] = client
    people["dave"] = person(app, world, "dave")
    return event, people


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": client.token, **data})


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def flashed(client, url: str) -> str:
    return page(client, url)


def test_the_organiser_sets_up_the_grid_and_sees_the_figures(day, world):
    event, people = day
    setup = db.session.get(MeetingSetup, event.id)
    assert setup.enabled and setup.table_count == 1
    assert [s.starts_at for s in services.slots_of(setup, event)] == [SLOT_1, SLOT_2]
    overview = page(people["olga"], f"/en/my/events/{event.id}/meetings/")
    assert "Participants with no meeting" in overview
    assert "Alice" in overview and "Bob" in overview


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sessions": "next Tuesday"}, "Line 1 does not read as a session"),
        ({"sessions": "2027-03-10 12:00-09:00"}, "ends before it starts"),
        ({"max_meetings": "0"}, "Give a whole number from 1 to 100."),
        ({"video_pattern": "javascript:alert(1)"}, "must start with https://"),
    ],
)
def test_a_wrong_set_up_is_refused_with_a_reason_and_changes_nothing(day, changes, message):
    event, people = day
    before = db.session.get(MeetingSetup, event.id).revision
    response = post(
        people["olga"], f"/en/my/events/{event.id}/meetings/settings", **settings_form(**changes)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MeetingSetup, event.id).revision == before


def test_organiser_pages_are_refused_to_everyone_else(day, world):
    event, people = day
    for url in ("settings", "", "meetings.csv"):
        assert people["alice"].get(f"/en/my/events/{event.id}/meetings/{url}").status_code == 404
    assert post(people["bob"], f"/en/my/events/{event.id}/meetings/access/{world['alice'].id}",
                allowed="0").status_code == 404  # fmt: skip
    assert services.takes_part(event.id, world["alice"].id)


def test_participants_see_each_other_with_reasons_on_both_sides(day, world):
    event, people = day
    text = page(people["alice"], f"/en/events/{event.id}/meetings/")
    assert "Oslo University Hospital" in text and "Aarhus MedTech ApS" in text
    assert "Why you may want to meet them" in text and "Why they may want to meet you" in text
    bob_card = text[text.index(f'id="person-{world["bob"].id}"') :]
    bob_card = re.split(r'<li id="person-|</ol>', bob_card)[0]
    for_you, for_them = bob_card.split("Why they may want to meet you")
    # The hospital needs what Alice's start-up offers; seen from both sides.
    assert "Needs what you offer: Remote patient monitoring" in for_you
    assert "Offers what you need: Remote patient monitoring" in for_them
    # Filters: by country, and by words.
    only_dk = page(people["alice"], f"/en/events/{event.id}/meetings/?country=DK")
    assert "Aarhus MedTech ApS" in only_dk and "Oslo University Hospital" not in only_dk
    assert "Carol" not in page(people["alice"], f"/en/events/{event.id}/meetings/?q=oslo")


def test_people_without_a_seat_are_told_how_to_take_part(day, client):
    event, people = day
    response = people["dave"].get(f"/en/events/{event.id}/meetings/")
    assert response.status_code == 403
    assert "for confirmed participants" in response.get_data(as_text=True)
    anonymous = client.get(f"/en/events/{event.id}/meetings/")
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"]


def ask(client, event, other, slot=None, message="Let us talk about a pilot."):
    data = {"message": message}
    if slot is not None:
        data["slot"] = slot_value(slot)
    return post(client, f"/en/events/{event.id}/meetings/ask/{other.id}", **data)


def request_between(event, a, b) -> MeetingRequest:
    db.session.expire_all()
    return db.session.scalar(
        select(MeetingRequest)
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.requester_id == a.id,
            MeetingRequest.recipient_id == b.id,
        )
        .order_by(MeetingRequest.id.desc())
    )


def test_a_request_is_told_in_the_recipients_language_and_sent_once(day, world):
    event, people = day
    assert ask(people["alice"], event, world["bob"], SLOT_1).status_code == 303
    assert ask(people["alice"], event, world["bob"]).status_code == 303  # a double click
    requests = db.session.scalars(select(MeetingRequest)).all()
    assert len(requests) == 1 and requests[0].proposed_at is not None
    mails = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == world["bob"].email,
            OutboxMessage.template == "meeting_requested",
        )
    ).all()
    assert len(mails) == 1
    # Bob reads Norwegian: the subject is the catalogue's, with Alice's name in it.
    assert mails[0].subject == translated(
        "nb", "%(name)s asks you for a meeting at “%(title)s”", name="Alice",
        title="PL-DK-NO matchmaking day",
    )  # fmt: skip
    assert db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == world["bob"].id, Notification.kind == "meeting_requested"
        )
    ) == 1  # fmt: skip
    incoming = page(people["bob"], f"/en/events/{event.id}/meetings/requests")
    assert "From Alice" in incoming and "Let us talk about a pilot." in incoming


def test_a_pending_request_never_holds_a_slot_and_booking_checks_both_people(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    ask(people["carol"], event, world["bob"], SLOT_1)
    from_carol = request_between(event, world["carol"], world["bob"])
    from_alice = request_between(event, world["alice"], world["bob"])
    # Bob takes Carol's request first, in the slot Alice had proposed too.
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{from_carol.id}/accept",
         slot=slot_value(SLOT_1))  # fmt: skip
    # Alice's proposal is no longer free for Bob: refused with a reason, nothing changes.
    response = post(
        people["bob"],
        f"/en/events/{event.id}/meetings/requests/{from_alice.id}/accept",
        slot=slot_value(SLOT_1),
    )
    assert response.status_code == 303
    text = page(people["bob"], response.headers["Location"])
    assert "no longer free for both of you" in text
    assert request_between(event, world["alice"], world["bob"]).status == "pending"
    # Into the other slot it works; both agendas show it with the place.
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{from_alice.id}/accept",
         slot=slot_value(SLOT_2))  # fmt: skip
    assert request_between(event, world["alice"], world["bob"]).status == "accepted"
    alice_agenda = page(people["alice"], f"/en/events/{event.id}/meetings/agenda")
    assert "Bob" in alice_agenda and "Table 1" in alice_agenda
    bob_agenda = page(people["bob"], f"/en/events/{event.id}/meetings/agenda")
    assert "Alice" in bob_agenda and "Carol" in bob_agenda
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 2


def test_one_table_holds_one_meeting_per_slot(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/"
         f"{request_between(event, world['alice'], world['bob']).id}/accept")  # fmt: skip
    ask(people["carol"], event, world["olga"] if False else world["alice"], SLOT_2)
    ask(people["carol"], event, world["bob"])
    request = request_between(event, world["carol"], world["bob"])
    response = post(
        people["bob"],
        f"/en/events/{event.id}/meetings/requests/{request.id}/accept",
        slot=slot_value(SLOT_1),
    )
    text = page(people["bob"], response.headers["Location"])
    assert "no longer free" in text  # Bob is already booked then
    # Carol and Alice in slot 1: Alice is busy; in slot 2 the one table is free.
    to_alice = request_between(event, world["carol"], world["alice"])
    post(people["alice"], f"/en/events/{event.id}/meetings/requests/{to_alice.id}/accept")
    assert request_between(event, world["carol"], world["alice"]).status == "accepted"
    # Now slot 2's only table is taken: Bob and Carol cannot meet then either.
    response = post(
        people["bob"],
        f"/en/events/{event.id}/meetings/requests/{request.id}/accept",
        slot=slot_value(SLOT_2),
    )
    text = page(people["bob"], response.headers["Location"])
    assert "no longer free" in text or "Every table is taken" in text
    assert request_between(event, world["carol"], world["bob"]).status == "pending"


def test_another_persons_requests_and_meetings_are_not_found(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    request = request_between(event, world["alice"], world["bob"])
    base = f"/en/events/{event.id}/meetings"
    assert post(people["carol"], f"{base}/requests/{request.id}/accept").status_code == 404
    assert post(people["carol"], f"{base}/requests/{request.id}/decline").status_code == 404
    assert post(people["bob"], f"{base}/requests/{request.id}/withdraw").status_code == 404
    post(people["bob"], f"{base}/requests/{request.id}/accept")
    meeting = db.session.scalar(select(Meeting))
    assert post(people["carol"], f"{base}/meetings/{meeting.id}/cancel").status_code == 404
    assert people["carol"].get(f"{base}/meetings/{meeting.id}.ics").status_code == 404
    # The same ids under another event: not found either.
    other = make_event(world, kind="matchmaking", title="Another day")
    assert (
        post(
            people["bob"], f"/en/events/{other.id}/meetings/meetings/{meeting.id}/cancel"
        ).status_code
        == 404
    )
    assert db.session.get(Meeting, meeting.id).status == "booked"


def test_the_calendar_entry_keeps_its_uid_and_a_cancellation_replaces_it(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_2)
    request = request_between(event, world["alice"], world["bob"])
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{request.id}/accept")
    meeting = db.session.scalar(select(Meeting))
    url = f"/en/events/{event.id}/meetings/meetings/{meeting.id}.ics"
    first = Calendar.from_ical(people["alice"].get(url).data).walk("VEVENT")[0]
    assert str(first["UID"]).startswith(f"meeting-{meeting.id}@")
    assert str(first["SUMMARY"]) == "Meeting with Bob"
    assert first.decoded("DTSTART").astimezone(UTC) == SLOT_2
    response = post(people["bob"], f"/en/events/{event.id}/meetings/meetings/{meeting.id}/cancel")
    assert response.status_code == 303
    again = Calendar.from_ical(people["alice"].get(url).data).walk("VEVENT")[0]
    assert again["UID"] == first["UID"] and int(again["SEQUENCE"]) > int(first["SEQUENCE"])
    assert str(again["STATUS"]) == "CANCELLED"
    told = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.to_address == world["alice"].email, OutboxMessage.template == "meeting_cancelled"
    ))  # fmt: skip
    assert told is not None
    # The slot is free again: Carol and Bob can meet then.
    ask(people["carol"], event, world["bob"], SLOT_2)
    again_request = request_between(event, world["carol"], world["bob"])
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{again_request.id}/accept")
    assert request_between(event, world["carol"], world["bob"]).status == "accepted"


def test_open_request_limit_and_closed_requests_are_refused_with_a_reason(day, world):
    event, people = day
    setup = db.session.get(MeetingSetup, event.id)
    setup.max_open_requests = 1
    db.session.commit()
    ask(people["alice"], event, world["bob"])
    response = ask(people["alice"], event, world["carol"])
    assert response.status_code == 409
    assert "You already have 1 open request" in response.get_data(as_text=True)
    setup = db.session.get(MeetingSetup, event.id)
    setup.requests_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = ask(people["carol"], event, world["alice"])
    assert response.status_code == 409
    assert "Meeting requests are closed." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 1


def test_a_message_too_long_or_a_forged_slot_changes_nothing(day, world):
    event, people = day
    response = ask(people["alice"], event, world["bob"], message="x" * 1001)
    assert response.status_code == 422
    response = post(
        people["alice"],
        f"/en/events/{event.id}/meetings/ask/{world['bob'].id}",
        message="hi",
        slot="2020-01-01T09:00Z",
    )
    assert response.status_code == 409
    assert "not one of the event's meeting slots" in html.unescape(response.get_data(as_text=True))
    assert ask(people["alice"], event, world["dave"]).status_code == 404
    assert ask(people["alice"], event, world["alice"]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 0


def test_marking_away_keeps_people_from_being_booked_then(day, world):
    event, people = day
    post(people["bob"], f"/en/events/{event.id}/meetings/availability", away=slot_value(SLOT_1))
    assert services.absences(event.id, world["bob"].id) == {SLOT_1}
    response = ask(people["alice"], event, world["bob"], SLOT_1)
    assert response.status_code == 409
    form = page(people["alice"], f"/en/events/{event.id}/meetings/ask/{world['bob'].id}")
    assert slot_value(SLOT_1) not in form and slot_value(SLOT_2) in form


def test_held_and_outcome_can_only_be_said_after_the_meeting(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    request = request_between(event, world["alice"], world["bob"])
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{request.id}/accept")
    meeting = db.session.scalar(select(Meeting))
    base = f"/en/events/{event.id}/meetings/meetings/{meeting.id}"
    response = post(people["alice"], f"{base}/presence", presence="held")
    assert "once the meeting has taken place" in page(people["alice"], response.headers["Location"])
    assert meeting.seat_of(world["alice"].id).presence is None


def test_unanswered_requests_expire_and_the_requester_is_told(day, world, app):
    event, people = day
    ask(people["alice"], event, world["bob"])
    with app.test_request_context():
        from matchmaker.meetings import notify

        expired = services.expire_requests(utcnow() + timedelta(days=8), then=notify.expired)
    assert [r.requester_id for r in expired] == [world["alice"].id]
    assert request_between(event, world["alice"], world["bob"]).status == "expired"
    assert db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.template == "meeting_expired")
    )


def test_meetings_are_in_the_persons_private_calendar_feed(day, world, client):
    from matchmaker.events import services as events

    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    request = request_between(event, world["alice"], world["bob"])
    post(people["bob"], f"/en/events/{event.id}/meetings/requests/{request.id}/accept")
    meeting = db.session.scalar(select(Meeting))
    token = events.calendar_token(world["alice"])
    feed = Calendar.from_ical(client.get(f"/en/events/calendar/{token}.ics").data)
    uids = {str(item["UID"]) for item in feed.walk("VEVENT")}
    assert any(uid.startswith(f"meeting-{meeting.id}@") for uid in uids)
    assert any(uid.startswith(f"event-{event.id}@") for uid in uids)
    # Carol's feed does not hold Alice and Bob's meeting.
    other = Calendar.from_ical(
        client.get(f"/en/events/calendar/{events.calendar_token(world['carol'])}.ics").data
    )
    assert not any(str(item["UID"]).startswith("meeting-") for item in other.walk("VEVENT"))


def book(people, world, event, asker: str, asked: str, slot) -> Meeting:
    ask(people[asker], event, world[asked], slot)
    request = request_between(event, world[asker], world[asked])
    post(people[asked], f"/en/events/{event.id}/meetings/requests/{request.id}/accept")
    db.session.expire_all()
    return db.session.scalar(select(Meeting).where(Meeting.request_id == request.id))


def hold_in_the_past(event, days_ago: float) -> None:
    """The event (and its meetings) took place `days_ago` days ago."""
    shift = utcnow() - timedelta(days=days_ago) - event.starts_at.replace(tzinfo=UTC)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
        meeting.starts_at = meeting.starts_at.replace(tzinfo=UTC) + shift
        meeting.ends_at = meeting.ends_at.replace(tzinfo=UTC) + shift
    db.session.commit()
    move(
        event,
        starts_at=event.starts_at + shift,
        ends_at=event.ends_at + shift,
        registration_deadline=event.registration_deadline + shift,
    )


def test_after_the_event_each_person_is_asked_once_what_came_of_their_meetings(day, world, app):
    from matchmaker.meetings import notify, outcomes

    event, people = day
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    hold_in_the_past(event, days_ago=2)
    with app.test_request_context():
        assert outcomes.ask_outcomes(utcnow(), then=notify.outcome_question) == 2
        assert outcomes.ask_outcomes(utcnow(), then=notify.outcome_question) == 0
    asked = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.template == "meeting_outcome")
    ).all()
    assert sorted(asked) == sorted([world["alice"].email, world["bob"].email])
    base = f"/en/events/{event.id}/meetings/meetings/{meeting.id}"
    post(people["alice"], f"{base}/outcome", outcome="talks", note="Pilot in spring")
    post(people["bob"], f"{base}/outcome", outcome="sideways")  # not an option
    db.session.expire_all()
    assert meeting.seat_of(world["alice"].id).outcome == "talks"
    assert meeting.seat_of(world["bob"].id).outcome is None
    # Three months later, the second question; its answer is kept apart.
    with app.test_request_context():
        assert (
            outcomes.ask_outcomes(utcnow() + timedelta(days=90), then=notify.outcome_question) == 2
        )
    post(people["alice"], f"{base}/later-outcome", outcome="agreement")
    db.session.expire_all()
    seat = meeting.seat_of(world["alice"].id)
    assert (seat.outcome, seat.later_outcome) == ("talks", "agreement")
    figures = page(people["olga"], f"/en/my/events/{event.id}/meetings/")
    assert "Talks have started" in figures


def test_a_pair_with_no_follow_up_is_not_suggested_again_and_a_met_pair_is_labelled(
    day, world, app
):
    event, people = day
    first = book(people, world, event, "alice", "bob", SLOT_1)
    second = book(people, world, event, "alice", "carol", SLOT_2)
    hold_in_the_past(event, days_ago=2)
    base = f"/en/events/{event.id}/meetings/meetings"
    post(people["bob"], f"{base}/{first.id}/outcome", outcome="none")
    post(people["carol"], f"{base}/{second.id}/outcome", outcome="talks")
    # The next matchmaking day, with meetings on: Alice, Bob and Carol all signed up.
    organiser = people["olga"]
    later = make_event(world, kind="matchmaking", capacity=10, title="Spring matchmaking day")
    day_two = at_oslo(60).astimezone(services.grid.ZoneInfo("Europe/Oslo")).date()
    post(organiser, f"/en/my/events/{later.id}/meetings/settings",
         **settings_form(sessions=f"{day_two} 13:00-15:00"))  # fmt: skip
    for name in ("alice", "bob", "carol"):
        sign_up(people[name], later)
    text = page(people["alice"], f"/en/events/{later.id}/meetings/")
    assert f'id="person-{world["bob"].id}"' not in text
    assert f'id="person-{world["carol"].id}"' in text
    assert "You met at PL-DK-NO matchmaking day" in text


HTMX = {"HX-Request": "true"}


def test_with_htmx_an_answer_replaces_the_request_in_place(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    ask(people["carol"], event, world["bob"], SLOT_1)
    from_alice = request_between(event, world["alice"], world["bob"])
    from_carol = request_between(event, world["carol"], world["bob"])
    base = f"/en/events/{event.id}/meetings/requests"
    bob = people["bob"]
    done = bob.post(f"{base}/{from_alice.id}/accept", headers=HTMX,
                    data={"csrf_token": bob.token, "slot": slot_value(SLOT_1)})  # fmt: skip
    assert done.status_code == 200
    fragment = done.get_data(as_text=True)
    assert fragment.startswith(f'<li id="request-{from_alice.id}">')
    assert "Meeting with Alice booked" in fragment and "data-focus-after-swap" in fragment
    # Carol proposed the same slot: refused in place, with the form to choose another.
    refused = bob.post(f"{base}/{from_carol.id}/accept", headers=HTMX,
                       data={"csrf_token": bob.token, "slot": slot_value(SLOT_1)})  # fmt: skip
    assert refused.status_code == 409
    text = html.unescape(refused.get_data(as_text=True))
    assert "no longer free for both of you" in text and 'name="slot"' in text
    assert slot_value(SLOT_1) not in text and slot_value(SLOT_2) in text
    declined = bob.post(f"{base}/{from_carol.id}/decline", headers=HTMX,
                        data={"csrf_token": bob.token, "reason": "Full day"})  # fmt: skip
    assert declined.status_code == 200 and "Request declined." in declined.get_data(as_text=True)
    # Without the CSRF token nothing happens.
    ask(people["alice"], event, world["carol"])
    to_carol = request_between(event, world["alice"], world["carol"])
    assert people["carol"].post(f"{base}/{to_carol.id}/decline", headers=HTMX).status_code == 400
    assert request_between(event, world["alice"], world["carol"]).status == "pending"


def test_a_persons_meetings_are_in_their_data_and_leave_with_their_account(day, world, app):
    from matchmaker import personal_data
    from tests.factories import PASSWORD

    event, people = day
    people["anna"] = person(app, world, "anna")  # an editor at Alice's start-up
    sign_up(people["anna"], event)
    meeting_id = book(people, world, event, "carol", "anna", SLOT_1).id
    post(people["anna"], f"/en/events/{event.id}/meetings/availability", away=slot_value(SLOT_2))
    data = personal_data.export(world["anna"])
    assert [r["with"] for r in data["meeting_requests"]] == ["Carol"]
    assert data["meetings"][0]["with"] == "Carol" and data["meetings"][0]["status"] == "booked"
    assert len(data["meeting_absences"]) == 1
    assert personal_data.export(world["bob"])["meetings"] == []
    # Anna deletes her account: Carol is told, and the slot is hers again.
    response = post(
        people["anna"],
        "/en/account/your-data/delete",
        **{"delete-current_password": PASSWORD, "delete-confirm": "y"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id) is None
    told = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.to_address == world["carol"].email,
            OutboxMessage.template == "meeting_cancelled",
        )
    )
    assert told is not None
    assert SLOT_1 not in services.busy(event.id, world["carol"].id)


def test_who_to_meet_comes_in_pages_and_names_organisations_as_approved(day, world, monkeypatch):
    from matchmaker.meetings import views

    event, people = day
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    first = page(people["alice"], f"/en/events/{event.id}/meetings/")
    second = page(people["alice"], f"/en/events/{event.id}/meetings/?page=2")
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    names = ("Oslo University Hospital", "Aarhus MedTech ApS")
    assert sum(name in first for name in names) == sum(name in second for name in names) == 1
    assert "Page 2 of 2" in page(people["alice"], f"/en/events/{event.id}/meetings/?page=99")
    # An edit waiting for review does not show: the approved name does.
    org = world["bob_org"]
    org.name = "Renamed, not yet approved"
    db.session.commit()
    both = page(people["alice"], f"/en/events/{event.id}/meetings/?page=1") + page(
        people["alice"], f"/en/events/{event.id}/meetings/?page=2"
    )
    assert "Oslo University Hospital" in both and "not yet approved" not in both


def test_giving_up_the_seat_cancels_the_persons_meetings_and_tells_the_other(day, world):
    from matchmaker.events.models import Registration

    event, people = day
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == world["alice"].id
        )
    )
    response = post(people["alice"], f"/en/events/registrations/{registration.id}/cancel")
    assert response.status_code in (200, 303)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    told = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.template == "meeting_cancelled")
    ).all()
    assert told == [world["bob"].email]
    assert services.busy(event.id, world["bob"].id) == set()
    assert services.booked_meetings(event.id, world["bob"].id) == []


def test_asking_withdrawing_and_asking_again_is_limited_per_day(day, world, app):
    event, people = day
    app.config["MEETING_REQUESTS_PER_DAY"] = 2
    base = f"/en/events/{event.id}/meetings"
    for _round in range(2):
        ask(people["alice"], event, world["bob"])
        request = request_between(event, world["alice"], world["bob"])
        post(people["alice"], f"{base}/requests/{request.id}/withdraw")
    response = ask(people["alice"], event, world["bob"])
    assert response.status_code == 409
    assert "You have sent 2 meeting requests here in the last day" in html.unescape(
        response.get_data(as_text=True)
    )
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "meeting_requested")
    ).all()
    assert len(mails) == 2
