"""The outbox around its rows: deliver after a commit, batch after batch; what admins see."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.mail import connection
from matchmaker.outbox import delivery
from matchmaker.outbox.models import QUEUED, STATUSES, OutboxMessage

log = logging.getLogger("matchmaker.mail")


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    """Mail committed: the worker is asked to deliver it (at once, when immediate)."""
    if session.info.pop(QUEUED, False):
        from matchmaker.outbox import tasks

        try:
            tasks.deliver_soon()
        except Exception:  # the queue unreachable: the minute job delivers it instead
            log.exception("Could not ask the worker to deliver the outbox now")


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(QUEUED, None)


def deliver_due() -> delivery.Report:
    """Deliver everything due now, batch after batch (one connection each), in a session
    of its own (it may run right after another session's commit)."""
    total = delivery.Report()
    with Session(db.engine) as session:
        _deliver_batches(session, total)
    if total.errors:
        log.warning(
            "Outbox: %d sent, %d to try again, %d failed; last error: %s",
            total.sent,
            total.retrying,
            total.failed,
            total.errors[-1],
        )
    return total


def _deliver_batches(session: Session, total: delivery.Report) -> delivery.Report:
    while True:
        report = delivery.deliver_due(session, connection)
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        total.errors += report.errors
        if report.sent + report.failed == 0 or report.retrying:
            return total


def counts() -> dict[str, int]:
    found = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return {status: found.get(status, 0) for status in STATUSES}


def listed(status: str, limit: int = 50) -> list[OutboxMessage]:
    newest_first = OutboxMessage.id.desc()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(newest_first)
            .limit(limit)
        )
    )


def forget_old(now, sent_days: int, failed_days: int) -> int:
    """Delete sent messages after `sent_days` and failed ones after `failed_days`: an
    outbox row holds a person's address and the whole message. Returns how many."""
    from datetime import timedelta

    gone = db.session.execute(
        delete(OutboxMessage).where(
            (
                (OutboxMessage.status == "sent")
                & (OutboxMessage.sent_at < now - timedelta(days=sent_days))
            )
            | (
                (OutboxMessage.status == "failed")
                & (OutboxMessage.created_at < now - timedelta(days=failed_days))
            )
        )
    ).rowcount
    db.session.commit()
    return gone


def send_waiting_now() -> int:
    """Bring every waiting message's next try forward to now (after an outage); how many."""
    moved = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at > utcnow())
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        db.session.info[QUEUED] = True
    db.session.commit()
    return moved


def retry(message_id: int) -> bool:
    """Send a failed message again (from the first pause); whether there was one."""
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        db.session.info[QUEUED] = True
    db.session.commit()
    return changed == 1


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit_mail_queued_after_the_change(response):
        """Most features tell people after their change committed: that mail commits here."""
        if db.session.info.get(QUEUED):  # queued, perhaps flushed, not yet committed
            db.session.commit()
        return response
