"""Contact requests' daily job: reminders for unanswered requests, then expiry."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab

from matchmaker.accounts.models import utcnow
from matchmaker.contacts import notify, services
from matchmaker.jobs import periodic_job


@periodic_job("contact-reminders", crontab(minute="15", hour="6"), every=timedelta(days=1))
def remind_and_expire() -> tuple[int, int]:
    """Remind the receiving organisation of requests unanswered for CONTACT_REMINDER_DAYS
    and expire those unanswered for CONTACT_EXPIRY_DAYS (telling the sender); returns
    (reminders, expired)."""
    config = current_app.config
    now = utcnow()
    # Links in the e-mails use SERVER_NAME (and PREFERRED_URL_SCHEME) outside a request.
    with current_app.test_request_context():
        expired = services.expire(now, config["CONTACT_EXPIRY_DAYS"], then=notify.expired)
        reminded = 0
        for request in services.due_reminders(now, config["CONTACT_REMINDER_DAYS"]):
            if services.mark_reminded(request, now, then=notify.reminder):
                reminded += 1
    return reminded, len(expired)
