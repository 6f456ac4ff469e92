"""A user's saved register search (a followed category is a search with that one filter)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db


class SavedSearch(db.Model):
    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "query_key", name="uq_saved_search_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    item_type: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(200), default="")
    # Facet name -> chosen values, as in the register's URL (see register.views).
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    # item_type, text and filters in one canonical string: the same search is saved once.
    query_key: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
