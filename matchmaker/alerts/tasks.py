"""Saved searches' daily job: the weekly digest of each opted-in user whose week is up."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from huey import crontab

from matchmaker.alerts import services
from matchmaker.i18n import language_of
from matchmaker.jobs import periodic_job
from matchmaker.mail import send_mail


def _send(user, items) -> None:
    lang = language_of(user)
    try:  # links need SERVER_NAME outside a request
        manage_link = url_for("alerts.index", lang=lang, _external=True)
    except RuntimeError:
        manage_link = None
    send_mail(
        user.email, "saved_search_digest", lang, user=user, items=items, manage_link=manage_link
    )


@periodic_job("digests", crontab(minute="0", hour="7"), every=timedelta(days=1))
def send_digests() -> int:
    """How many digests were queued."""
    return services.send_digests(_send)
