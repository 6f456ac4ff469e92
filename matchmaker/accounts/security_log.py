"""The security event log: who signed in, failed, was paused, changed how they sign in,
or was given another role, when, and from which address (ASVS V16).

Each event is a row written in the transaction of what it records (failures commit on
their own: there is no other change to wait for) and a line in the `matchmaker.security`
log with the request id. Admins read it at /<lang>/admin/security-events; a person's own
events are in their data export; rows are kept SECURITY_EVENTS_KEEP_DAYS (365).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import has_request_context, request
from sqlalchemy import JSON, DateTime, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.logs import current_request_id

log = logging.getLogger("matchmaker.security")

KINDS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_paused",
    "second_step_failed",
    "recovery_code_used",
    "two_factor_on",
    "two_factor_off",
    "two_factor_reset",
    "password_changed",
    "password_reset",
    "email_changed",
    "role_changed",
)


class SecurityEvent(db.Model):
    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # Kept when the account is deleted, without it: the event still happened.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)


def record(kind: str, user: User | None, commit: bool = False, **detail) -> SecurityEvent:
    """Add one event to the current transaction (and commit it when `commit`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown security event {kind!r}")
    address = request.remote_addr if has_request_context() else None
    event = SecurityEvent(
        kind=kind,
        user_id=user.id if user is not None else None,
        address=address,
        request_id=current_request_id(),
        detail=detail or None,
    )
    db.session.add(event)
    log.info(
        "%s user=%s address=%s %s",
        kind,
        user.id if user is not None else "-",
        address or "-",
        " ".join(f"{key}={value}" for key, value in detail.items()),
    )
    if commit:
        db.session.commit()
    return event


def latest(kind: str | None = None, user_id: int | None = None, limit: int = 200):
    query = select(SecurityEvent, User).outerjoin(User, User.id == SecurityEvent.user_id)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if user_id:
        query = query.where(SecurityEvent.user_id == user_id)
    return db.session.execute(query.order_by(SecurityEvent.id.desc()).limit(limit)).all()


def of_user(user: User) -> list[SecurityEvent]:
    return list(
        db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.user_id == user.id).order_by(SecurityEvent.id)
        )
    )


def forget_older_than(now: datetime, days: int) -> int:
    gone = db.session.execute(
        delete(SecurityEvent).where(SecurityEvent.at < now - timedelta(days=days))
    ).rowcount
    db.session.commit()
    return gone
