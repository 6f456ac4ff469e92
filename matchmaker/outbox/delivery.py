"""Delivering the outbox: one SMTP connection (matchmaker.mail) per batch, retries with
growing pauses on temporary failures, permanent failures kept with the server's reply.

Each message is marked sent (and committed) as soon as the server took it, so a worker
stopped in the middle of a batch sends the rest, and only the rest, when it starts
again. A message is the same bytes every time, its Message-ID fixed when it was
written: should the server take a message and the worker die before recording it, the
copy sent again is recognisably the same message, not a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import utcnow
from matchmaker.mail import (
    ConnectionLost,
    DeliveryError,
    PermanentFailure,
    SmtpConnection,
    TemporaryFailure,
)
from matchmaker.outbox.models import OutboxMessage

BATCH_SIZE = 50
# A message the server put off (4xx) waits 1, 2, 4, 8, 16 minutes, then every half hour.
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(minutes=30)
# While the server cannot be reached at all, every waiting message is tried each minute
# (one connection attempt per run, not per message): when it is back, all of them go.
UNREACHABLE_PAUSE = timedelta(minutes=1)
# Temporary failures stop being tried two days after the message was written.
GIVE_UP_AFTER = timedelta(days=2)


def pause_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    doublings = min(max(attempts - 1, 0), 10)  # 2**10 minutes is past the longest pause
    return min(FIRST_PAUSE * 2**doublings, LONGEST_PAUSE)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def due(session: Session, now: datetime, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver_due(
    session: Session,
    connect: Callable[[], SmtpConnection],
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
) -> Report:
    """Send what is due, over one connection; every outcome committed at once."""
    now = now or utcnow()
    report = Report()
    batch = due(session, now, limit)
    if not batch:
        return report
    waiting = list(batch)
    try:
        with connect() as connection:
            while waiting:
                message = waiting[0]
                try:
                    connection.send(message.content)
                except ConnectionLost:
                    raise
                except DeliveryError as error:
                    _record_failure(message, error, now, report)
                else:
                    message.status, message.sent_at = "sent", utcnow()
                    message.attempts += 1
                    report.sent += 1
                waiting.pop(0)
                session.commit()
    except TemporaryFailure as error:
        for message in waiting:  # not tried, or cut off: all wait for the next run
            _record_failure(message, error, now, report, pause=UNREACHABLE_PAUSE)
        session.commit()
    return report


def _record_failure(
    message: OutboxMessage, error: DeliveryError, now, report: Report, pause=None
) -> None:
    message.attempts += 1
    message.last_error = error.reply
    report.errors.append(error.reply)
    written = (
        message.created_at
        if message.created_at.tzinfo
        else message.created_at.replace(tzinfo=now.tzinfo)
    )
    if isinstance(error, PermanentFailure) or now - written >= GIVE_UP_AFTER:
        message.status = "failed"
        report.failed += 1
    else:
        message.next_attempt_at = now + (pause or pause_after(message.attempts))
        report.retrying += 1
