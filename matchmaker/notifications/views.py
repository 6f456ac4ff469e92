"""The user's notifications; opening the page marks them read."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from matchmaker.notifications import services
from matchmaker.web import render

bp = Blueprint("notifications", __name__)


@bp.route("/")
@login_required
def index():
    notes = services.recent(current_user)
    unread = {n.id for n in notes if n.read_at is None}
    services.mark_all_read(current_user)
    return render("notifications/index.html", notes=notes, unread=unread)
