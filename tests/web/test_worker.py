"""The background worker: jobs on their schedules, on the embedded SQLite queue and on
Redis; /healthz and `flask worker status` show a worker that has stopped."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from matchmaker import jobs
from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from tests.web.test_outbox import queue_reset_mail

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def app_config(app_config, tmp_path):
    """A real queue (an SQLite file), as with `make run`: nothing runs until a worker does."""
    return {**app_config, "WORKER_IMMEDIATE": False, "WORKER_QUEUE_PATH": str(tmp_path / "q.db")}


@pytest.fixture
def worker(app):
    """A worker consuming the queue in this process, as `flask worker` would."""
    jobs.bind_worker_app(app)
    jobs.huey.flush()
    consumer = jobs.huey.create_consumer(
        workers=1, worker_type="thread", periodic=False, max_delay=0.2, flush_locks=True
    )
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


def test_without_a_worker_mail_waits_in_the_outbox(app, smtp_server):
    queue_reset_mail()
    db.session.commit()
    time.sleep(0.5)
    assert smtp_server.to("ada@example.org") == []
    assert len(jobs.huey) >= 1  # the delivery is waiting in the queue for a worker


def test_the_worker_delivers_mail_from_the_sqlite_queue(app, smtp_server, worker):
    queue_reset_mail()
    db.session.commit()
    assert len(smtp_server.wait_for("ada@example.org", timeout=10)) == 1


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to a Redis server")
class TestOnRedis:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_the_worker_delivers_mail_from_redis(self, app, smtp_server, worker):
        assert jobs.current_queue() == "redis"
        queue_reset_mail()
        db.session.commit()
        assert len(smtp_server.wait_for("ada@example.org", timeout=10)) == 1


def test_each_job_is_due_on_its_schedule(app):
    def due_at(hour: int, minute: int) -> set[str]:
        moment = datetime(2027, 3, 1, hour, minute, tzinfo=UTC)
        return {task.name for task in jobs.huey.read_periodic(moment)}

    assert due_at(6, 15) == {"job.outbox", "job.contact-reminders"}
    assert due_at(7, 0) == {"job.outbox", "job.digests", "job.meeting-requests"}
    assert due_at(3, 30) == {"job.outbox", "job.outbox-cleanup", "job.meeting-requests"}
    assert due_at(9, 50) == {"job.outbox", "job.meeting-requests"}
    assert due_at(3, 45) == {"job.outbox", "job.security-events-cleanup"}
    assert due_at(12, 34) == {"job.outbox"}


def test_healthz_shows_a_stopped_worker(app, client):
    never = client.get("/healthz").get_json()
    assert never["status"] == "degraded" and never["worker"] == "late"
    assert never["jobs"]["outbox"]["status"] == "never"

    jobs.run_job("outbox")
    running = client.get("/healthz").get_json()
    assert running["status"] == "ok" and running["queue"] == "sqlite"
    assert running["jobs"]["outbox"]["status"] == "ok"
    assert running["jobs"]["digests"]["status"] == "never"  # daily: not yet, not late

    row = db.session.get(jobs.JobRun, "outbox")
    row.last_success_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    stopped = client.get("/healthz")
    assert stopped.status_code == 200  # the web worker itself is fine: keep it serving
    assert stopped.get_json()["status"] == "degraded"
    assert stopped.get_json()["jobs"]["outbox"]["status"] == "late"


def test_a_failing_job_is_recorded_with_its_error(app, monkeypatch):
    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setitem(jobs.JOBS, "digests", jobs.Job("digests", timedelta(days=1), broken))
    with pytest.raises(RuntimeError):
        jobs.run_job("digests")
    row = db.session.get(jobs.JobRun, "digests")
    assert row.last_error == "RuntimeError: the database went away"
    assert row.last_success_at is None


def test_worker_status_prints_a_line_per_job(app, runner):
    jobs.run_job("outbox")
    lines = runner.invoke(args=["worker", "status"]).output.splitlines()
    names = [line.split(":")[0] for line in lines]
    assert names == [
        "contact-reminders",
        "digests",
        "insights-connections",
        "meeting-outcomes",
        "meeting-requests",
        "open-data",
        "outbox",
        "outbox-cleanup",
        "seat-offers",
        "security-events-cleanup",
    ]
    assert lines[names.index("outbox")].startswith("outbox: ok, last success 20")
    assert lines[0].startswith("contact-reminders: never")


def test_run_job_runs_a_job_by_name(app, runner):
    assert runner.invoke(args=["worker", "run-job", "digests"]).exit_code == 0
    assert db.session.get(jobs.JobRun, "digests").last_success_at is not None
    assert runner.invoke(args=["worker", "run-job", "nonsense"]).exit_code != 0


def test_a_new_worker_clears_the_locks_a_killed_one_left_behind(app, smtp_server):
    from huey.exceptions import TaskLockedException

    from matchmaker.outbox.tasks import DELIVERY_LOCK

    # A worker killed in the middle of its minute job and of a delivery: both locks stay.
    jobs.huey.lock_task("job.outbox").__enter__()
    jobs.huey.lock_task(DELIVERY_LOCK).__enter__()
    queue_reset_mail()
    db.session.commit()
    with pytest.raises(TaskLockedException):
        jobs.run_job("outbox")
    assert jobs.clear_stale_locks() == ["job.outbox", DELIVERY_LOCK]
    jobs.run_job("outbox")
    assert len(smtp_server.messages) == 1
