"""Members manage their organisations: create, edit, submit for review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker import geo
from matchmaker.events import notify as event_notify
from matchmaker.events import services as event_services
from matchmaker.events.services import events_of
from matchmaker.i18n import current_language
from matchmaker.organisations import members, services
from matchmaker.organisations.forms import OrganisationForm, form_data_from
from matchmaker.projects.services import projects_of
from matchmaker.web import redirect_to, render

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
    )


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
