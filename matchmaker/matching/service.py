"""Match lists from the public register: load profiles, select candidates, rank, page.

Only the register's own tables are read (``register_entry``, ``register_entry_tag``,
``register_entry_language`` and the approved snapshot), so a draft can never appear in
a list. Candidates come through ``register_entry_tag`` used as an inverted index: only
entries carrying one of the subject's selection tags (see ``engine.selection_tags``) are
loaded and scored. Tag frequencies for idf are counted in SQL and kept per process until
the register changes (``matchmaker.register.index.per_change``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import BigInteger, Select, and_, cast, delete, distinct, func, or_, select
from sqlalchemy.exc import IntegrityError

from matchmaker.extensions import db
from matchmaker.matching import engine
from matchmaker.matching.engine import Match, MatchContext, MatchingError, TagStats
from matchmaker.matching.models import MatchDismissal
from matchmaker.matching.profiles import AmountRange, ItemKey, Profile, TagRef
from matchmaker.matching.rules import ListKind, ListRules
from matchmaker.organisations.models import Membership
from matchmaker.register import index as register_index
from matchmaker.register import queries as register_queries
from matchmaker.register.models import RegisterEntry, RegisterEntryLanguage, RegisterEntryTag
from matchmaker.taxonomy.models import Tag

PAGE_SIZE = 20

# The lists as they appear in URLs, per subject type.
PROJECT_LISTS: dict[str, ListKind] = {
    "partners": ListKind.PROJECT_PARTNERS,
    "investors": ListKind.PROJECT_INVESTORS,
    "clusters": ListKind.PROJECT_CLUSTERS,
}
ORGANISATION_LISTS: dict[str, ListKind] = {
    "partners": ListKind.ORGANISATION_PARTNERS,
    "projects": ListKind.INVESTOR_PROJECTS,
}


@dataclass(frozen=True, slots=True)
class MatchItem:
    """A ranked candidate with its public register entry, for display."""

    match: Match
    entry: RegisterEntry


@dataclass(frozen=True, slots=True)
class MatchPage:
    """One page of a subject's list: ``items`` are at most PAGE_SIZE, best first."""

    kind: ListKind
    subject: Profile
    subject_entry: RegisterEntry
    items: list[MatchItem]
    page: int
    total: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- profiles -------------------------------------------------------------------------

_PROFILE_COLUMNS = (
    RegisterEntry.id,
    RegisterEntry.item_type,
    RegisterEntry.item_id,
    RegisterEntry.organisation_id,
    RegisterEntry.org_kind,
    RegisterEntry.country,
    RegisterEntry.region,
    RegisterEntry.stage,
    RegisterEntry.funding_min_eur,
    RegisterEntry.funding_max_eur,
    # From the snapshot by JSON path: the texts stay in the database.
    # Amounts as BIGINT like the columns (as_integer() would cast to a 32-bit INTEGER).
    cast(RegisterEntry.snapshot["ticket_min_eur"].as_string(), BigInteger),
    cast(RegisterEntry.snapshot["ticket_max_eur"].as_string(), BigInteger),
    RegisterEntry.snapshot["regions_covered"],
    RegisterEntry.snapshot["working_languages"],
)


def _load_profiles(entry_ids: Select) -> list[Profile]:
    """Profiles of the entries whose ids ``entry_ids`` (a one-column select) gives."""
    rows = db.session.execute(select(*_PROFILE_COLUMNS).where(RegisterEntry.id.in_(entry_ids)))
    rows = rows.all()
    if not rows:
        return []
    tags: dict[int, dict[str, set[str]]] = {}
    for entry_id, role, code in db.session.execute(
        select(RegisterEntryTag.entry_id, RegisterEntryTag.role, Tag.code)
        .join(Tag, Tag.id == RegisterEntryTag.tag_id)
        .where(RegisterEntryTag.entry_id.in_(entry_ids))
    ):
        tags.setdefault(entry_id, {}).setdefault(role, set()).add(code)

    # A project works in the languages it is written in and those of its organisation.
    project_ids = [row.id for row in rows if row.item_type == "project"]
    written: dict[int, set[str]] = {}
    owner_languages: dict[int, list[str]] = {}
    if project_ids:
        project_entries = entry_ids.where(RegisterEntry.item_type == "project")
        for entry_id, lang in db.session.execute(
            select(RegisterEntryLanguage.entry_id, RegisterEntryLanguage.lang).where(
                RegisterEntryLanguage.entry_id.in_(project_entries)
            )
        ):
            written.setdefault(entry_id, set()).add(lang)
        owners = {row.organisation_id for row in rows if row.item_type == "project"}
        owner_languages = _working_languages(owners)

    profiles = []
    for row in rows:
        (
            entry_id,
            item_type,
            item_id,
            organisation_id,
            org_kind,
            country,
            region,
            stage,
            funding_min,
            funding_max,
            ticket_min,
            ticket_max,
            regions_covered,
            working_languages,
        ) = row
        if item_type == "project":
            languages = written.get(entry_id, set()) | set(owner_languages.get(organisation_id, ()))
        else:
            languages = set(working_languages or ())
        profiles.append(
            Profile(
                key=ItemKey(item_type, item_id),
                organisation_id=organisation_id,
                org_kind=org_kind,
                country=country,
                region=region,
                languages=frozenset(languages),
                tags=tags.get(entry_id, {}),
                stage=stage if item_type == "project" else None,
                funding=AmountRange.from_bounds(funding_min, funding_max),
                ticket=(
                    AmountRange.from_bounds(ticket_min, ticket_max)
                    if item_type == "organisation"
                    else None
                ),
                regions_covered=frozenset(regions_covered or ()),
            )
        )
    return profiles


