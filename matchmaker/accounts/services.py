"""Every write to an account happens here, one transaction per call."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from matchmaker.accounts import emails, security_log, throttle
from matchmaker.accounts.models import EMAIL_KINDS, ROLES, User, utcnow
from matchmaker.accounts.passwords import hash_password, verify_password
from matchmaker.database import commit_with
from matchmaker.extensions import db

# A real hash to compare against when the address is unknown, so that a failed
# login takes as long for an unknown address as for a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password-at-all")


class AccountError(Exception):
    """Base of the errors that views turn into translated messages."""


class EmailTaken(AccountError):
    pass


class InvalidCredentials(AccountError):
    pass


class NotConfirmed(AccountError):
    pass


class Suspended(AccountError):
    """A moderator suspended the account."""


class TooManyFailures(AccountError):
    """Too many failed sign-ins on this account lately; it takes none for `minutes`."""

    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


class WrongPassword(AccountError):
    pass


class UnknownUser(AccountError):
    pass


class UnknownRole(AccountError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register(email: str, name: str, password: str, locale: str, then=None) -> User:
    """Create an unconfirmed account; EmailTaken when the address is in use.
    `then(user)` (the confirmation e-mail) is committed with the account or not at all."""
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
    )
    db.session.add(user)
    try:
        db.session.flush()  # the id the confirmation link carries
        commit_with(then, user)
    except IntegrityError as exc:
        db.session.rollback()
        raise EmailTaken from exc
    return user


def confirm_email(user_id: int, email: str) -> User | None:
    """Mark the address confirmed if it is still the account's address; None otherwise."""
    user = db.session.get(User, user_id)
    if user is None or user.email != email:
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    user = find_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise InvalidCredentials
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials
    if not user.is_confirmed:
        raise NotConfirmed
    if user.suspended_at is not None:
        raise Suspended
    return user


def sign_in(email: str, password: str) -> User:
    """`authenticate`, with wrong passwords counted against the account (accounts.throttle)."""
    if throttle.is_blocked(email):
        raise TooManyFailures(throttle.minutes_blocked(email))
    try:
        return authenticate(email, password)
    except InvalidCredentials:
        count_failure(email, "sign_in_failed")
        raise


def count_failure(email: str, kind: str) -> None:
    """One more failed attempt on the account (logged as `kind`); its owner is told when
    sign-in pauses. An unknown address is logged without it (it may be anyone's typo)."""
    user = find_by_email(email)
    security_log.record(kind, user, commit=True)
    if throttle.record_failure(email):
        security_log.record("sign_in_paused", user, commit=True)
        if user is not None:
            emails.send_login_failures(user, throttle.minutes_blocked(email))


def record_login(user: User) -> None:
    user.previous_login_at = user.last_login_at
    user.last_login_at = utcnow()
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie of this account, on every device."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(user)


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    db.session.commit()
    end_all_sessions(user)


def check_password(user: User, password: str) -> None:
    """Asked again before a change to how the account signs in."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword


def change_password(user: User, current_password: str, new_password: str) -> None:
    check_password(user, current_password)
    security_log.record("password_changed", user)
    set_password(user, new_password)


def reset_password(user: User, new_password: str) -> None:
    """A new password through the e-mailed link (which also proves the address)."""
    security_log.record("password_reset", user)
    set_password(user, new_password)
    throttle.forget_failures(user.email)  # the owner has proved it: sign-in reopens
    if user.email_confirmed_at is None:
        confirm_email(user.id, user.email)


def check_email_change(user: User, password: str, new_email: str) -> str:
    """Validate a change of address before the confirmation link is sent to it."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword
    new_email = normalise_email(new_email)
    other = find_by_email(new_email)
    if other is not None and other.id != user.id:
        raise EmailTaken
    return new_email


def apply_email_change(user_id: int, old_email: str, new_email: str) -> User | None:
    """Switch to the confirmed new address; None when the link no longer applies."""
    user = db.session.get(User, user_id)
    if user is None or user.email != old_email:
        return None
    security_log.record("email_changed", user)
    user.email = new_email
    user.email_confirmed_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise EmailTaken from exc
    return user


def update_profile(user: User, name: str, locale: str) -> None:
    user.name = name.strip()
    user.locale = locale
    db.session.commit()


def set_role(email: str, role: str) -> User:
    if role not in ROLES:
        raise UnknownRole(role)
    user = find_by_email(email)
    if user is None:
        raise UnknownUser(email)
    if user.role != role:
        security_log.record("role_changed", user, old=user.role, new=role)
    user.role = role
    db.session.commit()
    return user


def create_admin(email: str, name: str, password: str) -> User:
    """A confirmed admin account, or an existing account promoted to admin."""
    user = find_by_email(email)
    if user is None:
        user = User(
            email=normalise_email(email),
            name=name,
            password_hash=hash_password(password),
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    if user.role != "admin":
        security_log.record("role_changed", user, old=user.role, new="admin")
    user.role = "admin"
    db.session.commit()
    return user


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


CONTACT_FIELDS = (
    "job_title",
    "phone",
    "share_name",
    "share_job_title",
    "share_email",
    "share_phone",
)


def update_contact_details(user: User, **values) -> None:
    for name in CONTACT_FIELDS:
        setattr(user, name, values[name])
    db.session.commit()


def set_email_off(user: User, kinds_on: set[str]) -> None:
    """Turn off the e-mails of every kind in EMAIL_KINDS not in ``kinds_on``."""
    user.email_off = [kind for kind in EMAIL_KINDS if kind not in kinds_on]
    db.session.commit()
