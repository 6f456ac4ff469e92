"""Contact requests: the form (inline with htmx, a page without), inbox, outbox, answers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.contacts import notify, services
from matchmaker.contacts.forms import AnswerForm, RequestForm
from matchmaker.register import queries as register_queries
from matchmaker.web import is_htmx, redirect_to, render

bp = Blueprint("contacts", __name__)


@bp.before_request
@login_required
def _signed_in_only():
    """Every page here is for signed-in members."""


def error_text(code: str) -> str:
    """The user-facing sentence for a ContactError code."""
    return {
        "empty": _("Write a message."),
        "too_long": _("The message is too long: use at most 2,000 characters."),
        "own_organisation": _("You cannot send a request to your own organisation."),
        "sender_not_published": _(
            "Your organisation must be published before it can send requests."
        ),
        "wrong_project": _("Choose one of this organisation's published projects."),
        "user_limit": _("You have sent the most requests allowed in one day. Try again tomorrow."),
        "organisation_limit": _(
            "Your organisation has sent the most requests allowed in one day. Try again tomorrow."
        ),
        "already_accepted": _("This request has already been accepted."),
        "already_declined": _("This request has already been declined."),
        "already_withdrawn": _(
            "This request was withdrawn by its sender, so it cannot be answered."
        ),
        "already_expired": _("This request has expired."),
        "report_reason": _("Choose why you report this request."),
        "already_reported": _("This request has already been reported."),
    }.get(code, _("Something went wrong. Please try again."))


def _limits() -> services.Limits:
    config = current_app.config
    return services.Limits(
        per_user_per_day=config["CONTACT_REQUESTS_PER_USER_PER_DAY"],
        per_organisation_per_day=config["CONTACT_REQUESTS_PER_ORGANISATION_PER_DAY"],
    )


def _recipient_or_404(organisation_id: int):
    entry = register_queries.entry("organisation", organisation_id)
    if entry is None:
        abort(404)
    return entry


def _request_form(recipient, senders) -> RequestForm:
    form = RequestForm(prefix=f"to{recipient.item_id}")  # ids stay unique with several open
    form.sender_org.choices = [(org.id, org.name) for org in senders]
    projects = register_queries.projects_of(recipient.item_id)
    form.project.choices = [(0, _("No particular project"))] + [
        (p.item_id, p.sort_title) for p in projects
    ]
    people = {}
    for org in senders:
        for person in services.people(org.id):
            people.setdefault(person.id, person.name)
    form.contacts.choices = sorted(people.items(), key=lambda item: (item[1], item[0]))
    if request.method == "GET":
        form.project.data = request.args.get("project", 0, type=int)
        form.sender_org.data = senders[0].id if senders else None
        form.contacts.data = [current_user.id]
    return form


@bp.route("/new/<int:organisation_id>", methods=["GET", "POST"])
def new(organisation_id: int):
    recipient = _recipient_or_404(organisation_id)
    senders = [
        org for org in services.sender_organisations(current_user) if org.id != organisation_id
    ]
    form = _request_form(recipient, senders)
    context = {"recipient": recipient, "form": form, "senders": senders}
    existing = services.open_requests_from(current_user, organisation_id)
    if not senders:
        return render("contacts/new.html", partial="contacts/_form.html", **context)
    if form.validate_on_submit():
        try:
            sent, created = services.send(
                current_user,
                sender_org_id=form.sender_org.data,
                recipient_org_id=organisation_id,
                message=form.message.data,
                project_id=form.project.data or None,
                contact_ids=form.contacts.data,
                limits=_limits(),
                then=notify.new_request,
            )
        except services.NotFound:
            abort(404)
        except services.ContactError as error:
            form.message.errors.append(error_text(error.code))
        else:
            if is_htmx():
                return render("contacts/_sent.html", sent=sent, created=created)
            flash(
                _("Request sent.") if created else _("You had already sent this request."),
                "success" if created else "info",
            )
            return redirect_to(url_for("contacts.show", request_id=sent.id))
    status = 422 if form.errors else 200
    return render(
        "contacts/new.html",
        partial="contacts/_form.html",
        status=status,
        existing=existing,
        **context,
    )


@bp.route("/inbox")
def inbox():
    requests = services.inbox(current_user)
    unread = services.unread_count(current_user)
    services.mark_inbox_read(current_user)
    return render("contacts/inbox.html", requests=requests, unread=unread)


@bp.route("/outbox")
def outbox():
    return render("contacts/outbox.html", requests=services.outbox(current_user))


@bp.route("/badge")
def badge():
    return render("contacts/_badge.html", count=services.unread_count(current_user), menu=True)


def _answer_form(contact_request, formdata=None) -> AnswerForm:
    prefix = f"r{contact_request.id}"
    form = AnswerForm(prefix=prefix) if formdata else AnswerForm(formdata=None, prefix=prefix)
    form.contacts.choices = [
        (person.id, person.name) for person in services.people(contact_request.recipient_org_id)
    ]
    return form


def _card(contact_request, side: str, status: int = 200, form: AnswerForm | None = None):
    form = form or _answer_form(contact_request)
    if not form.contacts.data:
        form.contacts.data = [current_user.id]
    context = {
        "r": contact_request,
        "side": side,
        "form": form,
        "people": services.shared_people(contact_request, side),
    }
    return render("contacts/show.html", partial="contacts/_request.html", status=status, **context)


@bp.route("/<int:request_id>")
def show(request_id: int):
    try:
        contact_request, side = services.visible(current_user, request_id)
    except services.NotFound:
        abort(404)
    return _card(contact_request, side)


@bp.post("/<int:request_id>/answer")
def answer(request_id: int):
    try:
        contact_request, side = services.visible(current_user, request_id)
    except services.NotFound:
        abort(404)
    if side != "recipient":
        abort(404)
    form = _answer_form(contact_request, formdata=True)
    decision = request.form.get("decision")
    if decision not in ("accept", "decline"):
        abort(400)
    if not form.validate_on_submit():
        return _card(contact_request, side, status=422, form=form)
    try:
        if decision == "accept":
            services.accept(
                current_user,
                request_id,
                form.reply.data or "",
                form.contacts.data,
                then=notify.answered,
            )
        else:
            services.decline(current_user, request_id, form.reply.data or "", then=notify.answered)
    except services.ContactError as error:
        flash(error_text(error.code), "error")
        return _card(contact_request, side, status=409)
    flash(_("Request accepted.") if decision == "accept" else _("Request declined."), "success")
    if is_htmx():
        return _card(contact_request, side)
    return redirect_to(url_for("contacts.show", request_id=request_id))


@bp.post("/<int:request_id>/withdraw")
def withdraw(request_id: int):
    try:
        contact_request, side = services.visible(current_user, request_id)
        if side != "sender":
            raise services.NotFound
        services.withdraw(current_user, request_id)
    except services.NotFound:
        abort(404)
    except services.ContactError as error:
        flash(error_text(error.code), "error")
        return _card(contact_request, side, status=409)
    flash(_("Request withdrawn."), "success")
    if is_htmx():
        return _card(contact_request, side)
    return redirect_to(url_for("contacts.show", request_id=request_id))


@bp.post("/<int:request_id>/report")
def report(request_id: int):
    try:
        contact_request = services.report(
            current_user,
            request_id,
            request.form.get("reason", ""),
            request.form.get("note", ""),
        )
    except services.NotFound:
        abort(404)
    except services.ContactError as error:
        flash(error_text(error.code), "error")
        contact_request, side = services.visible(current_user, request_id)
        return _card(contact_request, side, status=422)
    flash(_("Thank you. The moderators will look at this request."), "success")
    if is_htmx():
        return _card(contact_request, "recipient")
    return redirect_to(url_for("contacts.show", request_id=request_id))


@bp.post("/<int:request_id>/lift")
def lift(request_id: int):
    try:
        contact_request = services.lift_exclusion(current_user, request_id)
    except services.NotFound:
        abort(404)
    flash(_("The matcher may suggest this organisation to you again."), "success")
    if is_htmx():
        return _card(contact_request, "recipient")
    return redirect_to(url_for("contacts.show", request_id=request_id))


def button_state(organisation_id: int) -> dict:
    """For templates: may the reader request contact with this organisation, or has
    one of their organisations already (pending or accepted)?"""
    if not current_user.is_authenticated:
        return {"can": False, "login": True}
    if "contact_organisations" not in g:  # asked once per page, not once per button
        g.contact_organisations = set(services.organisations_of(current_user))
    if organisation_id in g.contact_organisations:
        return {"can": False, "own": True}
    existing = services.open_requests_from(current_user, organisation_id)
    return {"can": True, "existing": existing[0] if existing else None}


def unread_requests() -> int:
    """For the header badge on every page."""
    if not current_user.is_authenticated:
        return 0
    return services.unread_count(current_user)


def project_title(project_id: int) -> str:
    entry = register_queries.entry("project", project_id)
    return entry.sort_title if entry is not None else _("a project no longer published")


def init_app(app) -> None:
    app.jinja_env.globals.update(
        contact_button_state=button_state,
        unread_requests=unread_requests,
        project_title=project_title,
        answer_form=_answer_form,
        shared_people=services.shared_people,
    )