def _working_languages(organisation_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(RegisterEntry.item_id, RegisterEntry.snapshot["working_languages"]).where(
            RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids)
        )
    )
    return {item_id: list(languages or ()) for item_id, languages in rows}


def _entry_id(item_type: str, item_id: int) -> Select:
    return select(RegisterEntry.id).where(
        RegisterEntry.item_type == item_type, RegisterEntry.item_id == item_id
    )


def published_profile(item_type: str, item_id: int) -> Profile | None:
    """The profile of a published item; None when it is not in the register."""
    profiles = _load_profiles(_entry_id(item_type, item_id))
    return profiles[0] if profiles else None


def all_profiles() -> list[Profile]:
    """Every published profile: the full scan the index lookup is checked against."""
    return _load_profiles(select(RegisterEntry.id))


# --- tag statistics -------------------------------------------------------------------


def tag_stats() -> TagStats:
    """Entries per tag code and entries in all, counted in SQL once per register change."""
    return register_index.per_change("tag stats", _count_tags)


def _count_tags() -> TagStats:
    total = db.session.scalar(select(func.count(RegisterEntry.id))) or 0
    frequency = dict(
        db.session.execute(
            select(Tag.code, func.count(distinct(RegisterEntryTag.entry_id)))
            .join(Tag, Tag.id == RegisterEntryTag.tag_id)
            .group_by(Tag.code)
        ).all()
    )
    return TagStats(total, frequency)


# --- candidates -----------------------------------------------------------------------


def _candidate_ids(subject: Profile, spec: ListRules, selection: frozenset[TagRef] | None):
    """A select of candidate entry ids: the list's type and kinds, not the subject's own
    organisation and, when ``selection`` is given, carrying one of its tags."""
    query = select(RegisterEntry.id).where(
        RegisterEntry.item_type == spec.candidate_type,
        RegisterEntry.organisation_id != subject.organisation_id,
    )
    if spec.candidate_kinds is not None:
        query = query.where(RegisterEntry.org_kind.in_(sorted(spec.candidate_kinds)))
    if selection is None:
        return query
    codes = sorted({tag.code for tag in selection})
    tag_ids = dict(db.session.execute(select(Tag.code, Tag.id).where(Tag.code.in_(codes))).all())
    by_role: dict[str, list[int]] = {}
    for tag in selection:
        if tag.code in tag_ids:
            by_role.setdefault(tag.role, []).append(tag_ids[tag.code])
    if not by_role:
        return None
    carrying = select(RegisterEntryTag.entry_id).where(
        or_(
            *(
                and_(RegisterEntryTag.role == role, RegisterEntryTag.tag_id.in_(sorted(ids)))
                for role, ids in sorted(by_role.items())
            )
        )
    )
    return query.where(RegisterEntry.id.in_(carrying))


def candidates(subject: Profile, kind: ListKind, stats: TagStats) -> list[Profile]:
    """The profiles worth scoring for one list, found through the tag index."""
    spec = engine.list_rules(kind)
    selection = engine.selection_tags(subject, kind, stats) if spec.require_shared_tag else None
    ids = _candidate_ids(subject, spec, selection)
    return [] if ids is None else _load_profiles(ids)


