"""Every write to an event happens here (seats and the queue: `events.seats`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update

from matchmaker.accounts.models import User, utcnow
from matchmaker.database import commit_with
from matchmaker.editing import (
    StaleEdit,
    UnknownTag,
    claim_revision,
    resolve_tags,
    sync_tags,
    sync_texts,
)
from matchmaker.events import questions as question_rules
from matchmaker.events import seats
from matchmaker.events.models import (
    ACTIVE,
    TAG_ROLES,
    TEXT_FIELDS,
    Event,
    EventHost,
    EventMessage,
    EventTag,
    EventText,
    Registration,
)
from matchmaker.events.seats import CapacityTooLow, SignUpRefused
from matchmaker.events.times import at_place, aware
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.register.models import RegisterEntry
from matchmaker.taxonomy.models import Tag

__all__ = [
    "CapacityTooLow",
    "EventInput",
    "NotPublishable",
    "SignUpRefused",
    "StaleEdit",
    "UnknownTag",
]

PAGE_SIZE = 20
PUBLIC_STATUSES = ("published", "cancelled")
ZONE_MARGIN = timedelta(hours=14)  # no place on Earth is further from UTC
# What an edit copies from the form onto the event; seats go through `seats`.
EDITABLE = (
    "kind",
    "original_language",
    "online",
    "venue",
    "address",
    "city",
    "country",
    "online_url",
    "timezone",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_deadline",
    "max_per_organisation",
    "languages",
    "audience_kinds",
    "audience_countries",
)


@dataclass(kw_only=True)
class EventInput:
    """Validated form data (times aware, in UTC); the same shape for creating and editing."""

    kind: str
    original_language: str
    online: bool = False
    venue: str = ""
    address: str = ""
    city: str = ""
    country: str | None = None
    online_url: str = ""
    timezone: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None = None
    registration_deadline: datetime
    capacity: int
    waiting_list: bool = True
    offer_hours: int = 0
    max_per_organisation: int | None = None
    languages: list[str] = field(default_factory=list)
    audience_kinds: list[str] = field(default_factory=list)
    audience_countries: list[str] = field(default_factory=list)
    # From `questions.compose`: keys are given on saving, those of the event kept.
    questions: list[dict] = field(default_factory=list)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    co_host_ids: list[int] = field(default_factory=list)


class NotPublishable(Exception):
    """Only a draft of a published organisation can be published."""


# --- organisers ----------------------------------------------------------------------------


def organiser_organisations(user: User) -> list[Organisation]:
    """The organisations `user` may host events for: those they are a member of."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def managed_event(user: User, event_id: int) -> Event | None:
    """The event if `user` is a member of its host organisation; None otherwise (404)."""
    return db.session.scalar(
        select(Event)
        .join(Membership, Membership.organisation_id == Event.organisation_id)
        .where(Event.id == event_id, Membership.user_id == user.id)
    )


def events_of(organisation_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.organisation_id == organisation_id)
            .order_by(Event.starts_at.desc())
        )
    )


def _co_hosts(event: Event, organisation_ids: list[int], user: User) -> None:
    """Co-hosts are other organisations of the same person (they can speak for them)."""
    allowed = {org.id for org in organiser_organisations(user)} - {event.organisation_id}
    wanted = [i for i in dict.fromkeys(organisation_ids) if i in allowed]
    for host in list(event.co_hosts):  # others' co-hosts stay: this person did not see them
        if host.organisation_id in allowed and host.organisation_id not in wanted:
            event.co_hosts.remove(host)
    present = {host.organisation_id for host in event.co_hosts}
    for organisation_id in wanted:
        if organisation_id not in present:
            event.co_hosts.append(EventHost(organisation_id=organisation_id))


def _apply(event: Event, data: EventInput, pairs: list[tuple[str, Tag]], user: User) -> None:
    for name in EDITABLE:
        setattr(event, name, getattr(data, name))
    event.questions = question_rules.keyed(data.questions, event.questions, event.original_language)
    sync_texts(event, data.texts, TEXT_FIELDS, EventText)
    sync_tags(event, pairs, EventTag)
    _co_hosts(event, data.co_host_ids, user)


def create_event(user: User, organisation: Organisation, data: EventInput) -> Event:
    pairs = resolve_tags(data.tags, TAG_ROLES)
    event = Event(
        organisation_id=organisation.id,
        created_by=user.id,
        capacity=data.capacity,
        waiting_list=data.waiting_list,
        offer_hours=data.offer_hours,
    )
    db.session.add(event)
    _apply(event, data, pairs, user)
    db.session.commit()
    return event


