"""Seeded benchmark of 1:1 meetings over HTTP; prints figures and checks for double bookings.

One published matchmaking event with meetings on (2 days x 2 sessions of 20-minute meetings,
T tables, at most 12 meetings a person), N participants (inserted directly, sharing one
password hash), each a member of one of N/5 published organisations with tags (so that the
matcher has reasons both ways), confirmed registrations for their organisation, and R
pending meeting requests between random pairs of people of different organisations
(inserted in bulk, with the open_key the service writes). gunicorn with W sync workers
serves ``matchmaker:create_app()``.

Accepting: C concurrent clients first log in every recipient (untimed: the login form's CSRF
token, the login, a meetings page's CSRF token); then, all starting together, each POSTs
the accept form of its recipients' requests as htmx does (``HX-Request: true``), with a slot
drawn at random from the grid's slots free for both people as far as the answers so far
say (what the page would have offered a moment ago: concurrent bookings make races). Only
those POSTs are timed (client side). A refusal is a 409 card with a sentence; anything else
but a booked 200 is an error. Afterwards the database is checked: nobody twice in one slot,
no table twice in one slot, nobody over the maximum, each accepted request with its meeting.

Who to meet: one logged-in participant GETs the meetings' "who to meet" page (every other
participant, ranked, with reasons both ways), timed after a warm-up; then the same page is
profiled in this process (Flask test client, cProfile, SQL statements counted).

    python bench/meetings.py --database both

The PostgreSQL run DROPS AND CREATES THE DATABASE named by --database-url (default
BENCH_DATABASE_URL or postgresql://root@127.0.0.1:5432/bench_meetings) and drops it at the
end (unless --keep). SQLite uses a temporary file (WAL).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import html
import io
import math
import os
import pstats
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):  # `python bench/meetings.py` from anywhere
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from events import CSRF, Browser  # noqa: E402  (bench/events.py: the same HTTP client)
from harness import (  # noqa: E402  (bench/harness.py: shared with the other benchmarks)
    MailSink,
    Server,
    app_environment,
    busy_jiffies,
    children,
    cpu_seconds,
    percentile,
    staff_accounts,
    start_gunicorn,
)
from sqlalchemy import create_engine, insert, select, text, update  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from matchmaker import create_app  # noqa: E402
from matchmaker.accounts.models import User, utcnow  # noqa: E402
from matchmaker.accounts.passwords import hash_password  # noqa: E402
from matchmaker.events.models import Event, Registration  # noqa: E402
from matchmaker.events.services import EventInput, create_event, publish_event  # noqa: E402
from matchmaker.events.times import aware  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.meetings import grid, services  # noqa: E402
from matchmaker.meetings.models import Meeting, MeetingRequest, pair_key  # noqa: E402
from matchmaker.meetings.services import SetupInput  # noqa: E402
from matchmaker.organisations.models import Membership  # noqa: E402

DEFAULT_PG_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://root@127.0.0.1:5432/bench_meetings"
)
# Other people's databases (the test suite's, CI's, the other benchmarks'): never dropped here.
FORBIDDEN_DATABASES = {
    "test",
    "cicheck",
    "matchmaker_load",
    "bench_events",
    "bench_matching",
    "postgres",
    "template0",
    "template1",
    "root",
}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "bench meetings passphrase"  # noqa: S105 (a benchmark's throwaway accounts)
BATCH = 1_000
PEOPLE_PER_ORGANISATION = 5
SESSIONS = ("09:00-12:30", "13:30-17:00")  # each day; 20 + 5 minutes: 8 slots a session
LENGTH, BREAK = 20, 5
MAX_MEETINGS = 12
KINDS = (
    ("sme", 30),
    ("startup", 20),
    ("hospital", 12),
    ("university", 10),
    ("large_company", 6),
    ("technology_centre", 6),
    ("investor", 6),
    ("cluster", 4),
    ("public_authority", 3),
    ("patient_org", 3),
)
COUNTRIES = (("PL", 45), ("DK", 20), ("NO", 20), ("SE", 10), ("DE", 5))
BOOKED = "booked:"  # the accept card's sentence on success: "Meeting with X booked: when."
PEOPLE_ITEM = re.compile(r'<li id="person-(\d+)"')
WHY_YOU = "Why you may want to meet them"
NOTHING = "Nothing in the profiles points this way yet."
# The parts of the who-to-meet page whose cumulative time the profile prints.
PROFILE_PARTS = (
    ("the view (meetings.views.people), rendering included", "meetings/views.py", "people"),
    ("  services.participants (the list of people)", "meetings/services.py", "participants"),
    ("  suggestions.suggest (both scores of every pair)", "meetings/suggestions.py", "suggest"),
    ("    matching.service.published_profiles", "matching/service.py", "published_profiles"),
    ("    matching.engine.score_pair", "matching/engine.py", "score_pair"),
    ("  outcomes.history_of", "meetings/outcomes.py", "history_of"),
    ("  services.meeting_counts", "meetings/services.py", "meeting_counts"),
    ("  services.meeting_count (per person)", "meetings/services.py", "meeting_count"),
    ("  views._organisations", "meetings/views.py", "_organisations"),
    ("  views._pending_with", "meetings/views.py", "_pending_with"),
    ("  web.render (the template)", "matchmaker/web.py", "render"),
    ("    reasons: matching.present.reason_text", "matching/present.py", "reason_text"),
    ("    flask_babel gettext (all calls)", "flask_babel/__init__.py", "gettext"),
    ("    country_name", "", "country_name"),
)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --------------------------------------------------------------------------------------
# The database: schema, organisations, people, the event, the requests
# --------------------------------------------------------------------------------------


def make_app(url: str, queue: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-meetings-data-only",
            "MAIL_BACKEND": "console",
            "RATELIMIT_ENABLED": False,
            "WORKER_QUEUE_PATH": str(queue),  # anything queued goes to this run's folder
        }
    )


def _maintenance(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def fresh_database(url: str) -> None:
    """DROP and CREATE the benchmark's own database (connected to the server's `postgres`)."""
    name = make_url(url).database
    engine = _maintenance(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    name = make_url(url).database
    engine = _maintenance(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def build_schema(app) -> None:
    """An empty database built by the migrations, as production builds it."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@dataclass
