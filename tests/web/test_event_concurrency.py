"""Seats under real concurrency: separate processes signing up and cancelling at once.

Every worker is its own process (multiprocessing "spawn": a fresh interpreter, its own app,
engine and connections, as a gunicorn worker has) and calls `matchmaker.events.seats` as the
views do, each call in its own app context (a fresh session, as a request gets). The workers
build their app first and then wait at a barrier, so each phase starts in all of them at once.

Two databases: a SQLite file in WAL mode (a fresh temporary file, so several processes really
share one WAL database), and PostgreSQL when TEST_DATABASE_URL points at one (the suite's
database, through the `app` fixture: its tables are emptied around the test).

Phase 1: 200 people sign up for 20 seats with a waiting list. Phase 2: 50 of them cancel
(some confirmed, most waiting, many near the head of the queue, i.e. being promoted while
they leave) while 50 new people sign up.

Offers (an event whose freed seats are offered, to confirm before a deadline): at the
deadline of a dozen offers, their acceptances (some a moment before the deadline, some a
moment after, some twice), declines and expiry runs race with cancellations that make new
offers, people leaving the queue and new sign-ups.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import traceback
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from matchmaker import create_app
from matchmaker.accounts.models import utcnow
from matchmaker.events import seats
from matchmaker.events.models import ACTIVE, Event, Registration
from matchmaker.events.services import EventInput, create_event, publish_event
from matchmaker.events.times import aware
from matchmaker.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_config, reset_schema

WORKERS = 8
CAPACITY = 20
SIGN_UPS = 200
LATE_SIGN_UPS = 50
CANCEL_CONFIRMED = 15
CANCEL_WAITING = 35  # drawn from the first 60 in the queue: they race with promotions
SEED = 20261123
STATUSES = ("confirmed", "offered", "waiting", "cancelled", "removed", "lapsed")
TIMEOUT = 120  # seconds: a hung or dead worker fails the test instead of blocking it

ON_POSTGRESQL = (TEST_DATABASE_URL or "").startswith("postgresql")


# --- the workers (run in the child processes) ----------------------------------------------


def _run(app, operation) -> tuple:
    kind, first, second = operation
    with app.app_context():
        if kind == "sign_up":
            outcome = seats.sign_up(first, second)
            return ("sign_up", second, outcome.registration.id, outcome.created, ())
        outcome = seats.release(first)
        found = outcome.registration.id if outcome.registration is not None else None
        return ("release", first, found, found is not None, outcome.promoted)


def _run_offers(app, operation) -> tuple:
    """(kind, registration, what happened, promoted, offered) for an operation of the
    offers' race; `moment` is the time the operation believes it is."""
    kind, first, moment = operation
    with app.app_context():
        if kind == "sign_up":
            outcome = seats.sign_up(first, moment)
            return ("sign_up", moment, outcome.registration.id, (), ())
        if kind == "accept":
            try:
                seats.accept_offer(first, now=moment)
            except seats.OfferRefused as refused:
                return ("accept", first, refused.code, (), ())
            return ("accept", first, "confirmed", (), ())
        if kind == "expire":
            outcomes = seats.expire_offers(moment)
            lapsed = tuple(o.registration.id for o in outcomes)
            promoted = tuple(p for o in outcomes for p in o.promoted)
            return ("expire", None, lapsed, promoted, tuple(p for o in outcomes for p in o.offered))
        outcome = seats.decline_offer(first) if kind == "decline" else seats.release(first)
        found = outcome.registration.id if outcome.registration is not None else None
        return (kind, first, found, outcome.promoted, outcome.offered)


