"""Seeded benchmark of event sign-ups over HTTP; prints figures and checks the seats.

One published event with S seats and a waiting list, N people (inserted directly, sharing one
password hash) and gunicorn with W sync workers serving ``matchmaker:create_app()``. C
concurrent clients first log their people in (untimed: the login form's CSRF token, the
login, the event page's CSRF token), then, all starting together, POST the sign-up form of
the event page as htmx does (``HX-Request: true``), one person after the other. Only the
sign-up POSTs are timed (client side: connect, request, response; the response includes
the receipt e-mail the view sends, delivered to a loopback SMTP sink in this process).
Afterwards the database must hold exactly S confirmed, N - S waiting with positions
1..N-S, and no request may have failed.

    python bench/events.py --database both

The PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the database named by
--database-url (default postgresql://root@127.0.0.1:5432/bench_events; create it once with
`createdb -h 127.0.0.1 -U root bench_events`). SQLite uses a temporary file (WAL).
"""

from __future__ import annotations

import argparse
import html
import http.client
import math
import os
import random
import re
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):  # `python bench/events.py` from anywhere
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from harness import (  # noqa: E402  (bench/harness.py: shared with bench/load.py)
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
from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from matchmaker import create_app  # noqa: E402
from matchmaker.accounts.models import User, utcnow  # noqa: E402
from matchmaker.accounts.passwords import hash_password  # noqa: E402
from matchmaker.events import seats  # noqa: E402
from matchmaker.events.models import Event, Registration  # noqa: E402
from matchmaker.events.services import (  # noqa: E402
    EventInput,
    create_event,
    participants,
    publish_event,
)
from matchmaker.extensions import db  # noqa: E402

DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/bench_events"
# Other people's databases: the test suite's and bench/matching.py's. Never dropped here.
FORBIDDEN_DATABASES = {"test", "bench_matching"}
PASSWORD = "bench events passphrase"  # noqa: S105 (a benchmark's throwaway accounts)
BATCH = 1_000
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
POSITION = re.compile(r"waiting list — position (\d+)")


# --------------------------------------------------------------------------------------
# The database: schema, people, the event
# --------------------------------------------------------------------------------------


def make_app(url: str):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-events-data-only",
            "MAIL_BACKEND": "console",
            "RATELIMIT_ENABLED": False,
        }
    )


def build_schema(app) -> None:
    """An empty database built by the migrations, as production builds it."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


def load(app, people: int, capacity: int) -> tuple[int, list[str]]:
    """The published event and the people's e-mail addresses."""
    from matchmaker.moderation import services as moderation
    from matchmaker.organisations.services import (
        OrganisationInput,
        create_organisation,
        submit_organisation,
    )
    from matchmaker.taxonomy import load_taxonomy
    from matchmaker.taxonomy.services import sync_taxonomy

    password_hash = hash_password(PASSWORD)  # once: scrypt is slow by design
    now = utcnow()
    emails = [f"bench.person{i:05d}@example.org" for i in range(people)]
    with app.app_context():
        sync_taxonomy(db.session, load_taxonomy())
        moderator, owner = staff_accounts(password_hash, now)
        organisation = create_organisation(
            owner,
            OrganisationInput(
                name="Bench Telecare AS",
                kind="sme",
                country="NO",
                original_language="en",
                working_languages=["en"],
                texts={"en": {"description": "Remote monitoring for heart patients."}},
            ),
        )
        submit_organisation(organisation)
        moderation.approve("organisation", organisation, moderator)
        starts = now + timedelta(days=60)
        event = create_event(
            owner,
            organisation,
            EventInput(
                kind="conference",
                original_language="en",
                timezone="Europe/Oslo",
                starts_at=starts,
                ends_at=starts + timedelta(hours=8),
                registration_deadline=starts - timedelta(days=1),
                capacity=capacity,
                waiting_list=True,
                languages=["en"],
                texts={"en": {"title": "Nordic telecare conference"}},
            ),
        )
        publish_event(event)
        event_id = event.id
        rows = [
            {
                "email": email,
                "name": f"Bench Person {i}",
                "password_hash": password_hash,
                "role": "member",
                "locale": "en",
                "email_confirmed_at": now,
                "created_at": now,
            }
            for i, email in enumerate(emails)
        ]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(User), rows[start : start + BATCH])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return event_id, emails


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


