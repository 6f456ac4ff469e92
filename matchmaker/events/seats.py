"""Seats and the waiting list, race-free by construction.

Every change of an event's seats starts with an UPDATE of the event row. That write
locks the row (PostgreSQL) or the database (SQLite, whose transactions begin at the
first write): every sign-up, cancellation and promotion of one event runs one after the
other, and what each reads after its first statement is what the previous one committed.
Within that:

- a seat is taken only by `UPDATE event SET taken = taken + 1 WHERE taken < capacity`;
- the check constraint `taken <= capacity` refuses anything else;
- a unique `active_key` allows one active registration per person and event;
- a freed seat goes to the first in the queue in the same transaction that freed it,
  so no seat stays empty while someone waits: at once when the event's `offer_hours` is
  0, else as an offer. An offered seat is held for that person (it counts in `taken`)
  until they confirm it, decline it or let it lapse; a declined or lapsed offer goes to
  the next in line in the transaction that ends it.

Confirming an offer and its lapse race at the deadline: both lock the event row first and
only then look at the offer (its status, its deadline), so exactly one of them happens.

A waiting person's position is not stored: it is their rank by ticket among those still
waiting, so positions are 1, 2, 3… without gaps whatever leaves the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.accounts.models import utcnow
from matchmaker.database import commit_with
from matchmaker.events.models import ACTIVE, HOLDING_A_SEAT, Event, Registration, active_key
from matchmaker.events.times import aware
from matchmaker.extensions import db


class SignUpRefused(Exception):
    """Why a sign-up cannot happen; `code` names a translated message."""

    def __init__(self, code: str, **details) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


class OfferRefused(Exception):
    """Why an offered seat cannot be confirmed; `code` names a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Outcome:
    """What a change of seats did: the registration, who was promoted (given a seat) and
    who was offered one."""

    registration: Registration | None
    created: bool = False
    promoted: tuple[int, ...] = ()
    offered: tuple[int, ...] = ()


class Filled(NamedTuple):
    """Those the queue moved on: seated at once, or offered a seat."""

    promoted: tuple[int, ...] = ()
    offered: tuple[int, ...] = ()


# What a change causes (notifications, e-mails), written in the change's own transaction.
Then = Callable[[Outcome], None] | None

# Other features' part of a registration ending (e.g. the person's meetings at the event
# are cancelled): each hook is called with the registration, in the same transaction.
# The feature that owns that data adds its hook; this module knows none of them.
WHEN_ENDED: list[Callable[[Registration], None]] = []


def when_registration_ends(hook: Callable[[Registration], None]) -> None:
    if hook not in WHEN_ENDED:
        WHEN_ENDED.append(hook)


def _lock(event_id: int, *conditions, draw_ticket: bool = False):
    """Lock the event row (the first write of the transaction); None when `conditions`
    refuse. Returns the event's ticket count (after drawing one when `draw_ticket`), its
    seats per organisation and whether it keeps a waiting list."""
    drawn = Event.tickets + 1 if draw_ticket else Event.tickets
    statement = (
        update(Event)
        .where(Event.id == event_id, *conditions)
        .values(tickets=drawn)
        .returning(Event.tickets, Event.max_per_organisation, Event.waiting_list)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).first()


def _lock_for(registration_id: int, *conditions) -> int | None:
    """Lock the event of a registration; its id, or None (no such registration, refused)."""
    event_id = db.session.scalar(
        select(Registration.event_id).where(Registration.id == registration_id)
    )
    if event_id is None or _lock(event_id, *conditions) is None:
        db.session.rollback()
        return None
    return event_id


def lock_event(event_id: int) -> None:
    """Serialise a decision about the event with every change of its seats."""
    _lock(event_id)


def _take_seat(event_id: int) -> bool:
    done = db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.taken < Event.capacity)
        .values(taken=Event.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _free_seat(event_id: int) -> None:
    db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.taken > 0)
        .values(taken=Event.taken - 1)
        .execution_options(synchronize_session=False)
    )


def _first_waiting(event_id: int) -> int | None:
    return db.session.scalar(
        select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == "waiting")
        .order_by(Registration.ticket)
        .limit(1)
    )


