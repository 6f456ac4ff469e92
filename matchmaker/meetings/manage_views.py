"""1:1 meetings for organisers: the set-up, the overview, who takes part, the table plan
and the CSV of all meetings.

Every route finds the event through the person's memberships of its host organisation
(`events.services.managed_event`): anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.csv_writer import csv_response
from matchmaker.events import services as events
from matchmaker.events import times
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.i18n import current_language
from matchmaker.meetings import grid, outcomes, schedule_views, scheduling, services
from matchmaker.meetings.models import MeetingSetup
from matchmaker.meetings.services import MeetingRefused, SetupInput
from matchmaker.meetings.views import place_label, slot_label
from matchmaker.web import redirect_to, render

bp = Blueprint("meeting_admin", __name__)

LENGTHS = (10, 15, 20, 25, 30, 45, 60)
LOCAL = "%Y-%m-%dT%H:%M"


@bp.before_request
@login_required
def _members_only():
    """Every page here is for signed-in members of the host organisation."""


def _event_or_404(event_id: int) -> Event:
    event = events.managed_event(current_user, event_id)
    if event is None:
        abort(404)
    return event


def grid_error_text(error: grid.GridError) -> str:
    if error.code == "unreadable":
        return _(
            "Line %(line)d does not read as a session: write it like 2027-03-10 09:00-12:00.",
            line=error.line,
        )
    if error.code == "ends_before_start":
        return _("The session on line %(line)d ends before it starts.", line=error.line)
    texts = {
        "no_sessions": _("Give at least one meeting session."),
        "overlap": _("Two sessions overlap on the same day."),
        "too_many": _("That makes more than %(num)d slots: use fewer or shorter sessions.")
        % {"num": grid.MAX_SLOTS},
        "length": _("Choose a meeting length."),
        "no_slots": _("No meeting fits in these sessions: make them longer than one meeting."),
    }
    return texts.get(error.code, _("These sessions cannot make a schedule."))


@dataclass
class SetupForm:
    """The set-up form's values as typed, and what is wrong with them."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def number(self, name: str, low: int, high: int) -> int:
        text = (self.values.get(name) or "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            self.errors[name] = _(
                "Give a whole number from %(low)d to %(high)d.", low=low, high=high
            )
            return low
        return int(text)

    def moment(self, name: str, zone: str) -> datetime | None:
        text = (self.values.get(name) or "").strip()
        if not text:
            return None
        try:
            return times.to_utc(datetime.strptime(text, LOCAL), zone)
        except ValueError:
            self.errors[name] = _("Give a date and time.")
            return None


def _form_values(setup: MeetingSetup | None, event: Event) -> dict[str, str]:
    if setup is None:
        return {
            "enabled": "",
            "sessions": "",
            "length": "20",
            "break": "5",
            "tables": "10",
            "table_names": "",
            "video_pattern": "",
            "max_meetings": "8",
            "max_open_requests": "10",
            "expiry_days": "7",
            "requests_open_at": "",
            "requests_close_at": "",
            "organiser_schedules": "",
            "solver_seconds": "15",
            "needs_acceptance": "1",
        }

    def local(value):
        return times.at_place(value, event.timezone).strftime(LOCAL) if value else ""

    return {
        "enabled": "1" if setup.enabled else "",
        "sessions": grid.windows_text(services.windows_of(setup)),
        "length": str(setup.length_minutes),
        "break": str(setup.break_minutes),
        "tables": str(setup.table_count),
        "table_names": "\n".join(setup.table_names or []),
        "video_pattern": setup.video_pattern or "",
        "max_meetings": str(setup.max_meetings),
        "max_open_requests": str(setup.max_open_requests),
        "expiry_days": str(setup.expiry_days),
        "requests_open_at": local(setup.requests_open_at),
        "requests_close_at": local(setup.requests_close_at),
        "organiser_schedules": "1" if setup.organiser_schedules else "",
        "solver_seconds": str(setup.solver_seconds),
        "needs_acceptance": "1" if setup.needs_acceptance else "",
    }


def _read(form: SetupForm, event: Event) -> SetupInput | None:
    values = form.values
    windows: list[grid.Window] = []
    try:
        windows = grid.parse_windows(values.get("sessions", ""))
    except grid.GridError as error:
        form.errors["sessions"] = grid_error_text(error)
    length = form.number("length", 5, 240)
    names = [n.strip()[:60] for n in values.get("table_names", "").splitlines() if n.strip()]
    if len(names) > 500:
        form.errors["table_names"] = _("Give at most 500 tables or rooms.")
    pattern = (values.get("video_pattern") or "").strip()
    try:  # the same rule as an address a participant pastes, {meeting} as a number
        services.clean_video_url(pattern.replace("{meeting}", "1")[:300])
    except MeetingRefused:
        form.errors["video_pattern"] = _("The video address must start with https://.")
    data = SetupInput(
        enabled=values.get("enabled") == "1",
        windows=windows,
        length_minutes=length,
        break_minutes=form.number("break", 0, 120),
        table_count=len(names) or form.number("tables", 1, 500),
        table_names=names,
        video_pattern=pattern[:300] or None,
        max_meetings=form.number("max_meetings", 1, 100),
        max_open_requests=form.number("max_open_requests", 1, 200),
        requests_open_at=form.moment("requests_open_at", event.timezone),
        requests_close_at=form.moment("requests_close_at", event.timezone),
        expiry_days=form.number("expiry_days", 1, 60),
        organiser_schedules=values.get("organiser_schedules") == "1",
        needs_acceptance=values.get("needs_acceptance") == "1",
        solver_seconds=form.number("solver_seconds", 1, 300)
        if values.get("solver_seconds")
        else 15,
    )
    opens, closes = data.requests_open_at, data.requests_close_at
    if opens and closes and closes <= opens:
        form.errors["requests_close_at"] = _("Requests must close after they open.")
    return None if form.errors else data


