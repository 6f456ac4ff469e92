"""Tell participants what happened to their seat: in the app and by e-mail, in their language.

These messages are about something the person signed up for (like a booking), so they
are always sent; organisers' messages to participants go by e-mail only. Nothing here
commits: the notifications and outbox e-mails belong to the transaction of the change
they report (see `database.commit_with`).
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import url_for

from matchmaker.events import questions, seats, times
from matchmaker.events.models import Event, Registration
from matchmaker.extensions import db
from matchmaker.i18n import language_of
from matchmaker.mail import send_mail
from matchmaker.notifications.services import notify


def _mail(registration: Registration, kind: str, **extra) -> None:
    """One e-mail (template `kind`) to the person, in their language, linking to the event.
    The template sees `registration` too."""
    user, event = registration.user, registration.event
    lang = language_of(user)
    link = url_for("events.show", lang=lang, event_id=event.id, _external=True)
    title = event.title_in(lang)
    send_mail(
        user.email,
        kind,
        lang,
        user=user,
        event=event,
        registration=registration,
        title=title,
        link=link,
        **extra,
    )


def _tell(registrations: list[Registration], kind: str, **extra) -> None:
    """In the app and by e-mail, one person after another."""
    for registration in registrations:
        user, event = registration.user, registration.event
        lang = language_of(user)
        link = url_for("events.show", lang=lang, event_id=event.id, _external=True)
        notify(user, kind, {"event_id": event.id, "title": event.title_in(lang)}, link=link)
        _mail(registration, kind, **extra)


def _tell_of_offer(registration: Registration, kind: str, **extra) -> None:
    """In the app and by e-mail, with the offer's deadline at the event's place, written
    the way the person's language writes times, and the sign-up box where they answer."""
    user, event = registration.user, registration.event
    lang = language_of(user)
    deadline = times.moment(registration.offer_expires_at, event.timezone, lang)
    answer = url_for("events.show", lang=lang, event_id=event.id, _external=True, _anchor="signup")
    data = {"event_id": event.id, "title": event.title_in(lang), "deadline": deadline}
    notify(user, kind, data, link=answer)
    _mail(registration, kind, deadline=deadline, answer_link=answer, **extra)


def signed_up(registration: Registration, position: int | None) -> None:
    """A receipt for the person who signed up: a seat, or their place in the queue, and
    their answers to the questions, in their language."""
    event = registration.event
    answers = questions.answered(
        event.questions,
        registration.answers,
        language_of(registration.user),
        event.original_language,
    )
    _mail(registration, "event_signed_up", position=position or 0, answers=answers)


def changed(event: Event, registrations: list[Registration]) -> None:
    """The time or place changed: everyone signed up hears it (a calendar entry follows)."""
    for registration in registrations:
        _mail(registration, "event_changed")


def _registrations(ids) -> list[Registration]:
    """As the database has them now (seats change them with conditional updates)."""
    found = (db.session.get(Registration, i, populate_existing=True) for i in ids)
    return [r for r in found if r is not None]


def promoted(registration_ids) -> None:
    """People who moved from the waiting list to a seat."""
    _tell(_registrations(registration_ids), "event_promoted")


def receipt(outcome) -> None:
    """A sign-up's receipt (seats.sign_up's `then`)."""
    signed_up(outcome.registration, seats.position(outcome.registration))


def offered(registration_ids) -> None:
    """People offered a freed seat, to confirm before its deadline."""
    for registration in _registrations(registration_ids):
        _tell_of_offer(registration, "event_offered")


def promotions(outcome) -> None:
    """Those a freed seat went to, or was offered to (seats.release's `then` for a
    cancellation, decline_offer's, give_seat's, update_event's)."""
    promoted(outcome.promoted)
    offered(outcome.offered)


def removal(outcome) -> None:
    """The person the organisers removed, and those their seat went to."""
    removed(outcome.registration)
    promotions(outcome)


def offer_accepted(outcome) -> None:
    """The person confirmed the seat offered to them (seats.accept_offer's `then`)."""
    _tell([outcome.registration], "event_offer_accepted")


def offer_reminder(outcome) -> None:
    """The offer lapses soon (seats.remind_offers' `then`): how many hours are left."""
    registration = outcome.registration
    left = times.aware(registration.offer_expires_at) - times.aware(registration.reminded_at)
    hours = max(math.ceil(left / timedelta(hours=1)), 1)
    _tell_of_offer(registration, "event_offer_reminder", hours=hours)


def offer_lapsed(outcome) -> None:
    """The offer lapsed (seats.expire_offers' `then`): the person hears it, unless the
    event has been cancelled (they were told that), and the next in line gets the seat."""
    if outcome.registration.event.status != "cancelled":
        _tell_of_offer(outcome.registration, "event_offer_lapsed")
    promotions(outcome)


def removed(registration: Registration) -> None:
    _tell([registration], "event_removed")


def unpublished(registrations: list[Registration]) -> None:
    """The moderators took the event off the site."""
    _tell(registrations, "event_unpublished")


def cancelled(event: Event, registrations: list[Registration]) -> None:
    _tell(registrations, "event_cancelled", note=event.cancel_note)


def message(registrations: list[Registration], subject: str, body: str, sender) -> int:
    """The organiser's own words to each person, framed in the person's language."""
    for registration in registrations:
        _mail(registration, "event_message", subject=subject, body=body, sender=sender)
    return len(registrations)