def _set_status(
    registration_id: int, old: tuple[str, ...], new: str, *conditions, **values
) -> bool:
    if new not in ACTIVE:
        values["active_key"] = None
        values.setdefault("ended_at", utcnow())
    done = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status.in_(old), *conditions)
        .values(status=new, **values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def offer_deadline(now: datetime, offer_hours: int, starts_at: datetime) -> datetime:
    """Until when an offer made at `now` stands: `offer_hours` later, and never after the
    event begins."""
    return min(now + timedelta(hours=offer_hours), aware(starts_at))


def _fill(event_id: int, now: datetime | None = None) -> Filled:
    """Give free seats to the first in the queue (or offer them, by the event's
    `offer_hours`); the event row must be locked.

    Nobody is given or offered a seat at a cancelled event or one that has begun.
    """
    now = now or utcnow()
    status, starts_at, offer_hours = db.session.execute(
        select(Event.status, Event.starts_at, Event.offer_hours).where(Event.id == event_id)
    ).one()
    if status != "published" or aware(starts_at) <= now:
        return Filled()
    moved = []
    while (first := _first_waiting(event_id)) is not None and _take_seat(event_id):
        if offer_hours:
            _set_status(
                first,
                ("waiting",),
                "offered",
                offered_at=now,
                offer_expires_at=offer_deadline(now, offer_hours, starts_at),
            )
        else:
            _set_status(first, ("waiting",), "confirmed", confirmed_at=now)
        moved.append(first)
    return Filled(offered=tuple(moved)) if offer_hours else Filled(promoted=tuple(moved))


def _fresh(registration_id: int) -> Registration:
    """The registration as the database has it now (after conditional updates)."""
    registration = db.session.get(Registration, registration_id)
    db.session.refresh(registration)
    return registration


def _status_of(registration_id: int) -> str | None:
    return db.session.scalar(select(Registration.status).where(Registration.id == registration_id))


def _active(event_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.active_key == active_key(event_id, user_id))
    )


def _standing(event_id: int, user_id: int) -> tuple[Registration | None, bool]:
    """The person's active registration at the event, and whether they were removed."""
    rows = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status.in_((*ACTIVE, "removed")),
        )
    ).all()
    active = next((r for r in rows if r.is_active), None)
    return active, any(r.status == "removed" for r in rows)


def closed_reason(event: Event, now: datetime) -> str | None:
    """Why `event` takes no sign-ups at `now`, or None: the twin of `open_for_sign_up`,
    for pages and messages (the decision itself is the SQL one, under the lock)."""
    if event.status in ("draft", "unpublished"):
        return "not_published"
    if event.status == "cancelled":
        return "cancelled"
    if aware(event.starts_at) <= now:
        return "past"
    if event.registration_opens_at is not None and aware(event.registration_opens_at) > now:
        return "not_open_yet"
    if event.registration_closed or aware(event.registration_deadline) <= now:
        return "closed"
    return None


def _refusal(event_id: int, now: datetime) -> SignUpRefused:
    """Why the locking update found no open event (read after the rollback)."""
    event = db.session.get(Event, event_id)
    reason = closed_reason(event, now) if event is not None else "not_published"
    return SignUpRefused("not_found" if reason == "not_published" else reason or "closed")


def open_for_sign_up(now: datetime):
    """The conditions under which an event takes sign-ups, as SQL."""
    return (
        Event.status == "published",
        Event.registration_closed.is_(False),
        Event.registration_deadline > now,
        Event.starts_at > now,
        (Event.registration_opens_at.is_(None)) | (Event.registration_opens_at <= now),
    )


def sign_up(
    event_id: int,
    user_id: int,
    *,
    organisation_id: int | None = None,
    answers: dict[str, str] | None = None,
    share_email: bool = False,
    share_phone: bool = False,
    now: datetime | None = None,
    then: Then = None,
) -> Outcome:
    """A seat if one is free, else a place on the waiting list (if the event keeps one).

    Signing up again returns the active registration unchanged (created False).
    The caller has checked that `organisation_id` is one of the person's organisations.
    `then(outcome)` runs in the same transaction when a registration is created.
    """
    now = now or utcnow()
    locked = _lock(event_id, *open_for_sign_up(now), draw_ticket=True)
    if locked is None:
        db.session.rollback()
        raise _refusal(event_id, now)
    ticket, limit, keeps_waiting_list = locked
    existing, removed = _standing(event_id, user_id)
    if existing is not None:
        db.session.rollback()
        return Outcome(existing, created=False)
    if removed:
        db.session.rollback()
        raise SignUpRefused("removed")
    if limit is not None and organisation_id is not None:
        held = db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.organisation_id == organisation_id,
                Registration.status.in_(ACTIVE),
            )
        )
        if held >= limit:
            db.session.rollback()
            raise SignUpRefused("organisation_limit", limit=limit)
    if _take_seat(event_id):
        status, confirmed_at = "confirmed", now
    elif keeps_waiting_list:
        status, confirmed_at = "waiting", None
    else:
        db.session.rollback()
        raise SignUpRefused("full")
    registration = Registration(
        event_id=event_id,
        user_id=user_id,
        organisation_id=organisation_id,
        status=status,
        ticket=ticket,
        active_key=active_key(event_id, user_id),
        answers=answers or {},
        share_email=share_email,
        share_phone=share_phone,
        created_at=now,
        confirmed_at=confirmed_at,
    )
    db.session.add(registration)
    try:
        db.session.flush()
        commit_with(then, Outcome(registration, created=True))
    except IntegrityError:  # cannot happen under the lock; the unique key is the last line
        db.session.rollback()
        found = _active(event_id, user_id)
        if found is None:
            raise
        return Outcome(found, created=False)
    return Outcome(registration, created=True)


