"""An e-mail waiting for, or done with, delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db

STATUSES = ("queued", "sent", "failed")
# In Session.info: this transaction queued mail (outbox.services delivers after its commit).
QUEUED = "outbox_queued"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Fixed when the message is written: a retry sends the very same message again.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    template: Mapped[str] = mapped_column(String(60))
    # The whole message as it goes over SMTP (headers and both bodies).
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The SMTP server's reply (or the connection error) of the last failed attempt.
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The web request that wrote it, to find its log lines.
    request_id: Mapped[str | None] = mapped_column(String(64))
