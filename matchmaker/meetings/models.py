"""1:1 meetings at an event: the organiser's set-up, requests, booked meetings, absences.

Nobody is ever double-booked, and no table holds two meetings at once, whatever number
of workers book at the same moment: every booking first writes the set-up row (which
serialises the bookings of one event, like the event row does for seats), and the
database refuses the rest by unique keys that exist only while a meeting is booked —
`MeetingSeat.person_key` (event, slot, person) and `Meeting.table_key` (event, slot,
table). A cancelled meeting sets them to NULL, so the slot is free again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db

REQUEST_STATUSES = ("pending", "accepted", "declined", "withdrawn", "expired")
MEETING_STATUSES = ("booked", "cancelled")
AGENDA_STATUSES = ("provisional", "final")
PRESENCE = ("held", "no_show")
OUTCOMES = ("none", "talks", "agreement")
MAX_MESSAGE = 1000
MAX_NOTE = 1000
MAX_VIDEO_URL = 500


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def slot_key(event_id: int, starts_at: datetime, other: int) -> str:
    """`event:slot:other` for the unique keys (the slot as UTC minutes)."""
    return f"{event_id}:{int(starts_at.timestamp()) // 60}:{other}"


def pair_key(event_id: int, a: int, b: int) -> str:
    """One open request per pair of people and event, whoever asked."""
    low, high = sorted((a, b))
    return f"{event_id}:{low}:{high}"


class MeetingSetup(db.Model):
    """An event's meetings: on or off, the grid, the places and the rules."""

    __tablename__ = "meeting_setup"
    __table_args__ = (
        CheckConstraint("length_minutes BETWEEN 5 AND 240", name="length"),
        CheckConstraint("break_minutes BETWEEN 0 AND 120", name="break"),
        CheckConstraint("table_count BETWEEN 1 AND 500", name="tables"),
        CheckConstraint("max_meetings BETWEEN 1 AND 100", name="max_meetings"),
        CheckConstraint("max_open_requests BETWEEN 1 AND 200", name="max_open_requests"),
        CheckConstraint("solver_seconds BETWEEN 1 AND 300", name="solver_seconds"),
        CheckConstraint(_in("agenda_status", AGENDA_STATUSES), name="agenda_status"),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=False)
    # [["2027-03-10", "09:00", "12:00"], ...]: sessions on the wall clock at the place.
    windows: Mapped[list] = mapped_column(JSON, default=list)
    length_minutes: Mapped[int] = mapped_column(default=20)
    break_minutes: Mapped[int] = mapped_column(default=5)
    table_count: Mapped[int] = mapped_column(default=10)
    # Names of the tables or rooms, as many as table_count; empty: "Table 1", "Table 2"…
    table_names: Mapped[list] = mapped_column(JSON, default=list)
    # Online events: the video address of each meeting, with {meeting} for its number.
    video_pattern: Mapped[str | None] = mapped_column(String(300))
    max_meetings: Mapped[int] = mapped_column(default=8)
    max_open_requests: Mapped[int] = mapped_column(default=10)
    requests_open_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requests_close_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A pending request expires after this many days (or when requests close).
    expiry_days: Mapped[int] = mapped_column(default=7)
    # The organiser builds the agenda ("schedule all"): requests are accepted without a
    # time, and the organiser's published schedule books them.
    organiser_schedules: Mapped[bool] = mapped_column(default=False)
    # Off: a request is a meeting at once (booked in the proposed slot, or waiting for
    # the organisers' schedule), without the other person's acceptance.
    needs_acceptance: Mapped[bool] = mapped_column(default=True)
    # How long the solver may improve a schedule, in seconds.
    solver_seconds: Mapped[int] = mapped_column(default=15)
    # What the organisers last published of their schedule: "provisional" (times may
    # still change) or "final"; NULL before the first publication.
    agenda_status: Mapped[str | None] = mapped_column(String(12))
    # Written first by every booking: the lock that serialises an event's bookings.
    bookings: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    event = relationship("Event")

    def table_name(self, number: int) -> str | None:
        """The name the organiser gave table `number` (1-based), or None: then it is
        shown as "Table <number>"."""
        names = self.table_names or []
        return names[number - 1] if 0 < number <= len(names) else None


class MeetingAccess(db.Model):
    """The organiser's exception to "confirmed participants take part in meetings"."""

    __tablename__ = "meeting_access"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    allowed: Mapped[bool] = mapped_column()


