"""The open data page (/<lang>/open-data) and the files themselves (/open-data/<name>)."""

from __future__ import annotations

from babel.units import format_unit
from flask import Blueprint, abort, current_app, redirect, send_file, url_for
from flask_babel import get_locale

from matchmaker.i18n import preferred_language
from matchmaker.open_data import files
from matchmaker.web import render

bp = Blueprint("open_data", __name__)
files_bp = Blueprint("open_data_files", __name__)

# Browsers and proxies may keep a file this long; the worker rebuilds them each night.
MAX_AGE = 3600


@bp.route("/open-data")
def index():
    built = files.built_files()
    return render(
        "open_data/index.html",
        data_files=[f for f in built if f.language],
        readme=next((f for f in built if not f.language), None),
        licence=current_app.config["OPEN_DATA_LICENCE"],
        licence_url=current_app.config["OPEN_DATA_LICENCE_URL"],
        file_size=file_size,
    )


@files_bp.route("/")
def home():
    return redirect(url_for("open_data.index", lang=preferred_language()))


@files_bp.route("/<name>")
def download(name: str):
    """Only the names a build writes are served, so no other path can be asked for."""
    path = files.path_of(name)
    if path is None:
        abort(404)
    return send_file(path, max_age=MAX_AGE, conditional=True, etag=True)


def file_size(size: int) -> str:
    """ "12 kB", "3.4 MB" in the page's number format."""
    unit, value = (
        ("digital-megabyte", size / 1e6) if size >= 1e6 else ("digital-kilobyte", size / 1e3)
    )
    return format_unit(round(value, 1), unit, "short", locale=get_locale())
