"""Every write to an organisation happens here, one transaction per call."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.organisations.models import (
    ORG_TAG_ROLES,
    ORG_TEXT_FIELDS,
    Membership,
    Organisation,
    OrganisationTag,
    OrganisationText,
)
from matchmaker.taxonomy.models import Tag


class OrganisationError(Exception):
    """Base of the errors that views turn into translated messages."""


class StaleEdit(OrganisationError):
    """Someone saved the organisation after this form was opened."""


class NotSubmittable(OrganisationError):
    """Only drafts and returned items can be submitted."""


class UnknownTag(OrganisationError):
    def __init__(self, role: str, code: str):
        super().__init__(f"{role}: {code}")
        self.role, self.code = role, code


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


SCALAR_FIELDS = (
    "name",
    "kind",
    "country",
    "original_language",
    "region",
    "city",
    "website",
    "year_founded",
    "size_band",
    "working_languages",
    "latitude",
    "longitude",
    "ticket_min_eur",
    "ticket_max_eur",
    "members",
    "cluster_labels",
    "regions_covered",
)


def resolve_tags(tags: dict[str, list[str]], roles: dict[str, str]) -> list[tuple[str, Tag]]:
    """(role, Tag) pairs for the codes given; UnknownTag for a code outside the role's vocabulary."""
    codes = {code for values in tags.values() for code in values}
    found = {
        t.code: t
        for t in db.session.scalars(select(Tag).where(Tag.code.in_(codes), Tag.retired.is_(False)))
    }
    pairs = []
    for role, values in tags.items():
        for code in dict.fromkeys(values):
            tag = found.get(code)
            if tag is None or tag.vocabulary != roles[role]:
                raise UnknownTag(role, code)
            pairs.append((role, tag))
    return pairs


def _apply(org: Organisation, data: OrganisationInput) -> None:
    for name in SCALAR_FIELDS:
        setattr(org, name, getattr(data, name))
    wanted = {
        lang: values
        for lang, values in data.texts.items()
        if any((values.get(name) or "").strip() for name in ORG_TEXT_FIELDS)
    }
    for text in list(org.texts):
        if text.lang not in wanted:
            org.texts.remove(text)
    for lang, values in wanted.items():
        text = org.text(lang)
        if text is None:
            text = OrganisationText(lang=lang)
            org.texts.append(text)
        for name in ORG_TEXT_FIELDS:
            setattr(text, name, (values.get(name) or "").strip())
    pairs = resolve_tags(data.tags, ORG_TAG_ROLES)
    current = {(t.role, t.tag_id): t for t in org.tags}
    wanted_tags = {(role, tag.id): tag for role, tag in pairs}
    for key, link in current.items():
        if key not in wanted_tags:
            org.tags.remove(link)
    for (role, tag_id), tag in wanted_tags.items():
        if (role, tag_id) not in current:
            org.tags.append(OrganisationTag(role=role, tag=tag))


def create_organisation(user: User, data: OrganisationInput) -> Organisation:
    """A new draft organisation owned by `user`."""
    org = Organisation(status="draft")
    _apply(org, data)
    org.memberships.append(Membership(user_id=user.id, role="owner"))
    db.session.add(org)
    db.session.commit()
    return org


def update_organisation(org: Organisation, data: OrganisationInput, revision: int) -> None:
    """Save an edit made on the form opened at `revision`; StaleEdit if it moved on since.

    An edit to anything under review or published goes back to draft: the public keeps
    the approved version until the edit is submitted and approved.
    """
    claimed = db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id, Organisation.revision == revision)
        .values(revision=Organisation.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise StaleEdit
    db.session.refresh(org, ["revision"])
    _apply(org, data)
    if org.status in ("submitted", "published", "rejected"):
        org.status = "draft"
    db.session.commit()


def submit_organisation(org: Organisation) -> None:
    """Send a draft (or a returned item) to the moderators' queue, once."""
    done = db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id, Organisation.status.in_(("draft", "returned")))
        .values(status="submitted", submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise NotSubmittable
    db.session.commit()
    db.session.refresh(org)


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


def member_emails_and_languages(org: Organisation) -> list[User]:
    return [m.user for m in org.memberships]
