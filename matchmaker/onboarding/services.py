"""The member's situation for the steps (steps.Situation), in one query (two without an
organisation); how long reviews take, in words."""

from __future__ import annotations

from flask_babel import format_timedelta
from sqlalchemy import case, select

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.moderation.services import typical_review
from matchmaker.onboarding.steps import Situation
from matchmaker.organisations.models import (
    JoinRequest,
    Membership,
    Organisation,
    OrganisationTag,
)
from matchmaker.register.models import RegisterEntry


def situation_of(user: User) -> Situation:
    public = (
        select(RegisterEntry.id)
        .where(RegisterEntry.item_type == "organisation", RegisterEntry.item_id == Organisation.id)
        .exists()
    )
    categorised = _has_tag_in(("category",))
    offers_or_needs = _has_tag_in(("capability", "need"))
    row = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.status,
            public,
            categorised,
            offers_or_needs,
        )
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(case((Membership.role == "owner", 0), else_=1), Membership.id)
        .limit(1)
    ).first()
    if row is None:
        return Situation(joining=_joining(user))
    organisation_id, name, status, published_before, has_category, has_offer_or_need = row
    return Situation(
        organisation_id=organisation_id,
        organisation_name=name,
        status=status,
        published_before=bool(published_before),
        has_category=bool(has_category),
        has_offer_or_need=bool(has_offer_or_need),
    )


def _has_tag_in(roles: tuple[str, ...]):
    """Whether the organisation of the row carries a tag in one of `roles` (a column)."""
    return (
        select(OrganisationTag.tag_id)
        .where(OrganisationTag.organisation_id == Organisation.id, OrganisationTag.role.in_(roles))
        .exists()
    )


def _joining(user: User) -> str | None:
    """The name of an organisation the user asked to join, still waiting for its answer."""
    return db.session.scalar(
        select(Organisation.name)
        .join(JoinRequest, JoinRequest.organisation_id == Organisation.id)
        .where(JoinRequest.user_id == user.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.id.desc())
        .limit(1)
    )


def review_time() -> str | None:
    """How long reviews take, in the reader's words ("2 days"); None while too few reviews
    were made to say."""
    review = typical_review(utcnow())
    return format_timedelta(review, granularity="hour") if review is not None else None
