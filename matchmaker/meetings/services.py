"""1:1 meetings: who takes part, requests and their answers, booking a slot and a table.

Every change starts with `lock(event_id)`, an UPDATE of the event's set-up row: the
changes of one event's meetings run one after the other (a row lock on PostgreSQL; on
SQLite the write lock, taken before anything is read), so what each reads is what the
previous one committed. The unique keys of `models` are the last line: a person or a
table is never booked twice in a slot even if a check here were wrong.

A pending request never holds a slot: only an accepted, booked meeting does.
Refusals are `MeetingRefused(code)`; the views turn the code into a translated sentence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from matchmaker.accounts.models import User, utcnow
from matchmaker.database import commit_with
from matchmaker.events.models import Event, Registration
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.meetings import grid
from matchmaker.meetings.models import (
    MAX_MESSAGE,
    MAX_NOTE,
    MAX_VIDEO_URL,
    OUTCOMES,
    PRESENCE,
    Meeting,
    MeetingAbsence,
    MeetingAccess,
    MeetingRequest,
    MeetingSeat,
    MeetingSetup,
    pair_key,
    slot_key,
)

MEETING_KINDS = ("matchmaking", "conference")
Then = Callable[..., None] | None
# Books an accepted request at once where the organisers' agenda is published
# (`scheduling.place_late`); the views pass it in, so this module needs no scheduler.
Place = Callable[..., Meeting | None] | None
# Books the requests still waiting where a cancellation freed time, once the agenda is
# published (`scheduling.place_waiting`).
PlaceWaiting = Callable[..., list[Meeting]] | None


class MeetingRefused(Exception):
    """Why something cannot happen; `code` names a translated message."""

    def __init__(self, code: str, **details) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


# --- the set-up and the grid ---------------------------------------------------------------


def setup_of(event_id: int) -> MeetingSetup | None:
    return db.session.get(MeetingSetup, event_id)


def active_setup(event: Event) -> MeetingSetup | None:
    """The set-up when the event's meetings are on and the event is public."""
    setup = setup_of(event.id)
    if setup is None or not setup.enabled or event.status != "published":
        return None
    return setup


def windows_of(setup: MeetingSetup) -> list[grid.Window]:
    return [grid.parse_windows(f"{day} {start}-{end}")[0] for day, start, end in setup.windows]


def slots_of(setup: MeetingSetup, event: Event) -> list[grid.Slot]:
    return grid.build_slots(
        windows_of(setup), event.timezone, setup.length_minutes, setup.break_minutes
    )


def table_name_count(setup: MeetingSetup) -> int:
    return len(setup.table_names) if setup.table_names else setup.table_count


@dataclass
class SetupInput:
    enabled: bool
    windows: list[grid.Window]
    length_minutes: int
    break_minutes: int
    table_count: int
    table_names: list[str]
    video_pattern: str | None
    max_meetings: int
    max_open_requests: int
    requests_open_at: datetime | None
    requests_close_at: datetime | None
    expiry_days: int
    organiser_schedules: bool = False
    solver_seconds: int = 15
    needs_acceptance: bool = True


def save_setup(event: Event, data: SetupInput) -> MeetingSetup:
    """Create or change the set-up. GridError when the sessions make no slot or too many;
    MeetingRefused("booked_outside") when booked meetings would fall outside the new grid
    or on a table that no longer exists."""
    if event.kind not in MEETING_KINDS:
        raise MeetingRefused("wrong_kind")
    slots = grid.build_slots(data.windows, event.timezone, data.length_minutes, data.break_minutes)
    if not slots:
        raise grid.GridError("no_slots")
    lock(event.id, only_when_on=False)  # no booking slips in while the grid changes
    setup = db.session.get(MeetingSetup, event.id, populate_existing=True)
    setup = setup or MeetingSetup(event_id=event.id)
    db.session.add(setup)
    starts = {slot.starts_at for slot in slots}
    tables = len(data.table_names) if data.table_names else data.table_count
    for meeting in booked_meetings(event.id):
        if aware(meeting.starts_at) not in starts or meeting.table_number > tables:
            db.session.rollback()
            raise MeetingRefused("booked_outside")
    setup.enabled = data.enabled
    setup.windows = [[str(w.day), f"{w.start:%H:%M}", f"{w.end:%H:%M}"] for w in data.windows]
    setup.length_minutes, setup.break_minutes = data.length_minutes, data.break_minutes
    setup.table_count, setup.table_names = tables, data.table_names
    setup.video_pattern = data.video_pattern
    setup.max_meetings, setup.max_open_requests = data.max_meetings, data.max_open_requests
    setup.requests_open_at, setup.requests_close_at = data.requests_open_at, data.requests_close_at
    setup.expiry_days = data.expiry_days
    setup.organiser_schedules, setup.solver_seconds = data.organiser_schedules, data.solver_seconds
    setup.needs_acceptance = data.needs_acceptance
    setup.revision = (setup.revision or 0) + 1
    db.session.commit()
    return setup


