"""The moderators' decisions: approve, return with a note, reject, unpublish."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from matchmaker.accounts.models import User, utcnow
from matchmaker.database import commit_with
from matchmaker.extensions import db
from matchmaker.moderation.changes import differences, snapshot
from matchmaker.moderation.models import ModerationDecision
from matchmaker.organisations.models import (
    ORG_EDITABLE_FIELDS,
    ORG_TAG_ROLES,
    ORG_TEXT_FIELDS,
    Organisation,
)
from matchmaker.organisations.services import prune_logos
from matchmaker.projects.models import (
    PROJECT_EDITABLE_FIELDS,
    PROJECT_TAG_ROLES,
    PROJECT_TEXT_FIELDS,
    Project,
)
from matchmaker.register import services as register
from matchmaker.register.models import RegisterEntry
from matchmaker.register.queries import public_snapshot

MODELS = {"organisation": Organisation, "project": Project}
# Decisions on a submission, whose time since it counts as a review's length.
REVIEWS = ("approved", "returned", "rejected")
REVIEW_WINDOW = timedelta(days=180)
REVIEWS_COUNTED, REVIEWS_NEEDED = 50, 5


class ModerationError(Exception):
    pass


class AlreadyDecided(ModerationError):
    """Another moderator (or a second click) decided first."""


class OrganisationNotPublished(ModerationError):
    """A project can only be published once its organisation is."""


class NoteRequired(ModerationError):
    pass


def organisation_snapshot(org: Organisation) -> dict:
    return snapshot(org, ORG_EDITABLE_FIELDS, ORG_TEXT_FIELDS, ORG_TAG_ROLES)


def project_snapshot(project: Project) -> dict:
    return snapshot(
        project,
        ("organisation_id", *PROJECT_EDITABLE_FIELDS),
        PROJECT_TEXT_FIELDS,
        PROJECT_TAG_ROLES,
    )


def current_snapshot(item_type: str, item) -> dict:
    return organisation_snapshot(item) if item_type == "organisation" else project_snapshot(item)


def pending_changes(item_type: str, item) -> list[dict]:
    """What the public would see change if this item were approved now."""
    return differences(public_snapshot(item_type, item.id), current_snapshot(item_type, item))


def label_of(item_type: str, item) -> str:
    return item.name if item_type == "organisation" else item.title  # projects, events


@dataclass
class QueueFilters:
    item_type: str | None = None
    kind: str | None = None
    country: str | None = None
    older_than_days: int | None = None


@dataclass
class QueueEntry:
    """An item waiting for review. `waits_for`: the organisation, never approved, that a
    project needs published first."""

    item_type: str
    item: Organisation | Project
    waits_for: Organisation | None = None


def queue(filters: QueueFilters) -> list[QueueEntry]:
    """Items waiting for review, oldest first; a project right after its organisation when
    that waits too, since the project can only be approved after it."""
    items: list[tuple[str, Organisation | Project]] = []
    for item_type, model in MODELS.items():
        if filters.item_type and filters.item_type != item_type:
            continue
        query = select(model).where(model.status == "submitted")
        if filters.country:
            query = query.where(model.country == filters.country)
        if filters.older_than_days:
            cutoff = utcnow() - timedelta(days=filters.older_than_days)
            query = query.where(model.submitted_at <= cutoff)
        if filters.kind:
            if item_type == "organisation":
                query = query.where(Organisation.kind == filters.kind)
            else:
                query = query.join(Organisation, Project.organisation_id == Organisation.id).where(
                    Organisation.kind == filters.kind
                )
        items.extend((item_type, item) for item in db.session.scalars(query))
    now = utcnow()
    waiting = {item.id: item for item_type, item in items if item_type == "organisation"}

    def own(item_type: str, item) -> tuple:
        return (item.submitted_at or now, item_type, item.id)

    def position(pair: tuple[str, Organisation | Project]) -> tuple:
        item_type, item = pair
        organisation = waiting.get(item.organisation_id) if item_type == "project" else None
        if organisation is None:
            return (own(item_type, item), 0, own(item_type, item))
        return (own("organisation", organisation), 1, own(item_type, item))

    projects = [item for item_type, item in items if item_type == "project"]
    blocked = unapproved_organisations(projects)
    return [
        QueueEntry(item_type, item, blocked.get(item.id) if item_type == "project" else None)
        for item_type, item in sorted(items, key=position)
    ]


def unapproved_organisations(projects: list[Project]) -> dict[int, Organisation]:
    """Project id → its organisation, for the projects whose organisation has never been
    approved: those cannot be approved before it."""
    ids = {project.organisation_id for project in projects}
    if not ids:
        return {}
    public = set(
        db.session.scalars(
            select(RegisterEntry.item_id).where(
                RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids)
            )
        )
    )
    return {
        project.id: project.organisation
        for project in projects
        if project.organisation_id not in public
    }


def waits_for(item_type: str, item) -> Organisation | None:
    """The organisation a project waits for (see `unapproved_organisations`), if any."""
    if item_type != "project":
        return None
    return unapproved_organisations([item]).get(item.id)


def get_item(item_type: str, item_id: int):
    model = MODELS.get(item_type)
    return db.session.get(model, item_id) if model else None


def _claim(item_type: str, item, new_status: str, note: str | None) -> None:
    model = MODELS[item_type]
    values = {"status": new_status, "moderator_note": note}
    if new_status == "published":
        values["published_at"] = item.published_at or utcnow()
    done = db.session.execute(
        update(model)
        .where(model.id == item.id, model.status == "submitted")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise AlreadyDecided


def _record(item_type, item, moderator, decision, note, changes) -> ModerationDecision:
    record = ModerationDecision(
        item_type=item_type,
        item_id=item.id,
        moderator_id=moderator.id,
        decision=decision,
        note=note or "",
        changes=changes,
        item_label=label_of(item_type, item)[:200],
        submitted_at=getattr(item, "submitted_at", None) if decision in REVIEWS else None,
    )
    db.session.add(record)
    return record


def typical_review(now: datetime) -> timedelta | None:
    """How long a review took, the middle value of the last REVIEWS_COUNTED decisions on a
    submission in REVIEW_WINDOW; None with fewer than REVIEWS_NEEDED of them."""
    rows = db.session.execute(
        select(ModerationDecision.submitted_at, ModerationDecision.created_at)
        .where(
            ModerationDecision.decision.in_(REVIEWS),
            ModerationDecision.submitted_at.is_not(None),
            ModerationDecision.created_at > now - REVIEW_WINDOW,
        )
        .order_by(ModerationDecision.created_at.desc())
        .limit(REVIEWS_COUNTED)
    ).all()
    if len(rows) < REVIEWS_NEEDED:
        return None
    return statistics.median_low(decided - submitted for submitted, decided in rows)


def approve(item_type: str, item, moderator: User, note: str = "", then=None) -> ModerationDecision:
    """Publish the submitted version. `then(record)` (telling the members) runs in the
    decision's transaction, as in every decision below."""
    if item_type == "project" and public_snapshot("organisation", item.organisation_id) is None:
        raise OrganisationNotPublished
    changes = pending_changes(item_type, item)
    new_public = current_snapshot(item_type, item)
    _claim(item_type, item, "published", None)
    if item_type == "organisation":
        register.publish(
            "organisation",
            item.id,
            new_public,
            organisation_id=item.id,
            org_kind=item.kind,
            title=item.name,
            text_fields=ORG_TEXT_FIELDS,
            languages=set(item.working_languages or []) | set(new_public["texts"]),
        )
        register.refresh_organisation_kind(item.id, item.kind)
    else:
        register.publish(
            "project",
            item.id,
            new_public,
            organisation_id=item.organisation_id,
            org_kind=item.organisation.kind,
            title=item.title,
            text_fields=PROJECT_TEXT_FIELDS,
            languages=set(new_public["texts"]),
        )
    record = _record(item_type, item, moderator, "approved", note, changes)
    commit_with(then, record)
    db.session.refresh(item)
    if item_type == "organisation":
        prune_logos(item)  # the logo the public saw until now may be used by nothing any more
    return record


