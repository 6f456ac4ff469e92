"""What the API answers, as plain data: pages of the public register with facets, single
entries, the taxonomy, public events, the insights page's figures. Register items are read
from the register's own tables (nothing unpublished is there) and each record is the
register's export row (:func:`matchmaker.register.export.row`), which names no person;
events are those the site's list of events shows, with what their pages say of them
(never who signs up); the figures are those of the insights page."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, request, url_for
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import func, select

from matchmaker import display, geo
from matchmaker.accounts.models import utcnow
from matchmaker.events import services as event_services
from matchmaker.events.forms import KIND_LABELS
from matchmaker.events.models import Event
from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.i18n import in_language
from matchmaker.insights import connection_queries
from matchmaker.insights import views as insights_views
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
    with in_language(lang):
        facets = {
            name: [
                {"value": value, "count": count, "label": _value_label(name, value)}
                for value, count in values
            ]
            for name, values in results.facets.items()
        }
    return {
        "items": records(results.entries, lang),
        "total": results.total,
        "limit": limit,
        "lang": lang,
        **_following(offset, limit, results.total),
        "facets": facets,
    }


def _following(offset: int, limit: int, total: int) -> dict:
    """The next page's address and cursor; null on the last page."""
    if offset + limit >= total:
        return {"next": None, "next_cursor": None}
    cursor = cursor_for(offset + limit)
    return {"next": _url_with_cursor(cursor), "next_cursor": cursor}


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


def event_filters(args: dict) -> event_services.EventFilters:
    return event_services.EventFilters(
        kind=args.get("kind"),
        country=args.get("country"),
        tag=args.get("tag"),
        past=args["when"] == "past",
    )


def event_page(filters: event_services.EventFilters, offset: int, lang: str) -> dict:
    """The page of the site's list of events under ``filters`` that holds ``offset``: the
    site's selection, order and pages."""
    size = event_services.PAGE_SIZE
    page = offset // size
    events, total = event_services.find_events(filters, page + 1)
    return {
        "items": event_records(events, lang),
        "total": total,
        "limit": size,
        "lang": lang,
        **_following(page * size, size, total),
    }


def event(event_id: int, lang: str) -> dict | None:
    """The public event as a record; None when the site does not show it."""
    found = event_services.public_event(event_id)
    return event_records([found], lang)[0] if found is not None else None


def event_records(events: list[Event], lang: str) -> list[dict]:
    names = queries.organisation_names({event.organisation_id for event in events})
    with in_language(lang):
        return [_event_record(event, lang, names.get(event.organisation_id)) for event in events]


def _event_record(event: Event, lang: str, host: str | None) -> dict:
    """What the event's page says of it (in the current language), without the
    participants."""
    shown, texts, _fallback = display.pick_text(event.texts_by_language(), event.original_language)
    return {
        "id": event.id,
        "kind": event.kind,
        "kind_label": str(KIND_LABELS[event.kind]),
        "status": event.status,
        "title": texts.get("title", ""),
        "description": texts.get("description", ""),
        "text_language": shown,
        "original_language": event.original_language,
        "starts_at": aware(event.starts_at),
        "ends_at": aware(event.ends_at),
        "timezone": event.timezone,
        "online": event.online,
        "city": event.city,
        "country": event.country,
        "country_name": display.country_name(event.country) or None,
        "organisation_id": event.organisation_id,
        "organisation": host,
        "co_host_ids": sorted(co_host.organisation_id for co_host in event.co_hosts),
        "category_codes": event.tag_codes(),
        "capacity": event.capacity,
        "seats_left": None if event.status == "cancelled" else event.seats_left,
        "waiting_list": event.waiting_list,
        "url": url_for("events.show", lang=lang, event_id=event.id, _external=True),
    }


def events_version(now: datetime) -> tuple[str, ...]:
    """Changes when an event does (its row: an edit, a seat taken or freed, its status)
    and when one ends, leaving the events to come for the past ones."""
    found = db.session.execute(
        select(func.count(), func.max(Event.updated_at), func.count().filter(Event.ends_at <= now))
    ).one()
    return tuple(map(str, found))


def insights(country: str | None, lang: str, until: datetime | None = None) -> dict:
    """The insights page's figures, each as its CSV file holds it (codes first, plain
    numbers), for one country or (None) all of them, up to now or ``until``."""
    with in_language(lang):
        figures = [
            {
                "name": figure.name,
                "title": figure.title,
                "columns": figure.csv_header(),
                "rows": figure.csv_rows(),
            }
            for figure in insights_views.every_figure(until or utcnow(), country)
        ]
    return {
        "lang": lang,
        "country": country,
        "connections_counted_at": aware(connection_queries.last_counted()),
        "figures": figures,
    }


def insights_version(now: datetime) -> tuple[str, ...]:
    """Changes with the worker's count of the connections and with the hour, when the
    events' figures are read anew (and a quarter may turn)."""
    return str(connection_queries.last_counted()), connection_queries.hour_of(now).isoformat()