def _end(
    registration_id: int,
    new_status: str,
    then: Then,
    *conditions,
    ending: tuple[str, ...] = ACTIVE,
    now: datetime | None = None,
) -> Outcome:
    """End a registration whose status is one of `ending` (and that meets `conditions`,
    judged under the lock). A seat it held goes on to the first in the queue in the same
    transaction; otherwise nothing changes (registration None, and `then` does not run)."""
    event_id = _lock_for(registration_id)
    if event_id is None:
        return Outcome(None)
    now = now or utcnow()
    old = _status_of(registration_id)
    if old not in ending or not _set_status(
        registration_id, (old,), new_status, *conditions, ended_at=now
    ):
        db.session.rollback()
        return Outcome(None)
    filled = Filled()
    if old in HOLDING_A_SEAT:
        _free_seat(event_id)
        filled = _fill(event_id, now)
    outcome = Outcome(_fresh(registration_id), promoted=filled.promoted, offered=filled.offered)
    for hook in WHEN_ENDED:
        hook(outcome.registration)
    commit_with(then, outcome)
    return outcome


def release(registration_id: int, new_status: str = "cancelled", then: Then = None) -> Outcome:
    """End an active registration (cancelled by the person, removed by the organiser):
    a seat, an offered seat or a place in the queue.

    A freed seat goes to the first in the queue in the same transaction. Ending a
    registration that is no longer active changes nothing (registration None, and `then`
    does not run).
    """
    return _end(registration_id, new_status, then)


def decline_offer(registration_id: int, then: Then = None) -> Outcome:
    """The person does not want the seat offered to them: they leave the queue and the
    seat is offered to the next in line. Registration None when no offer stands."""
    return _end(registration_id, "cancelled", then, ending=("offered",))


def accept_offer(registration_id: int, now: datetime | None = None, then: Then = None) -> Outcome:
    """Confirm the seat offered to the person, before the offer's deadline and the event's
    start. OfferRefused says why not, and nothing changes.

    The deadline is judged after the event's lock is taken: an acceptance that waited
    behind the offer's lapse finds it lapsed, and a lapse that waited behind the
    acceptance finds the seat confirmed.
    """
    event_id = _lock_for(registration_id)
    if event_id is None:
        raise OfferRefused("not_found")
    now = now or utcnow()
    status, expires_at = db.session.execute(
        select(Registration.status, Registration.offer_expires_at).where(
            Registration.id == registration_id
        )
    ).one()
    event_status, starts_at = db.session.execute(
        select(Event.status, Event.starts_at).where(Event.id == event_id)
    ).one()
    reason = None
    if status == "confirmed":
        reason = "already_confirmed"
    elif status == "lapsed":
        reason = "lapsed"
    elif status != "offered":
        reason = "no_offer"
    elif event_status != "published":
        reason = "cancelled" if event_status == "cancelled" else "closed"
    elif aware(starts_at) <= now:
        reason = "past"
    elif aware(expires_at) <= now:
        reason = "lapsed"
    if reason is None and not _set_status(
        registration_id,
        ("offered",),
        "confirmed",
        Registration.offer_expires_at > now,
        confirmed_at=now,
    ):
        reason = "lapsed"  # the conditional update is the last word
    if reason is not None:
        db.session.rollback()
        raise OfferRefused(reason)
    outcome = Outcome(_fresh(registration_id))
    commit_with(then, outcome)
    return outcome


