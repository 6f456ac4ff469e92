"""The account e-mails and the signed links they carry."""

from __future__ import annotations

from flask import current_app, url_for

from matchmaker.accounts.models import User
from matchmaker.accounts.tokens import fingerprint, make_token, read_token
from matchmaker.i18n import language_of
from matchmaker.mail import send_mail

CONFIRM = "confirm-email"
RESET = "reset-password"
CHANGE = "change-email"


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _link(endpoint: str, lang: str, token: str) -> str:
    return url_for(endpoint, lang=lang, token=token, _external=True)


def send_confirmation(user: User) -> None:
    token = make_token(_secret(), CONFIRM, {"uid": user.id, "email": user.email})
    lang = language_of(user)
    send_mail(
        user.email,
        "confirm_email",
        lang,
        user=user,
        link=_link("accounts.confirm", lang, token),
        hours=current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 3600,
    )


def send_already_registered(user: User) -> None:
    lang = language_of(user)
    send_mail(
        user.email,
        "already_registered",
        lang,
        user=user,
        login_link=url_for("accounts.login", lang=lang, _external=True),
        reset_link=url_for("accounts.reset_request", lang=lang, _external=True),
    )


def send_reset(user: User) -> None:
    payload = {"uid": user.id, "pw": fingerprint(user.password_hash)}
    token = make_token(_secret(), RESET, payload)
    lang = language_of(user)
    send_mail(
        user.email,
        "reset_password",
        lang,
        user=user,
        link=_link("accounts.reset_password", lang, token),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )


def send_login_failures(user: User, minutes: int) -> None:
    """Someone kept trying wrong passwords or codes: sign-in is paused; here is what to do."""
    lang = language_of(user)
    send_mail(
        user.email,
        "login_failures",
        lang,
        user=user,
        minutes=minutes,
        reset_link=url_for("accounts.reset_request", lang=lang, _external=True),
    )


def send_two_factor_changed(user: User, turned_on: bool) -> None:
    """Turning two-step sign-in on or off is told to the address, in case it was not them."""
    lang = language_of(user)
    send_mail(
        user.email,
        "two_factor_changed",
        lang,
        user=user,
        turned_on=turned_on,
        reset_link=url_for("accounts.reset_request", lang=lang, _external=True),
    )


def send_email_change(user: User, new_email: str) -> None:
    payload = {"uid": user.id, "old": user.email, "new": new_email}
    token = make_token(_secret(), CHANGE, payload)
    lang = language_of(user)
    send_mail(
        new_email,
        "change_email",
        lang,
        user=user,
        new_email=new_email,
        link=_link("accounts.confirm_email_change", lang, token),
        hours=current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 3600,
    )
    send_mail(user.email, "email_change_requested", lang, user=user, new_email=new_email)


def read_confirmation(token: str) -> dict:
    return read_token(_secret(), CONFIRM, token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])


def read_reset(token: str) -> dict:
    return read_token(_secret(), RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])


def read_email_change(token: str) -> dict:
    return read_token(_secret(), CHANGE, token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])


def reset_token_user(payload: dict) -> User | None:
    """The user a reset token is for, if the token has not been used yet."""
    from matchmaker.extensions import db

    user = db.session.get(User, payload.get("uid")) if isinstance(payload.get("uid"), int) else None
    if user is None or payload.get("pw") != fingerprint(user.password_hash):
        return None
    return user