def start_server(url: str, workers: int, log: Path, probe: str, smtp_port: int) -> Server:
    """gunicorn with `workers` sync workers, configured through the environment only."""
    env = app_environment(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        # 1,000 log-ins from one address: the per-address login limit would refuse most.
        RATELIMIT_ENABLED="false",
        # The receipts of the sign-ups go to the loopback sink: nothing leaves the machine.
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


class Browser:
    """One person's cookies over plain http.client (gunicorn's sync workers close each
    connection anyway, so every request connects)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form=None, headers=None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            sent = {"User-Agent": "matchmaker-bench-events"}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form)
                sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.update(headers or {})
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, page
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        status, page = self.request("GET", path)
        found = CSRF.search(page)
        if status != 200 or found is None:
            raise RuntimeError(f"GET {path}: {status}, no CSRF token")
        return found.group(1)


@dataclass
class Person:
    email: str
    browser: Browser
    token: str = ""


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)
    confirmed: int = 0
    positions: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: float = 0.0


def log_in(person: Person, event_path: str) -> None:
    login = "/en/account/login"
    token = person.browser.csrf_token(login)
    status, _ = person.browser.request(
        "POST", login, {"csrf_token": token, "email": person.email, "password": PASSWORD}
    )
    if status not in (302, 303):
        raise RuntimeError(f"log-in of {person.email}: {status}")
    person.token = person.browser.csrf_token(event_path)


def sign_up(person: Person, path: str, result: ClientResult) -> None:
    form = {"csrf_token": person.token, "organisation": "0"}
    started = time.perf_counter()
    try:
        status, page = person.browser.request("POST", path, form, {"HX-Request": "true"})
    except OSError as error:
        result.errors.append(f"{person.email}: {error!r}")
        return
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    page = html.unescape(page)
    position = POSITION.search(page)
    if status != 200:
        result.errors.append(f"{person.email}: HTTP {status}")
    elif position:
        result.positions.append(int(position.group(1)))
    elif "You're registered." in page:
        result.confirmed += 1
    else:
        result.errors.append(f"{person.email}: 200 without a registration in the answer")


@dataclass
class Run:
    results: list[ClientResult]
    login_seconds: float
    seconds: float  # from the start signal to the last answer
    worker_cpu: float  # gunicorn workers' CPU seconds while the sign-ups ran
    busy: float  # share of the machine's CPU time in use meanwhile (all processes)


def run_clients(server: Server, event_id: int, emails: list[str], clients: int, seed: int) -> Run:
    """Log everyone in (untimed), then all clients sign their people up at once."""
    event_path = f"/en/events/{event_id}"
    sign_up_path = f"{event_path}/sign-up"
    order = list(emails)
    random.Random(seed).shuffle(order)
    groups = [[Person(e, Browser(server.port)) for e in order[i::clients]] for i in range(clients)]
    results = [ClientResult() for _ in range(clients)]
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    setup_errors: list[str] = []

    def client(index: int) -> None:
        try:
            for person in groups[index]:
                log_in(person, event_path)
        except Exception as error:
            setup_errors.append(repr(error))
        ready.wait()
        go.wait()
        if setup_errors:
            return
        for person in groups[index]:
            sign_up(person, sign_up_path, results[index])
        results[index].finished = time.perf_counter()

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
        seconds,
        cpu_seconds(workers) - cpu_before,
        (busy_after - busy_before) / max(total_after - total_before, 1),
    )


# --------------------------------------------------------------------------------------
# Checking and reporting
# --------------------------------------------------------------------------------------


@dataclass
class Figure:
    database: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    worker_cpu_ms: float  # gunicorn workers' CPU per sign-up

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)


def verify(app, event_id: int, people: int, capacity: int) -> list[str]:
    """What must hold after the run; returns the problems (none, if the seats are right)."""
    problems = []
    with app.app_context():
        event = db.session.get(Event, event_id)
        people_now = participants(event_id)
        found = {"confirmed": len(people_now.confirmed), "waiting": len(people_now.waiting)}
        waiting = list(
            db.session.scalars(
                select(Registration)
                .where(Registration.event_id == event_id, Registration.status == "waiting")
                .order_by(Registration.ticket)
            )
        )
        positions = [seats.position(r) for r in waiting]
        tickets = sorted(
            db.session.scalars(select(Registration.ticket).where(Registration.event_id == event_id))
        )
        expected_waiting = max(people - capacity, 0)
        print(
            f"database: confirmed {found['confirmed']}, waiting {found['waiting']}, "
            f"taken {event.taken}/{event.capacity}, tickets {event.tickets}"
        )
        if found["confirmed"] != min(people, capacity):
            problems.append(f"confirmed {found['confirmed']} != {min(people, capacity)}")
        if event.taken != found["confirmed"]:
            problems.append(f"taken {event.taken} != confirmed {found['confirmed']}")
        if found["waiting"] != expected_waiting:
            problems.append(f"waiting {found['waiting']} != {expected_waiting}")
        if positions != list(range(1, len(waiting) + 1)):
            problems.append("waiting positions are not 1..n without gaps")
        if tickets != list(range(1, people + 1)):
            problems.append("tickets are not 1..n, each once")
        db.engine.dispose()
    return problems


def run_database(name: str, url: str, args) -> tuple[Figure, list[str]]:
    print(f"\n=== {name}: {url}", flush=True)
    app = make_app(url)
    started = time.perf_counter()
    build_schema(app)
    event_id, emails = load(app, args.people, args.seats)
    print(
        f"schema + {args.people:,} people + event ({args.seats} seats, waiting list): "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    with (
        tempfile.TemporaryDirectory(prefix="matchmaker-bench-gunicorn-") as directory,
        MailSink() as mail,
    ):
        log = Path(directory) / "gunicorn.log"
        server = start_server(url, args.workers, log, f"/en/events/{event_id}", mail.port)
        try:
            run = run_clients(server, event_id, emails, args.clients, args.seed)
        finally:
            server.stop()
        failures = [
            line
            for line in log.read_text().splitlines()
            if "Traceback" in line or "Could not send" in line
        ]
        mails = mail.received
    results = run.results
    print(
        f"log-ins (untimed): {args.people:,} in {run.login_seconds:.1f} s; "
        f"sign-ups: {args.people:,} in {run.seconds:.2f} s; gunicorn workers' CPU "
        f"{1000 * run.worker_cpu / args.people:.1f} ms per sign-up; machine CPU busy "
        f"{100 * run.busy:.0f} % of {os.cpu_count()} cores; e-mails received {mails:,}",
        flush=True,
    )
    errors = [e for r in results for e in r.errors]
    for error in errors[:10]:
        print(f"  error: {error}")
    seen_confirmed = sum(r.confirmed for r in results)
    seen_positions = sorted(p for r in results for p in r.positions)
    print(
        f"answers: {seen_confirmed} 'registered', {len(seen_positions)} 'waiting list' "
        f"(positions {seen_positions[0] if seen_positions else '-'}"
        f"..{seen_positions[-1] if seen_positions else '-'}), {len(errors)} errors"
    )
    problems = verify(app, event_id, args.people, args.seats)
    if seen_positions != list(range(1, len(seen_positions) + 1)):
        problems.append("the positions shown to the people are not 1..n, each once")
    if errors:
        problems.append(f"{len(errors)} sign-up requests failed")
    if failures:
        problems.append(f"{len(failures)} tracebacks or mail failures in gunicorn's log")
    latencies = [ms for r in results for ms in r.latencies_ms]
    worker_cpu_ms = 1000 * run.worker_cpu / max(len(latencies), 1)
    return Figure(
        name, len(latencies), run.seconds, latencies, len(errors), worker_cpu_ms
    ), problems


def print_table(figures: list[Figure]) -> None:
    header = (
        f"{'database':10} {'requests':>8} {'sign-ups/s':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>6} {'worker CPU ms':>13}"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        print(
            f"{f.database:10} {f.requests:8} {f.requests / f.seconds:10.1f} "
            f"{f.percentile(50):8.1f} {f.percentile(95):8.1f} {f.percentile(99):8.1f} "
            f"{max(f.latencies_ms, default=math.nan):8.1f} {f.errors:6} {f.worker_cpu_ms:13.1f}"
        )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Seeded benchmark of event sign-ups over HTTP: C concurrent clients POST the "
            "sign-up form to gunicorn (W workers) for one event with S seats and a waiting "
            "list; prints throughput and p50/p95/p99 latency and checks the seats afterwards. "
            "WARNING: the PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the "
            f"database in --database-url (default {DEFAULT_PG_URL}); all its data is lost."
        )
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", default=DEFAULT_PG_URL, help="PostgreSQL URL")
    parser.add_argument("--people", type=int, default=1_000, help="people signing up")
    parser.add_argument("--seats", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=42, help="the order of the sign-ups")
    parser.add_argument(
        "--keep-sqlite", action="store_true", help="keep the SQLite file and print its path"
    )
    args = parser.parse_args(argv)
    database = make_url(args.database_url).database
    if args.database != "sqlite" and database in FORBIDDEN_DATABASES:
        parser.error(f"refusing to drop the schema of {database!r}: use a scratch database")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(
        f"event sign-up benchmark: {args.people:,} people, {args.seats} seats + waiting list, "
        f"{args.clients} clients, gunicorn {args.workers} workers, {os.cpu_count()} CPUs, "
        f"seed {args.seed}"
    )
    figures: list[Figure] = []
    failed = False
    runs = []
    if args.database in ("sqlite", "both"):
        runs.append("sqlite")
    if args.database in ("postgresql", "both"):
        runs.append("postgresql")
    for name in runs:
        directory = None
        if name == "sqlite":
            directory = tempfile.mkdtemp(prefix="matchmaker-bench-")
            url = f"sqlite:///{Path(directory) / 'events.sqlite'}"
        else:
            url = args.database_url
        try:
            figure, problems = run_database(name, url, args)
        finally:
            if directory and args.keep_sqlite:
                print(f"kept {url.removeprefix('sqlite:///')}")
            elif directory:
                for suffix in ("", "-wal", "-shm"):
                    Path(directory, f"events.sqlite{suffix}").unlink(missing_ok=True)
                Path(directory).rmdir()
        figures.append(figure)
        print("check: " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
        failed = failed or bool(problems)
    print()
    print_table(figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
