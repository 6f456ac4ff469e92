"""Match lists from the public register: load profiles, select candidates, rank, page.

Only the register's own tables are read (``register_entry``, ``register_entry_tag`` and
``register_entry_language``), so a draft can never appear in a list. They are read into a
``vector.MatchIndex`` once per process and register change (``register.index.per_change``):
the index selects a list's candidates through its tag bit sets (only entries carrying one
of the subject's selection tags, see ``engine.selection_tags``), scores them all at once
and hands the page shown to the engine for its reasons. ``all_profiles`` reads every
profile the slow way, for the full scan the index is checked against.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import BigInteger, Select, cast, delete, select
from sqlalchemy.exc import IntegrityError

from matchmaker.contacts.models import ContactRequest
from matchmaker.contacts.services import declined_organisations
from matchmaker.extensions import db
from matchmaker.matching import engine, report, vector
from matchmaker.matching.engine import (
    Demotions,
    ListFilter,
    Match,
    MatchContext,
    MatchingError,
    TagStats,
    Verdict,
)
from matchmaker.matching.models import DISMISSAL_REASONS, MatchDismissal
from matchmaker.matching.profiles import TAG_ROLES, AmountRange, ItemKey, Profile, project_region
from matchmaker.matching.rules import ListKind
from matchmaker.organisations.models import Membership
from matchmaker.register import index as register_index
from matchmaker.register import queries as register_queries
from matchmaker.register import services as register_services
from matchmaker.register.models import (
    MatchProfile,
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
)
from matchmaker.taxonomy.models import Tag

PAGE_SIZE = 20
# "New since your last visit" looks at most at this many of the latest publications.
NEW_MATCHES_LOOKED_AT = 2000

# The lists as they appear in URLs, per subject type.
PROJECT_LISTS: dict[str, ListKind] = {
    "partners": ListKind.PROJECT_PARTNERS,
    "investors": ListKind.PROJECT_INVESTORS,
    "clusters": ListKind.PROJECT_CLUSTERS,
}
ORGANISATION_LISTS: dict[str, ListKind] = {
    "partners": ListKind.ORGANISATION_PARTNERS,
    "investors": ListKind.ORGANISATION_INVESTORS,
    "clusters": ListKind.ORGANISATION_CLUSTERS,
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
    # From the snapshot by JSON path: the slow, independent reading the index is checked
    # against. Amounts as BIGINT like the columns (as_integer() would cast to 32 bits).
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
    owners: dict[int, Owner] = {}
    if project_ids:
        project_entries = entry_ids.where(RegisterEntry.item_type == "project")
        for entry_id, lang in db.session.execute(
            select(RegisterEntryLanguage.entry_id, RegisterEntryLanguage.lang).where(
                RegisterEntryLanguage.entry_id.in_(project_entries)
            )
        ):
            written.setdefault(entry_id, set()).add(lang)
        owners = _owners(row.organisation_id for row in rows if row.item_type == "project")

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
            owner = owners.get(organisation_id)
            languages = written.get(entry_id, set()) | set(owner.languages if owner else ())
            region = project_region(region, country, owner.place if owner else None)
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


@dataclass(frozen=True, slots=True)
class Owner:
    """What a project takes from its published organisation: working languages and place."""

    languages: tuple[str, ...]
    place: tuple[str, str | None]  # country, region


def _owners(organisation_ids: Iterable[int]) -> dict[int, Owner]:
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            RegisterEntry.item_id,
            RegisterEntry.snapshot["working_languages"],
            RegisterEntry.country,
            RegisterEntry.region,
        ).where(RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids))
    )
    return {
        item_id: Owner(tuple(languages or ()), (country, region))
        for item_id, languages, country, region in rows
    }


def _entry_id(item_type: str, item_id: int) -> Select:
    return select(RegisterEntry.id).where(
        RegisterEntry.item_type == item_type, RegisterEntry.item_id == item_id
    )


def published_profile(item_type: str, item_id: int) -> Profile | None:
    """The profile of a published item; None when it is not in the register."""
    profiles = _load_profiles(_entry_id(item_type, item_id))
    return profiles[0] if profiles else None


def published_profiles(item_type: str, item_ids: Iterable[int]) -> dict[int, Profile]:
    """Profiles of those items that are published, by item id."""
    entry_ids = select(RegisterEntry.id).where(
        RegisterEntry.item_type == item_type, RegisterEntry.item_id.in_(sorted(set(item_ids)))
    )
    return {profile.key.item_id: profile for profile in _load_profiles(entry_ids)}


def organisation_profiles() -> dict[int, Profile]:
    """Every published organisation's profile by id, kept in this process until the
    register changes (read-only: callers must not change it)."""

    def load() -> dict[int, Profile]:
        entries = select(RegisterEntry.id).where(RegisterEntry.item_type == "organisation")
        return {profile.key.item_id: profile for profile in _load_profiles(entries)}

    return register_index.per_change("organisation profiles", load)


def all_profiles() -> list[Profile]:
    """Every published profile: the full scan the index lookup is checked against."""
    return _load_profiles(select(RegisterEntry.id))


# --- the index ------------------------------------------------------------------------


def match_index() -> vector.MatchIndex:
    """This process's index of the register, rebuilt first if the register has changed."""
    return register_index.per_change("match index", _build_index)


