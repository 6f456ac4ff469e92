"""Schedule all, between the database and the pure `scheduler`.

The organiser builds a preview: the event as a `scheduler.Problem` (the grid's slots,
with a new session wherever the gap between two slots is longer than the break; the
tables; everyone taking part with their most meetings and the slots they marked away;
the accepted requests; booked meetings kept exactly where they are), scheduled at once
by the fast heuristic and stored as the event's `MeetingScheduleRun`. A background job
then lets the solver improve it within the set-up's time limit. Nothing is booked until
the organiser publishes: each proposed meeting is then booked like an accepted request
(the event's lock, the unique keys), and each person hears once what their agenda holds.

Booked meetings stay where they are, so a preview built after a publication places only
what came since (a late acceptance, a request whose meeting was cancelled) around them.
The organiser may release the published meetings instead: the preview may then move
each one that is not locked, has not started and whose people are both still free then,
though never drop one; it is published only onto the booked meetings it was built from.
A publication is "provisional" (times may still change) or "final". Once there is one,
a late acceptance gets its time at once (`place_late`), and a cancellation lets the
requests still waiting into the time it frees (`place_waiting`), around every booked
meeting. No new meeting goes into a slot that has begun.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from matchmaker.accounts.models import utcnow
from matchmaker.database import commit_with
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.meetings import grid, scheduler, services
from matchmaker.meetings.models import (
    Meeting,
    MeetingAbsence,
    MeetingRequest,
    MeetingScheduleRun,
    MeetingSetup,
)
from matchmaker.meetings.services import MeetingRefused

Then = Callable[..., None] | None


def sessions_of(slots: list[grid.Slot], break_minutes: int) -> tuple[int, ...]:
    """The session of each slot: a new one starts after a gap longer than the break."""
    sessions, current = [], 0
    for before, slot in zip([None, *slots], slots, strict=False):
        if before is not None and slot.starts_at - before.ends_at > timedelta(
            minutes=break_minutes
        ):
            current += 1
        sessions.append(current)
    return tuple(sessions)


def minutes(moment: datetime) -> int:
    """A slot's start as UTC minutes, as stored in a run."""
    return int(aware(moment).timestamp()) // 60


def _moment(value: int) -> datetime:
    return datetime.fromtimestamp(value * 60, UTC)


def waiting_requests(event_id: int) -> list[MeetingRequest]:
    """Accepted requests that have no meeting yet: what "schedule all" places. (A
    meeting once booked keeps its row when cancelled, so its request is not placed
    again.) Both people come with them: the organiser's pages name every pair."""
    return list(
        db.session.scalars(
            select(MeetingRequest)
            .options(selectinload(MeetingRequest.requester), selectinload(MeetingRequest.recipient))
            .outerjoin(Meeting, Meeting.request_id == MeetingRequest.id)
            .where(
                MeetingRequest.event_id == event_id,
                MeetingRequest.status == "accepted",
                Meeting.id.is_(None),
            )
            .order_by(MeetingRequest.id)
        )
    )