class MeetingRequest(db.Model):
    __tablename__ = "meeting_request"
    __table_args__ = (
        CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint("requester_id <> recipient_id", name="two_people"),
        Index("ix_meeting_request_event_recipient", "event_id", "recipient_id", "status"),
        Index("ix_meeting_request_event_requester", "event_id", "requester_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    proposed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # pair_key while pending, NULL after: one open request per pair.
    open_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event = relationship("Event")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="request", uselist=False)

    def other(self, user_id: int) -> User:
        return self.recipient if user_id == self.requester_id else self.requester


class Meeting(db.Model):
    """A booked meeting: when, at which table, and the two people (`seats`)."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(_in("status", MEETING_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_request.id", ondelete="CASCADE"), unique=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    table_number: Mapped[int] = mapped_column()
    # slot_key(event, slot, table) while booked, NULL once cancelled.
    table_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="booked")
    # The calendar entry's SEQUENCE: raised by every change that people are told about.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Online events: the video-call address one of the two people gave for this meeting
    # (their own Teams, Zoom or Meet link); it replaces the organiser's pattern for both.
    video_url: Mapped[str | None] = mapped_column(String(MAX_VIDEO_URL))
    # Locked by the organisers: "schedule all" keeps it exactly where it is, also when
    # they let the schedule move the other published meetings.
    locked: Mapped[bool] = mapped_column(default=False)

    event = relationship("Event")
    request: Mapped[MeetingRequest] = relationship(back_populates="meeting")
    seats: Mapped[list[MeetingSeat]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingSeat.user_id"
    )

    def seat_of(self, user_id: int) -> MeetingSeat | None:
        return next((seat for seat in self.seats if seat.user_id == user_id), None)

    def other_seat(self, user_id: int) -> MeetingSeat | None:
        return next((seat for seat in self.seats if seat.user_id != user_id), None)

    def video_address(self, event, pattern: str | None) -> str | None:
        """Where an online meeting takes place: the address one of the two people gave,
        else the organiser's pattern with the meeting's number; None at an event with a
        place, or online with neither. The one rule for the agenda, calendars and e-mails."""
        if not event.online:
            return None
        if self.video_url:
            return self.video_url
        return pattern.replace("{meeting}", str(self.id)) if pattern else None


class MeetingSeat(db.Model):
    """One person's place in a meeting, with what they said about it afterwards."""

    __tablename__ = "meeting_seat"
    __table_args__ = (
        CheckConstraint(f"presence IS NULL OR {_in('presence', PRESENCE)}", name="presence"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="outcome"),
        CheckConstraint(
            f"later_outcome IS NULL OR {_in('later_outcome', OUTCOMES)}", name="later_outcome"
        ),
        Index("ix_meeting_seat_user", "user_id", "event_id"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # slot_key(event, slot, person) while booked, NULL once cancelled.
    person_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    presence: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(10))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The outcome questions by e-mail: a day after the event, and three months later.
    asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    later_outcome: Mapped[str | None] = mapped_column(String(10))
    later_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    later_rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[Meeting] = relationship(back_populates="seats")
    user: Mapped[User] = relationship()


class MeetingAbsence(db.Model):
    """A slot in which a person is not available for meetings."""

    __tablename__ = "meeting_absence"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)


# What a participant brings to or seeks at one event, as in the Enterprise Europe
# Network's profile types: offers count as capabilities for the matcher, requests as needs.
OFFER_KINDS = ("technology_offer", "business_offer")
REQUEST_KINDS = ("technology_request", "business_request", "rnd_partner")
OPPORTUNITY_KINDS = OFFER_KINDS + REQUEST_KINDS
MAX_OPPORTUNITY_TITLE = 150
MAX_OPPORTUNITY_TEXT = 1000


class MeetingOpportunity(db.Model):
    """A short offer or request a participant posts for one event's meetings."""

    __tablename__ = "meeting_opportunity"
    __table_args__ = (
        CheckConstraint(_in("kind", OPPORTUNITY_KINDS), name="kind"),
        Index("ix_meeting_opportunity_event_user", "event_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(MAX_OPPORTUNITY_TITLE))
    description: Mapped[str] = mapped_column(Text, default="")
    # Capability tag codes (taxonomy vocabulary "capability").
    tags: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_offer(self) -> bool:
        return self.kind in OFFER_KINDS


class MeetingBookmark(db.Model):
    """A person a participant has marked to remember, at one event."""

    __tablename__ = "meeting_bookmark"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


SCHEDULE_STATUSES = ("ready", "improving", "published")


class MeetingScheduleRun(db.Model):
    """The organiser's latest "schedule all" for an event: what it proposes (nothing is
    booked until it is published), why the rest could not be placed, and its report.

    `placements` are [request id, slot start as UTC minutes, table]; `unplaced` are
    [request id, reason, person id or null]; `report` is the scheduler's Report as a dict.
    `token` changes with every build, so a solver job finishing after a newer build
    cannot overwrite it. A run built with `released` may move published meetings that
    are not locked: `moves` are [request id, new slot start as UTC minutes, new table]
    for those that change, and `booked_state` is what the booked meetings were when it
    was built (it is published only onto the same).
    """

    __tablename__ = "meeting_schedule_run"
    __table_args__ = (CheckConstraint(_in("status", SCHEDULE_STATUSES), name="status"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10), default="ready")
    method: Mapped[str] = mapped_column(String(10), default="heuristic")
    setup_revision: Mapped[int] = mapped_column()
    placements: Mapped[list] = mapped_column(JSON, default=list)
    unplaced: Mapped[list] = mapped_column(JSON, default=list)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    released: Mapped[bool] = mapped_column(default=False)
    moves: Mapped[list] = mapped_column(JSON, default=list)
    booked_state: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
