"""Bring the ``tag`` table in line with a loaded Taxonomy.

The data file is the source of truth; the table is a synced copy that other rows
(profiles, projects) reference by id, which is why tags are retired instead of deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.taxonomy.loader import TagDef, Taxonomy
from matchmaker.taxonomy.models import Tag


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync did, row by row.

    ``unchanged`` counts every row left as it was, including tags that were already
    retired and are still absent from the file.
    """

    version: str
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when the sync wrote anything."""
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        """One line for the CLI and logs."""
        return (
            f"Taxonomy {self.version}: {self.created} created, {self.updated} updated, "
            f"{self.retired} retired, {self.unchanged} unchanged."
        )


def _apply(tag: Tag, definition: TagDef) -> bool:
    """Copy the definition onto the row; return True if anything differed.

    JSON columns get fresh objects (never in-place mutation) so SQLAlchemy sees the change.
    """
    wanted = {
        "vocabulary": definition.vocabulary,
        "labels": definition.labels_dict(),
        "keywords": definition.keywords_dict(),
        "position": definition.position,
        "retired": False,
    }
    changed = False
    for attr, value in wanted.items():
        if getattr(tag, attr) != value:
            setattr(tag, attr, value)
            changed = True
    return changed


def sync_taxonomy(session: Session, taxonomy: Taxonomy) -> SyncResult:
    """Insert new tags, update changed ones, retire missing ones, revive returning ones; commit.

    Idempotent: running it twice with the same taxonomy changes nothing the second time.
    The whole sync is one transaction, committed here (rolled back on any error) so that
    callers such as the CLI stay thin and a half-applied vocabulary is never visible.
    """
    created = updated = retired = unchanged = 0
    try:
        existing = {tag.code: tag for tag in session.scalars(select(Tag))}
        for definition in taxonomy.tags:
            tag = existing.pop(definition.code, None)
            if tag is None:
                tag = Tag(code=definition.code)
                _apply(tag, definition)
                session.add(tag)
                created += 1
            elif _apply(tag, definition):
                updated += 1
            else:
                unchanged += 1
        for tag in existing.values():  # in the database, no longer in the file
            if tag.retired:
                unchanged += 1
            else:
                tag.retired = True
                retired += 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return SyncResult(
        version=taxonomy.version,
        created=created,
        updated=updated,
        retired=retired,
        unchanged=unchanged,
    )
