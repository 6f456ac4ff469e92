"""Delivering the outbox: one SMTP connection per batch, retries with growing pauses on
temporary failures, permanent failures kept with the server's reply.

Each message is marked sent (and committed) as soon as the server took it, so a worker
stopped in the middle of a batch sends the rest, and only the rest, when it starts
again. A message is the same bytes every time, its Message-ID fixed when it was
written: should the server take a message and the worker die before recording it, the
copy sent again is recognisably the same message, not a new one.
"""

from __future__ import annotations

import email
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import utcnow
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


class DeliveryError(Exception):
    """The server did not take a message; `reply` says what it answered."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply[:500]


class TemporaryFailure(DeliveryError):
    """Worth trying again later: a 4xx reply, a refused or broken connection, a time-out."""


class PermanentFailure(DeliveryError):
    """A 5xx reply: the address or the message is refused for good."""


class ConnectionLost(TemporaryFailure):
    """The session broke off: the rest of the batch waits for the next run."""


def pause_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    doublings = min(max(attempts - 1, 0), 10)  # 2**10 minutes is past the longest pause
    return min(FIRST_PAUSE * 2**doublings, LONGEST_PAUSE)


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def _classified(code: int, reply: str) -> DeliveryError:
    return PermanentFailure(reply) if 500 <= code < 600 else TemporaryFailure(reply)


@dataclass
class SmtpSettings:
    host: str
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0


class SmtpConnection:
    """One SMTP session for a batch. The server's certificate is checked with TLS."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.use_ssl:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.use_tls:
                    self.smtp.starttls(context=context)
            if s.username:
                self.smtp.login(s.username, s.password or "")
        except smtplib.SMTPResponseException as error:
            raise _classified(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"connection failed: {error}") from error
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()

    def send(self, content: str) -> None:
        message = email.message_from_string(content, policy=policy.default)
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _classified(code, _reply(code, text)) from error
        except smtplib.SMTPResponseException as error:
            raise _classified(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(f"connection lost: {error}") from error
        if refused:
            code, text = next(iter(refused.values()))
            raise _classified(code, _reply(code, text))


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
