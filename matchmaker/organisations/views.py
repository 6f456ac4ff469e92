"""Members manage their organisations: create, edit, submit for review. People who
belong to none yet find theirs and ask to join it."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from matchmaker import geo
from matchmaker.events import notify as event_notify
from matchmaker.events import services as event_services
from matchmaker.events.services import events_of
from matchmaker.extensions import limiter
from matchmaker.i18n import current_language
from matchmaker.matching import present
from matchmaker.matching import service as matching_service
from matchmaker.matching import views as matching_views
from matchmaker.moderation import services as moderation
from matchmaker.onboarding.services import review_time
from matchmaker.organisations import members, services
from matchmaker.organisations.forms import (
    InsightsNamingForm,
    JoinRequestForm,
    OrganisationForm,
    form_data_from,
)
from matchmaker.organisations.models import Organisation
from matchmaker.projects.services import projects_of
from matchmaker.register import queries as register_queries
from matchmaker.register import views as register_views
from matchmaker.web import is_htmx, redirect_to, render

bp = Blueprint("organisations", __name__)


def _organisation_or_404(organisation_id: int):
    org = services.member_organisation(current_user, organisation_id)
    if org is None:
        abort(404)
    return org


@bp.before_request
@login_required
def _members_only():
    """Every page here is for signed-in members."""


@bp.route("/")
def mine():
    return render("organisations/mine.html", memberships=services.memberships_of(current_user))


@bp.route("/new", methods=["GET", "POST"])
def create():
    lang = current_language()
    form = OrganisationForm(
        lang=lang, data=None if request.method == "POST" else {"original_language": lang}
    )
    if form.validate_on_submit():
        try:
            org = services.create_organisation(current_user, form.to_input())
        except services.UnknownTag:
            abort(400)
        flash(
            _("The organisation is saved as a draft. Submit it for review when it is ready."),
            "success",
        )
        return redirect_to(url_for("organisations.manage", organisation_id=org.id))
    return render(
        "organisations/edit.html", status=422 if form.errors else 200, form=form, org=None
    )


@bp.route("/<int:organisation_id>")
def manage(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    is_owner = members.role_of(org, current_user) == "owner"
    return render(
        "organisations/manage.html",
        org=org,
        projects=projects_of(org),
        events=events_of(org.id),
        is_owner=is_owner,
        naming_form=InsightsNamingForm(formdata=None, unnamed=org.unnamed_in_insights),
        preview=_preview(org) if org.status != "published" else None,
        review=review_time() if org.status == "submitted" else None,
        list_labels=matching_views.TAB_LABELS,
        title_of=matching_views.entry_title,
        reason_text=present.reason_text,
        score_label=present.score_label,
    )


@bp.route("/<int:organisation_id>/preview")
def public_preview(organisation_id: int):
    """The public page as it will look once the version members see now is approved."""
    org = _organisation_or_404(organisation_id)
    data = moderation.current_snapshot("organisation", org)
    entry = register_views.draft_entry("organisation", org.id, data)
    return render(
        "register/organisation.html",
        entry=entry,
        data=data,
        projects=register_queries.projects_of(org.id),
        events=event_services.coming_events_hosted_by(org.id),
        location=register_views.location_of(entry),
        text_choice=request.args.get("text"),
        preview=True,
    )


def _preview(org: Organisation) -> list[matching_service.ListPreview]:
    """Who would match the organisation as it stands, for its members before publication."""
    snapshot = moderation.current_snapshot("organisation", org)
    profile = matching_service.draft_profile("organisation", org.id, snapshot, org.id, org.kind)
    return matching_service.preview(profile)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    lang = current_language()
    if request.method == "POST":
        form = OrganisationForm(lang=lang)
    else:
        form = OrganisationForm(lang=lang, data=form_data_from(org))
    if form.validate_on_submit():
        try:
            revision = int(form.revision.data or 0)
            services.update_organisation(org, form.to_input(), revision)
        except services.StaleEdit:
            flash(
                _(
                    "Someone else saved this organisation while you were editing. "
                    "Your changes were not saved: reload the page and make them again."
                ),
                "error",
            )
            return render("organisations/edit.html", status=409, form=form, org=org)
        except services.UnknownTag:
            abort(400)
        flash(_("Your changes are saved."), "success")
        return redirect_to(url_for("organisations.manage", organisation_id=org.id))
    return render("organisations/edit.html", status=422 if form.errors else 200, form=form, org=org)


@bp.route("/<int:organisation_id>/insights", methods=["POST"])
def insights_naming(organisation_id: int):
    """Any member may choose whether the organisation is named in the insights' rankings."""
    org = _organisation_or_404(organisation_id)
    form = InsightsNamingForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_unnamed_in_insights(org, form.unnamed.data)
    flash(_("Your choice for the insights page is saved."), "success")
    return redirect_to(url_for("organisations.manage", organisation_id=org.id))


