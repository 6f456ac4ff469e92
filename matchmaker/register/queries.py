"""Searching the public register: filters, free text, facet counts, pages.

Everything here reads the register tables only, so nothing unpublished can appear.
Free text: see matchmaker.search; SQLite answers with FTS5, PostgreSQL with a tsvector.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, select, text

from matchmaker.extensions import db
from matchmaker.register.models import RegisterEntry, RegisterEntryLanguage, RegisterEntryTag
from matchmaker.search import fts5_query, query_variants, tsquery
from matchmaker.taxonomy.models import Tag

PER_PAGE = 20
# Facets on tag roles: (query parameter, role in the register).
TAG_FACETS = {
    "organisation": (
        ("category", "category"),
        ("specialisation", "specialisation"),
        ("offers", "capability"),
        ("needs", "need"),
        ("stage_invested", "preferred_stage"),
    ),
    "project": (
        ("category", "category"),
        ("specialisation", "specialisation"),
        ("seeks", "seeks"),
    ),
}
COLUMN_FACETS = {
    "organisation": (("kind", "org_kind"), ("country", "country"), ("region", "region")),
    "project": (
        ("stage", "stage"),
        ("kind", "org_kind"),
        ("country", "country"),
        ("region", "region"),
    ),
}


@dataclass
class RegisterQuery:
    item_type: str
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    def facet_names(self) -> list[str]:
        names = [name for name, _ in COLUMN_FACETS[self.item_type]]
        names += [name for name, _ in TAG_FACETS[self.item_type]]
        return [*names, "language"]


@dataclass
class Results:
    entries: list[RegisterEntry]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]]


def _text_matches(user_text: str):
    """A subquery (entry_id, score) of entries matching the text; None when no words."""
    variants = query_variants(user_text)
    if not variants:
        return None
    if db.engine.dialect.name == "postgresql":
        expression = tsquery(variants)
        if expression is None:
            return None
        return (
            text(
                "SELECT entry_id, max(ts_rank(search_vector, to_tsquery('simple', :q))) AS score "
                "FROM search_document WHERE search_vector @@ to_tsquery('simple', :q) "
                "GROUP BY entry_id"
            )
            .bindparams(q=expression)
            .columns(entry_id=db.Integer, score=db.Float)
            .subquery("matches")
        )
    expression = fts5_query(variants)
    if expression is None:
        return None
    # FTS5's rank (bm25) is lower for better matches: negate it so higher is better everywhere.
    return (
        text(
            "SELECT d.entry_id AS entry_id, max(-search_fts.rank) AS score "
            "FROM search_fts JOIN search_document d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH :q GROUP BY d.entry_id"
        )
        .bindparams(q=expression)
        .columns(entry_id=db.Integer, score=db.Float)
        .subquery("matches")
    )


def _tag_condition(role: str, codes: list[str]):
    return RegisterEntry.id.in_(
        select(RegisterEntryTag.entry_id)
        .join(Tag, Tag.id == RegisterEntryTag.tag_id)
        .where(RegisterEntryTag.role == role, Tag.code.in_(codes))
    )


def _conditions(query: RegisterQuery, skip: str | None = None) -> list:
    conditions = [RegisterEntry.item_type == query.item_type]
    for name, column in COLUMN_FACETS[query.item_type]:
        values = query.filters.get(name)
        if values and name != skip:
            conditions.append(getattr(RegisterEntry, column).in_(values))
    for name, role in TAG_FACETS[query.item_type]:
        values = query.filters.get(name)
        if values and name != skip:
            conditions.append(_tag_condition(role, values))
    languages = query.filters.get("language")
    if languages and skip != "language":
        conditions.append(
            RegisterEntry.id.in_(
                select(RegisterEntryLanguage.entry_id).where(
                    RegisterEntryLanguage.lang.in_(languages)
                )
            )
        )
    return conditions


def _base(query: RegisterQuery, matches, skip: str | None = None) -> Select:
    statement = select(RegisterEntry.id).where(and_(*_conditions(query, skip)))
    if matches is not None:
        statement = statement.join(matches, matches.c.entry_id == RegisterEntry.id)
    return statement


def _facet_counts(query: RegisterQuery, matches) -> dict[str, list[tuple[str, int]]]:
    facets: dict[str, list[tuple[str, int]]] = {}
    for name, column in COLUMN_FACETS[query.item_type]:
        ids = _base(query, matches, skip=name).subquery()
        col = getattr(RegisterEntry, column)
        rows = db.session.execute(
            select(col, func.count())
            .where(RegisterEntry.id.in_(select(ids.c.id)), col.is_not(None))
            .group_by(col)
        ).all()
        facets[name] = sorted(((value, count) for value, count in rows), key=lambda r: -r[1])
    for name, role in TAG_FACETS[query.item_type]:
        ids = _base(query, matches, skip=name).subquery()
        rows = db.session.execute(
            select(Tag.code, func.count())
            .select_from(RegisterEntryTag)
            .join(Tag, Tag.id == RegisterEntryTag.tag_id)
            .where(RegisterEntryTag.role == role, RegisterEntryTag.entry_id.in_(select(ids.c.id)))
            .group_by(Tag.code)
        ).all()
        facets[name] = sorted(((code, count) for code, count in rows), key=lambda r: -r[1])
    ids = _base(query, matches, skip="language").subquery()
    rows = db.session.execute(
        select(RegisterEntryLanguage.lang, func.count())
        .where(RegisterEntryLanguage.entry_id.in_(select(ids.c.id)))
        .group_by(RegisterEntryLanguage.lang)
    ).all()
    facets["language"] = sorted(((lang, count) for lang, count in rows), key=lambda r: -r[1])
    for name, chosen in query.filters.items():
        # A chosen value that matches nothing stays visible, so it can be unticked.
        present = {value for value, _count in facets.get(name, [])}
        facets.setdefault(name, []).extend((value, 0) for value in chosen if value not in present)
    return facets


def search(query: RegisterQuery, per_page: int = PER_PAGE, with_facets: bool = True) -> Results:
    matches = _text_matches(query.text) if query.text.strip() else None
    text_given = bool(query.text.strip())
    if text_given and matches is None:
        # Only punctuation or the like: nothing can match, and that is not an error.
        return Results([], 0, 1, 1, {name: [] for name in query.facet_names()})
    statement = select(RegisterEntry).where(and_(*_conditions(query)))
    count_statement = select(func.count()).select_from(_base(query, matches).subquery())
    if matches is not None:
        statement = statement.join(matches, matches.c.entry_id == RegisterEntry.id)
    if matches is not None and query.sort == "relevance":
        statement = statement.order_by(matches.c.score.desc(), RegisterEntry.published_at.desc())
    elif query.sort == "name":
        statement = statement.order_by(RegisterEntry.sort_title)
    else:
        statement = statement.order_by(RegisterEntry.published_at.desc())
    statement = statement.order_by(RegisterEntry.id.desc())
    total = db.session.scalar(count_statement) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, query.page), pages)
    entries = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    facets = _facet_counts(query, matches) if with_facets else {}
    return Results(entries, total, page, pages, facets)


def entry(item_type: str, item_id: int) -> RegisterEntry | None:
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.item_type == item_type, RegisterEntry.item_id == item_id
        )
    )


def projects_of(organisation_id: int) -> list[RegisterEntry]:
    return list(
        db.session.scalars(
            select(RegisterEntry)
            .where(
                RegisterEntry.item_type == "project",
                RegisterEntry.organisation_id == organisation_id,
            )
            .order_by(RegisterEntry.published_at.desc())
        )
    )


def organisation_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(RegisterEntry.item_id, RegisterEntry.sort_title).where(
            RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids)
        )
    )
    return dict(rows.all())


def counts_by_place(query: RegisterQuery) -> list[tuple[str, str | None, int]]:
    """(country, region, number of entries) under all the query's filters, for the map."""
    matches = _text_matches(query.text) if query.text.strip() else None
    if query.text.strip() and matches is None:
        return []
    ids = _base(query, matches).subquery()
    rows = db.session.execute(
        select(RegisterEntry.country, RegisterEntry.region, func.count())
        .where(RegisterEntry.id.in_(select(ids.c.id)))
        .group_by(RegisterEntry.country, RegisterEntry.region)
        .order_by(func.count().desc(), RegisterEntry.country, RegisterEntry.region)
    ).all()
    return [(country, region, count) for country, region, count in rows]


def all_matching(query: RegisterQuery, limit: int = 10_000) -> list[RegisterEntry]:
    """Every entry matching the query, for exports (newest first)."""
    matches = _text_matches(query.text) if query.text.strip() else None
    if query.text.strip() and matches is None:
        return []
    statement = select(RegisterEntry).where(
        RegisterEntry.id.in_(select(_base(query, matches).subquery().c.id))
    )
    return list(
        db.session.scalars(
            statement.order_by(RegisterEntry.published_at.desc(), RegisterEntry.id.desc()).limit(
                limit
            )
        )
    )
