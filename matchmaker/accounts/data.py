"""A person's data: everything the platform holds about them, and erasing it.

The export is what the person can see of themselves, as JSON: their account, the
organisations they belong to, the contact requests they sent or that reached their
organisations, their event sign-ups (with their answers), saved searches, notifications
and dismissals. Other people's
contact details are not in it (they are not the person's data).

Deleting an account removes the person and everything that is only theirs (memberships,
saved searches, notifications, by foreign keys). Their seats at events are freed first,
for the people waiting (the next in line is promoted). Requests they sent stay in the other
organisation's inbox without them ("deleted user"). An organisation whose only owner
they are must first be handed over or deleted, or it would be left without an owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from matchmaker.accounts import security_log
from matchmaker.accounts.models import User
from matchmaker.accounts.passwords import verify_password
from matchmaker.alerts.models import SavedSearch
from matchmaker.contacts.models import ContactRequest
from matchmaker.events.models import Registration
from matchmaker.events.services import end_registrations_of
from matchmaker.extensions import db
from matchmaker.matching.models import MatchDismissal
from matchmaker.notifications.models import Notification
from matchmaker.organisations.models import Membership, Organisation

FORMAT_VERSION = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict[str, Any]:
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
    ).all()
    organisation_ids = [m.organisation_id for m in memberships]
    requests = db.session.scalars(
        select(ContactRequest)
        .where(
            or_(
                ContactRequest.sender_user_id == user.id,
                ContactRequest.recipient_org_id.in_(organisation_ids),
                ContactRequest.sender_org_id.in_(organisation_ids),
            )
        )
        .order_by(ContactRequest.id)
    ).all()

    def request_data(r: ContactRequest) -> dict[str, Any]:
        return {
            "id": r.id,
            "from_organisation": r.sender_org.name,
            "to_organisation": r.recipient_org.name,
            "sent_by_you": r.sender_user_id == user.id,
            "answered_by_you": r.answered_by == user.id,
            "project_id": r.project_id,
            "message": r.message,
            "status": r.status,
            "reply": r.reply,
            "created_at": _when(r.created_at),
            "answered_at": _when(r.answered_at),
        }

    return {
        "format": FORMAT_VERSION,
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "language": user.locale,
            "role": user.role,
            "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
            "last_login_at": _when(user.last_login_at),
            "job_title": user.job_title,
            "phone": user.phone,
            "shares": {
                "name": user.share_name,
                "job_title": user.share_job_title,
                "email": user.share_email,
                "phone": user.share_phone,
            },
            "weekly_digest": user.digest_weekly,
            # Whether and since when, never the secret or the recovery codes.
            "two_step_sign_in_since": _when(user.totp_enabled_at),
        },
        # Sign-ins and changes to how the account signs in, with the address they came from.
        "security_events": [
            {"at": _when(e.at), "event": e.kind, "address": e.address, **(e.detail or {})}
            for e in security_log.of_user(user)
        ],
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": db.session.get(Organisation, m.organisation_id).name,
                "role": m.role,
                "since": _when(m.created_at),
            }
            for m in memberships
        ],
        "contact_requests": [request_data(r) for r in requests],
        "event_registrations": [
            {
                "event_id": r.event_id,
                "event_title": r.event.title,
                "status": r.status,
                "organisation_id": r.organisation_id,
                "answers": r.answers,
                "share_email_with_organiser": r.share_email,
                "share_phone_with_organiser": r.share_phone,
                "signed_up_at": _when(r.created_at),
                "ended_at": _when(r.ended_at),
            }
            for r in db.session.scalars(
                select(Registration)
                .where(Registration.user_id == user.id)
                .order_by(Registration.id)
            )
        ],
        "saved_searches": [
            {
                "item_type": s.item_type,
                "words": s.text,
                "filters": s.filters,
                "created_at": _when(s.created_at),
            }
            for s in db.session.scalars(
                select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
            )
        ],
        "notifications": [
            {
                "kind": n.kind,
                "data": n.data,
                "link": n.link,
                "created_at": _when(n.created_at),
                "read_at": _when(n.read_at),
            }
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ],
        "dismissed_matches": [
            {
                "organisation_id": d.organisation_id,
                "item_type": d.item_type,
                "item_id": d.item_id,
                "created_at": _when(d.created_at),
            }
            for d in db.session.scalars(
                select(MatchDismissal)
                .where(MatchDismissal.dismissed_by == user.id)
                .order_by(MatchDismissal.id)
            )
        ],
    }


def sole_owned(user: User) -> list[tuple[Organisation, int]]:
    """Organisations whose only owner is the user, with how many other members they have."""
    found = []
    for membership in db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.role == "owner")
    ):
        owners = db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == membership.organisation_id,
                Membership.role == "owner",
            )
        )
        if owners == 1:
            others = db.session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(
                    Membership.organisation_id == membership.organisation_id,
                    Membership.user_id != user.id,
                )
            )
            found.append((db.session.get(Organisation, membership.organisation_id), others))
    return sorted(found, key=lambda pair: pair[0].name)


class StillOwner(Exception):
    """The user is the only owner of an organisation (see sole_owned)."""


class WrongPassword(Exception):
    pass


def check_password(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise WrongPassword


def delete_account(user: User, password: str) -> tuple[int, ...]:
    """Erase the account; the database's foreign keys remove or anonymise the rest.

    Returns the registrations promoted to the seats the person held (to be told).
    """
    check_password(user, password)
    if sole_owned(user):
        raise StillOwner
    promoted = tuple(i for outcome in end_registrations_of(user) for i in outcome.promoted)
    user_id = user.id
    db.session.expunge(user)
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()
    return promoted