def _worker(database_url: str, smtp_port: int, jobs, results, start, runner=None) -> None:
    """One process, one app: runs each batch it is given once every worker is ready
    (`runner(app, operation)`, `_run` by default: another test module may pass its own
    module-level function)."""
    runner = runner or _run
    try:
        app = create_app(make_config(database_url, smtp_port))
        with app.app_context():
            # Before the barrier: the mappers' configuration and the first connection, so
            # that the workers' operations, not their warm-up, run at the same time.
            db.session.scalar(select(Registration.id).limit(1))
    except Exception:
        start.abort()  # the others stop waiting for this one
        results.put(([], [f"create_app: {traceback.format_exc()}"]))
        return
    try:
        while (batch := jobs.get()) is not None:
            done, errors = [], []
            try:
                start.wait(timeout=TIMEOUT)
            except Exception:
                results.put(([], [f"barrier: {traceback.format_exc()}"]))
                continue
            for operation in batch:
                try:
                    done.append(runner(app, operation))
                except Exception:
                    errors.append(f"{operation}: {traceback.format_exc()}")
            results.put((done, errors))
    finally:
        with app.app_context():
            db.engine.dispose()
        # Everything is reported: skip the interpreter's teardown of the whole app (about a
        # second of CPU per process), as a forked child would.
        results.close()
        results.join_thread()
        os._exit(0)


