"""Prometheus metrics for operators, at GET /metrics with ``Authorization: Bearer
<METRICS_TOKEN>`` (404 while METRICS_TOKEN is unset, 401 for a missing or wrong token).

Counted by each process as it works: requests per Flask endpoint (never the raw path, so
the number of series stays bounded) with their duration and status class, and how long the
in-memory register and match indexes take to rebuild. Read from the database at each
scrape, so every process gives the same figures: the outbox by status and the age of its
oldest waiting message, each periodic job's last success and whether it is late.

Several processes (gunicorn workers) each count their own requests, and a scrape reaches
one of them. With PROMETHEUS_MULTIPROC_DIR set (an empty directory, emptied again before
gunicorn starts) prometheus_client keeps every process's counts in files there and a
scrape adds them all up; gunicorn's ``child_exit`` hook should call
``prometheus_client.multiprocess.mark_process_dead(worker.pid)``. Without it (one process:
``flask run``) the process's own counts are served.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from flask.signals import request_finished, request_started
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from matchmaker.extensions import limiter

log = logging.getLogger("matchmaker.metrics")

# This process's metrics live in a registry of ours, created once: prometheus_client's
# global REGISTRY would refuse them a second time when another app is created (the tests).
PROCESS = CollectorRegistry(auto_describe=False)

# A method outside these is counted as "other": clients choose it, labels must stay few.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "matchmaker_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint (none: no route matched) and method.",
    ("endpoint", "method"),
    registry=PROCESS,
)
RESPONSES = Counter(
    "matchmaker_http_responses_total",
    "Responses by Flask endpoint (none: no route matched) and status class (2xx…5xx).",
    ("endpoint", "status_class"),
    registry=PROCESS,
)
INDEX_BUILD = Histogram(
    "matchmaker_index_build_duration_seconds",
    "Time to rebuild an in-memory index after the register changed (register_project, "
    "register_organisation, match).",
    ("index",),
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=PROCESS,
)


def index_name(key: object) -> str:
    """The label of a ``register.index.per_change`` key: ("register index", "project") is
    register_project, "match index" is match."""
    parts = key if isinstance(key, tuple) else (key,)
    return "_".join(str(part).removesuffix(" index") for part in parts).replace(" ", "_")


@contextmanager
def timing_index_build(key: object) -> Iterator[None]:
    """Observe how long the rebuild inside the ``with`` takes (a failed one is not counted)."""
    started = time.perf_counter()
    yield
    INDEX_BUILD.labels(index_name(key)).observe(time.perf_counter() - started)


# --- requests -------------------------------------------------------------------------
# Signals rather than before/after_request: request_started comes before every
# before_request function (one may answer at once, e.g. a redirect) and request_finished
# after every after_request one, also for error pages.


def _request_started(app: Flask, **extra) -> None:
    g.metrics_started = time.perf_counter()


def _request_finished(app: Flask, response: Response, **extra) -> None:
    started = g.pop("metrics_started", None)
    if started is None:
        return
    endpoint = request.endpoint or "none"
    method = request.method if request.method in METHODS else "other"
    REQUEST_DURATION.labels(endpoint, method).observe(time.perf_counter() - started)
    RESPONSES.labels(endpoint, f"{response.status_code // 100}xx").inc()


# --- read from the database at each scrape ------------------------------------------------


def _timestamp(moment: datetime) -> float:
    """Unix time of a stored moment (SQLite gives it back without its zone: UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def database_metrics() -> Iterator[Metric]:
    """The outbox and the periodic jobs, as the database says now (needs an app context)."""
    # Imported here: the index modules import this one, and these import half the app.
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from matchmaker import jobs
    from matchmaker.extensions import db
    from matchmaker.outbox import services as outbox
    from matchmaker.outbox.models import OutboxMessage

    up = GaugeMetricFamily(
        "matchmaker_database_up", "1 when the figures below could be read from the database."
    )
    try:
        counts = outbox.counts()
        oldest = db.session.scalar(
            select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "queued")
        )
        report = jobs.health()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Metrics: the database could not be read")
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    yield up

    messages = GaugeMetricFamily(
        "matchmaker_outbox_messages", "E-mails in the outbox by status.", labels=("status",)
    )
    for status, count in counts.items():
        messages.add_metric([status], count)
    yield messages
    yield GaugeMetricFamily(
        "matchmaker_outbox_oldest_queued_age_seconds",
        "Age of the oldest e-mail still waiting to be sent (0 when none waits).",
        value=max(0.0, time.time() - _timestamp(oldest)) if oldest else 0.0,
    )

    success = GaugeMetricFamily(
        "matchmaker_job_last_success_timestamp_seconds",
        "Unix time of each periodic job's last success (absent while it never succeeded).",
        labels=("job",),
    )
    late = GaugeMetricFamily(
        "matchmaker_job_late",
        "1 when a periodic job has not succeeded for twice its interval (and 5 minutes), "
        "as /healthz says; 0 when on time or never run.",
        labels=("job",),
    )
    interval = GaugeMetricFamily(
        "matchmaker_job_interval_seconds",
        "How often each periodic job is expected to succeed.",
        labels=("job",),
    )
    for name, state in report.items():
        if state["last_success"]:
            success.add_metric([name], datetime.fromisoformat(state["last_success"]).timestamp())
        late.add_metric([name], 1 if state["status"] == "late" else 0)
        interval.add_metric([name], jobs.JOBS[name].every.total_seconds())
    yield success
    yield late
    yield interval


class _Scrape:
    """What one scrape shows: the request and index figures (every process's, in
    multi-process mode, else this one's) and the database's figures."""

    def collect(self) -> Iterator[Metric]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            yield from MultiProcessCollector(None).collect()
        else:
            yield from PROCESS.collect()
        yield from database_metrics()


# --- the endpoint -----------------------------------------------------------------------

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@limiter.exempt
def scrape():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)  # nothing is exposed until an operator sets a token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return Response(
            "A valid bearer token is needed.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            mimetype="text/plain",
        )
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(
        encode(_Scrape()), headers={"Content-Type": content_type, "Cache-Control": "no-store"}
    )


def init_app(app: Flask) -> None:
    """Count this app's requests and serve /metrics (the metrics themselves exist once per
    process, whatever the number of apps)."""
    request_started.connect(_request_started, app)
    request_finished.connect(_request_finished, app)
    app.register_blueprint(bp)
