"""The public register: lists with filters and search, detail pages, exports."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from babel.lists import format_list
from flask import Blueprint, Response, abort, current_app, redirect, request, url_for
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from matchmaker import geo
from matchmaker.csv_writer import csv_response
from matchmaker.display import money, money_range
from matchmaker.events import services as event_services
from matchmaker.geo.svg import radius, render_location, render_map
from matchmaker.i18n import current_language
from matchmaker.register import export, funding, queries
from matchmaker.web import is_htmx, render

bp = Blueprint("register", __name__)

MAX_VALUES = 30
MAX_VALUE_LENGTH = 40
CHOSEN_SORTS = ("newest", "name")


def query_from_args(item_type: str, source: MultiDict | None = None) -> queries.RegisterQuery:
    """Read the filters from the URL (or a form); anything odd is dropped, never an error."""
    source = request.args if source is None else source
    query = queries.RegisterQuery(item_type=item_type)
    query.text = source.get("q", "")[:200]
    for name in query.facet_names():
        values = [v for v in source.getlist(name) if v and len(v) <= MAX_VALUE_LENGTH]
        if name == "funding":
            values = [v for v in values if v in funding.BAND_CODES]
        if values:
            query.filters[name] = values[:MAX_VALUES]
    least, most = (source.get(name, "") for name in funding.RANGE_PARAMETERS)
    queries.set_funding_range(query, least, most)
    # Relevance when words are searched, else newest, unless the reader chose another
    # order (the sort control sends the automatic one empty: register/_sort.html).
    # Relevance is never kept as a choice: without words there is none to sort by.
    automatic = "relevance" if query.text.strip() else "newest"
    sort = source.get("sort", "")
    query.sort = sort if sort in CHOSEN_SORTS else automatic
    try:
        query.page = max(1, min(int(source.get("page", 1)), 10_000))
    except ValueError:
        query.page = 1
    return query


def _list(item_type: str, template: str):
    query = query_from_args(item_type)
    results = queries.search(query)
    names = queries.organisation_names({e.organisation_id for e in results.entries})
    return render(
        template,
        partial="register/_results.html",
        query=query,
        results=results,
        organisation_names=names,
        item_type=item_type,
        sort_oob=is_htmx(),  # the sort control sits outside the results it sorts
    )


@bp.app_template_global()
def funding_band_label(code: str) -> str:
    """A band of funding sought, in the reader's language and number format."""
    band = next((band for band in funding.BANDS if band.code == code), None)
    if band is None:
        return code
    if band.high is None:
        return _("more than %(amount)s", amount=money(band.low))
    return money_range(band.low, band.high)


@bp.app_template_global()
def funding_problem(problem: str) -> str:
    """What was wrong with an amount typed into the funding filter (RegisterQuery.problems)."""
    if problem == "reversed":
        return _("The largest amount must not be smaller than the smallest.")
    if problem == "negative":
        return _("Enter an amount of 0 or more.")
    if problem == "too_large":
        return _(
            "Enter an amount of at most %(max)s euros.", max=format_decimal(funding.MAX_AMOUNT)
        )
    return _("Enter an amount in euros with digits only, such as %(number)s.", number="250000")


@bp.app_template_global()
def or_list(values: list[str]) -> str:
    """Several values of one filter as "a, b or c" in the reader's language."""
    texts = [value.unescape() if isinstance(value, Markup) else str(value) for value in values]
    return format_list(texts, style="or", locale=get_locale())


@bp.route("/projects")
def projects():
    return _list("project", "register/projects.html")


@bp.route("/organisations")
def organisations():
    return _list("organisation", "register/organisations.html")


@bp.route("/investors")
def investors():
    return redirect(url_for("register.organisations", kind="investor"))


@bp.route("/clusters")
def clusters():
    return redirect(url_for("register.organisations", kind="cluster"))


@dataclass(frozen=True)
class DraftEntry:
    """What a public page reads of a register entry, for a version not yet published."""

    item_type: str
    item_id: int
    country: str
    region: str | None
    latitude: float | None
    longitude: float | None
    organisation_id: int | None = None
    sort_title: str = ""


def draft_entry(item_type: str, item_id: int, data: dict, organisation_id=None) -> DraftEntry:
    """The entry a version will make once approved (`data`: its snapshot), placed as the
    register places it: at its coordinates, else at its region's or country's centre."""
    lat, lon = data.get("latitude"), data.get("longitude")
    if lat is None or lon is None:
        lat, lon = geo.coordinates(data["country"], data.get("region")) or (None, None)
    return DraftEntry(
        item_type, item_id, data["country"], data.get("region"), lat, lon, organisation_id
    )


def location_of(entry) -> dict | None:
    """The place of an entry in words and on a small map, for its detail page."""
    if entry.latitude is None or entry.longitude is None:
        return None
    place = geo.place_name(entry.country, entry.region, current_language())
    svg = render_location(entry.latitude, entry.longitude, _("Location: %(place)s", place=place))
    # render_location escapes every text it is given.
    return {"place": place, "svg": Markup(svg)} if svg else None  # noqa: S704  # nosec B704  # render_location escapes every text