def update_event(
    user: User, event: Event, data: EventInput, revision: int, then=None
) -> seats.Outcome:
    """Save an edit; returns whom added seats went to, promoted or offered a seat
    (`then(outcome)` runs in the same transaction, to tell people).

    StaleEdit when someone saved since the form was opened; CapacityTooLow when the
    seats would be fewer than those held (confirmed or offered). Nothing is saved in
    either case.
    """
    pairs = resolve_tags(data.tags, TAG_ROLES)
    outcome = seats.set_capacity(event.id, data.capacity, data.waiting_list, data.offer_hours)
    claim_revision(Event, event, revision)
    db.session.refresh(event)
    _apply(event, data, pairs, user)
    commit_with(then, outcome)
    return outcome


def time_and_place(event: Event) -> tuple:
    """What participants are told about when it changes (times compared as aware)."""
    return (
        aware(event.starts_at),
        aware(event.ends_at),
        event.timezone,
        event.online,
        event.venue,
        event.address,
        event.city,
        event.country,
    )


def publish_event(event: Event) -> None:
    if event.organisation.status != "published":
        raise NotPublishable
    done = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "draft")
        .values(status="published", published_at=func.coalesce(Event.published_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise NotPublishable
    db.session.commit()
    db.session.refresh(event)


def set_registration_closed(event: Event, closed: bool) -> None:
    event.registration_closed = closed
    db.session.commit()


def cancel_event(event: Event, note: str, then=None) -> list[Registration]:
    """Cancel the event; returns the active registrations (all of them are told, by
    `then(event, registrations)` in the same transaction)."""
    done = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == "published")
        .values(
            status="cancelled",
            cancelled_at=utcnow(),
            cancel_note=note.strip(),
            revision=Event.revision + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return []
    db.session.refresh(event)
    told = active_registrations(event.id)
    commit_with(then, event, told)
    return told


def cancel_coming_events_of(organisation_id: int, then=None) -> list[Event]:
    """Before an organisation is deleted: its events still to come are cancelled (`then`
    as for cancel_event)."""
    now = utcnow()
    coming = [
        event
        for event in events_of(organisation_id)
        if aware(event.ends_at) > now and event.status == "published"
    ]
    for event in coming:
        cancel_event(event, "", then)
    return coming


def delete_draft(event: Event) -> bool:
    """A draft nobody could see or sign up for is simply deleted."""
    done = db.session.execute(delete(Event).where(Event.id == event.id, Event.status == "draft"))
    db.session.commit()
    return done.rowcount == 1


def unpublish_event(event: Event, note: str) -> list[Registration]:
    """A moderator takes the event off the site, with a note to the organisers.

    Returns the active registrations: those people are told (their seats stay, in case
    the event comes back). Part of the moderator's decision: the caller commits."""
    event.status = "unpublished"
    event.moderator_note = note.strip()
    event.revision += 1
    return active_registrations(event.id)


def republish_event(event: Event) -> None:
    """A moderator puts an unpublished event back (the caller commits)."""
    event.status = "published"
    event.moderator_note = None
    event.revision += 1


def published_events_of(organisation_id: int) -> list[Event]:
    return [e for e in events_of(organisation_id) if e.status == "published"]


# --- participants --------------------------------------------------------------------------


def public_event(event_id: int) -> Event | None:
    """A published or cancelled (still shown, marked) event; None for drafts and unpublished."""
    event = db.session.get(Event, event_id)
    if event is None or event.status not in PUBLIC_STATUSES or event.published_at is None:
        return None
    return event


def moderated_event(event_id: int) -> Event | None:
    """Any event that has been public, for moderators (unpublished ones included)."""
    event = db.session.get(Event, event_id)
    return event if event is not None and event.published_at is not None else None


def registration_of(user: User, event_id: int) -> Registration | None:
    """The person's active registration, else their latest one."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.user_id == user.id)
        .order_by(
            Registration.status.in_(ACTIVE).desc(),
            Registration.created_at.desc(),
            Registration.id.desc(),
        )
        .limit(1)
    )


def own_registration(user: User, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != user.id:
        return None
    return registration


def registrations_of(user: User) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .join(Event)
            .where(Registration.user_id == user.id)
            .order_by(Event.starts_at.desc(), Registration.id.desc())
        )
    )


def active_registrations(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE))
            .order_by(Registration.ticket)
        )
    )


@dataclass
class Participants:
    confirmed: list[Registration]
    waiting: list[Registration]  # in queue order: position = index + 1
    ended: list[Registration]
    offered: list[Registration] = field(default_factory=list)  # soonest deadline first


def participants(event_id: int) -> Participants:
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.ticket, Registration.id)
        )
    )
    return Participants(
        confirmed=sorted(
            (r for r in rows if r.status == "confirmed"),
            key=lambda r: (r.confirmed_at or r.created_at, r.id),
        ),
        waiting=[r for r in rows if r.status == "waiting"],
        ended=sorted(
            (r for r in rows if r.status not in ACTIVE),
            key=lambda r: (r.ended_at or r.created_at, r.id),
        ),
        offered=sorted(
            (r for r in rows if r.status == "offered"),
            key=lambda r: (aware(r.offer_expires_at), r.id),
        ),
    )


@dataclass(frozen=True)
class NamedOrganisation:
    id: int
    name: str  # the approved name, as the register shows it


@dataclass(frozen=True)
class TakingPart:
    """Who comes to an event, as anyone may see it: organisations, never people.

    Only organisations published in the register are named; the others are counted, and
    people who came without an organisation count as participants only.
    """

    participants: int
    organisations: int
    named: list[NamedOrganisation]

    @property
    def unnamed(self) -> int:
        return self.organisations - len(self.named)


def taking_part(event: Event) -> TakingPart:
    """The confirmed registrations, by organisation, in one grouped query (the waiting list
    and ended registrations do not take part, and nobody takes part in a cancelled event).
    A published organisation has an entry in the register, which gives its public name."""
    if event.status == "cancelled":
        return TakingPart(participants=0, organisations=0, named=[])
    rows = db.session.execute(
        select(Registration.organisation_id, RegisterEntry.sort_title, func.count())
        .select_from(Registration)
        .outerjoin(
            RegisterEntry,
            and_(
                RegisterEntry.item_type == "organisation",
                RegisterEntry.item_id == Registration.organisation_id,
            ),
        )
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .group_by(Registration.organisation_id, RegisterEntry.sort_title)
    ).all()
    named = [
        NamedOrganisation(organisation_id, name)
        for organisation_id, name, _count in rows
        if organisation_id is not None and name is not None
    ]
    return TakingPart(
        participants=sum(count for _id, _name, count in rows),
        organisations=sum(
            1 for organisation_id, _name, _count in rows if organisation_id is not None
        ),
        named=sorted(named, key=lambda org: (org.name.casefold(), org.id)),
    )


def event_registration(event: Event, registration_id: int) -> Registration | None:
    """A registration of this event (another event's: None, the view answers 404)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        return None
    return registration


# --- finding events ------------------------------------------------------------------------


@dataclass
class EventFilters:
    kind: str | None = None
    country: str | None = None
    month: tuple[datetime, datetime] | None = None
    tag: str | None = None
    language: str | None = None
    past: bool = False


def find_events(filters: EventFilters, page: int = 1, now: datetime | None = None):
    """(events, total): upcoming ones soonest first, or past ones latest first."""
    now = now or utcnow()
    query = select(Event).where(Event.status.in_(PUBLIC_STATUSES), Event.published_at.is_not(None))
    if filters.past:
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id)
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.country:
        query = query.where(Event.country == filters.country)
    if filters.month:
        # Widened by the largest zone offsets, then kept by the month shown at the place.
        start, end = filters.month
        query = query.where(
            Event.starts_at >= start - ZONE_MARGIN, Event.starts_at < end + ZONE_MARGIN
        )
    if filters.tag:
        query = query.where(
            Event.id.in_(select(EventTag.event_id).join(Tag).where(Tag.code == filters.tag))
        )
    events = list(db.session.scalars(query))
    if filters.month:
        month = (filters.month[0].year, filters.month[0].month)
        events = [e for e in events if _month_at_place(e) == month]
    if filters.language:  # a JSON list: filtered here, on the page's few hundred events
        events = [e for e in events if filters.language in (e.languages or [])]
    total = len(events)
    start = (max(page, 1) - 1) * PAGE_SIZE
    return events[start : start + PAGE_SIZE], total


def _month_at_place(event: Event) -> tuple[int, int]:
    local = at_place(event.starts_at, event.timezone)
    return local.year, local.month


def coming_events_hosted_by(organisation_id: int) -> list[Event]:
    """Published events still to come that the organisation hosts or co-hosts."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.status == "published",
                Event.ends_at > utcnow(),
                or_(
                    Event.organisation_id == organisation_id,
                    Event.id.in_(
                        select(EventHost.event_id).where(
                            EventHost.organisation_id == organisation_id
                        )
                    ),
                ),
            )
            .order_by(Event.starts_at)
        )
    )


def event_countries() -> list[str]:
    return sorted(
        c
        for c in db.session.scalars(
            select(Event.country)
            .where(Event.status == "published", Event.country.is_not(None))
            .distinct()
        )
        if c
    )


def event_months(past: bool = False, now: datetime | None = None) -> list[tuple[int, int]]:
    """(year, month) at the place of the public events still to come, soonest first; or of
    those that took place, latest first: the choices of the list's month filter."""
    now = now or utcnow()
    query = select(Event.starts_at, Event.timezone).where(
        Event.status.in_(PUBLIC_STATUSES), Event.published_at.is_not(None)
    )
    query = query.where(Event.ends_at <= now) if past else query.where(Event.ends_at > now)
    months = set()
    for starts_at, zone in db.session.execute(query):
        local = at_place(starts_at, zone)
        months.add((local.year, local.month))
    return sorted(months, reverse=past)


# --- calendars -----------------------------------------------------------------------------


def calendar_token(user: User, renew: bool = False) -> str:
    """The secret of the person's calendar feed; a new one revokes the old address."""
    if renew or not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(24)
        db.session.commit()
    return user.calendar_token


def user_of_calendar(token: str) -> User | None:
    if not token:
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token))