def requests_phase(setup: MeetingSetup, event: Event, now: datetime) -> str:
    """'not_open', 'open' or 'closed' (closed once requests close or the event ends)."""
    if setup.requests_open_at and now < aware(setup.requests_open_at):
        return "not_open"
    if setup.requests_close_at and now >= aware(setup.requests_close_at):
        return "closed"
    if now >= aware(event.ends_at):
        return "closed"
    return "open"


# --- who takes part ------------------------------------------------------------------------


def _access(event_id: int, user_id: int) -> bool | None:
    found = db.session.get(MeetingAccess, (event_id, user_id))
    return None if found is None else found.allowed


def _confirmed(event_id: int, user_id: int) -> bool:
    """Whether the person has a confirmed seat (the id only: a Registration brings its
    event, person and organisation with it)."""
    found = db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event_id,
            Registration.user_id == user_id,
            Registration.status == "confirmed",
        )
    )
    return found is not None


def takes_part(event_id: int, user_id: int | None) -> bool:
    """Confirmed participants take part unless the organiser removed them; the organiser
    may also let in someone who is not (yet) confirmed."""
    if user_id is None:
        return False
    access = _access(event_id, user_id)
    if access is not None:
        return access and db.session.get(User, user_id) is not None
    return _confirmed(event_id, user_id)


@dataclass(frozen=True)
class Person:
    """Who a participant is, as the meetings pages name them (read as plain rows: a
    list of 500 people is no place for 500 ORM objects)."""

    id: int
    name: str
    locale: str | None


@dataclass
class Participant:
    user: Person | User
    organisation_id: int | None
    allowed: bool


def participants(event_id: int, everyone: bool = False) -> list[Participant]:
    """The people who take part (with those the organiser removed when `everyone`)."""
    rows = db.session.execute(
        select(User.id, User.name, User.locale, Registration.organisation_id)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event_id, Registration.status == "confirmed")
    ).all()
    found = {
        user_id: Participant(Person(user_id, name, locale), org, True)
        for user_id, name, locale, org in rows
    }
    for user_id, allowed, name, locale in db.session.execute(
        select(MeetingAccess.user_id, MeetingAccess.allowed, User.name, User.locale)
        .join(User, User.id == MeetingAccess.user_id)
        .where(MeetingAccess.event_id == event_id)
    ):
        known = found.get(user_id)
        if known is None:
            found[user_id] = Participant(Person(user_id, name, locale), None, allowed)
        else:
            known.allowed = allowed
    people = sorted(found.values(), key=lambda p: (p.user.name.casefold(), p.user.id))
    return people if everyone else [p for p in people if p.allowed]


def set_access(event: Event, user_id: int, allowed: bool) -> None:
    """The organiser lets someone take part in meetings, or takes them out. Taking them
    out does not cancel meetings already booked (the organiser decides those)."""
    access = db.session.get(MeetingAccess, (event.id, user_id))
    if access is None:
        db.session.add(MeetingAccess(event_id=event.id, user_id=user_id, allowed=allowed))
    else:
        access.allowed = allowed
    db.session.commit()


# --- what is busy --------------------------------------------------------------------------