class Day:
    event_id: int
    emails: dict[int, str]  # user id -> e-mail
    organisation_of: dict[int, int]  # user id -> organisation id
    requests: list[tuple[int, int, int]]  # (request id, requester, recipient)
    slots: list[str]  # the grid, as the form sends a slot ("YYYY-MM-DDTHH:MMZ", UTC)
    tables: int
    seconds: dict[str, float] = field(default_factory=dict)


def _organisation_input(rng: random.Random, index: int, vocab: dict[str, list[str]]):
    from matchmaker.organisations.services import OrganisationInput

    def some(vocabulary: str, low: int, high: int) -> list[str]:
        codes = vocab[vocabulary]
        return sorted(rng.sample(codes, min(len(codes), rng.randint(low, high))))

    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    country = rng.choices([c for c, _ in COUNTRIES], [w for _, w in COUNTRIES])[0]
    languages = sorted({"en", rng.choice(["pl", "da", "nb", "en"])})
    return OrganisationInput(
        name=f"Bench {kind.replace('_', ' ').title()} {index:03d}",
        kind=kind,
        country=country,
        original_language="en",
        working_languages=languages,
        texts={"en": {"description": f"Organisation {index} of the meetings benchmark."}},
        tags={
            "capability": some("capability", 2, 5),
            "need": some("capability", 1, 3),
            "category": some("category", 1, 3),
            "specialisation": some("specialisation", 0, 2),
            "focus_area": some("focus_area", 0, 2),
            "preferred_stage": some("stage", 1, 2) if kind == "investor" else [],
        },
    )


