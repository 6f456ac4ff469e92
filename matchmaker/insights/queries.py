"""The rows the insights figures read, from the public register only, kept per change.

Everything starts from ``register_entry``, which holds approved versions and nothing
else, so a draft, an item under review or one taken off the register is never counted.
Nothing personal is read: places, kinds, stages, tags and a date (and of the
moderation record, only the stage changes approved on published projects).

A project's date is its first publication: ``Project.published_at``, which moderation
sets on the first approval and keeps through later approved edits and through being
taken off and published again. ``register_entry.published_at`` would move in the last
case (the entry is deleted and made anew), so it is only the fallback.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.insights import figures
from matchmaker.moderation.models import ModerationDecision
from matchmaker.projects.models import Project
from matchmaker.register.index import per_change
from matchmaker.register.models import RegisterEntry, RegisterEntryTag
from matchmaker.taxonomy.models import Tag

PROJECT_ROLES = ("category", "specialisation", "seeks")


@dataclass
class PublishedRegister:
    """The register's rows as the figures read them, and the figures made of them so far
    (per country and quarter: a new quarter changes them without a register change)."""

    projects: tuple[figures.ProjectRow, ...]
    organisations: tuple[figures.OrganisationRow, ...]
    stage_changes: tuple[figures.StageChange, ...] = ()
    computed: dict[tuple, object] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _kept(self, name: str, today: date, country: str | None, count):
        """``count()``, once per figure, country and quarter."""
        key = (name, country, figures.quarter_of(today))
        with self.lock:
            if key not in self.computed:
                self.computed[key] = count()
            return self.computed[key]

    def growth(self, today: date, country: str | None) -> figures.GrowthFigures:
        rows = (self.projects, self.organisations, today, country)
        return self._kept("growth", today, country, lambda: figures.growth_figures(*rows))

    def places(self, today: date, country: str | None) -> tuple[figures.Place, ...]:
        rows = (self.projects, self.organisations, today, country)
        return self._kept("places", today, country, lambda: figures.places(*rows))

    def stage_moves(self, today: date, country: str | None) -> tuple[tuple[str, int], ...]:
        rows = (self.stage_changes, today, country)
        return self._kept("stage moves", today, country, lambda: figures.stage_moves(*rows))

    def countries(self) -> set[str]:
        """Countries with a published project or organisation."""
        return {row.country for row in (*self.projects, *self.organisations)}


def published_register() -> PublishedRegister:
    """The rows, read again only after the register has changed."""
    return per_change("insights register", read_register)


def growth(today: date, country: str | None = None) -> figures.GrowthFigures:
    return published_register().growth(today, country)


def places(today: date, country: str | None = None) -> tuple[figures.Place, ...]:
    return published_register().places(today, country)


def stage_moves(today: date, country: str | None = None) -> tuple[tuple[str, int], ...]:
    return published_register().stage_moves(today, country)


def read_register() -> PublishedRegister:
    return PublishedRegister(_projects(), _organisations(), _stage_changes())


def _projects() -> tuple[figures.ProjectRow, ...]:
    first_published = func.coalesce(Project.published_at, RegisterEntry.published_at)
    entries = db.session.execute(
        select(
            RegisterEntry.id,
            RegisterEntry.country,
            RegisterEntry.region,
            RegisterEntry.stage,
            first_published,
        )
        .outerjoin(Project, Project.id == RegisterEntry.item_id)
        .where(RegisterEntry.item_type == "project")
    ).all()
    tags: dict[tuple[int, str], list[str]] = {}
    for entry_id, role, code in db.session.execute(
        select(RegisterEntryTag.entry_id, RegisterEntryTag.role, Tag.code)
        .join(Tag, Tag.id == RegisterEntryTag.tag_id)
        .join(RegisterEntry, RegisterEntry.id == RegisterEntryTag.entry_id)
        .where(RegisterEntry.item_type == "project", RegisterEntryTag.role.in_(PROJECT_ROLES))
    ):
        tags.setdefault((entry_id, role), []).append(code)
    return tuple(
        figures.ProjectRow(
            published=utc_day(published),
            country=country,
            region=region,
            stage=stage,
            categories=tuple(sorted(tags.get((entry_id, "category"), ()))),
            seeks=tuple(sorted(tags.get((entry_id, "seeks"), ()))),
            specialisations=tuple(sorted(tags.get((entry_id, "specialisation"), ()))),
        )
        for entry_id, country, region, stage, published in entries
    )


def utc_day(moment: datetime) -> date:
    """The day in UTC (SQLite gives naive datetimes back; the app stores UTC)."""
    return moment.astimezone(UTC).date() if moment.tzinfo else moment.date()


def _organisations() -> tuple[figures.OrganisationRow, ...]:
    rows = db.session.execute(
        select(RegisterEntry.org_kind, RegisterEntry.country, RegisterEntry.region).where(
            RegisterEntry.item_type == "organisation"
        )
    ).all()
    return tuple(figures.OrganisationRow(*row) for row in rows)


def _stage_changes() -> tuple[figures.StageChange, ...]:
    """The stage changes moderators approved on the projects now on the register (the
    moderation record keeps what changed in each approved version; a first publication
    has no stage before)."""
    decisions = db.session.execute(
        select(ModerationDecision.created_at, RegisterEntry.country, ModerationDecision.changes)
        .join(
            RegisterEntry,
            (RegisterEntry.item_type == "project")
            & (RegisterEntry.item_id == ModerationDecision.item_id),
        )
        .where(
            ModerationDecision.item_type == "project",
            ModerationDecision.decision == "approved",
        )
    )
    return tuple(
        figures.StageChange(utc_day(decided), country, change["old"], change["new"])
        for decided, country, changes in decisions
        for change in changes or ()
        if change.get("field") == "stage" and change.get("old") and change.get("new")
    )
