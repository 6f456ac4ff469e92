"""The rows of the Events figures, read at most once an hour, and the rows of one event.

Only events that took place are read for the public page: published, their end past.
Nothing personal is read: kinds, countries and dates of events, the country and kind of
the organisation each participant came for, and what came of held meetings.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.insights import events
from matchmaker.insights.connection_queries import held_meeting_ids
from matchmaker.insights.queries import utc_day
from matchmaker.meetings.models import Meeting, MeetingSeat
from matchmaker.organisations.models import Organisation
from matchmaker.register.index import per_change


@dataclass
class EventActivity:
    """The rows of the current hour, and the figures made of them (per country)."""

    hour: datetime | None = None
    rows: tuple | None = None
    computed: dict[str | None, events.EventFigures] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def figures(self, now: datetime, country: str | None) -> events.EventFigures:
        hour = now.replace(minute=0, second=0, microsecond=0)
        with self.lock:
            if self.rows is None or self.hour != hour:
                self.rows, self.hour, self.computed = read_rows(now), hour, {}
            if country not in self.computed:
                self.computed[country] = events.event_figures(*self.rows, now.date(), country)
            return self.computed[country]


def event_figures(now: datetime, country: str | None = None) -> events.EventFigures:
    return per_change("insights events", EventActivity).figures(now, country)


def read_rows(now: datetime) -> tuple[list, list, list]:
    held = (Event.status == "published", Event.ends_at <= now)
    return event_rows(*held), participant_rows(*held), meeting_rows(*held)


def event_rows(*where) -> list[events.EventRow]:
    rows = db.session.execute(
        select(
            Event.id, Event.kind, func.coalesce(Event.country, Organisation.country), Event.ends_at
        )
        .join(Organisation, Organisation.id == Event.organisation_id)
        .where(*where)
    )
    return [events.EventRow(id_, kind, country, utc_day(ends)) for id_, kind, country, ends in rows]


def participant_rows(*where) -> list[events.ParticipantRow]:
    rows = db.session.execute(
        select(Registration.event_id, Organisation.country, Organisation.kind)
        .join(Event, Event.id == Registration.event_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.status == "confirmed", *where)
    )
    return [events.ParticipantRow(*row) for row in rows]


def meeting_rows(*where) -> list[events.MeetingRow]:
    """Booked meetings that were held, each with what its two people said came of it."""
    said: dict[tuple[int, int], list[str | None]] = {}
    for event_id, meeting_id, outcome in db.session.execute(
        select(Meeting.event_id, Meeting.id, MeetingSeat.outcome)
        .join(MeetingSeat, MeetingSeat.meeting_id == Meeting.id)
        .join(Event, Event.id == Meeting.event_id)
        .where(Meeting.status == "booked", Meeting.id.in_(held_meeting_ids()), *where)
    ):
        said.setdefault((event_id, meeting_id), []).append(outcome)
    return [events.MeetingRow(event_id, tuple(o)) for (event_id, _id), o in said.items()]
