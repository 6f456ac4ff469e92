"""GET /metrics: Prometheus figures behind METRICS_TOKEN (404 while it is unset, 401 for a
missing or wrong token); requests per endpoint, the outbox, the jobs, index rebuilds."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from matchmaker import jobs
from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.matching import service as matching
from matchmaker.metrics import index_name
from matchmaker.outbox.models import OutboxMessage
from tests.conftest import free_port
from tests.factories import UserFactory
from tests.web.helpers import log_in
from tests.web.test_outbox import ScriptedServer, queue_reset_mail, use_server

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

TOKEN = "metrics-token-for-the-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "METRICS_TOKEN": TOKEN}


Samples = dict[tuple[str, frozenset], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client) -> Samples:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return parse(response.get_data(as_text=True))


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def count(samples: Samples, name: str, **labels: str) -> float:
    """A counter or histogram count (they add up over the tests: compare differences)."""
    return value(samples, name, **labels) or 0.0


# --- exposure --------------------------------------------------------------------------


def test_without_a_token_configured_nothing_is_exposed(app, client):
    app.config["METRICS_TOKEN"] = None
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404
    app.config["METRICS_TOKEN"] = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer",
    ],
)
def test_a_missing_or_wrong_token_is_refused(client, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "matchmaker_" not in response.get_data(as_text=True)


def test_the_token_opens_the_text_format_and_openmetrics_on_request(client):
    response = client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "# TYPE matchmaker_http_request_duration_seconds histogram" in response.get_data(
        as_text=True
    )
    openmetrics = client.get(
        "/metrics", headers={**AUTH, "Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert openmetrics.content_type.startswith("application/openmetrics-text")
    assert openmetrics.get_data(as_text=True).endswith("# EOF\n")


def test_a_moderator_without_two_step_sign_in_can_still_scrape(client):
    UserFactory(email="mod@example.org", role="moderator", totp_secret=None, totp_enabled_at=None)
    log_in(client, "mod@example.org")
    guarded = client.get("/en/")  # sent to set up two-step sign-in first
    assert "/account/two-step" in guarded.headers["Location"]
    assert client.get("/metrics", headers=AUTH).status_code == 200


# --- what is measured --------------------------------------------------------------------


def test_requests_are_counted_per_endpoint_never_per_path(client):
    before = scrape(client)
    assert client.get("/en/").status_code == 200
    assert client.get("/en/no-such-page/12345").status_code == 404
    assert client.open("/en/", method="BREW").status_code == 405
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return count(after, name, **labels) - count(before, name, **labels)

    histogram = "matchmaker_http_request_duration_seconds_count"
    assert grew(histogram, endpoint="core.home", method="GET") == 1
    assert grew("matchmaker_http_responses_total", endpoint="core.home", status_class="2xx") == 1
    assert grew(histogram, endpoint="none", method="GET") == 1
    assert grew(histogram, endpoint="none", method="other") == 1  # a method of its own: no
    assert grew("matchmaker_http_responses_total", endpoint="none", status_class="4xx") == 2
    assert grew(histogram, endpoint="metrics.scrape", method="GET") == 1
    assert not any("12345" in str(labels) or "BREW" in str(labels) for _, labels in after)
    assert value(after, "matchmaker_database_up") == 1


def test_outbox_gauges_count_queued_sent_and_failed_messages(app, client, smtp_server):
    queue_reset_mail("sent@example.org")
    db.session.commit()
    smtp_server.wait_for("sent@example.org")

    use_server(app, free_port())  # nothing listens: it waits for a retry
    queue_reset_mail("queued@example.org")
    db.session.commit()

    rejecting = ScriptedServer(["550 5.1.1 No such user here"])
    port = free_port()
    controller = Controller(rejecting, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        use_server(app, port)
        queue_reset_mail("failed@example.org")
        db.session.commit()
    finally:
        controller.stop()
    db.session.expire_all()
    statuses = dict(
        db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status)).all()
    )
    assert sorted(statuses.values()) == ["failed", "queued", "sent"]

    samples = scrape(client)
    for status in ("queued", "sent", "failed"):
        assert value(samples, "matchmaker_outbox_messages", status=status) == 1
    age = value(samples, "matchmaker_outbox_oldest_queued_age_seconds")
    assert 0 <= age < 120


def test_the_oldest_queued_message_gives_the_outbox_its_age(app, client):
    assert value(scrape(client), "matchmaker_outbox_oldest_queued_age_seconds") == 0
    use_server(app, free_port())
    queue_reset_mail()
    db.session.commit()
    row = db.session.scalars(select(OutboxMessage)).one()
    row.created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    age = value(scrape(client), "matchmaker_outbox_oldest_queued_age_seconds")
    assert 2 * 3600 <= age < 2 * 3600 + 120


def test_each_jobs_last_success_and_lateness(client):
    before = scrape(client)
    assert value(before, "matchmaker_job_last_success_timestamp_seconds", job="outbox") is None
    assert value(before, "matchmaker_job_late", job="outbox") == 0
    assert value(before, "matchmaker_job_interval_seconds", job="outbox") == 60
    assert set(jobs.JOBS) <= {
        dict(labels)["job"] for name, labels in before if name == "matchmaker_job_late"
    }

    jobs.run_job("outbox")
    after = scrape(client)
    success = value(after, "matchmaker_job_last_success_timestamp_seconds", job="outbox")
    assert abs(success - time.time()) < 60
    assert value(after, "matchmaker_job_late", job="outbox") == 0
    assert value(after, "matchmaker_job_last_success_timestamp_seconds", job="digests") is None

    row = db.session.get(jobs.JobRun, "outbox")
    row.last_success_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    stopped = scrape(client)
    assert value(stopped, "matchmaker_job_late", job="outbox") == 1
    late_success = value(stopped, "matchmaker_job_last_success_timestamp_seconds", job="outbox")
    assert abs(late_success - (time.time() - 600)) < 60


def test_index_rebuilds_are_timed(client):
    name = "matchmaker_index_build_duration_seconds_count"
    before = scrape(client)
    assert client.get("/en/projects").status_code == 200
    matching.match_index()
    after = scrape(client)
    for index in ("register_project", "match"):
        assert count(after, name, index=index) > count(before, name, index=index)


def test_index_labels_come_from_the_cache_keys():
    assert index_name(("register index", "organisation")) == "register_organisation"
    assert index_name("match index") == "match"


# --- several processes (gunicorn workers) ------------------------------------------------

WORKER_PROCESS = """
import sys
from matchmaker import create_app

