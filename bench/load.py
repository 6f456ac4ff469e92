"""A mixed day under load, with a mail outage and killed processes: production (gunicorn +
PostgreSQL + Redis + the worker) proven on loopback with Locust; exits non-zero when a
check fails.

    .venv/bin/python bench/load.py            # 3 minutes, 40 users, 500 sign-ups
    .venv/bin/python bench/load.py --short    # CI: 40 s of load, about 70 s in all

Set-up: a fresh database (DROP and CREATE DATABASE matchmaker_load), `flask db upgrade`,
`flask taxonomy sync`, `flask seed-demo` (the demo register), then, in the app's context,
confirmed member accounts (one for each published organisation, and the participants,
each a member of a published organisation) and one published event with a waiting list
and 1:1 meetings on (two sessions of 20-minute meetings on its day, 21 slots, 30 tables).
An SMTP sink runs in this process (aiosmtpd on a free loopback port, keeping every
Message-ID); gunicorn (3 sync workers) and the worker (`flask --app matchmaker worker`,
in a process group of its own, its queue in Redis db 12, emptied before and after) start
beside it.

Load (Locust as a library, headless; the users are greenlets of this process):
- Visitor: home, projects, a search, a project page, organisations, the map, events;
- Member: logs in, opens a match list of their organisation, asks another organisation
  for contact (each pair of organisations once), reads the contact inbox;
- Participant: logs a participant in, opens the event page, signs up; the sign-ups are
  spread evenly over 5-80 % of the run (so some of their receipts meet the outage), and
  there are enough participant users (besides --users) to keep that pace even while a
  sign-up takes 6 s.
- Meeter: books the meetings. Each participant who got a confirmed seat asks the one
  confirmed before them (so nobody is asked twice): the meeter logs the asker in, opens
  the ask form and asks (no slot proposed), then logs the person asked in, opens their
  requests page and accepts (as htmx does) into one of the slots its form offers, drawn
  at random; when that slot or its last table was taken meanwhile (a 409 saying "Choose
  another"), into another. Enough meeters to keep the sign-ups' pace at 6 s a meeting.
The sign-up POSTs come from 127.0.0.2, the contact-request pages from 127.0.0.3 and the
meeting accepts from 127.0.0.4 (the rest from 127.0.0.1), so that the script can tell
from /proc which gunicorn worker serves one.

The faults, as shares of the run, each printed with its time as it happens:
- 20 %: the worker is killed (SIGKILL to its process group, as a crash would), preferably
  while it delivers (the script waits up to 3 s for it to hold the outbox delivery lock).
  Meanwhile the web app goes on writing outbox rows and queueing deliveries in Redis.
- 30 %: the SMTP sink stops; 60 %: it starts again and the script runs `flask --app
  matchmaker worker send-waiting`, as an operator would (every waiting message now, not at
  its next attempt; without it they leave within a minute anyway).
- 45 %: the worker is started again, the same command. Before that the script holds the
  Huey locks the killed worker did not leave behind (`outbox-delivery`, `job.outbox`),
  as a worker killed in the middle of its outbox job leaves them: the start must clear
  them and deliver. If the worker does not start (it exits, or its start-up outbox job
  has not succeeded within 30 s) the check fails, and the script clears the locks by hand
  and starts it once more, so that the rest of the run still checks what it can.
- 50 %, 65 % and 70 %: one gunicorn worker (a child of the master) is killed with SIGKILL
  while it serves a sign-up (50 %), a meeting accept (65 %) or a contact request (70 %)
  (the script waits up to 6 s for one, else it kills a worker serving any request); the
  master starts another. The request in flight gets no answer (a connection error): it
  is counted as cut, not as failed, and the user starts the action again (at most 3
  tries): a participant logs in again and opens the event page, which shows the
  registration if the cut sign-up had committed, or the form to sign up again; a member
  posts the contact request again (the site answers "You had already sent this request"
  if the cut one went through); a meeter logs in again and asks again (a request already
  open answers "There is already an open request…", the same redirect) or accepts again
  (when the cut accept went through, the request has no form left: posted again, it is
  refused as "already accepted", which counts as done).
After the load the script waits (at most --drain seconds) for the outbox to empty; when a
queued message is due it runs `run-job outbox` rather than wait up to a minute for the
worker's minute job (the report says who sent what).

Checks (the exit status is 1 if any fails): no response >= 500 and no failed request (a
connection error is a failure unless a web worker was killed while it was under way);
every outbox row sent; the SMTP sink received each outbox row's Message-ID exactly once
and nothing else (but for a message the SMTP server had taken and the outbox not yet
marked sent when the worker was killed: that one, sent again unchanged, may arrive
twice); one sign-up receipt per active registration; the seats: taken == confirmed <=
capacity, nobody waits while a seat is free, the waiting positions shown are 1..n once
each, nobody holds two active registrations; every participant signed up, as answered;
each participant has exactly one active registration and one receipt; each contact
request the members were told was sent is in the database once, and nobody was
notified of one twice; no traceback in gunicorn's log; the worker started
again with the locks left behind; deliveries were queued in Redis while it was down and
no request failed to queue one; each killed web worker was replaced (gunicorn logged
"Worker (pid:N) was sent SIGKILL! Perhaps out of memory?" once per kill, no traceback)
and gunicorn has its workers at the end; at most 3 requests cut per killed web worker;
each cut sign-up done once, by the cut request or by the retry; /healthz says "ok"
afterwards. The meetings: nobody and no table twice in one slot, each accepted request
with exactly one booked meeting of two seats (and no meeting without one), every seat a
confirmed participant's; every meeting lined up was started and booked, as answered, and
the accepted pairs in the database are those; one meeting_requested e-mail per request and
one meeting_booked per person booked (delivered once each: the Message-ID check). The
report gives the meetings booked, the refusals by their sentence, the slots and tables
used, and the outbox's e-mails per template.
"""

from __future__ import annotations

from gevent import monkey

