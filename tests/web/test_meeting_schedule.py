"""Schedule all, on the web: at an event where the organisers build the agenda, requests
are accepted without a time; the organiser previews a schedule (nothing booked, nothing
sent), reads why each meeting left out could not be placed, and publishes: the meetings
are booked and each person is told once, in their language."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.meetings import scheduling
from matchmaker.meetings.models import Meeting, MeetingAbsence, MeetingRequest
from matchmaker.outbox.models import OutboxMessage
from tests.web.helpers import translated
from tests.web.test_events import app, person, user, world  # noqa: F401  (fixtures)
from tests.web.test_meetings import (  # noqa: F401  (fixtures)
    SLOT_1,
    SLOT_2,
    ask,
    day,
    page,
    post,
    request_between,
    settings_form,
)


@pytest.fixture
def organised(day):
    """The matchmaking day of test_meetings, with the organisers building the agenda: two
    slots, two tables."""
    event, people = day
    response = post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(organiser_schedules="1", solver_seconds="1", tables="2"),
    )
    assert response.status_code == 303
    return event, people


def accept(people, world, event, asker: str, asked: str):
    assert ask(people[asker], event, world[asked]).status_code == 303
    request = request_between(event, world[asker], world[asked])
    response = post(people[asked], f"/en/events/{event.id}/meetings/requests/{request.id}/accept")
    return request, response


def meetings_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def mails(user, template: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.to_address == user.email, OutboxMessage.template == template
        )
    ).all()


def schedule_url(event, end: str = "") -> str:
    return f"/en/my/events/{event.id}/meetings/schedule/{end}"


def test_requests_are_accepted_without_a_time_and_wait_for_the_schedule(organised, world):
    event, people = organised
    asking = page(people["alice"], f"/en/events/{event.id}/meetings/ask/{world['bob'].id}")
    assert 'name="slot"' not in asking
    request, response = accept(people, world, event, "alice", "bob")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(MeetingRequest, request.id).status == "accepted"
    assert meetings_count() == 0
    # Alice reads Polish: she hears it in Polish, and her agenda says it waits.
    [mail] = mails(world["alice"], "meeting_accepted")
    assert mail.subject == translated("pl", "%(name)s accepted your meeting request", name="Bob")
    agenda = html.unescape(page(people["alice"], f"/en/events/{event.id}/meetings/agenda"))
    assert "Accepted, waiting for the organisers' schedule" in agenda
    assert "With Bob" in agenda


def test_a_time_sent_with_an_answer_books_nothing(organised, world):
    event, people = organised
    ask(people["alice"], event, world["bob"])
    request = request_between(event, world["alice"], world["bob"])
    post(
        people["bob"],
        f"/en/events/{event.id}/meetings/requests/{request.id}/accept",
        slot=SLOT_1.strftime("%Y-%m-%dT%H:%MZ"),
    )
    assert meetings_count() == 0


def test_accepted_requests_count_towards_the_most_meetings(organised, world):
    event, people = organised
    post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(organiser_schedules="1", max_meetings="1", tables="2"),
    )
    accept(people, world, event, "alice", "bob")
    _request, response = accept(people, world, event, "carol", "bob")
    assert response.status_code == 303
    assert "You already have the most meetings allowed here (1)." in html.unescape(
        page(people["bob"], f"/en/events/{event.id}/meetings/requests")
    )
    assert request_between(event, world["carol"], world["bob"]).status == "pending"


def test_a_preview_books_nothing_and_publishing_tells_each_person_once(organised, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    accept(people, world, event, "carol", "bob")
    accept(people, world, event, "alice", "carol")
    overview = page(people["olga"], f"/en/my/events/{event.id}/meetings/")
    assert overview.count("Not in a schedule yet.") == 3

    assert post(people["olga"], schedule_url(event, "build")).status_code == 303
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    # Two slots: each of the three people can have two meetings, so one of the three
    # meetings (a triangle) cannot be placed, and the reason says why.
    assert "Nothing is booked until you publish it." in preview
    assert "2 of 3" in preview
    assert "Whenever both are available, one of them has another meeting." in preview
    assert meetings_count() == 0
    assert not mails(world["bob"], "meetings_scheduled")
    overview = page(people["olga"], f"/en/my/events/{event.id}/meetings/")
    assert overview.count("Placed in the preview: publish it to book.") == 2

    response = post(people["olga"], schedule_url(event, "publish"))
    assert response.status_code == 303
    assert meetings_count() == 2
    for name in ("alice", "bob", "carol"):
        assert len(mails(world[name], "meetings_scheduled")) == 1
    bob_mail = mails(world["bob"], "meetings_scheduled")[0]
    assert bob_mail.subject == translated(
        "nb", "Your meeting agenda for “%(title)s” is ready", title=event.title
    )
    # Bob has both of his meetings side by side in his agenda.
    agenda = page(people["bob"], f"/en/events/{event.id}/meetings/agenda")
    assert agenda.count("Carol") >= 1 and agenda.count("Alice") >= 1
    # Published: a second publication has nothing to publish.
    post(people["olga"], schedule_url(event, "publish"))
    assert "There is no preview to publish" in html.unescape(
        page(people["olga"], schedule_url(event))
    )
    assert meetings_count() == 2


def test_the_reason_names_who_cannot_meet_when(organised, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    for slot in (SLOT_1, SLOT_2):  # Bob is away all day
        db.session.add(MeetingAbsence(event_id=event.id, user_id=world["bob"].id, starts_at=slot))
    db.session.commit()
    post(people["olga"], schedule_url(event, "build"))
    preview = html.unescape(page(people["olga"], schedule_url(event)))
    assert "Alice and Bob" in preview
    assert "The two are never available at the same time." in preview
    csv = people["olga"].get(schedule_url(event, "report.csv"))
    assert csv.status_code == 200
    text = csv.get_data(as_text=True)
    assert "Alice and Bob" in text and "never available at the same time" in text


def test_a_changed_set_up_makes_the_preview_stale(organised, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    post(people["olga"], schedule_url(event, "build"))
    post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(organiser_schedules="1", solver_seconds="1", tables="3"),
    )
    post(people["olga"], schedule_url(event, "publish"))
    assert "The set-up has changed since this preview" in html.unescape(
        page(people["olga"], schedule_url(event))
    )
    assert meetings_count() == 0


def test_booked_meetings_stay_where_they_are(day, world):
    """Meetings booked by participants before the organisers took over are kept."""
    event, people = day
    from tests.web.test_meetings import book

    kept = book(people, world, event, "alice", "bob", SLOT_1)
    post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(organiser_schedules="1", solver_seconds="1", tables="2"),
    )
    accept(people, world, event, "carol", "bob")
    post(people["olga"], schedule_url(event, "build"))
    post(people["olga"], schedule_url(event, "publish"))
    db.session.expire_all()
    assert db.session.get(Meeting, kept.id).starts_at.replace(tzinfo=None) == SLOT_1.replace(
        tzinfo=None
    )
    carol_bob = db.session.scalar(
        select(Meeting).where(
            Meeting.request_id == request_between(event, world["carol"], world["bob"]).id
        )
    )
    assert carol_bob is not None
    assert carol_bob.starts_at.replace(tzinfo=None) == SLOT_2.replace(tzinfo=None)


@pytest.mark.parametrize("name", ["alice", "dave", "harald"])
def test_the_schedule_is_the_organisers_only(organised, app, world, name):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    client = people.get(name) or person(app, world, name)
    assert client.get(schedule_url(event)).status_code == 404
    assert post(client, schedule_url(event, "build")).status_code == 404
    assert scheduling.run_of(event.id) is None
    post(people["olga"], schedule_url(event, "build"))
    assert client.get(schedule_url(event, "report.csv")).status_code == 404
    assert post(client, schedule_url(event, "publish")).status_code == 404
    assert meetings_count() == 0
    # Without the CSRF token not even the organiser builds or publishes.
    response = people["olga"].post(schedule_url(event, "publish"))
    assert response.status_code == 400
    assert meetings_count() == 0


def without_acceptance(event, people, **changes):
    response = post(
        people["olga"],
        f"/en/my/events/{event.id}/meetings/settings",
        **settings_form(needs_acceptance="", **changes),
    )
    assert response.status_code == 303


def test_without_acceptance_a_request_is_booked_at_once_in_the_time_chosen(day, world):
    event, people = day
    without_acceptance(event, people)
    form = page(people["alice"], f"/en/events/{event.id}/meetings/ask/{world['bob'].id}")
    assert "Book the meeting" in form and "Let them choose" not in form
    # A time is required: without one nothing is sent or booked.
    response = ask(people["alice"], event, world["bob"])
    assert response.status_code == 409
    assert "Choose a time for the meeting." in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 0

    response = ask(people["alice"], event, world["bob"], SLOT_2)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/meetings/agenda")
    meeting = db.session.scalar(select(Meeting))
    assert meeting.starts_at.replace(tzinfo=None) == SLOT_2.replace(tzinfo=None)
    assert request_between(event, world["alice"], world["bob"]).status == "accepted"
    # Both are told it is booked (Bob in Norwegian), nobody is asked to accept.
    assert len(mails(world["alice"], "meeting_booked")) == 1
    assert len(mails(world["bob"], "meeting_booked")) == 1
    assert not mails(world["bob"], "meeting_requested")


def test_without_acceptance_the_rules_still_hold(day, world):
    event, people = day
    without_acceptance(event, people, max_meetings="1")
    assert ask(people["alice"], event, world["bob"], SLOT_1).status_code == 303
    # Bob is full: Carol's booking is refused with the reason, and nothing is left behind.
    response = ask(people["carol"], event, world["bob"], SLOT_2)
    assert response.status_code == 409
    assert "The other person already has the most meetings allowed here (1)." in html.unescape(
        response.get_data(as_text=True)
    )
    assert meetings_count() == 1
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 1


def test_without_acceptance_at_an_organised_event_the_meeting_waits_for_the_schedule(
    organised, world
):
    event, people = organised
    without_acceptance(event, people, organiser_schedules="1", solver_seconds="1", tables="2")
    response = ask(people["carol"], event, world["bob"])
    assert response.status_code == 303
    assert request_between(event, world["carol"], world["bob"]).status == "accepted"
    assert meetings_count() == 0
    [mail] = mails(world["bob"], "meeting_added")
    assert mail.subject == translated("nb", "%(name)s added a meeting with you", name="Carol")
    assert scheduling.waiting_requests(event.id)[0].recipient_id == world["bob"].id


def test_a_solver_finishing_after_the_publication_changes_nothing(organised, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    post(people["olga"], schedule_url(event, "build"))
    run = scheduling.run_of(event.id)
    run.status = "improving"  # as if the worker were still at it
    db.session.commit()
    token = run.token
    assert post(people["olga"], schedule_url(event, "publish")).status_code == 303
    assert scheduling.improve(event, token) is False
    assert scheduling.run_of(event.id).status == "published"
    # A newer build makes an older job's result stale too.
    accept(people, world, event, "carol", "bob")
    post(people["olga"], schedule_url(event, "build"))
    assert scheduling.improve(event, token) is False


def test_the_page_hears_when_the_solver_has_finished(organised, app, world):
    event, people = organised
    accept(people, world, event, "alice", "bob")
    post(people["olga"], schedule_url(event, "build"))
    run = scheduling.run_of(event.id)
    token = run.token
    run.status = "improving"  # as while the background job runs
    db.session.commit()
    poll = schedule_url(event, f"solver?token={token}")
    assert people["olga"].get(poll).status_code == 204
    page_text = html.unescape(page(people["olga"], schedule_url(event)))
    assert "The solver is improving this preview" in page_text and poll in page_text
    run.status = "ready"
    db.session.commit()
    done = people["olga"].get(poll, headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert "The solver has finished: 1 of 1 meetings placed." in html.unescape(done.get_data(True))
    # Another preview replaced it meanwhile: the page is told, not shown a stale count.
    replaced = people["olga"].get(schedule_url(event, "solver?token=old"))
    assert "A newer preview has replaced this one." in replaced.get_data(as_text=True)
    for name in ("alice", "harald"):
        client = people.get(name) or person(app, world, name)
        assert client.get(poll).status_code == 404
