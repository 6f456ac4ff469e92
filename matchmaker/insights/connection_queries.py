"""The rows of the Connections figures, and the figures kept per register change and hour.

The organisations are the register's (``register_entry``: approved versions only, with
the approved name and tags) and are read again after each register change; whether one
asked not to be named is read with them (changing it moves the register's token). The
links — contact requests, events, meetings — change without a register change, so they
are read again at most once an hour (the first request of a new hour rebuilds the graph).

Only organisation ids are read from the links: never a person, a message or a note.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from matchmaker.contacts.models import ContactRequest
from matchmaker.events.models import Event, EventHost, Registration
from matchmaker.extensions import db
from matchmaker.insights import connections
from matchmaker.meetings.models import Meeting, MeetingSeat
from matchmaker.organisations.models import Organisation
from matchmaker.register.index import per_change
from matchmaker.register.models import RegisterEntry, RegisterEntryTag
from matchmaker.taxonomy.models import Tag


@dataclass
class ConnectedRegister:
    """The published organisations, and the network of the current hour built on them."""

    organisations: tuple[connections.Organisation, ...]
    hour: datetime | None = None
    network: connections.Network | None = None
    computed: dict[str | None, connections.ConnectionFigures] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def figures(self, now: datetime, country: str | None) -> connections.ConnectionFigures:
        hour = now.replace(minute=0, second=0, microsecond=0)
        with self.lock:
            if self.network is None or self.hour != hour:
                self.network = connections.network(self.organisations, read_links(now))
                self.hour, self.computed = hour, {}
            if country not in self.computed:
                self.computed[country] = connections.connection_figures(self.network, country)
            return self.computed[country]


def connected_register() -> ConnectedRegister:
    return per_change("insights connections", lambda: ConnectedRegister(_organisations()))


def connection_figures(now: datetime, country: str | None = None):
    return connected_register().figures(now, country)


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
