"""A participant's event profile (their organisation's profile plus opportunities for this
event) and bookmarks on "who to meet". Same rules as `views`: participants only, another
person's object is a 404, forms work without JavaScript and in place with htmx.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from matchmaker.accounts.models import User
from matchmaker.extensions import db
from matchmaker.i18n import current_language
from matchmaker.matching.service import published_profiles
from matchmaker.meetings import profile
from matchmaker.meetings.models import (
    MAX_OPPORTUNITY_TEXT,
    MAX_OPPORTUNITY_TITLE,
    OPPORTUNITY_KINDS,
)
from matchmaker.meetings.services import MeetingRefused, participants
from matchmaker.meetings.views import (
    opportunity_kind_names,
    participant_page,
    refusal_text,
    tag_names,
)
from matchmaker.taxonomy.queries import tag_choices, tag_label
from matchmaker.web import is_htmx, redirect_to, render

bp = Blueprint("meeting_profile", __name__)


@bp.before_request
@login_required
def _signed_in_only():
    """Every page here is for signed-in people."""


def _error_text(code: str) -> str:
    if code == "required":
        return _("Give the opportunity a title.")
    if code == "too_long":
        return _("This text is too long.")
    if code == "no_tags":
        return _("Choose at least one topic, so that the right people find it.")
    if code == "too_many_tags":
        return ngettext(
            "Choose at most %(num)d topic.", "Choose at most %(num)d topics.", profile.MAX_TAGS
        )
    if code == "opportunity_limit":
        return ngettext(
            "You can post at most %(num)d opportunity per event.",
            "You can post at most %(num)d opportunities per event.",
            profile.MAX_OPPORTUNITIES,
        )
    return refusal_text(code)


def _own_profile_tags(organisation_id: int | None) -> dict[str, list[str]]:
    """What the person's organisation offers and needs, as the public register has it."""
    found = published_profiles("organisation", {organisation_id} if organisation_id else set())
    published = found.get(organisation_id)
    if published is None:
        return {}
    lang = current_language()
    return {
        role: sorted(
            (tag_label(code, lang) for code in published.tag_codes(role)), key=str.casefold
        )
        for role in ("capability", "need")
    }


@bp.route("/profile", methods=["GET", "POST"])
@participant_page
def page(event, setup):
    """The event profile; a POST adds an opportunity."""
    values = {"kind": "technology_offer", "title": "", "description": "", "tags": []}
    errors: dict[str, str] = {}
    status = 200
    choices = tag_choices("capability", current_language())
    if request.method == "POST":
        data = profile.OpportunityInput(
            kind=request.form.get("kind", ""),
            title=request.form.get("title", ""),
            description=request.form.get("description", ""),
            tags=request.form.getlist("tags"),
        )
        codes = profile.check_opportunity(data, (code for code, _label in choices))
        errors = {field: _error_text(code) for field, code in codes.items()}
        if not errors:
            try:
                profile.add_opportunity(event.id, current_user.id, data)
            except MeetingRefused as refusal:
                errors["form"] = _error_text(refusal.code)
            else:
                flash(_("Your opportunity is posted."), "success")
                return redirect_to(url_for("meeting_profile.page", event_id=event.id))
        values = {**data.__dict__, "tags": data.tags}
        status = 422
    me = next((p for p in participants(event.id) if p.user.id == current_user.id), None)
    return render(
        "meetings/profile.html",
        status=status,
        event=event,
        setup=setup,
        tab="profile",
        own=_own_profile_tags(me.organisation_id if me else None),
        organisation_id=me.organisation_id if me else None,
        opportunities=profile.opportunities_of(event.id, current_user.id).get(current_user.id, []),
        kinds=opportunity_kind_names(),
        kind_order=OPPORTUNITY_KINDS,
        tag_choices=choices,
        tag_names=tag_names,
        values=values,
        errors=errors,
        max_title=MAX_OPPORTUNITY_TITLE,
        max_text=MAX_OPPORTUNITY_TEXT,
        most=profile.MAX_OPPORTUNITIES,
    )


@bp.route("/opportunities/<int:opportunity_id>/delete", methods=["POST"])
@participant_page
def delete_opportunity(event, setup, opportunity_id: int):
    try:
        profile.remove_opportunity(event.id, current_user.id, opportunity_id)
    except MeetingRefused:
        abort(404)
    flash(_("The opportunity is removed."), "success")
    return redirect_to(url_for("meeting_profile.page", event_id=event.id))


@bp.route("/bookmarks/<int:user_id>", methods=["POST"])
@participant_page
def bookmark(event, setup, user_id: int):
    """Bookmark a person (marked=1) or take the bookmark off (marked=0)."""
    marked = request.form.get("marked") == "1"
    try:
        profile.set_bookmark(event.id, current_user.id, user_id, marked)
    except MeetingRefused:
        abort(404)
    if is_htmx():
        return render(
            "meetings/_bookmark.html",
            event=event,
            person_id=user_id,
            person_name=db.session.get(User, user_id).name,
            marked=marked,
            swapped=True,
        )
    flash(_("Bookmark saved.") if marked else _("Bookmark removed."), "success")
    return redirect_to(url_for("meetings.people", event_id=event.id) + f"#person-{user_id}")
