"""Online meetings: either person pastes their own video-call address for a booked meeting;
it replaces the organiser's pattern for both of them on the agenda, in the calendars and in
the e-mail that tells the other person, until they change or remove it."""

# ruff: noqa: F811  (the fixtures of test_meetings and test_events are imported by name)
from __future__ import annotations

import html
from email import message_from_string, policy

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from matchmaker.events import services as events
from matchmaker.extensions import db
from matchmaker.meetings import services
from matchmaker.meetings.models import Meeting, MeetingSetup
from matchmaker.meetings.services import MeetingRefused
from matchmaker.notifications.models import Notification
from matchmaker.outbox.models import OutboxMessage
from tests.web.helpers import translated
from tests.web.test_meetings import (  # noqa: F401  (fixtures)
    HTMX,
    SLOT_1,
    app,
    book,
    day,
    make_event,
    move,
    page,
    post,
    world,
)

PATTERN = "https://meet.example.org/pldkno-{meeting}"
TEAMS = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%2242%22%7d&amp=1"
)
ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=QWxpY2U&from=addon"

REMOVED_BACK_TO_PATTERN = (
    "%(name)s has removed the video address given for your meeting at “%(title)s” "
    "(%(when)s). The meeting is back at the organisers' address:"
)


@pytest.fixture
def online(day, world):
    """The matchmaking day held online, the organiser's pattern set, and a meeting booked
    between Alice and Bob (Bob reads Norwegian)."""
    event, people = day
    move(event, online=True, online_url="https://meet.example.org/pldkno", city="")
    setup = db.session.get(MeetingSetup, event.id)
    setup.video_pattern = PATTERN
    db.session.commit()
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    assert meeting is not None and meeting.status == "booked"
    db.session.expire_all()
    return db.session.get(type(event), event.id), people, meeting


def video_url(event, meeting) -> str:
    return f"/en/events/{event.id}/meetings/meetings/{meeting.id}/video"


def agenda(client, event) -> str:
    return page(client, f"/en/events/{event.id}/meetings/agenda")


def ics_location(client, event, meeting) -> str:
    response = client.get(f"/en/events/{event.id}/meetings/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    return str(Calendar.from_ical(response.data).walk("VEVENT")[0]["LOCATION"])


def fresh(meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def mails_to(user, template: str = "meeting_video_changed") -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == user.email, OutboxMessage.template == template)
        .order_by(OutboxMessage.id)
    ).all()


def plain(mail: OutboxMessage) -> str:
    return (
        message_from_string(mail.content, policy=policy.default).get_body(("plain",)).get_content()
    )


def pattern_of(meeting) -> str:
    return PATTERN.replace("{meeting}", str(meeting.id))


def test_both_people_see_the_pasted_address_on_the_agenda_and_in_their_calendars(
    online, world, client
):
    event, people, meeting = online
    assert pattern_of(meeting) in agenda(people["bob"], event)
    response = post(people["alice"], video_url(event, meeting), video_url=f"  {ZOOM}\n")
    assert response.status_code == 303
    assert "and Bob has been told" in html.unescape(agenda(people["alice"], event))
    escaped = html.escape(ZOOM, quote=True)
    for name in ("alice", "bob"):
        text = agenda(people[name], event)
        assert f'<a href="{escaped}" rel="noopener noreferrer">{escaped}</a>' in text
        assert pattern_of(meeting) not in text
        assert ics_location(people[name], event, meeting) == ZOOM
    # The private calendar feed too.
    feed = client.get(f"/en/events/calendar/{events.calendar_token(world['bob'])}.ics")
    entries = [
        item
        for item in Calendar.from_ical(feed.data).walk("VEVENT")
        if str(item["UID"]).startswith(f"meeting-{meeting.id}@")
    ]
    assert [str(item["LOCATION"]) for item in entries] == [ZOOM]
    # The agenda's form holds the address to change it.
    assert f'name="video_url" inputmode="url" maxlength="500" value="{escaped}"' in agenda(
        people["bob"], event
    )