def booked_state(meetings: list[Meeting]) -> str:
    """A fingerprint of the booked meetings: where each is, and whether it is locked."""
    rows = sorted((m.id, minutes(m.starts_at), m.table_number, bool(m.locked)) for m in meetings)
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def problem_of(
    event: Event,
    setup: MeetingSetup,
    release: bool = False,
    now: datetime | None = None,
    booked_now: list[Meeting] | None = None,
) -> tuple[scheduler.Problem, list[grid.Slot]]:
    """The event as the scheduler sees it, and the slots its indexes refer to. With
    `release`, booked meetings that are not locked, have not started and whose people
    are not away then may move. `booked_now`: the booked meetings, when the caller has
    them already."""
    now = now or utcnow()
    if booked_now is None:
        booked_now = services.booked_meetings(event.id)
    slots = services.slots_of(setup, event)
    index = {slot.starts_at: i for i, slot in enumerate(slots)}
    taking_part = {p.user.id for p in services.participants(event.id)}
    begun = {i for i, slot in enumerate(slots) if slot.starts_at <= now}
    away: dict[int, set[int]] = defaultdict(lambda: set(begun))
    for user_id, starts_at in db.session.execute(
        select(MeetingAbsence.user_id, MeetingAbsence.starts_at).where(
            MeetingAbsence.event_id == event.id
        )
    ):
        if aware(starts_at) in index:
            away[user_id].add(index[aware(starts_at)])
    requests, keep, movable = [], {}, {}
    booked = Counter()
    for meeting in booked_now:
        where = index.get(aware(meeting.starts_at))
        if where is None:
            continue
        a, b = (seat.user_id for seat in meeting.seats)
        requests.append(scheduler.Request(meeting.request_id, a, b))
        booked.update((a, b))
        may_move = (
            release
            and not meeting.locked
            and aware(meeting.starts_at) > now
            and where not in away[a] | away[b]
        )
        placements = movable if may_move else keep
        placements[meeting.request_id] = scheduler.Placement(where, meeting.table_number)
    for r in waiting_requests(event.id):
        if r.requester_id in taking_part and r.recipient_id in taking_part:
            requests.append(scheduler.Request(r.id, r.requester_id, r.recipient_id))
    people_ids = taking_part | {p for r in requests for p in (r.a, r.b)}
    # Nobody loses a booked meeting to a maximum lowered after it was booked.
    people = {
        p: scheduler.Person(p, max(setup.max_meetings, booked[p]), frozenset(away[p]))
        for p in people_ids
    }
    problem = scheduler.Problem(
        sessions=sessions_of(slots, setup.break_minutes),
        tables=services.table_name_count(setup),
        people=people,
        requests=tuple(requests),
        keep=keep,
        movable=movable,
    )
    return problem, slots


def place_late(event: Event, setup: MeetingSetup, request: MeetingRequest) -> Meeting | None:
    """Under the event's lock, once an agenda is published: the request just accepted
    gets the time that fits both people best (the fewest idle gaps), around every booked
    meeting, none of which moves; flushed, not committed. None when nothing fits: it
    then waits for the organisers' next schedule."""
    problem, slots = problem_of(event, setup)
    only = tuple(r for r in problem.requests if r.id in problem.keep or r.id == request.id)
    booked = _book_new(event, dataclasses.replace(problem, requests=only), slots)
    db.session.expire(request, ["meeting"])
    return booked[0] if booked else None


def place_waiting(event: Event, setup: MeetingSetup) -> list[Meeting]:
    """Under the event's lock, once an agenda is published and a booked meeting was just
    cancelled: the accepted requests still waiting get the times that now fit, around
    every booked meeting, none of which moves; flushed, not committed. The meetings
    booked (none when nothing fits)."""
    problem, slots = problem_of(event, setup)
    if len(problem.requests) == len(problem.keep):
        return []  # nothing waits
    return _book_new(event, problem, slots)


def _book_new(event: Event, problem: scheduler.Problem, slots: list[grid.Slot]) -> list[Meeting]:
    """The quick pass's new meetings booked (the kept ones are booked already)."""
    schedule = scheduler.quick(problem)
    booked = []
    for request_id, where in sorted(schedule.placed.items()):
        if request_id in problem.keep:
            continue
        request = db.session.get(MeetingRequest, request_id)
        people = (request.requester_id, request.recipient_id)
        booked.append(services.book(event.id, request_id, slots[where.slot], where.table, people))
    db.session.flush()
    return booked


def run_of(event_id: int) -> MeetingScheduleRun | None:
    return db.session.get(MeetingScheduleRun, event_id, populate_existing=True)


