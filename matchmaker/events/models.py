"""Events (study visits, matchmaking events, conferences) and the people signed up for them.

Seats are counted in the event row itself (`taken`: confirmed and offered), changed only
by conditional updates in `events.seats`, and checked by the database
(`taken <= capacity`): the last seat is never given twice, however many workers ask at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.i18n import text_language
from matchmaker.organisations.models import Organisation
from matchmaker.taxonomy.models import Tag

KINDS = ("study_visit", "matchmaking", "conference")
STATUSES = ("draft", "published", "unpublished", "cancelled")
# confirmed, offered and waiting are "active": they hold a seat (offered: for the person
# it was offered to, until they confirm or the offer lapses) or a place in the queue.
REGISTRATION_STATUSES = ("confirmed", "offered", "waiting", "cancelled", "removed", "lapsed")
ACTIVE = ("confirmed", "offered", "waiting")
HOLDING_A_SEAT = ("confirmed", "offered")
# The longest an organiser may give people to confirm an offered seat (a week).
MAX_OFFER_HOURS = 168
TEXT_FIELDS = ("title", "description", "programme")
TAG_ROLES = {"category": "category"}
MAX_CAPACITY = 10_000
MAX_QUESTIONS = 5
QUESTION_TYPES = ("text", "choice")
MAX_ANSWER = 300


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        # The last line of defence: never more seats held (confirmed or offered) than seats.
        CheckConstraint("taken >= 0 AND taken <= capacity", name="seats"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration_deadline <= starts_at", name="deadline_before_start"),
        CheckConstraint(
            "max_per_organisation IS NULL OR max_per_organisation >= 1", name="max_per_org"
        ),
        CheckConstraint(
            f"offer_hours >= 0 AND offer_hours <= {MAX_OFFER_HOURS}", name="offer_hours"
        ),
        Index("ix_event_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The host: its members manage the event.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    original_language: Mapped[str] = mapped_column(String(2))
    online: Mapped[bool] = mapped_column(default=False)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    online_url: Mapped[str] = mapped_column(String(300), default="")
    # The IANA time zone of the place; times are stored in UTC and shown in this zone.
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registration_opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    registration_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registration_closed: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    waiting_list: Mapped[bool] = mapped_column(default=True)
    # Hours the first in the queue has to confirm a freed seat offered to them; 0: the
    # seat is theirs at once (automatic promotion).
    offer_hours: Mapped[int] = mapped_column(default=0, server_default="0")
    max_per_organisation: Mapped[int | None]
    # Tickets handed out in sign-up order: a waiting person's place in the queue.
    tickets: Mapped[int] = mapped_column(default=0)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Sign-up questions, each label per language and each question and choice with a
    # stable key (`events.questions`): [{"key", "type": "text"|"choice",
    # "label": {lang: text}, "options": [{"key", "label": {lang: text}}]}]
    questions: Mapped[list[dict]] = mapped_column(JSON, default=list)

    status: Mapped[str] = mapped_column(String(20), default="draft")
    moderator_note: Mapped[str | None] = mapped_column(Text)
    cancel_note: Mapped[str] = mapped_column(Text, default="")
    # Calendar SEQUENCE: grows with every change a calendar should pick up.
    revision: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    texts: Mapped[list[EventText]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    tags: Mapped[list[EventTag]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    co_hosts: Mapped[list[EventHost]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )

    def text(self, lang: str) -> EventText | None:
        return next((t for t in self.texts if t.lang == lang), None)

    def texts_by_language(self) -> dict[str, dict[str, str]]:
        return {t.lang: {f: getattr(t, f) for f in TEXT_FIELDS} for t in self.texts if t.title}

    def tag_codes(self, role: str = "category") -> list[str]:
        return sorted(t.tag.code for t in self.tags if t.role == role)

    @property
    def title(self) -> str:
        text = self.text(self.original_language) or (self.texts[0] if self.texts else None)
        return text.title if text else ""

    def texts_for(self, lang: str) -> dict[str, str]:
        """The texts a reader of `lang` gets (`i18n.text_language`), for e-mails and feeds."""
        texts = self.texts_by_language()
        shown = text_language(texts, lang, self.original_language)
        return texts[shown] if shown else dict.fromkeys(TEXT_FIELDS, "")

    def title_in(self, lang: str) -> str:
        """The title a reader of `lang` gets: theirs, else English, else the original."""
        return self.texts_for(lang)["title"]

    @property
    def place(self) -> str:
        """Venue, address and city, as far as given (the country is named by the reader)."""
        return ", ".join(part for part in (self.venue, self.address, self.city) if part)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class EventText(db.Model):
    __tablename__ = "event_text"
    __table_args__ = (UniqueConstraint("event_id", "lang", name="uq_event_text_lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    programme: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="texts")


class EventTag(db.Model):
    __tablename__ = "event_tag"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    event: Mapped[Event] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")


class EventHost(db.Model):
    """A co-host besides the managing organisation (shown on the page, manages nothing)."""

    __tablename__ = "event_host"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    event: Mapped[Event] = relationship(back_populates="co_hosts")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(_in("status", REGISTRATION_STATUSES), name="status"),
        # An offer always has its deadline.
        CheckConstraint(
            "status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_deadline"
        ),
        Index("ix_registration_event_status_ticket", "event_id", "status", "ticket"),
        # The offers job: pending offers by deadline.
        Index("ix_registration_status_offer_expires", "status", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # The organisation the person comes for (none for a person without one).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    # The event's ticket number at sign-up: the order of the waiting list.
    ticket: Mapped[int]
    # "event-user" while active, NULL after: one active registration per person and event
    # (a unique column: NULLs never collide, on SQLite and PostgreSQL alike).
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # By question key; a choice as its key (the same whatever language it was read in).
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What the person lets the organiser see in the participant list.
    share_email: Mapped[bool] = mapped_column(default=False)
    share_phone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A freed seat offered to the person (kept after they confirm or the offer lapses).
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


def active_key(event_id: int, user_id: int) -> str:
    return f"{event_id}-{user_id}"


class EventMessage(db.Model):
    """An organiser's message to the participants: kept for the record and the daily limit."""

    __tablename__ = "event_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    audience: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sender: Mapped[User | None] = relationship()
