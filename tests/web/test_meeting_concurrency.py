"""Booking meetings under real concurrency: 8 processes accepting requests into a small
grid at once must never double-book a person or a table.

The harness (spawned processes, each with its own app, released together at a barrier;
a SQLite file in WAL mode, and PostgreSQL when TEST_DATABASE_URL points at one) is the
one of test_event_concurrency. 30 participants, 4 slots, 2 tables: 8 meetings fit in the
grid at most, and 150 pending requests (some pairs asked both ways) are accepted at once,
each into a slot drawn at random, so almost every acceptance races with others for the
same person, slot or table.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from matchmaker.accounts.models import User, utcnow
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.meetings import grid, services
from matchmaker.meetings.models import Meeting, MeetingRequest, MeetingSeat
from matchmaker.meetings.services import MeetingRefused, SetupInput
from tests.web.test_event_concurrency import (  # noqa: F401  (database: a fixture)
    database,
    published_event,
    workers,
)

PEOPLE = 30
REQUESTS = 150
TABLES = 2
SEED = 20261206
# Refusals a person may see when they accept; anything else (an exception) fails the test.
CLEAN_REFUSALS = {"slot_not_free", "no_table", "you_are_full", "other_is_full"}


def _accept(app, operation) -> tuple:
    """In a worker: the recipient accepts into the slot given (as the view does)."""
    event_id, request_id, user_id, starts_at = operation
    with app.app_context():
        event, user = db.session.get(Event, event_id), db.session.get(User, user_id)
        try:
            meeting = services.accept(event, request_id, user, starts_at)
        except MeetingRefused as refusal:
            return (request_id, None, refusal.code)
        return (request_id, meeting.id, None)


def make_day() -> tuple[int, list[int], list]:
    """A published matchmaking event whose meetings are on: 4 slots, 2 tables, PEOPLE
    confirmed participants."""
    from tests.factories import UserFactory

    event = published_event(PEOPLE, waiting_list=False, hours=48)
    starts = event.starts_at
    day = (starts + timedelta(days=1)).date()
    services.save_setup(
        event,
        SetupInput(
            enabled=True,
            windows=grid.parse_windows(f"{day} 09:00-11:00"),
            length_minutes=25,
            break_minutes=5,
            table_count=TABLES,
            table_names=[],
            video_pattern=None,
            max_meetings=3,
            max_open_requests=PEOPLE,
            requests_open_at=None,
            requests_close_at=None,
            expiry_days=7,
        ),
    )
    users = UserFactory.build_batch(PEOPLE, password_hash="not-a-login")
    db.session.add_all(users)
    db.session.flush()
    for ticket, user in enumerate(users, start=1):
        db.session.add(
            Registration(
                event_id=event.id,
                user_id=user.id,
                status="confirmed",
                ticket=ticket,
                active_key=f"{event.id}-{user.id}",
                confirmed_at=utcnow(),
            )
        )
    db.session.commit()
    setup = services.setup_of(event.id)
    return event.id, [u.id for u in users], services.slots_of(setup, event)


def make_requests(event_id: int, people: list[int], rng: random.Random) -> list[MeetingRequest]:
    """REQUESTS pending requests between random pairs, one open per pair."""
    event = db.session.get(Event, event_id)
    made, pairs = [], set()
    while len(made) < REQUESTS:
        asker, asked = rng.sample(people, 2)
        if frozenset((asker, asked)) in pairs:
            continue
        pairs.add(frozenset((asker, asked)))
        request, created = services.send_request(
            event, db.session.get(User, asker), asked, "Shall we meet?"
        )
        assert created
        made.append(request)
    return made


def test_concurrent_acceptances_never_double_book_a_person_or_a_table(database):  # noqa: F811
    rng = random.Random(SEED)
    event_id, people, slots = make_day()
    requests = make_requests(event_id, people, rng)
    operations = [(event_id, r.id, r.recipient_id, rng.choice(slots).starts_at) for r in requests]

    with workers(*database, runner=_accept) as run:
        outcomes, errors = run(operations)

    assert errors == []
    assert len(outcomes) == REQUESTS
    refusals = {code for _request, meeting, code in outcomes if meeting is None}
    assert refusals <= CLEAN_REFUSALS
    booked_ids = [meeting for _request, meeting, _code in outcomes if meeting is not None]
    assert booked_ids, "nothing was booked at all"

    db.session.expire_all()
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.event_id == event_id)))
    assert sorted(m.id for m in meetings) == sorted(booked_ids)
    # Nobody twice in a slot, no table twice in a slot, no more tables than there are.
    seats = [(m.starts_at, s.user_id) for m in meetings for s in m.seats]
    assert len(seats) == len(set(seats)) == 2 * len(meetings)
    tables = [(m.starts_at, m.table_number) for m in meetings]
    assert len(tables) == len(set(tables))
    assert all(1 <= m.table_number <= TABLES for m in meetings)
    assert len(meetings) <= len(slots) * TABLES
    # Nobody over the maximum, and each accepted request has exactly its meeting.
    per_person: dict[int, int] = {}
    for _slot, person in seats:
        per_person[person] = per_person.get(person, 0) + 1
    assert max(per_person.values()) <= 3
    statuses = dict(
        db.session.execute(
            select(MeetingRequest.id, MeetingRequest.status).where(
                MeetingRequest.event_id == event_id
            )
        ).all()
    )
    accepted = {request_id for request_id, status in statuses.items() if status == "accepted"}
    assert accepted == {m.request_id for m in meetings}
    assert all(status in ("accepted", "pending") for status in statuses.values())
    # The keys that enforce it are set on every booked seat and table.
    assert all(m.table_key for m in meetings)
    assert all(
        seat.person_key
        for seat in db.session.scalars(select(MeetingSeat).where(MeetingSeat.event_id == event_id))
    )