def load(app, args) -> Day:
    """The event with its meetings on, the organisations, people and pending requests."""
    from matchmaker.moderation import services as moderation
    from matchmaker.organisations.services import (
        OrganisationInput,
        create_organisation,
        submit_organisation,
    )
    from matchmaker.taxonomy import load_taxonomy
    from matchmaker.taxonomy.services import sync_taxonomy

    rng = random.Random(args.seed)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    password_hash = hash_password(PASSWORD)  # once: scrypt is slow by design
    now = utcnow()
    taxonomy = load_taxonomy()
    vocab = {
        name: [tag.code for tag in taxonomy.by_vocabulary(name)]
        for name in ("capability", "category", "specialisation", "focus_area", "stage")
    }
    with app.app_context():
        sync_taxonomy(db.session, taxonomy)
        moderator, organiser = staff_accounts(password_hash, now)
        # The people, in bulk.
        rows = [
            {
                "email": f"bench.person{i:05d}@example.org",
                "name": f"Bench Person {i:05d}",
                "password_hash": password_hash,
                "role": "member",
                "locale": "en",
                "email_confirmed_at": now,
                "created_at": now,
            }
            for i in range(args.participants)
        ]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(User), rows[start : start + BATCH])
        db.session.commit()
        people = list(
            db.session.scalars(
                select(User).where(User.email.like("bench.person%")).order_by(User.email)
            )
        )
        seconds["people"] = time.perf_counter() - started
        # The organisations, through the services (owner = their first person), published.
        started = time.perf_counter()
        organisation_of: dict[int, int] = {}
        memberships = []
        count = math.ceil(len(people) / PEOPLE_PER_ORGANISATION)
        for index in range(count):
            staff = people[index * PEOPLE_PER_ORGANISATION : (index + 1) * PEOPLE_PER_ORGANISATION]
            organisation = create_organisation(staff[0], _organisation_input(rng, index, vocab))
            submit_organisation(organisation)
            moderation.approve("organisation", organisation, moderator)
            for person in staff:
                organisation_of[person.id] = organisation.id
            memberships += [
                {"user_id": p.id, "organisation_id": organisation.id, "role": "editor"}
                for p in staff[1:]
            ]
        for start in range(0, len(memberships), BATCH):
            db.session.execute(insert(Membership), memberships[start : start + BATCH])
        db.session.commit()
        seconds["organisations"] = time.perf_counter() - started
        # The event and its meetings.
        started = time.perf_counter()
        host = create_organisation(
            organiser,
            OrganisationInput(
                name="Bench Matchmaking AS",
                kind="cluster",
                country="NO",
                original_language="en",
                working_languages=["en"],
                texts={"en": {"description": "Organiser of the meetings benchmark."}},
            ),
        )
        submit_organisation(host)
        moderation.approve("organisation", host, moderator)
        starts = (now + timedelta(days=30)).replace(hour=6, minute=0, second=0, microsecond=0)
        event = create_event(
            organiser,
            host,
            EventInput(
                kind="matchmaking",
                original_language="en",
                timezone="Europe/Oslo",
                starts_at=starts,
                ends_at=starts + timedelta(days=args.days - 1, hours=12),
                registration_deadline=starts - timedelta(days=1),
                capacity=len(people),
                waiting_list=False,
                languages=["en"],
                texts={"en": {"title": "Nordic telecare matchmaking days"}},
            ),
        )
        publish_event(event)
        days = [(starts + timedelta(days=d)).date() for d in range(args.days)]
        windows = grid.parse_windows(
            "\n".join(f"{day} {session}" for day in days for session in SESSIONS)
        )
        setup = services.save_setup(
            event,
            SetupInput(
                enabled=True,
                windows=windows,
                length_minutes=LENGTH,
                break_minutes=BREAK,
                table_count=args.tables,
                table_names=[],
                video_pattern=None,
                max_meetings=MAX_MEETINGS,
                max_open_requests=200,
                requests_open_at=None,
                requests_close_at=None,
                expiry_days=14,
            ),
        )
        slots = [s.starts_at.strftime("%Y-%m-%dT%H:%MZ") for s in services.slots_of(setup, event)]
        event_id = event.id
        # Confirmed registrations for their organisation, in bulk (as sign-ups leave them).
        registrations = [
            {
                "event_id": event_id,
                "user_id": person.id,
                "organisation_id": organisation_of[person.id],
                "status": "confirmed",
                "ticket": ticket,
                "active_key": f"{event_id}-{person.id}",
                "answers": {},
                "created_at": now,
                "confirmed_at": now,
            }
            for ticket, person in enumerate(people, start=1)
        ]
        for start in range(0, len(registrations), BATCH):
            db.session.execute(insert(Registration), registrations[start : start + BATCH])
        db.session.execute(
            update(Event).where(Event.id == event_id).values(taken=len(people), tickets=len(people))
        )
        db.session.commit()
        # Pending requests between random pairs of people of different organisations.
        ids = [p.id for p in people]
        pairs: set[frozenset[int]] = set()
        request_rows = []
        while len(request_rows) < args.requests:
            asker, asked = rng.sample(ids, 2)
            pair = frozenset((asker, asked))
            if pair in pairs or organisation_of[asker] == organisation_of[asked]:
                continue
            pairs.add(pair)
            request_rows.append(
                {
                    "event_id": event_id,
                    "requester_id": asker,
                    "recipient_id": asked,
                    "message": "Shall we meet?",
                    "status": "pending",
                    "open_key": pair_key(event_id, asker, asked),
                    "reply": "",
                    "created_at": now,
                    "expires_at": now + timedelta(days=14),
                }
            )
        for start in range(0, len(request_rows), BATCH):
            db.session.execute(insert(MeetingRequest), request_rows[start : start + BATCH])
        db.session.commit()
        requests = [
            tuple(row)
            for row in db.session.execute(
                select(MeetingRequest.id, MeetingRequest.requester_id, MeetingRequest.recipient_id)
                .where(MeetingRequest.event_id == event_id)
                .order_by(MeetingRequest.id)
            )
        ]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        seconds["event and requests"] = time.perf_counter() - started
        emails = {p.id: p.email for p in people}
        db.engine.dispose()
    return Day(event_id, emails, organisation_of, requests, slots, args.tables, seconds)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