def expire_offers(now: datetime | None = None, then: Then = None) -> list[Outcome]:
    """Offers whose deadline has passed lapse, and each seat is offered to the next in line
    (each in its own transaction, `then(outcome)` telling both). Returns what lapsed."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Registration.id)
        .where(Registration.status == "offered", Registration.offer_expires_at <= now)
        .order_by(Registration.offer_expires_at, Registration.id)
    ).all()
    outcomes = []
    for registration_id in due:
        outcome = _end(
            registration_id,
            "lapsed",
            then,
            Registration.offer_expires_at <= now,
            ending=("offered",),
            now=now,
        )
        if outcome.registration is not None:
            outcomes.append(outcome)
    return outcomes


# The reminder goes when a quarter of the time to confirm is left, at most a day before.
REMINDER_SHARE = 4
REMINDER_AT_MOST = timedelta(hours=24)


def reminder_due(offered_at: datetime, expires_at: datetime) -> datetime:
    """When the person is reminded of an offer they have not answered yet."""
    before = min((aware(expires_at) - aware(offered_at)) / REMINDER_SHARE, REMINDER_AT_MOST)
    return aware(expires_at) - before


def remind_offers(now: datetime | None = None, then: Then = None) -> int:
    """Remind, once, those whose offer lapses soon (`reminder_due`); `then(outcome)` runs
    in the transaction that marks the reminder. Returns how many were reminded."""
    now = now or utcnow()
    pending = db.session.execute(
        select(Registration.id, Registration.offered_at, Registration.offer_expires_at).where(
            Registration.status == "offered",
            Registration.reminded_at.is_(None),
            Registration.offer_expires_at > now,
        )
    ).all()
    reminded = 0
    for registration_id, offered_at, expires_at in pending:
        if offered_at is None or reminder_due(offered_at, expires_at) > now:
            continue
        if _lock_for(registration_id) is None:
            continue
        if not _set_status(
            registration_id,
            ("offered",),
            "offered",
            Registration.reminded_at.is_(None),
            Registration.offer_expires_at > now,
            reminded_at=now,
        ):
            db.session.rollback()
            continue
        commit_with(then, Outcome(_fresh(registration_id)))
        reminded += 1
    return reminded


def give_seat(registration_id: int, then: Then = None) -> Outcome:
    """The organiser seats someone from the waiting list out of turn: one more seat.

    Only before a published event begins.
    """
    event_id = _lock_for(registration_id, Event.status == "published", Event.starts_at > utcnow())
    if event_id is None:
        return Outcome(None)
    if not _set_status(registration_id, ("waiting",), "confirmed", confirmed_at=utcnow()):
        db.session.rollback()
        return Outcome(None)
    db.session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(capacity=Event.capacity + 1, taken=Event.taken + 1, revision=Event.revision + 1)
        .execution_options(synchronize_session=False)
    )
    outcome = Outcome(_fresh(registration_id), promoted=(registration_id,))
    commit_with(then, outcome)
    return outcome


def move_to_front(registration_id: int) -> bool:
    """Put a waiting person first in the queue."""
    event_id = _lock_for(registration_id)
    if event_id is None:
        return False
    first = db.session.scalar(
        select(func.min(Registration.ticket)).where(
            Registration.event_id == event_id, Registration.status == "waiting"
        )
    )
    moved = first is not None and _set_status(
        registration_id, ("waiting",), "waiting", ticket=first - 1
    )
    if not moved:
        db.session.rollback()
        return False
    db.session.commit()
    return True


class CapacityTooLow(Exception):
    def __init__(self, confirmed: int) -> None:
        super().__init__(confirmed)
        self.confirmed = confirmed


def set_capacity(
    event_id: int, capacity: int, waiting_list: bool, offer_hours: int | None = None
) -> Outcome:
    """Change the seats (and the hours to confirm an offer, unless None); never below the
    seats held (confirmed or offered). New seats go to the queue, under the new rule.

    Part of a larger edit: the caller commits.
    """
    if _lock(event_id) is None:
        raise LookupError(event_id)
    values = {"capacity": capacity, "waiting_list": waiting_list}
    if offer_hours is not None:
        values["offer_hours"] = offer_hours
    done = db.session.execute(
        update(Event)
        .where(Event.id == event_id, Event.taken <= capacity)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        confirmed = db.session.scalar(select(Event.taken).where(Event.id == event_id))
        db.session.rollback()
        raise CapacityTooLow(confirmed)
    filled = _fill(event_id)
    return Outcome(None, promoted=filled.promoted, offered=filled.offered)


def position(registration: Registration) -> int | None:
    """1 for the first in the queue; None when not waiting."""
    if registration.status != "waiting":
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == "waiting",
            Registration.ticket <= registration.ticket,
        )
    )