def booked_meetings(event_id: int, user_id: int | None = None) -> list[Meeting]:
    """With both seats and their people loaded (one query each, not one per meeting)."""
    query = (
        select(Meeting)
        .where(Meeting.event_id == event_id, Meeting.status == "booked")
        .options(selectinload(Meeting.seats).selectinload(MeetingSeat.user))
    )
    if user_id is not None:
        query = query.join(MeetingSeat).where(MeetingSeat.user_id == user_id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def absences(event_id: int, user_id: int) -> set[datetime]:
    return {
        aware(moment)
        for moment in db.session.scalars(
            select(MeetingAbsence.starts_at).where(
                MeetingAbsence.event_id == event_id, MeetingAbsence.user_id == user_id
            )
        )
    }


def busy(event_id: int, user_id: int) -> set[datetime]:
    """Slots the person cannot meet in: booked meetings and slots marked away."""
    meetings = {aware(m.starts_at) for m in booked_meetings(event_id, user_id)}
    return meetings | absences(event_id, user_id)


def free_slots(setup: MeetingSetup, event: Event, *user_ids: int, now=None) -> list[grid.Slot]:
    """The slots still to come that all of them have free."""
    now = now or utcnow()
    taken = set().union(*(busy(event.id, user_id) for user_id in user_ids))
    return [s for s in slots_of(setup, event) if s.starts_at not in taken and s.starts_at > now]


def meeting_count(event_id: int, user_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingSeat)
        .join(Meeting)
        .where(
            MeetingSeat.event_id == event_id,
            MeetingSeat.user_id == user_id,
            Meeting.status == "booked",
        )
    )


def waiting_count(event_id: int, user_id: int) -> int:
    """Accepted requests of the person still without a meeting (the organiser's schedule
    will place them): they count towards the person's most meetings."""
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.status == "accepted",
            or_(MeetingRequest.requester_id == user_id, MeetingRequest.recipient_id == user_id),
            Meeting.id.is_(None),
        )
    )


def meeting_counts(event_id: int) -> dict[int, int]:
    """Booked meetings per person at the event (people with none are left out)."""
    return dict(
        db.session.execute(
            select(MeetingSeat.user_id, func.count())
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(MeetingSeat.event_id == event_id, Meeting.status == "booked")
            .group_by(MeetingSeat.user_id)
        ).all()
    )


def set_absences(event: Event, setup: MeetingSetup, user: User, away: set[datetime]) -> None:
    """The person's slots away (only slots of the grid; a slot with a booked meeting
    cannot be marked away: MeetingRefused("busy"))."""
    starts = {slot.starts_at for slot in slots_of(setup, event)}
    away = {moment for moment in away if moment in starts}
    booked = {aware(m.starts_at) for m in booked_meetings(event.id, user.id)}
    if away & booked:
        raise MeetingRefused("busy")
    for absence in db.session.scalars(
        select(MeetingAbsence).where(
            MeetingAbsence.event_id == event.id, MeetingAbsence.user_id == user.id
        )
    ):
        if aware(absence.starts_at) not in away:
            db.session.delete(absence)
        else:
            away.discard(aware(absence.starts_at))
    for moment in away:
        db.session.add(MeetingAbsence(event_id=event.id, user_id=user.id, starts_at=moment))
    db.session.commit()


# --- requests ------------------------------------------------------------------------------


def lock(event_id: int, only_when_on: bool = True) -> bool:
    """The first write of every change: serialises the changes of one event's meetings.
    MeetingRefused("off") when meetings are off (`only_when_on`); else whether there
    was a set-up to lock."""
    conditions = [MeetingSetup.event_id == event_id]
    if only_when_on:
        conditions.append(MeetingSetup.enabled.is_(True))
    done = db.session.execute(
        update(MeetingSetup)
        .where(*conditions)
        .values(bookings=MeetingSetup.bookings + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1 and only_when_on:
        db.session.rollback()
        raise MeetingRefused("off")
    return done.rowcount == 1


def _refuse(code: str, **details) -> MeetingRefused:
    db.session.rollback()
    return MeetingRefused(code, **details)


def open_requests_from(event_id: int, user_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.requester_id == user_id,
            MeetingRequest.status == "pending",
        )
    )


def _sent_since(event_id: int, user_id: int, since: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.requester_id == user_id,
            MeetingRequest.created_at > since,
        )
    )


