"""Front page, language redirects and the health check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from matchmaker import jobs
from matchmaker.accounts.models import utcnow
from matchmaker.core import home as member_home
from matchmaker.extensions import db
from matchmaker.i18n import preferred_language
from matchmaker.matching import present
from matchmaker.matching import views as matching_views
from matchmaker.organisations.services import memberships_of
from matchmaker.outbox import services as outbox
from matchmaker.register import queries
from matchmaker.web import redirect_to, render

root_bp = Blueprint("root", __name__)
bp = Blueprint("core", __name__)


@root_bp.route("/")
def index():
    return redirect(url_for("core.home", lang=preferred_language()), code=302)


@root_bp.route("/<lang_alias:alias>/", defaults={"rest": ""})
@root_bp.route("/<lang_alias:alias>/<path:rest>")
def language_alias(alias: str, rest: str):
    """`/no/...` and `/nn/...` are served in Norwegian Bokmål."""
    query = request.query_string.decode()
    return redirect_to(f"/nb/{rest}" + (f"?{query}" if query else ""), status=301)


@root_bp.route("/healthz")
def healthz():
    """503 when the database is unreachable (take this web worker out); "degraded" when
    the background worker has stopped (mail waits in the outbox: start the worker)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    queue = jobs.current_queue()
    if queue == "immediate":
        return jsonify(status="ok", database="ok", worker="immediate")
    report = jobs.health()
    stopped = any(job["status"] == "late" for job in report.values()) or (
        report.get("outbox", {}).get("status") == "never"
    )
    return jsonify(
        status="degraded" if stopped else "ok",
        database="ok",
        worker="late" if stopped else "ok",
        queue=queue,
        outbox=outbox.counts(),
        jobs=report,
    )


@root_bp.route("/.well-known/security.txt")
def security_txt():
    """Where to report a vulnerability (RFC 9116); absent until SECURITY_CONTACT is set."""
    contact = current_app.config["SECURITY_CONTACT"]
    if not contact:
        abort(404)
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=180)
    lines = [
        f"Contact: {contact}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: pl, en, da, nb",
        f"Canonical: {url_for('root.security_txt', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@bp.route("/")
def home():
    # For a member: what waits for them and what is coming up (core/home.py), then their
    # published projects and organisations, whose match lists the page offers.
    mine, member, several = [], None, False
    if current_user.is_authenticated:
        ids = {membership.organisation_id for membership in memberships_of(current_user)}
        mine = queries.entries_of_organisations(ids)
        member = member_home.for_member(current_user, utcnow())
        several = len(ids) > 1
    return render("core/home.html", mine=mine, member=member, several_organisations=several)


@bp.route("/news")
@login_required
def news():
    """What is new for a member since their last visit: the home page loads it on its own
    (it ranks every list of theirs), and without JavaScript it is a page."""
    return render(
        "core/news.html",
        partial="core/_news.html",
        news=member_home.new_since_last_visit(current_user, utcnow()),
        list_labels=matching_views.TAB_LABELS,
        list_url=matching_views.list_url,
        title_of=matching_views.entry_title,
        reason_text=present.reason_text,
        score_label=present.score_label,
    )


@bp.route("/privacy")
def privacy():
    config = current_app.config
    return render(
        "core/privacy.html",
        reminder_days=config["CONTACT_REMINDER_DAYS"],
        expiry_days=config["CONTACT_EXPIRY_DAYS"],
    )
