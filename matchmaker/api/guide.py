"""The page that explains the open API to people, in the four languages."""

from __future__ import annotations

from flask import Blueprint

from matchmaker.i18n import current_language
from matchmaker.web import render

bp = Blueprint("api_guide", __name__)


@bp.route("/api")
def guide():
    return render("api/guide.html", example_lang=current_language())
