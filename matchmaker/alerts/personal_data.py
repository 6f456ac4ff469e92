"""A person's saved searches (they go with the account, by cascade)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.alerts.models import SavedSearch
from matchmaker.extensions import db


def export_saved_searches(user) -> list[dict[str, Any]]:
    return [
        {
            "item_type": s.item_type,
            "words": s.text,
            "filters": s.filters,
            "created_at": personal_data.when(s.created_at),
        }
        for s in db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    ]


personal_data.declare("saved_searches", export=export_saved_searches, order=60)
