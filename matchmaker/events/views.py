"""Events for participants: the list, an event's page, signing up and cancelling, calendars."""

from __future__ import annotations

from babel import Locale
from flask import Blueprint, Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from matchmaker.accounts.models import utcnow
from matchmaker.events import calendar, notify, seats, services, times
from matchmaker.events import questions as question_rules
from matchmaker.events.forms import KIND_LABELS, STATUS_LABELS, SignUpForm
from matchmaker.events.models import KINDS, Event
from matchmaker.extensions import db
from matchmaker.i18n import LANGUAGES, current_language
from matchmaker.taxonomy.queries import tag_choices
from matchmaker.web import is_htmx, redirect_to, render

bp = Blueprint("events", __name__)


def refusal_text(code: str, event: Event, limit: int = 0) -> str:
    """Why a sign-up is refused, in the reader's words (codes of `seats`)."""
    if code == "cancelled":
        return _("This event has been cancelled: sign-up is closed.")
    if code == "past":
        return _("This event has already taken place.")
    if code == "not_open_yet":
        moment = times.moment(event.registration_opens_at, event.timezone, current_language())
        return _("Registration opens on %(moment)s.", moment=moment)
    if code == "closed":
        return _("Registration for this event is closed.")
    if code == "full":
        return _("All seats are taken and this event keeps no waiting list.")
    if code == "organisation_limit":
        return ngettext(
            "Your organisation already has the %(num)d seat allowed per organisation.",
            "Your organisation already has the %(num)d seats allowed per organisation.",
            limit,
        )
    if code == "removed":
        return _(
            "The organisers have removed you from this event. "
            "Please contact them if you think this is a mistake."
        )
    if code == "not_published":
        return _("The event is not published yet.")
    return _("This event is not open for sign-up.")


def offer_refusal_text(code: str) -> str:
    """Why an offered seat cannot be confirmed (codes of `seats.accept_offer`)."""
    if code == "lapsed":
        return _("The time to confirm this seat has run out: it goes to the next person in line.")
    if code == "already_confirmed":
        return _("You have already confirmed this seat.")
    if code == "cancelled":
        return _("This event has been cancelled.")
    if code == "past":
        return _("This event has already taken place.")
    return _("No seat is offered to you at this event any more.")


def _event_or_404(event_id: int) -> Event:
    event = services.public_event(event_id)
    if event is None and current_user.is_authenticated:
        event = services.managed_event(current_user, event_id)  # the organisers' preview
        if event is None and current_user.is_moderator:
            event = services.moderated_event(event_id)
    if event is None:
        abort(404)
    return event


def _organisation_choices() -> list[tuple[int, str]]:
    organisations = services.organiser_organisations(current_user)
    if not organisations:
        return [(0, _("Myself (no organisation)"))]
    return [(org.id, org.name) for org in organisations]


def _sign_up_form() -> SignUpForm:
    form = SignUpForm()
    # (value, label) pairs: with coerce=int, SelectChoice values would be compared uncoerced.
    form.organisation.choices = _organisation_choices()
    return form


def sign_up_state(event: Event, registration=None, position: int | None = None) -> dict:
    """What the sign-up box shows: the person's registration (looked up unless given, with
    its place in the queue), whether they may sign up."""
    state = {"registration": None, "position": None, "why_not": None, "form": None}
    if current_user.is_authenticated:
        registration = registration or services.registration_of(current_user, event.id)
        if registration is not None and registration.is_active:
            state["registration"] = registration
            state["position"] = position or seats.position(registration)
            return state
    reason = seats.closed_reason(event, utcnow())
    if reason is None and event.seats_left == 0 and not event.waiting_list:
        reason = "full"
    if reason is not None:
        state["why_not"] = refusal_text(reason, event)
    elif current_user.is_authenticated:
        state["form"] = _sign_up_form()
    return state


def _box(event: Event, status: int = 200, registration=None, position=None, **extra):
    """The sign-up box (with the seat counter out of band) or, without htmx, the page."""
    if not is_htmx():
        return redirect_to(url_for("events.show", event_id=event.id))
    state = sign_up_state(event, registration, position)
    state.update(extra)
    return render("events/_signup.html", status=status, event=event, oob=True, **state)


