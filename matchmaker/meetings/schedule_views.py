"""Schedule all, for organisers: build a preview (the heuristic at once, then the solver in
the background), read its quality report and why each meeting left out could not be
placed, download the report, publish it as provisional or final; lock a meeting where
it is, and move one by hand.

Like the other organiser pages, every route finds the event through the person's
memberships of its host organisation: anyone else gets a 404.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from matchmaker.accounts.models import User
from matchmaker.csv_writer import csv_response
from matchmaker.events import services as events
from matchmaker.events.models import Event
from matchmaker.extensions import db
from matchmaker.i18n import current_language
from matchmaker.meetings import notify, scheduling, services, tasks
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.meetings.services import MeetingRefused
from matchmaker.meetings.views import parse_slot, refusal_text, slot_label, slot_value, table_label
from matchmaker.web import redirect_to, render

bp = Blueprint("meeting_schedule", __name__)


@bp.before_request
@login_required
def _members_only():
    """Every page here is for signed-in organisers."""


def _event_and_setup(event_id: int):
    event = events.managed_event(current_user, event_id)
    setup = services.setup_of(event_id) if event is not None else None
    if event is None or setup is None or not setup.enabled:
        abort(404)
    return event, setup


def reason_text(reason: str, person: str = "", most: int = 0) -> str:
    """Why a meeting could not be placed, in the organiser's words."""
    if reason == "person_full":
        return ngettext(
            "%(name)s already has the most meetings allowed (%(num)d).",
            "%(name)s already has the most meetings allowed (%(num)d).",
            most,
            name=person,
        )
    texts = {
        "no_common_slot": _("The two are never available at the same time."),
        "both_busy": _("Whenever both are available, one of them has another meeting."),
        "no_table": _("Whenever both are free, every table is taken."),
        "time_limit": _("A time was possible: build the schedule again to place it."),
    }
    return texts.get(reason, _("That is not possible."))


def _names(ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))).all())


def _requests(ids) -> dict[int, MeetingRequest]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = db.session.scalars(db.select(MeetingRequest).where(MeetingRequest.id.in_(ids)))
    return {r.id: r for r in found}


def _view(event: Event, setup, run):
    """What the page shows of a run: proposals per slot, the meetings left out with their
    reasons, and the report."""
    slots = {scheduling.minutes(s.starts_at): s for s in services.slots_of(setup, event)}
    by_id = _requests([p[0] for p in run.placements] + [u[0] for u in run.unplaced])
    names = _names(
        [r.requester_id for r in by_id.values()]
        + [r.recipient_id for r in by_id.values()]
        + [u[2] for u in run.unplaced if u[2]]
    )

    def pair(request_id: int) -> str:
        r = by_id.get(request_id)
        if r is None:
            return ""
        return _("%(one)s and %(other)s", one=names.get(r.requester_id, ""),
                 other=names.get(r.recipient_id, ""))  # fmt: skip

    lang = current_language()
    by_slot = defaultdict(list)
    for request_id, starts, table in run.placements:
        slot = slots.get(starts)
        if slot is not None:
            by_slot[starts].append((table, pair(request_id)))
    plan = [
        (slot_label(slots[starts].starts_at, slots[starts].ends_at, event, lang), sorted(rows))
        for starts, rows in sorted(by_slot.items())
    ]
    left_out = [
        (pair(request_id), reason_text(reason, names.get(person, ""), setup.max_meetings))
        for request_id, reason, person in run.unplaced
    ]
    return {
        "plan": plan,
        "left_out": left_out,
        "moves": _moves(event, setup, run, slots, lang),
        "table_name": lambda n: table_label(setup, n),
    }


def both_names(meeting: Meeting) -> str:
    """ "Anna and Lars": the two people of a meeting, as the organiser's pages name them."""
    return _("%(one)s and %(other)s", one=meeting.seats[0].user.name,
             other=meeting.seats[1].user.name)  # fmt: skip


def _moves(event: Event, setup, run, slots, lang: str) -> list[tuple[str, str, str]]:
    """The preview's moves of booked meetings: (who, where now, where then)."""
    if not run.moves:
        return []
    booked = {m.request_id: m for m in services.booked_meetings(event.id)}

    def where(starts_at, ends_at, table) -> str:
        return f"{slot_label(starts_at, ends_at, event, lang)}, {table_label(setup, table)}"

    rows = []
    for request_id, starts, table in run.moves:
        meeting, slot = booked.get(request_id), slots.get(starts)
        if meeting is None or slot is None:
            continue
        rows.append((both_names(meeting), where(meeting.starts_at, meeting.ends_at, meeting.table_number),
                     where(slot.starts_at, slot.ends_at, table)))  # fmt: skip
    return rows


@bp.route("/")
def page(event_id: int):
    event, setup = _event_and_setup(event_id)
    run = scheduling.run_of(event.id)
    current = run is not None and run.setup_revision == setup.revision
    waiting = scheduling.waiting_requests(event.id)
    return render(
        "meetings/schedule.html",
        event=event,
        setup=setup,
        run=run,
        current=current,
        waiting=len(waiting),
        **(_view(event, setup, run) if run else {"plan": [], "left_out": [], "moves": []}),
    )


@bp.route("/solver")
def solver_status(event_id: int):
    """Polled while the solver improves a preview: nothing (204) until it has finished,
    then a line saying so, with a link to the schedule it built."""
    event, _setup = _event_and_setup(event_id)
    run = scheduling.run_of(event.id)
    token = request.args.get("token", "")
    if run is not None and run.token == token and run.status == "improving":
        return "", 204
    if run is None or run.token != token:
        return render("meetings/_solver_replaced.html", event=event)
    return render("meetings/_solver_done.html", event=event, run=run)


