"""A person's meeting requests, meetings, slots marked away, opportunities and bookmarks;
on deleting the account, the people they were to meet are told first.

The rows go with the account (by cascade): the requests the person sent or received, the
meetings those became (their slots and tables are free again), the marks, the
opportunities posted and the bookmarks (theirs, and others' on them). Everyone
with a meeting still to come with the person hears that it is cancelled, in the
transaction of the deletion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.meetings import notify, services
from matchmaker.meetings.models import (
    MeetingAbsence,
    MeetingBookmark,
    MeetingOpportunity,
    MeetingRequest,
    MeetingSeat,
)


def export_requests(user) -> list[dict[str, Any]]:
    when = personal_data.when
    found = db.session.scalars(
        select(MeetingRequest)
        .where(or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id))
        .order_by(MeetingRequest.id)
    )
    return [
        {
            "event_id": r.event_id,
            "event_title": r.event.title,
            "sent_by_you": r.requester_id == user.id,
            "with": r.other(user.id).name,
            "message": r.message,
            "proposed_time": when(r.proposed_at),
            "status": r.status,
            "reply": r.reply,
            "created_at": when(r.created_at),
            "answered_at": when(r.answered_at),
        }
        for r in found
    ]


def export_meetings(user) -> list[dict[str, Any]]:
    when = personal_data.when
    seats = db.session.scalars(
        select(MeetingSeat).where(MeetingSeat.user_id == user.id).order_by(MeetingSeat.meeting_id)
    )
    return [
        {
            "event_id": seat.event_id,
            "event_title": seat.meeting.event.title,
            "with": seat.meeting.other_seat(user.id).user.name,
            "starts_at": when(seat.meeting.starts_at),
            "ends_at": when(seat.meeting.ends_at),
            "status": seat.meeting.status,
            "video_address": seat.meeting.video_url,
            "you_said_it_was": seat.presence,
            "outcome": seat.outcome,
            "outcome_note": seat.outcome_note,
            "outcome_three_months_later": seat.later_outcome,
        }
        for seat in seats
    ]


def export_absences(user) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(MeetingAbsence)
        .where(MeetingAbsence.user_id == user.id)
        .order_by(MeetingAbsence.event_id, MeetingAbsence.starts_at)
    )
    return [{"event_id": a.event_id, "away_at": personal_data.when(a.starts_at)} for a in rows]


def export_opportunities(user) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(MeetingOpportunity)
        .where(MeetingOpportunity.user_id == user.id)
        .order_by(MeetingOpportunity.id)
    )
    return [
        {
            "event_id": o.event_id,
            "type": o.kind,
            "title": o.title,
            "description": o.description,
            "topics": list(o.tags),
            "created_at": personal_data.when(o.created_at),
        }
        for o in rows
    ]


def export_bookmarks(user) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(MeetingBookmark)
        .where(MeetingBookmark.user_id == user.id)
        .order_by(MeetingBookmark.event_id, MeetingBookmark.created_at)
    )
    return [
        {"event_id": b.event_id, "person_id": b.target_id, "at": personal_data.when(b.created_at)}
        for b in rows
    ]


def cancel_coming_meetings(user) -> None:
    """The people the person was to meet hear that the meeting is off."""
    tell = notify.cancelled_by(user)
    for meeting in services.release_meetings_of(user.id):
        tell(meeting)


personal_data.declare(
    "meeting_requests", export=export_requests, erase=cancel_coming_meetings, order=100
)
personal_data.declare("meetings", export=export_meetings, order=101)
personal_data.declare("meeting_absences", export=export_absences, order=102)
personal_data.declare("meeting_opportunities", export=export_opportunities, order=103)
personal_data.declare("meeting_bookmarks", export=export_bookmarks, order=104)
