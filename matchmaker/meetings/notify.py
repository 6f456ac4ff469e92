"""Tell people about their meeting requests and meetings: in the app and by e-mail, each
in their own language. Nothing here commits: the services run these as `then`, inside
the transaction of the change they report."""

from __future__ import annotations

from collections import Counter

from flask import url_for

from matchmaker.accounts.models import User
from matchmaker.events import times
from matchmaker.i18n import language_of
from matchmaker.mail import send_mail
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.notifications.services import notify


def _tell(user: User, kind: str, event, page: str, **context) -> None:
    lang = language_of(user)
    link = url_for(page, lang=lang, event_id=event.id, _external=True)
    title = event.title_in(lang)
    data = {"event_id": event.id, "title": title}
    for name in ("other", "when", "final"):
        if name in context:
            data[name] = context[name]
    notify(user, kind, data, link=link)
    send_mail(user.email, kind, lang, user=user, event=event, title=title, link=link, **context)


def _when(meeting_or_time, event, user: User) -> str:
    starts = getattr(meeting_or_time, "starts_at", meeting_or_time)
    return times.moment(starts, event.timezone, language_of(user))


def sent(request: MeetingRequest) -> None:
    """A request just sent: asked, or (where requests need no acceptance) booked, or
    added to the meetings waiting for the organisers' schedule."""
    if request.meeting is not None:
        booked(request.meeting)
    elif request.status == "accepted":
        _tell(
            request.recipient,
            "meeting_added",
            request.event,
            "meetings.agenda",
            other=request.requester.name,
            message=request.message,
        )
    else:
        requested(request)


def requested(request: MeetingRequest) -> None:
    """The person asked: who asks, their message, and the slot proposed if any."""
    event, person = request.event, request.recipient
    proposed = _when(request.proposed_at, event, person) if request.proposed_at else ""
    _tell(
        person,
        "meeting_requested",
        event,
        "meetings.requests",
        other=request.requester.name,
        message=request.message,
        when=proposed,
    )


def booked(meeting: Meeting) -> None:
    """Both people: the meeting is in their agendas."""
    event = meeting.request.event
    for seat in meeting.seats:
        other = meeting.other_seat(seat.user_id).user
        _tell(
            seat.user,
            "meeting_booked",
            event,
            "meetings.agenda",
            other=other.name,
            when=_when(meeting, event, seat.user),
        )


def accepted_for_schedule(request: MeetingRequest) -> None:
    """The requester: accepted; the organisers' schedule will give it a time (both: it
    is booked, where the published agenda gave it a time at once)."""
    if request.meeting is not None:
        booked(request.meeting)
        return
    _tell(
        request.requester,
        "meeting_accepted",
        request.event,
        "meetings.agenda",
        other=request.recipient.name,
        reply=request.reply,
    )


def published(publication) -> None:
    """Each person whose agenda a publication changed, once: how many meetings it
    booked and moved for them, and whether the agenda is final. When it just became
    final, everyone with a meeting hears that too."""
    new, moved_now, people = Counter(), Counter(), {}
    for meetings, counter in (
        (publication.booked, new),
        (publication.moved, moved_now),
        (publication.now_final, Counter()),
    ):
        for meeting in meetings:
            for seat in meeting.seats:
                counter[seat.user_id] += 1
                people[seat.user_id] = seat.user
    for user_id in sorted(people):
        _tell(people[user_id], "meetings_scheduled", publication.event, "meetings.agenda",
              count=new[user_id], moved=moved_now[user_id], final=publication.final)  # fmt: skip


def moved(meeting: Meeting) -> None:
    """Both people: the organisers moved the meeting; their agenda has the place."""
    event = meeting.request.event
    for seat in meeting.seats:
        _tell(
            seat.user,
            "meeting_moved",
            event,
            "meetings.agenda",
            other=meeting.other_seat(seat.user_id).user.name,
            when=_when(meeting, event, seat.user),
        )


def declined(request: MeetingRequest) -> None:
    _tell(
        request.requester,
        "meeting_declined",
        request.event,
        "meetings.requests",
        other=request.recipient.name,
        reason=request.reply,
    )


def expired(request: MeetingRequest) -> None:
    _tell(
        request.requester,
        "meeting_expired",
        request.event,
        "meetings.requests",
        other=request.recipient.name,
    )


def cancelled_by(user: User):
    """A meeting cancelled by `user`: the other person hears it, and the people of any
    meeting booked into the time it freed hear theirs."""

    def tell(meeting: Meeting, placed: tuple[Meeting, ...] = ()) -> None:
        _tell_other(user, meeting, "meeting_cancelled")
        for new in placed:
            booked(new)

    return tell


def video_changed_by(user: User, pattern: str | None):
    """`user` gave, changed or removed the meeting's video address: the other person hears
    it, with the address the meeting now has (theirs, else the organiser's)."""

    def tell(meeting: Meeting) -> None:
        address = meeting.video_address(meeting.request.event, pattern) or ""
        _tell_other(
            user, meeting, "meeting_video_changed", address=address, removed=not meeting.video_url
        )

    return tell


def _tell_other(user: User, meeting: Meeting, kind: str, **context) -> None:
    """The person `user` meets hears what `user` did to the meeting."""
    other = meeting.other_seat(user.id).user
    event = meeting.request.event
    _tell(other, kind, event, "meetings.agenda", other=user.name,
          when=_when(meeting, event, other), **context)  # fmt: skip


def reminder(request: MeetingRequest) -> None:
    """The person asked, a day before the request expires unanswered."""
    event, person = request.event, request.recipient
    _tell(
        person,
        "meeting_reminder",
        event,
        "meetings.requests",
        other=request.requester.name,
        when=_when(request.expires_at, event, person),
    )


def outcome_question(seats, later: bool) -> None:
    """What came of the meetings: a day after the event, and three months later."""
    person, event = seats[0].user, seats[0].meeting.request.event
    others = [seat.meeting.other_seat(person.id).user.name for seat in seats]
    _tell(
        person,
        "meeting_outcome_later" if later else "meeting_outcome",
        event,
        "meetings.agenda",
        others=others,
    )