def open_between(event_id: int, a: int, b: int) -> MeetingRequest | None:
    return db.session.scalar(
        select(MeetingRequest).where(MeetingRequest.open_key == pair_key(event_id, a, b))
    )


def _check_slot(setup, event, starts_at: datetime, *user_ids: int, now) -> grid.Slot:
    slot = grid.slot_at(slots_of(setup, event), starts_at)
    if slot is None or slot.starts_at <= now:
        raise _refuse("not_a_slot")
    for user_id in user_ids:
        if slot.starts_at in busy(event.id, user_id):
            raise _refuse("slot_not_free")
    return slot


def send_request(
    event: Event,
    requester: User,
    recipient_id: int,
    message: str,
    proposed_at: datetime | None = None,
    now: datetime | None = None,
    then: Then = None,
    per_day: int = 30,
    place: Place = None,
) -> tuple[MeetingRequest, bool]:
    """Ask someone for a meeting, optionally proposing a slot free for both;
    (request, created). An open request between the two is returned instead of a second.
    Where requests need no acceptance, the request is a meeting at once: booked in the
    proposed slot (which is then required), or waiting for the organisers' schedule.
    `then` gets the request either way (its status and meeting say which)."""
    now = now or utcnow()
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise MeetingRefused("too_long")
    setup = active_setup(event)
    if setup is None:
        raise MeetingRefused("off")
    if recipient_id == requester.id:
        raise MeetingRefused("yourself")
    if not takes_part(event.id, requester.id):
        raise MeetingRefused("not_participant")
    if not takes_part(event.id, recipient_id):
        raise MeetingRefused("not_found")
    if setup.organiser_schedules:  # the organisers give every meeting its time
        proposed_at = None
    elif not setup.needs_acceptance and proposed_at is None:
        raise MeetingRefused("choose_slot")
    phase = requests_phase(setup, event, now)
    if phase != "open":
        raise MeetingRefused(f"requests_{phase}")
    lock(event.id)
    found = open_between(event.id, requester.id, recipient_id)
    if found is not None:
        db.session.rollback()
        return found, False
    if open_requests_from(event.id, requester.id) >= setup.max_open_requests:
        raise _refuse("open_limit", limit=setup.max_open_requests)
    if _sent_since(event.id, requester.id, now - timedelta(days=1)) >= per_day:
        raise _refuse("day_limit", limit=per_day)  # asking, withdrawing, asking again…
    if proposed_at is not None:
        _check_slot(setup, event, proposed_at, requester.id, recipient_id, now=now)
    request = MeetingRequest(
        event_id=event.id,
        requester_id=requester.id,
        recipient_id=recipient_id,
        message=message,
        proposed_at=proposed_at,
        open_key=pair_key(event.id, requester.id, recipient_id),
        created_at=now,
        expires_at=_expiry(setup, event, now),
    )
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:  # cannot happen under the lock; the unique key is the last line
        db.session.rollback()
        found = open_between(event.id, requester.id, recipient_id)
        if found is None:
            raise
        return found, False
    if not setup.needs_acceptance and setup.organiser_schedules:
        _accept_waiting(setup, event, request, requester.id, place=place)
    elif not setup.needs_acceptance:
        _book_request(setup, event, request, proposed_at, requester.id, "", now)
    commit_with(then, request)
    return request, True


def _expiry(setup: MeetingSetup, event: Event, now: datetime) -> datetime:
    ends = [now + timedelta(days=setup.expiry_days), aware(event.ends_at)]
    if setup.requests_close_at:
        ends.append(aware(setup.requests_close_at))
    return min(ends)


