"""The organisations a person belongs to, and their requests to join others.

Memberships and the person's own requests to join go with the account (by cascade); a
request someone else made and the person answered keeps its answer, by nobody named.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.organisations.models import JoinRequest, Membership, Organisation


def memberships_of(user) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
        )
    )


def export_memberships(user) -> list[dict[str, Any]]:
    return [
        {
            "organisation_id": m.organisation_id,
            "organisation": db.session.get(Organisation, m.organisation_id).name,
            "role": m.role,
            "since": personal_data.when(m.created_at),
        }
        for m in memberships_of(user)
    ]


personal_data.declare("memberships", export=export_memberships, order=30)


def join_requests_of(user) -> list[JoinRequest]:
    """The person's requests to join, and the requests to join they answered as an owner."""
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(or_(JoinRequest.user_id == user.id, JoinRequest.answered_by == user.id))
            .order_by(JoinRequest.id)
        )
    )


def export_join_requests(user) -> list[dict[str, Any]]:
    when = personal_data.when
    rows = []
    for r in join_requests_of(user):
        mine = r.user_id == user.id
        rows.append(
            {
                "id": r.id,
                "organisation_id": r.organisation_id,
                "organisation": r.organisation.name,
                "sent_by_you": mine,
                "answered_by_you": r.answered_by == user.id,
                # Someone else's words are theirs: only the person who wrote them gets them.
                "message": r.message if mine else None,
                "status": r.status,
                "created_at": when(r.created_at),
                "answered_at": when(r.answered_at),
            }
        )
    return rows


personal_data.declare("join_requests", export=export_join_requests, order=110)
