"""Events' periodic job: offered seats are reminded of before they lapse, then lapse and go
to the next in line, so that a seat never waits long on someone who will not answer."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab

from matchmaker.accounts.models import utcnow
from matchmaker.events import notify, seats
from matchmaker.jobs import periodic_job


# Every five minutes, at 2, 7, 12… past the hour: beside, not on top of, the jobs that
# run on the full ten minutes or the quarter hour.
@periodic_job("seat-offers", crontab(minute="2-59/5"), every=timedelta(minutes=5))
def remind_and_expire_offers() -> tuple[int, int]:
    """Returns (reminded, lapsed)."""
    now = utcnow()
    # Links in the e-mails use SERVER_NAME (and PREFERRED_URL_SCHEME) outside a request.
    with current_app.test_request_context():
        reminded = seats.remind_offers(now, then=notify.offer_reminder)
        lapsed = seats.expire_offers(now, then=notify.offer_lapsed)
    return reminded, len(lapsed)
