"""What the API answers, as plain data: pages of the public register with facets, single
entries, the taxonomy. Everything is read from the register's own tables (nothing
unpublished is there) and each record is the register's export row
(:func:`matchmaker.register.export.row`), which names no person."""

from __future__ import annotations

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer

from matchmaker import display, geo
from matchmaker.i18n import in_language
from matchmaker.organisations.models import ORG_TAG_ROLES
from matchmaker.projects.models import PROJECT_TAG_ROLES
from matchmaker.register import export, funding, queries
from matchmaker.register.models import RegisterEntry
from matchmaker.register.views import funding_band_label
from matchmaker.taxonomy import VOCABULARIES, load_taxonomy

PAGES = {
    "project": ("register.project", "project_id"),
    "organisation": ("register.organisation", "organisation_id"),
}
# How a facet's values are named; tag codes otherwise.
VALUE_LABELS = {
    "country": display.country_name,
    "region": display.region_name,
    "language": display.language_label,
    "funding": funding_band_label,
}


class BadCursor(ValueError):
    """A cursor this site did not hand out."""


def _cursors() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="matchmaker.api.cursor")


def cursor_for(offset: int) -> str:
    return _cursors().dumps(offset)


def offset_of(cursor: str | None) -> int:
    """Where a page starts; the cursor is signed, so a client cannot make one up."""
    if not cursor:
        return 0
    try:
        offset = _cursors().loads(cursor)
    except BadData as error:
        raise BadCursor(cursor) from error
    if not isinstance(offset, int) or offset < 0:
        raise BadCursor(cursor)
    return offset


def records(entries: list[RegisterEntry], lang: str) -> list[dict]:
    names = queries.organisation_names({entry.organisation_id for entry in entries})
    return [
        export.row(entry, lang, page_url(entry, lang), names.get(entry.organisation_id, ""))
        for entry in entries
    ]


def page_url(entry: RegisterEntry, lang: str) -> str:
    endpoint, key = PAGES[entry.item_type]
    return url_for(endpoint, lang=lang, _external=True, **{key: entry.item_id})


def page(query: queries.RegisterQuery, offset: int, limit: int, lang: str) -> dict:
    """A page of the register's list under the query, from ``offset``, with the facets."""
    results = queries.search(query, per_page=limit, offset=offset)
    following = offset + limit if offset + limit < results.total else None
    with in_language(lang):
        facets = {
            name: [
                {"value": value, "count": count, "label": _value_label(name, value)}
                for value, count in values
            ]
            for name, values in results.facets.items()
        }
    cursor = cursor_for(following) if following is not None else None
    return {
        "items": records(results.entries, lang),
        "total": results.total,
        "limit": limit,
        "lang": lang,
        "next": _url_with_cursor(cursor) if cursor else None,
        "next_cursor": cursor,
        "facets": facets,
    }


def _value_label(name: str, value: str) -> str:
    return VALUE_LABELS.get(name, display.tag_label)(value)


def _url_with_cursor(cursor: str) -> str:
    args = request.args.to_dict(flat=False)
    args["cursor"] = [cursor]
    return url_for(request.endpoint, _external=True, **args)


def one(item_type: str, item_id: int, lang: str) -> dict | None:
    """The published entry as a record; None when it is not published."""
    entry = queries.entry(item_type, item_id)
    return records([entry], lang)[0] if entry is not None else None


def taxonomy(lang: str) -> dict:
    """The codes records and filters use, with their labels."""
    shipped = load_taxonomy()
    vocabularies = [
        {
            "code": name,
            "tags": [
                {"code": tag.code, "label": tag.label(lang), "labels": tag.labels_dict()}
                for tag in shipped.by_vocabulary(name)
            ],
        }
        for name in VOCABULARIES
    ]
    with in_language(lang):
        bands = [
            {
                "code": band.code,
                "min_eur": band.low,
                "max_eur": band.high,
                "label": funding_band_label(band.code),
            }
            for band in funding.BANDS
        ]
    countries = [
        {
            "code": country,
            "name": geo.country_name(country, lang),
            "regions": [{"code": code, "name": name} for code, name in geo.regions(country, lang)],
        }
        for country in geo.CORE_COUNTRIES
    ]
    return {
        "version": shipped.version,
        "lang": lang,
        "vocabularies": vocabularies,
        "roles": {"project": dict(PROJECT_TAG_ROLES), "organisation": dict(ORG_TAG_ROLES)},
        "funding_bands": bands,
        "countries": countries,
    }
