"""A person's notifications (they go with the account, by cascade)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification


def export_notifications(user) -> list[dict[str, Any]]:
    return [
        {
            "kind": n.kind,
            "data": n.data,
            "link": n.link,
            "created_at": personal_data.when(n.created_at),
            "read_at": personal_data.when(n.read_at),
        }
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    ]


personal_data.declare("notifications", export=export_notifications, order=70)
