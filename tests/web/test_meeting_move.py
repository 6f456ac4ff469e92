"""The organiser moves one booked meeting by hand: by the rules of booking, with the
reason when a rule says no, nothing changed then, and both people told."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting, MeetingAbsence
from matchmaker.outbox.models import OutboxMessage
from tests.web.helpers import translated
from tests.web.test_events import app, person, sign_up, user, world  # noqa: F401  (fixtures)
from tests.web.test_meetings import (  # noqa: F401  (fixtures)
    SLOT_1,
    SLOT_2,
    book,
    day,
    page,
    post,
    settings_form,
    slot_value,
)


@pytest.fixture
def booked(day, world):
    """Two tables; Alice and Bob meet at table 1 in the first slot."""
    event, people = day
    post(people["olga"], f"/en/my/events/{event.id}/meetings/settings", **settings_form(tables="2"))
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    assert meeting is not None
    return event, people, meeting


def move_url(event, meeting) -> str:
    return f"/en/my/events/{event.id}/meetings/schedule/move/{meeting.id}"


def fresh(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def moved_mails(user) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == user.email, OutboxMessage.template == "meeting_moved"
        )
    ).all()


def test_the_organiser_moves_a_meeting_and_both_people_are_told(booked, world):
    event, people, meeting = booked
    before = meeting.revision
    form = page(people["olga"], move_url(event, meeting))
    assert "Alice and Bob" in form
    response = post(people["olga"], move_url(event, meeting), slot=slot_value(SLOT_2), table="2")
    assert response.status_code == 303
    moved = fresh(meeting)
    assert moved.starts_at.replace(tzinfo=None) == SLOT_2.replace(tzinfo=None)
    assert moved.table_number == 2
    assert moved.revision == before + 1  # the calendar entries are replaced
    [bob_mail] = moved_mails(world["bob"])
    assert bob_mail.subject.startswith(
        translated("nb", "Your meeting with %(name)s has moved: %(when)s", name="Alice", when="")
    )
    assert len(moved_mails(world["alice"])) == 1
    # The first slot is free again: Carol and Bob can meet then.
    assert book(people, world, event, "carol", "bob", SLOT_1) is not None


def test_a_move_against_the_rules_says_why_and_changes_nothing(booked, world):
    event, people, meeting = booked
    before = meeting.revision
    other = book(people, world, event, "carol", "bob", SLOT_2)  # Bob is busy in slot 2
    db.session.add(MeetingAbsence(event_id=event.id, user_id=world["alice"].id, starts_at=SLOT_2))
    db.session.commit()
    cases = [
        ({"slot": slot_value(SLOT_2), "table": "2"}, "Alice is away at that time."),
        ({"slot": "tomorrow", "table": "1"}, "That time is not one of the event"),
        ({"slot": slot_value(SLOT_1), "table": "9"}, "Choose one of the options."),
    ]
    for data, message in cases:
        response = post(people["olga"], move_url(event, meeting), **data)
        assert response.status_code == 409, data
        assert message in html.unescape(response.get_data(as_text=True)), data
    db.session.query(MeetingAbsence).delete()
    db.session.commit()
    response = post(people["olga"], move_url(event, meeting), slot=slot_value(SLOT_2), table="2")
    assert "Bob has another meeting at that time." in html.unescape(response.get_data(as_text=True))
    # Carol's meeting holds table 1 in slot 2; in slot 1 table 1 is Alice and Bob's own.
    response = post(people["olga"], move_url(event, other), slot=slot_value(SLOT_1), table="1")
    assert "Bob has another meeting at that time." in html.unescape(response.get_data(as_text=True))
    assert fresh(meeting).starts_at.replace(tzinfo=None) == SLOT_1.replace(tzinfo=None)
    assert fresh(meeting).revision == before
    assert not moved_mails(world["bob"])


def test_a_taken_place_is_refused_and_the_same_time_at_another_table_is_fine(booked, world):
    event, people, meeting = booked
    assert sign_up(people["dave"], event).status_code == 200
    other = book(people, world, event, "carol", "dave", SLOT_1)
    assert other.table_number == 2
    response = post(people["olga"], move_url(event, meeting), slot=slot_value(SLOT_1), table="2")
    assert response.status_code == 409
    assert "That place is taken at that time." in html.unescape(response.get_data(as_text=True))
    assert fresh(meeting).table_number == 1
    # Carol and Dave move to table 1 of slot 2; Alice and Bob then take table 2.
    assert (
        post(people["olga"], move_url(event, other), slot=slot_value(SLOT_2), table="1").status_code
        == 303
    )
    assert (
        post(
            people["olga"], move_url(event, meeting), slot=slot_value(SLOT_1), table="2"
        ).status_code
        == 303
    )
    assert fresh(meeting).table_number == 2


@pytest.mark.parametrize("name", ["alice", "dave", "harald"])
def test_only_the_organisers_move_meetings(booked, app, world, name):
    event, people, meeting = booked
    client = people.get(name) or person(app, world, name)
    assert client.get(move_url(event, meeting)).status_code == 404
    response = post(client, move_url(event, meeting), slot=slot_value(SLOT_2), table="2")
    assert response.status_code == 404
    assert fresh(meeting).starts_at.replace(tzinfo=None) == SLOT_1.replace(tzinfo=None)


def test_a_cancelled_or_unknown_meeting_cannot_be_moved(booked, world):
    event, people, meeting = booked
    post(people["alice"], f"/en/events/{event.id}/meetings/meetings/{meeting.id}/cancel")
    assert fresh(meeting).status == "cancelled"
    assert people["olga"].get(move_url(event, meeting)).status_code == 404
    assert (
        people["olga"].get(f"/en/my/events/{event.id}/meetings/schedule/move/999999").status_code
        == 404
    )
