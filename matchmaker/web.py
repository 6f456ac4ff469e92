"""Page or fragment: the one place that reads HTMX request headers, and the one gate
every redirect passes through."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Response, redirect, render_template, request, url_for
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

# The largest id the database's INTEGER columns hold (PostgreSQL's, SQLite's is larger).
LARGEST_ID = 2**31 - 1

# Browsers drop tabs and line breaks anywhere in a URL, and C0 controls and spaces at its ends.
_DROPPED_ANYWHERE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False))


def render(
    template: str,
    block: str | None = None,
    status: int = 200,
    partial: str | None = None,
    **context,
) -> Response:
    """The whole page, or for HTMX its fragment: `block` of the page, or a shared `partial`."""
    if partial and is_htmx():
        body = render_template(partial, **context)
    elif block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return Response(body, status=status)


def safe_path(target: str | None) -> str | None:
    """`target` if a browser would read it as a path on this site, else None.

    The check reads the target the way a browser would, and more suspiciously: tabs and
    line breaks dropped, backslashes as slashes, percent-escapes decoded (until nothing
    changes) and look-alike characters folded (a full-width solidus is a slash), so that
    `/%09/evil.example`, `/\\evil.example` or `%2F%2Fevil.example` cannot become `//evil.example`.
    """
    if not target:
        return None
    cleaned = _DROPPED_ANYWHERE.sub("", target).strip(_C0_AND_SPACE).replace("\\", "/")
    if not cleaned.startswith("/") or not _reads_as_local_path(cleaned):
        return None
    return cleaned.rstrip("?") or None


def _reads_as_local_path(path: str) -> bool:
    seen = None
    while seen != path:
        seen, path = path, unquote(path)
    path = unicodedata.normalize("NFKC", path).replace("\\", "/")
    # Only the part before the query decides where a browser goes.
    head = re.split(r"[?#]", path, maxsplit=1)[0]
    if _CONTROL.search(head) or not head.startswith("/") or head.startswith("//"):
        return False
    parts = urlsplit(head)
    return not parts.scheme and not parts.netloc


def redirect_to(url: str, status: int = 303) -> Response:
    """Redirect a normal request; tell htmx to navigate the whole page instead.

    Every redirect of the app goes through here: a target that is not a path on this
    site (whoever had a hand in it) becomes the home page.
    """
    url = safe_path(url) or url_for("core.home")
    if is_htmx():
        response = Response("", status=200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=status)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every address: a number no row can have (above LARGEST_ID) matches no
    route, so it is a 404 like any unknown id rather than a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)