def _build_index() -> vector.MatchIndex:
    """Read the register's match_profile rows into a MatchIndex (one narrow query)."""
    connection = db.session.connection()
    vocabularies: dict[str, list[str]] = {}
    for vocabulary, code in connection.execute(
        select(Tag.vocabulary, Tag.code).order_by(Tag.id)  # bits by id: see tag_bits
    ):
        vocabularies.setdefault(vocabulary, []).append(code)
    records = vector.Records(vocabularies)
    row = MatchProfile.__table__.c
    rows = connection.execute(
        select(
            row.item_type,
            row.item_id,
            row.organisation_id,
            row.org_kind,
            row.country,
            row.region,
            row.stage,
            row.funding_min_eur,
            row.funding_max_eur,
            row.ticket_min_eur,
            row.ticket_max_eur,
            row.languages,
            row.regions_covered,
            *(row[role] for role in TAG_ROLES),
        )
    ).fetchall()
    if not rows:
        return vector.MatchIndex(records)
    columns = list(zip(*rows, strict=True))
    (
        records.item_type,
        records.item_id,
        records.organisation_id,
        records.org_kind,
        records.country,
        records.region,
        records.stage,
        records.funding_min,
        records.funding_max,
        records.ticket_min,
        records.ticket_max,
    ) = (list(column) for column in columns[:11])
    records.region = _project_regions(records)
    split: dict[str, list[str]] = {}  # few distinct values: split each once
    records.languages = [split.get(v) or split.setdefault(v, v.split()) for v in columns[11]]
    records.regions_covered = [value.split() if value else () for value in columns[12]]
    for offset, role in enumerate(TAG_ROLES, start=13):
        records.tags[role] = np.fromiter(columns[offset], dtype=np.int64, count=len(rows))
    return vector.MatchIndex(records)


def _project_regions(records: vector.Records) -> list[str | None]:
    """Each entry's region for matching: a project without one takes its organisation's
    (profiles.project_region), as _load_profiles does."""
    places = {
        item_id: (country, region)
        for item_type, item_id, country, region in zip(
            records.item_type, records.item_id, records.country, records.region, strict=True
        )
        if item_type == "organisation"
    }
    return [
        region
        if region or item_type != "project"
        else project_region(region, country, places.get(owner))
        for item_type, owner, country, region in zip(
            records.item_type,
            records.organisation_id,
            records.country,
            records.region,
            strict=True,
        )
    ]


def tag_stats() -> TagStats:
    """Entries per tag code and entries in all, as the current index counted them."""
    return match_index().stats


def candidates(subject: Profile, kind: ListKind) -> list[ItemKey]:
    """The keys worth scoring for one list, found through the index's tag bit sets."""
    return match_index().candidates(subject, kind, match_context(subject))


def dismissed_by(organisation_id: int) -> frozenset[ItemKey]:
    return frozenset(_dismissals(organisation_id))


def _dismissals(organisation_id: int) -> dict[ItemKey, str | None]:
    """The organisation's dismissed items and the reason given for each, if any."""
    rows = db.session.execute(
        select(MatchDismissal.item_type, MatchDismissal.item_id, MatchDismissal.reason).where(
            MatchDismissal.organisation_id == organisation_id
        )
    )
    return {ItemKey(item_type, item_id): reason for item_type, item_id, reason in rows}