# First of all: Locust's users are greenlets, so sockets, ssl and time must be cooperative
# before anything (http.client, requests, the app) imports them.
monkey.patch_all()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (ROOT, BENCH):  # `python bench/load.py` from anywhere
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import gevent  # noqa: E402
import redis  # noqa: E402
from harness import (  # noqa: E402  (bench/harness.py: shared with bench/events.py)
    LOOPBACK,
    MailSink,
    Process,
    app_environment,
    busy_jiffies,
    children,
    cpu_seconds,
    http_get,
    percentile,
    serving,
    spawn,
    spawn_gunicorn,
    wait_until_ready,
)
from huey import RedisHuey  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.exception import StopUser  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://root@127.0.0.1:5432/matchmaker_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
# Other people's databases (the test suite's, the other benchmarks'): never dropped here.
FORBIDDEN_DATABASES = {
    "test",
    "postgres",
    "template0",
    "template1",
    "bench_events",
    "bench_matching",
}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "load test passphrase 2026"  # noqa: S105 (a benchmark's throwaway accounts)
LANGUAGES = ("en", "pl", "da", "nb")
SEARCH_WORDS = (
    "telemedicine",
    "hospital",
    "sensor",
    "cancer",
    "rehabilitation",
    "stroke",
    "imaging",
    "monitoring",
    "telemedycyna",
    "szpital",
    "sykehus",
    "diabetes",
)
CSRF = re.compile(r'name="((?:[\w-]+-)?csrf_token)"[^>]*value="([^"]+)"')
POSITION = re.compile(r"waiting list — position (\d+)")
HTMX = {"HX-Request": "true"}
# The participants sign up one after another from 5 % to 80 % of the run (an arrival
# schedule, not a think time); enough users sign them up to keep that pace even while a
# sign-up (log-in, event page, POST) takes 6 s on a busy machine.
SIGN_UP_FROM, SIGN_UP_TO, SIGN_UP_SECONDS = 0.05, 0.80, 6.0
# A user whose request was cut (a connection error: the web worker serving it was killed)
# tries the action again, at most this many times in all.
ATTEMPTS = 3
# After the timed load, the load goes on at most this long while meetings are still
# queued or under way (each confirmed seat queues one), and the report says how long.
MEETING_DRAIN_LIMIT = 60.0
CUT = "cut"  # what a step returns when its request was cut
# The sign-up POSTs and the contact-request pages come from loopback addresses of their
# own, so that the script can see which gunicorn worker serves one (harness.serving) and
# kill that one. Linux answers on the whole of 127.0.0.0/8.
SIGN_UP_SOURCE, CONTACT_SOURCE = "127.0.0.2", "127.0.0.3"
MEETING_SOURCE = "127.0.0.4"  # the meeting accepts
# When the faults happen, as shares of the run (the SMTP outage: 30-60 %).
WORKER_KILL, WORKER_RESTART = 0.20, 0.45
SMTP_STOP, SMTP_RESTART = 0.30, 0.60
WEB_KILLS = (
    (0.50, "participant: sign up"),
    (0.65, "meeting: accept"),
    (0.70, "member: send contact request"),
)
SOURCES = {  # the loopback address each aimed action comes from
    "participant: sign up": SIGN_UP_SOURCE,
    "meeting: accept": MEETING_SOURCE,
    "member: send contact request": CONTACT_SOURCE,
}
CUTS_PER_KILL = 3  # at most this many requests cut per killed web worker (sync: one)
# The event's 1:1 meetings: two sessions of 20-minute meetings on its day (21 slots) at
# 30 tables, room for 630 meetings (the run books one fewer than the confirmed seats).
MEETING_SESSIONS, MEETING_MINUTES, MEETING_TABLES = ("09:00-12:00", "13:00-17:00"), 20, 30
MEETING_SECONDS = 6.0  # what a meeting (ask and accept, two log-ins) may take when busy
ACCEPT_FORM = re.compile(r'action="[^"]*/requests/(\d+)/accept".*?</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
ALERT = re.compile(r'<p role="alert"[^>]*>([^<]*)</p>')
ALREADY_ACCEPTED = "This request has already been accepted."


# --------------------------------------------------------------------------------------
# What the users share: accounts, the event, the register, and what they saw
# --------------------------------------------------------------------------------------


@dataclass
class Account:
    email: str
    user_id: int
    organisation_id: int


@dataclass
class Plan:
    event_id: int
    members: list[Account]
    participants: list[Account]
    organisations: list[int]  # the published ones: contact request recipients
    match_lists: dict[int, list[str]]  # organisation -> its match lists (partners, projects)
    projects: list[int]
    duration: float
    seed: int = 42
    users_started: int = 0
    sign_up_from: float = SIGN_UP_FROM
    sign_up_to: float = SIGN_UP_TO
    started: float = 0.0  # time.monotonic() when the load began
    next_member: int = 0
    next_participant: int = 0
    pairs: set[tuple[int, int]] = field(default_factory=set)  # reserved
    sent_pairs: set[tuple[int, int]] = field(default_factory=set)  # answered "sent"
    # a pair whose POST was cut -> when (time.time()) the retried POST began
    cut_pairs: dict[tuple[int, int], float] = field(default_factory=dict)
    # participant index -> what the site answered last: "confirmed" or a waiting position
    answers: dict[int, str | int] = field(default_factory=dict)
    # participant index -> whether its cut sign-up had committed ("committed before the
    # cut": the retry found the registration) or not ("signed up by the retry")
    cut_sign_ups: dict[int, str] = field(default_factory=dict)
    retries: Counter = field(default_factory=Counter)  # action -> retries after a cut
    # The meetings: each confirmed participant asks the one confirmed before them (so
    # nobody is asked twice), and the person asked accepts.
    last_confirmed: Account | None = None
    meeting_queue: list[tuple[Account, Account]] = field(default_factory=list)
    meetings_started: int = 0
    meetings_done: int = 0  # asked and answered (booked or not)
    drained_for: float = 0.0  # seconds the load went on for the meetings
    meeting_outcomes: Counter = field(default_factory=Counter)  # what the answers said
    booked_pairs: set[tuple[int, int]] = field(default_factory=set)  # answered booked
    in_flight: Counter = field(default_factory=Counter)  # action -> requests under way
    recorder: Recorder = field(default_factory=lambda: Recorder())

    @property
    def contact_requests(self) -> int:
        return len(self.sent_pairs)

    @property
    def confirmed_seen(self) -> int:
        return sum(1 for answer in self.answers.values() if answer == "confirmed")

    @property
    def positions_seen(self) -> list[int]:
        return [answer for answer in self.answers.values() if isinstance(answer, int)]

    def confirmed(self, account: Account) -> None:
        """A seat confirmed: that person will ask the one confirmed before them."""
        if self.last_confirmed is not None:
            self.meeting_queue.append((account, self.last_confirmed))
        self.last_confirmed = account

    def member(self) -> Account:
        account = self.members[self.next_member % len(self.members)]
        self.next_member += 1
        return account

    def participant(self) -> tuple[int, Account] | None:
        if self.next_participant >= len(self.participants):
            return None
        index = self.next_participant
        self.next_participant += 1
        return index, self.participants[index]

    def slot(self, index: int) -> float:
        """When participant `index` signs up (time.monotonic())."""
        share = self.sign_up_from + (self.sign_up_to - self.sign_up_from) * index / max(
            len(self.participants), 1
        )
        return self.started + share * self.duration

    def recipient(self, sender_org: int, rng: random.Random) -> int | None:
        """An organisation `sender_org` has not asked yet (each pair once), reserved."""
        candidates = [
            o for o in self.organisations if o != sender_org and (sender_org, o) not in self.pairs
        ]
        if not candidates:
            return None
        chosen = rng.choice(candidates)
        self.pairs.add((sender_org, chosen))
        return chosen


PLAN: Plan | None = None  # set before the users start


def csrf_field(page: str) -> tuple[str, str] | None:
    found = CSRF.search(page)
    return (found.group(1), found.group(2)) if found else None


def cut(response) -> bool:
    """No HTTP answer at all: the connection was reset or closed under the request (left
    unmarked, so that the Recorder sees the connection error itself)."""
    return response.status_code == 0


@contextlib.contextmanager
def flying(name: str):
    """Counts `name` as under way (the web-worker kills wait for a sign-up, a meeting
    accept or a contact request in flight)."""
    PLAN.in_flight[name] += 1
    try:
        yield
    finally:
        PLAN.in_flight[name] -= 1


@contextlib.contextmanager
def in_flight(client, method: str, url: str, name: str, **options):
    """One of Locust's requests (its response checked by the caller) counted as under way
    while it runs (see `flying`)."""
    with flying(name), client.request(method, url, name=name, catch_response=True, **options) as r:
        yield r


class FromAddress(HTTPAdapter):
    """Connects from another loopback address (see SIGN_UP_SOURCE)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def log_in(user: HttpUser, account: Account) -> bool | str:
    """The login form as a browser sends it; True when signed in, CUT when a request was cut."""
    with user.client.get("/en/account/login", name="log in: form", catch_response=True) as r:
        if cut(r):
            return CUT
        token = csrf_field(r.text)
        if r.status_code != 200 or token is None:
            r.failure(f"{r.status_code}, no CSRF token")
            return False
    form = {token[0]: token[1], "email": account.email, "password": PASSWORD}
    with user.client.post(
        "/en/account/login",
        data=form,
        name="log in: submit",
        allow_redirects=False,
        catch_response=True,
    ) as r:
        if cut(r):
            return CUT
        if r.status_code not in (302, 303):
            r.failure(f"{r.status_code}: not signed in")
            return False
    return True


class LoopbackUser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.trust_env = False  # no proxy from the environment: straight to loopback
        PLAN.users_started += 1
        self.rng = random.Random(f"{PLAN.seed}-{PLAN.users_started}")


class Visitor(LoopbackUser):
    """Anonymous: the public register, the map and the events."""

    weight = 5
    wait_time = between(1, 4)

    @task(2)
    def home(self) -> None:
        self.client.get("/en/", name="visitor: home")

    @task(3)
    def projects(self) -> None:
        self.client.get("/en/projects", name="visitor: projects")

    @task(3)
    def search(self) -> None:
        word = self.rng.choice(SEARCH_WORDS)
        self.client.get(f"/en/projects?q={word}", name="visitor: search")

    @task(3)
    def project(self) -> None:
        project_id = self.rng.choice(PLAN.projects)
        self.client.get(f"/en/projects/{project_id}", name="visitor: project page")

    @task(2)
    def organisations(self) -> None:
        self.client.get("/en/organisations", name="visitor: organisations")

    @task(1)
    def map(self) -> None:
        self.client.get("/en/map", name="visitor: map")

    @task(1)
    def events(self) -> None:
        self.client.get("/en/events", name="visitor: events")


class Member(LoopbackUser):
    """A member of a published organisation: matches, contact requests, the inbox."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        super().on_start()
        self.account = PLAN.member()
        self.client.mount(f"{self.host}/en/contacts/new/", FromAddress(CONTACT_SOURCE))
        signed_in = retried(log_in, "log in", self, self.account)
        if signed_in is not True:
            raise StopUser

    @task(4)
    def matches(self) -> None:
        org = self.account.organisation_id
        list_name = self.rng.choice(PLAN.match_lists[org])
        self.client.get(
            f"/en/organisations/{org}/matches/{list_name}", headers=HTMX, name="member: matches"
        )

    @task(2)
    def contact_request(self) -> None:
        """Asks an organisation for contact; when a request is cut, asks again (the site
        answers "You had already sent this request" if the cut one had gone through)."""
        sender = self.account.organisation_id
        recipient = PLAN.recipient(sender, self.rng)
        if recipient is None:
            return
        retried(self.send_contact_request, "contact request", sender, recipient)

    def send_contact_request(self, sender: int, recipient: int) -> bool | str:
        path = f"/en/contacts/new/{recipient}"
        with in_flight(self.client, "GET", path, "member: contact form") as r:
            if cut(r):
                return CUT
            token = csrf_field(r.text)
            if r.status_code != 200 or token is None:
                r.failure(f"{r.status_code}, no form")
                return False
        prefix = f"to{recipient}-"
        form = {
            token[0]: token[1],
            f"{prefix}sender_org": sender,
            f"{prefix}project": 0,
            f"{prefix}message": "Load test: we would like to talk about remote monitoring.",
            f"{prefix}contacts": self.account.user_id,
        }
        pair = (sender, recipient)
        if pair in PLAN.cut_pairs:
            PLAN.cut_pairs[pair] = time.time()  # the retry begins
        with in_flight(
            self.client, "POST", path, "member: send contact request", data=form,
            allow_redirects=False,
        ) as r:  # fmt: skip
            if cut(r):
                PLAN.cut_pairs[pair] = math.nan
                return CUT
            if r.status_code not in (302, 303) or "/contacts/" not in r.headers.get("Location", ""):
                r.failure(f"{r.status_code}: not sent")
                return False
        PLAN.sent_pairs.add(pair)
        return True

    @task(3)
    def inbox(self) -> None:
        self.client.get("/en/contacts/inbox", name="member: contact inbox")


class Participant(LoopbackUser):
    """Signs people up for the event, one account after another, each at its time slot."""

    fixed_count = 10  # set from --participant-users

    def on_start(self) -> None:
        super().on_start()
        self.turn: tuple[int, Account] | None = None
        sign_up = f"{self.host}/en/events/{PLAN.event_id}/sign-up"
        self.client.mount(sign_up, FromAddress(SIGN_UP_SOURCE))

    def wait_time(self) -> float:
        if self.turn is None:
            return 0
        return max(0.0, PLAN.slot(self.turn[0]) - time.monotonic())

    @task
    def next_sign_up(self) -> None:
        if self.turn is None:
            self.turn = PLAN.participant()
            if self.turn is None:
                raise StopUser  # everyone has had their turn
            return  # wait_time now waits for this account's slot
        index, account = self.turn
        self.turn = None
        # A cut request (its web worker killed): the person starts again, as one would
        # after a connection error: log in, the event page, the sign-up.
        retried(self.sign_up, "sign-up", index, account)

    def sign_up(self, index: int, account: Account) -> bool | str:
        self.client.cookies.clear()  # another person (or a new try) on the same greenlet
        signed_in = log_in(self, account)
        if signed_in is not True:
            return signed_in
        path = f"/en/events/{PLAN.event_id}"
        with self.client.get(path, name="participant: event page", catch_response=True) as r:
            if cut(r):
                return CUT
            page = html.unescape(r.text)
            if index in PLAN.cut_sign_ups and (answer := registered(page)) is not None:
                # The cut sign-up had gone through: the page shows the registration.
                PLAN.cut_sign_ups[index] = "committed before the cut"
                answered(index, account, answer)
                return True
            token = csrf_field(page)
            if r.status_code != 200 or token is None or registered(page) is not None:
                r.failure(f"{r.status_code}, no sign-up form")
                return False
        form = {token[0]: token[1], "organisation": account.organisation_id}
        with in_flight(
            self.client, "POST", f"{path}/sign-up", "participant: sign up", data=form, headers=HTMX
        ) as r:
            if cut(r):
                PLAN.cut_sign_ups[index] = "not committed"  # unless the retry finds it
                return CUT
            if r.status_code != 200:
                return False  # marked failed already
            answer = registered(html.unescape(r.text))
            if answer is None:
                r.failure("200 without a registration in the answer")
                return False
            answered(index, account, answer)
            if PLAN.cut_sign_ups.get(index) == "not committed":
                PLAN.cut_sign_ups[index] = "signed up by the retry"
        return True


def answered(index: int, account: Account, answer: str | int) -> None:
    PLAN.answers[index] = answer
    if answer == "confirmed":
        PLAN.confirmed(account)


def registered(page: str) -> str | int | None:
    """The registration a sign-up box shows: "confirmed", a waiting position, or None."""
    if position := POSITION.search(page):
        return int(position.group(1))
    return "confirmed" if "You're registered." in page else None


class Meeter(LoopbackUser):
    """Books the meetings the sign-ups line up (Plan.confirmed): logs the asker in and
    asks (the ask form, then the POST, letting the other choose the time), then logs the
    person asked in and accepts into a slot the requests page offers for both (one drawn
    at random; another one if that was taken meanwhile)."""

    fixed_count = 10  # set from --meeting-users

    def on_start(self) -> None:
        super().on_start()
        self.base = f"/en/events/{PLAN.event_id}/meetings"
        self.client.mount(f"{self.host}{self.base}/requests/", FromAddress(MEETING_SOURCE))
        self.request_id: int | None = None  # the request being accepted
        self.accept_cut = False  # whether an accept POST of it was cut

    def wait_time(self) -> float:
        return 0 if PLAN.meeting_queue else 0.25

    @task
    def meet(self) -> None:
        if not PLAN.meeting_queue:
            return
        asker, asked = PLAN.meeting_queue.pop(0)
        PLAN.meetings_started += 1
        try:
            self.ask_and_accept(asker, asked)
        finally:
            PLAN.meetings_done += 1

    def ask_and_accept(self, asker: Account, asked: Account) -> None:
        if retried(self.ask, "meeting: ask", asker, asked) is not True:
            PLAN.meeting_outcomes["not asked"] += 1  # marked failed (or cut 3 times)
            return
        PLAN.meeting_outcomes["asked"] += 1
        self.request_id, self.accept_cut = None, False
        for _ in range(ATTEMPTS):
            outcome = retried(self.accept, "meeting: accept", asked)
            if not (isinstance(outcome, str) and outcome.endswith("Choose another.")):
                break
            PLAN.meeting_outcomes[f"refused: {outcome}"] += 1  # another slot, then
        if outcome in ("booked", ALREADY_ACCEPTED):
            PLAN.booked_pairs.add((asker.user_id, asked.user_id))
        done = {"booked": "accepted", ALREADY_ACCEPTED: "accepted before the cut"}
        if outcome == "booked" and self.accept_cut:
            done["booked"] = "accepted by the retry after a cut"
        PLAN.meeting_outcomes[done.get(outcome, f"not accepted: {outcome}")] += 1

    def ask(self, asker: Account, asked: Account) -> bool | str:
        self.client.cookies.clear()  # another person (or a new try) on the same greenlet
        signed_in = log_in(self, asker)
        if signed_in is not True:
            return signed_in
        path = f"{self.base}/ask/{asked.user_id}"
        with self.client.get(path, name="meeting: ask form", catch_response=True) as r:
            if cut(r):
                return CUT
            token = csrf_field(r.text)
            if r.status_code != 200 or token is None:
                r.failure(f"{r.status_code}, no form")
                return False
        form = {token[0]: token[1], "message": "Load test: shall we meet?", "slot": ""}
        with self.client.post(
            path, data=form, name="meeting: ask", allow_redirects=False, catch_response=True
        ) as r:
            if cut(r):
                return CUT
            # Sent, or "There is already an open request…" (a retry after a cut that went
            # through): the same redirect to the requests page.
            if r.status_code not in (302, 303) or "/requests" not in r.headers.get("Location", ""):
                r.failure(f"{r.status_code}: not asked")
                return False
        return True

    def accept(self, asked: Account) -> bool | str:
        """ "booked", the refusal's sentence, False (failed) or CUT."""
        self.client.cookies.clear()
        signed_in = log_in(self, asked)
        if signed_in is not True:
            return signed_in
        path = f"{self.base}/requests"
        with self.client.get(path, name="meeting: requests", catch_response=True) as r:
            if cut(r):
                return CUT
            token, found = csrf_field(r.text), ACCEPT_FORM.search(r.text)
            if found is not None:  # (nobody is asked by two people: one form at most)
                self.request_id = int(found.group(1))
            if r.status_code != 200 or token is None or self.request_id is None:
                r.failure(f"{r.status_code}, no request to accept")
                return False
        # No form: a cut accept had gone through; posted again, it is refused as accepted.
        slots = OPTION.findall(found.group(0)) if found is not None else [""]
        if not slots:
            return "no time in common left"
        form = {token[0]: token[1], "slot": self.rng.choice(slots)}
        with in_flight(
            self.client, "POST", f"{path}/{self.request_id}/accept", "meeting: accept",
            data=form, headers=HTMX,
        ) as r:  # fmt: skip
            if cut(r):
                self.accept_cut = True
                return CUT
            page = html.unescape(r.text)
            refusal = ALERT.search(page)
            if r.status_code == 200 and " booked: " in page:
                return "booked"
            if r.status_code == 409 and refusal is not None:
                r.success()  # a refusal, said to the person: counted, not a failure
                return refusal.group(1).strip()
            r.failure(f"{r.status_code}: neither booked nor refused")
            return False


def retried(step, action: str, *arguments):
    """`step(*arguments)` again after a cut (the person starts again), at most ATTEMPTS
    times in all; its last outcome."""
    for _ in range(ATTEMPTS):
        outcome = step(*arguments)
        if outcome is not CUT:
            return outcome
        PLAN.retries[action] += 1
    return CUT


# --------------------------------------------------------------------------------------
# Set-up: database, data, processes
# --------------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """DROP and CREATE the benchmark's database (connected to the server's `postgres`)."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def flask(env: dict[str, str], log: Path, *arguments: str, timeout: float = 300) -> None:
    """`flask --app matchmaker ARGUMENTS` with the run's environment; raises on failure."""
    command = [sys.executable, "-m", "flask", "--app", "matchmaker", *arguments]
    with log.open("ab") as output:
        output.write(f"\n$ flask {' '.join(arguments)}\n".encode())
        output.flush()
        done = subprocess.run(  # noqa: S603 (our interpreter, fixed arguments)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=timeout
        )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{log.read_text()[-3000:]}")


def load_accounts(url: str, redis_url: str, participants: int, seats: int) -> Plan:
    """Accounts (a member for each published organisation, and the participants, spread
    over those organisations), their memberships and the event, in the app's context."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from matchmaker import create_app
    from matchmaker.accounts.models import User, utcnow
    from matchmaker.events.services import EventInput, create_event, publish_event
    from matchmaker.extensions import db
    from matchmaker.matching import engine as match_engine
    from matchmaker.matching import service
    from matchmaker.organisations.models import Membership, Organisation
    from matchmaker.register.models import RegisterEntry

    app = create_app(
        {
            "ENVIRONMENT": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_BACKEND": "console",
            "RATELIMIT_ENABLED": False,
        }
    )
    # A fast hash (as the tests' FAST_HASH): the login checks it like any other, and the
    # benchmark measures the site, not scrypt's cost per log-in.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    now = utcnow()
    with app.app_context():
        entries = db.session.execute(
            select(RegisterEntry.item_type, RegisterEntry.item_id, RegisterEntry.org_kind)
        ).all()
        organisations = sorted(i for t, i, _ in entries if t == "organisation")
        kinds = {i: k for t, i, k in entries if t == "organisation"}
        projects = sorted(i for t, i, _ in entries if t == "project")
        match_lists = {}
        for org in organisations:
            names = []
            for name, kind in service.ORGANISATION_LISTS.items():
                spec = match_engine.list_rules(kind)
                if spec.subject_type == "organisation" and (
                    spec.subject_kinds is None or kinds[org] in spec.subject_kinds
                ):
                    names.append(name)
            match_lists[org] = names
        people = [("member", i) for i in range(len(organisations))] + [
            ("participant", i) for i in range(participants)
        ]
        rows = [
            {
                "email": f"load.{role}{i:04d}@example.org",
                "name": f"Load {role.title()} {i}",
                "password_hash": password_hash,
                "role": "member",
                "locale": LANGUAGES[n % len(LANGUAGES)],  # e-mails in all four languages
                "email_confirmed_at": now,
                "created_at": now,
            }
            for n, (role, i) in enumerate(people)
        ]
        db.session.execute(insert(User), rows)
        ids = dict(
            db.session.execute(
                select(User.email, User.id).where(User.email.like("load.%@example.org"))
            ).all()
        )
        accounts = {"member": [], "participant": []}
        memberships = []
        for n, (role, i) in enumerate(people):
            email = rows[n]["email"]
            org = organisations[(i if role == "member" else n) % len(organisations)]
            accounts[role].append(Account(email, ids[email], org))
            memberships.append(
                {"user_id": ids[email], "organisation_id": org, "role": "editor", "created_at": now}
            )
        db.session.execute(insert(Membership), memberships)
        db.session.commit()
        # The host: a demo organisation and its owner (a demo account, never logged in here).
        owner_membership = db.session.scalars(
            select(Membership)
            .where(Membership.role == "owner", Membership.organisation_id.in_(organisations))
            .order_by(Membership.organisation_id)
        ).first()
        host = db.session.get(Organisation, owner_membership.organisation_id)
        starts = now + timedelta(days=60)
        event = create_event(
            owner_membership.user,
            host,
            EventInput(
                kind="conference",
                original_language="en",
                city="Oslo",
                country="NO",
                timezone="Europe/Oslo",
                starts_at=starts,
                ends_at=starts + timedelta(hours=8),
                registration_deadline=starts - timedelta(days=1),
                capacity=seats,
                waiting_list=True,
                languages=["en"],
                texts={
                    "en": {
                        "title": "Nordic health innovation day (load test)",
                        "description": "Matchmaking for hospitals, start-ups and investors.",
                        "programme": "",
                    }
                },
            ),
        )
        publish_event(event)
        turn_meetings_on(event)
        event_id = event.id
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return Plan(
        event_id=event_id,
        members=accounts["member"],
        participants=accounts["participant"],
        organisations=organisations,
        match_lists=match_lists,
        projects=projects,
        duration=0,
    )


def turn_meetings_on(event) -> None:
    """1:1 meetings at the event: MEETING_SESSIONS on its day (at the place), 20-minute
    meetings at MEETING_TABLES tables, requests open now."""
    from zoneinfo import ZoneInfo

    from matchmaker.events.times import aware
    from matchmaker.meetings import grid, services
    from matchmaker.meetings.services import SetupInput

    day = aware(event.starts_at).astimezone(ZoneInfo(event.timezone)).date()
    services.save_setup(
        event,
        SetupInput(
            enabled=True,
            windows=grid.parse_windows("\n".join(f"{day} {s}" for s in MEETING_SESSIONS)),
            length_minutes=MEETING_MINUTES,
            break_minutes=0,
            table_count=MEETING_TABLES,
            table_names=[],
            video_pattern=None,
            max_meetings=6,
            max_open_requests=5,
            requests_open_at=None,
            requests_close_at=None,
            expiry_days=7,
        ),
    )


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Every request's time and status, per action (Locust's `name`). A request without
    any HTTP answer (a connection error) that was under way when a web worker was killed
    is counted as cut, not as failed; any other connection error is a failure."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: Counter = field(default_factory=Counter)
    server_errors: Counter = field(default_factory=Counter)
    cuts: Counter = field(default_factory=Counter)
    kills: list[float] = field(default_factory=list)  # time.time() of each web-worker kill
    examples: list[str] = field(default_factory=list)  # the first failures, for the report
    cut_examples: list[str] = field(default_factory=list)
    user_errors: list[str] = field(default_factory=list)

    def on_request(
        self, request_type, name, response_time, response, exception, start_time=None, **_kw
    ):
        self.latencies[name].append(response_time)
        status = getattr(response, "status_code", 0) or 0
        if status >= 500:
            self.server_errors[name] += 1
        ended = (start_time or 0) + response_time / 1000
        if (
            exception is not None
            and status == 0
            and start_time is not None
            and any(start_time <= kill <= ended + 0.05 for kill in self.kills)
        ):
            self.cuts[name] += 1
            self.cut_examples.append(f"{request_type} {name}: {exception!r:.160}")
            return
        if exception is not None:
            self.failures[name] += 1
            if len(self.examples) < 20:
                has = response is not None  # (a Response is falsy when its status >= 400)
                request_id = response.headers.get("X-Request-ID", "-") if has else "-"
                url = getattr(response, "url", "") if has else ""
                self.examples.append(
                    f"{request_type} {name} ({url}): {status} {exception!s:.200} "
                    f"request id {request_id}"
                )

    def on_user_error(self, user_instance, exception, tb, **_kw):
        if len(self.user_errors) < 20:
            self.user_errors.append(f"{type(user_instance).__name__}: {exception!r}")


@dataclass
class Outage:
    stopped_at: float = math.nan  # seconds since the load began
    restarted_at: float = math.nan
    waiting: list[int] = field(default_factory=list)  # outbox ids queued at the restart
    still_waiting_after_run_job: int = 0  # of those, after `worker send-waiting`
    run_job: gevent.Greenlet | None = None


def outbox_state(engine) -> dict:
    with engine.connect() as conn:
        counts = dict(
            conn.execute(text("SELECT status, count(*) FROM outbox_message GROUP BY status")).all()
        )
        due = conn.execute(
            text(
                "SELECT bool_or(next_attempt_at <= now()), "
                "extract(epoch from max(next_attempt_at) - now()) "
                "FROM outbox_message WHERE status = 'queued'"
            )
        ).one()
    return {
        "queued": counts.get("queued", 0),
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "some_due": bool(due[0]),
        "last_due_in": float(due[1]) if due[1] is not None else 0.0,
    }


def run_job_outbox(env: dict[str, str], log: Path, engine) -> int:
    """`flask --app matchmaker worker run-job outbox`, what an operator would run; how many
    messages went out meanwhile (the job's or the worker's)."""
    before = outbox_state(engine)["sent"]
    try:
        flask(env, log, "worker", "run-job", "outbox", timeout=60)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        # e.g. the worker's own outbox job holds the job's lock at that moment
        print(f"  run-job outbox did not run: {str(error).splitlines()[0]}", flush=True)
    return outbox_state(engine)["sent"] - before


def still_queued(engine, ids: list[int]) -> int:
    if not ids:
        return 0
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM outbox_message WHERE status = 'queued' AND id = ANY(:ids)"),
            {"ids": ids},
        ).scalar_one()


def after_restart(env: dict[str, str], log: Path, engine, outage: Outage) -> None:
    """The operator's `worker send-waiting` once the mail server is back (every waiting
    message now, not at its next attempt); then how many of those that waited at the
    restart are still waiting."""
    try:
        flask(env, log, "worker", "send-waiting", timeout=60)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        # e.g. the worker's own outbox job holds the job's lock at that moment
        print(f"  send-waiting did not run: {str(error).splitlines()[0]}", flush=True)
    outage.still_waiting_after_run_job = still_queued(engine, outage.waiting)


def wait_for_outbox(engine, env, log, limit: float) -> tuple[float, int, int, dict]:
    """Wait (at most `limit` s) until nothing is queued. When a queued message is due and
    nobody has sent it for 1 s, run `run-job outbox` (at most every 5 s) rather than wait
    for the worker's minute job. Returns the seconds waited, the messages sent by run-job
    and by the worker meanwhile, and the last state."""
    started = time.monotonic()
    by_job = 0
    state = outbox_state(engine)
    sent_before = state["sent"]
    due_since = None
    last_job = 0.0
    while state["queued"] and time.monotonic() - started < limit:
        gevent.sleep(1)
        state = outbox_state(engine)
        now = time.monotonic()
        if state["queued"] and state["some_due"]:
            due_since = due_since or now
            if now - due_since >= 1 and now - last_job >= 5:
                by_job += run_job_outbox(env, log, engine)
                last_job = time.monotonic()
                state = outbox_state(engine)
        else:
            due_since = None
    by_worker = state["sent"] - sent_before - by_job
    return time.monotonic() - started, by_job, by_worker, state


# --------------------------------------------------------------------------------------
# The other faults: the worker and web workers killed (SIGKILL, as a crash would)
# --------------------------------------------------------------------------------------

# The worker's Huey locks: the outbox delivery (matchmaker/outbox/tasks.py) and the outbox
# job's (matchmaker/jobs.py run_job), each a key in Redis while held.
DELIVERY_LOCK, JOB_LOCK = "outbox-delivery", "job.outbox"
WORKER_COMMAND = [sys.executable, "-m", "flask", "--app", "matchmaker", "worker"]


@dataclass
class WebKill:
    at: float  # seconds since the load began
    pid: int
    serving: str  # what the killed worker was serving
    respawned_as: int = 0
    respawn_seconds: float = math.nan


@dataclass
class Faults:
    """What the kills did, for the report and the checks."""

    worker_killed_at: float = math.nan
    worker_restarted_at: float = math.nan
    worker_up_at: float = math.nan  # its start-up outbox job done
    killed_pid: int = 0
    left_locks: list[str] = field(default_factory=list)  # held once the worker was dead
    # Message-IDs the SMTP server had received but the outbox had not marked sent when the
    # worker died: the one message a kill may catch between the server's "250 OK" and the
    # commit (matchmaker/outbox/delivery.py sends it again, the same message).
    in_doubt: set[str] = field(default_factory=set)
    pending_at_kill: int = 0  # deliveries in the worker's Redis queue
    pending_at_restart: int = 0
    queued_at_restart: int = 0  # outbox rows waiting
    planted: list[str] = field(default_factory=list)  # locks held by the script, see restart
    restart_ok: bool = False
    restart_detail: str = "not restarted"
    web_kills: list[WebKill] = field(default_factory=list)


class Operator:
    """Kills and restarts the worker and kills gunicorn workers during the load, printing
    each step with its time since the load began."""

    def __init__(self, plan, env, worker_log, engine, sink, gunicorn, processes, served, queue):
        self.plan, self.env, self.worker_log, self.engine = plan, env, worker_log, engine
        self.sink, self.gunicorn, self.processes, self.served = sink, gunicorn, processes, served
        self.huey = RedisHuey("matchmaker", connection_pool=queue.connection_pool)
        self.faults = Faults()
        self.cpu_killed = 0.0  # CPU seconds of the processes killed (gone from /proc)

    def elapsed(self) -> float:
        return time.monotonic() - self.plan.started

    def say(self, text: str) -> None:
        print(f"  {self.elapsed():5.1f} s: {text}", flush=True)

    def held(self) -> list[str]:
        return [name for name in (DELIVERY_LOCK, JOB_LOCK) if self.huey.lock_task(name).locked()]

    @property
    def worker(self) -> Process:
        return next(p for p in self.processes if p.process.args == WORKER_COMMAND)

    def start_worker(self) -> Process:
        worker = spawn(
            WORKER_COMMAND,
            self.env,
            self.worker_log,
            new_session=True,  # a group of its own: killed as a whole, without this script
            stop_signal=signal.SIGINT,  # Huey: finish the task at hand, then stop
        )
        self.processes[:] = [p for p in self.processes if p.process.args != WORKER_COMMAND]
        self.processes.append(worker)
        self.served.append(worker.process.pid)
        return worker

    def kill_worker(self) -> None:
        """SIGKILL to the worker's process group, preferably while it delivers (holds the
        delivery lock: waits up to 3 s for that); then which locks it left behind and the
        messages in doubt."""
        lock = self.huey.lock_task(DELIVERY_LOCK)
        deadline = time.monotonic() + 3
        while not lock.locked() and time.monotonic() < deadline:
            gevent.sleep(0.01)
        worker = self.worker
        pid = worker.process.pid
        self.cpu_killed += cpu_seconds([pid])
        os.killpg(pid, signal.SIGKILL)
        worker.process.wait()
        self.faults.worker_killed_at, self.faults.killed_pid = self.elapsed(), pid
        gevent.sleep(0.5)  # a commit the worker sent just before it died lands
        with self.engine.connect() as conn:
            sent = set(
                conn.execute(
                    text("SELECT message_id FROM outbox_message WHERE status = 'sent'")
                ).scalars()
            )
        with self.sink.lock:
            received = {i for i, n in self.sink.message_ids.items() if n}
        self.faults.in_doubt = received - sent
        self.faults.left_locks = self.held()
        self.faults.pending_at_kill = self.huey.pending_count()
        print(
            f"  {self.faults.worker_killed_at:5.1f} s: worker killed (SIGKILL to process group "
            f"{pid}); locks left behind: {', '.join(self.faults.left_locks) or 'none'}; "
            f"{len(self.faults.in_doubt)} message(s) taken by the SMTP server but not yet "
            f"marked sent; {self.faults.pending_at_kill} deliveries in its queue",
            flush=True,
        )

    def restart_worker(self) -> None:
        """The same command again. Before it, the script holds whichever of the two locks
        the killed worker did not leave, as a worker killed in the middle of its outbox
        job would have: the start must not be blocked by them."""
        faults = self.faults
        faults.pending_at_restart = self.huey.pending_count()
        with self.engine.connect() as conn:
            faults.queued_at_restart = conn.execute(
                text("SELECT count(*) FROM outbox_message WHERE status = 'queued'")
            ).scalar_one()
        for name in (DELIVERY_LOCK, JOB_LOCK):
            lock = self.huey.lock_task(name)
            if not lock.locked():
                lock.acquire()
                faults.planted.append(name)
        faults.worker_restarted_at = self.elapsed()
        self.say(
            f"worker started again (down {faults.worker_restarted_at - faults.worker_killed_at:.1f}"
            f" s; {faults.pending_at_restart} deliveries queued in Redis meanwhile, "
            f"{faults.queued_at_restart} messages waiting; locks held: "
            + ", ".join(
                f"{name} ({'by this script' if name in faults.planted else 'left by the kill'})"
                for name in self.held()
            )
            + ")"
        )
        faults.restart_ok, faults.restart_detail = self.wait_for_start(self.start_worker())
        faults.worker_up_at = self.elapsed()
        self.say(f"worker {'up' if faults.restart_ok else 'NOT up'}: {faults.restart_detail}")
        if not faults.restart_ok:
            # What an operator would do: clear the locks by hand and start it once more,
            # so that the rest of the run still checks what it can.
            self.worker.stop(timeout=5)
            self.huey.flush_locks(DELIVERY_LOCK, JOB_LOCK)
            _, detail = self.wait_for_start(self.start_worker())
            faults.worker_up_at = self.elapsed()
            self.say(f"locks cleared by hand, worker started once more: {detail}")
            faults.restart_detail += f"; after clearing the locks by hand: {detail}"

    def wait_for_start(self, worker: Process, timeout: float = 30) -> tuple[bool, str]:
        """Until its start-up outbox job has succeeded and the delivery lock has been free
        once (not left stuck); False if it exits or takes longer than `timeout`."""
        began, began_wall = time.monotonic(), datetime.now(UTC)
        job_done = lock_free = None
        while time.monotonic() - began < timeout:
            if worker.process.poll() is not None:
                lines = worker.log.read_text(errors="replace").strip().splitlines()
                return False, f"exited ({worker.process.returncode}): {lines[-1] if lines else ''}"
            with self.engine.connect() as conn:
                success = conn.execute(
                    text("SELECT last_success_at FROM job_run WHERE name = 'outbox'")
                ).scalar()
            now = time.monotonic() - began
            if job_done is None and success is not None and success >= began_wall:
                job_done = now
            if lock_free is None and DELIVERY_LOCK not in self.held():
                lock_free = now
            if job_done is not None and lock_free is not None:
                return True, (
                    f"pid {worker.process.pid}; its start-up outbox job succeeded after "
                    f"{job_done:.1f} s, the delivery lock free after {lock_free:.1f} s"
                )
            gevent.sleep(0.2)
        return False, (
            f"after {timeout:.0f} s: start-up outbox job "
            f"{'succeeded' if job_done is not None else 'not done'}, delivery lock "
            f"{'free' if lock_free is not None else 'still held'}"
        )

    def kill_web_worker(self, aim: str) -> None:
        """SIGKILL one gunicorn worker (not the master), preferably while it serves a
        request of the action `aim` (waits up to 6 s for one), else one serving any
        request, else any; then until the master has started another."""
        master, port = self.gunicorn.process.pid, self.gunicorn.port
        source = SOURCES[aim]
        others = [n for n in ("member: contact form",) if source == CONTACT_SOURCE]
        victim, serving_what = 0, ""
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            in_flight = self.plan.in_flight
            if in_flight[aim] > 0 and not any(in_flight[n] for n in others):
                found = serving(children(master), port, source)
                if found:
                    victim, serving_what = next(iter(found)), aim
                    break
            gevent.sleep(0.01)
        if not victim:
            busy = serving(children(master), port)
            victim = next(iter(busy), 0) or children(master)[0]
            serving_what = "a request" if busy else "nothing"
        before = set(children(master))
        self.plan.recorder.kills.append(time.time())
        self.cpu_killed += cpu_seconds([victim])
        os.kill(victim, signal.SIGKILL)
        kill = WebKill(at=self.elapsed(), pid=victim, serving=serving_what)
        killed = time.monotonic()
        while time.monotonic() - killed < 15:
            new = set(children(master)) - before
            if new:
                kill.respawned_as = min(new)
                kill.respawn_seconds = time.monotonic() - killed
                self.served.append(kill.respawned_as)
                break
            gevent.sleep(0.02)
        self.faults.web_kills.append(kill)
        respawned = (
            f"respawned as {kill.respawned_as} in {kill.respawn_seconds:.1f} s"
            if kill.respawned_as
            else "NOT respawned within 15 s"
        )
        print(
            f"  {kill.at:5.1f} s: web worker pid {victim} killed (serving {serving_what}); "
            f"{respawned}",
            flush=True,
        )


# --------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------


def verify(
    engine, plan: Plan, sink: MailSink, recorder: Recorder, since, gunicorn_log: Path, faults
):
    """(name, passed, detail) for every check."""
    checks = []
    total = sum(len(v) for v in recorder.latencies.values())
    server_errors = sum(recorder.server_errors.values())
    failures = sum(recorder.failures.values())
    checks.append(("no response >= 500", server_errors == 0, f"{server_errors} of {total}"))
    checks.append(("no failed request", failures == 0, f"{failures} of {total}"))
    checks.append(
        (
            "no error in the users' code",
            not recorder.user_errors,
            "; ".join(recorder.user_errors[:3]) or "none",
        )
    )
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT message_id, status, template, created_at, to_address FROM outbox_message")
        ).all()
        active = Counter(
            conn.execute(
                text(
                    "SELECT user_id FROM registration "
                    "WHERE event_id = :e AND status IN ('confirmed', 'waiting')"
                ),
                {"e": plan.event_id},
            ).scalars()
        )
        requests = conn.execute(
            text("SELECT sender_org_id, recipient_org_id, created_at FROM contact_request")
        ).all()
        doubled_notices = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT user_id, data->>'request_id' FROM notification "
                "WHERE kind = 'contact_request' GROUP BY 1, 2 HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
        event = conn.execute(
            text("SELECT taken, capacity FROM event WHERE id = :e"), {"e": plan.event_id}
        ).one()
        registrations = dict(
            conn.execute(
                text(
                    "SELECT status, count(*) FROM registration WHERE event_id = :e GROUP BY status"
                ),
                {"e": plan.event_id},
            ).all()
        )
        doubles = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT user_id FROM registration "
                "WHERE status IN ('confirmed', 'waiting') GROUP BY event_id, user_id "
                "HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
    statuses = Counter(r.status for r in rows)
    checks.append(
        (
            "every outbox row sent",
            statuses["sent"] == len(rows),
            ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())) or "empty",
        )
    )
    ids = Counter(r.message_id for r in rows)
    received = sink.message_ids
    missing = [i for i in ids if received[i] == 0]
    duplicated = {i: n for i, n in received.items() if n > 1}
    unknown = [i for i in received if i not in ids]
    # The one exception: a message the SMTP server had taken when the worker was killed,
    # before the worker recorded it, is sent again (the same message, the same Message-ID:
    # matchmaker/outbox/delivery.py); twice at most.
    excused = {i: n for i, n in duplicated.items() if i in faults.in_doubt and n == 2}
    checks.append(
        (
            "each outbox Message-ID received exactly once",
            not missing and len(duplicated) == len(excused) and not unknown,
            f"{len(ids)} rows, {sink.received} received: {len(missing)} missing, "
            f"{len(duplicated)} duplicated ({len(excused)} of them the message in doubt at "
            f"the worker's kill; {len(faults.in_doubt)} in doubt), {len(unknown)} unknown",
        )
    )
    confirmed, waiting = registrations.get("confirmed", 0), registrations.get("waiting", 0)
    receipts = sum(1 for r in rows if r.template == "event_signed_up" and r.created_at >= since)
    checks.append(
        (
            "one sign-up receipt per active registration",
            receipts == confirmed + waiting,
            f"{receipts} receipts, {confirmed} confirmed + {waiting} waiting",
        )
    )
    positions = sorted(plan.positions_seen)
    seats_ok = (
        event.taken == confirmed <= event.capacity
        and (waiting == 0 or confirmed == event.capacity)
        and positions == list(range(1, len(positions) + 1))
        and doubles == 0
    )
    checks.append(
        (
            "seats",
            seats_ok,
            f"taken {event.taken}, confirmed {confirmed}, capacity {event.capacity}, "
            f"waiting {waiting} (positions shown {positions[0] if positions else '-'}.."
            f"{positions[-1] if positions else '-'}, {len(positions)}), "
            f"people with two active registrations {doubles}",
        )
    )
    answered = plan.confirmed_seen + len(positions)
    checks.append(
        (
            "every participant signed up, as answered",
            answered == confirmed + waiting == len(plan.participants)
            and plan.confirmed_seen == confirmed,
            f"{len(plan.participants)} participants, {plan.next_participant} had their turn; "
            f"answered {plan.confirmed_seen} registered + {len(positions)} waiting",
        )
    )
    receipts_to = Counter(
        r.to_address for r in rows if r.template == "event_signed_up" and r.created_at >= since
    )
    wrong = [
        a.email for a in plan.participants if active[a.user_id] != 1 or receipts_to[a.email] != 1
    ]
    checks.append(
        (
            "every participant: one active registration, one receipt",
            not wrong,
            f"{len(plan.participants) - len(wrong)} of {len(plan.participants)}"
            + (f"; not so: {', '.join(wrong[:5])}" if wrong else ""),
        )
    )
    pairs = Counter((r.sender_org_id, r.recipient_org_id) for r in requests)
    twice = sum(1 for n in pairs.values() if n > 1)
    checks.append(
        (
            "each contact request once",
            set(pairs) == plan.sent_pairs and twice == 0 and doubled_notices == 0,
            f"{len(plan.sent_pairs)} answered sent, {len(pairs)} in the database, "
            f"{twice} pairs twice, {doubled_notices} notices twice",
        )
    )
    log = gunicorn_log.read_text(errors="replace")
    tracebacks = log.count("Traceback")
    checks.append(("no traceback in gunicorn's log", tracebacks == 0, f"{tracebacks}"))
    return checks


def meeting_figures(engine, event_id: int) -> dict[str, int]:
    """Counted in the database: the meetings' invariants and their e-mails."""
    queries = {
        "meetings": "SELECT count(*) FROM meeting WHERE event_id = :e AND status = 'booked'",
        "requests": "SELECT count(*) FROM meeting_request WHERE event_id = :e",
        "accepted": "SELECT count(*) FROM meeting_request WHERE event_id = :e "
        "AND status = 'accepted'",
        "person twice in a slot": "SELECT count(*) FROM (SELECT 1 FROM meeting_seat s "
        "JOIN meeting m ON m.id = s.meeting_id WHERE m.event_id = :e AND m.status = 'booked' "
        "GROUP BY s.user_id, m.starts_at HAVING count(*) > 1) AS d",
        "table twice in a slot": "SELECT count(*) FROM (SELECT 1 FROM meeting "
        "WHERE event_id = :e AND status = 'booked' "
        "GROUP BY starts_at, table_number HAVING count(*) > 1) AS d",
        # an accepted request without exactly one booked meeting of two seats, or a
        # meeting whose request is not accepted
        "accepted without its meeting": "SELECT count(*) FROM meeting_request r "
        "WHERE r.event_id = :e AND r.status = 'accepted' AND 1 <> (SELECT count(*) "
        "FROM meeting m WHERE m.request_id = r.id AND m.status = 'booked' "
        "AND (SELECT count(*) FROM meeting_seat s WHERE s.meeting_id = m.id) = 2)",
        "meeting without its accepted request": "SELECT count(*) FROM meeting m "
        "JOIN meeting_request r ON r.id = m.request_id "
        "WHERE m.event_id = :e AND r.status <> 'accepted'",
        "seat of someone not confirmed": "SELECT count(*) FROM meeting_seat s "
        "WHERE s.event_id = :e AND NOT EXISTS (SELECT 1 FROM registration g "
        "WHERE g.event_id = :e AND g.user_id = s.user_id AND g.status = 'confirmed')",
        "slots used": "SELECT count(DISTINCT starts_at) FROM meeting WHERE event_id = :e",
        "most tables in a slot": "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n "
        "FROM meeting WHERE event_id = :e AND status = 'booked' GROUP BY starts_at) AS t",
        "meeting_requested": "SELECT count(*) FROM outbox_message "
        "WHERE template = 'meeting_requested'",
        "meeting_booked": "SELECT count(*) FROM outbox_message WHERE template = 'meeting_booked'",
    }
    with engine.connect() as conn:
        return {
            name: conn.execute(text(sql), {"e": event_id}).scalar_one()
            for name, sql in queries.items()
        }


