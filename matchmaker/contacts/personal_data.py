"""Contact requests a person sent, or that reached or left their organisations.

Requests they sent stay with the receiving organisation when the account goes, shown as
sent by a deleted user (the foreign key sets the sender to NULL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from matchmaker import personal_data
from matchmaker.contacts.models import ContactRequest
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership


def requests_of(user) -> list[ContactRequest]:
    organisation_ids = select(Membership.organisation_id).where(Membership.user_id == user.id)
    return list(
        db.session.scalars(
            select(ContactRequest)
            .where(
                or_(
                    ContactRequest.sender_user_id == user.id,
                    ContactRequest.recipient_org_id.in_(organisation_ids),
                    ContactRequest.sender_org_id.in_(organisation_ids),
                )
            )
            .order_by(ContactRequest.id)
        )
    )


def request_data(request: ContactRequest, user) -> dict[str, Any]:
    when = personal_data.when
    return {
        "id": request.id,
        "from_organisation": request.sender_org.name,
        "to_organisation": request.recipient_org.name,
        "sent_by_you": request.sender_user_id == user.id,
        "answered_by_you": request.answered_by == user.id,
        "project_id": request.project_id,
        "message": request.message,
        "status": request.status,
        "reply": request.reply,
        "created_at": when(request.created_at),
        "answered_at": when(request.answered_at),
    }


def export_requests(user) -> list[dict[str, Any]]:
    return [request_data(r, user) for r in requests_of(user)]


personal_data.declare("contact_requests", export=export_requests, order=40)