def start_server(url: str, workers: int, log: Path, probe: str, smtp_port: int) -> Server:
    """gunicorn with `workers` sync workers, configured through the environment only."""
    env = app_environment(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        # 500 log-ins from one address: the per-address login limit would refuse most.
        RATELIMIT_ENABLED="false",
        # The e-mails of the bookings go to the loopback sink: nothing leaves the machine.
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
        # The requests queue their delivery: in a file of this run, not in instance/.
        WORKER_QUEUE_PATH=str(log.with_name("huey.sqlite")),
    )
    return start_gunicorn(env, workers, log, probe)


# --------------------------------------------------------------------------------------
# The clients
# --------------------------------------------------------------------------------------


def refusal_sentences(app) -> dict[str, str]:
    """The English sentence of each refusal code, as the accept card says it."""
    from matchmaker.meetings.views import refusal_text

    codes = (
        "slot_not_free",
        "no_table",
        "not_a_slot",
        "choose_slot",
        "already_accepted",
        "already_declined",
        "already_withdrawn",
        "already_expired",
        "off",
    )
    with app.test_request_context("/en/"):
        found = {code: str(refusal_text(code)) for code in codes}
        for code in ("you_are_full", "other_is_full"):
            found[code] = str(refusal_text(code, MAX_MEETINGS))
    return found


def log_in(browser: Browser, email: str, token_page: str) -> str:
    """Log in; returns a CSRF token of the signed-in session."""
    login = "/en/account/login"
    token = browser.csrf_token(login)
    status, _ = browser.request(
        "POST", login, {"csrf_token": token, "email": email, "password": PASSWORD}
    )
    if status not in (302, 303):
        raise RuntimeError(f"log-in of {email}: {status}")
    return browser.csrf_token(token_page)


