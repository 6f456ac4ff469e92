"""Logos, served from outside the static folder to those who may see them."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from matchmaker.organisations import logos, services

bp = Blueprint("logos", __name__)

# An approved logo never changes under its name; a day bounds how long one taken off
# the register stays in caches.
PUBLIC_MAX_AGE = 24 * 3600
# A logo is a picture, never a page: opened on its own it may load, run or frame nothing.
MEDIA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


@bp.route("/<int:organisation_id>/<name>")
def logo(organisation_id: int, name: str):
    found = services.logo_file(organisation_id, name, current_user)
    if found is None:
        abort(404)
    path, public = found
    response = send_file(
        path,
        mimetype=logos.CONTENT_TYPE,
        conditional=True,
        max_age=PUBLIC_MAX_AGE if public else None,
        # One fixed name: the stored one means nothing to whoever saves the picture.
        download_name="logo.webp",
    )
    response.headers["Content-Security-Policy"] = MEDIA_POLICY
    if not public:
        # A logo under review: for this member's or moderator's browser only, checked each time.
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response