def accepted_pairs(engine, event_id: int) -> set[tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT requester_id, recipient_id FROM meeting_request "
                "WHERE event_id = :e AND status = 'accepted'"
            ),
            {"e": event_id},
        )
        return {(asker, asked) for asker, asked in rows}


def meeting_checks(engine, plan: Plan):
    """(name, passed, detail) for the meetings."""
    n = meeting_figures(engine, plan.event_id)
    invariants = (
        "person twice in a slot",
        "table twice in a slot",
        "accepted without its meeting",
        "meeting without its accepted request",
        "seat of someone not confirmed",
    )
    wanted = max(plan.confirmed_seen - 1, 0)  # each confirmed asks the one before them
    return [
        (
            "meetings: nobody or no table twice in a slot, one meeting of two seats per "
            "accepted request, only confirmed participants",
            all(n[name] == 0 for name in invariants) and n["meetings"] > 0,
            f"{n['meetings']} meetings booked; "
            + ", ".join(f"{name} {n[name]}" for name in invariants),
        ),
        (
            "every meeting asked for was booked, as answered",
            plan.meetings_started == wanted == len(plan.booked_pairs) == n["meetings"]
            and accepted_pairs(engine, plan.event_id) == plan.booked_pairs,
            f"{wanted} to book (confirmed - 1), {plan.meetings_started} started, "
            f"{len(plan.booked_pairs)} answered booked, {n['accepted']} accepted in the "
            f"database ({n['requests']} requests)",
        ),
        (
            "meeting e-mails: one per request asked, one per person booked",
            n["meeting_requested"] == n["requests"] and n["meeting_booked"] == 2 * n["meetings"],
            f"meeting_requested {n['meeting_requested']} for {n['requests']} requests, "
            f"meeting_booked {n['meeting_booked']} for {n['meetings']} meetings",
        ),
    ]