def test_a_change_raises_the_calendar_sequence_and_the_other_person_is_told(online, world):
    event, people, meeting = online
    first = meeting.revision
    url = f"/en/events/{event.id}/meetings/meetings/{meeting.id}.ics"
    before = int(Calendar.from_ical(people["bob"].get(url).data).walk("VEVENT")[0]["SEQUENCE"])
    post(people["alice"], video_url(event, meeting), video_url=TEAMS)
    assert fresh(meeting).revision == first + 1
    after = int(Calendar.from_ical(people["bob"].get(url).data).walk("VEVENT")[0]["SEQUENCE"])
    assert after == before + 1
    # Bob is told, in the app and by e-mail in his language (Norwegian), with the address.
    (mail,) = mails_to(world["bob"])
    assert "Content-Language: nb" in mail.content
    assert "Alice" in mail.subject
    assert TEAMS in plain(mail).splitlines()
    assert mails_to(world["alice"]) == []
    told = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == world["bob"].id, Notification.kind == "meeting_video_changed"
        )
    )
    assert told == 1
    assert "changed the video address of your meeting" in html.unescape(
        page(people["bob"], "/en/notifications/")
    )
    # Saving the same address again changes nothing and tells nobody again.
    post(people["bob"], video_url(event, meeting), video_url=TEAMS)
    assert fresh(meeting).revision == first + 1
    assert len(mails_to(world["bob"])) == 1 and mails_to(world["alice"]) == []


def test_removing_the_address_brings_back_the_organisers_pattern(online, world):
    event, people, meeting = online
    first = meeting.revision
    post(people["alice"], video_url(event, meeting), video_url=ZOOM)
    response = post(people["bob"], video_url(event, meeting), remove="1", video_url=ZOOM)
    assert response.status_code == 303
    assert "The video address is removed, and Alice has been told." in html.unescape(
        agenda(people["bob"], event)
    )
    assert fresh(meeting).video_url is None
    assert fresh(meeting).revision == first + 2
    for name in ("alice", "bob"):
        assert pattern_of(meeting) in agenda(people[name], event)
        assert ics_location(people[name], event, meeting) == pattern_of(meeting)
    # Alice hears of it in Polish, with the address the meeting now has.
    (mail,) = mails_to(world["alice"])
    removed = translated("pl", REMOVED_BACK_TO_PATTERN).split("%(title)s")[0]
    assert removed.replace("%(name)s", "Bob") in plain(mail)
    assert pattern_of(meeting) in plain(mail).splitlines()
    # An empty field clears it as well.
    post(people["alice"], video_url(event, meeting), video_url=ZOOM)
    post(people["alice"], video_url(event, meeting), video_url="   ")
    assert fresh(meeting).video_url is None


def test_with_htmx_the_meeting_is_replaced_in_place(online):
    event, people, meeting = online
    done = people["alice"].post(
        video_url(event, meeting),
        headers=HTMX,
        data={"csrf_token": people["alice"].token, "video_url": ZOOM},
    )
    assert done.status_code == 200
    fragment = done.get_data(as_text=True)
    assert fragment.startswith(f'<li id="meeting-{meeting.id}" class="agenda-item">')
    assert "data-focus-after-swap" in fragment and "has been told" in fragment
    assert html.escape(ZOOM) in fragment
    refused = people["alice"].post(
        video_url(event, meeting),
        headers=HTMX,
        data={"csrf_token": people["alice"].token, "video_url": "http://meet.example.org/x"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "starts with https://" in text and 'aria-invalid="true"' in text
    assert 'value="http://meet.example.org/x"' in text  # what was typed, to correct it
    assert fresh(meeting).video_url == ZOOM
    # Without the CSRF token nothing happens.
    forged = people["bob"].post(video_url(event, meeting), headers=HTMX, data={"video_url": ""})
    assert forged.status_code == 400
    assert fresh(meeting).video_url == ZOOM


def test_a_third_person_or_a_forged_meeting_is_not_found(online, world):
    event, people, meeting = online
    first = meeting.revision
    assert post(people["carol"], video_url(event, meeting), video_url=ZOOM).status_code == 404
    forged = f"/en/events/{event.id}/meetings/meetings/999999/video"
    assert post(people["alice"], forged, video_url=ZOOM).status_code == 404
    other = make_event(world, kind="matchmaking", title="Another day")
    elsewhere = f"/en/events/{other.id}/meetings/meetings/{meeting.id}/video"
    assert post(people["alice"], elsewhere, video_url=ZOOM).status_code == 404
    # Someone without a seat at the event is stopped at the door (the participants' page).
    assert post(people["dave"], video_url(event, meeting), video_url=ZOOM).status_code == 403
    assert fresh(meeting).video_url is None and fresh(meeting).revision == first
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "meeting_video_changed"
    )) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("http://meet.example.org/alice", "starts with https://"),
        ("javascript:alert(1)", "starts with https://"),
        ("https://" + "a" * 490 + ".example.org", "at most 500 characters"),
        ("https://meet.example.org/a b", "starts with https://"),
        ("https://meet.example.org/\x00", "starts with https://"),
        ('https://meet.example.org/x"onmouseover="alert(1)', "starts with https://"),
        ("https://zoom.us@elsewhere.example/j/1", "starts with https://"),
        ("https://", "starts with https://"),
        ("https://localhost/room", "starts with https://"),
        ("https://meet.example.org:port/", "starts with https://"),
    ],
)
def test_a_wrong_address_is_refused_with_a_reason_and_changes_nothing(online, typed, message):
    event, people, meeting = online
    first = meeting.revision
    response = post(people["alice"], video_url(event, meeting), video_url=typed)
    assert response.status_code == 303
    assert message in html.unescape(agenda(people["alice"], event))
    with_htmx = people["alice"].post(
        video_url(event, meeting),
        headers=HTMX,
        data={"csrf_token": people["alice"].token, "video_url": typed},
    )
    assert with_htmx.status_code == 422
    assert message in html.unescape(with_htmx.get_data(as_text=True))
    found = fresh(meeting)
    assert found.video_url is None and found.revision == first
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "meeting_video_changed"
    )) == 0  # fmt: skip


