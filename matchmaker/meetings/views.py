"""1:1 meetings for participants: who to meet, requests, the agenda, availability.

Every page is for a signed-in person taking part in the event's meetings; anyone else
gets a page that says how to take part (403), and an object of another person or event
is a 404. Forms work without JavaScript (POST, then a redirect); with htmx the request
and meeting cards are swapped in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps

from babel.lists import format_list
from flask import Blueprint, Response, abort, current_app, flash, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.accounts.sharing import shared_details
from matchmaker.events import calendar, seats, times
from matchmaker.events import services as events
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.extensions import db, limiter
from matchmaker.i18n import current_language, date_text, time_text
from matchmaker.matching.present import reason_text
from matchmaker.meetings import notify, outcomes, profile, scheduling, services, suggestions
from matchmaker.meetings.models import (
    MAX_MESSAGE,
    MAX_NOTE,
    MAX_VIDEO_URL,
    MeetingRequest,
    MeetingSeat,
)
from matchmaker.meetings.services import MeetingRefused
from matchmaker.register.models import RegisterEntry
from matchmaker.taxonomy.queries import tag_label
from matchmaker.web import is_htmx, redirect_to, render

bp = Blueprint("meetings", __name__)
PAGE_SIZE = 20  # people per page of "who to meet"
REASONS_SHOWN = 3  # the strongest reasons on each side
# Refusals about the time chosen: said at the time field.
SLOT_REFUSALS = ("choose_slot", "not_a_slot", "slot_not_free", "no_table")


def refusal_text(code: str, limit: int = 0) -> str:
    """Why something about a meeting cannot happen, in the reader's words."""
    texts = {
        "off": _("Meetings are not open at this event."),
        "yourself": _("You cannot ask yourself for a meeting."),
        "not_participant": _("Only confirmed participants can take part in meetings."),
        "not_found": _("This person or request is not part of this event's meetings."),
        "requests_not_open": _("Meeting requests are not open yet."),
        "requests_closed": _("Meeting requests are closed."),
        "too_long": _("The message is too long."),
        "not_a_slot": _("That time is not one of the event's meeting slots, or it has passed."),
        "slot_not_free": _("That time is no longer free for both of you. Choose another."),
        "choose_slot": _("Choose a time for the meeting."),
        "no_table": _("Every table is taken at that time. Choose another."),
        "already_accepted": _("This request has already been accepted."),
        "already_declined": _("This request has already been declined."),
        "already_withdrawn": _("This request has been withdrawn."),
        "already_expired": _("This request has expired."),
        "already_cancelled": _("This meeting has been cancelled."),
        "started": _("This meeting has already started: it can no longer be cancelled."),
        "not_yet": _("That can only be said once the meeting has taken place."),
        "busy": _("You have a meeting in a slot you marked as away: cancel it first."),
        "organiser_schedules": _("At this event the organisers give every meeting its time."),
        "bad_value": _("Choose one of the options."),
        "video_not_online": _("Only meetings at an online event have a video address."),
        "video_bad": _(
            "Give the video address as a link that starts with https://, such as the one "
            "your Teams, Zoom or Meet call gives you."
        ),
    }
    if code == "open_limit":
        return ngettext(
            "You already have %(num)d open request, the most allowed here. Wait for an "
            "answer or withdraw one.",
            "You already have %(num)d open requests, the most allowed here. Wait for an "
            "answer or withdraw one.",
            limit,
        )
    if code == "day_limit":
        return ngettext(
            "You have sent %(num)d meeting request here in the last day, the most allowed. "
            "Try again tomorrow.",
            "You have sent %(num)d meeting requests here in the last day, the most allowed. "
            "Try again tomorrow.",
            limit,
        )
    if code == "you_are_full":
        return ngettext(
            "You already have the most meetings allowed here (%(num)d).",
            "You already have the most meetings allowed here (%(num)d).",
            limit,
        )
    if code == "video_too_long":
        return ngettext(
            "The video address is too long: at most %(num)d character.",
            "The video address is too long: at most %(num)d characters.",
            limit,
        )
    if code == "other_is_full":
        return ngettext(
            "The other person already has the most meetings allowed here (%(num)d).",
            "The other person already has the most meetings allowed here (%(num)d).",
            limit,
        )
    return texts.get(code, _("That is not possible."))


