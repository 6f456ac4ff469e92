"""Flask-Login wiring: sessions tied to a version, HTMX-aware redirects to login."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, flash, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker.accounts import twofactor
from matchmaker.accounts.models import User
from matchmaker.extensions import db, login_manager
from matchmaker.web import is_htmx, redirect_to, safe_path


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def unauthorized():
    """Send the visitor to log in; an HTMX request navigates the whole page."""
    flash(str(_l("Please log in to continue.")), "info")
    return redirect_to(url_for("accounts.login", next=safe_path(request.full_path)))


# What a moderator or admin without a second factor may still reach: setting it up.
ENROLMENT_ENDPOINTS = frozenset(
    {"two_factor.settings", "two_factor.enable", "accounts.logout", "static"}
)


def require_second_factor():
    """Moderators and admins do nothing else until two-step sign-in is on for them."""
    endpoint = request.endpoint or ""
    if endpoint in ENROLMENT_ENDPOINTS or endpoint.startswith(("root.", "sitemap.", "metrics.")):
        return None
    if not current_user.is_authenticated or current_user.has_two_factor:
        return None
    if not twofactor.is_required(current_user):
        return None
    if not is_htmx():  # a polling fragment would pile the message up; the page says it
        flash(
            str(_l("Moderators and admins must turn on two-step sign-in before they go on.")),
            "info",
        )
    return redirect_to(url_for("two_factor.settings"))


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.session_protection = "basic"
    app.before_request(require_second_factor)
