"""Accounts' daily job: security events older than SECURITY_EVENTS_KEEP_DAYS are deleted."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab

from matchmaker.accounts import security_log
from matchmaker.accounts.models import utcnow
from matchmaker.jobs import periodic_job


@periodic_job("security-events-cleanup", crontab(minute="45", hour="3"), every=timedelta(days=1))
def forget_old_security_events() -> int:
    return security_log.forget_older_than(utcnow(), current_app.config["SECURITY_EVENTS_KEEP_DAYS"])
