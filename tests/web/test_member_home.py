"""A member's home: what waits for them (to do), their next events and meetings (coming
up), then their match lists; nothing of another organisation's, and the same few queries
however much there is."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import html
import re
from datetime import timedelta

from markupsafe import escape
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.contacts import services as contacts
from matchmaker.contacts.models import ContactRequest
from matchmaker.core import home
from matchmaker.events import times
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting
from matchmaker.moderation import services as moderation
from matchmaker.organisations.services import submit_organisation
from matchmaker.projects.services import submit_project
from tests.factories import make_organisation, make_project, publish
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
from tests.web.test_meetings import SLOT_1, SLOT_2, ask, book, day, request_between  # noqa: F401

HOSTILE_NOTE = '<script>alert("x")</script> Say who <b>pilots</b> it & when.'
ZONE = "Europe/Oslo"


def page(client, lang: str = "en") -> str:
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(text: str, heading_id: str) -> str:
    """The home page's section labelled by `heading_id` ("" when it has none)."""
    start = text.find(f'aria-labelledby="{heading_id}"')
    if start < 0:
        return ""
    return text[start : text.index("</section>", start)]


def to_do(client) -> str:
    return section(page(client), "todo-heading")


def coming_up(client) -> str:
    return section(page(client), "coming-heading")


def contact_request(sender_user, sender, recipient) -> ContactRequest:
    found, created = contacts.send(
        sender_user,
        sender_org_id=sender.id,
        recipient_org_id=recipient.id,
        message="Shall we pilot together?",
    )
    assert created
    return found


def returned(item_type: str, item, moderator, note: str = HOSTILE_NOTE) -> None:
    if item_type == "organisation":
        submit_organisation(item)
    else:
        submit_project(item)
    moderation.return_for_changes(item_type, item, moderator, note)


# --- who sees what -------------------------------------------------------------------------


def test_the_anonymous_page_is_the_public_one_without_member_blocks(client, world):
    text = page(client)
    assert "Matchmaker brings together companies" in text
    assert 'href="/en/account/register"' in text
    assert 'id="todo-heading"' not in text and 'id="coming-heading"' not in text
    assert "Your matches" not in text


def test_a_waiting_contact_request_shows_to_the_recipients_members_only(app, world):
    to_host = contact_request(world["alice"], world["telecare"], world["host"])
    from_host = contact_request(world["olga"], world["host"], world["other_host"])

    olga = to_do(person(app, world, "olga"))
    assert "Contact request from Wroclaw Telecare" in olga
    assert f'action="/en/contacts/{to_host.id}/answer"' in olga
    assert 'name="decision" value="accept"' in olga and 'name="decision" value="decline"' in olga
    # Her own organisation's request waits for the other side: nothing for her to do.
    assert f"/contacts/{from_host.id}" not in olga

    harald = to_do(person(app, world, "harald"))
    assert "Contact request from Oslo Living Lab" in harald
    assert f"/contacts/{to_host.id}" not in harald

    for sender_side in ("alice", "anna"):
        text = to_do(person(app, world, sender_side))
        assert "Contact request from" not in text


def test_a_member_of_several_organisations_is_told_which_one_is_asked(app, world):
    second = make_organisation(world["olga"], name="Oslo Second Lab")
    publish("organisation", second, world["moderator"])
    contact_request(world["alice"], world["telecare"], world["host"])
    assert "To Oslo Living Lab" in to_do(person(app, world, "olga"))
    contact_request(world["alice"], world["telecare"], world["other_host"])
    assert "To Bergen Clinic" not in to_do(person(app, world, "harald"))  # one organisation