def calendar_events(user: User) -> list[Event]:
    """The events the person holds a seat at, cancelled ones included (shown cancelled)."""
    return list(
        db.session.scalars(
            select(Event)
            .join(Registration)
            .where(
                Registration.user_id == user.id,
                Registration.status == "confirmed",
                Event.status.in_(PUBLIC_STATUSES),
            )
            .order_by(Event.starts_at)
        )
    )


def end_registrations_of(user: User, then: seats.Then = None) -> list[seats.Outcome]:
    """Before an account is deleted: free its seats for the people waiting (`then(outcome)`
    runs in each release's transaction, to tell those promoted)."""
    outcomes = []
    for registration in db.session.scalars(
        select(Registration.id).where(
            Registration.user_id == user.id, Registration.status.in_(ACTIVE)
        )
    ).all():
        outcomes.append(seats.release(registration, "cancelled", then))
    return outcomes


# --- messages to participants --------------------------------------------------------------


class TooManyMessages(Exception):
    pass


class AlreadySent(Exception):
    """The same message went out a moment ago (a double click)."""


DUPLICATE_WINDOW = timedelta(minutes=10)


def record_message(
    event: Event, sender: User, audience: str, subject: str, body: str, per_day: int
) -> list[Registration]:
    """Record the message and return its recipients; TooManyMessages past the daily limit."""
    seats.lock_event(event.id)  # one message decision at a time per event
    since = utcnow() - timedelta(days=1)
    duplicate = db.session.scalar(
        select(EventMessage.id).where(
            EventMessage.event_id == event.id,
            EventMessage.audience == audience,
            EventMessage.subject == subject,
            EventMessage.body == body,
            EventMessage.sent_at > utcnow() - DUPLICATE_WINDOW,
        )
    )
    if duplicate is not None:
        db.session.rollback()
        raise AlreadySent
    sent = db.session.scalar(
        select(func.count())
        .select_from(EventMessage)
        .where(EventMessage.event_id == event.id, EventMessage.sent_at > since)
    )
    if sent >= per_day:
        db.session.rollback()  # lets go of the event's lock
        raise TooManyMessages
    recipients = [r for r in active_registrations(event.id) if r.status == audience]
    db.session.add(
        EventMessage(
            event_id=event.id,
            sender_id=sender.id,
            audience=audience,
            subject=subject,
            body=body,
            recipients=len(recipients),
        )
    )
    db.session.commit()
    return recipients


def messages_of(event_id: int) -> list[EventMessage]:
    return list(
        db.session.scalars(
            select(EventMessage)
            .where(EventMessage.event_id == event_id)
            .order_by(EventMessage.sent_at.desc())
        )
    )