def templates(engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT template, count(*) FROM outbox_message GROUP BY 1 ORDER BY 1")
        )
        return [(template, count) for template, count in rows]


def report_meetings(engine, plan: Plan) -> None:
    n = meeting_figures(engine, plan.event_id)
    outcomes = ", ".join(f"{v} {k}" for k, v in sorted(plan.meeting_outcomes.items()))
    print(
        f"meetings: {plan.meetings_started} started ({len(plan.meeting_queue)} still in the "
        f"queue; the load went on {plan.drained_for:.1f} s for them); {outcomes or 'none'}; in the database {n['requests']} requests, "
        f"{n['accepted']} accepted, {n['meetings']} meetings booked in {n['slots used']} "
        f"slots (at most {n['most tables in a slot']} of {MEETING_TABLES} tables in one)"
    )


def fault_checks(args, plan: Plan, faults: Faults, gunicorn_log: Path, web_workers: int):
    """(name, passed, detail) for the kills."""
    checks = [("the worker starts again after SIGKILL", faults.restart_ok, faults.restart_detail)]
    log = gunicorn_log.read_text(errors="replace")
    not_queued = log.count("Could not ask the worker to deliver")
    checks.append(
        (
            "mail queued for the worker while it was down",
            faults.pending_at_restart > 0 and not_queued == 0,
            f"{faults.pending_at_restart} deliveries waiting in Redis at the restart, "
            f"{not_queued} requests could not queue one",
        )
    )
    kills = faults.web_kills
    signalled = log.count("was sent SIGKILL")
    checks.append(
        (
            "each killed web worker replaced",
            all(k.respawned_as for k in kills)
            and signalled == len(kills)
            and web_workers == args.workers,
            f"{len(kills)} killed, {sum(1 for k in kills if k.respawned_as)} respawned; "
            f"gunicorn logged {signalled} 'was sent SIGKILL'; {web_workers} workers at the end",
        )
    )
    cuts = sum(plan.recorder.cuts.values())
    checks.append(
        (
            f"requests cut by the killed web workers: at most {CUTS_PER_KILL} per kill",
            cuts <= CUTS_PER_KILL * len(kills),
            f"{cuts} ("
            + (", ".join(f"{n} {name}" for name, n in sorted(plan.recorder.cuts.items())) or "none")
            + ")",
        )
    )
    unfinished = [i for i, outcome in plan.cut_sign_ups.items() if outcome == "not committed"]
    checks.append(
        (
            "each cut sign-up done once, by the cut request or by the retry",
            not unfinished,
            ", ".join(f"{n} {o}" for o, n in sorted(Counter(plan.cut_sign_ups.values()).items()))
            or "no sign-up cut",
        )
    )
    return checks