def dismissed_by(organisation_id: int) -> frozenset[ItemKey]:
    rows = db.session.execute(
        select(MatchDismissal.item_type, MatchDismissal.item_id).where(
            MatchDismissal.organisation_id == organisation_id
        )
    )
    return frozenset(ItemKey(item_type, item_id) for item_type, item_id in rows)


def match_context(subject: Profile, stats: TagStats) -> MatchContext:
    # Declined contact requests will join the exclusions once contact requests exist.
    return MatchContext(stats=stats, dismissed=dismissed_by(subject.organisation_id))


# --- lists ----------------------------------------------------------------------------


def ranked(subject: Profile, kind: ListKind) -> list[Match]:
    """The subject's whole list, best first."""
    stats = tag_stats()
    return engine.score_candidates(
        subject, candidates(subject, kind, stats), kind, match_context(subject, stats)
    )


def _entries(keys: list[ItemKey]) -> dict[ItemKey, RegisterEntry]:
    found: dict[ItemKey, RegisterEntry] = {}
    for item_type in {key.item_type for key in keys}:
        ids = [key.item_id for key in keys if key.item_type == item_type]
        for entry in db.session.scalars(
            select(RegisterEntry).where(
                RegisterEntry.item_type == item_type, RegisterEntry.item_id.in_(ids)
            )
        ):
            found[ItemKey(item_type, entry.item_id)] = entry
    return found


def match_page(item_type: str, item_id: int, kind: ListKind, page: int = 1) -> MatchPage | None:
    """One page of a published item's list; None if the item is not published or has no
    such list (e.g. recommended projects of an organisation that is not an investor)."""
    subject_entry = register_queries.entry(item_type, item_id)
    subject = published_profile(item_type, item_id) if subject_entry is not None else None
    if subject is None:
        return None
    try:
        matches = ranked(subject, kind)
    except MatchingError:
        return None
    pages = max(1, math.ceil(len(matches) / PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = matches[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    entries = _entries([match.key for match in shown])
    return MatchPage(
        kind=kind,
        subject=subject,
        subject_entry=subject_entry,
        items=[MatchItem(match, entries[match.key]) for match in shown if match.key in entries],
        page=page,
        total=len(matches),
    )


def matches_for_project(project_id: int, kind: ListKind, page: int = 1) -> MatchPage | None:
    return match_page("project", project_id, kind, page)


def matches_for_organisation(
    organisation_id: int, kind: ListKind = ListKind.ORGANISATION_PARTNERS, page: int = 1
) -> MatchPage | None:
    return match_page("organisation", organisation_id, kind, page)


def recommended_projects(investor_org_id: int, page: int = 1) -> MatchPage | None:
    return match_page("organisation", investor_org_id, ListKind.INVESTOR_PROJECTS, page)


# --- dismissals -----------------------------------------------------------------------


class NotAMember(Exception):
    """Only members of the subject's organisation may dismiss on its behalf."""


def is_member(user_id: int | None, organisation_id: int) -> bool:
    if user_id is None:
        return False
    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.organisation_id == organisation_id
            )
        )
        is not None
    )


def dismissed_entries(organisation_id: int) -> list[RegisterEntry]:
    """The published items the organisation dismissed, most recent first."""
    rows = db.session.execute(
        select(MatchDismissal.item_type, MatchDismissal.item_id)
        .where(MatchDismissal.organisation_id == organisation_id)
        .order_by(MatchDismissal.created_at.desc(), MatchDismissal.id.desc())
    ).all()
    keys = [ItemKey(item_type, item_id) for item_type, item_id in rows]
    entries = _entries(keys)
    return [entries[key] for key in keys if key in entries]


def dismiss(user_id: int, organisation_id: int, key: ItemKey) -> None:
    """Hide ``key`` from the organisation's lists; dismissing twice is harmless."""
    if not is_member(user_id, organisation_id):
        raise NotAMember
    db.session.add(
        MatchDismissal(
            organisation_id=organisation_id,
            item_type=key.item_type,
            item_id=key.item_id,
            dismissed_by=user_id,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def undo_dismissal(user_id: int, organisation_id: int, key: ItemKey) -> None:
    if not is_member(user_id, organisation_id):
        raise NotAMember
    db.session.execute(
        delete(MatchDismissal).where(
            MatchDismissal.organisation_id == organisation_id,
            MatchDismissal.item_type == key.item_type,
            MatchDismissal.item_id == key.item_id,
        )
    )
    db.session.commit()