def opportunity_kind_names() -> dict[str, str]:
    """The opportunity types, in the reader's words (the EEN's profile types)."""
    return {
        "technology_offer": _("Technology offer"),
        "technology_request": _("Technology request"),
        "business_offer": _("Business offer"),
        "business_request": _("Business request"),
        "rnd_partner": _("R&D partner sought"),
    }


@bp.before_request
@login_required
def _signed_in_only():
    """Every page here is for signed-in people."""


def _event_and_setup(event_id: int):
    event = events.public_event(event_id)
    setup = services.active_setup(event) if event is not None else None
    if setup is None:
        abort(404)
    return event, setup


def participant_page(view):
    """For the event's participants only: the view gets (event, setup, **arguments); the
    event must be public with meetings on (else 404), the person taking part (else 403)."""

    @wraps(view)
    def page(event_id: int, **arguments):
        event, setup = _event_and_setup(event_id)
        if not services.takes_part(event.id, current_user.id):
            return render("meetings/not_participant.html", status=403, event=event)
        return view(event, setup, **arguments)

    return page


def _me(people: list[services.Participant]) -> services.Participant:
    found = next((p for p in people if p.user.id == current_user.id), None)
    return found or services.Participant(current_user, None, True)


@dataclass(frozen=True)
class OrganisationCard:
    name: str
    country: str


def _organisations(ids) -> dict[int, OrganisationCard]:
    """Names and countries as the public register has them (the approved version; an
    organisation that is not published is not named)."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            RegisterEntry.item_id,
            RegisterEntry.snapshot["name"].as_string(),
            RegisterEntry.country,
        ).where(RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids))
    )
    return {item_id: OrganisationCard(name, country) for item_id, name, country in rows}


def _reasons(match) -> list[str]:
    if match is None:
        return []
    shown = [r for r in match.reasons if not r.is_negative][:REASONS_SHOWN]
    return [reason_text(r, "organisation") for r in shown]


def _request_card(event: Event, setup, request_id: int, done: str = "", refusal: str = ""):
    """For htmx: the answered request's card, saying what happened (or why not)."""
    found = db.session.get(MeetingRequest, request_id, populate_existing=True)
    if found is None or found.recipient_id != current_user.id or found.event_id != event.id:
        abort(404)
    slots = _slot_choices(event, setup, found.requester_id, found.recipient_id)
    return render(
        "meetings/_incoming.html",
        status=409 if refusal else 200,
        r=found,
        event=event,
        setup=setup,
        slots=slots,
        done=done or refusal,
        refusal=refusal,
        max_message=MAX_MESSAGE,
    )


def _refused(error: MeetingRefused, target: str, **values):
    """A refusal: said at the top of the page it came from; another person's object: 404."""
    if error.code == "not_found":
        abort(404)
    flash(_refusal_of(error), "error")
    return redirect_to(url_for(target, **values))


def _refusal_of(error: MeetingRefused) -> str:
    return refusal_text(error.code, error.details.get("limit", 0))


# --- who should I meet ---------------------------------------------------------------------


