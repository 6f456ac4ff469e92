"""Every write to an organisation happens here, one transaction per call."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

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
from matchmaker.organisations import logos
from matchmaker.organisations.models import (
    ORG_EDITABLE_FIELDS,
    ORG_TAG_ROLES,
    ORG_TEXT_FIELDS,
    Membership,
    Organisation,
    OrganisationTag,
    OrganisationText,
)
from matchmaker.register.index import touch
from matchmaker.register.queries import public_snapshot
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
    # A new logo, already checked and re-encoded (logos.prepare); it replaces the old one.
    logo: bytes | None = None
    remove_logo: bool = False


# The logo is a file: _store_logo names it in logo_filename.
_VALUE_FIELDS = tuple(name for name in ORG_EDITABLE_FIELDS if name != "logo_filename")


def _apply(org: Organisation, data: OrganisationInput, pairs: list[tuple[str, Tag]]) -> None:
    for name in _VALUE_FIELDS:
        setattr(org, name, getattr(data, name))
    sync_texts(org, data.texts, ORG_TEXT_FIELDS, OrganisationText)
    sync_tags(org, pairs, OrganisationTag)


def logo_folder(organisation_id: int) -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "logos" / str(organisation_id)


def public_logo(organisation_id: int) -> str | None:
    """The logo in the approved version, which may differ from the one being edited."""
    snapshot = public_snapshot("organisation", organisation_id)
    return snapshot.get("logo_filename") if snapshot else None


def _store_logo(org: Organisation, data: OrganisationInput) -> str | None:
    """Write a new logo and name it on `org`, or drop the logo; the name of a file written."""
    if data.logo is not None:
        org.logo_filename = logos.save(logo_folder(org.id), data.logo)
        return org.logo_filename
    if data.remove_logo:
        org.logo_filename = None
    return None


def _commit_with_logo(org: Organisation, written: str | None) -> None:
    """Commit, then delete the logo files no longer used.

    The public logo stays until a moderator approves its replacement; the one it
    replaces goes at the organisation's next save. A file written for a commit that
    fails is deleted at once.
    """
    folder = logo_folder(org.id)
    try:
        db.session.commit()
    except Exception:
        if written:
            logos.delete(folder, written)
        raise
    prune_logos(org)


def prune_logos(org: Organisation) -> None:
    """Delete the logo files that neither the draft nor the public version of `org` uses."""
    logos.prune(logo_folder(org.id), keep={org.logo_filename, public_logo(org.id)})


def create_organisation(user: User, data: OrganisationInput) -> Organisation:
    """A new draft organisation owned by `user`."""
    pairs = resolve_tags(data.tags, ORG_TAG_ROLES)
    org = Organisation(status="draft")
    _apply(org, data, pairs)
    org.memberships.append(Membership(user_id=user.id, role="owner"))
    db.session.add(org)
    db.session.flush()  # the id names the logo's folder
    _commit_with_logo(org, _store_logo(org, data))
    return org


def update_organisation(org: Organisation, data: OrganisationInput, revision: int) -> None:
    """Save an edit made on the form opened at `revision`; StaleEdit if it moved on since.

    An edit to anything under review or published goes back to draft: the public keeps
    the approved version until the edit is submitted and approved.
    """
    pairs = resolve_tags(data.tags, ORG_TAG_ROLES)
    claim_revision(Organisation, org, revision)
    _apply(org, data, pairs)
    written = _store_logo(org, data)
    if org.status in BACK_TO_DRAFT:
        org.status = "draft"
    _commit_with_logo(org, written)


def set_unnamed_in_insights(org: Organisation, unnamed: bool) -> None:
    """The members' choice not to be named in the insights' rankings. It withholds and
    publishes nothing, so it needs no review and applies at once: the register's change
    token moves, so the figures kept per register change are made again."""
    org.unnamed_in_insights = unnamed
    touch()
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


def logo_file(organisation_id: int, name: str, user) -> tuple[Path, bool] | None:
    """The file of logo `name` and whether it is public; None if `user` may not see it.

    The approved logo is everyone's; one still waiting for review only its
    organisation's members and the moderators see.
    """
    if not logos.is_valid_name(name):
        return None
    public = public_logo(organisation_id) == name
    if not public:
        org = db.session.get(Organisation, organisation_id)
        if org is None or org.logo_filename != name or not user.is_authenticated:
            return None
        if not user.is_moderator and member_organisation(user, organisation_id) is None:
            return None
    path = logo_folder(organisation_id) / name
    return (path, public) if path.is_file() else None


def member_organisation(user: User, organisation_id: int) -> Organisation | None:
    """The organisation if `user` is one of its members; None otherwise (views answer 404)."""
    return db.session.scalar(
        select(Organisation)
        .join(Membership)
        .where(Organisation.id == organisation_id, Membership.user_id == user.id)
    )


class NotOwner(Exception):
    """Only an owner may delete an organisation."""


def delete_organisation(user: User, org: Organisation) -> None:
    """Take the organisation and its projects off the register and delete them, with
    their memberships, invitations and contact requests (foreign keys cascade)."""
    from matchmaker.register import services as register

    membership = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    )
    if membership is None or membership.role != "owner":
        raise NotOwner
    organisation_id = org.id
    register.unpublish_projects_of(organisation_id)
    register.unpublish("organisation", organisation_id)
    db.session.expunge(org)
    db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
    db.session.commit()
    shutil.rmtree(logo_folder(organisation_id), ignore_errors=True)
