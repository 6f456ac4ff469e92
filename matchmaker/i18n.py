"""Languages, locale selection, language-prefixed URLs, and which language of a user
text a reader gets."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo

import flask_babel
from babel import Locale
from babel.dates import format_date, format_time
from flask import Flask, current_app, request, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user
from markupsafe import Markup
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
# The locale whose date, time and number patterns a language is shown with, where it is
# not the language's own. Our English readers are in Europe: en-GB ("7 December 2026",
# 24-hour times), while the words still come from the "en" catalogue (gettext finds
# translations/en for en_GB).
FORMAT_LOCALES = {"en": "en_GB"}
# One style of date on every page and in every message, in each language's own words:
# "7 December 2026", "7 grudnia 2026", "7. december 2026" (with the weekday where the day
# matters, events.times.when), and times as "14:30". Not the numeric short style
# (07/12/2026 reads as July in America), not the abbreviated medium one, never ISO.
DATE_STYLE = "long"
TIME_STYLE = "short"
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


def language_of(person) -> str:
    """The language a person reads their e-mails and notifications in: the one they chose
    (a served code, as `normalise_language` reads it), else the default."""
    return normalise_language(getattr(person, "locale", None)) or DEFAULT_LANGUAGE


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


def formatting_locale(lang: str) -> str:
    """The Babel locale for a language we serve: what every date, time, number and list is
    formatted with (the page's through the locale selector, an e-mail's through
    `in_language`, and wherever a language is passed to Babel)."""
    return FORMAT_LOCALES.get(lang, lang)


def select_locale() -> str:
    return formatting_locale(page_language() or preferred_language())


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Render in another language than the page's (an e-mail in its recipient's)."""
    with force_locale(formatting_locale(lang)):
        yield


def _locale_and_zone(lang: str | None, zone: tzinfo | None) -> tuple[Locale, tzinfo]:
    """The page's locale and time zone; or, for a message in `lang`, that language's."""
    if lang is None:
        return get_locale(), zone or flask_babel.get_timezone()
    return Locale.parse(formatting_locale(lang)), zone or zoneinfo.ZoneInfo(TIMEZONES[lang])


def _in_zone(value: datetime, zone: tzinfo) -> datetime:
    """Naive datetimes are UTC (as SQLite returns them)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)


def date_text(value: date, lang: str | None = None, zone: tzinfo | None = None) -> str:
    """A day in the one date style: "7 December 2026". A datetime is first moved to `zone`
    (by default the page's time zone, or that of `lang`)."""
    locale, zone = _locale_and_zone(lang, zone)
    if isinstance(value, datetime):
        value = _in_zone(value, zone)
    return format_date(value, DATE_STYLE, locale=locale)


def time_text(value: datetime, lang: str | None = None, zone: tzinfo | None = None) -> str:
    """A time of day: "14:30", "14.30"."""
    locale, zone = _locale_and_zone(lang, zone)
    return format_time(_in_zone(value, zone), TIME_STYLE, locale=locale)


def moment_text(value: datetime, lang: str | None = None, zone: tzinfo | None = None) -> str:
    """A day and a time, joined as the language joins them: "7 December 2026, 14:30",
    "7 grudnia 2026 14:30"."""
    locale, zone = _locale_and_zone(lang, zone)
    local = _in_zone(value, zone)
    day = format_date(local, DATE_STYLE, locale=locale)
    clock = format_time(local, TIME_STYLE, locale=locale)
    pattern = str(locale.datetime_formats[DATE_STYLE]).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", clock)


def _machine_time(value: date) -> str:
    """The `datetime` attribute of a <time>: the day, or the instant in UTC."""
    if isinstance(value, datetime):
        return _in_zone(value, UTC).strftime("%Y-%m-%dT%H:%MZ")
    return value.isoformat()


def date_tag(value: date) -> Markup:
    """For templates: the day in the page's style, machine-readable in a <time>."""
    return Markup('<time datetime="{}">{}</time>').format(_machine_time(value), date_text(value))


def moment_tag(value: datetime) -> Markup:
    """For templates: the day and time in the page's style, machine-readable in a <time>."""
    return Markup('<time datetime="{}">{}</time>').format(_machine_time(value), moment_text(value))


def select_timezone() -> str:
    return TIMEZONES.get(current_language(), "Europe/Brussels")


def current_language() -> str:
    """The served language of this request ("en", not the formatting locale "en_GB")."""
    return normalise_language(str(get_locale())) or DEFAULT_LANGUAGE


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
        # Dates and numbers always in the page's locale and time zone; dates in one style
        # (DATE_STYLE): date_tag and moment_tag, or date_text and moment_text in a sentence.
        date_tag=date_tag,
        moment_tag=moment_tag,
        date_text=date_text,
        moment_text=moment_text,
        format_date=flask_babel.format_date,
        format_datetime=flask_babel.format_datetime,
        format_time=flask_babel.format_time,
        format_decimal=flask_babel.format_decimal,
        format_currency=flask_babel.format_currency,
        format_percent=flask_babel.format_percent,
    )
