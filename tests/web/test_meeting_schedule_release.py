"""Schedule all after a publication: booked meetings stay where they are unless the
organiser lets the schedule move them (never a locked one, never dropping one); a
preview that moves meetings is published only onto the meetings it was built from; the
agenda is published as provisional or final, and each person concerned is told once."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import html
from email import message_from_string, policy

import pytest
from flask_babel import force_locale, ngettext
from icalendar import Calendar
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting
from tests.web.helpers import translated
from tests.web.test_events import app, person, user, world  # noqa: F401  (fixtures)
from tests.web.test_meeting_schedule import (  # noqa: F401  (the organised fixture)
    accept,
    mails,
    organised,
    schedule_url,
)
from tests.web.test_meetings import (  # noqa: F401  (fixtures)
    SLOT_1,
    SLOT_2,
    book,
    day,
    page,
    post,
    request_between,
    settings_form,
    slot_value,
)


def starts(meeting_id: int):
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).starts_at.replace(tzinfo=None)


def plain_text(mail) -> str:
    message = message_from_string(mail.content, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def naive(moment):
    return moment.replace(tzinfo=None)


@pytest.fixture
def crowded(day, world):
    """Alice and Bob booked the first slot themselves; then the organisers took over, and
    Carol, away in the second slot, has an accepted request with Bob: she can only meet
    him in the first."""
    event, people = day
    first = book(people, world, event, "alice", "bob", SLOT_1)
    response = post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(organiser_schedules="1", solver_seconds="1", tables="2"),
    )
    assert response.status_code == 303
    post(people["carol"], f"/en/events/{event.id}/meetings/availability", away=slot_value(SLOT_2))
    accept(people, world, event, "carol", "bob")
    return event, people, first


def test_without_release_booked_meetings_stay_and_the_reason_says_so(crowded, world):
    event, people, first = crowded
    post(people["olga"], schedule_url(event, "build"))
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Whenever both are available, one of them has another meeting." in preview
    assert "Booked meetings that move" not in preview
    post(people["olga"], schedule_url(event, "publish"), final="0")
    assert starts(first.id) == naive(SLOT_1)


def test_a_released_preview_moves_a_booked_meeting_to_make_room(crowded, world):
    event, people, first = crowded
    ics = f"/en/events/{event.id}/meetings/meetings/{first.id}.ics"
    before = Calendar.from_ical(people["alice"].get(ics).data).walk("VEVENT")[0]
    assert post(people["olga"], schedule_url(event, "build"), release="1").status_code == 303
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Booked meetings that move" in preview
    assert "Alice and Bob" in preview
    assert "2 of 2" in preview  # both meetings have a time
    assert starts(first.id) == naive(SLOT_1)  # nothing changes before publishing

    assert post(people["olga"], schedule_url(event, "publish"), final="0").status_code == 303
    assert starts(first.id) == naive(SLOT_2)
    carol_bob = db.session.scalar(
        select(Meeting).where(
            Meeting.request_id == request_between(event, world["carol"], world["bob"]).id
        )
    )
    assert naive(carol_bob.starts_at) == naive(SLOT_1)
    # The calendar entry is the same one, replaced.
    after = Calendar.from_ical(people["alice"].get(ics).data).walk("VEVENT")[0]
    assert after["UID"] == before["UID"] and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART").astimezone(SLOT_2.tzinfo) == SLOT_2
    # Each person hears once: Alice of her moved meeting, in Polish; Bob of both.
    for name in ("alice", "bob", "carol"):
        assert len(mails(world[name], "meetings_scheduled")) == 1, name
    [alice_mail] = mails(world["alice"], "meetings_scheduled")
    with force_locale("pl"):
        moved_line = ngettext(
            "%(num)d of your meetings has a new time or place.",
            "%(num)d of your meetings have a new time or place.",
            1,
        )
    assert moved_line != "1 of your meetings has a new time or place."
    assert plain_text(alice_mail).count(moved_line) == 1
    assert not mails(world["alice"], "meeting_moved")


def test_a_locked_meeting_stays_even_when_the_schedule_may_move_the_rest(crowded, world):
    event, people, first = crowded
    overview = f"/en/my/events/{event.id}/meetings/"
    response = post(people["olga"], schedule_url(event, f"lock/{first.id}"), locked="1")
    assert response.status_code == 303
    assert "Locked" in page(people["olga"], overview)
    post(people["olga"], schedule_url(event, "build"), release="1")
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Booked meetings that move" not in preview
    assert "Whenever both are available, one of them has another meeting." in preview
    post(people["olga"], schedule_url(event, "publish"), final="1")
    assert starts(first.id) == naive(SLOT_1)
    # Unlocked, the next released preview may move it again.
    post(people["olga"], schedule_url(event, f"lock/{first.id}"), locked="0")
    post(people["olga"], schedule_url(event, "build"), release="1")
    assert "Booked meetings that move" in html.unescape(page(people["olga"], schedule_url(event)))


@pytest.mark.parametrize("name", ["alice", "dave", "harald"])
def test_only_the_organisers_lock_a_meeting(crowded, app, world, name):
    event, people, first = crowded
    client = people.get(name) or person(app, world, name)
    assert post(client, schedule_url(event, f"lock/{first.id}"), locked="1").status_code == 404
    response = people["olga"].post(schedule_url(event, f"lock/{first.id}"), data={"locked": "1"})
    assert response.status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Meeting, first.id).locked is False


def test_only_booked_meetings_of_this_event_are_locked(crowded, world):
    event, people, first = crowded
    assert post(people["olga"], schedule_url(event, "lock/999999"), locked="1").status_code == 404
    post(people["bob"], f"/en/events/{event.id}/meetings/meetings/{first.id}/cancel")
    response = post(people["olga"], schedule_url(event, f"lock/{first.id}"), locked="1")
    assert response.status_code == 404


def test_a_moving_preview_is_not_published_onto_changed_meetings(crowded, world):
    event, people, first = crowded
    post(people["olga"], schedule_url(event, "build"), release="1")
    # Meanwhile the organiser locks the meeting the preview moves.
    post(people["olga"], schedule_url(event, f"lock/{first.id}"), locked="1")
    post(people["olga"], schedule_url(event, "publish"), final="1")
    assert "Booked meetings have changed since this preview" in html.unescape(
        page(people["olga"], schedule_url(event))
    )
    assert starts(first.id) == naive(SLOT_1)
    assert request_between(event, world["carol"], world["bob"]).meeting is None
    assert not mails(world["bob"], "meetings_scheduled")


def test_provisional_then_final_and_everyone_is_told_once_each_time(organised, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    post(people["olga"], schedule_url(event, "build"))
    post(people["olga"], schedule_url(event, "publish"), final="0")
    agenda = f"/en/events/{event.id}/meetings/agenda"
    assert "This agenda is provisional" in html.unescape(page(people["alice"], agenda))
    [meeting] = db.session.scalars(select(Meeting)).all()
    ics = f"/en/events/{event.id}/meetings/meetings/{meeting.id}.ics"
    tentative = Calendar.from_ical(people["alice"].get(ics).data).walk("VEVENT")[0]
    assert str(tentative["STATUS"]) == "TENTATIVE"
    [provisional] = mails(world["bob"], "meetings_scheduled")
    told = translated(
        "nb",
        "Your agenda is provisional: times and places may still change, and you will be "
        "told when they do.",
    )
    assert told in plain_text(provisional)

    # Made final without a new preview: both hear it once more, nothing else changes.
    schedule = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Make the agenda final" in schedule
    assert post(people["olga"], schedule_url(event, "publish"), final="1").status_code == 303
    assert "This agenda is final." in html.unescape(page(people["alice"], agenda))
    confirmed = Calendar.from_ical(people["alice"].get(ics).data).walk("VEVENT")[0]
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert confirmed["UID"] == tentative["UID"]
    assert int(confirmed["SEQUENCE"]) > int(tentative["SEQUENCE"])  # calendars replace it
    for name in ("alice", "bob"):
        assert len(mails(world[name], "meetings_scheduled")) == 2, name
    final = max(mails(world["bob"], "meetings_scheduled"), key=lambda m: m.id)
    assert final.subject == translated(
        "nb", "Your final meeting agenda for “%(title)s”", title=event.title
    )
    assert not mails(world["carol"], "meetings_scheduled")
    # Final already: nothing more to publish.
    post(people["olga"], schedule_url(event, "publish"), final="1")
    assert "There is no preview to publish" in html.unescape(
        page(people["olga"], schedule_url(event))
    )
    assert len(mails(world["bob"], "meetings_scheduled")) == 2


def published_with(people, world, event, *pairs, final="1"):
    """The organiser publishes a schedule of the meetings `pairs` accepted."""
    for asker, asked in pairs:
        accept(people, world, event, asker, asked)
    post(people["olga"], schedule_url(event, "build"))
    assert post(people["olga"], schedule_url(event, "publish"), final=final).status_code == 303


def test_once_published_a_late_acceptance_gets_its_time_at_once(organised, world):
    event, people = organised
    published_with(people, world, event, ("alice", "bob"), final="0")
    [first] = db.session.scalars(select(Meeting)).all()
    where = (naive(first.starts_at), first.table_number)
    _request, response = accept(people, world, event, "carol", "bob")
    assert response.status_code == 303
    meeting = request_between(event, world["carol"], world["bob"]).meeting
    assert meeting is not None and meeting.status == "booked"
    # Bob's other meeting stays; the new one is beside it (two slots: no gap possible).
    db.session.expire_all()
    again = db.session.get(Meeting, first.id)
    assert (naive(again.starts_at), again.table_number) == where
    assert naive(meeting.starts_at) != where[0]
    # Both hear of a booked meeting, once; nobody hears "accepted, waiting".
    for name in ("carol", "bob"):
        assert len(mails(world[name], "meeting_booked")) == 1, name
    assert not mails(world["carol"], "meeting_accepted")
    agenda = html.unescape(page(people["carol"], f"/en/events/{event.id}/meetings/agenda"))
    assert "Accepted, waiting for the organisers' schedule" not in agenda
    assert "This agenda is provisional" in agenda


def test_a_late_acceptance_that_fits_nowhere_waits_for_the_next_schedule(organised, world):
    event, people = organised
    published_with(people, world, event, ("alice", "bob"))
    alice_bob = request_between(event, world["alice"], world["bob"]).meeting
    other_slot = SLOT_2 if naive(alice_bob.starts_at) == naive(SLOT_1) else SLOT_1
    # Carol is away in the one slot where Alice is free.
    post(people["carol"], f"/en/events/{event.id}/meetings/availability",
         away=slot_value(other_slot))  # fmt: skip
    told_before = len(mails(world["alice"], "meeting_accepted"))
    accept(people, world, event, "alice", "carol")
    late = request_between(event, world["alice"], world["carol"])
    assert late.status == "accepted" and late.meeting is None
    assert len(mails(world["alice"], "meeting_accepted")) == told_before + 1
    assert not mails(world["carol"], "meeting_booked")
    assert "Not in a schedule yet." in page(people["olga"], f"/en/my/events/{event.id}/meetings/")
    # Bob cancels his meeting with Alice: the one waiting gets the time freed at once;
    # nobody else moves, and the organiser's next schedule has nothing left to place.
    post(people["bob"], f"/en/events/{event.id}/meetings/meetings/{alice_bob.id}/cancel")
    placed = request_between(event, world["alice"], world["carol"]).meeting
    assert placed is not None and placed.status == "booked"
    assert naive(placed.starts_at) == naive(alice_bob.starts_at)
    assert len(mails(world["alice"], "meeting_cancelled")) == 1
    for name in ("alice", "carol"):
        assert len(mails(world[name], "meeting_booked")) == 1, name
    assert not mails(world["bob"], "meeting_booked")
    post(people["olga"], schedule_url(event, "build"))
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Booked meetings that move" not in preview


def test_before_any_publication_a_cancellation_books_nothing_new(crowded, world):
    """Until the organisers publish an agenda, waiting requests wait for their schedule,
    even when a cancellation frees the one time that fits."""
    event, people, first = crowded
    post(people["bob"], f"/en/events/{event.id}/meetings/meetings/{first.id}/cancel")
    assert request_between(event, world["carol"], world["bob"]).meeting is None
    assert not mails(world["carol"], "meeting_booked")
    assert len(mails(world["alice"], "meeting_cancelled")) == 1


def test_no_new_meeting_goes_into_a_slot_that_has_begun(organised, world, monkeypatch):
    event, people = organised
    # Alice is away in the first slot: her meeting with Bob is in the second.
    post(people["alice"], f"/en/events/{event.id}/meetings/availability", away=slot_value(SLOT_1))
    published_with(people, world, event, ("alice", "bob"))
    assert naive(request_between(event, world["alice"], world["bob"]).meeting.starts_at) == naive(
        SLOT_2
    )
    # The day is under way: the first slot, free for Carol and Bob, has begun.
    from matchmaker.meetings import scheduling

    monkeypatch.setattr(scheduling, "utcnow", lambda: SLOT_1 + (SLOT_2 - SLOT_1) / 2)
    accept(people, world, event, "carol", "bob")
    assert request_between(event, world["carol"], world["bob"]).meeting is None
