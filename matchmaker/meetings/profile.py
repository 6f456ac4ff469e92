"""A participant's event profile: opportunities (offers and requests) and bookmarks.

The rest of the event profile is the organisation's published profile; opportunities add
what a person brings to or seeks at this one event, each tied to capability tags so the
matcher can use them: an offer's tags count as capabilities, a request's as needs
(`with_opportunities`). Bookmarks are private: only their owner sees them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from matchmaker.extensions import db
from matchmaker.matching.profiles import Profile
from matchmaker.meetings.models import (
    MAX_OPPORTUNITY_TEXT,
    MAX_OPPORTUNITY_TITLE,
    OPPORTUNITY_KINDS,
    MeetingBookmark,
    MeetingOpportunity,
)
from matchmaker.meetings.services import MeetingRefused, takes_part

MAX_OPPORTUNITIES = 5  # per person and event
MAX_TAGS = 5  # per opportunity


@dataclass
class OpportunityInput:
    kind: str
    title: str
    description: str
    tags: list[str]


def check_opportunity(data: OpportunityInput, known_tags: Iterable[str]) -> dict[str, str]:
    """Field name -> refusal code for what is wrong; empty when all is well."""
    errors = {}
    if data.kind not in OPPORTUNITY_KINDS:
        errors["kind"] = "bad_value"
    if not data.title.strip():
        errors["title"] = "required"
    elif len(data.title) > MAX_OPPORTUNITY_TITLE:
        errors["title"] = "too_long"
    if len(data.description) > MAX_OPPORTUNITY_TEXT:
        errors["description"] = "too_long"
    known = set(known_tags)
    if not data.tags:
        errors["tags"] = "no_tags"
    elif len(set(data.tags)) > MAX_TAGS:
        errors["tags"] = "too_many_tags"
    elif not set(data.tags) <= known:
        errors["tags"] = "bad_value"
    return errors


def opportunities_of(event_id: int, user_id: int | None = None) -> dict[int, list]:
    """The event's opportunities by person (one person's when `user_id` is given)."""
    query = select(MeetingOpportunity).where(MeetingOpportunity.event_id == event_id)
    if user_id is not None:
        query = query.where(MeetingOpportunity.user_id == user_id)
    found: dict[int, list] = {}
    for item in db.session.scalars(query.order_by(MeetingOpportunity.id)):
        found.setdefault(item.user_id, []).append(item)
    return found


def add_opportunity(event_id: int, user_id: int, data: OpportunityInput) -> MeetingOpportunity:
    """Post an opportunity; the caller has checked it (`check_opportunity`)."""
    if not takes_part(event_id, user_id):
        raise MeetingRefused("not_participant")
    # The per-person limit is checked under a lock on nothing: a participant racing
    # themself could post one more than allowed, which harms nobody.
    count = db.session.scalar(
        select(func.count())
        .select_from(MeetingOpportunity)
        .where(MeetingOpportunity.event_id == event_id, MeetingOpportunity.user_id == user_id)
    )
    if count >= MAX_OPPORTUNITIES:
        raise MeetingRefused("opportunity_limit", limit=MAX_OPPORTUNITIES)
    item = MeetingOpportunity(
        event_id=event_id,
        user_id=user_id,
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        tags=sorted(set(data.tags)),
    )
    db.session.add(item)
    db.session.commit()
    return item


def remove_opportunity(event_id: int, user_id: int, opportunity_id: int) -> None:
    """Delete one's own opportunity; anything else is not found."""
    done = db.session.execute(
        delete(MeetingOpportunity).where(
            MeetingOpportunity.id == opportunity_id,
            MeetingOpportunity.event_id == event_id,
            MeetingOpportunity.user_id == user_id,
        )
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise MeetingRefused("not_found")
    db.session.commit()


def with_opportunities(profile: Profile, opportunities: Iterable[MeetingOpportunity]) -> Profile:
    """The profile with the opportunities' tags added: offers as capabilities, requests
    as needs. The same profile when there are none."""
    added: dict[str, set[str]] = {}
    for item in opportunities:
        role = "capability" if item.is_offer else "need"
        added.setdefault(role, set()).update(item.tags)
    if not added:
        return profile
    tags = {role: set(codes) for role, codes in profile.tags.items()}
    for role, codes in added.items():
        tags.setdefault(role, set()).update(codes)
    return dataclasses.replace(profile, tags=tags)


# --- bookmarks ------------------------------------------------------------------------------


def bookmarks_of(event_id: int, user_id: int) -> set[int]:
    """The people a participant has bookmarked at the event."""
    return set(
        db.session.scalars(
            select(MeetingBookmark.target_id).where(
                MeetingBookmark.event_id == event_id, MeetingBookmark.user_id == user_id
            )
        )
    )


def set_bookmark(event_id: int, user_id: int, target_id: int, marked: bool) -> None:
    """Bookmark another participant, or take the bookmark off. Setting what is already
    set changes nothing (a double click is harmless)."""
    if target_id == user_id or not takes_part(event_id, target_id):
        raise MeetingRefused("not_found")
    key = {"event_id": event_id, "user_id": user_id, "target_id": target_id}
    existing = db.session.get(MeetingBookmark, key)
    if marked and existing is None:
        db.session.add(MeetingBookmark(**key))
    elif not marked and existing is not None:
        db.session.delete(existing)
    try:
        db.session.commit()
    except IntegrityError:  # the same bookmark from a second tab at the same moment
        db.session.rollback()
