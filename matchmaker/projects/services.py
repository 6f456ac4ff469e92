"""Every write to a project happens here, one transaction per call.

Projects follow the organisations' rules exactly: the same errors (imported from
`organisations.services`, not redefined), the same tag resolution, the same
revision-based protection against stale edits and the same submission rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.projects.models import (
    PROJECT_EDITABLE_FIELDS,
    PROJECT_TAG_ROLES,
    PROJECT_TEXT_FIELDS,
    Project,
    ProjectTag,
    ProjectText,
)
from matchmaker.taxonomy.models import Tag

__all__ = [
    "EditError",
    "NotSubmittable",
    "ProjectInput",
    "StaleEdit",
    "UnknownTag",
    "create_project",
    "member_project",
    "projects_of",
    "submit_project",
    "update_project",
]


@dataclass(kw_only=True)
class ProjectInput:
    """Validated form data; the same shape for creating and editing."""

    stage: str
    country: str
    region: str | None = None
    funding_min_eur: int | None = None
    funding_max_eur: int | None = None
    start_date: date | None = None
    links: list[str] = field(default_factory=list)
    original_language: str
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)


# --- Projects ------------------------------------------------------------------------------


def _apply(project: Project, data: ProjectInput, pairs: list[tuple[str, Tag]]) -> None:
    for name in PROJECT_EDITABLE_FIELDS:
        setattr(project, name, getattr(data, name))
    sync_texts(project, data.texts, PROJECT_TEXT_FIELDS, ProjectText)
    sync_tags(project, pairs, ProjectTag)


def create_project(organisation: Organisation, data: ProjectInput) -> Project:
    """A new draft project of `organisation`; UnknownTag for a code outside its vocabulary."""
    pairs = resolve_tags(data.tags, PROJECT_TAG_ROLES)
    project = Project(organisation=organisation, status="draft")
    _apply(project, data, pairs)
    db.session.add(project)
    db.session.commit()
    return project


def update_project(project: Project, data: ProjectInput, revision: int) -> None:
    """Save an edit made on the form opened at `revision`; StaleEdit if it moved on since.

    An edit to anything under review, published or rejected goes back to draft: the
    public keeps the approved version until the edit is submitted and approved.
    """
    pairs = resolve_tags(data.tags, PROJECT_TAG_ROLES)
    claim_revision(Project, project, revision)
    _apply(project, data, pairs)
    if project.status in BACK_TO_DRAFT:
        project.status = "draft"
    db.session.commit()


def submit_project(project: Project) -> None:
    """Send a draft (or a returned project) to the moderators' queue, once."""
    claim_submission(Project, project)


def member_project(user: User, project_id: int) -> Project | None:
    """The project if `user` is a member of its organisation; None otherwise (views answer 404)."""
    return db.session.scalar(
        select(Project)
        .join(Membership, Membership.organisation_id == Project.organisation_id)
        .where(Project.id == project_id, Membership.user_id == user.id)
    )


def projects_of(organisation: Organisation) -> list[Project]:
    """The organisation's projects, newest first."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.organisation_id == organisation.id)
            .order_by(Project.created_at.desc(), Project.id.desc())
        )
    )
