"""The rows of the Connections figures, counted by the worker and kept for every process.

Counting means reading every link and computing betweenness (seconds at 10,000
organisations), so it is never done on a page's request: the worker counts (``refresh``,
queued by the page when the register or the hour has changed since the last count, and
run every few minutes besides) and keeps the result in ``insight_snapshot`` as numbers per
organisation id. The page shows the last complete count, with the organisations' names,
regions, categories and wish not to be named as they are now (read once per register
change), so a change of name or of that wish shows at once.

Only organisation ids are read from the links: never a person, a message or a note.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from matchmaker.contacts.models import ContactRequest
from matchmaker.events.models import Event, EventHost, Registration
from matchmaker.extensions import db
from matchmaker.insights import connections
from matchmaker.insights.models import InsightSnapshot
from matchmaker.meetings.models import Meeting, MeetingSeat
from matchmaker.organisations.models import Organisation
from matchmaker.register.index import current_token, per_change
from matchmaker.register.models import RegisterEntry, RegisterEntryTag
from matchmaker.taxonomy.models import Tag

SNAPSHOT = "connections"


@dataclass(frozen=True)
class Count:
    """The last complete count: when it was made, and what it found."""

    built_at: datetime
    summary: connections.Summary


@dataclass
class ConnectedRegister:
    """The published organisations, and the figures of one count made with them."""

    organisations: dict[int, connections.Organisation]
    built_at: datetime | None = None
    computed: dict[str | None, connections.ConnectionFigures] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def figures(self, count: Count, country: str | None) -> connections.ConnectionFigures:
        with self.lock:
            if self.built_at != count.built_at:
                self.built_at, self.computed = count.built_at, {}
            if country not in self.computed:
                self.computed[country] = connections.connection_figures(
                    count.summary, self.organisations, country
                )
            return self.computed[country]


def connected_register() -> ConnectedRegister:
    def read() -> ConnectedRegister:
        return ConnectedRegister({item.id: item for item in _organisations()})

    return per_change("insights connections", read)


def connection_figures(country: str | None = None) -> connections.ConnectionFigures | None:
    """The figures of the last complete count; None before the first."""
    count = last_count()
    return None if count is None else connected_register().figures(count, country)


def last_counted() -> datetime | None:
    return db.session.scalar(
        select(InsightSnapshot.built_at).where(InsightSnapshot.name == SNAPSHOT)
    )


_last: list[Count] = []  # this process's copy of the last count it read
_last_lock = threading.Lock()


def last_count() -> Count | None:
    """The last complete count (read from the database only when it is a new one)."""
    built_at = last_counted()
    if built_at is None:
        return None
    with _last_lock:
        if not _last or _last[0].built_at != built_at:
            payload = db.session.scalar(
                select(InsightSnapshot.payload).where(InsightSnapshot.name == SNAPSHOT)
            )
            _last[:] = [Count(built_at, connections.summary_from_json(payload))]
        return _last[0]


def hour_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _utc(value: datetime) -> datetime:
    """Naive datetimes are UTC (as SQLite returns them)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_fresh(now: datetime) -> bool:
    """Whether the last count was made on today's register within this hour."""
    kept = db.session.execute(
        select(InsightSnapshot.register_token, InsightSnapshot.hour).where(
            InsightSnapshot.name == SNAPSHOT
        )
    ).first()
    if kept is None:
        return False
    return kept.register_token == current_token() and _utc(kept.hour) == hour_of(now)


def refresh(now: datetime) -> bool:
    """Count again unless the last count is fresh; whether it counted. The caller commits."""
    if is_fresh(now):
        return False
    token = current_token()  # read first: the count can only be newer than its token
    organisations = _organisations()
    summary = connections.summarise(connections.network(organisations, read_links(now)))
    row = db.session.get(InsightSnapshot, SNAPSHOT) or InsightSnapshot(name=SNAPSHOT)
    row.register_token, row.hour, row.built_at = token, hour_of(now), now
    row.payload = connections.summary_to_json(summary)
    db.session.add(row)
    return True