def test_accepting_in_place_answers_the_request_and_clears_the_list(app, world):
    request = contact_request(world["alice"], world["telecare"], world["host"])
    olga = person(app, world, "olga")
    response = olga.post(
        f"/en/contacts/{request.id}/answer",
        data={"csrf_token": olga.token, "decision": "accept"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/en/contacts/{request.id}"
    db.session.expire_all()
    assert db.session.get(ContactRequest, request.id).status == "accepted"
    assert "Contact request from" not in to_do(olga)


def test_declining_in_place_answers_the_request(app, world):
    request = contact_request(world["alice"], world["telecare"], world["host"])
    olga = person(app, world, "olga")
    olga.post(
        f"/en/contacts/{request.id}/answer",
        data={"csrf_token": olga.token, "decision": "decline"},
    )
    db.session.expire_all()
    assert db.session.get(ContactRequest, request.id).status == "declined"


def test_returned_items_show_the_moderators_note_escaped_to_their_members_only(app, world):
    project = make_project(world["telecare"])
    returned("project", project, world["moderator"])
    bergen_draft = make_organisation(world["harald"], name="Bergen Research Unit")
    returned("organisation", bergen_draft, world["moderator"], note="Add your region.")

    for member in ("alice", "anna"):
        text = to_do(person(app, world, member))
        assert (
            "A moderator returned your project Home monitoring for heart failure for changes"
            in text
        )
        assert f'href="/en/my/projects/{project.id}"' in text
        assert str(escape(HOSTILE_NOTE)) in text
        assert "<script>alert" not in text and "<b>pilots</b>" not in text
        assert "Bergen Research Unit" not in text

    harald = to_do(person(app, world, "harald"))
    assert "A moderator returned your organisation Bergen Research Unit for changes" in harald
    assert f'href="/en/my/organisations/{bergen_draft.id}"' in harald
    assert "Add your region." in harald
    assert "Home monitoring" not in harald and "pilots" not in harald

    assert "returned" not in to_do(person(app, world, "olga"))


def test_drafts_never_submitted_ask_to_be_submitted(app, world):
    draft = make_project(
        world["telecare"],
        texts={"en": {"title": "Unsubmitted idea", "summary": "S.", "description": "D."}},
    )
    dave_org = make_organisation(world["dave"], name="Dave Draft Lab")

    alice = to_do(person(app, world, "alice"))
    assert (
        "Your project Unsubmitted idea is a draft. Submit it for review when it is ready." in alice
    )
    assert f'href="/en/my/projects/{draft.id}"' in alice
    dave = to_do(person(app, world, "dave"))
    assert (
        "Your organisation Dave Draft Lab is a draft. Submit it for review when it is ready."
        in dave
    )
    assert f'href="/en/my/organisations/{dave_org.id}"' in dave
    olga = to_do(person(app, world, "olga"))
    assert "Unsubmitted idea" not in olga and "Dave Draft Lab" not in olga


def test_someone_with_nothing_waiting_is_told_so_in_one_line(app, world):
    lab = make_organisation(world["carol"], name="Carol Lab", tags={
        "category": ["ehealth_telemedicine"], "capability": ["remote_monitoring"]})  # fmt: skip
    publish("organisation", lab, world["moderator"])  # no first steps left either
    text = page(person(app, world, "carol"))
    assert "Nothing to do right now." in section(text, "todo-heading")
    assert "Nothing planned in the next 30 days." in section(text, "coming-heading")
    assert "<ul" not in section(text, "todo-heading")


def test_meeting_requests_are_counted_per_event_for_the_person_asked_only(day, world):
    event, people = day
    ask(people["alice"], event, world["bob"], SLOT_1)
    ask(people["carol"], event, world["bob"], SLOT_2)

    bob = to_do(people["bob"])
    link = f'href="/en/events/{event.id}/meetings/requests"'
    assert link in bob
    assert (
        '2 meeting requests wait for your answer at <span lang="en">PL-DK-NO matchmaking day</span>'
        in bob
    )
    for other in ("alice", "carol", "dave"):
        assert "meeting request" not in to_do(people[other])

    ask(people["alice"], event, world["carol"])
    carol = to_do(people["carol"])
    assert "1 meeting request waits for your answer at" in carol
    assert "meeting request" not in to_do(people["alice"])


def test_an_answered_meeting_request_leaves_the_list(day, world):
    event, people = day
    book(people, world, event, "alice", "bob", SLOT_1)
    assert "meeting request" not in to_do(people["bob"])


# --- coming up -----------------------------------------------------------------------------


def event_at(world, days: int, title: str, host: str = "host", **fields) -> Event:
    return make_event(
        world,
        host=host,
        title=title,
        starts_at=at_oslo(days, 9),
        ends_at=at_oslo(days, 16),
        registration_deadline=at_oslo(days - 1, 23, 59),
        **fields,
    )


def test_coming_events_are_the_persons_seats_soonest_first_within_30_days(app, world):
    later = event_at(world, 10, "Later visit")
    soon = event_at(world, 3, "Soon visit")
    far = event_at(world, 45, "Far visit")
    elsewhere = event_at(world, 5, "Bergen day", host="other_host")
    alice = person(app, world, "alice")
    for event in (later, soon, far):
        assert sign_up(alice, event).status_code == 200

    text = coming_up(alice)
    assert text.index("Soon visit") < text.index("Later visit")
    assert "Far visit" not in text and "Bergen day" not in text
    assert "You have a seat" in text
    assert times.when(soon.starts_at, soon.ends_at, ZONE, "en") in html.unescape(text)
    assert f'href="/en/events/{soon.id}/calendar.ics"' in text
    assert f'href="/en/events/{elsewhere.id}' not in text

    harald = coming_up(person(app, world, "harald"))
    assert "Bergen day" in harald and "Hosted by Bergen Clinic" in harald
    assert "Soon visit" not in harald


def test_a_waiting_or_cancelled_seat_is_not_coming_up(app, world):
    soon = event_at(world, 3, "Soon visit", capacity=1)
    assert sign_up(person(app, world, "bob"), soon).status_code == 200
    alice = person(app, world, "alice")
    assert sign_up(alice, soon).status_code == 200
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(Registration.status).where(Registration.user_id == world["alice"].id)
        )
        == "waiting"
    )
    assert "Soon visit" not in coming_up(alice)


