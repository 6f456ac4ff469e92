"""What the worker computes for the insights page and keeps for every web process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db


class InsightSnapshot(db.Model):
    """The last complete count of one figure: numbers and organisation ids only, never a
    name or a person (names are read from the register when the page is shown)."""

    __tablename__ = "insight_snapshot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    register_token: Mapped[str | None] = mapped_column(String(32))  # the register it counted
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the links' hour
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict] = mapped_column(JSON)
