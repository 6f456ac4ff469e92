"""Organisations, their texts per language, tags and members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.taxonomy.models import Tag

# The life of anything a moderator reviews (organisations and projects alike).
STATUSES = ("draft", "submitted", "returned", "published", "rejected")
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")
MEMBER_ROLES = ("owner", "editor")
JOIN_REQUEST_STATUSES = ("pending", "accepted", "declined", "withdrawn")
MAX_JOIN_MESSAGE = 500
# What a tag means for an organisation; every role uses one vocabulary of the taxonomy.
ORG_TAG_ROLES = {
    "capability": "capability",
    "need": "capability",
    "category": "category",
    "specialisation": "specialisation",
    "focus_area": "focus_area",
    "preferred_stage": "stage",
}
ORG_TEXT_FIELDS = ("description", "capabilities_detail", "needs_detail")
# What members edit besides texts and tags; also what the public snapshot holds, so a new
# logo, like any other change, stays out of public view until a moderator approves it.
ORG_EDITABLE_FIELDS = (
    "name",
    "kind",
    "country",
    "original_language",
    "region",
    "city",
    "website",
    "year_founded",
    "size_band",
    "working_languages",
    "latitude",
    "longitude",
    "ticket_min_eur",
    "ticket_max_eur",
    "members",
    "cluster_labels",
    "regions_covered",
    "logo_filename",
)
CLUSTER_MEMBER_TYPES = ("sme", "startup", "large", "research", "other")


def status_check() -> CheckConstraint:
    values = ", ".join(f"'{s}'" for s in STATUSES)
    return CheckConstraint(f"status IN ({values})", name="status")


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        status_check(),
        CheckConstraint(
            "ticket_min_eur IS NULL OR ticket_max_eur IS NULL OR ticket_min_eur <= ticket_max_eur",
            name="ticket_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    year_founded: Mapped[int | None]
    size_band: Mapped[str | None] = mapped_column(String(10))
    working_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set by the owner; otherwise the region's (or country's) centroid is used.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    original_language: Mapped[str] = mapped_column(String(2))
    # Investors
    ticket_min_eur: Mapped[int | None] = mapped_column(BigInteger)
    ticket_max_eur: Mapped[int | None] = mapped_column(BigInteger)
    # Clusters
    members: Mapped[dict[str, int] | None] = mapped_column(JSON)
    cluster_labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions_covered: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A file in MEDIA_ROOT/logos/<id>/ (matchmaker.organisations.logos).
    logo_filename: Mapped[str | None] = mapped_column(String(80))
    # The members' choice not to be named in the insights' rankings of connections (its
    # links still count). Not part of the moderated profile: it applies at once.
    unnamed_in_insights: Mapped[bool] = mapped_column(default=False)

    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    moderator_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on every edit: a form posted from a stale page is refused, never merged blindly.
    revision: Mapped[int] = mapped_column(default=1)

    texts: Mapped[list[OrganisationText]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[OrganisationTag]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def text(self, lang: str) -> OrganisationText | None:
        return next((t for t in self.texts if t.lang == lang), None)

    def tag_codes(self, role: str) -> list[str]:
        return sorted(t.tag.code for t in self.tags if t.role == role)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.status}>"


class OrganisationText(db.Model):
    """The organisation's free text in one language."""

    __tablename__ = "organisation_text"
    __table_args__ = (
        UniqueConstraint("organisation_id", "lang", name="uq_organisation_text_lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(Text, default="")
    capabilities_detail: Mapped[str] = mapped_column(Text, default="")
    needs_detail: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(back_populates="texts")


class OrganisationTag(db.Model):
    __tablename__ = "organisation_tag"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    organisation: Mapped[Organisation] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_organisation"),
        CheckConstraint("role IN ('owner', 'editor')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10), default="editor")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """An owner's invitation, by e-mail, to become an editor of the organisation.

    Only a hash of the token is stored: the link in the e-mail is the only copy.
    """

    __tablename__ = "invitation"
    __table_args__ = (CheckConstraint("role IN ('editor')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default="editor")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id], lazy="joined")
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    def __repr__(self) -> str:
        return f"<Invitation {self.id} organisation={self.organisation_id}>"


class JoinRequest(db.Model):
    """A person's request to become an editor of a published organisation; an owner answers."""

    __tablename__ = "join_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn')", name="status"
        ),
        Index("ix_join_request_organisation_status", "organisation_id", "status"),
        Index("ix_join_request_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(MAX_JOIN_MESSAGE), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # "organisation-user" while pending, NULL after: one pending request per person and
    # organisation (a unique column: NULLs never collide, on SQLite and PostgreSQL alike).
    pending_key: Mapped[str | None] = mapped_column(String(40), unique=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def __repr__(self) -> str:
        return f"<JoinRequest {self.id} {self.status}>"


def pending_key(organisation_id: int, user_id: int) -> str:
    return f"{organisation_id}-{user_id}"