@bp.route("/")
def index():
    lang = current_language()
    args = request.args
    month = args.get("month") or None
    filters = services.EventFilters(
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        country=(args.get("country") or "").upper()[:2] or None,
        month=times.month_bounds(month) if month else None,
        tag=args.get("tag") or None,
        language=args.get("language") or None,
        past=args.get("past") == "1",
    )
    page = max(args.get("page", 1, type=int) or 1, 1)
    events, total = services.find_events(filters, page)
    # The month as the filter reads it ("2026-12"): its first moment, in UTC.
    chosen = (filters.month[0].year, filters.month[0].month) if filters.month else None
    return render(
        "events/index.html",
        block="results",
        events=events,
        total=total,
        page=page,
        pages=(total + services.PAGE_SIZE - 1) // services.PAGE_SIZE,
        filters=filters,
        month=f"{chosen[0]:04d}-{chosen[1]:02d}" if chosen else "",
        months=_month_choices(services.event_months(filters.past), chosen, filters.past),
        kinds=[(k, KIND_LABELS[k]) for k in KINDS],
        countries=services.event_countries(),
        categories=tag_choices("category", lang),
        languages=LANGUAGES,
    )


def _month_choices(
    months: list[tuple[int, int]], chosen: tuple[int, int] | None, past: bool
) -> list[tuple[str, str]]:
    """The month filter's options, ("2026-12", "December 2026"): the months with events,
    and the one chosen even when it has none (it stays selected)."""
    if chosen:
        months = sorted({*months, chosen}, reverse=past)
    lang = current_language()
    return [
        (f"{year:04d}-{month:02d}", times.month_label(year, month, lang)) for year, month in months
    ]


@bp.route("/<int:event_id>")
def show(event_id: int):
    event = _event_or_404(event_id)
    managing = current_user.is_authenticated and services.managed_event(current_user, event_id)
    return render(
        "events/show.html",
        event=event,
        managing=bool(managing),
        taking_part=services.taking_part(event),
        text_choice=request.args.get("text"),
        **sign_up_state(event),
    )


@bp.route("/<int:event_id>/seats")
def seat_counter(event_id: int):
    event = _event_or_404(event_id)
    return render("events/_seats.html", event=event)


@bp.route("/<int:event_id>/sign-up", methods=["GET", "POST"])
@login_required
def sign_up(event_id: int):
    event = _event_or_404(event_id)
    if request.method == "GET":
        return render("events/sign_up.html", event=event, **sign_up_state(event))
    form = _sign_up_form()
    given = {q["key"]: request.form.get(f"answer-{q['key']}", "") for q in event.questions or []}
    answers, answer_errors = question_rules.check_answers(event.questions, given)
    if not form.validate_on_submit() or answer_errors:
        state = sign_up_state(event)
        state["form"] = form
        context = {"event": event, "answer_errors": answer_errors, "given": given, **state}
        if is_htmx():
            return render("events/_signup.html", status=422, oob=False, **context)
        return render("events/sign_up.html", status=422, **context)
    try:
        outcome = seats.sign_up(
            event.id,
            current_user.id,
            organisation_id=form.organisation.data or None,
            answers=answers,
            share_email=form.share_email.data,
            share_phone=form.share_phone.data,
            then=notify.receipt,
        )
    except seats.SignUpRefused as error:
        if error.code == "not_found":
            abort(404)
        message = refusal_text(error.code, event, error.details.get("limit", 0))
        if is_htmx():
            return _box(_fresh(event), status=409, refusal=message)
        flash(message, "error")
        return redirect_to(url_for("events.show", event_id=event.id))
    registration = outcome.registration
    position = seats.position(registration)
    if not is_htmx():
        if not outcome.created:
            flash(_("You were already signed up."), "info")
        elif registration.status == "confirmed":
            flash(_("You're registered."), "success")
        else:
            flash(_("You're on the waiting list."), "success")
    return _box(_fresh(event), registration=registration, position=position)


def _fresh(event: Event) -> Event:
    db.session.refresh(event)
    return event


