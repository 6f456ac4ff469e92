"""A contact request from one organisation to another, and what its people share."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.organisations.models import Organisation

STATES = ("pending", "accepted", "declined", "withdrawn", "expired")
REPORT_REASONS = ("spam", "abusive")
MAX_MESSAGE = 2000


class ContactRequest(db.Model):
    __tablename__ = "contact_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')",
            name="status",
        ),
        CheckConstraint("sender_org_id <> recipient_org_id", name="not_to_itself"),
        Index("ix_contact_request_recipient_status", "recipient_org_id", "status"),
        Index("ix_contact_request_sender_created", "sender_org_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # Kept when the person's account is deleted: the request then shows "deleted user".
    sender_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    recipient_org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    # A project of the recipient the request is about (optional).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    # People of each side whose details the other side sees once the request is accepted.
    sender_contact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recipient_contact_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reply: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recipient_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A declined pair is not matched again until the decliner lifts that.
    exclusion_lifted: Mapped[bool] = mapped_column(default=False)
    # "sender-recipient-project" while pending, NULL after: one open request per triple
    # (a unique column: NULLs never collide, on SQLite and PostgreSQL alike).
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A recipient's report of spam or abuse, for the moderators ("open", "dismissed",
    # "suspended": the sender's account was suspended).
    report_reason: Mapped[str | None] = mapped_column(String(12))
    report_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    reported_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    report_status: Mapped[str | None] = mapped_column(String(12), index=True)

    sender_org: Mapped[Organisation] = relationship(foreign_keys=[sender_org_id])
    recipient_org: Mapped[Organisation] = relationship(foreign_keys=[recipient_org_id])
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_user_id])

    @property
    def is_open(self) -> bool:
        return self.status == "pending"


def open_key(sender_org_id: int, recipient_org_id: int, project_id: int | None) -> str:
    return f"{sender_org_id}-{recipient_org_id}-{project_id or 0}"