def demotions(subject: Profile, reasons: dict[ItemKey, str | None]) -> Demotions:
    """What the reasons given for dismissals lower in the subject's lists (see
    engine.Demotions and rules.toml [dismissals])."""
    index = match_index()
    countries, categories, stages = set(), set(), set()
    for key, reason in reasons.items():
        dismissed = index.profile(key) if reason else None
        if dismissed is None:
            continue
        if reason == "too_far" and dismissed.country != subject.country:
            countries.add(dismissed.country)
        elif reason == "wrong_field":
            categories |= dismissed.tag_codes("category") - subject.tag_codes("category")
        elif reason == "wrong_stage" and dismissed.stage:
            stages.add(dismissed.stage)
    return Demotions(frozenset(countries), frozenset(categories), frozenset(stages))


def match_context(
    subject: Profile,
    stats: TagStats | None = None,
    tie_salt: int = 0,
    narrowed: ListFilter | None = None,
    for_member: bool = False,
) -> MatchContext:
    """Exclusions of the subject's organisation: its dismissals, and organisations with
    which a contact request was declined (either way) and not lifted by the decliner;
    the order of ties and the reader's filters; for a reader who is a member of the
    organisation, candidates like those it dismissed with a reason ranked lower (that
    reason is the organisation's own business)."""
    reasons = _dismissals(subject.organisation_id)
    return MatchContext(
        stats=stats or tag_stats(),
        declined_organisations=declined_organisations(subject.organisation_id),
        dismissed=frozenset(reasons),
        tie_salt=tie_salt,
        narrowed=narrowed or ListFilter(),
        demoted=demotions(subject, reasons) if for_member else Demotions(),
    )


def tie_salt(viewer_id: int | None, day: date) -> int:
    """The order of equal scores for one viewer (None: anyone not logged in) on one day:
    the same on every page and reload that day, another the next day and for the next
    viewer (engine.tie_order)."""
    digest = hashlib.blake2b(f"{viewer_id or 0}:{day.isoformat()}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") or 1


# --- lists ----------------------------------------------------------------------------


def ranked(subject: Profile, kind: ListKind) -> list[Match]:
    """The subject's whole list, best first."""
    index = match_index()
    matches, _total = index.rank(
        subject, kind, match_context(subject, index.stats), limit=index.size
    )
    return matches


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


