"""Helpers for test-client tests: CSRF tokens from real pages, logging in."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, page_url: str, data: dict, action: str | None = None, **kwargs):
    token = csrf_token(client, page_url)
    return client.post(action or page_url, data={"csrf_token": token, **data}, **kwargs)


def log_in(client, email: str, password: str = PASSWORD, lang: str = "en"):
    """Log in through the form; with two-step sign-in on, type the app's code too."""
    url = f"/{lang}/account/login"
    response = post_form(client, url, {"email": email, "password": password})
    second_step = response.headers.get("Location", "")
    if "/account/login/code" in second_step:
        response = post_form(client, second_step, {"code": next_totp_code(email)})
    return response


def next_totp_code(email: str) -> str:
    """A code the authenticator app would show now that the account has not used yet (a
    code works once; the step before and after now are accepted too)."""
    import time

    import pyotp

    from matchmaker.accounts.services import find_by_email
    from matchmaker.extensions import db

    user = find_by_email(email)
    db.session.refresh(user)
    totp = pyotp.TOTP(user.totp_secret)
    moment = time.time()
    now = totp.timecode(moment)
    # The step before now only while the half-minute has seconds left: had it turned
    # before the server checks the code, that code would be two steps old (this failed a
    # login now and then in CI).
    oldest = now - 1 if moment % totp.interval < totp.interval - 5 else now
    step = max(oldest, (user.totp_last_step or 0) + 1)
    assert step <= now + 1, "no unused code left in this half-minute"
    return totp.generate_otp(step)


def translated(lang: str, message: str, **variables) -> str:
    """`message` as the catalogue translates it into `lang`; fails when the catalogue lacks it.

    A translation may equal the English ("Region" is "Region" in Danish too); what must
    hold is that the catalogue has one.
    """
    from flask_babel import force_locale, get_translations, gettext

    with force_locale(lang):
        if lang != "en":
            catalog = get_translations()._catalog
            assert catalog.get(message), f"{message!r} is not translated into {lang}"
        return gettext(message, **variables)
