"""Seeded benchmark of the matcher (matchmaker.matching.service); prints figures, asserts nothing.

Fills the public register (register_entry, register_entry_tag, register_entry_language and,
with --search-documents, search_document) with N organisations and M projects, as
``matchmaker.register.services.publish`` would write them but with bulk inserts (the data
generator of bench/register_search.py), then times the real service functions for four
lists, and the same lists computed by a plain full scan in Python (every published profile
loaded once, then engine scoring of every candidate), and checks that both give the same
top 20. See bench/README.md.

    python bench/matching.py --database sqlite --organisations 20000 --projects 40000

The PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the database named by
BENCH_DATABASE_URL (default postgresql://root@127.0.0.1:5432/bench_matching).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import multiprocessing
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # `python bench/matching.py` from anywhere
    sys.path.insert(0, str(BENCH))

import register_search as rs  # noqa: E402  (also puts the project root on sys.path)
from sqlalchemy import event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from matchmaker import geo  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.matching import engine, service  # noqa: E402
from matchmaker.matching.engine import Match, MatchContext  # noqa: E402
from matchmaker.matching.profiles import ItemKey, Profile  # noqa: E402
from matchmaker.matching.rules import ListKind  # noqa: E402
from matchmaker.register import index as register_index  # noqa: E402
from matchmaker.register.models import (  # noqa: E402
    MATCH_ROLES,
    MatchProfile,
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
    SearchDocument,
    document_id,
    tag_bits,
)
from matchmaker.register.services import text_tags  # noqa: E402
from matchmaker.taxonomy.models import Tag  # noqa: E402

DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/bench_matching"
FORBIDDEN_DATABASES = {"test"}  # the test suite's database: never dropped by this script
TARGET_P50_MS = 10.0
TARGET_P95_MS = 30.0
TARGET_RATIO = 50.0
TOP = service.PAGE_SIZE


# --------------------------------------------------------------------------------------
# Data: bench/register_search.py's generator, without the search documents by default
# --------------------------------------------------------------------------------------


@dataclass
class Dataset:
    items: list[rs.Item]
    documents: list[dict[str, str]] | None
    seconds: float = 0.0

    def ids(self, item_type: str, kinds: set[str] | None = None) -> list[int]:
        return sorted(
            item.item_id
            for item in self.items
            if item.item_type == item_type and (kinds is None or item.org_kind in kinds)
        )


def generate(organisations: int, projects: int, seed: int, documents: bool, jobs: int) -> Dataset:
    """The same items as register_search.generate() for the same seed and sizes."""
    started = time.perf_counter()
    gen = rs.Generator(seed)
    orgs = [gen.organisation(org_id) for org_id in range(1, organisations + 1)]
    owners = [o for o in orgs if rs.ORG_KINDS[o.org_kind][1] > 0]
    weights = [rs.ORG_KINDS[o.org_kind][1] * gen.rng.paretovariate(1.5) for o in owners]
    chosen = gen.rng.choices(owners, weights, k=projects) if owners else []
    items = orgs + [gen.project(pid, owner) for pid, owner in enumerate(chosen, start=1)]
    items.sort(key=lambda item: (item.published_at, item.item_type, item.item_id))
    docs = None
    if documents:
        inputs = [rs._document_input(item) for item in items]
        if jobs > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                docs = pool.map(rs.document, inputs, chunksize=500)
        else:
            docs = [rs.document(texts) for texts in inputs]
    return Dataset(items, docs, time.perf_counter() - started)


def load(app, data: Dataset) -> dict[str, float]:
    """Bulk-insert the register rows publish() writes; returns timings in seconds."""
    timings = {}
    with app.app_context():
        tag_ids = dict(db.session.execute(select(Tag.code, Tag.id)).all())
        db.session.remove()
        bits = tag_bits([tuple(row) for row in db.session.execute(select(Tag.id, Tag.vocabulary))])
        db.session.remove()
        entries, entry_tags, entry_languages, docs, profiles = [], [], [], [], []
        for entry_id, item in enumerate(data.items, start=1):
            snapshot = item.snapshot
            lat, lon = snapshot.get("latitude"), snapshot.get("longitude")
            if lat is None or lon is None:
                lat, lon = geo.coordinates(snapshot["country"], snapshot.get("region")) or (
                    None,
                    None,
                )
            entries.append(
                {
                    "id": entry_id,
                    "item_type": item.item_type,
                    "item_id": item.item_id,
                    "organisation_id": item.organisation_id,
                    "org_kind": item.org_kind,
                    "country": snapshot["country"],
                    "region": snapshot.get("region"),
                    "stage": snapshot.get("stage"),
                    "funding_min_eur": snapshot.get("funding_min_eur"),
                    "funding_max_eur": snapshot.get("funding_max_eur"),
                    "original_language": snapshot["original_language"],
                    "latitude": lat,
                    "longitude": lon,
                    "sort_title": item.title[:200],
                    "published_at": item.published_at,
                    "snapshot": snapshot,
                }
            )
            organisation = item.item_type == "organisation"
            # As publish does: the capability tags its texts name, as needs and offers.
            tags = {**snapshot["tags"], **text_tags(item.item_type, snapshot)}
            languages = (
                (snapshot.get("working_languages") or []) if organisation else snapshot["texts"]
            )
            profiles.append(
                {
                    "entry_id": entry_id,
                    "item_type": item.item_type,
                    "item_id": item.item_id,
                    "organisation_id": item.organisation_id,
                    "org_kind": item.org_kind,
                    "country": snapshot["country"],
                    "region": snapshot.get("region"),
                    "stage": None if organisation else snapshot.get("stage"),
                    "funding_min_eur": snapshot.get("funding_min_eur"),
                    "funding_max_eur": snapshot.get("funding_max_eur"),
                    "ticket_min_eur": snapshot.get("ticket_min_eur") if organisation else None,
                    "ticket_max_eur": snapshot.get("ticket_max_eur") if organisation else None,
                    "languages": " ".join(sorted(languages)),
                    "regions_covered": " ".join(sorted(snapshot.get("regions_covered") or [])),
                    **{
                        role: sum(
                            1 << bits[tag_ids[code]]
                            for code in set(tags.get(role, ()))
                            if code in tag_ids
                        )
                        for role in MATCH_ROLES
                    },
                }
            )
            for role, codes in tags.items():
                entry_tags.extend(
                    {"entry_id": entry_id, "tag_id": tag_ids[code], "role": role}
                    for code in codes
                    if code in tag_ids
                )
            entry_languages.extend(
                {"entry_id": entry_id, "lang": lang} for lang in sorted(item.languages)
            )
            if data.documents is not None:
                docs.extend(
                    {
                        "id": document_id(entry_id, lang),
                        "entry_id": entry_id,
                        "lang": lang,
                        "content": body,
                    }
                    for lang, body in data.documents[entry_id - 1].items()
                )
        started = time.perf_counter()
        with db.engine.begin() as conn:
            for table, rows in (
                (RegisterEntry.__table__, entries),
                (RegisterEntryTag.__table__, entry_tags),
                (RegisterEntryLanguage.__table__, entry_languages),
                (MatchProfile.__table__, profiles),
                (SearchDocument.__table__, docs),
            ):
                for batch in rs._batches(rows):
                    conn.execute(insert(table), batch)
            if conn.dialect.name == "postgresql":
                for table in ("register_entry", "search_document"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"coalesce((SELECT max(id) FROM {table}), 1))"
                        )
                    )
        timings["insert"] = time.perf_counter() - started
        started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        else:
            with db.engine.begin() as conn:
                if data.documents is not None:
                    conn.execute(text("INSERT INTO search_fts(search_fts) VALUES('optimize')"))
                conn.execute(text("ANALYZE"))
        timings["analyze"] = time.perf_counter() - started
        register_index.touch()  # as publish() does
        db.session.commit()
        db.engine.dispose()
    return timings


# --------------------------------------------------------------------------------------
# The lists measured
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: ListKind
    subject_type: str
    call: Callable[[int], service.MatchPage | None]


# Equal scores in the order one logged-in viewer sees them on one day, as the web does.
SALT = service.tie_salt(1, date(2026, 12, 7))

SCENARIOS = (
    Scenario(
        "project: top 20 partners",
        ListKind.PROJECT_PARTNERS,
        "project",
        lambda pid: service.match_page("project", pid, ListKind.PROJECT_PARTNERS, tie_salt=SALT),
    ),
    Scenario(
        "project: top 20 investors",
        ListKind.PROJECT_INVESTORS,
        "project",
        lambda pid: service.match_page("project", pid, ListKind.PROJECT_INVESTORS, tie_salt=SALT),
    ),
    Scenario(
        "project: top 20 clusters",
        ListKind.PROJECT_CLUSTERS,
        "project",
        lambda pid: service.match_page("project", pid, ListKind.PROJECT_CLUSTERS, tie_salt=SALT),
    ),
    Scenario(
        "investor: top 20 projects",
        ListKind.INVESTOR_PROJECTS,
        "organisation",
        lambda oid: service.match_page(
            "organisation", oid, ListKind.INVESTOR_PROJECTS, tie_salt=SALT
        ),
    ),
)


def subjects(data: Dataset, scenario: Scenario, seed: int, n: int) -> list[int]:
    """Seeded subject ids: any project, or an investor for recommended projects."""
    pool = (
        data.ids("organisation", {"investor"})
        if scenario.kind == ListKind.INVESTOR_PROJECTS
        else data.ids("project")
    )
    rng = random.Random(f"{seed}-{scenario.kind}")
    return [rng.choice(pool) for _ in range(n)] if pool else []


class SqlClock:
    """Time spent in cursor.execute (the statement; rows fetched later are not counted)."""

    def __init__(self, engine_) -> None:
        self.seconds = 0.0
        self.statements = 0
        self._started: list[float] = []
        event.listen(engine_, "before_cursor_execute", self._before)
        event.listen(engine_, "after_cursor_execute", self._after)

    def _before(self, *args) -> None:
        self._started.append(time.perf_counter())

    def _after(self, *args) -> None:
        self.seconds += time.perf_counter() - self._started.pop()
        self.statements += 1

    def reset(self) -> None:
        self.seconds, self.statements = 0.0, 0


@dataclass
class Figure:
    database: str
    scenario: str
    method: str  # "service" or "full scan"
    times_ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times_ms)
        if not ordered:
            return float("nan")
        rank = max(1, -(-len(ordered) * p // 100))  # nearest rank
        return ordered[int(rank) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)


@dataclass
class Result:
    service: Figure
    scan: Figure
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    reason_mismatches: int = 0
    candidates: list[int] = field(default_factory=list)  # loaded by the index lookup

    @property
    def ratio(self) -> float:
        return self.scan.p50 / self.service.p50 if self.service.p50 else float("nan")


def _top(matches: Sequence[Match]) -> list[tuple[ItemKey, int]]:
    return [(match.key, match.score) for match in matches]


def _candidate_count(
    subject: Profile, kind: ListKind, profiles: Sequence[Profile], context: MatchContext
) -> int:
    """How many profiles the service's tag-index lookup loads for this subject: those of
    the list's type and kinds, not of the subject's organisation, carrying a selection tag
    (the engine's own filters, which the index applies to its arrays)."""
    spec = engine.list_rules(kind)
    selection = (
        engine.selection_tags(subject, kind, context.stats) if spec.require_shared_tag else None
    )
    return sum(
        1
        for profile in profiles
        if engine._is_candidate(spec, profile)
        and profile.organisation_id != subject.organisation_id
        and (selection is None or engine._carries_any(profile, selection))
    )


def _timed_service(scenario: Scenario, subject_id: int, clock: SqlClock):
    clock.reset()
    started = time.perf_counter()
    page = scenario.call(subject_id)
    elapsed = (time.perf_counter() - started) * 1000
    db.session.remove()  # as at the end of a request
    return elapsed, clock.seconds * 1000, clock.statements, page


def measure_service(app, database: str, data: Dataset, args, clock: SqlClock) -> dict:
    """Service figures; keeps the pages of the first --check subjects for the comparison."""
    out = {}
    warmup = max(5, args.queries // 10)
    with app.app_context():
        for scenario in SCENARIOS:
            inputs = subjects(data, scenario, args.seed, warmup + args.queries)
            figure = Figure(database, scenario.name, "service")
            started = time.perf_counter()
            for subject_id in inputs[:warmup]:
                _timed_service(scenario, subject_id, clock)
                if time.perf_counter() - started > args.budget / 5:
                    break
            pages: dict[int, list[Match]] = {}
            started = time.perf_counter()
            for subject_id in inputs[warmup:]:
                elapsed, sql_ms, statements, page = _timed_service(scenario, subject_id, clock)
                figure.times_ms.append(elapsed)
                figure.sql_ms.append(sql_ms)
                figure.statements.append(statements)
                figure.totals.append(page.total if page else 0)
                if len(pages) < args.check and subject_id not in pages:
                    pages[subject_id] = [item.match for item in page.items] if page else []
                over = time.perf_counter() - started > args.budget
                if over and len(figure.times_ms) >= args.min_runs:
                    break
            out[scenario.name] = (figure, pages)
            print(
                f"  {database:10} {scenario.name:26} service   {len(figure.times_ms):4} runs"
                f"  p50 {figure.p50:8.1f}  p95 {figure.p95:8.1f} ms",
                flush=True,
            )
    return out


def measure_scan(app, database: str, measured: dict, args) -> tuple[list[Result], float]:
    """The same lists by a full scan: every profile loaded once (not timed), then
    engine.rank() over all of them, timed; and the top-20 comparison."""
    results = []
    with app.app_context():
        started = time.perf_counter()
        profiles = service.all_profiles()
        stats = service.tag_stats()
        load_seconds = time.perf_counter() - started
        by_key: dict[ItemKey, Profile] = {profile.key: profile for profile in profiles}
        db.session.remove()
        print(
            f"  {database:10} full scan: {len(profiles):,} profiles loaded in "
            f"{load_seconds:.1f} s (not timed)",
            flush=True,
        )
        gc.collect()
        gc.freeze()
        for scenario in SCENARIOS:
            figure, pages = measured[scenario.name]
            scan = Figure(database, scenario.name, "full scan")
            result = Result(figure, scan)
            started = time.perf_counter()
            for subject_id, served in pages.items():
                subject = by_key[ItemKey(scenario.subject_type, subject_id)]
                context = MatchContext(stats=stats, tie_salt=SALT)  # no dismissals generated
                tick = time.perf_counter()
                top = engine.rank(subject, profiles, scenario.kind, context, limit=TOP)
                scan.times_ms.append((time.perf_counter() - tick) * 1000)
                result.checked += 1
                if _top(top) != _top(served):
                    result.mismatches.append(
                        f"{scenario.subject_type} {subject_id}: service {_top(served)[:5]}... "
                        f"full scan {_top(top)[:5]}..."
                    )
                elif [m.to_dict() for m in top] != [m.to_dict() for m in served]:
                    result.reason_mismatches += 1
                result.candidates.append(
                    _candidate_count(subject, scenario.kind, profiles, context)
                )
                over = time.perf_counter() - started > args.budget
                if len(scan.times_ms) >= args.scan_queries or (over and len(scan.times_ms) >= 3):
                    break
            # Whatever was not timed above is still checked (engine only, not timed).
            for subject_id, served in list(pages.items())[result.checked :]:
                subject = by_key[ItemKey(scenario.subject_type, subject_id)]
                context = MatchContext(stats=stats, tie_salt=SALT)
                top = engine.rank(subject, profiles, scenario.kind, context)
                result.checked += 1
                if _top(top) != _top(served):
                    result.mismatches.append(
                        f"{scenario.subject_type} {subject_id}: service {_top(served)[:5]}... "
                        f"full scan {_top(top)[:5]}..."
                    )
                elif [m.to_dict() for m in top] != [m.to_dict() for m in served]:
                    result.reason_mismatches += 1
            results.append(result)
            print(
                f"  {database:10} {scenario.name:26} full scan {len(scan.times_ms):4} runs"
                f"  p50 {scan.p50:8.1f}  p95 {scan.p95:8.1f} ms;"
                f" checked {result.checked}, {len(result.mismatches)} top-20 mismatches",
                flush=True,
            )
        del profiles, by_key
    return results, load_seconds


def profile_service(app, data: Dataset, args) -> None:
    """cProfile of a few service calls per list: where the time goes."""
    with app.app_context():
        for scenario in SCENARIOS:
            inputs = subjects(data, scenario, args.seed + 1, args.profile)
            profiler = cProfile.Profile()
            for subject_id in inputs:
                profiler.enable()
                scenario.call(subject_id)
                profiler.disable()
                db.session.remove()
            buffer = io.StringIO()
            stats = pstats.Stats(profiler, stream=buffer)
            stats.sort_stats("tottime").print_stats(args.profile_lines)
            lines = [
                line
                for line in buffer.getvalue().splitlines()
                if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced"))
            ]
            print(f"\n  profile of {len(inputs)} calls, {scenario.name} (by own time):")
            for line in lines:
                print("    " + line[:150])


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def _verdict(result: Result, database: str) -> str:
    parts = []
    if database == "sqlite":
        parts.append("p50 ok" if result.service.p50 <= TARGET_P50_MS else "p50 MISS")
        parts.append("p95 ok" if result.service.p95 <= TARGET_P95_MS else "p95 MISS")
    parts.append("ratio ok" if result.ratio >= TARGET_RATIO else "ratio MISS")
    if result.mismatches:
        parts.append(f"{len(result.mismatches)} MISMATCH")
    return ", ".join(parts)


def print_table(results: Sequence[Result]) -> None:
    header = (
        f"{'database':10} {'list':26} {'runs':>5} {'avg len':>8} {'cands':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'sql p50':>7} {'stmts':>5} "
        f"{'scan runs':>9} {'scan p50':>9} {'ratio':>7} {'top20 =':>8}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        s = r.service
        cands = f"{statistics.fmean(r.candidates):7.0f}" if r.candidates else f"{'-':>7}"
        print(
            f"{s.database:10} {s.scenario:26} {len(s.times_ms):5} "
            f"{statistics.fmean(s.totals):8.0f} {cands} "
            f"{s.p50:7.1f} {s.p95:7.1f} {max(s.times_ms):7.1f} "
            f"{statistics.median(s.sql_ms):7.1f} {statistics.median(s.statements):5.0f} "
            f"{len(r.scan.times_ms):9} {r.scan.p50:9.1f} {r.ratio:6.1f}x "
            f"{r.checked - len(r.mismatches):>3}/{r.checked:<4}  {_verdict(r, s.database)}"
        )


def check_url(url: str) -> str:
    name = make_url(url).database
    if name in FORBIDDEN_DATABASES:
        raise SystemExit(
            f"refusing to drop the schema of the database {name!r}: it is the test suite's. "
            f"Set BENCH_DATABASE_URL to a scratch database (default {DEFAULT_PG_URL})."
        )
    return url


def build_index(app) -> None:
    """Time what each process pays once per register change: reading the register into
    the matcher's index (service.match_index)."""
    with app.app_context():
        times = []
        for _ in range(2):
            started = time.perf_counter()
            index = service._build_index()
            times.append(time.perf_counter() - started)
            db.session.remove()
        tracemalloc.start()
        index = service._build_index()
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
        kept = sum(
            value.nbytes for value in vars(index).values() if hasattr(value, "nbytes")
        ) + sum(array.nbytes for array in (*index.tags.values(), *index.weight.values()))
        print(
            f"match index: {index.size:,} entries, built in {min(times):.2f} s "
            f"(best of 2; median {statistics.median(times):.2f} s), arrays "
            f"{kept / 1e6:.0f} MB, peak Python allocation while building {peak / 1e6:.0f} MB",
            flush=True,
        )


def run_database(name: str, url: str, data: Dataset, args) -> list[Result]:
    print(f"\n=== {name}: {url}", flush=True)
    app = rs.make_app(url)
    started = time.perf_counter()
    rs.reset_schema(app)
    schema_seconds = time.perf_counter() - started
    timings = load(app, data)
    print(
        f"load: schema+migrations+taxonomy {schema_seconds:.1f} s, "
        f"bulk insert {timings['insert']:.1f} s, ANALYZE {timings['analyze']:.1f} s"
    )
    print("rows: " + ", ".join(f"{label} {count:,}" for label, count in rs.row_counts(app)))
    if name == "sqlite":
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
        print(f"database file: {size / 1e6:.0f} MB")
    with app.app_context():
        clock = SqlClock(db.engine)
    # The generated dataset stays in this process for the next database, which no server
    # process does: keep it out of the cyclic garbage collector's full collections.
    gc.collect()
    gc.freeze()
    build_index(app)
    started = time.perf_counter()
    measured = measure_service(app, name, data, args, clock)
    results, _ = measure_scan(app, name, measured, args)
    if args.profile:
        profile_service(app, data, args)
    print(f"timing took {time.perf_counter() - started:.0f} s")
    with app.app_context():
        db.engine.dispose()
    return results


def describe(data: Dataset) -> str:
    orgs = [item for item in data.items if item.item_type == "organisation"]
    kinds: dict[str, int] = {}
    for item in orgs:
        kinds[item.org_kind] = kinds.get(item.org_kind, 0) + 1
    capabilities: dict[str, int] = {}
    tags_per_org = []
    for item in orgs:
        tags = item.snapshot["tags"]
        tags_per_org.append(sum(len(codes) for codes in tags.values()))
        for code in tags["capability"]:
            capabilities[code] = capabilities.get(code, 0) + 1
    top, top_count = max(capabilities.items(), key=lambda pair: pair[1], default=("-", 0))
    return (
        "data: organisations by kind "
        + ", ".join(
            f"{kind} {count:,}" for kind, count in sorted(kinds.items(), key=lambda p: -p[1])
        )
        + f"; {statistics.fmean(tags_per_org):.1f} tags per organisation; most frequent "
        f"capability {top} on {top_count:,} organisations ({100 * top_count / len(orgs):.0f} %)"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Seeded benchmark of the matcher (matchmaker.matching.service): p50/p95 server "
            "time of four match lists on SQLite (temporary file) and/or PostgreSQL, against a "
            "full scan in Python, with a check that both give the same top 20. "
            "WARNING: the PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the "
            f"database in BENCH_DATABASE_URL (default {DEFAULT_PG_URL}); all its data is lost."
        )
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200, help="timed service runs per list")
    parser.add_argument(
        "--scan-queries", type=int, default=20, help="timed full-scan runs per list"
    )
    parser.add_argument(
        "--check",
        type=int,
        default=30,
        help="subjects per list whose service top 20 is compared with the full scan's",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds per figure: stop timing it after this, once it has --min-runs runs",
    )
    parser.add_argument("--min-runs", type=int, default=10)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="after timing, cProfile N service calls per list and print the top functions",
    )
    parser.add_argument("--profile-lines", type=int, default=14)
    parser.add_argument(
        "--search-documents",
        action="store_true",
        help="also write search_document (and so the full-text index); the matcher reads "
        "neither, so they are left out by default",
    )
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument(
        "--keep-sqlite", action="store_true", help="keep the SQLite file and print its path"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_url = check_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL))
    print(
        f"matching benchmark: {args.organisations:,} organisations, {args.projects:,} projects, "
        f"seed {args.seed}, up to {args.queries} service runs and {args.scan_queries} full-scan "
        f"runs per list, {args.check} subjects checked per list; targets on SQLite "
        f"p50 <= {TARGET_P50_MS:.0f} ms, p95 <= {TARGET_P95_MS:.0f} ms; "
        f">= {TARGET_RATIO:.0f}x faster than the full scan"
    )
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    data = generate(args.organisations, args.projects, args.seed, args.search_documents, args.jobs)
    print(f"generated {len(data.items):,} register entries in {data.seconds:.1f} s")
    print(describe(data))
    results: list[Result] = []
    if args.database in ("sqlite", "both"):
        directory = tempfile.mkdtemp(prefix="matchmaker-bench-")
        path = Path(directory) / "matching.sqlite"
        try:
            results += run_database("sqlite", f"sqlite:///{path}", data, args)
        finally:
            if args.keep_sqlite:
                print(f"kept {path}")
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                Path(directory).rmdir()
    if args.database in ("postgresql", "both"):
        results += run_database("postgresql", pg_url, data, args)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}\n")
    print_table(results)
    print(
        "\navg len: matches in the whole list (page.total); cands: profiles the tag-index "
        "lookup loads (checked subjects); sql p50: time inside cursor.execute (row fetching "
        "not included); stmts: statements per call; ratio: full-scan p50 / service p50; "
        "top20 =: checked subjects whose service top 20 (keys and scores) equals the full "
        "scan's."
    )
    for r in results:
        for line in r.mismatches:
            print(f"MISMATCH {r.service.database} {r.service.scenario}: {line}")
        if r.reason_mismatches:
            print(
                f"reasons differ (same keys and scores) {r.service.database} "
                f"{r.service.scenario}: {r.reason_mismatches} subjects"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
