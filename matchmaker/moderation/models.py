"""Every moderation decision, kept for the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db

ITEM_TYPES = ("organisation", "project", "event")
DECISIONS = ("approved", "returned", "rejected", "unpublished")


class ModerationDecision(db.Model):
    __tablename__ = "moderation_decision"
    __table_args__ = (
        CheckConstraint(
            "decision IN ('approved', 'returned', 'rejected', 'unpublished')", name="decision"
        ),
        CheckConstraint("item_type IN ('organisation', 'project', 'event')", name="item_type"),
        Index("ix_moderation_decision_item", "item_type", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    # Kept when the moderator's account is deleted: the decision stays on record.
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # The field-by-field differences the moderator saw when deciding.
    changes: Mapped[list] = mapped_column(JSON, default=list)
    item_label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    # When the decided version was submitted (None for an unpublication): how long
    # reviews take (services.typical_review).
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    moderator: Mapped[User | None] = relationship(lazy="joined")
