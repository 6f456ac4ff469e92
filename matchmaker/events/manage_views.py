"""Events for organisers: create, edit, publish, the participant list and what it allows.

Every route finds the event through the person's memberships: another organisation's
event, or a registration of another event, is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from matchmaker import geo
from matchmaker.accounts.models import utcnow
from matchmaker.csv_writer import csv_response
from matchmaker.events import export, notify, seats, services
from matchmaker.events import questions as question_rules
from matchmaker.events.forms import (
    STATUS_LABELS,
    CancelForm,
    EventForm,
    MessageForm,
    form_data_from,
    new_event_data,
)
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.i18n import current_language
from matchmaker.organisations.services import member_organisation
from matchmaker.web import redirect_to, render

bp = Blueprint("event_admin", __name__)


@bp.before_request
@login_required
def _members_only():
    """Every page here is for signed-in members of the host organisation."""


def _event_or_404(event_id: int) -> Event:
    event = services.managed_event(current_user, event_id)
    if event is None:
        abort(404)
    return event


def _registration_or_404(event: Event, registration_id: int):
    registration = services.event_registration(event, registration_id)
    if registration is None:
        abort(404)
    return registration


def _capacity_error(form: EventForm, error: seats.CapacityTooLow) -> None:
    form.capacity.errors = [
        *form.capacity.errors,
        ngettext(
            "%(num)d person already has a seat: the event needs at least that many seats. "
            "Remove participants first to have fewer.",
            "%(num)d people already have a seat: the event needs at least that many seats. "
            "Remove participants first to have fewer.",
            error.confirmed,
        ),
    ]


@bp.route("/new", methods=["GET", "POST"])
def create():
    organisation_id = request.args.get("organisation", type=int)
    org = member_organisation(current_user, organisation_id) if organisation_id else None
    if org is None:
        abort(404)
    lang = current_language()
    hosts = [o for o in services.organiser_organisations(current_user) if o.id != org.id]
    form = EventForm(
        lang=lang,
        hosts=hosts,
        creating=True,
        data=None if request.method == "POST" else new_event_data(org, lang),
    )
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, org, form.to_input())
        except services.UnknownTag:
            abort(400)
        flash(_("The event is saved as a draft. Publish it when it is ready."), "success")
        return redirect_to(url_for("event_admin.manage", event_id=event.id))
    return render(
        "events/edit.html", status=422 if form.errors else 200, form=form, event=None, org=org
    )


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _event_or_404(event_id)
    lang = current_language()
    hosts = [
        o for o in services.organiser_organisations(current_user) if o.id != event.organisation_id
    ]
    if request.method == "POST":
        form = EventForm(lang=lang, hosts=hosts)
    else:
        form = EventForm(lang=lang, hosts=hosts, data=form_data_from(event))
    context = {"form": form, "event": event, "org": event.organisation}
    if form.validate_on_submit():
        revision = int(form.revision.data) if (form.revision.data or "").isdigit() else 0
        before = services.time_and_place(event)

        def tell(outcome: seats.Outcome) -> None:
            notify.promotions(outcome)
            if event.status == "published" and services.time_and_place(event) != before:
                notify.changed(event, services.active_registrations(event.id))

        try:
            services.update_event(current_user, event, form.to_input(), revision, then=tell)
        except services.StaleEdit:
            flash(
                _(
                    "Someone else saved this event while you were editing. "
                    "Your changes were not saved: reload the page and make them again."
                ),
                "error",
            )
            return render("events/edit.html", status=409, **context)
        except services.CapacityTooLow as error:
            _capacity_error(form, error)
            return render("events/edit.html", status=422, **context)
        except services.UnknownTag:
            abort(400)
        flash(_("Your changes are saved."), "success")
        return redirect_to(url_for("event_admin.manage", event_id=event.id))
    return render("events/edit.html", status=422 if form.errors else 200, **context)


def _manage_page(event: Event, status: int = 200, **extra):
    people = services.participants(event.id)
    return render(
        "events/manage.html",
        status=status,
        event=event,
        people=people,
        questions=question_rules.in_language(
            event.questions, current_language(), event.original_language
        ),
        message_form=extra.pop("message_form", None) or MessageForm(),
        cancel_form=extra.pop("cancel_form", None) or CancelForm(),
        messages=services.messages_of(event.id),
        coming=event.status == "published" and aware(event.starts_at) > utcnow(),
        **extra,
    )


@bp.route("/<int:event_id>")
def manage(event_id: int):
    return _manage_page(_event_or_404(event_id))


@bp.route("/<int:event_id>/publish", methods=["POST"])
def publish(event_id: int):
    event = _event_or_404(event_id)
    try:
        services.publish_event(event)
    except services.NotPublishable:
        if event.status == "unpublished":
            flash(_("A moderator has unpublished this event: see their note."), "error")
        elif event.organisation.status != "published":
            flash(_("An event is published once its organisation's profile is published."), "error")
        else:
            flash(_("This event is already published."), "info")
    else:
        flash(_("The event is published."), "success")
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/registration", methods=["POST"])
def registration(event_id: int):
    """Close registration early, or open it again."""
    event = _event_or_404(event_id)
    closed = request.form.get("closed") == "yes"
    services.set_registration_closed(event, closed)
    flash(_("Registration is closed.") if closed else _("Registration is open again."), "success")
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/cancel", methods=["POST"])
def cancel(event_id: int):
    event = _event_or_404(event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _manage_page(event, status=422, cancel_form=form)
    told = services.cancel_event(event, form.note.data or "", then=notify.cancelled)
    flash(
        ngettext(
            "The event is cancelled. %(num)d person has been told.",
            "The event is cancelled. %(num)d people have been told.",
            len(told),
        ),
        "success",
    )
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/delete", methods=["POST"])
def delete_draft(event_id: int):
    event = _event_or_404(event_id)
    organisation_id = event.organisation_id
    if not services.delete_draft(event):
        flash(_("Only a draft can be deleted; cancel a published event instead."), "error")
        return redirect_to(url_for("event_admin.manage", event_id=event_id))
    flash(_("The draft is deleted."), "success")
    return redirect_to(url_for("organisations.manage", organisation_id=organisation_id))


@bp.route("/<int:event_id>/registrations/<int:registration_id>/remove", methods=["POST"])
def remove(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    outcome = seats.release(registration.id, "removed", then=notify.removal)
    if outcome.registration is not None:
        flash(_("%(name)s is removed from the event.", name=registration.user.name), "success")
    else:
        flash(_("This registration had already ended."), "info")
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/registrations/<int:registration_id>/seat", methods=["POST"])
def give_seat(event_id: int, registration_id: int):
    """Seat someone from the waiting list out of turn (the event gets one more seat)."""
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    outcome = seats.give_seat(registration.id, then=notify.promotions)
    if outcome.registration is None:
        flash(
            _(
                "Only people still on the waiting list of a coming, published event can be given a seat."
            ),
            "info",
        )
    else:
        flash(_("%(name)s has a seat now.", name=registration.user.name), "success")
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/registrations/<int:registration_id>/first", methods=["POST"])
def move_first(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    if seats.move_to_front(registration.id):
        flash(_("%(name)s is first on the waiting list.", name=registration.user.name), "success")
    else:
        flash(_("This person is no longer on the waiting list."), "info")
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/message", methods=["POST"])
def message(event_id: int):
    event = _event_or_404(event_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _manage_page(event, status=422, message_form=form)
    try:
        recipients = services.record_message(
            event,
            current_user,
            form.audience.data,
            form.subject.data,
            form.body.data,
            per_day=current_app.config["EVENT_MESSAGES_PER_DAY"],
        )
    except services.AlreadySent:
        flash(_("This message was sent a moment ago; it was not sent again."), "info")
        return redirect_to(url_for("event_admin.manage", event_id=event.id))
    except services.TooManyMessages:
        form.body.errors = [
            _("You have sent as many messages for this event as allowed today. Try again tomorrow.")
        ]
        return _manage_page(event, status=429, message_form=form)
    sent = notify.message(recipients, form.subject.data, form.body.data, current_user)
    flash(
        ngettext(
            "Your message was sent to %(num)d person.",
            "Your message was sent to %(num)d people.",
            sent,
        ),
        "success",
    )
    return redirect_to(url_for("event_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/participants.csv")
def participants_csv(event_id: int):
    event = _event_or_404(event_id)
    lang = current_language()
    people = services.participants(event.id)
    # The questions and choices in the organiser's language (theirs, else English...).
    questions = question_rules.in_language(event.questions, lang, event.original_language)
    rows = []
    ordered = (
        [(r, None) for r in people.confirmed]
        + [(r, None) for r in people.offered]
        + [(r, i) for i, r in enumerate(people.waiting, start=1)]
        + [(r, None) for r in people.ended]
    )
    for registration, place in ordered:
        org = registration.organisation
        rows.append(
            export.Row(
                name=registration.user.name,
                organisation=org.name if org else "",
                country=geo.country_name(org.country, lang) if org else "",
                status=str(STATUS_LABELS[registration.status]),
                position=place,
                signed_up_at=registration.created_at,
                email=registration.user.email if registration.share_email else None,
                phone=registration.user.phone if registration.share_phone else None,
                answers={
                    q["key"]: question_rules.answer_text(
                        q, (registration.answers or {}).get(q["key"])
                    )
                    for q in questions
                },
            )
        )
    headings = {
        "name": _("Participant"),
        "organisation": _("Organisation"),
        "country": _("Country"),
        "status": _("Status"),
        "position": _("Place on the waiting list"),
        "signed_up_at": _("Signed up"),
        "email": _("E-mail"),
        "phone": _("Phone"),
    }
    header, cells = export.csv_columns(
        rows, headings, [(q["key"], q["label"]) for q in questions], event.timezone
    )
    return csv_response(header, cells, f"participants-{event.id}.csv", private=True)
