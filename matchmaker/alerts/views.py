"""Saved searches: save one from the register, list and delete them, the weekly digest."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.alerts import services
from matchmaker.i18n import current_language
from matchmaker.register.views import query_from_args
from matchmaker.web import redirect_to, render

bp = Blueprint("alerts", __name__)

LISTS = {"project": "register.projects", "organisation": "register.organisations"}


def _register_url(query) -> str:
    return url_for(
        LISTS[query.item_type], lang=current_language(), q=query.text or None, **query.filters
    )


@bp.route("/")
@login_required
def index():
    return render(
        "alerts/index.html", searches=services.searches_of(current_user), as_query=services.as_query
    )


@bp.post("/<any(project, organisation):item_type>")
@login_required
def save(item_type: str):
    query = query_from_args(item_type, request.form)
    try:
        _search, created = services.save(current_user, query)
    except services.NothingToSave:
        flash(
            _("Choose a filter or type a word first: a search for everything cannot be saved."),
            "error",
        )
    except services.TooManySearches:
        flash(
            _(
                "You can keep up to %(count)s saved searches. Delete one to save another.",
                count=services.MAX_SEARCHES,
            ),
            "error",
        )
    else:
        if created:
            flash(_("Search saved. You will be notified when something new matches it."), "success")
        else:
            flash(_("You have already saved this search."), "info")
    return redirect_to(_register_url(query))


@bp.post("/<int:search_id>/delete")
@login_required
def delete(search_id: int):
    if not services.delete(current_user, search_id):
        abort(404)
    flash(_("Saved search deleted."), "success")
    return redirect_to(url_for("alerts.index", lang=current_language()))


@bp.post("/digest")
@login_required
def digest():
    weekly = request.form.get("weekly") == "1"
    services.set_digest(current_user, weekly)
    if weekly:
        flash(
            _("You will get a weekly e-mail when new items match your saved searches."), "success"
        )
    else:
        flash(_("You will no longer get the weekly e-mail."), "success")
    return redirect_to(url_for("alerts.index", lang=current_language()))
