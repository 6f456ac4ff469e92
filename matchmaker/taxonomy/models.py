"""Database model for taxonomy tags (the synced copy of ``data/taxonomy.toml``)."""

from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db


class Tag(db.Model):
    """One controlled-vocabulary tag.

    Rows are created and updated only by ``sync_taxonomy``; a tag that disappears
    from the data file is retired (never deleted) so that existing references stay valid.
    """

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    vocabulary: Mapped[str] = mapped_column(String(40), index=True)
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    def label(self, lang: str) -> str:
        """Label in ``lang``, falling back to English (then the code) so the UI never shows blanks."""
        labels = self.labels or {}
        return labels.get(lang) or labels.get("en") or self.code

    def __repr__(self) -> str:
        return f"<Tag {self.vocabulary}:{self.code}{' retired' if self.retired else ''}>"