def _decide_with_note(
    item_type: str, item, moderator: User, note: str, decision: str, status: str, then
):
    if not note.strip():
        raise NoteRequired
    changes = pending_changes(item_type, item)
    _claim(item_type, item, status, note.strip())
    record = _record(item_type, item, moderator, decision, note.strip(), changes)
    commit_with(then, record)
    db.session.refresh(item)
    return record


def return_for_changes(
    item_type: str, item, moderator: User, note: str, then=None
) -> ModerationDecision:
    """Send the submission back with a note; an earlier approved version stays public."""
    return _decide_with_note(item_type, item, moderator, note, "returned", "returned", then)


def reject(item_type: str, item, moderator: User, note: str, then=None) -> ModerationDecision:
    """Refuse the submission; an earlier approved version stays public."""
    return _decide_with_note(item_type, item, moderator, note, "rejected", "rejected", then)


def unpublish(item_type: str, item, moderator: User, note: str, then=None) -> ModerationDecision:
    """Take a published item out of the public register (an organisation takes its projects)."""
    if not note.strip():
        raise NoteRequired
    if public_snapshot(item_type, item.id) is None:
        raise AlreadyDecided
    register.unpublish(item_type, item.id)
    if item_type == "organisation":
        register.unpublish_projects_of(item.id)
    model = MODELS[item_type]
    db.session.execute(
        update(model)
        .where(model.id == item.id)
        .values(status="returned", moderator_note=note.strip())
        .execution_options(synchronize_session=False)
    )
    record = _record(item_type, item, moderator, "unpublished", note.strip(), [])
    commit_with(then, record)
    db.session.refresh(item)
    return record


def unpublish_event(event, moderator: User, note: str, then=None):
    """Take an event off the site; its organisers see the note (events publish directly).

    Returns the decision and the active registrations; `then(record, registrations)`
    tells the organisers and those people in the same transaction."""
    from matchmaker.events import services as events

    if not note.strip():
        raise NoteRequired
    registrations = events.unpublish_event(event, note)
    record = _record("event", event, moderator, "unpublished", note.strip(), [])
    commit_with(then, record, registrations)
    return record, registrations


def republish_event(event, moderator: User, then=None) -> ModerationDecision:
    from matchmaker.events import services as events

    events.republish_event(event)
    record = _record("event", event, moderator, "approved", "", [])
    commit_with(then, record)
    return record


def audit_log(limit: int = 200) -> list[ModerationDecision]:
    return list(
        db.session.scalars(
            select(ModerationDecision)
            .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
            .limit(limit)
        )
    )


def decisions_for(item_type: str, item_id: int) -> list[ModerationDecision]:
    return list(
        db.session.scalars(
            select(ModerationDecision)
            .where(ModerationDecision.item_type == item_type, ModerationDecision.item_id == item_id)
            .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
        )
    )
