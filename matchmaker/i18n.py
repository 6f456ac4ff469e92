"""Languages, locale selection, language-prefixed URLs, and which language of a user
text a reader gets."""

from __future__ import annotations

from collections.abc import Iterable

import flask_babel
from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BaseConverter

LANGUAGES = ("pl", "en", "da", "nb")
DEFAULT_LANGUAGE = "en"
# Each language named in itself, for the switcher.
LANGUAGE_NAMES = {"pl": "Polski", "en": "English", "da": "Dansk", "nb": "Norsk bokmål"}
# Codes that browsers and people use for a language we serve under another code.
ALIASES = {"no": "nb", "nn": "nb", "nb": "nb"}
TIMEZONES = {
    "pl": "Europe/Warsaw",
    "en": "Europe/Brussels",
    "da": "Europe/Copenhagen",
    "nb": "Europe/Oslo",
}
LANG_COOKIE = "lang"
# The language most of our readers read when a text is not written in theirs.
TEXT_FALLBACK_LANGUAGE = "en"


class LanguageConverter(BaseConverter):
    """Matches only the languages we serve, so `/xx/...` is a 404."""

    regex = "(?:pl|en|da|nb)"


class LanguageAliasConverter(BaseConverter):
    """Codes we redirect to a served language: `/no/...` and `/nn/...` go to `/nb/...`."""

    regex = "(?:no|nn)"


def normalise_language(code: str | None) -> str | None:
    """Map a language tag such as 'nb-NO' or 'no' to one we serve, or None."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-")[0].strip().lower()
    primary = ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def preferred_language() -> str:
    """The language for a request without a prefix: saved choice, cookie, browser."""
    if current_user and current_user.is_authenticated:
        saved = normalise_language(current_user.locale)
        if saved:
            return saved
    cookie = normalise_language(request.cookies.get(LANG_COOKIE))
    if cookie:
        return cookie
    for value, _quality in request.accept_languages:
        lang = normalise_language(value)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def text_language(
    written: Iterable[str], reader: str, original: str | None, chosen: str | None = None
) -> str | None:
    """The language to show a user text in, of those it is `written` in: the one the
    reader `chosen` on the page, else the reader's, else English (a Danish reader reads
    an English text sooner than the Polish original), else the original, else the first
    written in the order of LANGUAGES; None when nothing is written."""
    written = set(written)
    for lang in (chosen, reader, TEXT_FALLBACK_LANGUAGE, original):
        if lang and lang in written:
            return lang
    ordered = [lang for lang in LANGUAGES if lang in written] + sorted(written - set(LANGUAGES))
    return ordered[0] if ordered else None


def set_page_language(lang: str) -> None:
    request.page_language = lang


def page_language() -> str | None:
    """The language named by the URL prefix of this request, if any."""
    return getattr(request, "page_language", None) if request else None


def language_from_path(path: str) -> str | None:
    """The served language a path starts with (`/pl/...`), for pages no route matched."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def select_locale() -> str:
    return page_language() or preferred_language()


def select_timezone() -> str:
    return TIMEZONES.get(str(get_locale()), "Europe/Brussels")


def current_language() -> str:
    return str(get_locale())


def switch_language_url(lang: str) -> str:
    """The current page in another language (the front page when there is none)."""
    endpoint = request.endpoint
    if (
        endpoint
        and request.method == "GET"
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    ):
        view_args = {**(request.view_args or {}), "lang": lang}
        return url_for(endpoint, **view_args, **request.args.to_dict(flat=False))
    return url_for("core.home", lang=lang)


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter
    app.url_map.converters["lang_alias"] = LanguageAliasConverter

    @app.url_value_preprocessor
    def _pull_lang(endpoint, values):
        if values and "lang" in values:
            set_page_language(values.pop("lang"))

    @app.url_defaults
    def _add_lang(endpoint, values):
        if "lang" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = page_language() or current_language()

    @app.after_request
    def _remember_lang(response):
        lang = page_language()
        if lang and request.cookies.get(LANG_COOKIE) != lang:
            response.set_cookie(
                LANG_COOKIE,
                lang,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure,
            )
        return response

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        switch_language_url=switch_language_url,
        current_language=current_language,
        # Dates and numbers always in the page's locale and time zone.
        format_date=flask_babel.format_date,
        format_datetime=flask_babel.format_datetime,
        format_time=flask_babel.format_time,
        format_decimal=flask_babel.format_decimal,
        format_currency=flask_babel.format_currency,
        format_percent=flask_babel.format_percent,
    )
