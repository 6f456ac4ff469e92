"""The moderators' queue, review page, decisions and audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.auth import role_required
from matchmaker.contacts import services as contact_services
from matchmaker.events import notify as event_notify
from matchmaker.events import services as event_services
from matchmaker.i18n import current_language
from matchmaker.moderation import services, values
from matchmaker.moderation.forms import DecisionForm, QueueFilterForm
from matchmaker.moderation.notify import tell_followers, tell_members
from matchmaker.web import redirect_to, render

bp = Blueprint("moderation", __name__)


@bp.before_request
@role_required("moderator", "admin")
def _moderators_only():
    """Every page here is for moderators and admins."""


@bp.route("/")
def queue():
    form = QueueFilterForm(request.args, meta={"csrf": False}, lang=current_language())
    filters = services.QueueFilters()
    if form.validate():
        filters = form.to_filters()
    items = services.queue(filters)
    return render("moderation/queue.html", block="results", form=form, items=items)


def _told(_record, registrations) -> None:
    """The participants of an event taken off the site with its organisation."""
    event_notify.unpublished(registrations)


def _item_or_404(item_type: str, item_id: int):
    item = services.get_item(item_type, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/<any(organisation, project):item_type>/<int:item_id>", methods=["GET", "POST"])
def review(item_type: str, item_id: int):
    item = _item_or_404(item_type, item_id)
    form = DecisionForm()
    if form.validate_on_submit():
        action = {
            "approve": services.approve,
            "return": services.return_for_changes,
            "reject": services.reject,
            "unpublish": services.unpublish,
        }[form.decision.data]
        was_public = services.public_snapshot(item_type, item.id) is not None
        organisation = item if item_type == "organisation" else item.organisation

        def tell(record) -> None:
            tell_members(item_type, item, organisation, record)

        try:
            record = action(item_type, item, current_user, form.note.data or "", then=tell)
        except services.NoteRequired:
            form.note.errors.append(_("Write a note that tells the organisation what to change."))
        except services.AlreadyDecided:
            flash(_("This item has already been decided, perhaps by another moderator."), "info")
            return redirect_to(url_for("moderation.queue"))
        except services.OrganisationNotPublished:
            flash(
                _("Publish the organisation first: its projects can only be public after it is."),
                "error",
            )
        else:
            if item_type == "organisation" and record.decision == "unpublished":
                # Its events leave the site with it; their participants are told.
                for event in event_services.published_events_of(item.id):
                    services.unpublish_event(event, current_user, record.note, then=_told)
            if record.decision == "approved" and not was_public:
                tell_followers(item_type, item.id)
            flash(_("Decision saved and the organisation informed."), "success")
            return redirect_to(url_for("moderation.queue"))
    return render(
        "moderation/review.html",
        status=422 if form.errors else 200,
        item_type=item_type,
        item=item,
        form=form,
        changes=values.present(
            services.pending_changes(item_type, item),
            organisation_id=item.id if item_type == "organisation" else item.organisation_id,
        ),
        waits_for=services.waits_for(item_type, item),
        is_public=services.public_snapshot(item_type, item.id) is not None,
        history=services.decisions_for(item_type, item.id),
    )


@bp.route("/log")
def log():
    return render("moderation/log.html", decisions=services.audit_log())


@bp.route("/reports")
def reports():
    return render("moderation/reports.html", reports=contact_services.open_reports())


@bp.post("/reports/<int:request_id>")
def decide_report(request_id: int):
    decision = request.form.get("decision")
    if decision not in ("suspend", "dismiss"):
        abort(400)
    try:
        contact_services.decide_report(current_user, request_id, suspend=decision == "suspend")
    except contact_services.NotFound:
        flash(_("This report has already been handled."), "info")
    else:
        if decision == "suspend":
            flash(_("The sender's account is suspended."), "success")
        else:
            flash(_("The report is dismissed."), "success")
    return redirect_to(url_for("moderation.reports"))


@bp.route("/events/<int:event_id>/unpublish", methods=["POST"])
def unpublish_event(event_id: int):
    """Take an event off the site, with a note the organisers see."""
    event = event_services.public_event(event_id)
    if event is None or event.status != "published":
        abort(404)
    note = (request.form.get("note") or "").strip()[:2000]
    if not note:
        flash(_("Write a note to the organisers: they need to know why."), "error")
        return redirect_to(url_for("events.show", event_id=event_id))

    def tell(record, registrations) -> None:
        tell_members("event", event, event.organisation, record)
        event_notify.unpublished(registrations)

    services.unpublish_event(event, current_user, note, then=tell)
    flash(_("The event is unpublished."), "success")
    return redirect_to(url_for("events.show", event_id=event_id))


@bp.route("/events/<int:event_id>/republish", methods=["POST"])
def republish_event(event_id: int):
    """Put an unpublished event back on the site."""
    event = event_services.moderated_event(event_id)
    if event is None or event.status != "unpublished":
        abort(404)
    services.republish_event(
        event,
        current_user,
        then=lambda record: tell_members("event", event, event.organisation, record),
    )
    flash(_("The event is public again."), "success")
    return redirect_to(url_for("events.show", event_id=event_id))
