"""Searching the public register: filters, free text, facet counts, pages.

Everything here reads the register tables only, so nothing unpublished can appear.
Filters, facet counts and the order of a page come from the in-memory bitmap index
(:mod:`matchmaker.register.index`); free text from the database's full-text index (FTS5 on
SQLite, a tsvector on PostgreSQL, see :mod:`matchmaker.search`), one query per query word.
A word also matches every entry carrying a tag whose label, in any of the four languages,
has that word, so "telemedycyna" finds an English text tagged *e-health and telemedicine*.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.register import funding
from matchmaker.register import index as register_index
from matchmaker.register.index import COLUMN_FACETS, FUNDING_FACET, TAG_FACETS, RegisterIndex
from matchmaker.register.models import DOCUMENT_LANGS, RegisterEntry, document_id
from matchmaker.search import fts5_query, group_meets, label_tokens, query_variants, tsquery
from matchmaker.taxonomy import load_taxonomy

PER_PAGE = 20
RANK_LIMIT = 2_000
# The free range of funding sought, as one filter (its two ends are kept among the
# filters as `funding.RANGE_PARAMETERS`, one value each, so saved searches keep them too).
FUNDING_RANGE = "funding_range"
# What the text query is called among the filters a reader may remove.
TEXT = "q"


@dataclass
class RegisterQuery:
    item_type: str
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    # Input name → what was wrong with what the reader typed there (an AmountError's
    # reason, or "reversed" when the smallest amount is above the largest).
    problems: dict[str, str] = field(default_factory=dict)

    def facet_names(self) -> list[str]:
        names = [name for name, _ in COLUMN_FACETS[self.item_type]]
        if self.item_type in FUNDING_FACET:
            # Beside the stage: what investors look at first.
            names.insert(names.index("stage") + 1, FUNDING_FACET[self.item_type])
        names += [name for name, _ in TAG_FACETS[self.item_type]]
        return [*names, "language"]

    def funding_range(self) -> tuple[int | None, int | None]:
        """The free range of funding sought in euros, (None, None) when not set."""
        ends = []
        for name in funding.RANGE_PARAMETERS:
            try:
                ends.append(funding.parse_amount((self.filters.get(name) or [""])[0]))
            except funding.AmountError:
                ends.append(None)  # set_funding_range keeps none such
        return ends[0], ends[1]

    def active_filters(self) -> list[str]:
        """The filters set, as a reader would remove them one by one: the text, each facet
        (all its values), the range of funding sought."""
        active = [TEXT] if self.text.strip() else []
        active += [name for name in self.facet_names() if self.filters.get(name)]
        if self.item_type in FUNDING_FACET and self.funding_range() != (None, None):
            active.append(FUNDING_RANGE)
        return active

    def url_args(self, without: str | None = None) -> dict[str, str | list[str]]:
        """URL parameters of this query (not its page), without the filter ``without``
        (one of active_filters) when given."""
        dropped = funding.RANGE_PARAMETERS if without == FUNDING_RANGE else (without,)
        args: dict[str, str | list[str]] = {
            key: values for key, values in self.filters.items() if key not in dropped
        }
        text = self.text.strip() if without != TEXT else ""
        if text:
            args["q"] = self.text
        if self.sort == "name" or (text and self.sort == "newest"):
            args["sort"] = self.sort  # a sort chosen rather than the default
        return args


def set_funding_range(query: RegisterQuery, least: str, most: str) -> None:
    """Keep the range of funding sought a reader typed among the query's filters.

    An amount that is not one (see funding.parse_amount) is left out and noted in
    ``query.problems``; so are both ends when the smallest is above the largest.
    """
    if query.item_type not in FUNDING_FACET:
        return
    amounts = {}
    for name, text in zip(funding.RANGE_PARAMETERS, (least, most), strict=True):
        try:
            amounts[name] = funding.parse_amount(text)
        except funding.AmountError as error:
            query.problems[name] = error.reason
    low, high = (amounts.get(name) for name in funding.RANGE_PARAMETERS)
    if low is not None and high is not None and low > high:
        query.problems[funding.RANGE_PARAMETERS[1]] = "reversed"
        return
    for name, amount in amounts.items():
        if amount is not None:
            query.filters[name] = [str(amount)]


@dataclass
class Results:
    entries: list[RegisterEntry]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]]
    # When nothing matches: (filter, number of results without it), for each filter whose
    # removal alone gives results, in the order of RegisterQuery.active_filters.
    relaxations: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _Matched:
    """The entries a query selects, as a mask of the index, with text scores."""

    index: RegisterIndex
    base: int  # the text's matches (everything when there is no text)
    filters: dict[str, int]  # facet → mask of the chosen values
    scores: dict[int, tuple[int, float]]

    @property
    def mask(self) -> int:
        result = self.base
        for mask in self.filters.values():
            result &= mask
        return result


@functools.cache
def _tag_tokens() -> dict[str, frozenset[str]]:
    return {tag.code: label_tokens(tag.labels.values()) for tag in load_taxonomy().tags}


def _driver_rows(
    sqlite: str, postgresql: str, params: tuple, postgresql_params: tuple | None = None
) -> list[tuple]:
    """Rows of a full-text query, fetched in bulk without per-row ORM work."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return connection.exec_driver_sql(sqlite, params).fetchall()
    # The planner cannot estimate a prefix query's matches and often prefers reading every
    # tsvector to the GIN index (100+ ms instead of 5-30 ms here): rule that out for this one
    # statement. SET LOCAL lasts to the end of the transaction, hence the reset.
    # (A failed statement aborts the transaction, and its rollback undoes the SET as well.)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql(postgresql, postgresql_params or params).fetchall()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    return rows


