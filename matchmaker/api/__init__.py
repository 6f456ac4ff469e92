"""The open API: the public register as read-only JSON at /api/v1/, described by an
OpenAPI 3.1 document that flask-smorest generates from the views and schemas.

Only the API answers in JSON: its errors too, and those of any URL under its prefix
(core.errors hands them over); the rest of the site keeps its own pages.
"""

from __future__ import annotations

import flask_smorest
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from matchmaker.api.views import PREFIX, blp
from matchmaker.core import errors

SETTINGS = {
    "API_TITLE": "Matchmaker open API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}
SPEC_OPTIONS = {
    "info": {
        "description": "Read-only JSON of the public register of health innovation: "
        "published projects and organisations with the register's filters, search and "
        "facets, and the codes they use; public events; the figures of the insights page. "
        "No person's name or contact details, nothing unpublished. Answers carry an ETag; "
        "send it back in If-None-Match for a 304."
    },
}
INVALID_PARAMETERS = "Some parameters are not valid: see `errors`."
CACHE_CONTROL = "public, max-age=60"
EXPOSED_HEADERS = "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


class Api(flask_smorest.Api):
    def _register_error_handlers(self):
        """Not for the whole app, as flask-smorest would: for the API's paths only."""
        errors.answer_errors_under(self._app, PREFIX + "/", json_error)


def json_error(error: HTTPException) -> Response:
    """An error as JSON (flask-smorest's ErrorSchema), keeping its headers (Allow…)."""
    data = getattr(error, "data", None) or {}
    payload = {
        "code": error.code,
        "status": error.name,
        "message": data.get("message") or error.description,
    }
    if found := data.get("errors") or data.get("messages"):
        payload["errors"] = found
        payload["message"] = data.get("message") or INVALID_PARAMETERS
    response = jsonify(payload)
    response.status_code = error.code or 500
    response.headers.extend(
        (name, value) for name, value in error.get_headers() if name != "Content-Type"
    )
    response.headers.extend(data.get("headers") or {})
    return response


def _api_headers(response: Response) -> Response:
    """CORS for every API answer; public caching for what succeeded."""
    if not request.path.startswith(PREFIX + "/"):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    elif response.status_code in (200, 304):
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def init_app(app: Flask) -> None:
    from matchmaker.api.guide import bp as guide_bp

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    api = Api(app, spec_kwargs=SPEC_OPTIONS)
    api.register_blueprint(blp)
    app.after_request(_api_headers)
    app.register_blueprint(guide_bp, url_prefix="/<lang:lang>")
