"""A person's meeting requests, meetings and slots marked away; on deleting the account,
the people they were to meet are told first.

The rows go with the account (by cascade): the requests the person sent or received, the
meetings those became (their slots and tables are free again) and the marks. Everyone
with a meeting still to come with the person hears that it is cancelled, in the
transaction of the deletion.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.meetings import notify, services
from matchmaker.meetings.models import MeetingAbsence, MeetingRequest, MeetingSeat


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
