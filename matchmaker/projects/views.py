"""Members manage their organisation's projects."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("projects", __name__)


@bp.route("/<int:project_id>")
@login_required
def manage(project_id: int):
    abort(404)