def _word_matches(
    group: list[str], last: bool, ranked: bool, only: int | None = None
) -> dict[int, float]:
    """Entry id → text score (0.0 unless ranked) for one query word's variants; with
    ``only``, whether that one entry's documents hold the word.

    Ranking (bm25 on SQLite, ts_rank on PostgreSQL) costs more per document than the match,
    so a word found in more than RANK_LIMIT documents is not ranked: so common a word says
    little about relevance, and the order then falls to the other words and the date.
    """
    if db.engine.dialect.name == "postgresql":
        expression = tsquery([group], prefix_last=last)
    else:
        expression = fts5_query([group], prefix_last=last)
    if expression is None:
        return {}
    # A document's id is its entry's id * 4 + the language's number (document_id()).
    if only is not None:
        first = document_id(only, DOCUMENT_LANGS[0])
        rows = _driver_rows(
            "SELECT rowid >> 2 FROM search_fts WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ?",
            "SELECT entry_id FROM search_document "
            "WHERE search_vector @@ to_tsquery('simple', %s) AND entry_id = %s",
            (expression, first, first + len(DOCUMENT_LANGS) - 1),
            (expression, only),
        )
        return dict.fromkeys((row[0] for row in rows), 0.0)
    rows = _driver_rows(
        "SELECT rowid >> 2 FROM search_fts WHERE search_fts MATCH ?",
        "SELECT entry_id FROM search_document WHERE search_vector @@ to_tsquery('simple', %s)",
        (expression,),
    )
    found = dict.fromkeys((row[0] for row in rows), 0.0)
    if ranked and len(rows) <= RANK_LIMIT:
        # FTS5's rank (bm25) is lower for better matches: negate it so higher is better.
        best: dict[int, float] = {}
        for entry_id, score in _driver_rows(
            "SELECT rowid >> 2, -rank FROM search_fts WHERE search_fts MATCH ?",
            "SELECT entry_id, ts_rank(search_vector, query) FROM search_document, "
            "to_tsquery('simple', %s) AS query WHERE search_vector @@ query",
            (expression,),
        ):
            if score > best.get(entry_id, float("-inf")):
                best[entry_id] = score  # an entry's best document
        found.update(best)
    return found


