"""The worker counts the connections: after a register change or a new hour (the page
asks), and every ten minutes besides, so that the count of a quiet hour is ready too."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.exceptions import TaskLockedException

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.insights import connection_queries
from matchmaker.jobs import huey, in_app_context, periodic_job, task_lock

COUNT_LOCK = "insights-connections"


def _count_alone() -> bool:
    """Count unless the last count is fresh or another count is under way; whether it
    counted."""
    try:
        with task_lock(COUNT_LOCK):
            counted = connection_queries.refresh(utcnow())
            db.session.commit()
            return counted
    except TaskLockedException:
        return False


@huey.task()
@in_app_context
def count_connections() -> None:
    _count_alone()


@periodic_job("insights-connections", crontab(minute="3-59/10"), every=timedelta(minutes=10))
def count_connections_every_ten_minutes() -> bool:
    return _count_alone()


def ask_for_a_count_when_stale() -> None:
    """When the register or the hour has changed since the last count, ask the worker to
    count again (the page shows the last complete count meanwhile)."""
    if not connection_queries.is_fresh(utcnow()):
        count_connections()
