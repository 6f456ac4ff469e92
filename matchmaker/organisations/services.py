"""Every write to an organisation happens here, one transaction per call."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.editing import (
    BACK_TO_DRAFT,
    EditError,
    NotSubmittable,
    StaleEdit,
    UnknownTag,
    claim_revision,
    claim_submission,
    resolve_tags,
    sync_tags,
    sync_texts,
)
from matchmaker.extensions import db
from matchmaker.organisations.models import (
    ORG_EDITABLE_FIELDS,
    ORG_TAG_ROLES,
    ORG_TEXT_FIELDS,
    Membership,
    Organisation,
    OrganisationTag,
    OrganisationText,
)
from matchmaker.taxonomy.models import Tag

__all__ = ["EditError", "NotSubmittable", "StaleEdit", "UnknownTag"]


@dataclass
class OrganisationInput:
    """Validated form data; the same shape for creating and editing."""

    name: str
    kind: str
    country: str
    original_language: str
    region: str | None = None
    city: str | None = None
    website: str | None = None
    year_founded: int | None = None
    size_band: str | None = None
    working_languages: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    ticket_min_eur: int | None = None
    ticket_max_eur: int | None = None
    members: dict[str, int] | None = None
    cluster_labels: list[str] = field(default_factory=list)
    regions_covered: list[str] = field(default_factory=list)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)


def _apply(org: Organisation, data: OrganisationInput, pairs: list[tuple[str, Tag]]) -> None:
    for name in ORG_EDITABLE_FIELDS:
        setattr(org, name, getattr(data, name))
    sync_texts(org, data.texts, ORG_TEXT_FIELDS, OrganisationText)
    sync_tags(org, pairs, OrganisationTag)


def create_organisation(user: User, data: OrganisationInput) -> Organisation:
    """A new draft organisation owned by `user`."""
    pairs = resolve_tags(data.tags, ORG_TAG_ROLES)
    org = Organisation(status="draft")
    _apply(org, data, pairs)
    org.memberships.append(Membership(user_id=user.id, role="owner"))
    db.session.add(org)
    db.session.commit()
    return org


def update_organisation(org: Organisation, data: OrganisationInput, revision: int) -> None:
    """Save an edit made on the form opened at `revision`; StaleEdit if it moved on since.

    An edit to anything under review or published goes back to draft: the public keeps
    the approved version until the edit is submitted and approved.
    """
    pairs = resolve_tags(data.tags, ORG_TAG_ROLES)
    claim_revision(Organisation, org, revision)
    _apply(org, data, pairs)
    if org.status in BACK_TO_DRAFT:
        org.status = "draft"
    db.session.commit()


def submit_organisation(org: Organisation) -> None:
    """Send a draft (or a returned item) to the moderators' queue, once."""
    claim_submission(Organisation, org)


def memberships_of(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Organisation)
            .where(Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
    )


def member_organisation(user: User, organisation_id: int) -> Organisation | None:
    """The organisation if `user` is one of its members; None otherwise (views answer 404)."""
    return db.session.scalar(
        select(Organisation)
        .join(Membership)
        .where(Organisation.id == organisation_id, Membership.user_id == user.id)
    )
