"""The account of a person using the platform."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.extensions import db

ROLES = ("member", "moderator", "admin")
# Notifications that also go out by e-mail unless the person turns them off.
EMAIL_KINDS = (
    "contact_request",
    "contact_accepted",
    "contact_declined",
    "contact_reminder",
    "contact_expired",
    "moderation_decision",
    "join_request",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("role IN ('member', 'moderator', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="member")
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on logout and password change: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The login before the last: a member's home shows what is new since then.
    previous_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Saved searches: a weekly e-mail of new matches (opt-in), and when the last one went.
    digest_weekly: Mapped[bool] = mapped_column(default=False, server_default=false())
    digest_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Contact details, shown to another organisation only after it accepted (or had
    # accepted) a contact request with this person named, and only what they share.
    job_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    share_name: Mapped[bool] = mapped_column(default=True, server_default=true())
    share_job_title: Mapped[bool] = mapped_column(default=True, server_default=true())
    share_email: Mapped[bool] = mapped_column(default=True, server_default=true())
    share_phone: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Kinds of notification the person does not want by e-mail (see EMAIL_KINDS).
    email_off: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    # Set by a moderator: the account can no longer log in.
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The secret in the address of the person's calendar feed (events.services).
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Two-step sign-in (accounts.twofactor): the TOTP secret, when it was turned on, and
    # the last time step a code was accepted for (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
