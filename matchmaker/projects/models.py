"""Projects, their texts per language and tags."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.organisations.models import Organisation, status_check
from matchmaker.taxonomy.models import Tag

PROJECT_TAG_ROLES = {
    "category": "category",
    "specialisation": "specialisation",
    "seeks": "seeks",
    "need": "capability",
    "capability": "capability",  # what the project offers: customers who need it match
}
PROJECT_TEXT_FIELDS = ("title", "summary", "description")
# What members edit besides texts and tags; also what the public snapshot holds.
PROJECT_EDITABLE_FIELDS = (
    "stage",
    "country",
    "region",
    "funding_min_eur",
    "funding_max_eur",
    "start_date",
    "links",
    "original_language",
)


class Project(db.Model):
    __tablename__ = "project"
    __table_args__ = (
        status_check(),
        CheckConstraint(
            "funding_min_eur IS NULL OR funding_max_eur IS NULL OR funding_min_eur <= funding_max_eur",
            name="funding_range",
        ),
        CheckConstraint("funding_min_eur IS NULL OR funding_min_eur >= 0", name="funding_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    funding_min_eur: Mapped[int | None] = mapped_column(BigInteger)
    funding_max_eur: Mapped[int | None] = mapped_column(BigInteger)
    start_date: Mapped[date | None] = mapped_column(Date)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    original_language: Mapped[str] = mapped_column(String(2))

    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    moderator_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    texts: Mapped[list[ProjectText]] = relationship(
        back_populates="project", cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[ProjectTag]] = relationship(
        back_populates="project", cascade="all, delete-orphan", lazy="selectin"
    )

    def text(self, lang: str) -> ProjectText | None:
        return next((t for t in self.texts if t.lang == lang), None)

    def tag_codes(self, role: str) -> list[str]:
        return sorted(t.tag.code for t in self.tags if t.role == role)

    @property
    def title(self) -> str:
        text = self.text(self.original_language) or (self.texts[0] if self.texts else None)
        return text.title if text else ""


class ProjectText(db.Model):
    __tablename__ = "project_text"
    __table_args__ = (UniqueConstraint("project_id", "lang", name="uq_project_text_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="texts")


class ProjectTag(db.Model):
    __tablename__ = "project_tag"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    project: Mapped[Project] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")
