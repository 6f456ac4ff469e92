"""The organisations a person belongs to (their memberships go with the account, by cascade)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation


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