def report_faults(plan: Plan, faults: Faults) -> None:
    down = faults.worker_restarted_at - faults.worker_killed_at
    print(
        f"worker: killed at {faults.worker_killed_at:.1f} s, started again at "
        f"{faults.worker_restarted_at:.1f} s ({down:.1f} s down); {faults.pending_at_restart} "
        f"deliveries and {faults.queued_at_restart} messages waited for it; locks left by the "
        f"kill: {', '.join(faults.left_locks) or 'none'}, held by the script before the "
        f"restart: {', '.join(faults.planted) or 'none'}; {faults.restart_detail}"
    )
    for kill in faults.web_kills:
        print(
            f"web worker pid {kill.pid} killed at {kill.at:.1f} s while serving {kill.serving}; "
            + (
                f"respawned as {kill.respawned_as} in {kill.respawn_seconds:.1f} s"
                if kill.respawned_as
                else "not respawned"
            )
        )
    cuts = sum(plan.recorder.cuts.values())
    print(
        f"requests cut by the killed web workers: {cuts}; retried after a cut: "
        + (", ".join(f"{n} {what}" for what, n in sorted(plan.retries.items())) or "none")
    )
    for example in plan.recorder.cut_examples:
        print(f"  cut: {example}")
    for index, outcome in sorted(plan.cut_sign_ups.items()):
        print(f"  sign-up of participant {index} cut: {outcome}")
    for (sender, recipient), retried in sorted(plan.cut_pairs.items()):
        print(
            f"  contact request {sender} -> {recipient} cut; "
            + ("retried" if not math.isnan(retried) else "not retried")
        )


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------