@bp.route("/settings", methods=["GET", "POST"])
def settings(event_id: int):
    event = _event_or_404(event_id)
    if event.kind not in services.MEETING_KINDS:
        abort(404)
    setup = services.setup_of(event.id)
    form = SetupForm(
        request.form.to_dict() if request.method == "POST" else _form_values(setup, event)
    )
    context = {"event": event, "form": form, "lengths": LENGTHS}
    if request.method == "GET":
        return render("meetings/settings.html", **context)
    data = _read(form, event)
    if data is None:
        return render("meetings/settings.html", status=422, **context)
    try:
        services.save_setup(event, data)
    except grid.GridError as error:
        form.errors["sessions"] = grid_error_text(error)
        return render("meetings/settings.html", status=422, **context)
    except MeetingRefused as error:
        form.errors["sessions"] = (
            _(
                "Some booked meetings would fall outside these sessions or tables: move or cancel them first."
            )
            if error.code == "booked_outside"
            else _("Meetings can only be held at matchmaking events and conferences.")
        )
        return render("meetings/settings.html", status=409, **context)
    flash(_("The meetings set-up is saved."), "success")
    return redirect_to(url_for("meeting_admin.overview", event_id=event.id))


@bp.route("/")
def overview(event_id: int):
    event = _event_or_404(event_id)
    setup = services.setup_of(event.id)
    if setup is None:
        return redirect_to(url_for("meeting_admin.settings", event_id=event.id))
    meetings = services.booked_meetings(event.id)
    people = services.participants(event.id, everyone=True)
    per_person: dict[int, int] = {}
    for meeting in meetings:
        for seat in meeting.seats:
            per_person[seat.user_id] = per_person.get(seat.user_id, 0) + 1
    slots = services.slots_of(setup, event)
    plan = _table_plan(setup, event, slots, meetings)
    return render(
        "meetings/manage.html",
        event=event,
        setup=setup,
        figures=outcomes.overview(event.id),
        people=people,
        per_person=per_person,
        plan=plan,
        slot_count=len(slots),
        waiting=_waiting(event, setup),
    )


def _waiting(event: Event, setup) -> list[tuple[str, str]]:
    """Accepted requests without a time: who, and why (as the current preview found)."""
    reasons = scheduling.waiting_reasons(event, setup)
    run = scheduling.run_of(event.id)
    proposed = {p[0] for p in run.placements} if run and run.status != "published" else set()
    rows = []
    for r in scheduling.waiting_requests(event.id):
        why = reasons.get(r.id)
        if why is not None:
            person = why.person and (r.requester if why.person == r.requester_id else r.recipient)
            text = schedule_views.reason_text(why.reason, person.name if person else "",
                                              setup.max_meetings)  # fmt: skip
        elif r.id in proposed:
            text = _("Placed in the preview: publish it to book.")
        else:
            text = _("Not in a schedule yet.")
        pair = _("%(one)s and %(other)s", one=r.requester.name, other=r.recipient.name)
        rows.append((pair, text))
    return rows


def _table_plan(setup, event: Event, slots, meetings):
    """For each slot with meetings: its label and (table, place, the two names, meeting
    id, locked) rows."""
    by_slot: dict[datetime, list] = {}
    for meeting in meetings:
        names = " – ".join(seat.user.name for seat in meeting.seats)  # noqa: RUF001
        by_slot.setdefault(aware(meeting.starts_at), []).append(
            (
                meeting.table_number,
                place_label(setup, event, meeting),
                names,
                meeting.id,
                meeting.locked,
            )
        )
    lang = current_language()
    return [
        (slot_label(s.starts_at, s.ends_at, event, lang), sorted(by_slot[s.starts_at]))
        for s in slots
        if s.starts_at in by_slot
    ]


@bp.route("/access/<int:user_id>", methods=["POST"])
def access(event_id: int, user_id: int):
    event = _event_or_404(event_id)
    if services.setup_of(event.id) is None:
        abort(404)
    known = {p.user.id: p for p in services.participants(event.id, everyone=True)}
    if user_id not in known:
        abort(404)
    allowed = request.form.get("allowed") == "1"
    services.set_access(event, user_id, allowed)
    name = known[user_id].user.name
    if allowed:
        flash(_("%(name)s can take part in meetings.", name=name), "success")
    else:
        flash(_("%(name)s no longer takes part in meetings.", name=name), "success")
    return redirect_to(url_for("meeting_admin.overview", event_id=event.id))


@bp.route("/meetings.csv")
def meetings_csv(event_id: int):
    event = _event_or_404(event_id)
    setup = services.setup_of(event.id)
    if setup is None:
        abort(404)
    header = [
        _("Start"),
        _("End"),
        _("Place"),
        _("Participant 1"),
        _("Participant 2"),
        _("Requested by"),
        _("Held (participant 1)"),
        _("Held (participant 2)"),
    ]
    rows = []
    for meeting in services.booked_meetings(event.id):
        first, second = meeting.seats
        rows.append(
            [
                times.at_place(meeting.starts_at, event.timezone).strftime("%Y-%m-%d %H:%M"),
                times.at_place(meeting.ends_at, event.timezone).strftime("%Y-%m-%d %H:%M"),
                place_label(setup, event, meeting),
                first.user.name,
                second.user.name,
                meeting.request.requester.name,
                first.presence or "",
                second.presence or "",
            ]
        )
    return csv_response(header, rows, f"meetings-{event.id}.csv", private=True)