class Board:
    """What the answers so far say is booked: per person, the slots of their meetings.
    The clients draw a slot among those free for both (as the page offered them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.busy: dict[int, set[int]] = {}

    def free(self, a: int, b: int, slots: int) -> list[int]:
        with self.lock:
            taken = self.busy.get(a, set()) | self.busy.get(b, set())
        return [s for s in range(slots) if s not in taken]

    def book(self, slot: int, *people: int) -> None:
        with self.lock:
            for person in people:
                self.busy.setdefault(person, set()).add(slot)


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    booked: int = 0
    refusals: Counter = field(default_factory=Counter)
    server_errors: int = 0  # 5xx
    errors: list[str] = field(default_factory=list)
    no_slot_offered: int = 0
    finished: float = 0.0


def accept(
    browser: Browser,
    token: str,
    path: str,
    request: tuple[int, int, int],
    slot: int,
    day: Day,
    board: Board,
    sentences: dict[str, str],
    result: ClientResult,
) -> None:
    request_id, requester, recipient = request
    form = {"csrf_token": token, "slot": day.slots[slot], "reply": ""}
    started = time.perf_counter()
    try:
        status, page = browser.request(
            "POST", f"{path}/requests/{request_id}/accept", form, {"HX-Request": "true"}
        )
    except OSError as error:
        result.errors.append(f"request {request_id}: {error!r}")
        return
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    page = html.unescape(page)
    if status >= 500:
        result.server_errors += 1
        result.errors.append(f"request {request_id}: HTTP {status}")
    elif status == 200 and BOOKED in page:
        result.booked += 1
        board.book(slot, requester, recipient)
    elif status == 409:
        code = next((c for c, sentence in sentences.items() if sentence in page), "other 409")
        result.refusals[code] += 1
    else:
        result.errors.append(f"request {request_id}: HTTP {status} without an answer")


@dataclass
class Run:
    results: list[ClientResult]
    login_seconds: float
    logins: int
    seconds: float  # from the start signal to the last answer
    worker_cpu: float  # gunicorn workers' CPU seconds while the accepts ran
    busy: float  # share of the machine's CPU time in use meanwhile (all processes)
    load_before: str
    load_after: str


def run_clients(server: Server, day: Day, clients: int, seed: int, sentences) -> Run:
    """Log every recipient in (untimed), then all clients accept their requests at once."""
    rng = random.Random(seed + 1)
    path = f"/en/events/{day.event_id}/meetings"
    # Each recipient belongs to one client (their cookies are used by one thread only);
    # recipients go to the client with the fewest requests so far, most requests first.
    by_recipient: dict[int, list[tuple[int, int, int]]] = {}
    for request in day.requests:
        by_recipient.setdefault(request[2], []).append(request)
    groups: list[list[int]] = [[] for _ in range(clients)]
    loads = [0] * clients
    for recipient in sorted(by_recipient, key=lambda r: (-len(by_recipient[r]), r)):
        lightest = loads.index(min(loads))
        groups[lightest].append(recipient)
        loads[lightest] += len(by_recipient[recipient])
    queues = []
    for group in groups:
        queue = [r for recipient in group for r in by_recipient[recipient]]
        rng.shuffle(queue)
        queues.append(queue)
    browsers = {r: Browser(server.port) for r in by_recipient}
    tokens: dict[int, str] = {}
    slot_rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
    board = Board()
    results = [ClientResult() for _ in range(clients)]
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    setup_errors: list[str] = []

    def client(index: int) -> None:
        try:
            for recipient in groups[index]:
                tokens[recipient] = log_in(
                    browsers[recipient], day.emails[recipient], f"{path}/availability"
                )
        except Exception as error:
            setup_errors.append(repr(error))
        ready.wait()
        go.wait()
        if setup_errors:
            return
        result = results[index]
        for request in queues[index]:
            free = board.free(request[1], request[2], len(day.slots))
            if not free:  # the page would offer no slot: the person would not accept
                result.no_slot_offered += 1
                continue
            slot = slot_rngs[index].choice(free)
            recipient = request[2]
            accept(browsers[recipient], tokens[recipient], path, request, slot, day, board,
                   sentences, result)  # fmt: skip
        result.finished = time.perf_counter()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    ready.wait()
    login_seconds = time.perf_counter() - started
    if setup_errors:
        go.set()
        for thread in threads:
            thread.join()
        raise RuntimeError(f"log-ins failed: {setup_errors[:3]}")
    workers = children(server.process.pid)
    load_before = load_average()
    cpu_before, (busy_before, total_before) = cpu_seconds(workers), busy_jiffies()
    started = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    seconds = max(r.finished for r in results) - started
    busy_after, total_after = busy_jiffies()
    return Run(
        results,
        login_seconds,
        len(browsers),
        seconds,
        cpu_seconds(workers) - cpu_before,
        (busy_after - busy_before) / max(total_after - total_before, 1),
        load_before,
        load_average(),
    )


@dataclass
class PeoplePage:
    latencies_ms: list[float]
    size: int  # bytes of the page
    people: int  # people listed
    both: int  # of them, with reasons on both sides
    one: int  # with reasons on one side only


def time_people_page(server: Server, day: Day, reader: int, runs: int, warmup: int) -> PeoplePage:
    """GET who-to-meet for one signed-in participant: `warmup` untimed, then `runs` timed."""
    path = f"/en/events/{day.event_id}/meetings/"
    browser = Browser(server.port)
    log_in(browser, day.emails[reader], f"/en/events/{day.event_id}/meetings/availability")
    page = ""
    for _ in range(warmup):  # every gunicorn worker builds its match index, fills caches
        status, page = browser.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        status, page = browser.request("GET", path)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
    text_ = html.unescape(page)
    blocks = text_.split('<li id="person-')[1:]
    with_reasons = [b for b in blocks if WHY_YOU in b]
    one_side = sum(1 for b in with_reasons if NOTHING in b)
    return PeoplePage(
        latencies,
        len(page.encode()),
        len(PEOPLE_ITEM.findall(page)),
        len(with_reasons) - one_side,
        one_side,
    )


# --------------------------------------------------------------------------------------
# Profiling the page in this process
# --------------------------------------------------------------------------------------


def profile_people_page(app, day: Day, reader: int, runs: int, top: int) -> None:
    """The same page through the Flask test client: SQL statements and time per page, and
    cProfile's functions with the most cumulative and own time."""
    statements = {"count": 0, "seconds": 0.0}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        statements["count"] += 1
        statements["seconds"] += time.perf_counter() - conn.info["bench_started"].pop()

    path = f"/en/events/{day.event_id}/meetings/"
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    login = "/en/account/login"
    token = CSRF.search(client.get(login).get_data(as_text=True)).group(1)
    answer = client.post(
        login, data={"csrf_token": token, "email": day.emails[reader], "password": PASSWORD}
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"in-process log-in: {answer.status_code}")
    for _ in range(3):
        if client.get(path).status_code != 200:
            raise RuntimeError("in-process GET of the page failed")
    collected = {"count": 0, "seconds": 0.0, "started": 0.0}

    def collecting(phase: str, info: dict) -> None:  # the cyclic garbage collector's passes
        if phase == "start":
            collected["started"] = time.perf_counter()
        else:
            collected["count"] += 1
            collected["seconds"] += time.perf_counter() - collected["started"]

    gc.callbacks.append(collecting)
    started = time.perf_counter()
    for _ in range(runs):
        client.get(path)
    plain_ms = 1000 * (time.perf_counter() - started) / runs
    gc.callbacks.remove(collecting)
    sa_event.listen(engine, "before_cursor_execute", before)
    sa_event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    profiled_ms = 1000 * (time.perf_counter() - started) / runs
    sa_event.remove(engine, "before_cursor_execute", before)
    sa_event.remove(engine, "after_cursor_execute", after)
    print(
        f"in-process (Flask test client, {runs} pages): {plain_ms:.1f} ms a page, of which "
        f"{1000 * collected['seconds'] / runs:.1f} ms in {collected['count'] / runs:.1f} "
        "garbage-collector passes; under "
        f"cProfile {profiled_ms:.1f} ms, {statements['count'] / runs:.0f} SQL statements a "
        f"page taking {1000 * statements['seconds'] / runs:.1f} ms in cursor.execute"
    )
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values()) / runs  # own time of everything
    print(f"  where the time goes (cumulative ms a page under cProfile, of {1000 * total:.0f}):")
    for label, where, function in PROFILE_PARTS:
        found = [
            row
            for (filename, _line, name), row in stats.stats.items()
            if name == function and filename.endswith(where)
        ]
        if found:
            calls = sum(row[1] for row in found) / runs
            cumulative = max(row[3] for row in found) / runs
            print(f"    {label:58} {1000 * cumulative:7.1f} ms  ({calls:g} calls)")
    output = io.StringIO()
    pstats.Stats(profiler, stream=output).sort_stats("tottime").print_stats(top)
    lines = output.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    print(f"  functions with the most own time (seconds over {runs} pages):")
    for line in lines[start : start + top + 1]:
        if line.strip():
            print("   " + line.replace(str(ROOT) + "/", "")[:160])
    with app.app_context():
        engine.dispose()