def build(event: Event, setup: MeetingSetup, release: bool = False) -> MeetingScheduleRun:
    """A new preview by the heuristic, replacing the last one; the caller then starts the
    solver job (`improve`) with the run's token. With `release` it may move published
    meetings (see `problem_of`)."""
    booked_now = services.booked_meetings(event.id)
    problem, slots = problem_of(event, setup, release, booked_now=booked_now)
    state = booked_state(booked_now)
    schedule = scheduler.quick(problem)
    run = run_of(event.id) or MeetingScheduleRun(event_id=event.id)
    db.session.add(run)
    run.token = secrets.token_hex(16)
    run.created_at, run.published_at = utcnow(), None
    run.released, run.booked_state = release, state
    _store(run, schedule, problem, slots, setup, status="improving")
    db.session.commit()
    return run


def improve(event: Event, token: str) -> bool:
    """The solver's schedule replaces the preview it started from, unless a newer build
    or a publication came meanwhile (the write is conditional on both). True when it
    did."""
    setup = services.active_setup(event)
    run = run_of(event.id)
    if setup is None or run is None or run.token != token or run.status != "improving":
        return False
    booked_now = services.booked_meetings(event.id)
    problem, slots = problem_of(event, setup, run.released, booked_now=booked_now)
    if run.released and booked_state(booked_now) != run.booked_state:
        return False  # it would move meetings from where they no longer are
    schedule = scheduler.solve(problem, seconds=setup.solver_seconds)
    done = db.session.execute(
        update(MeetingScheduleRun)
        .where(
            MeetingScheduleRun.event_id == event.id,
            MeetingScheduleRun.token == token,
            MeetingScheduleRun.status == "improving",
        )
        .values(**_values(schedule, problem, slots, setup, status="ready"))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return done.rowcount == 1


def _store(run, schedule, problem, slots, setup, status: str) -> None:
    for name, value in _values(schedule, problem, slots, setup, status).items():
        setattr(run, name, value)


def _values(schedule, problem, slots, setup, status: str) -> dict:
    """A run's columns for `schedule` (slot indexes as UTC minutes)."""
    booked = problem.keep | problem.movable
    new = {r: where for r, where in schedule.placed.items() if r not in booked}
    moves = {
        r: where for r, where in schedule.placed.items() if problem.movable.get(r, where) != where
    }
    report = schedule.report
    return {
        "placements": [
            [request_id, minutes(slots[where.slot].starts_at), where.table]
            for request_id, where in sorted(new.items())
        ],
        "moves": [
            [request_id, minutes(slots[where.slot].starts_at), where.table]
            for request_id, where in sorted(moves.items())
        ],
        "unplaced": [
            [request_id, why.reason, why.person]
            for request_id, why in sorted(schedule.unplaced.items())
        ],
        "report": {
            "wanted": report.wanted,
            "placed": report.placed,
            "kept": len(problem.keep),
            "released": len(problem.movable),
            "bound": report.bound,
            "optimal": report.optimal,
            "gaps": report.gaps,
            "gaps_min": report.gaps_min,
            "gaps_median": report.gaps_median,
            "gaps_max": report.gaps_max,
            "short": list(report.short),
            "seconds": round(report.seconds, 3),
        },
        "method": report.method,
        "status": status,
        "setup_revision": setup.revision,
        "finished_at": utcnow() if status == "ready" else None,
    }


@dataclasses.dataclass
class Publication:
    """What a publication changed: the meetings it booked and moved, how many proposals
    no longer fitted, whether the agenda is now final, and (when it just became final)
    every booked meeting, whose people are told so."""

    event: Event
    booked: list[Meeting]
    moved: list[Meeting]
    skipped: int
    final: bool
    now_final: list[Meeting]


def publish(event: Event, final: bool = False, then: Then = None) -> Publication:
    """Book the preview's meetings and move the ones it moves; the agenda is then
    provisional or `final`. Proposals that no longer fit (a request withdrawn, a slot
    taken meanwhile) are left out, the rest is booked. Without a new preview, a
    provisional agenda can still be made final. MeetingRefused: "no_preview" (nothing to
    publish), "grid_changed" (the set-up changed after the preview was built),
    "booked_changed" (a preview that moves meetings, built on meetings that changed)."""
    setup = services.active_setup(event)
    if setup is None:
        raise MeetingRefused("off")
    services.lock(event.id)
    run = run_of(event.id)
    was_final = setup.agenda_status == "final"
    if run is None or run.status == "published":
        if not (final and setup.agenda_status == "provisional"):
            db.session.rollback()
            raise MeetingRefused("no_preview")
        booked, moved, skipped = [], [], 0
    else:
        if run.setup_revision != setup.revision:
            db.session.rollback()
            raise MeetingRefused("grid_changed")
        moved = _apply_moves(event, setup, run)
        booked, skipped = _book_placements(event, setup, run)
        db.session.execute(
            update(MeetingScheduleRun)
            .where(MeetingScheduleRun.event_id == event.id)
            .values(status="published", published_at=utcnow())
        )
    status = "final" if final else "provisional"
    changes_status = setup.agenda_status not in (None, status)
    everyone = services.booked_meetings(event.id) if changes_status or final else []
    if changes_status:
        # Provisional or final is in every calendar entry (TENTATIVE or CONFIRMED).
        for meeting in everyone:
            meeting.revision += 1
    setup.agenda_status = status
    now_final = everyone if final and not was_final else []
    publication = Publication(event, booked, moved, skipped, final, now_final)
    commit_with(then, publication)
    return publication


def _slots_by_minute(setup: MeetingSetup, event: Event) -> dict[int, grid.Slot]:
    return {minutes(slot.starts_at): slot for slot in services.slots_of(setup, event)}


def _apply_moves(event: Event, setup: MeetingSetup, run: MeetingScheduleRun) -> list[Meeting]:
    """The preview's moves, all at once, onto the booked meetings it was built from."""
    if not run.moves:
        return []
    meetings = services.booked_meetings(event.id)
    if booked_state(meetings) != run.booked_state:
        db.session.rollback()
        raise MeetingRefused("booked_changed")
    by_request = {m.request_id: m for m in meetings}
    slots = _slots_by_minute(setup, event)
    moves = [(by_request[r], slots[starts], table) for r, starts, table in run.moves]
    now = utcnow()
    if any(aware(m.starts_at) <= now or slot.starts_at <= now for m, slot, _t in moves):
        db.session.rollback()
        raise MeetingRefused("booked_changed")  # a meeting to move has begun meanwhile
    services.relocate(moves)
    return [meeting for meeting, _slot, _table in moves]


def _book_placements(event: Event, setup: MeetingSetup, run: MeetingScheduleRun):
    """Book each proposed meeting that still fits; (the meetings, how many did not)."""
    slots = _slots_by_minute(setup, event)
    waiting = {r.id: r for r in waiting_requests(event.id)}
    booked, skipped, now = [], 0, utcnow()
    for request_id, starts, table in run.placements:
        request, slot = waiting.get(request_id), slots.get(starts)
        if request is None or slot is None or slot.starts_at <= now:
            skipped += 1
            continue
        people = (request.requester_id, request.recipient_id)
        try:
            with db.session.begin_nested():
                meeting = services.book(event.id, request.id, slot, table, people)
                db.session.flush()
        except IntegrityError:  # the person or the table is taken in that slot now
            skipped += 1
            continue
        booked.append(meeting)
    return booked, skipped


def waiting_reasons(event: Event, setup: MeetingSetup) -> dict[int, scheduler.Unplaced]:
    """Why accepted requests could not be placed, by request id, as the current preview
    found (empty without one)."""
    run = run_of(event.id)
    if run is None or run.status == "published" or run.setup_revision != setup.revision:
        return {}
    return {
        request_id: scheduler.Unplaced(reason, person)
        for request_id, reason, person in run.unplaced
    }
