"""The welcome page: the four steps, where the member stands, what each needs."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user, login_required

from matchmaker.onboarding import steps
from matchmaker.onboarding.services import review_time, situation_of
from matchmaker.web import redirect_to, render

bp = Blueprint("onboarding", __name__)


@bp.route("/welcome")
@login_required
def welcome():
    situation = situation_of(current_user)
    progress = steps.progress(situation)
    return render(
        "onboarding/welcome.html",
        situation=situation,
        steps=progress,
        current=steps.current(progress),
        review=review_time(),
    )


@bp.route("/welcome/start")
@login_required
def start():
    """Where a first sign-in lands: a member's steps while any is left, else the home page
    (moderators and administrators have no organisation to set up)."""
    if current_user.role == "member" and steps.left(steps.progress(situation_of(current_user))):
        return redirect_to(url_for("onboarding.welcome"))
    return redirect_to(url_for("core.home"))