def test_an_event_at_a_place_has_no_video_address(day, world):
    event, people = day
    meeting = book(people, world, event, "alice", "bob", SLOT_1)
    first = meeting.revision
    assert 'name="video_url"' not in agenda(people["alice"], event)
    response = post(people["alice"], video_url(event, meeting), video_url=ZOOM)
    assert response.status_code == 303
    assert "Only meetings at an online event have a video address." in agenda(
        people["alice"], event
    )
    with_htmx = people["alice"].post(
        video_url(event, meeting),
        headers=HTMX,
        data={"csrf_token": people["alice"].token, "video_url": ZOOM},
    )
    assert with_htmx.status_code == 422
    assert "Only meetings at an online event" in with_htmx.get_data(as_text=True)
    assert fresh(meeting).video_url is None and fresh(meeting).revision == first
    assert "Table 1" in agenda(people["bob"], event)


def test_a_cancelled_meeting_keeps_its_address(online, world):
    event, people, meeting = online
    post(people["bob"], f"/en/events/{event.id}/meetings/meetings/{meeting.id}/cancel")
    response = post(people["alice"], video_url(event, meeting), video_url=ZOOM)
    assert response.status_code == 303
    assert "This meeting has been cancelled." in agenda(people["alice"], event)
    assert fresh(meeting).video_url is None


@pytest.mark.parametrize(
    "address",
    [
        TEAMS,
        ZOOM,
        "https://meet.google.com/abc-defg-hij",
        "https://Meet.Jit.Si/PL-DK-NO",
        "https://bücher.example/raum",
    ],
)
def test_real_video_links_are_taken_as_pasted(app, address):
    assert services.clean_video_url(f" {address}\t") == address
    assert services.clean_video_url("") is None and services.clean_video_url(None) is None


def test_the_length_limit_is_on_the_address_itself(app):
    longest = "https://meet.example.org/" + "a" * (500 - len("https://meet.example.org/"))
    assert services.clean_video_url(longest) == longest
    with pytest.raises(MeetingRefused) as refused:
        services.clean_video_url(longest + "a")
    assert refused.value.code == "video_too_long" and refused.value.details == {"limit": 500}


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_MEETING_VIDEO": "2 per hour"}

    def test_changes_are_limited_per_person_not_per_address(self, online):
        event, people, meeting = online
        for address in (ZOOM, TEAMS):
            assert (
                post(people["alice"], video_url(event, meeting), video_url=address).status_code
                == 303
            )
        assert post(people["alice"], video_url(event, meeting), video_url="").status_code == 429
        assert fresh(meeting).video_url == TEAMS
        # Bob, at the same address (the venue's), can still change it.
        assert post(people["bob"], video_url(event, meeting), video_url="").status_code == 303
        assert fresh(meeting).video_url is None
