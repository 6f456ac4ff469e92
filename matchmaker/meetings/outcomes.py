"""After the meetings: the outcome questions, what earlier events say about a pair, and
the organiser's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from matchmaker.accounts.models import utcnow
from matchmaker.database import commit_with
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting, MeetingRequest, MeetingSeat
from matchmaker.meetings.services import Then, booked_meetings, participants

# --- the outcome questions ------------------------------------------------------------------

FIRST_QUESTION_AFTER = timedelta(days=1)
SECOND_QUESTION_AFTER = timedelta(days=90)


def _outcome_seats(now: datetime, later: bool) -> dict[tuple[int, int], list[MeetingSeat]]:
    """Seats to ask about, by (event, person): booked meetings of events that ended a day
    (or, `later`, three months) ago, not yet asked, where the person did not say that the
    other side never came."""
    asked = MeetingSeat.later_asked_at if later else MeetingSeat.asked_at
    after = SECOND_QUESTION_AFTER if later else FIRST_QUESTION_AFTER
    query = (
        select(MeetingSeat)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .join(Event, Event.id == MeetingSeat.event_id)
        .where(
            Meeting.status == "booked",
            asked.is_(None),
            Event.ends_at <= now - after,
            Event.ends_at > now - after - timedelta(days=30),
            or_(MeetingSeat.presence.is_(None), MeetingSeat.presence == "held"),
        )
        .order_by(MeetingSeat.event_id, MeetingSeat.user_id, MeetingSeat.meeting_id)
    )
    if later:
        query = query.where(MeetingSeat.outcome.is_distinct_from("none"))
    grouped: dict[tuple[int, int], list[MeetingSeat]] = {}
    for seat in db.session.scalars(query):
        grouped.setdefault((seat.event_id, seat.user_id), []).append(seat)
    return grouped


def ask_outcomes(now: datetime, then: Then = None) -> int:
    """The outcome questions: a day after the event, each person is asked what came of
    their meetings; three months later, again. One e-mail per person and event, marked
    asked in the same transaction (`then(seats, later)`); returns how many were asked."""
    asked = 0
    for later in (False, True):
        for seats in _outcome_seats(now, later).values():
            column = "later_asked_at" if later else "asked_at"
            for seat in seats:
                setattr(seat, column, now)
            commit_with(then, seats, later)
            asked += 1
    return asked


# --- what earlier events say about a pair ------------------------------------------------------


@dataclass
class History:
    """For one person: whom they met at earlier events (and where), and with whom a
    meeting led nowhere (either of the two said "no follow-up")."""

    met_at: dict[int, list[Event]]
    no_follow_up: set[int]


def history_of(user_id: int, except_event_id: int) -> History:
    mine = select(MeetingSeat.meeting_id).where(
        MeetingSeat.user_id == user_id, MeetingSeat.event_id != except_event_id
    )
    rows = db.session.execute(
        select(MeetingSeat, Meeting, Event)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .join(Event, Event.id == Meeting.event_id)
        .where(MeetingSeat.meeting_id.in_(mine), Meeting.status == "booked")
        .order_by(Meeting.starts_at)
    ).all()
    history = History({}, set())
    by_meeting: dict[int, list[MeetingSeat]] = {}
    for seat, meeting, _event in rows:
        by_meeting.setdefault(meeting.id, []).append(seat)
    now = utcnow()
    for seat, meeting, event in rows:
        if seat.user_id == user_id or aware(event.ends_at) > now:
            continue
        pair = by_meeting[meeting.id]
        if any(s.presence == "no_show" for s in pair):
            continue
        if any(s.outcome == "none" for s in pair):
            history.no_follow_up.add(seat.user_id)
        history.met_at.setdefault(seat.user_id, []).append(event)
    return history


# --- the organiser's figures ---------------------------------------------------------------


@dataclass
class Overview:
    requests: dict[str, int]
    booked: int
    people: int
    without_meeting: int
    accepted_unbooked: int
    # Per person's answer (each meeting has two): held / no_show, and what came of it.
    presence: dict[str, int]
    outcomes: dict[str, int]


def _seat_counts(event_id: int, column) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(column, func.count())
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(
                MeetingSeat.event_id == event_id, Meeting.status == "booked", column.is_not(None)
            )
            .group_by(column)
        ).all()
    )


def overview(event_id: int) -> Overview:
    counts = dict(
        db.session.execute(
            select(MeetingRequest.status, func.count())
            .where(MeetingRequest.event_id == event_id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    booked = booked_meetings(event_id)
    people = participants(event_id)
    with_meeting = {seat.user_id for meeting in booked for seat in meeting.seats}
    unbooked = db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.status == "accepted",
            or_(Meeting.id.is_(None), Meeting.status == "cancelled"),
        )
    )
    return Overview(
        requests={status: counts.get(status, 0) for status in MEETING_REQUEST_ORDER},
        booked=len(booked),
        people=len(people),
        without_meeting=sum(1 for p in people if p.user.id not in with_meeting),
        accepted_unbooked=unbooked,
        presence={k: v for k, v in _seat_counts(event_id, MeetingSeat.presence).items()},
        outcomes={k: v for k, v in _seat_counts(event_id, MeetingSeat.outcome).items()},
    )


MEETING_REQUEST_ORDER = ("pending", "accepted", "declined", "withdrawn", "expired")
