"""The public register's own tables.

Publishing copies the approved version of an item here; public pages, search, the
map and exports read nothing else. Drafts therefore cannot leak through a query that
forgets a filter, and an edited item keeps its approved version here until the edit
is approved too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db


class RegisterEntry(db.Model):
    __tablename__ = "register_entry"
    __table_args__ = (
        UniqueConstraint("item_type", "item_id", name="uq_register_entry_item"),
        Index("ix_register_entry_type_country", "item_type", "country"),
        Index("ix_register_entry_type_region", "item_type", "region"),
        Index("ix_register_entry_type_stage", "item_type", "stage"),
        Index("ix_register_entry_type_kind", "item_type", "org_kind"),
        Index("ix_register_entry_type_published", "item_type", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(index=True)
    org_kind: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str | None] = mapped_column(String(40))
    funding_min_eur: Mapped[int | None] = mapped_column(BigInteger)
    funding_max_eur: Mapped[int | None] = mapped_column(BigInteger)
    original_language: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    sort_title: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The approved version, as shown on the public pages.
    snapshot: Mapped[dict] = mapped_column(JSON)

    tags: Mapped[list[RegisterEntryTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    languages: Mapped[list[RegisterEntryLanguage]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    documents: Mapped[list[SearchDocument]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class RegisterEntryTag(db.Model):
    __tablename__ = "register_entry_tag"
    __table_args__ = (Index("ix_register_entry_tag_tag_entry", "tag_id", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entry.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class RegisterEntryLanguage(db.Model):
    """A language the item works in (organisations) or is written in (projects)."""

    __tablename__ = "register_entry_language"
    __table_args__ = (Index("ix_register_entry_language_lang_entry", "lang", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entry.id", ondelete="CASCADE"), primary_key=True
    )
    lang: Mapped[str] = mapped_column(String(8), primary_key=True)


# Tag roles with a bit set column in match_profile (matching.profiles.TAG_ROLES).
MATCH_ROLES = (
    "capability",
    "need",
    "category",
    "specialisation",
    "focus_area",
    "preferred_stage",
    "seeks",
    "need_text",
    "capability_text",
)


class MatchProfile(db.Model):
    """What the matcher reads of an entry, in a narrow row written with it.

    The matcher reads every published entry when it builds its index (matching.vector);
    from ``register_entry`` that would mean reading every snapshot too, and from
    ``register_entry_tag`` ten rows per entry. Here each tag role is one bit set: a tag's
    bit is its rank by id within its vocabulary (``tag_bits``), which adding tags never
    changes, since tags are retired but never deleted.
    """

    __tablename__ = "match_profile"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entry.id", ondelete="CASCADE"), primary_key=True
    )
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int]
    organisation_id: Mapped[int]
    org_kind: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    stage: Mapped[str | None] = mapped_column(String(40))
    funding_min_eur: Mapped[int | None] = mapped_column(BigInteger)
    funding_max_eur: Mapped[int | None] = mapped_column(BigInteger)
    ticket_min_eur: Mapped[int | None] = mapped_column(BigInteger)
    ticket_max_eur: Mapped[int | None] = mapped_column(BigInteger)
    # Space-separated codes: an organisation's working languages, a project's written ones.
    languages: Mapped[str] = mapped_column(String(200), default="")
    regions_covered: Mapped[str] = mapped_column(Text, default="")
    capability: Mapped[int] = mapped_column(BigInteger, default=0)
    need: Mapped[int] = mapped_column(BigInteger, default=0)
    category: Mapped[int] = mapped_column(BigInteger, default=0)
    specialisation: Mapped[int] = mapped_column(BigInteger, default=0)
    focus_area: Mapped[int] = mapped_column(BigInteger, default=0)
    preferred_stage: Mapped[int] = mapped_column(BigInteger, default=0)
    seeks: Mapped[int] = mapped_column(BigInteger, default=0)
    need_text: Mapped[int] = mapped_column(BigInteger, default=0)
    capability_text: Mapped[int] = mapped_column(BigInteger, default=0)


def tag_bits(tags: list[tuple[int, str]]) -> dict[int, int]:
    """Tag id -> its bit in a match_profile bit set, from (id, vocabulary) of every tag."""
    bits: dict[int, int] = {}
    taken: dict[str, int] = {}
    for tag_id, vocabulary in sorted(tags):
        bits[tag_id] = taken.get(vocabulary, 0)
        taken[vocabulary] = bits[tag_id] + 1
        if bits[tag_id] > 62:  # a signed BIGINT holds 63 bits
            raise ValueError(f"vocabulary {vocabulary!r} has more than 63 tags")
    return bits


DOCUMENT_LANGS = ("pl", "en", "da", "nb")


def document_id(entry_id: int, lang: str) -> int:
    """A search document's id tells its entry: ``id >> 2``.

    So a full-text match on SQLite (whose FTS5 rowid is this id) gives the entries without a
    join back to search_document, which costs more than the match itself for a common word.
    """
    return entry_id * 4 + DOCUMENT_LANGS.index(lang)


class SearchDocument(db.Model):
    """Normalised, stemmed words of one entry in one language (see matchmaker.search).

    The id is not drawn from a sequence but given by :func:`document_id`.
    """

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("entry_id", "lang", name="uq_search_document_entry_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entry.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(2))
    content: Mapped[str] = mapped_column(Text)


class RegisterState(db.Model):
    """One row: a random token replaced in the same transaction as every register change.

    Processes compare it with the token their in-memory index was built at
    (matchmaker.register.index), so a change made by any worker is seen by all.
    """

    __tablename__ = "register_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