@bp.route("/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
def cancel(registration_id: int):
    registration = services.own_registration(current_user, registration_id)
    if registration is None:
        abort(404)
    event = registration.event
    waiting = registration.status == "waiting"
    outcome = seats.release(registration_id, "cancelled", then=notify.promotions)
    if outcome.registration is None:
        message = _("This registration had already ended.")
        if is_htmx():
            return _box(_fresh(event), status=409, refusal=message)
        flash(message, "info")
    elif not is_htmx():
        if waiting:
            flash(_("You have left the waiting list."), "success")
        else:
            flash(_("Your registration is cancelled."), "success")
    return _box(_fresh(event), just_done="left" if waiting else "cancelled")


@bp.route("/registrations/<int:registration_id>/accept", methods=["POST"])
@login_required
def accept_offer(registration_id: int):
    """Confirm the seat offered from the waiting list, before its deadline."""
    registration = services.own_registration(current_user, registration_id)
    if registration is None:
        abort(404)
    event = registration.event
    try:
        seats.accept_offer(registration_id, then=notify.offer_accepted)
    except seats.OfferRefused as error:
        message = offer_refusal_text(error.code)
        if is_htmx():
            return _box(_fresh(event), status=409, refusal=message)
        flash(message, "info" if error.code == "already_confirmed" else "error")
        return redirect_to(url_for("events.show", event_id=event.id))
    if not is_htmx():
        flash(_("Your seat is confirmed."), "success")
    return _box(_fresh(event))


@bp.route("/registrations/<int:registration_id>/decline", methods=["POST"])
@login_required
def decline_offer(registration_id: int):
    """Turn down the seat offered: the person leaves the queue, the next is offered it."""
    registration = services.own_registration(current_user, registration_id)
    if registration is None:
        abort(404)
    event = registration.event
    outcome = seats.decline_offer(registration_id, then=notify.promotions)
    if outcome.registration is None:
        message = _("No seat is offered to you at this event any more.")
        if is_htmx():
            return _box(_fresh(event), status=409, refusal=message)
        flash(message, "info")
    elif not is_htmx():
        flash(_("You declined the seat and left the waiting list."), "success")
    return _box(_fresh(event), just_done="declined")


@bp.route("/mine")
@login_required
def mine():
    registrations = services.registrations_of(current_user)
    positions = {r.id: seats.position(r) for r in registrations if r.status == "waiting"}
    token = services.calendar_token(current_user)
    return render(
        "events/mine.html",
        registrations=registrations,
        positions=positions,
        feed_url=url_for("events.feed", token=token, _external=True),
    )


@bp.route("/calendar/renew", methods=["POST"])
@login_required
def renew_feed():
    services.calendar_token(current_user, renew=True)
    flash(_("Your calendar has a new address. The old one no longer works."), "success")
    return redirect_to(url_for("events.mine"))


def _entry(event: Event, lang: str) -> calendar.Entry:
    texts = event.texts_for(lang)
    return calendar.Entry(
        uid=calendar.uid_of(event.id, current_app.config["CALENDAR_UID_DOMAIN"]),
        sequence=event.revision,
        title=texts["title"],
        description=(texts["description"] or "")[:2000],
        location=_("Online") if event.online and not event.place else event.place,
        url=url_for("events.show", lang=lang, event_id=event.id, _external=True),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        updated_at=event.updated_at,
        cancelled=event.status == "cancelled",
    )


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/<int:event_id>/calendar.ics")
def event_ics(event_id: int):
    event = _event_or_404(event_id)
    lang = current_language()
    body = calendar.calendar([_entry(event, lang)], event.title_in(lang), utcnow())
    return _ics(body, f"event-{event.id}.ics")


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    user = services.user_of_calendar(token)
    if user is None or user.suspended_at is not None:
        abort(404)
    lang = current_language()
    entries = [_entry(event, lang) for event in services.calendar_events(user)]
    for source in calendar.FEED_SOURCES:
        entries += source(user, lang)
    body = calendar.calendar(entries, _("My events on Matchmaker"), utcnow())
    response = _ics(body, "matchmaker-events.ics")
    response.headers["Content-Disposition"] = 'inline; filename="matchmaker-events.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def init_app(app) -> None:
    """Helpers the event templates share."""

    def when(event: Event, locale: str | None = None) -> str:
        """At the place, in the page's language (or `locale`: e-mails, the recipient's)."""
        return times.when(
            event.starts_at, event.ends_at, event.timezone, locale or current_language()
        )

    def moment(value, event: Event) -> str:
        return times.moment(value, event.timezone, current_language()) if value else ""

    def sign_up_questions(event: Event) -> list[dict]:
        """The event's questions in the reader's language (`questions.in_language`)."""
        return question_rules.in_language(
            event.questions, current_language(), event.original_language
        )

    app.jinja_env.globals.update(
        event_kind_label=lambda kind: KIND_LABELS.get(kind, kind),
        registration_status_label=lambda status: STATUS_LABELS.get(status, status),
        event_when=when,
        event_moment=moment,
        sign_up_questions=sign_up_questions,
        answer_text=question_rules.answer_text,
        spoken_language=lambda code: Locale(current_language()).languages.get(code, code),
    )