@bp.route("/")
@participant_page
def people(event: Event, setup):
    others = services.participants(event.id)
    me = _me(others)
    posted = profile.opportunities_of(event.id)
    history = outcomes.history_of(current_user.id, event.id)
    found = suggestions.suggest(me, others, history, posted)
    organisations = _organisations(p.organisation_id for p in others)
    booked = services.meeting_counts(event.id)
    counts = {p.user.id: booked.get(p.user.id, 0) for p in others}
    saved = profile.bookmarks_of(event.id, current_user.id)
    chosen = PeopleFilter.from_args(request.args)

    def shown(s: suggestions.Suggestion) -> bool:
        person = s.participant.user.id
        organisation = organisations.get(s.participant.organisation_id)
        text = f"{s.participant.user.name} {organisation.name if organisation else ''}"
        theirs = s.profile
        return not (
            (chosen.words and chosen.words not in text.casefold())
            or (chosen.country and (organisation is None or organisation.country != chosen.country))
            or (chosen.kind and (theirs is None or theirs.org_kind != chosen.kind))
            or (
                chosen.category
                and (theirs is None or chosen.category not in theirs.tag_codes("category"))
            )
            or (chosen.with_opportunity and not posted.get(person))
            or (chosen.saved_only and person not in saved)
            or (chosen.free_only and counts[person] >= setup.max_meetings)
        )

    listed = [s for s in found if shown(s)]
    pages = max(1, -(-len(listed) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    lang = current_language()
    profiles = [s.profile for s in found if s.profile]
    return render(
        "meetings/people.html",
        event=event,
        setup=setup,
        tab="people",
        suggestions=listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        shown=len(listed),
        total=len(found),
        page=page,
        pages=pages,
        organisations=organisations,
        reasons=_reasons,
        counts=counts,
        countries=sorted({o.country for o in organisations.values() if o.country}),
        kinds=_labelled({p.org_kind for p in profiles}, lang),
        categories=_labelled({c for p in profiles for c in p.tag_codes("category")}, lang),
        chosen=chosen,
        words=(request.args.get("q") or "")[:100],
        opportunities=posted,
        opportunity_kinds=opportunity_kind_names(),
        tag_names=tag_names,
        saved=saved,
        pending=_pending_with(event.id),
        phase=services.requests_phase(setup, event, utcnow()),
    )


@dataclass(frozen=True)
class PeopleFilter:
    """The filters of "who to meet", as the query string gives them."""

    words: str = ""
    country: str = ""
    kind: str = ""
    category: str = ""
    with_opportunity: bool = False
    saved_only: bool = False
    free_only: bool = False

    @classmethod
    def from_args(cls, args) -> PeopleFilter:
        def text(name: str, limit: int) -> str:
            return (args.get(name) or "").strip()[:limit]

        return cls(
            words=text("q", 100).casefold(),
            country=text("country", 2).upper(),
            kind=text("kind", 40),
            category=text("category", 60),
            with_opportunity=args.get("opportunity") == "1",
            saved_only=args.get("saved") == "1",
            free_only=args.get("free") == "1",
        )

    def query(self, words: str) -> dict[str, str]:
        """The filters as query-string arguments, for the page links."""
        flags = {"opportunity": self.with_opportunity, "saved": self.saved_only}
        return {
            "q": words,
            "country": self.country,
            "kind": self.kind,
            "category": self.category,
            **{name: "1" if on else "" for name, on in flags.items()},
            "free": "1" if self.free_only else "",
        }


def tag_names(codes) -> str:
    """Tags named in the reader's language, as a list in a sentence."""
    lang = current_language()
    return format_list([tag_label(code, lang) for code in codes], locale=get_locale())


def _labelled(codes: set[str], lang: str) -> list[tuple[str, str]]:
    """Tag codes with their labels, in the reader's alphabetical order."""
    return sorted(((code, tag_label(code, lang)) for code in codes), key=lambda c: c[1].casefold())


def _pending_with(event_id: int) -> dict[int, MeetingRequest]:
    """Open requests and meetings with each other person, by their id."""
    found = {}
    for r in services.requests_of(event_id, current_user.id):
        if r.status in ("pending", "accepted"):
            other = r.recipient_id if r.requester_id == current_user.id else r.requester_id
            found.setdefault(other, r)  # by id: no need to load the other person
    return found


# --- asking --------------------------------------------------------------------------------


def _slot_choices(event: Event, setup, *user_ids: int) -> list[tuple[str, str]]:
    lang = current_language()
    return [
        (slot_value(slot), slot_label(slot.starts_at, slot.ends_at, event, lang))
        for slot in services.free_slots(setup, event, *user_ids)
    ]


def slot_value(slot_or_meeting) -> str:
    """A slot as forms send it (UTC, minute precision); see parse_slot."""
    return aware(slot_or_meeting.starts_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot(value: str | None) -> datetime | None:
    """A slot as sent by a form (UTC, minute precision); None for none or garbage."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@bp.route("/ask/<int:user_id>", methods=["GET", "POST"])
@participant_page
def ask(event: Event, setup, user_id: int):
    if user_id == current_user.id or not services.takes_part(event.id, user_id):
        abort(404)
    other = next(p for p in services.participants(event.id) if p.user.id == user_id)
    context = {
        "event": event,
        "setup": setup,
        "tab": "people",
        "other": other,
        "organisation": _organisations([other.organisation_id]).get(other.organisation_id),
        "slots": _slot_choices(event, setup, current_user.id, user_id),
        "max_message": MAX_MESSAGE,
        "message": "",
        "errors": {},
    }
    if request.method == "GET":
        return render("meetings/ask.html", **context)
    message = request.form.get("message", "")
    proposed = parse_slot(request.form.get("slot"))
    context["message"] = message
    if request.form.get("slot") and proposed is None:
        context["errors"]["slot"] = refusal_text("not_a_slot")
    if len(message) > MAX_MESSAGE:
        context["errors"]["message"] = refusal_text("too_long")
    if context["errors"]:
        return render("meetings/ask.html", status=422, **context)
    try:
        sent, created = services.send_request(
            event,
            current_user,
            user_id,
            message,
            proposed,
            then=notify.sent,
            per_day=current_app.config["MEETING_REQUESTS_PER_DAY"],
            place=scheduling.place_late,
        )
    except MeetingRefused as error:
        if error.code == "not_found":
            abort(404)
        field = "slot" if error.code in SLOT_REFUSALS else "form"
        context["errors"][field] = refusal_text(error.code, error.details.get("limit", 0))
        return render("meetings/ask.html", status=409, **context)
    if created and sent.meeting is not None:
        meeting = sent.meeting
        when = slot_label(meeting.starts_at, meeting.ends_at, event, current_language())
        flash(_("Meeting with %(name)s booked: %(when)s.", name=other.user.name, when=when),
              "success")  # fmt: skip
        return redirect_to(url_for("meetings.agenda", event_id=event.id))
    if created and sent.status == "accepted":
        flash(
            _("Meeting with %(name)s added: the organisers will give it a time.",
              name=other.user.name),
            "success",
        )  # fmt: skip
        return redirect_to(url_for("meetings.agenda", event_id=event.id))
    if created:
        flash(_("Your request has been sent to %(name)s.", name=other.user.name), "success")
    else:
        flash(
            _("There is already an open request between you and %(name)s.", name=other.user.name),
            "info",
        )
    return redirect_to(url_for("meetings.requests", event_id=event.id))


# --- requests ------------------------------------------------------------------------------


@bp.route("/requests")
@participant_page
def requests(event: Event, setup):
    mine = services.requests_of(event.id, current_user.id)
    incoming = [r for r in mine if r.recipient_id == current_user.id and r.status == "pending"]
    outgoing = [r for r in mine if r.requester_id == current_user.id and r.status == "pending"]
    answered = [r for r in mine if r.status != "pending"]
    choices = {r.id: _slot_choices(event, setup, r.requester_id, r.recipient_id) for r in incoming}
    return render(
        "meetings/requests.html",
        event=event,
        setup=setup,
        tab="requests",
        incoming=incoming,
        outgoing=outgoing,
        answered=answered,
        choices=choices,
        max_message=MAX_MESSAGE,
    )


def _back_to_requests(event: Event):
    return redirect_to(url_for("meetings.requests", event_id=event.id))


@bp.route("/requests/<int:request_id>/accept", methods=["POST"])
@participant_page
def accept(event: Event, setup, request_id: int):
    if setup.organiser_schedules:
        return _accept_for_schedule(event, setup, request_id)
    chosen = parse_slot(request.form.get("slot"))
    try:
        meeting = services.accept(
            event,
            request_id,
            current_user,
            chosen,
            request.form.get("reply", ""),
            then=notify.booked,
        )
    except MeetingRefused as error:
        if is_htmx() and error.code != "not_found":
            return _request_card(event, setup, request_id, refusal=_refusal_of(error))
        return _refused(error, "meetings.requests", event_id=event.id)
    other = meeting.other_seat(current_user.id).user
    when = slot_label(meeting.starts_at, meeting.ends_at, event, current_language())
    done = _("Meeting with %(name)s booked: %(when)s.", name=other.name, when=when)
    if is_htmx():
        return _request_card(event, setup, request_id, done=done)
    flash(done, "success")
    return redirect_to(url_for("meetings.agenda", event_id=event.id))


def _accept_for_schedule(event: Event, setup, request_id: int):
    """Accepted without a time: the organisers' schedule will place it."""
    try:
        accepted = services.accept_for_schedule(
            event,
            request_id,
            current_user,
            request.form.get("reply", ""),
            then=notify.accepted_for_schedule,
            place=scheduling.place_late,
        )
    except MeetingRefused as error:
        if is_htmx() and error.code != "not_found":
            return _request_card(event, setup, request_id, refusal=_refusal_of(error))
        return _refused(error, "meetings.requests", event_id=event.id)
    if accepted.meeting is not None:
        meeting = accepted.meeting
        when = slot_label(meeting.starts_at, meeting.ends_at, event, current_language())
        done = _("Meeting with %(name)s booked: %(when)s.", name=accepted.requester.name,
                 when=when)  # fmt: skip
    else:
        done = _(
            "Accepted: your meeting with %(name)s will get its time in the organisers' schedule.",
            name=accepted.requester.name,
        )
    if is_htmx():
        return _request_card(event, setup, request_id, done=done)
    flash(done, "success")
    return redirect_to(url_for("meetings.agenda", event_id=event.id))


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
@participant_page
def decline(event: Event, setup, request_id: int):
    try:
        services.decline(
            event, request_id, current_user, request.form.get("reason", ""), then=notify.declined
        )
    except MeetingRefused as error:
        if is_htmx() and error.code != "not_found":
            return _request_card(event, setup, request_id, refusal=_refusal_of(error))
        return _refused(error, "meetings.requests", event_id=event.id)
    if is_htmx():
        return _request_card(event, setup, request_id, done=_("Request declined."))
    flash(_("Request declined."), "success")
    return _back_to_requests(event)


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@participant_page
def withdraw(event: Event, _setup, request_id: int):
    try:
        services.withdraw(event, request_id, current_user)
    except MeetingRefused as error:
        return _refused(error, "meetings.requests", event_id=event.id)
    flash(_("Request withdrawn."), "success")
    return _back_to_requests(event)


# --- the agenda ----------------------------------------------------------------------------


@bp.route("/agenda")
@participant_page
def agenda(event: Event, setup):
    meetings = services.booked_meetings(event.id, current_user.id)
    waiting = [
        r
        for r in services.requests_of(event.id, current_user.id)
        if r.status == "accepted" and r.meeting is None
    ]
    return render(
        "meetings/agenda.html", waiting=waiting, **_agenda_context(event, setup, meetings)
    )


def _agenda_context(event: Event, setup, meetings) -> dict:
    """What the agenda page and one of its meetings (swapped in by htmx) show."""
    others = {m.id: m.other_seat(current_user.id).user for m in meetings}
    registrations = {
        p.user.id: p.organisation_id for p in services.participants(event.id, everyone=True)
    }
    organisations = _organisations(registrations.values())
    now = utcnow()
    return {
        "event": event,
        "setup": setup,
        "tab": "agenda",
        "meetings": meetings,
        "others": others,
        "organisation_of": lambda user: organisations.get(registrations.get(user.id)),
        "shared": shared_details,
        "place": lambda meeting: place_label(setup, event, meeting),
        "video": lambda meeting: meeting.video_address(event, setup.video_pattern),
        "started": lambda meeting: aware(meeting.starts_at) <= now,
        "event_over": aware(event.ends_at) <= now,
        "max_note": MAX_NOTE,
        "max_video_url": MAX_VIDEO_URL,
        # For the one meeting htmx swaps in: what happened, or why not and what was typed.
        "video_done": "",
        "video_error": "",
        "video_typed": None,
    }


def _agenda_item(event: Event, setup, meeting_id: int, status: int = 200, **state):
    """For htmx: one meeting of the agenda, saying what happened (or why not)."""
    meetings = services.booked_meetings(event.id, current_user.id)
    meeting = next((m for m in meetings if m.id == meeting_id), None)
    if meeting is None:
        abort(404)
    context = _agenda_context(event, setup, [meeting])
    context.update(state)
    return render("meetings/_agenda_item.html", status=status, m=meeting, **context)


def place_label(setup, event: Event, meeting) -> str:
    """The table or room, or the video address of an online event (Meeting.video_address:
    the address one of the two people gave, else the organiser's pattern)."""
    address = meeting.video_address(event, setup.video_pattern)
    return address or table_label(setup, meeting.table_number)


def table_label(setup, number: int) -> str:
    """A table's or room's name, else its number."""
    return setup.table_name(number) or _("Table %(number)d", number=number)


def _back_to_agenda(event: Event):
    return redirect_to(url_for("meetings.agenda", event_id=event.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@participant_page
def cancel(event: Event, _setup, meeting_id: int):
    try:
        services.cancel_meeting(
            event,
            meeting_id,
            current_user,
            then=notify.cancelled_by(current_user),
            place=scheduling.place_waiting,
        )
    except MeetingRefused as error:
        return _refused(error, "meetings.agenda", event_id=event.id)
    flash(_("The meeting is cancelled and the other person has been told."), "success")
    return _back_to_agenda(event)


def _person_key() -> str:
    return f"person:{current_user.get_id() or get_remote_address()}"


@bp.route("/meetings/<int:meeting_id>/video", methods=["POST"])
@limiter.limit(
    # Each change e-mails the other person. Counted per person, not per address: the
    # people at a venue share one, and someone may paste one link into all their meetings.
    lambda: current_app.config["RATELIMIT_MEETING_VIDEO"],
    key_func=_person_key,
    methods=["POST"],
)
@participant_page
def video(event: Event, setup, meeting_id: int):
    """Either person gives the meeting's own video address, changes it or removes it."""
    typed = "" if request.form.get("remove") else request.form.get("video_url", "")
    try:
        meeting, changed = services.set_video_url(
            event,
            meeting_id,
            current_user,
            typed,
            then=notify.video_changed_by(current_user, setup.video_pattern),
        )
    except MeetingRefused as error:
        if is_htmx() and error.code.startswith("video_"):
            return _agenda_item(
                event,
                setup,
                meeting_id,
                status=422,
                video_error=_refusal_of(error),
                video_typed=typed,
            )
        return _refused(error, "meetings.agenda", event_id=event.id)
    other = meeting.other_seat(current_user.id).user
    if not changed:
        done = _("Saved.")
    elif meeting.video_url:
        done = _("The video address is saved, and %(name)s has been told.", name=other.name)
    else:
        done = _("The video address is removed, and %(name)s has been told.", name=other.name)
    if is_htmx():
        return _agenda_item(event, setup, meeting_id, video_done=done)
    flash(done, "success")
    return _back_to_agenda(event)


@bp.route("/meetings/<int:meeting_id>/presence", methods=["POST"])
@participant_page
def presence(event: Event, _setup, meeting_id: int):
    try:
        services.mark_presence(event, meeting_id, current_user, request.form.get("presence", ""))
    except MeetingRefused as error:
        return _refused(error, "meetings.agenda", event_id=event.id)
    flash(_("Saved."), "success")
    return _back_to_agenda(event)


@bp.route("/meetings/<int:meeting_id>/outcome", methods=["POST"])
@participant_page
def outcome(event: Event, _setup, meeting_id: int):
    try:
        services.rate(
            event,
            meeting_id,
            current_user,
            request.form.get("outcome", ""),
            request.form.get("note", ""),
        )
    except MeetingRefused as error:
        return _refused(error, "meetings.agenda", event_id=event.id)
    flash(_("Thank you: your answer is saved."), "success")
    return _back_to_agenda(event)


@bp.route("/meetings/<int:meeting_id>/later-outcome", methods=["POST"])
@participant_page
def later_outcome(event: Event, _setup, meeting_id: int):
    try:
        services.rate_later(event, meeting_id, current_user, request.form.get("outcome", ""))
    except MeetingRefused as error:
        return _refused(error, "meetings.agenda", event_id=event.id)
    flash(_("Thank you: your answer is saved."), "success")
    return _back_to_agenda(event)


@bp.route("/meetings/<int:meeting_id>.ics")
@participant_page
def meeting_ics(event: Event, setup, meeting_id: int):
    meeting = next((m for m in _all_meetings_of(event.id) if m.id == meeting_id), None)
    if meeting is None:
        abort(404)
    entry = meeting_entry(setup, event, meeting, current_user.id, current_language())
    body = calendar.calendar([entry], entry.title, utcnow())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


def _all_meetings_of(event_id: int):
    """The person's meetings of the event, cancelled ones too (a calendar replaces them)."""
    seats = select(MeetingSeat).where(
        MeetingSeat.event_id == event_id, MeetingSeat.user_id == current_user.id
    )
    return [seat.meeting for seat in db.session.scalars(seats)]


def meeting_entry(setup, event: Event, meeting, user_id: int, lang: str) -> calendar.Entry:
    """One meeting as a calendar entry: a UID for life, SEQUENCE its revision."""
    other = meeting.other_seat(user_id).user
    domain = current_app.config["CALENDAR_UID_DOMAIN"]
    return calendar.Entry(
        uid=f"meeting-{meeting.id}@{domain}",
        sequence=meeting.revision,
        title=_("Meeting with %(name)s", name=other.name),
        description=event.title_in(lang),
        location=place_label(setup, event, meeting),
        url=url_for("meetings.agenda", lang=lang, event_id=event.id, _external=True),
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        timezone=event.timezone,
        updated_at=meeting.cancelled_at or meeting.created_at,
        cancelled=meeting.status != "booked" or event.status == "cancelled",
        tentative=setup.organiser_schedules and setup.agenda_status == "provisional",
    )


# --- availability --------------------------------------------------------------------------


@bp.route("/availability", methods=["GET", "POST"])
@participant_page
def availability(event: Event, setup):
    status = 200
    if request.method == "POST":
        away = {m for m in (parse_slot(v) for v in request.form.getlist("away")) if m}
        try:
            services.set_absences(event, setup, current_user, away)
        except MeetingRefused as error:
            flash(refusal_text(error.code), "error")
            status = 409
        else:
            flash(_("Your availability is saved."), "success")
            return redirect_to(url_for("meetings.availability", event_id=event.id))
    booked = {aware(m.starts_at) for m in services.booked_meetings(event.id, current_user.id)}
    return render(
        "meetings/availability.html",
        status=status,
        event=event,
        setup=setup,
        tab="availability",
        slots=services.slots_of(setup, event),
        away=services.absences(event.id, current_user.id),
        booked=booked,
        slot_value=slot_value,
    )


# --- labels --------------------------------------------------------------------------------


def slot_label(starts, ends, event: Event, lang: str) -> str:
    """One slot at the place, in the reader's language: day, start-end and time zone."""
    start, end = times.at_place(starts, event.timezone), times.at_place(ends, event.timezone)
    day = date_text(start, lang, start.tzinfo)
    first, last = time_text(start, lang, start.tzinfo), time_text(end, lang, end.tzinfo)
    zone = times.zone_label(event.timezone, lang)
    return f"{day} {first}–{last} ({zone})"  # noqa: RUF001 (en dash)


def feed_entries(user, lang: str) -> list[calendar.Entry]:
    """The person's meetings for their private calendar feed: booked ones, and cancelled
    ones still to come (so that a calendar holding them marks them cancelled)."""
    now = utcnow()
    entries = []
    for seat in db.session.scalars(select(MeetingSeat).where(MeetingSeat.user_id == user.id)):
        meeting = seat.meeting
        if meeting.status != "booked" and aware(meeting.starts_at) <= now:
            continue
        setup = services.setup_of(meeting.event_id)
        if setup is None or meeting.event.status not in ("published", "cancelled"):
            continue
        entries.append(meeting_entry(setup, meeting.event, meeting, user.id, lang))
    return entries


def cancel_meetings_of(registration) -> None:
    """A seat at the event ended (cancelled, removed): the person's meetings there are
    cancelled, and the people they were to meet are told."""
    tell = notify.cancelled_by(registration.user)
    for meeting in services.release_meetings_of(registration.user_id, registration.event_id):
        tell(meeting)


def init_app(app) -> None:
    calendar.add_feed_source(feed_entries)
    seats.when_registration_ends(cancel_meetings_of)

    def meetings_on(event: Event) -> bool:
        """For the event's pages: whether its 1:1 meetings are open."""
        return services.active_setup(event) is not None

    app.jinja_env.globals.update(
        meeting_slot=lambda meeting, event: slot_label(
            meeting.starts_at, meeting.ends_at, event, current_language()
        ),
        zone_label=lambda zone: times.zone_label(zone, current_language()),
        meetings_on=meetings_on,
        meeting_kinds=services.MEETING_KINDS,
    )
