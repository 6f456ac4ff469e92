"""A person's event sign-ups, with their answers; their seats are freed when the account goes.

The registrations themselves go with the account (by cascade); first each seat the person
held is given to the next in line, who is told in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.events import notify, questions
from matchmaker.events.models import Registration
from matchmaker.events.services import end_registrations_of
from matchmaker.extensions import db
from matchmaker.i18n import language_of


def export_registrations(user) -> list[dict[str, Any]]:
    when = personal_data.when
    lang = language_of(user)

    def answers(r: Registration) -> list[dict[str, str]]:
        """As the person read the questions: in their language, choices by their label."""
        pairs = questions.answered(r.event.questions, r.answers, lang, r.event.original_language)
        return [{"question": question, "answer": answer} for question, answer in pairs]

    return [
        {
            "event_id": r.event_id,
            "event_title": r.event.title,
            "status": r.status,
            "organisation_id": r.organisation_id,
            "answers": answers(r),
            "share_email_with_organiser": r.share_email,
            "share_phone_with_organiser": r.share_phone,
            "signed_up_at": when(r.created_at),
            "seat_offered_at": when(r.offered_at),
            "offer_deadline": when(r.offer_expires_at),
            "ended_at": when(r.ended_at),
        }
        for r in db.session.scalars(
            select(Registration).where(Registration.user_id == user.id).order_by(Registration.id)
        )
    ]


def free_seats(user) -> None:
    """Cancel the person's registrations; each freed seat's new holder is told with it."""
    end_registrations_of(user, then=notify.promotions)


personal_data.declare(
    "event_registrations", export=export_registrations, erase=free_seats, order=50
)