@bp.route("/build", methods=["POST"])
def build(event_id: int):
    event, setup = _event_and_setup(event_id)
    run = scheduling.build(event, setup, release=request.form.get("release") == "1")
    tasks.improve_schedule(event.id, run.token)
    flash(_("The preview is ready. Nothing is booked until you publish it."), "success")
    return redirect_to(url_for("meeting_schedule.page", event_id=event.id))


PUBLISH_REFUSALS = {
    "grid_changed": _l("The set-up has changed since this preview: build it again."),
    "booked_changed": _l(
        "Booked meetings have changed since this preview, which moves some of them: build it again."
    ),
}


@bp.route("/publish", methods=["POST"])
def publish(event_id: int):
    event, _setup = _event_and_setup(event_id)
    final = request.form.get("final") == "1"
    try:
        done = scheduling.publish(event, final=final, then=notify.published)
    except MeetingRefused as error:
        refusal = PUBLISH_REFUSALS.get(
            error.code, _l("There is no preview to publish: build one first.")
        )
        flash(str(refusal), "error")
        return redirect_to(url_for("meeting_schedule.page", event_id=event.id))
    flash(_published_message(done), "success")
    return redirect_to(url_for("meeting_admin.overview", event_id=event.id))


def _published_message(done: scheduling.Publication) -> str:
    parts = [
        _("The agenda is published as final.")
        if done.final
        else _("The agenda is published as provisional."),
        ngettext("%(num)d meeting booked.", "%(num)d meetings booked.", len(done.booked)),
    ]
    if done.moved:
        parts.append(ngettext("%(num)d meeting moved.", "%(num)d meetings moved.", len(done.moved)))
    if done.skipped:
        parts.append(
            ngettext(
                "%(num)d proposal no longer fitted and was left out.",
                "%(num)d proposals no longer fitted and were left out.",
                done.skipped,
            )
        )
    parts.append(_("Each person concerned has been told once."))
    return " ".join(parts)


@bp.route("/lock/<int:meeting_id>", methods=["POST"])
def lock(event_id: int, meeting_id: int):
    """Lock a booked meeting where it is ("schedule all" keeps it), or unlock it."""
    event, _setup = _event_and_setup(event_id)
    locked = request.form.get("locked") == "1"
    try:
        meeting = services.set_locked(event, meeting_id, locked)
    except MeetingRefused:
        abort(404)
    names = both_names(meeting)
    flash(
        _("The meeting of %(names)s is locked: schedules keep it where it is.", names=names)
        if locked
        else _("The meeting of %(names)s is unlocked.", names=names),
        "success",
    )
    return redirect_to(url_for("meeting_admin.overview", event_id=event.id))


def move_refusal(error: MeetingRefused) -> str:
    """Why a meeting cannot move there, in the organiser's words."""
    person = error.details.get("person", "")
    texts = {
        "person_away": _("%(name)s is away at that time.", name=person),
        "person_busy": _("%(name)s has another meeting at that time.", name=person),
        "table_taken": _("That place is taken at that time."),
    }
    return texts.get(error.code) or refusal_text(error.code)


@bp.route("/move/<int:meeting_id>", methods=["GET", "POST"])
def move(event_id: int, meeting_id: int):
    """Move one booked meeting by hand to another time or place, by the booking rules."""
    event, setup = _event_and_setup(event_id)
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id or meeting.status != "booked":
        abort(404)
    lang = current_language()
    context = {
        "event": event,
        "meeting": meeting,
        "names": both_names(meeting),
        "slots": [
            (slot_value(s), slot_label(s.starts_at, s.ends_at, event, lang))
            for s in services.slots_of(setup, event)
        ],
        "tables": [
            (n, table_label(setup, n)) for n in range(1, services.table_name_count(setup) + 1)
        ],
        "chosen_slot": slot_value(meeting),
        "chosen_table": meeting.table_number,
        "error": "",
    }
    if request.method == "GET":
        return render("meetings/move.html", **context)
    starts_at = parse_slot(request.form.get("slot"))
    table = request.form.get("table", type=int) or 0
    context.update(chosen_slot=request.form.get("slot", ""), chosen_table=table)
    try:
        if starts_at is None:
            raise MeetingRefused("not_a_slot")
        moved = services.move_meeting(event, meeting.id, starts_at, table, then=notify.moved)
    except MeetingRefused as error:
        if error.code == "not_found":
            abort(404)
        context["error"] = move_refusal(error)
        return render("meetings/move.html", status=409, **context)
    when = slot_label(moved.starts_at, moved.ends_at, event, lang)
    flash(_("Meeting moved to %(when)s, %(place)s; both people have been told.", when=when,
            place=table_label(setup, moved.table_number)), "success")  # fmt: skip
    return redirect_to(url_for("meeting_admin.overview", event_id=event.id))


@bp.route("/report.csv")
def report_csv(event_id: int):
    event, setup = _event_and_setup(event_id)
    run = scheduling.run_of(event.id)
    if run is None:
        abort(404)
    shown = _view(event, setup, run)
    rows = [(_("Scheduled"), when, shown["table_name"](table), who)
            for when, tables in shown["plan"] for table, who in tables]  # fmt: skip
    rows += [(_("Not placed"), "", reason, who) for who, reason in shown["left_out"]]
    return csv_response(
        [_("Outcome"), _("Time"), _("Place or reason"), _("Who meets")],
        rows,
        f"schedule-event-{event.id}.csv",
        private=True,
    )
