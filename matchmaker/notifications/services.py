"""Tell users about things that concern them: in the app, and by e-mail in their language."""

from __future__ import annotations

from sqlalchemy import func, select, update

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification


def notify(user: User, kind: str, data: dict, link: str = "") -> Notification:
    note = Notification(user_id=user.id, kind=kind, data=data, link=link)
    db.session.add(note)
    return note


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
