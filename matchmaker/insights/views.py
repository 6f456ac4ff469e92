"""The public insights page and its figures as CSV files."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from matchmaker import geo
from matchmaker.accounts.models import utcnow
from matchmaker.csv_writer import csv_response
from matchmaker.i18n import DATE_STYLE, current_language
from matchmaker.insights import (
    connection_queries,
    connection_tables,
    event_queries,
    event_tables,
    figures,
    queries,
    tables,
    tasks,
)
from matchmaker.register.index import current_token
from matchmaker.web import render

bp = Blueprint("insights", __name__)


def country_from_args() -> tuple[str | None, str | None]:
    """The ?country= filter, and a message when it names no country (then no filter)."""
    value = request.args.get("country", "").strip()
    if not value:
        return None, None
    if geo.is_country(value):
        return value.upper(), None
    message = _(
        "“%(value)s” is not a country code; the figures show every country.", value=value[:20]
    )
    return None, message


PERIODS_OFFERED = 12  # quarters in the period menu


def period_from_args(now: datetime) -> tuple[datetime, str | None]:
    """The moment the figures run to: now, or the end of the past quarter ?until= names
    ("2025-Q2"); and a message when it names none (then now)."""
    value = request.args.get("until", "").strip().upper()
    if not value:
        return now, None
    quarter = figures.quarter_from_code(value)
    end = figures.period_end(quarter, now) if quarter else None
    if end is not None:
        return end, None
    message = _(
        "“%(value)s” is not a past quarter such as %(example)s; the figures run to today.",
        value=value[:20],
        example=tables.quarter_code(figures.last_quarters(now.date(), 2)[0]),
    )
    return now, message


def chosen_period(today: date) -> str | None:
    """The code of the quarter the figures run to, when it is not today's."""
    quarter = figures.quarter_of(today)
    return None if quarter == figures.quarter_of(utcnow().date()) else tables.quarter_code(quarter)


def period_choices(now: datetime) -> list[tuple[str, str]]:
    """(code, label) of the quarters the figures can run to, the latest (today's) first."""
    quarters = reversed(figures.last_quarters(now.date(), PERIODS_OFFERED))
    return [(tables.quarter_code(q), tables.quarter_label(q)) for q in quarters]


def growth_figures(today: date, country: str | None) -> list[tables.Figure]:
    growth, moves = queries.growth(today, country), queries.stage_moves(today, country)
    return tables.growth_tables(growth, moves, current_language())


def where_figures(today: date, country: str | None) -> list[tables.Figure]:
    return [tables.where_figure(queries.places(today, country), current_language())]


def connection_figures(country: str | None) -> list[tables.Figure]:
    found = connection_queries.connection_figures(country)
    if found is None:
        return []
    return connection_tables.connection_tables(found, current_language())


def event_figures(now: datetime, country: str | None) -> list[tables.Figure]:
    found = event_queries.event_figures(now, country)
    return event_tables.event_tables(found, current_language())


def every_figure(now: datetime, country: str | None) -> list[tables.Figure]:
    """Every figure of the page in its order, in the reader's language: the CSV files and
    the open API answer these."""
    tasks.ask_for_a_count_when_stale()
    return [
        *growth_figures(now.date(), country),
        *where_figures(now.date(), country),
        *connection_figures(country),
        *event_figures(now, country),
    ]


def connections_state() -> str:
    """Whether the connections are counted: "counting" before the first count, "none"
    when no two published organisations are linked (in any country), else "counted"."""
    found = connection_queries.connection_figures()
    if found is None:
        return "counting"
    return "none" if found.empty else "counted"


def country_choices(chosen: str | None) -> list[tuple[str, str]]:
    """(code, name) of the countries with something published, and the chosen one, by name."""
    shown = queries.published_register().countries() | {chosen}
    return [(code, name) for code, name in geo.countries(current_language()) if code in shown]


KEPT_PAGES = 64  # contents kept per process (languages, countries and versions)
_contents: OrderedDict[tuple, Markup] = OrderedDict()
_contents_lock = threading.Lock()


def content(now: datetime, country: str | None, problems: tuple[str, ...]) -> Markup:
    """The page's content (the figures, their tables and maps: the same for every reader
    of a language), rendered again only when the register, the last count of the
    connections, the hour (the events) or the day has changed. Without a register token
    (a database that never had a change) nothing is kept, as in ``index.per_change``."""
    token = current_token()
    key = (
        current_language(),
        country,
        problems,
        token,
        connection_queries.last_counted(),
        connection_queries.hour_of(now),
    )
    with _contents_lock:
        if key in _contents:
            _contents.move_to_end(key)
            return _contents[key]
    context = content_context(now, country, problems)
    html = render_template("insights/_content.html", **context)
    rendered = Markup(html)  # noqa: S704  # nosec B704  # Jinja's output, escaped by it
    if token is None:
        return rendered
    with _contents_lock:
        _contents[key] = rendered
        while len(_contents) > KEPT_PAGES:
            _contents.popitem(last=False)
    return rendered


def content_context(now: datetime, country: str | None, problems: tuple[str, ...]) -> dict:
    today = now.date()
    return {
        "figures": growth_figures(today, country),
        "where": where_figures(today, country),
        "connections": connection_figures(country),
        "connections_state": connections_state(),
        "counted_at": connection_queries.last_counted(),
        "events": event_figures(now, country),
        "no_events": not event_queries.event_figures(now, country).events,
        "country": country,
        "country_name": geo.country_name(country, current_language()) if country else None,
        "countries": country_choices(country),
        "problems": problems,
        "until": chosen_period(today),
        "periods": period_choices(utcnow()),
        "today": format_date(today, DATE_STYLE),
    }


@bp.route("/")
def index():
    country, wrong_country = country_from_args()
    now, wrong_period = period_from_args(utcnow())
    tasks.ask_for_a_count_when_stale()
    problems = tuple(problem for problem in (wrong_country, wrong_period) if problem)
    return render("insights/index.html", content=content(now, country, problems))


@bp.route("/<figure>.csv")
def figure_csv(figure: str):
    country, _problem = country_from_args()
    now, _problem = period_from_args(utcnow())
    found = next((f for f in every_figure(now, country) if f.name == figure), None)
    if found is None:
        abort(404)
    filename = f"matchmaker-{figure}-{(country or 'all').lower()}-{current_language()}.csv"
    return csv_response(found.csv_header(), found.csv_rows(), filename)