# --------------------------------------------------------------------------------------
# Checking and reporting
# --------------------------------------------------------------------------------------


def verify(app, day: Day, booked_answers: int) -> tuple[dict[str, int], list[str]]:
    """Double bookings and the rest of what must hold, counted in the database."""
    problems = []
    e = {"event": day.event_id}
    with app.app_context():
        one = db.session.execute

        def scalar(sql: str) -> int:
            return int(one(text(sql), e).scalar() or 0)

        counts = {
            "meetings": scalar(
                "SELECT count(*) FROM meeting WHERE event_id = :event AND status = 'booked'"
            ),
            "person twice in a slot": scalar(
                "SELECT count(*) FROM (SELECT s.user_id, m.starts_at FROM meeting_seat s "
                "JOIN meeting m ON m.id = s.meeting_id WHERE m.event_id = :event "
                "AND m.status = 'booked' GROUP BY s.user_id, m.starts_at "
                "HAVING count(*) > 1) AS twice"
            ),
            "table twice in a slot": scalar(
                "SELECT count(*) FROM (SELECT starts_at, table_number FROM meeting "
                "WHERE event_id = :event AND status = 'booked' "
                "GROUP BY starts_at, table_number HAVING count(*) > 1) AS twice"
            ),
            "table out of range": scalar(
                "SELECT count(*) FROM meeting WHERE event_id = :event AND status = 'booked' "
                f"AND (table_number < 1 OR table_number > {day.tables})"
            ),
            "meetings without 2 seats": scalar(
                "SELECT count(*) FROM meeting m WHERE m.event_id = :event AND 2 <> "
                "(SELECT count(*) FROM meeting_seat s WHERE s.meeting_id = m.id)"
            ),
            "people over the maximum": scalar(
                "SELECT count(*) FROM (SELECT s.user_id FROM meeting_seat s "
                "JOIN meeting m ON m.id = s.meeting_id WHERE m.event_id = :event "
                f"AND m.status = 'booked' GROUP BY s.user_id "
                f"HAVING count(*) > {MAX_MEETINGS}) AS over"
            ),
            "accepted requests": scalar(
                "SELECT count(*) FROM meeting_request WHERE event_id = :event "
                "AND status = 'accepted'"
            ),
            "accepted without meeting": scalar(
                "SELECT count(*) FROM meeting_request r WHERE r.event_id = :event "
                "AND r.status = 'accepted' AND NOT EXISTS "
                "(SELECT 1 FROM meeting m WHERE m.request_id = r.id AND m.status = 'booked')"
            ),
            "outbox rows": scalar("SELECT count(*) FROM outbox_message"),
        }
        meeting_starts = {
            aware(moment).strftime("%Y-%m-%dT%H:%MZ")
            for moment in db.session.scalars(
                select(Meeting.starts_at).where(Meeting.event_id == day.event_id).distinct()
            )
        }
        counts["meetings outside the grid"] = len(meeting_starts - set(day.slots))
        db.engine.dispose()
    for name in (
        "person twice in a slot",
        "table twice in a slot",
        "table out of range",
        "meetings without 2 seats",
        "people over the maximum",
        "accepted without meeting",
        "meetings outside the grid",
    ):
        if counts[name]:
            problems.append(f"{name}: {counts[name]}")
    if counts["meetings"] != booked_answers:
        problems.append(f"{counts['meetings']} meetings booked, {booked_answers} answers said so")
    if counts["accepted requests"] != counts["meetings"]:
        problems.append("accepted requests != booked meetings")
    return counts, problems