def _text_base(index: RegisterIndex, user_text: str, ranked: bool, only: int | None = None):
    """(mask, scores) of the entries matching every word, in their text or in a tag's label.

    Scores rank entries by how many words their own texts hold, then by the summed text
    score; an entry found through a tag alone comes after those whose texts name the word.
    None when the text has no words at all. With ``only`` (an entry id), the full-text
    index is asked about that entry alone.
    """
    groups = query_variants(user_text)
    if not groups:
        return None
    tag_tokens = _tag_tokens()
    mask = index.everything
    text_hits: dict[int, int] = {}
    text_score: dict[int, float] = {}
    for number, group in enumerate(groups):
        last = number == len(groups) - 1
        found = _word_matches(group, last, ranked, only)
        word_mask = index.mask_of_ids(found)
        for code, tokens in tag_tokens.items():
            if code in index.tags and group_meets(group, tokens, prefix=last):
                word_mask |= index.tags[code]
        mask &= word_mask
        if not mask:
            return 0, {}
        for entry_id, value in found.items():
            text_hits[entry_id] = text_hits.get(entry_id, 0) + 1
            text_score[entry_id] = text_score.get(entry_id, 0.0) + value
    scores = {entry_id: (hits, text_score[entry_id]) for entry_id, hits in text_hits.items()}
    return mask, scores


def _filters(index: RegisterIndex, query: RegisterQuery) -> dict[str, int]:
    """The query's filters as masks: one per facet (any of its values), one for the range
    of funding sought."""
    names = query.facet_names()
    filters = {
        name: index.chosen(name, values)
        for name, values in query.filters.items()
        if name in names and values
    }
    if query.item_type in FUNDING_FACET:
        least, most = query.funding_range()
        if least is not None or most is not None:
            filters[FUNDING_RANGE] = index.funding_within(least, most)
    return filters


def _match(query: RegisterQuery, ranked: bool, only: int | None = None) -> _Matched | None:
    """The query as masks; None when its text has no words (nothing can match).

    With ``only`` (an entry id) the text is looked up for that entry alone, so only its
    bit of the result is meaningful.
    """
    index = register_index.current(query.item_type)
    base, scores = index.everything, {}
    if query.text.strip():
        found = _text_base(index, query.text, ranked, only)
        if found is None:
            return None
        base, scores = found
    return _Matched(index, base, _filters(index, query), scores)


def _entries(ids: list[int]) -> list[RegisterEntry]:
    """The entries with these ids, in this order (any unpublished meanwhile left out)."""
    found: dict[int, RegisterEntry] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            (entry.id, entry)
            for entry in db.session.scalars(
                select(RegisterEntry).where(RegisterEntry.id.in_(chunk))
            )
        )
    return [found[entry_id] for entry_id in ids if entry_id in found]


@functools.cache
def _natural_orders() -> dict[str, dict[str, int]]:
    """Facets whose values have an order of their own, shown in it rather than by count."""
    stages = {tag.code: tag.position for tag in load_taxonomy().by_vocabulary("stage")}
    bands = {code: number for number, code in enumerate(funding.BAND_CODES)}
    return {"stage": stages, "stage_invested": stages, "funding": bands}


def _facets(query: RegisterQuery, matched: _Matched) -> dict[str, list[tuple[str, int]]]:
    facets = matched.index.counts(matched.base, matched.filters)
    for name in query.facet_names():
        # A chosen value that matches nothing stays visible, so it can be unticked.
        chosen = query.filters.get(name, [])
        present = {value for value, _count in facets.get(name, [])}
        facets.setdefault(name, []).extend((value, 0) for value in chosen if value not in present)
    for name, order in _natural_orders().items():
        if name in facets:
            facets[name].sort(key=lambda row, order=order: (order.get(row[0], len(order)), row[0]))
    return facets