@bp.route("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):
    entry = queries.entry("organisation", organisation_id)
    if entry is None:
        abort(404)
    return render(
        "register/organisation.html",
        entry=entry,
        data=entry.snapshot,
        projects=queries.projects_of(organisation_id),
        events=event_services.coming_events_hosted_by(organisation_id),
        location=location_of(entry),
        text_choice=request.args.get("text"),
    )


@bp.route("/projects/<int:project_id>")
def project(project_id: int):
    entry = queries.entry("project", project_id)
    if entry is None:
        abort(404)
    organisation = queries.entry("organisation", entry.organisation_id)
    return render(
        "register/project.html",
        entry=entry,
        data=entry.snapshot,
        organisation=organisation,
        location=location_of(entry),
        text_choice=request.args.get("text"),
    )


# `listing`, not `kind`: the lists' own `kind` filter (the kind of organisation) goes
# in the same address.
@bp.route("/<any(projects, organisations):listing>/export.<any(csv, json):fmt>")
def export_register(listing: str, fmt: str):
    """The register as filtered on the list page, for download."""
    item_type = listing.removesuffix("s")
    query = query_from_args(item_type)
    entries = queries.all_matching(query)
    names = queries.organisation_names({e.organisation_id for e in entries})
    lang = current_language()
    endpoint = "register.project" if item_type == "project" else "register.organisation"
    key = "project_id" if item_type == "project" else "organisation_id"
    records = [
        export.row(
            entry,
            lang,
            url_for(endpoint, lang=lang, _external=True, **{key: entry.item_id}),
            names.get(entry.organisation_id, ""),
        )
        for entry in entries
    ]
    if fmt == "json":
        return Response(export.to_json(records), mimetype="application/json")
    header, rows = export.csv_columns(records)
    return csv_response(header, rows, f"matchmaker-{listing}-{lang}.csv")


@bp.route("/map")
def map_page():
    """Published items by place: an SVG map and a table that need no JavaScript or
    internet, and the same places as data for the interactive map that JavaScript adds."""
    item_type = "organisation" if request.args.get("show") == "organisations" else "project"
    query = query_from_args(item_type)
    lang = current_language()
    places = map_places(query, lang)
    title = (
        _("Innovation projects by region")
        if item_type == "project"
        else _("Organisations by region")
    )
    drawn = render_map(places, lang, title)
    svg = Markup(drawn)  # noqa: S704  # nosec B704  # render_map escapes every text
    return render(
        "register/map.html",
        svg=svg,
        places=places,
        map_data=interactive_map_data(places),
        item_type=item_type,
        query=query,
        title=title,
    )


def map_places(query: queries.RegisterQuery, lang: str) -> list[dict]:
    """Each place with published items under the query's filters: its name in ``lang``,
    the count, a marker position (None when unknown) and the list narrowed to it."""
    rows = queries.counts_by_place(query)
    located = {(country, region): geo.coordinates(country, region) for country, region, _ in rows}
    largest = max(
        (count for country, region, count in rows if located[(country, region)]), default=0
    )
    places = []
    for country, region, count in rows:
        label = geo.place_name(country, region, lang)
        coordinates = located[(country, region)]
        places.append(
            {
                "label": label,
                "count": count,
                "count_label": format_decimal(count),
                "text": _place_text(query.item_type, count, label),
                "lat": coordinates[0] if coordinates else None,
                "lon": coordinates[1] if coordinates else None,
                "radius": radius(count, largest),
                "href": _place_link(query, country, region),
            }
        )
    return places


def _place_text(item_type: str, count: int, place: str) -> str:
    number = format_decimal(count)
    if item_type == "project":
        return ngettext(
            "%(place)s: %(number)s project",
            "%(place)s: %(number)s projects",
            count,
            number=number,
            place=place,
        )
    return ngettext(
        "%(place)s: %(number)s organisation",
        "%(place)s: %(number)s organisations",
        count,
        number=number,
        place=place,
    )


def _place_link(query: queries.RegisterQuery, country: str, region: str | None) -> str:
    """The list under the same filters, narrowed to one place: it shows the same count."""
    args: dict[str, str | list[str]] = {
        name: values for name, values in query.filters.items() if name not in ("country", "region")
    }
    if query.text:
        args["q"] = query.text
    args["country"] = country
    if region:
        args["region"] = region
    endpoint = "register.projects" if query.item_type == "project" else "register.organisations"
    return url_for(endpoint, **args)


# ISO 3166-1 numeric codes: the world-atlas outlines are keyed by them.
_CORE_COUNTRY_NUMBERS = tuple(
    pycountry.countries.get(alpha_2=code).numeric for code in geo.CORE_COUNTRIES
)


def interactive_map_data(places: list[dict]) -> dict:
    """What static/js/map.js needs, embedded in the page as JSON: markers with their
    translated texts, tiles when configured (else the vendored outlines), control labels."""
    tile_url = current_app.config.get("MAP_TILE_URL")
    return {
        "places": [place for place in places if place["lat"] is not None],
        "tiles": (
            {"url": tile_url, "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", "")}
            if tile_url
            else None
        ),
        "outlines": (
            None
            if tile_url
            else url_for("static", filename="vendor/world-atlas/countries-50m.json")
        ),
        "core_countries": list(_CORE_COUNTRY_NUMBERS),
        "labels": {
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
            "close": _("Close"),
            # The name of a group of markers close together (static/js/map.js lists the
            # places: "Oslo, Norway: 3 projects and Innlandet, Norway: 1 project").
            "cluster": _("Zoom in on %(places)s"),
        },
    }
