"""Meetings' periodic jobs: pending requests are reminded a day before they expire and
then expire (the requester is told), so that nobody waits on an answer that will not
come; after the event, the outcome questions go out (a day after, three months after).
And on demand: the solver improving an organiser's "schedule all" preview."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab
from huey.exceptions import TaskLockedException

from matchmaker.accounts.models import utcnow
from matchmaker.events.models import Event
from matchmaker.extensions import db
from matchmaker.jobs import huey, in_app_context, periodic_job, task_lock
from matchmaker.meetings import notify, outcomes, scheduling, services


@periodic_job("meeting-requests", crontab(minute="*/10"), every=timedelta(minutes=10))
def remind_and_expire_requests() -> tuple[int, int]:
    """Every ten minutes; returns (reminded, expired)."""
    now = utcnow()
    with current_app.test_request_context():
        reminded = services.remind_before_expiry(now, timedelta(days=1), then=notify.reminder)
        expired = services.expire_requests(now, then=notify.expired)
    return reminded, len(expired)


@periodic_job("meeting-outcomes", crontab(minute="0", hour="8"), every=timedelta(days=1))
def ask_outcomes() -> int:
    """Daily at 08:00 UTC; returns how many people were asked."""
    with current_app.test_request_context():
        return outcomes.ask_outcomes(utcnow(), then=notify.outcome_question)


SCHEDULE_LOCK = "meeting-schedule"  # one solver at a time: it uses every core it is given


@huey.task()
@in_app_context
def improve_schedule(event_id: int, token: str) -> bool:
    """Let the solver improve the preview built with `token` (see scheduling.improve)."""
    event = db.session.get(Event, event_id)
    if event is None:
        return False
    try:
        with task_lock(SCHEDULE_LOCK):
            return scheduling.improve(event, token)
    except TaskLockedException:
        improve_schedule.schedule((event_id, token), delay=5)
        return False