def _close(request: MeetingRequest, status: str, **values) -> bool:
    done = db.session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == request.id, MeetingRequest.status == "pending")
        .values(status=status, open_key=None, answered_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _table_for(setup: MeetingSetup, event_id: int, starts_at: datetime) -> int | None:
    used = set(
        db.session.scalars(
            select(Meeting.table_number).where(
                Meeting.event_id == event_id,
                Meeting.starts_at == starts_at,
                Meeting.status == "booked",
            )
        )
    )
    return next((n for n in range(1, table_name_count(setup) + 1) if n not in used), None)


def accept(
    event: Event,
    request_id: int,
    user: User,
    starts_at: datetime | None,
    reply: str = "",
    now: datetime | None = None,
    then: Then = None,
) -> Meeting:
    """The recipient accepts into a slot (the proposed one when none is chosen): the
    meeting is booked at the first free table, or nothing changes and MeetingRefused
    says why."""
    now = now or utcnow()
    setup = active_setup(event)
    if setup is None:
        raise MeetingRefused("off")
    if len(reply or "") > MAX_MESSAGE:
        raise MeetingRefused("too_long")
    if setup.organiser_schedules:
        raise MeetingRefused("organiser_schedules")
    lock(event.id)
    request = _request_for(event.id, request_id, user.id, "recipient")
    if request.status != "pending":
        raise _refuse(f"already_{request.status}")
    starts_at = starts_at or aware(request.proposed_at)
    if starts_at is None:
        raise _refuse("choose_slot")
    meeting = _book_request(setup, event, request, starts_at, user.id, reply, now)
    commit_with(then, meeting)
    return meeting


def _book_request(setup, event, request, starts_at, actor_id: int, reply: str, now) -> Meeting:
    """Under the event's lock: the pending request accepted into the slot, booked at the
    first free table (flushed, not committed), or MeetingRefused with nothing changed."""
    people = (request.requester_id, request.recipient_id)
    slot = _check_slot(setup, event, starts_at, *people, now=now)
    for person in people:
        if meeting_count(event.id, person) >= setup.max_meetings:
            code = "you_are_full" if person == actor_id else "other_is_full"
            raise _refuse(code, limit=setup.max_meetings)
    table = _table_for(setup, event.id, slot.starts_at)
    if table is None:
        raise _refuse("no_table")
    _close(request, "accepted", reply=(reply or "").strip())
    meeting = book(event.id, request.id, slot, table, people)
    try:
        db.session.flush()
    except IntegrityError:  # the unique keys: a slot or table taken meanwhile
        raise _refuse("slot_not_free") from None
    db.session.refresh(request)
    return meeting


def accept_for_schedule(
    event: Event,
    request_id: int,
    user: User,
    reply: str = "",
    then: Then = None,
    place: Place = None,
) -> MeetingRequest:
    """At an event where the organisers build the agenda: the recipient accepts without a
    time, and the request waits for the schedule, or, once an agenda is published,
    `place` may book it at once (its `meeting` then says so). Both people's accepted
    meetings, booked or waiting, stay within the most allowed."""
    setup = active_setup(event)
    if setup is None:
        raise MeetingRefused("off")
    if not setup.organiser_schedules:
        raise MeetingRefused("choose_slot")
    if len(reply or "") > MAX_MESSAGE:
        raise MeetingRefused("too_long")
    lock(event.id)
    request = _request_for(event.id, request_id, user.id, "recipient")
    if request.status != "pending":
        raise _refuse(f"already_{request.status}")
    _accept_waiting(setup, event, request, user.id, reply, place)
    commit_with(then, request)
    return request


def _accept_waiting(
    setup, event, request, actor_id: int, reply: str = "", place: Place = None
) -> None:
    """Under the event's lock: the pending request accepted to wait for the organisers'
    schedule, or placed at once by `place` once an agenda is published (flushed, not
    committed); or MeetingRefused with nothing changed."""
    for person in (request.requester_id, request.recipient_id):
        if meeting_count(event.id, person) + waiting_count(event.id, person) >= setup.max_meetings:
            code = "you_are_full" if person == actor_id else "other_is_full"
            raise _refuse(code, limit=setup.max_meetings)
    _close(request, "accepted", reply=(reply or "").strip())
    db.session.refresh(request)
    if place is not None and setup.agenda_status is not None:
        place(event, setup, request)


def book(event_id: int, request_id: int, slot: grid.Slot, table: int, people) -> Meeting:
    meeting = Meeting(
        event_id=event_id,
        request_id=request_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        table_number=table,
        table_key=slot_key(event_id, slot.starts_at, table),
    )
    meeting.seats = [
        MeetingSeat(
            user_id=person,
            event_id=event_id,
            person_key=slot_key(event_id, slot.starts_at, person),
        )
        for person in people
    ]
    db.session.add(meeting)
    return meeting


def _request_for(event_id: int, request_id: int, user_id: int, side: str) -> MeetingRequest:
    """The request if `user_id` is on that side of it (else MeetingRefused("not_found"))."""
    request = db.session.get(MeetingRequest, request_id, populate_existing=True)
    mine = request is not None and request.event_id == event_id
    if mine and side == "recipient":
        mine = request.recipient_id == user_id
    elif mine and side == "requester":
        mine = request.requester_id == user_id
    elif mine:
        mine = user_id in (request.requester_id, request.recipient_id)
    if not mine:
        raise _refuse("not_found")
    return request


def decline(event: Event, request_id: int, user: User, reason: str = "", then: Then = None):
    if len(reason or "") > MAX_MESSAGE:
        raise MeetingRefused("too_long")
    lock(event.id)
    request = _request_for(event.id, request_id, user.id, "recipient")
    if not _close(request, "declined", reply=(reason or "").strip()):
        raise _refuse(f"already_{request.status}")
    db.session.refresh(request)
    commit_with(then, request)
    return request


def withdraw(event: Event, request_id: int, user: User) -> MeetingRequest:
    lock(event.id)
    request = _request_for(event.id, request_id, user.id, "requester")
    if not _close(request, "withdrawn"):
        raise _refuse(f"already_{request.status}")
    db.session.commit()
    db.session.refresh(request)
    return request


def cancel_meeting(
    event: Event, meeting_id: int, user: User, then: Then = None, place: PlaceWaiting = None
) -> Meeting:
    """Either person cancels a booked meeting still to come: the slot and table are free.
    Once an agenda is published, `place` may book requests waiting for a time into what
    the cancellation freed; `then(meeting, placed)` hears of both."""
    lock(event.id)
    meeting = _meeting_for(event.id, meeting_id, user.id)
    if meeting.status != "booked":
        raise _refuse("already_cancelled")
    if aware(meeting.starts_at) <= utcnow():
        raise _refuse("started")
    _release(meeting)
    db.session.flush()
    setup = active_setup(event)
    placed = []
    if place is not None and setup is not None and setup.agenda_status is not None:
        placed = place(event, setup)
    commit_with(then, meeting, tuple(placed))
    return meeting


def move_meeting(
    event: Event,
    meeting_id: int,
    starts_at: datetime,
    table: int,
    now: datetime | None = None,
    then: Then = None,
) -> Meeting:
    """The organiser moves a booked meeting still to come to another slot or table, by
    the rules of booking: the slot is one of the grid's and still to come, both people
    are free and not away then, and the table is free. MeetingRefused says which rule
    fails, and nothing changes. The calendar entries are replaced (SEQUENCE)."""
    now = now or utcnow()
    setup = active_setup(event)
    if setup is None:
        raise MeetingRefused("off")
    lock(event.id)
    meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.event_id != event.id:
        raise _refuse("not_found")
    if meeting.status != "booked":
        raise _refuse("already_cancelled")
    if aware(meeting.starts_at) <= now:
        raise _refuse("started")
    if not 1 <= table <= table_name_count(setup):
        raise _refuse("bad_value")
    slot = grid.slot_at(slots_of(setup, event), starts_at)
    if slot is None or slot.starts_at <= now:
        raise _refuse("not_a_slot")
    same_slot = slot.starts_at == aware(meeting.starts_at)
    for seat in meeting.seats:
        if slot.starts_at in absences(event.id, seat.user_id):
            raise _refuse("person_away", person=seat.user.name)
        if not same_slot and slot.starts_at in busy(event.id, seat.user_id):
            raise _refuse("person_busy", person=seat.user.name)
    if _table_taken(event.id, slot.starts_at, table, meeting.id):
        raise _refuse("table_taken")
    try:
        relocate([(meeting, slot, table)])
    except IntegrityError:  # the unique keys: cannot happen under the lock
        raise _refuse("slot_not_free") from None
    commit_with(then, meeting)
    return meeting


def relocate(moves: list[tuple[Meeting, grid.Slot, int]]) -> None:
    """Give booked meetings new slots and tables at once (two may swap times): every
    old key goes before a new one is taken, and each calendar entry gets a new SEQUENCE.
    Flushes; IntegrityError when a new place is taken. The caller holds the event's lock."""
    for meeting, _slot, _table in moves:
        _release_keys(meeting)
    db.session.flush()
    for meeting, slot, table in moves:
        meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
        meeting.table_number = table
        meeting.table_key = slot_key(meeting.event_id, slot.starts_at, table)
        for seat in meeting.seats:
            seat.person_key = slot_key(meeting.event_id, slot.starts_at, seat.user_id)
        meeting.revision += 1
    db.session.flush()


def set_locked(event: Event, meeting_id: int, locked: bool) -> Meeting:
    """The organisers lock a booked meeting ("schedule all" keeps it where it is) or
    unlock it. MeetingRefused("not_found") for any other meeting."""
    lock(event.id, only_when_on=False)
    meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.event_id != event.id or meeting.status != "booked":
        raise _refuse("not_found")
    meeting.locked = locked
    db.session.commit()
    return meeting


def _table_taken(event_id: int, starts_at: datetime, table: int, but: int) -> bool:
    return (
        db.session.scalar(
            select(Meeting.id).where(
                Meeting.event_id == event_id,
                Meeting.starts_at == starts_at,
                Meeting.table_number == table,
                Meeting.status == "booked",
                Meeting.id != but,
            )
        )
        is not None
    )


def _release_keys(meeting: Meeting) -> None:
    meeting.table_key = None
    for seat in meeting.seats:
        seat.person_key = None


def _release(meeting: Meeting) -> None:
    meeting.status = "cancelled"
    meeting.cancelled_at = utcnow()
    meeting.revision += 1
    _release_keys(meeting)


def _meeting_for(event_id: int, meeting_id: int, user_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id, populate_existing=True)
    if meeting is None or meeting.event_id != event_id or meeting.seat_of(user_id) is None:
        raise _refuse("not_found")
    return meeting


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Never part of an address as a browser copies it (RFC 3986), but of markup or of tricks.
_NOT_IN_ADDRESS = frozenset('<>"`\\')


def clean_video_url(value: str | None) -> str | None:
    """A video-call address as pasted (spaces around it dropped), or None for empty.
    MeetingRefused("video_too_long") past MAX_VIDEO_URL characters; "video_bad" unless
    it is an https:// address with a host name and nothing that a browser would drop or
    read otherwise: no spaces, control characters, quotes, angle brackets or backslashes
    inside, no user name before the host (`https://zoom.us@elsewhere.example` goes to
    elsewhere.example)."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_VIDEO_URL:
        raise MeetingRefused("video_too_long", limit=MAX_VIDEO_URL)
    if any(
        char.isspace() or char in _NOT_IN_ADDRESS or unicodedata.category(char).startswith("C")
        for char in value
    ):
        raise MeetingRefused("video_bad")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise MeetingRefused("video_bad") from None
    labels = host.split(".")
    if (
        parts.scheme.lower() != "https"
        or "@" in parts.netloc
        or len(labels) < 2
        or not all(_HOST_LABEL.match(label) for label in labels)
    ):
        raise MeetingRefused("video_bad")
    return value


def set_video_url(
    event: Event, meeting_id: int, user: User, value: str | None, then: Then = None
) -> tuple[Meeting, bool]:
    """Either person of a booked meeting at an online event gives its video address (their
    own Teams, Zoom or Meet link), for both of them; empty clears it, and the organiser's
    pattern applies again. (meeting, changed): a change raises the calendar revision and
    runs `then(meeting)`, in the same transaction, to tell the other person."""
    lock(event.id)
    meeting = _meeting_for(event.id, meeting_id, user.id)
    if meeting.status != "booked":
        raise _refuse("already_cancelled")
    if not event.online:
        raise _refuse("video_not_online")
    try:
        address = clean_video_url(value)
    except MeetingRefused:
        db.session.rollback()
        raise
    if address == meeting.video_url:
        db.session.rollback()
        return meeting, False
    meeting.video_url = address
    meeting.revision += 1
    commit_with(then, meeting)
    return meeting, True


def release_meetings_of(user_id: int, event_id: int | None = None) -> list[Meeting]:
    """The person's meetings still to come (at one event, or all) are cancelled: their
    account is being deleted, or their seat at the event ended. The caller tells the
    other people."""
    now = utcnow()
    seats = select(MeetingSeat).where(
        MeetingSeat.user_id == user_id, MeetingSeat.person_key.is_not(None)
    )
    if event_id is not None:
        seats = seats.where(MeetingSeat.event_id == event_id)
    found = [
        seat.meeting for seat in db.session.scalars(seats) if aware(seat.meeting.starts_at) > now
    ]
    for meeting in found:
        _release(meeting)
    return found


# --- on the day and after ------------------------------------------------------------------


def mark_presence(event: Event, meeting_id: int, user: User, presence: str) -> Meeting:
    """Held or no-show, from the time the meeting starts (either side may mark it)."""
    if presence not in PRESENCE:
        raise MeetingRefused("bad_value")
    meeting = _meeting_for(event.id, meeting_id, user.id)
    if meeting.status != "booked":
        raise _refuse("already_cancelled")
    if aware(meeting.starts_at) > utcnow():
        raise _refuse("not_yet")
    meeting.seat_of(user.id).presence = presence
    db.session.commit()
    return meeting


def rate(event: Event, meeting_id: int, user: User, outcome: str, note: str = "") -> Meeting:
    """What came of a held meeting, once the event has ended; the note is seen only by
    the person and the organisers."""
    if outcome not in OUTCOMES:
        raise MeetingRefused("bad_value")
    if len(note or "") > MAX_NOTE:
        raise MeetingRefused("too_long")
    meeting = _meeting_for(event.id, meeting_id, user.id)
    if meeting.status != "booked":
        raise _refuse("already_cancelled")
    if aware(event.ends_at) > utcnow():
        raise _refuse("not_yet")
    seat = meeting.seat_of(user.id)
    seat.outcome, seat.outcome_note, seat.rated_at = outcome, (note or "").strip(), utcnow()
    db.session.commit()
    return meeting


# --- what a person sees --------------------------------------------------------------------


def requests_of(event_id: int, user_id: int) -> list[MeetingRequest]:
    return list(
        db.session.scalars(
            select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event_id,
                or_(
                    MeetingRequest.requester_id == user_id,
                    MeetingRequest.recipient_id == user_id,
                ),
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
    )


def expire_requests(now: datetime, then: Then = None) -> list[MeetingRequest]:
    """Close pending requests whose time is up (each in its own transaction, with
    `then(request)` to tell the requester)."""
    expired = []
    for request in db.session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.status == "pending", MeetingRequest.expires_at <= now)
        .order_by(MeetingRequest.id)
    ).all():
        if _close(request, "expired"):
            db.session.refresh(request)
            commit_with(then, request)
            expired.append(request)
        else:
            db.session.rollback()
    return expired


def remind_before_expiry(now: datetime, within: timedelta, then: Then = None) -> int:
    """Remind the recipients of pending requests that expire within `within` (once each,
    `then(request)` in the transaction that marks it)."""
    reminded = 0
    for request in db.session.scalars(
        select(MeetingRequest)
        .where(
            MeetingRequest.status == "pending",
            MeetingRequest.reminded_at.is_(None),
            MeetingRequest.expires_at <= now + within,
            MeetingRequest.expires_at > now,
        )
        .order_by(MeetingRequest.id)
    ).all():
        done = db.session.execute(
            update(MeetingRequest)
            .where(MeetingRequest.id == request.id, MeetingRequest.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            db.session.rollback()
            continue
        commit_with(then, request)
        reminded += 1
    return reminded


def rate_later(event: Event, meeting_id: int, user: User, outcome: str) -> Meeting:
    """The answer to the three-month question."""
    if outcome not in OUTCOMES:
        raise MeetingRefused("bad_value")
    meeting = _meeting_for(event.id, meeting_id, user.id)
    seat = meeting.seat_of(user.id)
    if meeting.status != "booked" or seat.later_asked_at is None:
        raise _refuse("not_yet")
    seat.later_outcome, seat.later_rated_at = outcome, utcnow()
    db.session.commit()
    return meeting
