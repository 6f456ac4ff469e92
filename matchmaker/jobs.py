"""The background worker and its periodic jobs, on Huey.

The web app only puts work in the queue; `flask --app matchmaker worker` does it. The
queue lives in Redis when REDIS_URL is set (production), else in an SQLite file beside
the database (`instance/huey.sqlite`), so the embedded default needs no server. With
WORKER_IMMEDIATE (the tests), work runs at once in the process that asked for it.

Features declare their periodic jobs with `@periodic_job`; each run's outcome is kept in
`job_run`, which /healthz and `flask worker status` read, so a stopped worker shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path

from flask import Flask, has_app_context
from huey import Huey, crontab
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db

log = logging.getLogger("matchmaker.jobs")

# Immediate until `configure` says where the queue is: importing stores nothing anywhere.
huey = Huey("matchmaker", immediate=True, utc=True)
_worker_app: Flask | None = None


class JobRun(db.Model):
    """The last outcome of one periodic job."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta  # how often it should succeed; twice that and it is late
    run: Callable[[], object]


JOBS: dict[str, Job] = {}
# Names of the locks the worker's tasks take (besides each job's own "job.<name>").
TASK_LOCKS: set[str] = set()


def task_lock(name: str):
    """Huey's lock `name`, known to the worker so that a new worker can clear it when
    the one before was killed while holding it."""
    TASK_LOCKS.add(name)
    return huey.lock_task(name)


def clear_stale_locks() -> list[str]:
    """At the worker's start: release every lock a killed worker may have left behind
    (each job's and each task's). Safe because one worker runs at a time, as the
    production recipe says; returns the names of the locks that were held."""
    names = sorted({f"job.{name}" for name in JOBS} | TASK_LOCKS)
    return sorted(huey.flush_locks(*names))


def configure(app: Flask) -> None:
    """Point the queue at Redis or the SQLite file (or keep it immediate)."""
    if app.config["WORKER_IMMEDIATE"]:
        huey.immediate = True
        return
    if app.config["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": app.config["REDIS_URL"]}
    else:
        path = app.config["WORKER_QUEUE_PATH"] or str(Path(app.instance_path) / "huey.sqlite")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.immediate = False


def bind_worker_app(app: Flask) -> None:
    """The app whose context the worker's jobs run in."""
    global _worker_app
    _worker_app = app


def in_app_context(function):
    @wraps(function)
    def run(*args, **kwargs):
        if has_app_context():
            return function(*args, **kwargs)
        if _worker_app is None:
            raise RuntimeError("the worker has no app: start it with `flask worker`")
        with _worker_app.app_context():
            return function(*args, **kwargs)

    return run


def periodic_job(name: str, schedule: crontab, every: timedelta):
    """Declare `function` a job run on `schedule`, expected to succeed every `every`."""

    def decorator(function):
        JOBS[name] = Job(name, every, function)

        @huey.periodic_task(schedule, name=f"job.{name}")
        @in_app_context
        def scheduled():
            run_job(name)

        return function

    return decorator


def run_job(name: str) -> None:
    """Run one job now, recording its outcome; only one runs at a time per name."""
    job = JOBS[name]
    with huey.lock_task(f"job.{name}"):
        _record(name, last_started_at=utcnow())
        try:
            job.run()
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("Job %s failed", name)
            _record(name, last_failure_at=utcnow(), last_error=f"{type(error).__name__}: {error}")
            raise
        _record(name, last_success_at=utcnow(), last_error=None)


def _record(name: str, **values) -> None:
    row = db.session.get(JobRun, name) or JobRun(name=name)
    for key, value in values.items():
        setattr(row, key, value)
    db.session.add(row)
    db.session.commit()


def health(now: datetime | None = None) -> dict[str, dict]:
    """Each job's last success and whether it is on time: "ok", "late" or "never"."""
    now = now or utcnow()
    runs = {row.name: row for row in db.session.query(JobRun)}
    report = {}
    for name, job in sorted(JOBS.items()):
        row = runs.get(name)
        success = row.last_success_at if row else None
        if success is None:
            state = "never"
        else:
            success = success if success.tzinfo else success.replace(tzinfo=now.tzinfo)
            state = "ok" if now - success <= job.every * 2 + timedelta(minutes=5) else "late"
        report[name] = {
            "status": state,
            "last_success": success.isoformat() if success else None,
            "last_error": row.last_error if row else None,
        }
    return report


def worker_config(app: Flask) -> dict:
    """Threads, not processes (the work is mostly waiting on SMTP and the database); the
    queue is looked at every second at most when idle, so mail leaves within a second or
    two; locks left by a worker that was killed are cleared when it starts again."""
    return {
        "workers": app.config["WORKER_THREADS"],
        "worker_type": "thread",
        "periodic": True,
        "max_delay": 1.0,
        "flush_locks": True,
    }


def current_queue() -> str:
    if huey.immediate:
        return "immediate"
    return "redis" if huey.storage_class is RedisStorage else "sqlite"
