"""Admins read the security event log, newest first, filtered by kind or person."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l

from matchmaker.accounts import security_log, services
from matchmaker.accounts.auth import role_required
from matchmaker.web import render

bp = Blueprint("security_events", __name__)

KIND_LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Wrong password"),
    "sign_in_paused": _l("Sign-in paused after failures"),
    "second_step_failed": _l("Wrong code at the second step"),
    "recovery_code_used": _l("Recovery code used"),
    "two_factor_on": _l("Two-step sign-in turned on"),
    "two_factor_off": _l("Two-step sign-in turned off"),
    "two_factor_reset": _l("Second factor reset by an admin"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset through the e-mailed link"),
    "email_changed": _l("E-mail address changed"),
    "role_changed": _l("Role changed"),
}
METHOD_LABELS = {
    "password": _l("password"),
    "app": _l("password and app code"),
    "recovery": _l("password and recovery code"),
}


@bp.route("/")
@role_required("admin")
def index():
    kind = request.args.get("kind", "")
    kind = kind if kind in security_log.KINDS else ""
    email = request.args.get("email", "").strip()[:254]
    person = services.find_by_email(email) if email else None
    events = (
        []
        if email and person is None
        else security_log.latest(kind or None, person.id if person else None)
    )
    return render(
        "accounts/security_events.html",
        events=events,
        kind=kind,
        email=email,
        kind_labels=KIND_LABELS,
        method_labels=METHOD_LABELS,
    )
