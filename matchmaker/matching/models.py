"""The matcher's own table: matches an organisation dismissed as "not relevant"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db


class MatchDismissal(db.Model):
    """An item an organisation does not want to see in any of its match lists.

    Per organisation, not per user: a colleague's "not relevant" holds for everyone in
    it, and any member can undo it (deleting the row). The unique constraint makes a
    second click, or two members at once, harmless.
    """

    __tablename__ = "match_dismissal"
    __table_args__ = (
        UniqueConstraint("organisation_id", "item_type", "item_id", name="uq_match_dismissal_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    dismissed_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Why, when the member said (DISMISSAL_REASONS); a reason other than "already_known"
    # lowers similar candidates in the organisation's lists (engine.Demotions).
    reason: Mapped[str | None] = mapped_column(String(20))


DISMISSAL_REASONS = ("wrong_field", "wrong_stage", "too_far", "already_known")
