"""Seeded benchmark of the insights page and the open API's lists; prints figures, asserts
nothing.

Builds a register of N organisations and M projects (bulk-inserted as bench/matching.py
does, search documents included), the organisations' own rows, and C accepted contact
requests between them (bulk-inserted into ``contact_request``), then times with Flask's
test client in this process (server time, no network):

- ``/en/insights/``: the first request after a register change (it computes the growth
  figures; the connections are counted by the worker, timed on its own here), the first
  request after that count, then --requests warm requests;
- ``/api/v1/projects?limit=50`` and ``/api/v1/organisations?q=telemedicine&limit=50``.

    python bench/insights.py                      # 10,000 / 50,000 / 200,000
    python bench/insights.py --quick              # a small register, to see that it runs

SQLite in a temporary file by default. With --database-url postgresql://…/bench_insights
the script DROPS AND RECREATES THE PUBLIC SCHEMA of that database; it refuses any database
whose name does not start with "bench".
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # `python bench/insights.py` from anywhere
    sys.path.insert(0, str(BENCH))

import register_search as rs  # noqa: E402  (also puts the project root on sys.path)
from matching import generate, load  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from matchmaker.contacts.models import ContactRequest  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.insights import tasks  # noqa: E402
from matchmaker.organisations.models import Organisation  # noqa: E402
from matchmaker.register import index as register_index  # noqa: E402

INSIGHTS = "/en/insights/"
API_PATHS = ("/api/v1/projects?limit=50", "/api/v1/organisations?q=telemedicine&limit=50")
TARGET_P95_MS = 100.0  # the target for the insights page
SAME_COUNTRY = 0.7  # share of contact requests within one country
QUICK = {"organisations": 500, "projects": 2_000, "contacts": 5_000, "requests": 30}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=200_000, help="accepted requests")
    parser.add_argument("--requests", type=int, default=200, help="timed warm requests each")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="small sizes: " + str(QUICK))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="a scratch PostgreSQL database named bench… (default: a temporary SQLite file)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        vars(args).update(QUICK)
    return args


def checked_url(url: str) -> str:
    """Only a database named bench… may be dropped (never the test suite's)."""
    name = make_url(url).database or ""
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to drop the schema of {name!r}: use a database named bench…")
    return url


def organisation_rows(data) -> list[dict]:
    """The working rows of the published organisations (insights read their opt-out)."""
    return [
        {
            "id": item.item_id,
            "name": item.title,
            "kind": item.org_kind,
            "country": item.snapshot["country"],
            "region": item.snapshot.get("region"),
            "original_language": item.snapshot["original_language"],
            "status": "published",
            "published_at": item.published_at,
        }
        for item in data.items
        if item.item_type == "organisation"
    ]


def contact_rows(organisations: list[dict], count: int, seed: int) -> list[dict]:
    """Accepted requests; a few organisations are very active, most within one country."""
    rng = random.Random(seed)
    ids = [row["id"] for row in organisations]
    country = {row["id"]: row["country"] for row in organisations}
    by_country = defaultdict(list)
    for org_id in ids:
        by_country[country[org_id]].append(org_id)
    weights = [rng.paretovariate(1.5) for _ in ids]
    rows = []
    for number, sender in enumerate(rng.choices(ids, weights, k=count), start=1):
        pool = by_country[country[sender]] if rng.random() < SAME_COUNTRY else ids
        recipient = rng.choice(pool)
        while recipient == sender:
            recipient = rng.choice(ids)
        created = rs.NOW - timedelta(days=rng.uniform(0, 730))
        rows.append(
            {
                "id": number,
                "sender_org_id": sender,
                "recipient_org_id": recipient,
                "message": "Shall we work together?",
                "status": "accepted",
                "created_at": created,
                "answered_at": created + timedelta(days=rng.uniform(0, 10)),
            }
        )
    return rows


def load_contacts(app, data, count: int, seed: int) -> tuple[int, float]:
    """Insert the organisations' rows and the contact requests; (requests, seconds)."""
    started = time.perf_counter()
    organisations = organisation_rows(data)
    contacts = contact_rows(organisations, count, seed)
    with app.app_context():
        with db.engine.begin() as conn:
            for table, rows in ((Organisation.__table__, organisations),
                                (ContactRequest.__table__, contacts)):  # fmt: skip
                for batch in rs._batches(rows):
                    conn.execute(insert(table), batch)
            conn.execute(text("ANALYZE"))
        register_index.touch()  # a register change: the insights are computed again
        db.session.commit()
        db.engine.dispose()
    return len(contacts), time.perf_counter() - started


def timed_get(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_figure(path: str, times: list[float], target: float | None = None) -> None:
    p95 = percentile(times, 0.95)
    verdict = "" if target is None else ("meets" if p95 <= target else "MISSES")
    if target is not None:
        verdict += f" p95 ≤ {target:.0f} ms"
    print(f"{path:<50} {len(times):>5} {statistics.median(times):8.1f} {p95:8.1f} "
          f"{max(times):8.1f}  {verdict}")  # fmt: skip


def count_as_the_worker(app) -> float:
    """The worker's count of the connections (insights.tasks), in ms."""
    with app.app_context():
        started = time.perf_counter()
        tasks.count_connections_every_ten_minutes()
        return (time.perf_counter() - started) * 1000


def measure(app, requests: int) -> None:
    client = app.test_client()
    asked = []  # the page asks the worker to count; here the count is timed on its own
    tasks.count_connections = lambda: asked.append(1)
    first = timed_get(client, INSIGHTS)
    count = count_as_the_worker(app)
    counted = timed_get(client, INSIGHTS)
    print(f"{'request':<50} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(f"{INSIGHTS + ' (first, after a change)':<50} {1:>5} {first:8.1f}")
    print(f"{'the worker counts the connections':<50} {1:>5} {count:8.1f}")
    print(f"{INSIGHTS + ' (first, after the count)':<50} {1:>5} {counted:8.1f}")
    print_figure(INSIGHTS, [timed_get(client, INSIGHTS) for _ in range(requests)], TARGET_P95_MS)
    for path in API_PATHS:
        timed_get(client, path)  # warm-up: the register's index and the search
        print_figure(path, [timed_get(client, path) for _ in range(requests)])


def run(url: str, args: argparse.Namespace) -> None:
    app = rs.make_app(url)
    started = time.perf_counter()
    rs.reset_schema(app)
    data = generate(args.organisations, args.projects, args.seed, True, 1)
    timings = load(app, data)
    contacts, contact_seconds = load_contacts(app, data, args.contacts, args.seed)
    print(f"{make_url(url).get_backend_name()}: {args.organisations:,} organisations, "
          f"{args.projects:,} projects, {contacts:,} accepted contact requests; generated in "
          f"{data.seconds:.1f} s, register inserted in {timings['insert']:.1f} s, contacts in "
          f"{contact_seconds:.1f} s ({time.perf_counter() - started:.1f} s in all)")  # fmt: skip
    measure(app, args.requests)


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f}")
    if args.database_url:
        run(checked_url(args.database_url), args)
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/insights.sqlite", args)
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
