"""Flask-Login wiring: sessions tied to a version, HTMX-aware redirects to login."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, flash, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker.accounts.models import User
from matchmaker.extensions import db, login_manager
from matchmaker.web import redirect_to


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
    return redirect_to(url_for("accounts.login", next=safe_next(request.full_path)))


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be redirected to after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?") or None


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