def match_page(
    item_type: str,
    item_id: int,
    kind: ListKind,
    page: int = 1,
    tie_salt: int = 0,
    narrowed: ListFilter | None = None,
    for_member: bool = False,
) -> MatchPage | None:
    """One page of a published item's list; None if the item is not published or has no
    such list (e.g. recommended projects of an organisation that is not an investor).
    Equal scores in the order `tie_salt` gives (see `tie_salt()`), else by key; only
    what `narrowed` admits."""
    subject_entry = register_queries.entry(item_type, item_id)
    index = match_index()
    subject = index.profile(ItemKey(item_type, item_id)) if subject_entry is not None else None
    if subject is None:
        return None
    context = match_context(subject, index.stats, tie_salt, narrowed, for_member)
    page = max(1, page)
    try:
        shown, total = index.rank(
            subject, kind, context, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    except MatchingError:
        return None
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page > pages:  # past the end (the list got shorter): show the last page
        page = pages
        shown, total = index.rank(
            subject, kind, context, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    entries = _entries([match.key for match in shown])
    return MatchPage(
        kind=kind,
        subject=subject,
        subject_entry=subject_entry,
        items=[MatchItem(match, entries[match.key]) for match in shown if match.key in entries],
        page=page,
        total=total,
    )


def lists_of(item_type: str, org_kind: str) -> dict[str, ListKind]:
    """The match lists an item has (a project: by its owner's kind), by name, in the order
    of its tabs."""
    lists = PROJECT_LISTS if item_type == "project" else ORGANISATION_LISTS
    found = {}
    for name, kind in lists.items():
        spec = engine.list_rules(kind)
        if spec.subject_type == item_type and (
            spec.subject_kinds is None or org_kind in spec.subject_kinds
        ):
            found[name] = kind
    return found


@dataclass(frozen=True, slots=True)
class NewMatches:
    """The best candidates of one of a subject's lists published since a moment, and how
    many of them there are in all."""

    subject_entry: RegisterEntry
    list_name: str
    kind: ListKind
    items: list[MatchItem]
    total: int


def new_matches(
    subjects: list[RegisterEntry], since: datetime, most: int = 3, tie_salt: int = 0
) -> list[NewMatches]:
    """For each published subject of a member's organisations and each of its lists: the
    `most` best candidates published after `since`, ranked and scored exactly as on the
    list its members see. Lists with none are left out."""
    published = db.session.execute(
        select(RegisterEntry.item_type, RegisterEntry.item_id)
        .where(RegisterEntry.published_at > since)
        .order_by(RegisterEntry.published_at.desc())
        .limit(NEW_MATCHES_LOOKED_AT)
    ).all()
    if not published or not subjects:
        return []
    fresh = ListFilter(among=frozenset(ItemKey(*row) for row in published))
    index = match_index()
    contexts: dict[int, MatchContext] = {}  # one per organisation: its exclusions
    ranked = []
    for entry in subjects:
        subject = index.profile(ItemKey(entry.item_type, entry.item_id))
        if subject is None:
            continue
        if subject.organisation_id not in contexts:
            contexts[subject.organisation_id] = match_context(
                subject, index.stats, tie_salt, fresh, for_member=True
            )
        for name, kind in lists_of(entry.item_type, entry.org_kind).items():
            shown, total = index.rank(subject, kind, contexts[subject.organisation_id], limit=most)
            if shown:
                ranked.append((entry, name, kind, shown, total))
    entries = _entries([match.key for *_, shown, _total in ranked for match in shown])
    found = []
    for entry, name, kind, shown, total in ranked:
        items = [MatchItem(match, entries[match.key]) for match in shown if match.key in entries]
        found.append(NewMatches(entry, name, kind, items, total))
    return found


# --- a private preview, before publication ----------------------------------------------


def draft_profile(
    item_type: str, item_id: int, snapshot: dict, organisation_id: int, org_kind: str
) -> Profile:
    """The profile an item would have once published: from the snapshot its approval would
    publish, its texts read for tags as at publication (register.services.text_tags)."""
    tags = {**snapshot.get("tags", {}), **register_services.text_tags(item_type, snapshot)}
    if item_type == "project":
        owner = _owners([organisation_id]).get(organisation_id)
        languages = set(snapshot.get("texts", {})) | set(owner.languages if owner else ())
        region = project_region(
            snapshot.get("region"), snapshot["country"], owner.place if owner else None
        )
    else:
        languages = set(snapshot.get("working_languages") or ())
        region = snapshot.get("region")
    return Profile(
        key=ItemKey(item_type, item_id),
        organisation_id=organisation_id,
        org_kind=org_kind,
        country=snapshot["country"],
        region=region,
        languages=frozenset(languages),
        tags={role: frozenset(codes) for role, codes in tags.items() if role in TAG_ROLES},
        stage=snapshot.get("stage") if item_type == "project" else None,
        funding=AmountRange.from_bounds(
            snapshot.get("funding_min_eur"), snapshot.get("funding_max_eur")
        ),
        ticket=(
            AmountRange.from_bounds(snapshot.get("ticket_min_eur"), snapshot.get("ticket_max_eur"))
            if item_type == "organisation"
            else None
        ),
        regions_covered=frozenset(snapshot.get("regions_covered") or ()),
    )


@dataclass(frozen=True, slots=True)
class ListPreview:
    """The best of one list an unpublished item would have, and the list's length."""

    list_name: str
    kind: ListKind
    items: list[MatchItem]
    total: int


def preview(subject: Profile, most: int = 5) -> list[ListPreview]:
    """Who would match `subject` (a draft_profile) on each of its lists, scored as the
    published lists are: for its members' eyes only, before they submit it."""
    index = match_index()
    context = match_context(subject, index.stats, for_member=True)
    found = []
    for name, kind in lists_of(subject.key.item_type, subject.org_kind).items():
        shown, total = index.rank(subject, kind, context, limit=most)
        entries = _entries([match.key for match in shown])
        items = [MatchItem(m, entries[m.key]) for m in shown if m.key in entries]
        found.append(ListPreview(name, kind, items, total))
    return found


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


def dismiss(user_id: int, organisation_id: int, key: ItemKey, reason: str | None = None) -> None:
    """Hide ``key`` from the organisation's lists, with the reason the member gave (one
    of DISMISSAL_REASONS, or None); dismissing twice is harmless."""
    if not is_member(user_id, organisation_id):
        raise NotAMember
    if reason is not None and reason not in DISMISSAL_REASONS:
        raise ValueError(f"unknown dismissal reason {reason!r}")
    db.session.add(
        MatchDismissal(
            organisation_id=organisation_id,
            item_type=key.item_type,
            item_id=key.item_id,
            dismissed_by=user_id,
            reason=reason,
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


def published_subject(item_type: str, item_id: int) -> Profile | None:
    """The profile the index holds for a published item (None: not published)."""
    return match_index().profile(ItemKey(item_type, item_id))


def register_countries_and_languages() -> tuple[list[str], list[str]]:
    """Country codes and working languages found in the published register."""
    index = match_index()
    return list(index.countries), list(index.languages)


@dataclass(frozen=True)
class WhyItem:
    """One answer to "why isn't … here?": the entry found by its name, the verdict, and
    its place in the list (1-based) when it is listed."""

    entry: RegisterEntry
    verdict: Verdict
    position: int | None = None


WHY_MOST = 3  # answers for one name typed


def why_not(
    item_type: str,
    item_id: int,
    kind: ListKind,
    name: str,
    tie_salt: int = 0,
    narrowed: ListFilter | None = None,
    for_member: bool = False,
) -> list[WhyItem]:
    """For published entries of the list's candidate type whose name contains `name`
    (at most WHY_MOST): why each is on the subject's list or not (engine.explain)."""
    index = match_index()
    subject = index.profile(ItemKey(item_type, item_id))
    spec = engine.list_rules(kind)
    entries = db.session.scalars(
        select(RegisterEntry)
        .where(
            RegisterEntry.item_type == spec.candidate_type,
            RegisterEntry.sort_title.icontains(name.strip(), autoescape=True),
        )
        .order_by(RegisterEntry.sort_title, RegisterEntry.item_id)
        .limit(WHY_MOST)
    ).all()
    if subject is None or not entries:
        return []
    context = match_context(subject, index.stats, tie_salt, narrowed, for_member)
    positions: dict[ItemKey, int] | None = None  # the whole list, ranked once if needed
    found = []
    for entry in entries:
        candidate = index.profile(ItemKey(entry.item_type, entry.item_id))
        if candidate is None:
            continue
        verdict = engine.explain(subject, candidate, kind, context, index.rules)
        position = None
        if verdict.code == "listed":
            if positions is None:
                whole, _total = index.rank(subject, kind, context, limit=index.size)
                positions = {match.key: place for place, match in enumerate(whole, 1)}
            position = positions.get(candidate.key)
        found.append(WhyItem(entry, verdict, position))
    return found


# --- evidence: does a higher score mean a better match? --------------------------------

ANSWERED = ("accepted", "declined", "expired")


def _list_between(subject: Profile, candidate: Profile) -> ListKind:
    """The list on which `subject` would find `candidate` (an organisation)."""
    side = "PROJECT" if subject.is_project else "ORGANISATION"
    group = {"investor": "INVESTORS", "cluster": "CLUSTERS"}.get(candidate.org_kind, "PARTNERS")
    return ListKind[f"{side}_{group}"]


def contact_outcomes() -> list[report.Outcome]:
    """Each answered contact request between published items, with the score and the
    positive reasons the pair has now, on the list where the sender (its project, when
    the request was about one) would find the recipient."""
    index = match_index()
    rows = db.session.execute(
        select(
            ContactRequest.sender_org_id,
            ContactRequest.recipient_org_id,
            ContactRequest.project_id,
            ContactRequest.status,
        ).where(ContactRequest.status.in_(ANSWERED))
    )
    found = []
    for sender, recipient, project_id, status in rows:
        key = ItemKey("project", project_id) if project_id else ItemKey("organisation", sender)
        subject, candidate = index.profile(key), index.profile(ItemKey("organisation", recipient))
        if subject is None or candidate is None:
            continue
        try:
            match = engine.score_pair(subject, candidate, _list_between(subject, candidate),
                                      index.stats, index.rules)  # fmt: skip
        except MatchingError:  # e.g. an investor has no partner list
            continue
        reasons = frozenset(r.code for r in match.reasons if not r.is_negative)
        found.append(report.Outcome(match.score, reasons, status == "accepted"))
    return found
