"""An organiser's report: for each event an organisation hosts, who came, how sign-ups,
seats and the waiting list went day by day, its 1:1 meetings, and the contacts the
organisation made around it. Read per request (only its members see it); the counting
is ``insights.events``'s.

Sign-ups over time are derived from each registration's timestamps (no status history
is kept): it waits from its creation until it is offered or given a seat, holds the seat
until it ends (cancelled, removed, an offer lapsed). An offer that lapsed counts as a seat
held while it was open; the seats column is today's number of seats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from matchmaker.contacts.models import ContactRequest
from matchmaker.events.models import Event, Registration
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.insights import events
from matchmaker.insights.event_queries import meeting_rows, participant_rows
from matchmaker.insights.figures import counts
from matchmaker.insights.queries import utc_day
from matchmaker.meetings.models import MeetingSetup

# New contacts count from the event's first day until this long after its end.
CONTACTS_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class EventReport:
    event: Event
    participants: int
    countries: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]
    days: tuple[events.Day, ...]
    meetings_on: bool
    meetings: int
    outcomes: tuple[tuple[str, int], ...]
    contacts: int


def hosted_events(organisation_id: int) -> list[Event]:
    """The events the organisation hosts, once published (also those taken off or
    cancelled later), the latest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.organisation_id == organisation_id, Event.published_at.is_not(None))
            .order_by(Event.starts_at.desc(), Event.id.desc())
        )
    )


def report(organisation_id: int, now: datetime) -> list[EventReport]:
    return [event_report(event, organisation_id, now) for event in hosted_events(organisation_id)]


def event_report(event: Event, organisation_id: int, now: datetime) -> EventReport:
    came = participant_rows(Event.id == event.id)
    held = meeting_rows(Event.id == event.id)
    return EventReport(
        event=event,
        participants=len(came),
        countries=counts(row.country for row in came),
        kinds=counts(row.kind for row in came),
        days=events.timeline(_sign_ups(event.id), _last_day(event, now)),
        meetings_on=bool(
            db.session.scalar(select(MeetingSetup.enabled).filter_by(event_id=event.id))
        ),
        meetings=len(held),
        outcomes=events.outcome_counts(held),
        contacts=_contacts(organisation_id, event, now),
    )


def _last_day(event: Event, now: datetime) -> date:
    return min(utc_day(event.ends_at), now.date())


def _sign_ups(event_id: int) -> list[events.SignUp]:
    rows = db.session.execute(
        select(
            Registration.created_at,
            Registration.offered_at,
            Registration.confirmed_at,
            Registration.ended_at,
        ).where(Registration.event_id == event_id)
    )
    return [
        events.SignUp(
            created=aware(created),
            seated=min((aware(t) for t in (offered, confirmed) if t), default=None),
            ended=aware(ended) if ended else None,
        )
        for created, offered, confirmed, ended in rows
    ]


def contact_period(event: Event) -> tuple[datetime, datetime]:
    return aware(event.starts_at), aware(event.ends_at) + CONTACTS_AFTER


def _contacts(organisation_id: int, event: Event, now: datetime) -> int:
    """Contact requests sent by or to the organisation and accepted in the period."""
    start, end = contact_period(event)
    return db.session.scalar(
        select(func.count())
        .select_from(ContactRequest)
        .where(
            ContactRequest.status == "accepted",
            or_(
                ContactRequest.sender_org_id == organisation_id,
                ContactRequest.recipient_org_id == organisation_id,
            ),
            ContactRequest.answered_at >= start,
            ContactRequest.answered_at < min(end, now),
        )
    )