@dataclass
class Figure:
    database: str
    accepts: int
    booked: int
    seconds: float
    latencies_ms: list[float]
    refusals: Counter
    server_errors: int
    errors: int
    double_bookings: int
    worker_cpu_ms: float  # gunicorn workers' CPU per accept
    load: str
    page: PeoplePage | None


def run_database(name: str, url: str, directory: Path, args) -> tuple[Figure, list[str]]:
    print(f"\n=== {name}: {url}", flush=True)
    app = make_app(url, directory / "setup-huey.sqlite")
    started = time.perf_counter()
    build_schema(app)
    day = load(app, args)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in day.seconds.items())
    print(
        f"schema + {args.participants:,} participants in "
        f"{math.ceil(args.participants / PEOPLE_PER_ORGANISATION)} organisations + event "
        f"({len(day.slots)} slots x {args.tables} tables = {len(day.slots) * args.tables:,} "
        f"places) + {len(day.requests):,} requests: {time.perf_counter() - started:.1f} s "
        f"({steps})",
        flush=True,
    )
    sentences = refusal_sentences(app)
    reader = random.Random(args.seed + 2).choice(sorted(day.emails))
    with MailSink() as mail:
        log = directory / f"gunicorn-{name}.log"
        probe = "/healthz"
        server = start_server(url, args.workers, log, probe, mail.port)
        try:
            run = run_clients(server, day, args.clients, args.seed, sentences)
            page = time_people_page(server, day, reader, args.page_runs, args.warmup)
        finally:
            server.stop()
        failures = [line for line in log.read_text().splitlines() if "Traceback" in line]
    results = run.results
    latencies = [ms for r in results for ms in r.latencies_ms]
    booked = sum(r.booked for r in results)
    refusals = sum((r.refusals for r in results), Counter())
    server_errors = sum(r.server_errors for r in results)
    errors = [e for r in results for e in r.errors]
    skipped = sum(r.no_slot_offered for r in results)
    print(
        f"log-ins (untimed): {run.logins:,} recipients in {run.login_seconds:.1f} s; "
        f"accepts: {len(latencies):,} in {run.seconds:.2f} s, {booked:,} booked "
        f"({booked / run.seconds:.1f}/s), {skipped} with no slot free for both left out; "
        f"gunicorn workers' CPU {1000 * run.worker_cpu / max(len(latencies), 1):.1f} ms per "
        f"accept; machine CPU busy {100 * run.busy:.0f} % of {os.cpu_count()} cores; "
        f"load average {run.load_before} before, {run.load_after} after",
        flush=True,
    )
    print("refusals: " + (", ".join(f"{k} {v}" for k, v in refusals.most_common()) or "none"))
    for error in errors[:10]:
        print(f"  error: {error}")
    counts, problems = verify(app, day, booked)
    print("database: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if server_errors:
        problems.append(f"{server_errors} answers >= 500")
    if errors:
        problems.append(f"{len(errors)} accept requests failed")
    if failures:
        problems.append(f"{len(failures)} tracebacks in gunicorn's log")
    lat = page.latencies_ms
    print(
        f"who to meet (participant {reader}, {args.page_runs} runs after {args.warmup} "
        f"warm-up): p50 {percentile(lat, 50):.1f} ms, p95 {percentile(lat, 95):.1f} ms, "
        f"p99 {percentile(lat, 99):.1f} ms, max {max(lat):.1f} ms; page {page.size / 1024:.0f} "
        f"KiB, {page.people} people listed, {page.both} with reasons on both sides, "
        f"{page.one} on one side; target p95 <= {args.target:.0f} ms: "
        + ("met" if percentile(lat, 95) <= args.target else "MISSED"),
        flush=True,
    )
    if args.profile:
        profile_people_page(app, day, reader, args.profile, args.top)
    double = counts["person twice in a slot"] + counts["table twice in a slot"]
    figure = Figure(
        name,
        len(latencies),
        booked,
        run.seconds,
        latencies,
        refusals,
        server_errors,
        len(errors),
        double,
        1000 * run.worker_cpu / max(len(latencies), 1),
        f"{run.load_before.split()[0]} / {run.load_after.split()[0]}",
        page,
    )
    return figure, problems


def print_table(figures: list[Figure], target: float) -> None:
    header = (
        f"{'database':10} {'accepts':>7} {'booked':>6} {'booked/s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'refused':>7} {'5xx':>4} {'double':>6} "
        f"{'CPU ms':>6} {'load':>11} | {'page p50':>8} {'page p95':>8} {'KiB':>5}"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        lat, page = f.latencies_ms, f.page
        print(
            f"{f.database:10} {f.accepts:7} {f.booked:6} {f.booked / f.seconds:8.1f} "
            f"{percentile(lat, 50):7.1f} {percentile(lat, 95):7.1f} {percentile(lat, 99):7.1f} "
            f"{sum(f.refusals.values()):7} {f.server_errors:4} {f.double_bookings:6} "
            f"{f.worker_cpu_ms:6.1f} {f.load:>11} | "
            f"{percentile(page.latencies_ms, 50):8.1f} {percentile(page.latencies_ms, 95):8.1f} "
            f"{page.size / 1024:5.0f}"
        )
    print(
        f"(booked/s: accepted into a slot per second; p50-p99: each accept POST, client side; "
        f"double: a person or a table twice in one slot, must be 0; CPU ms: gunicorn workers' "
        f"CPU per accept; load: 1-minute load average before / after the accepts; page: who "
        f"to meet, target p95 <= {target:.0f} ms)"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Seeded benchmark of 1:1 meetings over HTTP: C concurrent clients accept R "
            "pending requests into slots (gunicorn, W workers) at an event with N "
            "participants; prints accepted-into-slot per second, p50/p95/p99 and the double "
            "bookings found in the database (must be 0: exit 1 otherwise), and times the "
            "'who to meet' page. WARNING: the PostgreSQL run DROPS AND CREATES THE DATABASE "
            f"in --database-url (default {DEFAULT_PG_URL}), and drops it at the end."
        )
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=DEFAULT_PG_URL, help="PostgreSQL URL")
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--requests", type=int, default=2_000, help="pending requests")
    parser.add_argument("--days", type=int, default=2, help="meeting days (2 sessions each)")
    parser.add_argument("--tables", type=int, default=80)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--page-runs", type=int, default=200, help="timed GETs of who-to-meet")
    parser.add_argument("--warmup", type=int, default=20, help="untimed GETs before them")
    parser.add_argument("--target", type=float, default=50.0, help="who-to-meet p95, ms")
    parser.add_argument(
        "--profile", type=int, default=10, help="pages profiled in-process (0: none)"
    )
    parser.add_argument("--top", type=int, default=25, help="functions printed per profile")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / PG database")
    args = parser.parse_args(argv)
    database = make_url(args.database_url)
    if args.database != "sqlite":
        if database.database in FORBIDDEN_DATABASES:
            parser.error(f"refusing to drop {database.database!r}: use a database of its own")
        if database.host not in LOOPBACK_HOSTS:
            parser.error("the database must be on loopback (127.0.0.1)")
    pairs = args.participants * (args.participants - 1) // 2
    if args.participants < 2 * PEOPLE_PER_ORGANISATION or args.requests > pairs // 2:
        parser.error("too few participants for that many requests")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(
        f"meetings benchmark: {args.participants:,} participants, {args.requests:,} requests, "
        f"{args.days} days x {len(SESSIONS)} sessions, {args.tables} tables, "
        f"{args.clients} clients, gunicorn {args.workers} workers, {os.cpu_count()} CPUs, "
        f"seed {args.seed}; load average {load_average()}"
    )
    figures: list[Figure] = []
    failed = False
    runs = [n for n in ("sqlite", "postgresql") if args.database in (n, "both")]
    for name in runs:
        directory = Path(tempfile.mkdtemp(prefix="matchmaker-bench-meetings-"))
        if name == "sqlite":
            url = f"sqlite:///{directory / 'meetings.sqlite'}"
        else:
            url = args.database_url
            fresh_database(url)
        try:
            figure, problems = run_database(name, url, directory, args)
        finally:
            if name == "postgresql" and not args.keep:
                drop_database(url)
            if args.keep:
                print(f"kept {directory}" + (f" and {url}" if name == "postgresql" else ""))
            else:
                for path in directory.iterdir():
                    path.unlink(missing_ok=True)
                directory.rmdir()
        figures.append(figure)
        print("check: " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
        failed = failed or bool(problems)
    print(f"\nload average at the end: {load_average()}\n")
    print_table(figures, args.target)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