app = create_app({
    "TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
    "SQLALCHEMY_DATABASE_URI": sys.argv[1], "WORKER_IMMEDIATE": True,
    "MAIL_BACKEND": "console", "RATELIMIT_ENABLED": False, "METRICS_TOKEN": sys.argv[2],
})
client = app.test_client()
for _ in range(2):
    assert client.get("/healthz").status_code == 200
if sys.argv[3] == "scrape":
    print(client.get("/metrics", headers={"Authorization": "Bearer " + sys.argv[2]}).text)
"""


def test_with_a_multiprocess_directory_a_scrape_adds_up_every_process(app_config, tmp_path):
    """Two processes in turn, as two gunicorn workers: the second one's scrape counts the
    requests of both (PROMETHEUS_MULTIPROC_DIR)."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env.pop("prometheus_multiproc_dir", None)
    outputs = []
    database = app_config["SQLALCHEMY_DATABASE_URI"]
    for step in ("serve", "scrape"):
        done = subprocess.run(
            [sys.executable, "-c", WORKER_PROCESS, database, TOKEN, step],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert list(tmp_path.glob("*.db"))  # each process's counts, in files
    samples = parse(outputs[1])
    requests = "matchmaker_http_request_duration_seconds_count"
    assert value(samples, requests, endpoint="root.healthz", method="GET") == 4
    assert value(samples, "matchmaker_database_up") == 1
