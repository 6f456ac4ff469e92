"""How long browsers and proxies may keep what the site sends, and the 304 answers.

**Static files** are named by their content: ``url_for("static", filename="css/app.css")``
gives ``/static/css/app.3f2a9c1b7d04.css``. The name changes whenever the file does, so it
may be kept for a year without asking again (``public, max-age=31536000, immutable``). A
page that still names an older digest gets today's file, revalidated as usual (it is not
the content that name promised); the plain name keeps working the same way.

**Pages, fragments, CSV and JSON files and calendars** carry an ``ETag`` (a digest of the
body) and answer ``304 Not Modified`` when the browser's copy is current: the page is
still built, but not sent again. They are ``private, no-cache`` unless the view said
otherwise (the open API is public for a minute, personal CSV files ``no-store``): a
page may hold a form's token or a signed-in person's name, so only the browser keeps it,
and it asks each time. Flask-Compress runs after this and keeps the 304s working for
compressed answers (it appends ``:gzip`` to the ETag and compares that).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.security import safe_join

YEAR = 365 * 24 * 60 * 60
DIGEST_LENGTH = 12
DIGESTED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.\w+)$")
REVALIDATED_TYPES = {"text/html", "text/csv", "application/json", "text/calendar"}

_digests: dict[str, tuple[float, str]] = {}  # path: (modified, digest), per process


def digest_of(path: str) -> str | None:
    """The first characters of the file's SHA-256 (read again only when it changes)."""
    try:
        modified = Path(path).stat().st_mtime
    except OSError:
        return None
    kept = _digests.get(path)
    if kept is None or kept[0] != modified:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:DIGEST_LENGTH]
        kept = _digests[path] = (modified, digest)
    return kept[1]


def digested_name(filename: str) -> str:
    """``css/app.css`` → ``css/app.<digest>.css``; a file that is not there, or has no
    suffix, keeps its name."""
    name = PurePosixPath(filename)
    path = safe_join(current_app.static_folder, filename)
    digest = digest_of(path) if path and name.suffix else None
    if digest is None:
        return filename
    return str(name.with_name(f"{name.stem}.{digest}{name.suffix}"))


def _add_digest(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = digested_name(values["filename"])


def _static_file(filename: str) -> str | None:
    """The path of the static file so named, if there is one."""
    path = safe_join(current_app.static_folder, filename)
    return path if path and Path(path).is_file() else None


def send_static(filename: str) -> Response:
    """A static file by its plain or its digested name."""
    found = DIGESTED_NAME.match(filename)
    if found is None or _static_file(filename):
        return send_from_directory(current_app.static_folder, filename)
    plain = found["stem"] + found["suffix"]
    response = send_from_directory(current_app.static_folder, plain)
    if digest_of(_static_file(plain)) == found["digest"]:
        response.cache_control.no_cache = False
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    return response


def answer_unchanged(response: Response) -> Response:
    """ETag, the cache rule and a 304 for a page or file the browser already holds."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or response.mimetype not in REVALIDATED_TYPES
    ):
        return response
    if "Cache-Control" not in response.headers:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    if response.cache_control.no_store:
        return response
    if response.get_etag()[0] is None:
        response.add_etag()
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    app.view_functions["static"] = send_static
    app.url_defaults(_add_digest)
    app.after_request(answer_unchanged)
