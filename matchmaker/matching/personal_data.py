"""Matches a person dismissed for their organisation.

The dismissals stay with the organisation when the account goes, without the person
(the foreign key sets `dismissed_by` to NULL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.matching.models import MatchDismissal


def export_dismissals(user) -> list[dict[str, Any]]:
    return [
        {
            "organisation_id": d.organisation_id,
            "item_type": d.item_type,
            "item_id": d.item_id,
            "created_at": personal_data.when(d.created_at),
        }
        for d in db.session.scalars(
            select(MatchDismissal)
            .where(MatchDismissal.dismissed_by == user.id)
            .order_by(MatchDismissal.id)
        )
    ]


personal_data.declare("dismissed_matches", export=export_dismissals, order=80)
