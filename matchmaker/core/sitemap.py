"""`/sitemap.xml` and `/robots.txt` for search engines.

The sitemap lists the public pages in every interface language, each with its
language alternates (hreflang). Items come from the register tables alone, which hold
nothing but approved versions, so a draft, a returned or an unpublished item cannot
appear. A big register is split into several files behind a sitemap index: one file
may hold 50,000 addresses, and every item takes one per language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr  # nosec B406  # escapes the XML we write; nothing is parsed

from flask import Blueprint, Response, abort, current_app, url_for
from sqlalchemy import func, select

from matchmaker.events.models import Event
from matchmaker.extensions import db
from matchmaker.open_data import files as open_data_files
from matchmaker.register.models import RegisterEntry

bp = Blueprint("sitemap", __name__)

# Items per sitemap file: with four languages, 8,000 addresses (the limit is 50,000)
# and a few megabytes of XML at most.
ITEMS_PER_FILE = 2_000
ITEM_ENDPOINTS = {
    "organisation": ("register.organisation", "organisation_id"),
    "project": ("register.project", "project_id"),
}
# Pages behind a login, or personal: crawlers have nothing to find there.
PRIVATE_PREFIXES = (
    "account/",
    "my/",
    "moderation/",
    "notifications/",
    "invitations/",
    "events/mine",
    "events/calendar/",
)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@bp.route("/robots.txt")
def robots():
    lines = ["User-agent: *"]
    lines += [f"Disallow: /*/{prefix}" for prefix in PRIVATE_PREFIXES]
    lines += ["", f"Sitemap: {url_for('sitemap.sitemap', _external=True)}", ""]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.route("/sitemap.xml")
def sitemap():
    files = _file_count()
    if files == 1:
        return _xml(_urlset(1))
    return _xml(_index(files))


@bp.route("/sitemap-<int:number>.xml")
def sitemap_file(number: int):
    if not 1 <= number <= _file_count():
        abort(404)
    return _xml(_urlset(number))


def _file_count() -> int:
    items = db.session.scalar(select(func.count()).select_from(RegisterEntry)) or 0
    return max(1, -(-items // ITEMS_PER_FILE))


def _xml(parts: Iterable[str]) -> Response:
    return Response("".join(parts), mimetype="application/xml")


def _index(files: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<sitemapindex xmlns="{SITEMAP_NS}">\n'
    for number in range(1, files + 1):
        location = url_for("sitemap.sitemap_file", number=number, _external=True)
        yield f"<sitemap><loc>{escape(location)}</loc></sitemap>\n"
    yield "</sitemapindex>\n"


def _urlset(number: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n'
    if number == 1:
        yield from _pages()
    rows = db.session.execute(
        select(RegisterEntry.item_type, RegisterEntry.item_id, RegisterEntry.published_at)
        .order_by(RegisterEntry.id)
        .limit(ITEMS_PER_FILE)
        .offset((number - 1) * ITEMS_PER_FILE)
    ).all()
    for item_type, item_id, published_at in rows:
        endpoint, key = ITEM_ENDPOINTS[item_type]
        yield from _page(endpoint, {key: item_id}, published_at)
    yield "</urlset>\n"


def _pages() -> Iterator[str]:
    """The front page, the register's lists, the map, the insights, the open data and the
    events (published
    ones: a handful next to the register), each dated by its newest item."""
    newest = dict(
        db.session.execute(
            select(RegisterEntry.item_type, func.max(RegisterEntry.published_at)).group_by(
                RegisterEntry.item_type
            )
        ).all()
    )
    anything = max(newest.values(), key=_utc, default=None)
    yield from _page("core.home", {}, None, default=url_for("root.index", _external=True))
    yield from _page("register.projects", {}, newest.get("project"))
    yield from _page("register.organisations", {}, newest.get("organisation"))
    yield from _page("register.map_page", {}, anything)
    yield from _page("insights.index", {}, anything)
    yield from _page("open_data.index", {}, open_data_files.last_built())
    events = db.session.execute(
        select(Event.id, Event.updated_at).where(Event.status == "published").order_by(Event.id)
    ).all()
    yield from _page(
        "events.index", {}, max((e.updated_at for e in events), key=_utc, default=None)
    )
    for event_id, updated_at in events:
        yield from _page("events.show", {"event_id": event_id}, updated_at)


def _page(
    endpoint: str, values: dict, lastmod: datetime | None, default: str | None = None
) -> Iterator[str]:
    """One <url> per language, each naming all the languages (itself included)."""
    languages = current_app.config["LANGUAGES"]
    locations = {lang: url_for(endpoint, lang=lang, _external=True, **values) for lang in languages}
    alternates = "".join(
        f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(location)}/>'
        for lang, location in locations.items()
    )
    if default:
        alternates += (
            f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(default)}/>'
        )
    modified = (
        f"<lastmod>{_utc(lastmod).isoformat(timespec='seconds')}</lastmod>" if lastmod else ""
    )
    for location in locations.values():
        yield f"<url><loc>{escape(location)}</loc>{modified}{alternates}</url>\n"


def _utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; the app stores UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
