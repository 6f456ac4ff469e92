"""Two-step sign-in: a time-based code from an authenticator app (TOTP, RFC 6238), or one
of ten single-use recovery codes when the phone is lost.

Required for moderators and admins, whose accounts can publish, unpublish and suspend;
optional for members. A code is accepted once: the time step it was made for is stored,
and only a later step is taken next time, by a conditional UPDATE, so two requests with
the same code cannot both pass. Recovery codes are random (50 bits each) and kept as
SHA-256 hashes only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from matchmaker.accounts import security_log
from matchmaker.accounts.models import RecoveryCode, User, utcnow
from matchmaker.database import commit_with
from matchmaker.extensions import db

ISSUER = "Matchmaker"
RECOVERY_CODE_COUNT = 10
# Codes from the step before and after the current one are accepted too: phones' clocks drift.
DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class WrongCode(ValueError):
    """Neither a current authenticator code nor an unused recovery code."""


def is_required(user: User) -> bool:
    return user.is_moderator


def pending_secret(user: User) -> str:
    """The secret being set up: kept on the account, not yet in force, until a right code."""
    if user.has_two_factor:
        raise ValueError("two-step sign-in is already on")
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    return user.totp_secret


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    drawn = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, title=title, dark="#000", light="#fff"
    )
    svg = drawn.replace("<svg ", '<svg role="img" ', 1)
    return Markup(svg)  # noqa: S704  # nosec B704  # segno writes the SVG and escapes the title


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    code = _digits(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _hash(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def enable(user: User, code: str, then=None) -> list[str]:
    """Turn it on once the app shows a right code for the pending secret; the recovery
    codes are returned this once. `then(user)` (the notice) commits with the change."""
    if user.has_two_factor or not user.totp_secret:
        raise WrongCode
    step = _matching_step(user.totp_secret, code)
    if step is None:
        raise WrongCode
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    commit_with(then, user)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def reset(user: User) -> None:
    """An admin's way back in for someone who lost both phone and recovery codes (after
    checking who they are out of band): the second factor goes, and every session ends."""
    security_log.record("two_factor_reset", user)
    disable(user)
    user.session_version += 1
    db.session.commit()


def disable(user: User, then=None) -> None:
    """Turn it off; `then(user)` (the notice) commits with the change."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    commit_with(then, user)


def unused_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def check(user: User, code: str) -> str:
    """Accept `code` for `user` once: "app" or "recovery" says which kind it was."""
    if not user.has_two_factor:
        raise WrongCode
    step = _matching_step(user.totp_secret, code)
    if step is not None and _take(
        update(User)
        .where(User.id == user.id)
        .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ):
        return "app"
    if _take(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    ):
        return "recovery"
    raise WrongCode


def _take(statement) -> bool:
    """Run a conditional UPDATE; whether it changed a row (only one request can)."""
    changed = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return changed == 1