@contextmanager
def workers(database_url: str, smtp_port: int, runner=None):
    """WORKERS processes; `run(operations)` deals them out and returns (outcomes, errors)."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    results = context.Queue()
    queues = [context.Queue() for _ in range(WORKERS)]
    processes = [
        context.Process(
            target=_worker,
            args=(database_url, smtp_port, jobs, results, start, runner),
            daemon=True,
        )
        for jobs in queues
    ]
    for process in processes:
        process.start()

    def run(operations: list[tuple]) -> tuple[list[tuple], list[str]]:
        for index, jobs in enumerate(queues):
            jobs.put(operations[index::WORKERS])
        outcomes, errors = [], []
        for _ in range(WORKERS):
            done, failed = results.get(timeout=TIMEOUT)
            outcomes += done
            errors += failed
        return outcomes, errors

    try:
        yield run
    finally:
        for jobs in queues:
            jobs.put(None)
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        for queue in [*queues, results]:
            queue.close()
            queue.join_thread()


# --- the database of each variant ----------------------------------------------------------


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not ON_POSTGRESQL, reason="needs TEST_DATABASE_URL pointing at PostgreSQL"
                ),
            ],
        ),
    ]
)
def database(request, tmp_path, smtp_server):
    """(database URL, SMTP port) with an app context on that database, tables empty."""
    if request.param == "postgresql":
        request.getfixturevalue("app")  # the suite's schema; tables emptied before and after
        yield TEST_DATABASE_URL, smtp_server.port
        return
    url = "sqlite:///" + str(tmp_path / "events.sqlite")
    app = create_app(make_config(url, smtp_server.port))
    reset_schema(app)
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        yield url, smtp_server.port
        db.session.remove()
        db.engine.dispose()


def published_event(capacity: int, waiting_list: bool, hours: int = 6) -> Event:
    """A published matchmaking day of a published organisation, 30 days from now."""
    # Imported here: the workers import this module too and need no factory_boy (Faker).
    from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy

    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory()
    organisation = make_organisation(owner)
    publish("organisation", organisation, moderator)
    starts = utcnow() + timedelta(days=30)
    event = create_event(
        owner,
        organisation,
        EventInput(
            kind="matchmaking",
            original_language="en",
            timezone="Europe/Oslo",
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            registration_deadline=starts - timedelta(days=1),
            capacity=capacity,
            waiting_list=waiting_list,
            languages=["en"],
            texts={"en": {"title": "Telecare matchmaking day"}},
        ),
    )
    publish_event(event)
    return event


def make_event(people: int) -> tuple[int, list[int]]:
    """A published event with CAPACITY seats and a waiting list, and `people` users."""
    from tests.factories import UserFactory

    event = published_event(CAPACITY, waiting_list=True)
    # Nobody logs in here: one shared placeholder instead of 250 scrypt hashes.
    users = UserFactory.build_batch(people, password_hash="not-a-login")
    db.session.add_all(users)
    db.session.commit()
    return event.id, [user.id for user in users]


# --- what must hold after every phase ------------------------------------------------------


def check_seats(event_id: int) -> dict[str, list[Registration]]:
    """The invariants of seats, offers and queue; returns the registrations by status."""
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(Registration.ticket)
        )
    )
    by_status = {status: [r for r in rows if r.status == status] for status in STATUSES}
    confirmed, offered, waiting = by_status["confirmed"], by_status["offered"], by_status["waiting"]
    assert len(rows) == sum(len(found) for found in by_status.values())
    assert by_status["removed"] == []
    # Seats: never more held (confirmed or offered) than seats, the counter equals the
    # rows, no seat free while anyone waits (an offered seat is held, not free).
    assert len(confirmed) + len(offered) <= event.capacity == CAPACITY
    assert event.taken == len(confirmed) + len(offered)
    if waiting:
        assert len(confirmed) + len(offered) == event.capacity
    # Every offer has its deadline.
    assert all(r.offered_at is not None and r.offer_expires_at is not None for r in offered)
    # Tickets: one per sign-up, none given twice or lost.
    tickets = [r.ticket for r in rows]
    assert sorted(tickets) == list(range(1, event.tickets + 1))
    # The queue: seats and offers went to the first in ticket order, positions 1..n
    # without gaps.
    served = confirmed + offered + by_status["lapsed"]
    if served and waiting:
        assert max(r.ticket for r in served) < min(r.ticket for r in waiting)
    assert [seats.position(r) for r in waiting] == list(range(1, len(waiting) + 1))
    # One active registration per person; the unique key says the same.
    active = [r for r in rows if r.status in ACTIVE]
    assert len({r.user_id for r in active}) == len(active)
    assert all(r.active_key == f"{event_id}-{r.user_id}" for r in active)
    assert all(r.active_key is None for r in rows if r.status not in ACTIVE)
    return by_status


# --- the test --------------------------------------------------------------------------------


def test_concurrent_sign_ups_and_cancellations_keep_seats_and_queue_exact(database):
    url, smtp_port = database
    rng = random.Random(SEED)
    event_id, people = make_event(SIGN_UPS + LATE_SIGN_UPS)
    first, late = people[:SIGN_UPS], people[SIGN_UPS:]

    with workers(url, smtp_port) as run:
        # Phase 1: 200 sign-ups at once for 20 seats.
        operations = [("sign_up", event_id, user_id) for user_id in first]
        rng.shuffle(operations)
        outcomes, errors = run(operations)
        assert errors == []
        assert len(outcomes) == SIGN_UPS
        assert all(created for _kind, _user, _id, created, _promoted in outcomes)
        assert len({registration for _kind, _user, registration, _c, _p in outcomes}) == SIGN_UPS

        state = check_seats(event_id)
        confirmed, waiting = state["confirmed"], state["waiting"]
        assert len(confirmed) == CAPACITY
        assert len(waiting) == SIGN_UPS - CAPACITY
        assert [r.ticket for r in confirmed] == list(range(1, CAPACITY + 1))
        assert {r.user_id for r in confirmed + waiting} == set(first)

        # Phase 2: cancellations (confirmed ones, and waiting ones near the head of the queue
        # that the freed seats are being given to) at the same time as new sign-ups.
        leaving = rng.sample([r.id for r in confirmed], CANCEL_CONFIRMED) + rng.sample(
            [r.id for r in waiting[:60]], CANCEL_WAITING
        )
        leaving_users = {r.user_id for r in confirmed + waiting if r.id in set(leaving)}
        operations = [("release", registration, None) for registration in leaving]
        operations += [("sign_up", event_id, user_id) for user_id in late]
        rng.shuffle(operations)
        outcomes, errors = run(operations)

    assert errors == []
    releases = [o for o in outcomes if o[0] == "release"]
    sign_ups = [o for o in outcomes if o[0] == "sign_up"]
    assert len(releases) == len(leaving) and len(sign_ups) == LATE_SIGN_UPS
    # Each cancellation ended an active registration (nothing ended twice, nothing missed).
    assert sorted(found for _kind, _id, found, _ok, _promoted in releases) == sorted(leaving)
    assert all(created for _kind, _user, _id, created, _promoted in sign_ups)

    state = check_seats(event_id)
    confirmed, waiting, cancelled = state["confirmed"], state["waiting"], state["cancelled"]
    assert sorted(r.id for r in cancelled) == sorted(leaving)
    assert len(confirmed) == CAPACITY
    assert len(waiting) == SIGN_UPS + LATE_SIGN_UPS - len(leaving) - CAPACITY
    # Nothing lost: everyone who did not cancel holds exactly one active registration.
    assert sorted(r.user_id for r in confirmed + waiting) == sorted(set(people) - leaving_users)
    assert {r.user_id for r in cancelled} == leaving_users
    # Every freed seat was given, once, to someone who was waiting: one promotion for each
    # cancellation of a seat (a person promoted and then cancelled counts as a seat).
    promoted = [p for _kind, _id, _found, _ok, batch in releases for p in batch]
    assert len(promoted) == len(set(promoted))
    freed = [r for r in cancelled if r.confirmed_at is not None]
    assert len(promoted) == len(freed) >= CANCEL_CONFIRMED
    by_id = {r.id: r for r in confirmed + cancelled}
    assert all(by_id[p].confirmed_at is not None for p in promoted)
    assert all(by_id[p].ticket > CAPACITY for p in promoted)


# --- offers: the race at the deadline --------------------------------------------------------

OFFER_SIGN_UPS = 80  # 20 seats, 60 in the queue
OFFER_LATE_SIGN_UPS = 10
INITIAL_OFFERS = 12  # confirmed people cancel before the race: 12 seats offered
ACCEPT_IN_TIME = 8  # of those 12, accepted a second before the deadline…
ACCEPT_TWICE = 4  # …four of them twice (a double click, two tabs)
ACCEPT_LATE = 4  # …the other four a second after it
DECLINES = 3  # three offers also declined (the person says no while the rest happens)
EXPIRY_RUNS = WORKERS  # expiry at once in every process (the job's lock is not relied on)
CANCEL_SEATED = 6  # confirmed people cancelling during the race: new offers
LEAVE_QUEUE = 10  # waiting people near the head of the queue leaving it, being offered


def test_at_an_offers_deadline_acceptance_expiry_and_cancellations_give_one_outcome_each(
    database,
):
    url, smtp_port = database
    rng = random.Random(SEED + 1)
    event_id, people = make_event(OFFER_SIGN_UPS + OFFER_LATE_SIGN_UPS)
    db.session.execute(update(Event).where(Event.id == event_id).values(offer_hours=1))
    db.session.commit()
    first, late = people[:OFFER_SIGN_UPS], people[OFFER_SIGN_UPS:]
    for user_id in first:
        seats.sign_up(event_id, user_id)
    state = check_seats(event_id)
    leaving_first = rng.sample([r.id for r in state["confirmed"]], INITIAL_OFFERS)
    for registration_id in leaving_first:
        assert seats.release(registration_id).offered
    state = check_seats(event_id)
    initial = [r.id for r in state["offered"]]
    assert len(initial) == INITIAL_OFFERS
    # Every initial offer lapses at `deadline`: the race is run a second either side of it.
    deadline = utcnow().replace(microsecond=0) + timedelta(minutes=10)
    db.session.execute(
        update(Registration)
        .where(Registration.id.in_(initial))
        .values(offer_expires_at=deadline)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    before, after = deadline - timedelta(seconds=1), deadline + timedelta(seconds=1)

    in_time = rng.sample(initial, ACCEPT_IN_TIME)
    operations = [("accept", r, before) for r in in_time]
    operations += [("accept", r, before) for r in rng.sample(in_time, ACCEPT_TWICE)]
    operations += [("accept", r, after) for r in initial if r not in in_time]
    declined = rng.sample(initial, DECLINES)
    operations += [("decline", r, None) for r in declined]
    operations += [("expire", None, after) for _ in range(EXPIRY_RUNS)]
    seated = rng.sample([r.id for r in state["confirmed"]], CANCEL_SEATED)
    queue_leavers = rng.sample([r.id for r in state["waiting"][:20]], LEAVE_QUEUE)
    operations += [("release", r, None) for r in seated + queue_leavers]
    operations += [("sign_up", event_id, user_id) for user_id in late]
    rng.shuffle(operations)

    with workers(url, smtp_port, runner=_run_offers) as run:
        outcomes, errors = run(operations)
    assert errors == []
    assert len(outcomes) == len(operations)

    state = check_seats(event_id)
    final = {r.id: r for rows in state.values() for r in rows}
    accepts = [o for o in outcomes if o[0] == "accept"]
    expiries = [o for o in outcomes if o[0] == "expire"]
    declines = [o for o in outcomes if o[0] == "decline"]
    releases = [o for o in outcomes if o[0] == "release"]

    # Each initial offer ended exactly one way: accepted (in time), declined or lapsed.
    accepted = [r for _kind, r, result, _p, _o in accepts if result == "confirmed"]
    lapsed = [r for _kind, _none, batch, _p, _o in expiries for r in batch]
    said_no = [r for _kind, r, found, _p, _o in declines if found is not None]
    ended = accepted + lapsed + said_no
    assert len(ended) == len(set(ended)), "an offer ended twice"
    assert sorted(ended) == sorted(initial)
    assert all(final[r].status == "confirmed" for r in accepted)
    assert all(final[r].status == "lapsed" for r in lapsed)
    assert all(final[r].status == "cancelled" for r in said_no)
    # Only acceptances made before the deadline went through; the others say why not.
    in_time_ok = {(r, moment) for kind, r, moment in operations if kind == "accept"}
    assert all((r, before) in in_time_ok for r in accepted)
    late_accepts = {r for kind, r, moment in operations if kind == "accept" and moment == after}
    assert not late_accepts & set(accepted)
    refusals = {result for _kind, _r, result, _p, _o in accepts if result != "confirmed"}
    assert refusals <= {"lapsed", "already_confirmed", "no_offer"}
    # No one was promoted without an offer: this event offers every seat.
    assert all(promoted == () for *_rest, promoted, _offered in outcomes)

    # Every seat freed during the race was offered once to someone waiting: one offer for
    # each cancelled seat or offer, each decline and each lapse.
    made = [r for *_rest, offered in outcomes for r in offered]
    assert len(made) == len(set(made))
    assert all(final[r].offered_at is not None for r in made)
    held_a_seat = [
        r
        for _kind, r, found, _p, _o in releases
        if found is not None
        and (final[r].confirmed_at is not None or final[r].offered_at is not None)
    ]
    assert sorted(found for _k, _r, found, _p, _o in releases) == sorted(seated + queue_leavers)
    assert len(made) == len(held_a_seat) + len(said_no) + len(lapsed)
    assert len(made) >= CANCEL_SEATED + len(said_no) + len(lapsed)
    ever_offered = [r for r in final.values() if r.offered_at is not None]
    assert len(ever_offered) == INITIAL_OFFERS + len(made)
    # Nobody is in two places: the late sign-ups joined the queue once each.
    assert sorted(user for kind, _e, user in operations if kind == "sign_up") == sorted(late)
    assert {r.user_id for r in state["waiting"]} >= set(late)

    # Later, every offer still pending lapses and passes on, and the invariants still hold.
    later = seats.expire_offers(after + timedelta(hours=2))
    assert {o.registration.id for o in later} == {r.id for r in state["offered"]}
    state = check_seats(event_id)
    assert all(aware(r.offer_expires_at) > after + timedelta(hours=2) for r in state["offered"])