def _relaxations(query: RegisterQuery, matched: _Matched | None) -> list[tuple[str, int]]:
    """For each filter of an empty result, how many results there are without it alone;
    the filters whose removal still leaves nothing are left out."""
    if matched is None:  # a text without words matches nothing: only it can be removed
        index = register_index.current(query.item_type)
        filters, base = _filters(index, query), 0
    else:
        index, filters, base = matched.index, matched.filters, matched.base
    counts = []
    for name in query.active_filters():
        mask = index.everything if name == TEXT else base
        for other, other_mask in filters.items():
            if other != name:
                mask &= other_mask
        if count := mask.bit_count():
            counts.append((name, count))
    return counts


def search(
    query: RegisterQuery,
    per_page: int = PER_PAGE,
    with_facets: bool = True,
    offset: int | None = None,
) -> Results:
    """A page of results; from ``offset`` entries in when given (the API's cursor), else
    the query's page (kept within the pages there are)."""
    text_given = bool(query.text.strip())
    relevance = text_given and query.sort == "relevance"
    matched = _match(query, ranked=relevance)
    if matched is None:
        # Only punctuation or the like: nothing can match, and that is not an error.
        facets = {name: [] for name in query.facet_names()}
        return Results([], 0, 1, 1, facets, _relaxations(query, None))
    mask = matched.mask
    total = mask.bit_count()
    pages = max(1, -(-total // per_page))
    if offset is None:
        page = min(max(1, query.page), pages)
        offset = (page - 1) * per_page
    else:
        page = offset // per_page + 1
    index = matched.index
    if relevance:
        ids = index.ranked(mask, matched.scores, offset, per_page)
    elif query.sort == "name":
        ids = index.by_title(mask, offset, per_page)
    else:
        ids = index.newest(mask, offset, per_page)
    facets = _facets(query, matched) if with_facets else {}
    relaxations = _relaxations(query, matched) if total == 0 else []
    return Results(_entries(ids), total, page, pages, facets, relaxations)


def entry(item_type: str, item_id: int) -> RegisterEntry | None:
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.item_type == item_type, RegisterEntry.item_id == item_id
        )
    )


def public_snapshot(item_type: str, item_id: int) -> dict | None:
    """The approved version the public sees; None when the item is not published."""
    return db.session.scalar(
        select(RegisterEntry.snapshot).where(
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


def entries_of_organisations(ids: set[int]) -> list[RegisterEntry]:
    """The published entries of these organisations: projects first (newest first), then
    the organisations themselves by name."""
    if not ids:
        return []
    projects = db.session.scalars(
        select(RegisterEntry)
        .where(RegisterEntry.item_type == "project", RegisterEntry.organisation_id.in_(ids))
        .order_by(RegisterEntry.published_at.desc(), RegisterEntry.id.desc())
    )
    organisations = db.session.scalars(
        select(RegisterEntry)
        .where(RegisterEntry.item_type == "organisation", RegisterEntry.item_id.in_(ids))
        .order_by(RegisterEntry.sort_title)
    )
    return [*projects, *organisations]


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
    matched = _match(query, ranked=False)
    if matched is None:
        return []
    mask = matched.mask
    counted = [
        (country, region, (mask & place).bit_count())
        for (country, region), place in matched.index.places.items()
    ]
    return sorted(
        ((country, region, count) for country, region, count in counted if count),
        key=lambda row: (-row[2], row[0], row[1] or ""),
    )


def matches_entry(query: RegisterQuery, entry_id: int) -> bool:
    """Whether the published entry would be among the query's results."""
    index = register_index.current(query.item_type)
    position = index.positions.get(entry_id)
    if position is None:
        return False
    bit = 1 << position
    if not all(mask & bit for mask in _filters(index, query).values()):
        return False  # decided without asking the full-text index
    matched = _match(query, ranked=False, only=entry_id)
    return matched is not None and bool(matched.mask & bit)


def all_matching(query: RegisterQuery, limit: int = 10_000) -> list[RegisterEntry]:
    """Every entry matching the query, for exports (newest first)."""
    matched = _match(query, ranked=False)
    if matched is None:
        return []
    return _entries(matched.index.newest(matched.mask, 0, limit))