def print_table(recorder: Recorder, seconds: float) -> None:
    header = (
        f"{'action':32} {'count':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'fail':>5} {'5xx':>4} {'cut':>4}"
    )
    print(header)
    print("-" * len(header))

    def line(name: str, values: list[float], failed: int, errors: int, cuts: int) -> None:
        print(
            f"{name:32} {len(values):6} {len(values) / seconds:6.1f} "
            f"{percentile(values, 50):7.0f} {percentile(values, 95):7.0f} "
            f"{percentile(values, 99):7.0f} {max(values, default=math.nan):7.0f} "
            f"{failed:5} {errors:4} {cuts:4}"
        )

    for name in sorted(recorder.latencies):
        line(
            name,
            recorder.latencies[name],
            recorder.failures[name],
            recorder.server_errors[name],
            recorder.cuts[name],
        )
    print("-" * len(header))
    line(
        "all",
        [v for values in recorder.latencies.values() for v in values],
        sum(recorder.failures.values()),
        sum(recorder.server_errors.values()),
        sum(recorder.cuts.values()),
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Production under load on loopback: Locust users (visitors, members, event "
            "participants) against gunicorn + PostgreSQL + Redis + the worker, with the worker "
            "killed at 20 % of the run and started again at 45 %, the SMTP server stopped at "
            "30 % and restarted at 60 %, a gunicorn worker killed at 50, 65 and 70 %; prints "
            "figures per action and checks mail, seats, sign-ups, meetings and contact requests "
            "(exit 1 if a check fails). WARNING: DROPS AND "
            "CREATES the database in --database-url and empties the Redis db in --redis-url."
        )
    )
    parser.add_argument("--short", action="store_true", help="CI: 40 s of load, ~2 min in all")
    parser.add_argument(
        "--users", type=int, help="visitors and members at once (default 40; short 14)"
    )
    parser.add_argument("--duration", type=float, help="seconds of load (default 180; short 40)")
    parser.add_argument("--participants", type=int, help="sign-ups (default 500; short 100)")
    parser.add_argument("--seats", type=int, help="the event's seats (default 500; short 80)")
    parser.add_argument(
        "--participant-users",
        type=int,
        help="users signing the participants up, besides --users (default: enough to keep "
        "the pace with 6 s per sign-up, log-in included)",
    )
    parser.add_argument(
        "--meeting-users",
        type=int,
        help="users booking the meetings (ask, accept), besides the others (default: enough "
        "to keep the pace of the sign-ups with 6 s per meeting)",
    )
    parser.add_argument("--visitor-weight", type=int, default=Visitor.weight)
    parser.add_argument("--member-weight", type=int, default=Member.weight)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--drain", type=float, default=120, help="longest wait for the outbox")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--keep", action="store_true", help="leave the database (and the logs) afterwards"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    defaults = (14, 40.0, 100, 80) if args.short else (40, 180.0, 500, 500)
    for name, value in zip(("users", "duration", "participants", "seats"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.participant_users is None:
        window = (SIGN_UP_TO - SIGN_UP_FROM) * args.duration
        args.participant_users = max(2, math.ceil(args.participants * SIGN_UP_SECONDS / window))
    if args.meeting_users is None:
        window = (SIGN_UP_TO - SIGN_UP_FROM) * args.duration
        args.meeting_users = max(2, math.ceil(args.participants * MEETING_SECONDS / window))
    database = make_url(args.database_url)
    if database.database in FORBIDDEN_DATABASES:
        parser.error(f"refusing to drop {database.database!r}: use a database of its own")
    if database.host not in LOOPBACK_HOSTS:
        parser.error("the database must be on loopback (127.0.0.1)")
    redis_url = redis.connection.parse_url(args.redis_url)
    if redis_url.get("host", LOOPBACK) not in LOOPBACK_HOSTS:
        parser.error("Redis must be on loopback (127.0.0.1)")
    if args.duration < 20 or args.participants < 1 or args.users < 2:
        parser.error("at least 20 s, 1 participant and 2 users")
    return args


@dataclass
class Run:
    """What happened during the load, for the report."""

    seconds: float
    outage: Outage
    load_before: str
    load_after: str
    busy: float  # share of the machine's CPU time in use (all processes)
    served_cpu: float  # gunicorn's and the worker's CPU seconds (killed processes included)
    faults: Faults = field(default_factory=Faults)


def drive(args, plan: Plan, sink: MailSink, engine, env, log, operator: Operator) -> Run:
    """The users, for args.duration seconds, with the faults: the worker killed at 20 %
    and started again at 45 %, the SMTP outage at 30-60 %, a web worker killed at 50 %,
    65 % and 70 %."""
    Visitor.weight, Member.weight = args.visitor_weight, args.member_weight
    Participant.fixed_count = args.participant_users
    Meeter.fixed_count = args.meeting_users
    environment = Environment(
        user_classes=[Visitor, Member, Participant, Meeter],
        host=f"http://{LOOPBACK}:{operator.gunicorn.port}",
        stop_timeout=15,  # a user finishes the request at hand when the run stops
    )
    environment.events.request.add_listener(plan.recorder.on_request)
    environment.events.user_error.add_listener(plan.recorder.on_user_error)
    runner = environment.create_local_runner()
    outage = Outage()
    served = operator.served
    cpu_before, (busy_before, total_before) = cpu_seconds(served), busy_jiffies()
    load_before = load_average()
    # The kills, each in a greenlet of its own (they wait for the moment they aim at; the
    # worker's restart for its kill).
    kills: list[gevent.Greenlet] = []

    def restart_worker() -> None:
        kills[0].join()
        operator.restart_worker()

    schedule = [
        (WORKER_KILL, operator.kill_worker),
        (WORKER_RESTART, restart_worker),
        *((share, lambda aim=aim: operator.kill_web_worker(aim)) for share, aim in WEB_KILLS),
    ]
    try:
        plan.started = time.monotonic()
        users = args.users + args.participant_users + args.meeting_users
        runner.start(users, spawn_rate=max(users / 3, 1))
        stop_at, restart_at = SMTP_STOP * args.duration, SMTP_RESTART * args.duration
        while (elapsed := time.monotonic() - plan.started) < args.duration:
            while schedule and elapsed >= schedule[0][0] * args.duration:
                kills.append(gevent.spawn(schedule.pop(0)[1]))
            if sink.running and math.isnan(outage.stopped_at) and elapsed >= stop_at:
                sink.stop()
                outage.stopped_at = elapsed
                print(f"  {elapsed:5.1f} s: SMTP server stopped", flush=True)
            elif not sink.running and elapsed >= restart_at:
                sink.start()
                outage.restarted_at = elapsed
                with engine.connect() as conn:
                    outage.waiting = list(
                        conn.execute(
                            text("SELECT id FROM outbox_message WHERE status = 'queued'")
                        ).scalars()
                    )
                print(
                    f"  {elapsed:5.1f} s: SMTP server restarted, {len(outage.waiting)} "
                    "messages waiting; running `flask --app matchmaker worker send-waiting`",
                    flush=True,
                )
                outage.run_job = gevent.spawn(after_restart, env, log, engine, outage)
            gevent.sleep(min(0.25, max(args.duration - elapsed, 0.01)))
        plan.drained_for = drain_meetings(plan)
        runner.stop()
        seconds = time.monotonic() - plan.started
    except BaseException:  # Ctrl-C, SIGTERM: the operator's run-job and the kills go too
        for greenlet in [outage.run_job, *kills]:
            if greenlet is not None:
                greenlet.kill(block=True, timeout=10)
        raise
    finally:
        runner.quit()
    if outage.run_job is not None:
        outage.run_job.join(timeout=60)
    gevent.joinall(kills, timeout=60, raise_error=True)
    if schedule:
        raise RuntimeError(f"{len(schedule)} fault(s) not run: the run is too short")
    busy_after, total_after = busy_jiffies()
    return Run(
        seconds=seconds,
        outage=outage,
        load_before=load_before,
        load_after=load_average(),
        busy=(busy_after - busy_before) / max(total_after - total_before, 1),
        served_cpu=cpu_seconds(served) + operator.cpu_killed - cpu_before,
        faults=operator.faults,
    )


def drain_meetings(plan, limit: float = MEETING_DRAIN_LIMIT) -> float:
    """Go on (at most `limit` s) until every meeting queued has been asked and answered:
    on a slow machine the last seats are confirmed near the end, and a meeting cut off by
    the end of the load would be counted as lost. Returns the seconds it took."""
    started = time.monotonic()
    while (
        plan.meeting_queue or plan.meetings_done < plan.meetings_started
    ) and time.monotonic() - started < limit:
        gevent.sleep(0.1)
    return time.monotonic() - started


def report_mail(engine, since, run: Run, drained) -> None:
    outage = run.outage
    waited, by_job, by_worker, state = drained
    with engine.connect() as conn:
        mail = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE created_at >= :a AND created_at < :b), "
                "count(*) FILTER (WHERE last_error IS NOT NULL), max(attempts), "
                "extract(epoch from max(sent_at) FILTER (WHERE last_error IS NOT NULL) - :b) "
                "FROM outbox_message"
            ),
            {
                "a": since + timedelta(seconds=outage.stopped_at),
                "b": since + timedelta(seconds=outage.restarted_at),
            },
        ).one()
        lags = list(
            conn.execute(
                text(
                    "SELECT extract(epoch from sent_at - created_at) FROM outbox_message "
                    "WHERE last_error IS NULL AND sent_at IS NOT NULL "
                    "AND NOT (created_at >= :killed AND created_at < :up)"
                ),
                {
                    "killed": since + timedelta(seconds=run.faults.worker_killed_at),
                    "up": since + timedelta(seconds=run.faults.worker_up_at),
                },
            ).scalars()
        )
    lags = [float(lag) for lag in lags]
    print(
        "mail delivery without the outage, outside the worker's downtime "
        f"(sent_at - created_at, {len(lags)} messages): "
        f"p50 {percentile(lags, 50):.1f} s, p95 {percentile(lags, 95):.1f} s, "
        f"max {max(lags, default=math.nan):.1f} s"
    )
    print(
        f"SMTP outage: {outage.stopped_at:.1f}-{outage.restarted_at:.1f} s of the "
        f"{run.seconds:.0f} s ({outage.restarted_at - outage.stopped_at:.1f} s); "
        f"{mail[0]} messages written meanwhile; {mail[1]} waited (failed at least once; at "
        f"most {mail[2]} attempts); {len(outage.waiting)} waiting at the restart, "
        f"{outage.still_waiting_after_run_job} of them still waiting when `worker send-waiting` returned; "
        f"the last of them delivered "
        f"{mail[3] or 0:.0f} s after the restart"
    )
    if state["queued"]:
        outcome = (
            f"{state['queued']} messages still queued after {waited:.1f} s (the last of "
            f"them due in {state['last_due_in']:.0f} s)"
        )
    else:
        outcome = f"outbox empty after {waited:.1f} s"
    print(
        f"after the load: {outcome}; meanwhile {by_worker} sent by the worker, {by_job} by "
        "`run-job outbox`"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    main_greenlet = gevent.getcurrent()
    gevent.signal_handler(signal.SIGTERM, lambda: main_greenlet.throw(SystemExit(143)))
    began = time.monotonic()
    print(
        f"load run{' (short)' if args.short else ''}: {args.users} visitors and members, "
        f"{args.participant_users} users signing up {args.participants} participants for "
        f"{args.seats} seats, for {args.duration:.0f} s; "
        f"gunicorn {args.workers} workers; {os.cpu_count()} cores, load average {load_average()}",
        flush=True,
    )
    directory = Path(tempfile.mkdtemp(prefix="matchmaker-load-"))
    setup_log, gunicorn_log, worker_log = (
        directory / "setup.log",
        directory / "gunicorn.log",
        directory / "worker.log",
    )
    queue = redis.Redis.from_url(args.redis_url)
    sink = MailSink()
    processes: list[Process] = []
    engine = None
    database_made = False
    failed = True
    try:
        queue.flushdb()  # the worker's queue of an earlier run
        env = app_environment(
            DATABASE_URL=args.database_url,
            REDIS_URL=args.redis_url,
            SECRET_KEY=secrets.token_hex(32),
            MATCHMAKER_ENV="development",
            # All the load comes from one address (127.0.0.1): the per-address limits
            # (failed log-ins, registrations, mail) would count every user as one visitor.
            RATELIMIT_ENABLED="false",
            MAIL_BACKEND="smtp",
            MAIL_SERVER=LOOPBACK,
            MAIL_PORT=str(sink.port),
            MAIL_TIMEOUT="10",
        )
        steps = Steps()
        fresh_database(args.database_url)
        database_made = True
        flask(env, setup_log, "db", "upgrade")
        steps.done("db upgrade")
        sink.start()
        # gunicorn and the worker start (import the app) while the data is loaded. The
        # contact limits are not read from the environment (DEFAULTS in matchmaker/config.py),
        # so they are raised through create_app's overrides, which gunicorn accepts as
        # literals: a member sends more than the 20 requests a day allowed to a person.
        gunicorn = spawn_gunicorn(
            env,
            args.workers,
            gunicorn_log,
            app="matchmaker:create_app({'CONTACT_REQUESTS_PER_USER_PER_DAY': 100000, "
            "'CONTACT_REQUESTS_PER_ORGANISATION_PER_DAY': 100000})",
        )
        processes.append(gunicorn)
        worker = spawn(
            WORKER_COMMAND,
            env,
            worker_log,
            new_session=True,  # a group of its own: killed as a whole, without this script
            stop_signal=signal.SIGINT,  # Huey: finish the task at hand, then stop
        )
        processes.append(worker)
        flask(env, setup_log, "taxonomy", "sync")
        steps.done("taxonomy sync")
        flask(env, setup_log, "seed-demo")
        steps.done("seed-demo")
        plan = load_accounts(args.database_url, args.redis_url, args.participants, args.seats)
        plan.duration, plan.seed = args.duration, args.seed
        global PLAN
        PLAN = plan
        steps.done("accounts and event")
        wait_until_ready(gunicorn, "/healthz")
        wait_for_worker(gunicorn.port, worker)
        steps.done("servers ready")
        print(
            f"set-up: database, demo register ({len(plan.organisations)} organisations, "
            f"{len(plan.projects)} projects), {len(plan.members)} members, "
            f"{len(plan.participants)} participants, event {plan.event_id}; gunicorn on "
            f"127.0.0.1:{gunicorn.port}, the worker, SMTP on :{sink.port}: "
            f"{time.monotonic() - began:.1f} s ({steps})",
            flush=True,
        )
        engine = create_engine(args.database_url, pool_size=2)
        with engine.connect() as conn:
            since = conn.execute(text("SELECT now()")).scalar_one()
        served = [gunicorn.process.pid, *children(gunicorn.process.pid), worker.process.pid]
        operator = Operator(plan, env, worker_log, engine, sink, gunicorn, processes, served, queue)
        run = drive(args, plan, sink, engine, env, setup_log, operator)
        print(
            f"load done: {run.seconds:.1f} s; {plan.next_participant} sign-ups started, "
            f"{plan.contact_requests} contact requests sent, {len(plan.booked_pairs)} meetings "
            "booked; waiting for the outbox",
            flush=True,
        )
        drained = wait_for_outbox(engine, env, setup_log, args.drain)
        status, body = http_get(gunicorn.port, "/healthz")
        health = json.loads(body) if status == 200 else {"status": f"HTTP {status}"}
        web_workers = len(children(gunicorn.process.pid))

        print()
        print_table(plan.recorder, run.seconds)
        print()
        print(
            f"machine: {os.cpu_count()} cores; load average (1, 5, 15 min) before the load "
            f"{run.load_before}, after it {run.load_after}; CPU busy {100 * run.busy:.0f} % "
            f"during the load (all processes); gunicorn + worker CPU {run.served_cpu:.1f} s"
        )
        report_mail(engine, since, run, drained)
        print(
            f"mail: {sink.received} received by the SMTP server; outbox "
            + ", ".join(f"{k} {v}" for k, v in health.get("outbox", {}).items())
            + "; by template: "
            + ", ".join(f"{t} {n}" for t, n in templates(engine))
        )
        report_meetings(engine, plan)
        report_faults(plan, run.faults)
        for example in plan.recorder.examples:
            print(f"  failed: {example}")
        checks = verify(engine, plan, sink, plan.recorder, since, gunicorn_log, run.faults)
        checks += meeting_checks(engine, plan)
        checks += fault_checks(args, plan, run.faults, gunicorn_log, web_workers)
        checks.append(("/healthz ok afterwards", health.get("status") == "ok", health["status"]))
        print()
        for name, passed, detail in checks:
            print(f"check {'OK    ' if passed else 'FAILED'} {name}: {detail}")
        failed = not all(passed for _, passed, _ in checks)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        sink.stop()
        for process in reversed(processes):
            process.stop(timeout=20)
        if engine is not None:
            engine.dispose()
        if database_made and not args.keep:
            drop_database(args.database_url)
        elif database_made:
            print(f"database kept: {args.database_url}")
        with contextlib.suppress(redis.RedisError):
            queue.flushdb()
        if failed or args.keep:
            print(f"logs kept in {directory} (gunicorn.log, worker.log, setup.log)")
        else:
            for path in (setup_log, gunicorn_log, worker_log):
                path.unlink(missing_ok=True)
            directory.rmdir()
    print(f"load run {'FAILED' if failed else 'passed'}; {time.monotonic() - began:.0f} s in all")
    return 1 if failed else 0


class Steps:
    """How long each step of the set-up took."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.times: list[str] = []

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.times.append(f"{name} {now - self.last:.1f} s")
        self.last = now

    def __str__(self) -> str:
        return ", ".join(self.times)


def wait_for_worker(port: int, worker: Process, timeout: float = 60) -> None:
    """Until /healthz says "ok": the worker has run its first outbox job."""
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        status, body = http_get(port, "/healthz")
        if status == 200 and json.loads(body).get("status") == "ok":
            return
        if worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{worker.log.read_text()[-3000:]}")
        gevent.sleep(0.5)
    raise RuntimeError(f"/healthz not ok within {timeout:.0f} s: {body}")


if __name__ == "__main__":
    sys.exit(main())
