"""Translated error pages; an HTMX request gets the message in the flash region."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from matchmaker.i18n import (
    language_from_path,
    page_language,
    preferred_language,
    set_page_language,
)
from matchmaker.logs import current_request_id
from matchmaker.web import is_htmx

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (
        _l("Page not found"),
        _l("We could not find this page. It may have moved or never existed."),
    ),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too many times. Please wait a while and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this page. We have been told; please try again later."),
    ),
}
PATH_HANDLERS = "matchmaker.error_handlers_by_path"
CSRF_MESSAGE = _l(
    "This form has expired or was sent from another page. Please reload the page and try again."
)


def _render_error(status: int, message=None):
    if page_language() is None:
        # No route matched, or none with a prefix: use the path's language, else the visitor's.
        set_page_language(language_from_path(request.path) or preferred_language())
    title, default_message = MESSAGES.get(status, MESSAGES[500])
    message = message or default_message
    if is_htmx():
        body = render_template("errors/_message.html", title=title, message=message)
        headers = {"HX-Retarget": "#flash-messages", "HX-Reswap": "innerHTML"}
        return body, status, headers
    page = render_template(
        "errors/error.html",
        status=status,
        title=title,
        message=message,
        request_id=current_request_id(),
    )
    return page, status


def answer_errors_under(app: Flask, prefix: str, handler: Callable) -> None:
    """Let the paths under ``prefix`` (the JSON API) answer their errors with ``handler``.

    The rest of the site keeps its pages. A blueprint's own error handler would not do:
    a URL that matches no route (404) or no method (405) reaches only the app's handlers.
    """
    app.extensions.setdefault(PATH_HANDLERS, []).append((prefix, handler))


def _path_handler(app: Flask) -> Callable | None:
    for prefix, handler in app.extensions.get(PATH_HANDLERS, ()):
        if request.path.startswith(prefix):
            return handler
    return None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render_error(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if handler := _path_handler(app):
            return handler(error)
        return _render_error(error.code)

    @app.errorhandler(InternalServerError)
    def _server(error):
        if handler := _path_handler(app):
            return handler(error)
        return _render_error(500)
