"""The admins' outbox page: how much mail waits, went out or failed; retry a failure."""

from __future__ import annotations

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from matchmaker.accounts.auth import role_required
from matchmaker.forms import Form
from matchmaker.outbox import services
from matchmaker.web import redirect_to, render

bp = Blueprint("outbox", __name__)


@bp.route("/")
@role_required("admin")
def index():
    return render(
        "outbox/index.html",
        counts=services.counts(),
        failed=services.listed("failed"),
        queued=services.listed("queued"),
        retry_form=Form(),
    )


@bp.route("/<int:message_id>/retry", methods=["POST"])
@role_required("admin")
def retry(message_id: int):
    if not Form().validate_on_submit():
        abort(400)
    if services.retry(message_id):
        flash(_("The message is queued again and will be sent shortly."), "success")
    else:
        flash(_("This message is not waiting for a retry (it may have been sent already)."), "info")
    return redirect_to(url_for("outbox.index"))


@bp.route("/send-now", methods=["POST"])
@role_required("admin")
def send_now():
    """After the mail server is back: every waiting message is tried now, not at its turn."""
    if not Form().validate_on_submit():
        abort(400)
    moved = services.send_waiting_now()
    flash(
        ngettext(
            "%(num)d waiting message is being sent now.",
            "%(num)d waiting messages are being sent now.",
            moved,
        ),
        "success",
    )
    return redirect_to(url_for("outbox.index"))
