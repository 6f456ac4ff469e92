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
    url = f"/{lang}/account/login"
    return post_form(client, url, {"email": email, "password": password})


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
