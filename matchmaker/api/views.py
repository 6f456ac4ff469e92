"""GET /api/v1/…: the public register as JSON. Read-only: no route takes another method."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug import Response

from matchmaker.api import records, schemas
from matchmaker.extensions import limiter
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
    "codes they use.",
)
# One allowance per client for the whole API, not one per endpoint.
limiter.shared_limit(lambda: current_app.config["RATELIMIT_API"], scope="api")(blp)

ETAG_HEADER = {
    "ETag": {"description": "Changes when the register does.", "schema": {"type": "string"}}
}
NOT_MODIFIED = "Not modified: nothing changed since the copy named in If-None-Match."


def _etag() -> str:
    """The same for as long as the register, the taxonomy and the request stay the same."""
    parts = (index.current_token() or "", load_taxonomy().version, request.full_path)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _held_copy(tag: str) -> str | None:
    """The client's ETag naming the current answer: ours, or ours with the ":gzip" (or other
    compression) Flask-Compress adds to a compressed answer's."""
    for sent in request.if_none_match.as_set(include_weak=True):
        if sent == tag or sent.startswith(tag + ":"):
            return sent
    return None


def _cached(build):
    """304 when the client's copy is current, else ``build()`` with its ETag."""
    tag = _etag()
    if held := _held_copy(tag):
        response = Response(status=304)
        response.set_etag(held)
        return response
    return build(), {"ETag": f'"{tag}"'}


def _listing(item_type: str, args: dict):
    try:
        offset = records.offset_of(args.get("cursor"))
    except records.BadCursor:
        abort(400, message="This cursor is not one we gave out; start again without it.")
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
