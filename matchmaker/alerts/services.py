"""Saving searches, finding who to tell about a newly published item, weekly digests.

A followed category is a saved search whose only filter is that category. When an item
is published for the first time, every saved search of its type is checked against it
(``register.queries.matches_entry``: the same rules as the register's own search) and
each user with a matching search gets one in-app notification. Users who opted in get
those notifications again, once a week, as one e-mail in their language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

from matchmaker.accounts.models import User, utcnow
from matchmaker.alerts.models import SavedSearch
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from matchmaker.notifications.services import notify
from matchmaker.organisations.models import Membership
from matchmaker.register import queries
from matchmaker.register.models import RegisterEntry

MAX_SEARCHES = 50
DIGEST_EVERY = timedelta(days=7)
NOTIFICATION_KIND = "saved_search_match"


class TooManySearches(Exception):
    """A user may keep MAX_SEARCHES saved searches."""


class NothingToSave(Exception):
    """A search with neither words nor filters would match everything."""


def query_key(item_type: str, text: str, filters: dict[str, list[str]]) -> str:
    """One string per distinct search: words lower-cased and spaced once, filters sorted."""
    words = " ".join(text.casefold().split())
    pairs = [(name, value) for name in sorted(filters) for value in sorted(set(filters[name]))]
    return urlencode([("type", item_type), ("q", words), *pairs])[:1000]


def as_query(search: SavedSearch) -> queries.RegisterQuery:
    return queries.RegisterQuery(
        item_type=search.item_type, text=search.text, filters=dict(search.filters)
    )


def save(user: User, query: queries.RegisterQuery) -> tuple[SavedSearch, bool]:
    """Save the query's words and filters (not its sort or page); (search, created).

    Saving the same search again returns the one already saved.
    """
    text = " ".join(query.text.split())
    filters = {name: sorted(set(values)) for name, values in query.filters.items() if values}
    if not text and not filters:
        raise NothingToSave
    key = query_key(query.item_type, text, filters)
    found = db.session.scalar(
        select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query_key == key)
    )
    if found is not None:
        return found, False
    count = db.session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if count >= MAX_SEARCHES:
        raise TooManySearches
    search = SavedSearch(
        user_id=user.id, item_type=query.item_type, text=text, filters=filters, query_key=key
    )
    db.session.add(search)
    db.session.commit()
    return search, True


def searches_of(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        )
    )


def delete(user: User, search_id: int) -> bool:
    """Delete one of the user's own searches; False if there is no such search of theirs."""
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != user.id:
        return False
    db.session.delete(search)
    db.session.commit()
    return True


def set_digest(user: User, weekly: bool) -> None:
    user.digest_weekly = weekly
    db.session.commit()


# --- a new item in the register ---------------------------------------------------------


def tell_followers(item_type: str, item_id: int, link_for: Callable[[User], str]) -> int:
    """Notify every user with a saved search matching the newly published item, once per
    user (members of the item's own organisation are not told about it); returns how
    many users were notified. ``link_for(user)`` gives the item's address in their language.
    """
    entry = queries.entry(item_type, item_id)
    if entry is None:
        return 0
    searches = db.session.scalars(
        select(SavedSearch).where(SavedSearch.item_type == item_type).order_by(SavedSearch.id)
    ).all()
    by_key: dict[str, list[SavedSearch]] = {}
    for search in searches:
        by_key.setdefault(search.query_key, []).append(search)
    members = set(
        db.session.scalars(
            select(Membership.user_id).where(Membership.organisation_id == entry.organisation_id)
        )
    )
    told: set[int] = set()
    for same in by_key.values():  # each distinct search is evaluated once
        if not queries.matches_entry(as_query(same[0]), entry.id):
            continue
        for search in same:
            if search.user_id in told or search.user_id in members:
                continue
            user = db.session.get(User, search.user_id)
            data = {
                "item_type": item_type,
                "item_id": item_id,
                "label": entry.sort_title,
                "search_id": search.id,
            }
            notify(user, NOTIFICATION_KIND, data, link=link_for(user))
            told.add(search.user_id)
    db.session.commit()
    return len(told)


# --- the weekly digest -------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    entry: RegisterEntry
    link: str


def due_for_digest(now: datetime | None = None) -> list[User]:
    """Opted-in users whose last digest is a week old or who never had one."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.digest_weekly.is_(True),
                User.email_confirmed_at.is_not(None),
                (User.digest_sent_at.is_(None)) | (User.digest_sent_at <= now - DIGEST_EVERY),
            )
            .order_by(User.id)
        )
    )


def digest_items(user: User, now: datetime | None = None) -> list[DigestItem]:
    """New matches since the user's last digest, still published: a first digest looks a
    week back, and none looks more than two weeks back (after a pause)."""
    now = now or utcnow()
    since = [
        Notification.created_at
        > now - (DIGEST_EVERY if user.digest_sent_at is None else 2 * DIGEST_EVERY)
    ]
    if user.digest_sent_at is not None:
        since.append(Notification.created_at > user.digest_sent_at)
    notes = db.session.scalars(
        select(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.kind == NOTIFICATION_KIND,
            *since,
        )
        .order_by(Notification.created_at, Notification.id)
    ).all()
    items = []
    for note in notes:
        entry = queries.entry(note.data.get("item_type", ""), note.data.get("item_id", 0))
        if entry is not None:
            items.append(DigestItem(entry, note.link))
    return items


def send_digests(send: Callable[[User, list[DigestItem]], None], now: datetime | None = None):
    """Send each due user their digest (nothing when nothing is new); returns how many were
    sent. The time is recorded even when there was nothing, so the week starts again."""
    now = now or utcnow()
    sent = 0
    for user in due_for_digest(now):
        items = digest_items(user, now)
        if items:
            send(user, items)
            sent += 1
        user.digest_sent_at = now
        db.session.commit()
    return sent
