"""GET /api/v1/…: the public register as JSON. Read-only: no route takes another method."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug import Response

from matchmaker.accounts.models import utcnow
from matchmaker.api import records, schemas
from matchmaker.extensions import limiter
from matchmaker.insights.figures import period_end, quarter_from_code
from matchmaker.register import index
from matchmaker.register.views import query_from_args
from matchmaker.taxonomy import load_taxonomy

PREFIX = "/api/v1"


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # a wrong parameter is the client's error, not 422


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


blp = Blueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="The public register: published projects and organisations, and the "
    "codes they use; public events; the figures of the insights page.",
)
# One allowance per client for the whole API, not one per endpoint.
limiter.shared_limit(lambda: current_app.config["RATELIMIT_API"], scope="api")(blp)

ETAG_HEADER = {
    "ETag": {"description": "Changes when the answer may have.", "schema": {"type": "string"}}
}
NOT_MODIFIED = "Not modified: nothing changed since the copy named in If-None-Match."


def _etag(*more: str) -> str:
    """The same for as long as the register, the taxonomy, the request and ``more`` (what
    else the answer is made of) stay the same."""
    parts = (index.current_token() or "", load_taxonomy().version, request.full_path, *more)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _held_copy(tag: str) -> str | None:
    """The client's ETag naming the current answer: ours, or ours with the ":gzip" (or other
    compression) Flask-Compress adds to a compressed answer's."""
    for sent in request.if_none_match.as_set(include_weak=True):
        if sent == tag or sent.startswith(tag + ":"):
            return sent
    return None


def _cached(build, *more: str):
    """304 when the client's copy is current, else ``build()`` with its ETag."""
    tag = _etag(*more)
    if held := _held_copy(tag):
        response = Response(status=304)
        response.set_etag(held)
        return response
    return build(), {"ETag": f'"{tag}"'}


def _offset(args: dict) -> int:
    try:
        return records.offset_of(args.get("cursor"))
    except records.BadCursor:
        abort(400, message="This cursor is not one we gave out; start again without it.")


def _listing(item_type: str, args: dict):
    offset = _offset(args)
    query = query_from_args(item_type, request.args)
    if query.problems:
        abort(400, message="An amount of funding is not valid.", errors={"query": query.problems})
    return _cached(lambda: records.page(query, offset, args["limit"], args["lang"]))


def _detail(item_type: str, item_id: int, lang: str):
    def build():
        record = records.one(item_type, item_id, lang)
        if record is None:
            abort(404, message=f"No published {item_type} has the id {item_id}.")
        return record

    return _cached(build)


@blp.route("/projects")
@blp.arguments(schemas.ProjectArgs, location="query")
@blp.response(200, schemas.ProjectPage, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
def projects(args):
    """Published projects

    The filters and search of the register's list of projects, newest first.
    """
    return _listing("project", args)


@blp.route("/organisations")
@blp.arguments(schemas.OrganisationArgs, location="query")
@blp.response(200, schemas.OrganisationPage, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
def organisations(args):
    """Published organisations

    The filters and search of the register's list of organisations, newest first.
    """
    return _listing("organisation", args)


@blp.route("/projects/<int(min=1):project_id>")
@blp.arguments(schemas.LanguageArgs, location="query")
@blp.response(200, schemas.Project, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.alt_response(404, description="No published project has this id.")
def project(args, project_id: int):
    """A published project"""
    return _detail("project", project_id, args["lang"])


@blp.route("/organisations/<int(min=1):organisation_id>")
@blp.arguments(schemas.LanguageArgs, location="query")
@blp.response(200, schemas.Organisation, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.alt_response(404, description="No published organisation has this id.")
def organisation(args, organisation_id: int):
    """A published organisation"""
    return _detail("organisation", organisation_id, args["lang"])


@blp.route("/taxonomy")
@blp.arguments(schemas.LanguageArgs, location="query")
@blp.response(200, schemas.Taxonomy, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
def taxonomy(args):
    """Codes and labels

    The tags of every vocabulary, which vocabulary each tag role draws on, the bands of
    funding sought, and the countries and regions the register covers.
    """
    return _cached(lambda: records.taxonomy(args["lang"]))


@blp.route("/events")
@blp.arguments(schemas.EventArgs, location="query")
@blp.response(200, schemas.EventPage, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
def events(args):
    """Public events

    The events of the site's list, a page of the site's size at a time: those still to
    come, soonest first, or those that have ended, latest first. A cancelled event stays
    listed, marked as cancelled.
    """
    offset, filters = _offset(args), records.event_filters(args)
    return _cached(
        lambda: records.event_page(filters, offset, args["lang"]),
        *records.events_version(utcnow()),
    )


@blp.route("/events/<int(min=1):event_id>")
@blp.arguments(schemas.LanguageArgs, location="query")
@blp.response(200, schemas.Event, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.alt_response(404, description="No public event has this id.")
def event(args, event_id: int):
    """A public event"""

    def build():
        record = records.event(event_id, args["lang"])
        if record is None:
            abort(404, message=f"No public event has the id {event_id}.")
        return record

    return _cached(build, *records.events_version(utcnow()))


@blp.route("/insights")
@blp.arguments(schemas.InsightsArgs, location="query")
@blp.response(200, schemas.Insights, headers=ETAG_HEADER)
@blp.alt_response(304, description=NOT_MODIFIED)
def insights(args):
    """The insights page's figures

    Each figure as its CSV file on the insights page: codes first, then plain numbers.
    """
    country, now = args.get("country"), utcnow()
    until = None
    if "until" in args:
        until = period_end(quarter_from_code(args["until"]), now)
        if until is None:
            abort(400, message="`until` must name today's quarter or one before it.")
    return _cached(
        lambda: records.insights(country, args["lang"], until),
        *records.insights_version(now),
    )