@bp.route("/<int:organisation_id>/submit", methods=["POST"])
def submit(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    try:
        services.submit_organisation(org)
    except services.NotSubmittable:
        flash(
            _("This organisation is already waiting for review or has no changes to review."),
            "info",
        )
    else:
        flash(_("Thank you. A moderator will review the organisation soon."), "success")
    return redirect_to(url_for("organisations.manage", organisation_id=org.id))


@bp.route("/<int:organisation_id>/delete", methods=["POST"])
def delete(organisation_id: int):
    org = _organisation_or_404(organisation_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that the organisation is to be deleted."), "error")
        return redirect_to(url_for("organisations.manage", organisation_id=org.id))
    name = org.name
    if members.role_of(org, current_user) != "owner":
        abort(403)
    # People signed up for its coming events hear that they will not take place.
    event_services.cancel_coming_events_of(org.id, then=event_notify.cancelled)
    try:
        services.delete_organisation(current_user, org)
    except services.NotOwner:
        abort(403)
    flash(_("“%(name)s” has been deleted.", name=name), "success")
    return redirect_to(url_for("organisations.mine"))


@bp.route("/suggest-tags", methods=["POST"])
def suggest_tags():
    """Tags suggested by the texts typed so far (HTMX; changes nothing)."""
    form = OrganisationForm(lang=current_language())
    return render("taxonomy/_tag_suggestions.html", form=form,
                  suggest_url=url_for("organisations.suggest_tags"))  # fmt: skip


@bp.route("/regions")
def regions():
    """The region options of a country, for the form's region list (HTMX)."""
    country = request.args.get("country", "")[:2].upper()
    choices = geo.regions(country, current_language()) if country else []
    return render("organisations/_region_options.html", choices=choices)


# --- asking to join an organisation ------------------------------------------------------

JOIN_SEARCH_RESULTS = 20
# Where the asking widget sits on its page ("page", "search", ...): keeps its id unique.
_SLOT = re.compile(r"[a-z0-9-]{1,20}")


def _join_form(organisation_id: int, formdata: bool = True) -> JoinRequestForm:
    # A prefix per organisation: the search page holds up to twenty of these forms.
    prefix = f"join{organisation_id}"
    if formdata:
        return JoinRequestForm(prefix=prefix)
    return JoinRequestForm(formdata=None, prefix=prefix)


@bp.app_template_global()
def join_state(organisation_id: int) -> dict:
    """What the signed-in person can do about joining the organisation (organisations/_join.html):
    nothing for visitors and members; else ask, or withdraw the request that waits."""
    if not current_user.is_authenticated:
        return {"show": False, "member": False}
    if members.belongs(organisation_id, current_user):
        return {"show": False, "member": True}
    return {
        "show": True,
        "member": False,
        "pending": members.pending_request(organisation_id, current_user),
        "form": _join_form(organisation_id, formdata=False),
    }


def _join_slot() -> str:
    slot = request.form.get("slot", "")
    return slot if _SLOT.fullmatch(slot) else "page"


def _join_back(organisation_id: int):
    """Back to the page the form was on (POST, redirect, GET), else the organisation's page."""
    fallback = url_for("register.organisation", organisation_id=organisation_id)
    return redirect_to(request.form.get("next") or fallback)


def _join_widget(organisation_id: int, name: str, status: int = 200, **context):
    """HTMX gets the widget alone; a plain POST with a problem gets it on a page of its own."""
    return render(
        "organisations/join.html",
        partial="organisations/_join.html",
        status=status,
        join_org=organisation_id,
        join_name=name,
        join_slot=_join_slot(),
        join_next=request.form.get("next", ""),
        join_swapped=True,
        **context,
    )


def _limit_join():
    return limiter.limit(
        lambda: current_app.config.get("RATELIMIT_MAIL", "5 per minute"), methods=["POST"]
    )


@bp.route("/<int:organisation_id>/join", methods=["POST"])
@_limit_join()
def ask_to_join(organisation_id: int):
    name = members.published_name(organisation_id)
    if name is None:
        abort(404)
    form = _join_form(organisation_id)
    error = None
    if form.validate_on_submit():
        try:
            members.request_to_join(
                current_user._get_current_object(),
                organisation_id,
                form.message.data or "",
                then=members.tell_owners,
            )
        except members.NotPublished:
            abort(404)
        except members.AlreadyMember:
            flash(_("You already belong to %(organisation)s.", organisation=name), "info")
            return _join_back(organisation_id)
        except members.TooManyJoinRequests as refused:
            error = ngettext(
                "You can ask to join at most %(num)d organisation a day. Please try again "
                "tomorrow.",
                "You can ask to join at most %(num)d organisations a day. Please try again "
                "tomorrow.",
                refused.limit,
            )
        else:
            if is_htmx():
                return _join_widget(organisation_id, name)
            flash(
                _(
                    "Your request to join %(organisation)s is sent. Its owners will answer it.",
                    organisation=name,
                ),
                "success",
            )
            return _join_back(organisation_id)
    status = 429 if error else 422
    return _join_widget(organisation_id, name, status, join_form=form, join_error=error)


@bp.route("/join-requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw_join_request(request_id: int):
    try:
        join_request = members.withdraw(current_user, request_id)
    except members.UnknownJoinRequest:
        abort(404)
    except members.JoinRequestClosed:
        flash(_("This request to join has already been answered."), "info")
        closed = members.find_join_request(request_id)
        return _join_back(closed.organisation_id)
    organisation_id = join_request.organisation_id
    if is_htmx():
        name = members.published_name(organisation_id) or join_request.organisation.name
        return _join_widget(organisation_id, name)
    flash(_("Your request to join is withdrawn."), "success")
    return _join_back(organisation_id)


def join_search():
    """Find a published organisation by its name and ask to join it (active search)."""
    text = request.args.get("q", "").strip()[:100]
    return render(
        "organisations/join_search.html",
        block="results_block",
        q=text,
        results=members.find_published(text, JOIN_SEARCH_RESULTS) if text else [],
        limit=JOIN_SEARCH_RESULTS,
    )


@bp.record_once
def _join_search_rule(state) -> None:
    """A page for people who belong to no organisation yet, so outside the blueprint's
    /my/organisations prefix; still the blueprint's endpoint and sign-in rule."""
    state.app.add_url_rule(
        "/<lang:lang>/organisations/join", "organisations.join_search", join_search
    )