def _organisations() -> tuple[connections.Organisation, ...]:
    rows = db.session.execute(
        select(
            RegisterEntry.id,
            RegisterEntry.item_id,
            RegisterEntry.sort_title,
            RegisterEntry.country,
            RegisterEntry.region,
            Organisation.unnamed_in_insights,
        )
        .join(Organisation, Organisation.id == RegisterEntry.item_id)
        .where(RegisterEntry.item_type == "organisation")
    ).all()
    categories: dict[int, list[str]] = {}
    for entry_id, code in db.session.execute(
        select(RegisterEntryTag.entry_id, Tag.code)
        .join(Tag, Tag.id == RegisterEntryTag.tag_id)
        .join(RegisterEntry, RegisterEntry.id == RegisterEntryTag.entry_id)
        .where(RegisterEntry.item_type == "organisation", RegisterEntryTag.role == "category")
    ):
        categories.setdefault(entry_id, []).append(code)
    return tuple(
        connections.Organisation(
            id=item_id,
            name=name,
            country=country,
            region=region,
            categories=tuple(sorted(categories.get(entry_id, ()))),
            named=not unnamed,
        )
        for entry_id, item_id, name, country, region, unnamed in rows
    )


def read_links(now: datetime) -> list[connections.Link]:
    return [*_contact_links(), *_event_links(now), *_meeting_links()]


def _contact_links() -> Iterator[connections.Link]:
    for sender, recipient, count in db.session.execute(
        select(ContactRequest.sender_org_id, ContactRequest.recipient_org_id, func.count())
        .where(ContactRequest.status == "accepted")
        .group_by(ContactRequest.sender_org_id, ContactRequest.recipient_org_id)
    ):
        yield connections.Link(sender, recipient, "contact", count)


def _event_links(now: datetime) -> Iterator[connections.Link]:
    """Published events that have ended: their hosts and the organisations that came."""
    held = select(Event.id).where(Event.status == "published", Event.ends_at <= now)
    hosts: dict[int, set[int]] = {}
    for event_id, organisation_id in db.session.execute(
        select(Event.id, Event.organisation_id).where(Event.id.in_(held))
    ):
        hosts.setdefault(event_id, set()).add(organisation_id)
    for event_id, organisation_id in db.session.execute(
        select(EventHost.event_id, EventHost.organisation_id).where(EventHost.event_id.in_(held))
    ):
        hosts[event_id].add(organisation_id)
    guests: dict[int, set[int]] = {}
    for event_id, organisation_id in db.session.execute(
        select(Registration.event_id, Registration.organisation_id)
        .where(
            Registration.event_id.in_(held),
            Registration.status == "confirmed",
            Registration.organisation_id.is_not(None),
        )
        .distinct()
    ):
        guests.setdefault(event_id, set()).add(organisation_id)
    for event_id, organisations in hosts.items():
        yield from connections.event_links(organisations, guests.get(event_id, ()))


def held_meeting_ids():
    """The ids of meetings that were held: one of the two said so and neither said the
    other never came (the one rule of the insights page and the organisers' reports;
    whether the meeting is still booked is the caller's to check)."""
    said = MeetingSeat.presence
    return (
        select(MeetingSeat.meeting_id)
        .group_by(MeetingSeat.meeting_id)
        .having(
            func.sum(case((said == "held", 1), else_=0)) > 0,
            func.sum(case((said == "no_show", 1), else_=0)) == 0,
        )
    )


def _meeting_links() -> Iterator[connections.Link]:
    """Booked meetings that were held (``held_meeting_ids``). Each person counts for the
    organisation they came to the event for."""
    held = held_meeting_ids()
    sides: dict[int, list[int]] = {}
    for meeting_id, organisation_id in db.session.execute(
        select(MeetingSeat.meeting_id, Registration.organisation_id)
        .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
        .join(
            Registration,
            (Registration.event_id == MeetingSeat.event_id)
            & (Registration.user_id == MeetingSeat.user_id)
            & (Registration.status == "confirmed"),
        )
        .where(
            Meeting.status == "booked",
            MeetingSeat.meeting_id.in_(held),
            Registration.organisation_id.is_not(None),
        )
    ):
        sides.setdefault(meeting_id, []).append(organisation_id)
    for organisations in sides.values():
        if len(organisations) == 2:
            yield connections.Link(*organisations, "meeting")
