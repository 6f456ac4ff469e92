"""The public register: lists with filters and search, detail pages, exports."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from matchmaker.register import queries
from matchmaker.web import render

bp = Blueprint("register", __name__)

MAX_VALUES = 30
MAX_VALUE_LENGTH = 40
SORTS = ("relevance", "newest", "name")


def query_from_args(item_type: str) -> queries.RegisterQuery:
    """Read the filters from the URL; anything odd is dropped, never an error."""
    query = queries.RegisterQuery(item_type=item_type)
    query.text = request.args.get("q", "")[:200]
    for name in query.facet_names():
        values = [v for v in request.args.getlist(name) if v and len(v) <= MAX_VALUE_LENGTH]
        if values:
            query.filters[name] = values[:MAX_VALUES]
    sort = request.args.get("sort", "")
    query.sort = sort if sort in SORTS else ("relevance" if query.text else "newest")
    try:
        query.page = max(1, min(int(request.args.get("page", 1)), 10_000))
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
    )


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
    )


@bp.route("/projects/<int:project_id>")
def project(project_id: int):
    entry = queries.entry("project", project_id)
    if entry is None:
        abort(404)
    organisation = queries.entry("organisation", entry.organisation_id)
    return render(
        "register/project.html", entry=entry, data=entry.snapshot, organisation=organisation
    )
