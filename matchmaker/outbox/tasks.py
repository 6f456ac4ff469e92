"""The worker's side of the outbox: deliver right after a request queued mail, and every
minute whatever is due (retries, and anything a request could not hand over)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab
from huey.exceptions import TaskLockedException

from matchmaker.accounts.models import utcnow
from matchmaker.jobs import huey, in_app_context, periodic_job, task_lock
from matchmaker.outbox import services

DELIVERY_LOCK = "outbox-delivery"


def _deliver_alone() -> bool:
    """Deliver what is due unless another delivery is under way; whether it ran."""
    try:
        with task_lock(DELIVERY_LOCK):
            services.deliver_due()
    except TaskLockedException:
        return False
    return True


@huey.task()
@in_app_context
def deliver_outbox() -> None:
    if not _deliver_alone():
        deliver_outbox.schedule(delay=2)  # the running one may have missed the newest


def deliver_soon() -> None:
    deliver_outbox()


@periodic_job("outbox", crontab(minute="*"), every=timedelta(minutes=1))
def deliver_every_minute() -> None:
    _deliver_alone()


@periodic_job("outbox-cleanup", crontab(minute="30", hour="3"), every=timedelta(days=1))
def forget_old_messages() -> int:
    config = current_app.config
    return services.forget_old(
        utcnow(), config["OUTBOX_KEEP_SENT_DAYS"], config["OUTBOX_KEEP_FAILED_DAYS"]
    )
