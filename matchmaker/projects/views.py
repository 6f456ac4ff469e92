"""Members manage their organisation's projects: create, edit, submit for review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.i18n import current_language
from matchmaker.moderation import services as moderation
from matchmaker.organisations.services import member_organisation
from matchmaker.projects import services
from matchmaker.projects.forms import ProjectForm, form_data_from, new_project_data
from matchmaker.register import queries as register_queries
from matchmaker.register import views as register_views
from matchmaker.web import redirect_to, render

bp = Blueprint("projects", __name__)


def _project_or_404(project_id: int):
    project = services.member_project(current_user, project_id)
    if project is None:
        abort(404)
    return project


@bp.before_request
@login_required
def _members_only():
    """Every page here is for signed-in members."""


@bp.route("/new", methods=["GET", "POST"])
def create():
    organisation_id = request.args.get("organisation", type=int)
    org = member_organisation(current_user, organisation_id) if organisation_id else None
    if org is None:
        abort(404)
    lang = current_language()
    form = ProjectForm(
        lang=lang, data=None if request.method == "POST" else new_project_data(org, lang)
    )
    if form.validate_on_submit():
        try:
            project = services.create_project(org, form.to_input())
        except services.UnknownTag:
            abort(400)
        flash(
            _("The project is saved as a draft. Submit it for review when it is ready."),
            "success",
        )
        return redirect_to(url_for("projects.manage", project_id=project.id))
    return render(
        "projects/edit.html",
        status=422 if form.errors else 200,
        form=form,
        project=None,
        org=org,
    )


@bp.route("/<int:project_id>")
def manage(project_id: int):
    project = _project_or_404(project_id)
    return render("projects/manage.html", project=project, org=project.organisation)


@bp.route("/<int:project_id>/preview")
def public_preview(project_id: int):
    """The public page as it will look once the version members see now is approved."""
    project = _project_or_404(project_id)
    data = moderation.current_snapshot("project", project)
    entry = register_views.draft_entry("project", project.id, data, project.organisation_id)
    return render(
        "register/project.html",
        entry=entry,
        data=data,
        organisation=register_queries.entry("organisation", project.organisation_id),
        location=register_views.location_of(entry),
        text_choice=request.args.get("text"),
        preview=True,
        back_url=url_for("projects.manage", project_id=project.id),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    project = _project_or_404(project_id)
    lang = current_language()
    if request.method == "POST":
        form = ProjectForm(lang=lang)
    else:
        form = ProjectForm(lang=lang, data=form_data_from(project))
    context = {"form": form, "project": project, "org": project.organisation}
    if form.validate_on_submit():
        try:
            # A revision that is not a number cannot be the current one: a stale edit.
            revision = int(form.revision.data) if (form.revision.data or "").isdigit() else 0
            services.update_project(project, form.to_input(), revision)
        except services.StaleEdit:
            flash(
                _(
                    "Someone else saved this project while you were editing. "
                    "Your changes were not saved: reload the page and make them again."
                ),
                "error",
            )
            return render("projects/edit.html", status=409, **context)
        except services.UnknownTag:
            abort(400)
        flash(_("Your changes are saved."), "success")
        return redirect_to(url_for("projects.manage", project_id=project.id))
    return render("projects/edit.html", status=422 if form.errors else 200, **context)


@bp.route("/suggest-tags", methods=["POST"])
def suggest_tags():
    """Tags suggested by the texts typed so far (HTMX; changes nothing)."""
    form = ProjectForm(lang=current_language())
    return render("taxonomy/_tag_suggestions.html", form=form,
                  suggest_url=url_for("projects.suggest_tags"))  # fmt: skip


@bp.route("/<int:project_id>/submit", methods=["POST"])
def submit(project_id: int):
    project = _project_or_404(project_id)
    try:
        services.submit_project(project)
    except services.NotSubmittable:
        flash(
            _("This project is already waiting for review or has no changes to review."),
            "info",
        )
    else:
        flash(_("Thank you. A moderator will review the project soon."), "success")
    return redirect_to(url_for("projects.manage", project_id=project.id))