def test_hosts_see_their_organisations_events_and_at_most_five(app, world):
    for days in (9, 2, 7, 4, 12, 6):
        event_at(world, days, f"Visit in {days} days")
    event_at(world, 3, "Unpublished visit", publish_it=False)
    text = coming_up(person(app, world, "olga"))
    titles = re.findall(r"Visit in (\d+) days</a>", text)
    assert titles == ["2", "4", "6", "7", "9"]
    assert "Hosted by Oslo Living Lab" in text and "Unpublished visit" not in text


def test_an_event_under_way_is_still_coming_up(app, world):
    event = event_at(world, 3, "Running visit")
    started = utcnow() - timedelta(hours=1)
    move(
        event,
        starts_at=started,
        ends_at=started + timedelta(hours=4),
        registration_deadline=started - timedelta(days=1),
    )
    assert "Running visit" in coming_up(person(app, world, "olga"))


def test_booked_meetings_come_up_soonest_first_for_their_two_people(day, world):
    event, people = day
    book(people, world, event, "alice", "bob", SLOT_2)
    first = book(people, world, event, "carol", "bob", SLOT_1)

    found = home.coming_up(world["bob"], now=at_oslo(31)).meetings
    assert [m.other for m in found] == ["Carol", "Alice"]
    assert found[0].id == first.id and found[0].table_name is None and found[0].table_number == 1
    assert home.coming_up(world["bob"], now=at_oslo(29)).meetings == []
    assert [m.other for m in home.coming_up(world["alice"], now=at_oslo(31)).meetings] == ["Bob"]
    assert home.coming_up(world["dave"], now=at_oslo(31)).meetings == []
    past = SLOT_2 + timedelta(hours=1)
    assert home.coming_up(world["bob"], now=past).meetings == []


def test_booked_meetings_are_on_the_page_with_time_place_and_calendar(day, world):
    event, people = day
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    bring_forward(event, days=55)  # from 60 days away to 5
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)

    text = coming_up(people["bob"])
    assert "Meeting with Alice" in text and "Table 1" in text
    assert times.when(meeting.starts_at, meeting.ends_at, ZONE, "en") in html.unescape(text)
    assert f'href="/en/events/{event.id}/meetings/meetings/{meeting.id}.ics"' in text
    assert f'href="/en/events/{event.id}/meetings/agenda"' in text
    assert "Meeting with" not in coming_up(people["dave"])


def bring_forward(event: Event, days: int) -> None:
    """The event and its meetings take place `days` days earlier."""
    shift = timedelta(days=days)
    for meeting in db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
        meeting.starts_at -= shift
        meeting.ends_at -= shift
    db.session.commit()
    move(
        event,
        starts_at=event.starts_at - shift,
        ends_at=event.ends_at - shift,
        registration_deadline=event.registration_deadline - shift,
    )


# --- cost ----------------------------------------------------------------------------------


class Statements:
    """Counts the SQL statements run while it is open."""

    def __enter__(self):
        self.count = 0
        sqlalchemy_event.listen(db.engine, "before_cursor_execute", self._one)
        return self

    def _one(self, *_args) -> None:
        self.count += 1

    def __exit__(self, *_exc) -> None:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", self._one)


def blocks(member) -> home.MemberHome:
    """What waits now (meeting requests expire), and what comes up near the event (60
    days away)."""
    return home.MemberHome(home.to_do(member, utcnow()), home.coming_up(member, at_oslo(58)))


def test_the_member_blocks_cost_the_same_few_queries_however_much_there_is(day, world):
    event, people = day
    bob = world["bob"]
    book(people, world, event, "alice", "bob", SLOT_1)
    ask(people["carol"], event, bob, SLOT_2)
    contact_request(world["alice"], world["telecare"], world["bob_org"])
    make_project(world["bob_org"])
    db.session.expire_all()
    db.session.refresh(bob)  # the page has its user already
    with Statements() as few:
        small = blocks(bob)

    for number in range(4):
        project = make_project(
            world["bob_org"],
            texts={"en": {"title": f"Idea {number}", "summary": "S.", "description": "D."}},
        )
        if number % 2:
            returned("project", project, world["moderator"])
    for name in ("carol", "dave"):
        org = make_organisation(world[name], name=f"{name.title()} Lab")
        publish("organisation", org, world["moderator"])
        contact_request(world[name], org, world["bob_org"])
    for days in (59, 61):
        other = make_event(world, kind="matchmaking", title=f"Day {days}",
                           starts_at=at_oslo(days, 9), ends_at=at_oslo(days, 16))  # fmt: skip
        assert sign_up(people["bob"], other).status_code == 200
    db.session.expire_all()
    db.session.refresh(bob)
    with Statements() as many:
        large = blocks(bob)

    assert len(large.to_do.contact_requests) == 3 and len(large.to_do.drafts) == 3
    assert len(large.to_do.returned) == 2 and len(large.coming_up.events) == 3
    assert len(small.to_do.meeting_requests) == len(large.to_do.meeting_requests) == 1
    assert len(small.coming_up.meetings) == len(large.coming_up.meetings) == 1
    assert many.count == few.count <= 11, (few.count, many.count)
