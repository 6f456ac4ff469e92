"""Meetings' periodic jobs: pending requests are reminded a day before they expire and
then expire (the requester is told), so that nobody waits on an answer that will not
come; after the event, the outcome questions go out (a day after, three months after)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab

from matchmaker.accounts.models import utcnow
from matchmaker.jobs import periodic_job
from matchmaker.meetings import notify, outcomes, services


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
