"""Template helpers that show data in the reader's language."""

from __future__ import annotations

import html
from datetime import date
from functools import cache

import nh3
from babel import Locale
from flask import Flask, request, url_for
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup

from matchmaker import geo
from matchmaker.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    current_language,
    normalise_language,
    text_language,
)
from matchmaker.taxonomy.queries import tag_label as _tag_label

FIELD_LABELS = {
    "name": _l("Name"),
    "kind": _l("Kind of organisation"),
    "country": _l("Country"),
    "region": _l("Region"),
    "city": _l("City"),
    "website": _l("Website"),
    "year_founded": _l("Year founded"),
    "size_band": _l("Number of employees"),
    "working_languages": _l("Languages you work in"),
    "original_language": _l("Original language"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "ticket_min_eur": _l("Smallest ticket (EUR)"),
    "ticket_max_eur": _l("Largest ticket (EUR)"),
    "members": _l("Members by type"),
    "cluster_labels": _l("Labels and awards"),
    "regions_covered": _l("Regions covered"),
    "logo_filename": _l("Logo"),
    "description": _l("Description"),
    "capabilities_detail": _l("What they offer, in their own words"),
    "needs_detail": _l("What they need, in their own words"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "stage": _l("Stage"),
    "funding_min_eur": _l("Funding sought from (EUR)"),
    "funding_max_eur": _l("Funding sought up to (EUR)"),
    "start_date": _l("Start date"),
    "links": _l("Links"),
    "organisation_id": _l("Organisation"),
    "capability": _l("Offers"),
    "need": _l("Needs"),
    "category": _l("Innovation categories"),
    "specialisation": _l("Medical specialisations"),
    "focus_area": _l("Focus areas"),
    "preferred_stage": _l("Stages they invest in"),
    "seeks": _l("Looking for"),
}
DECISION_LABELS = {
    "approved": _l("Approved"),
    "returned": _l("Returned for changes"),
    "rejected": _l("Rejected"),
    "unpublished": _l("Taken off the register"),
}
ORIGINAL_NOTE = {
    "pl": _l("Original in Polish"),
    "en": _l("Original in English"),
    "da": _l("Original in Danish"),
    "nb": _l("Original in Norwegian"),
}
SHOWN_IN = {
    "pl": _l("Shown in Polish"),
    "en": _l("Shown in English"),
    "da": _l("Shown in Danish"),
    "nb": _l("Shown in Norwegian"),
}
NOT_WRITTEN_IN = {
    "pl": _l("Not written in Polish"),
    "en": _l("Not written in English"),
    "da": _l("Not written in Danish"),
    "nb": _l("Not written in Norwegian"),
}
# A small Markdown subset for descriptions; anything else is shown as text.
ALLOWED_TAGS = {"p", "strong", "em", "ul", "ol", "li", "br", "a"}


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
        ["emphasis", "list", "link", "newline"]
    )


def markdown(text: str | None) -> Markup:
    """Render the Markdown subset and sanitise it: user HTML never reaches the page."""
    if not text:
        return Markup("")
    html = _markdown().render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)  # noqa: S704  # nosec B704  # sanitised by nh3 just above (tag, attribute and URL-scheme allowlists)


def excerpt(text: str | None, length: int = 220) -> str:
    """Plain text of a Markdown description, cut at a word, for cards and lists."""
    if not text:
        return ""
    plain = " ".join(nh3.clean(_markdown().render(text), tags=set()).split())
    plain = html.unescape(plain)
    if len(plain) <= length:
        return plain
    return plain[:length].rsplit(" ", 1)[0] + "…"


def pick_text(
    texts: dict[str, dict], original: str, chosen: str | None = None
) -> tuple[str, dict, bool]:
    """The texts of an item a reader gets, by `i18n.text_language`, as (language, texts,
    is_fallback). `chosen` is a language the reader picked on the page (`?text=`), taken
    only if the item is written in it. A fallback is a language the reader neither reads
    the site in nor chose: the page says so."""
    reader = current_language()
    chosen = normalise_language(chosen)
    lang = text_language(texts, reader, original, chosen)
    if lang is None:
        return original, {}, True
    return lang, texts[lang], lang not in (reader, chosen)


def written_languages(texts: dict[str, dict]) -> list[str]:
    """The languages an item is written in, in the order of the language switcher."""
    return [lang for lang in LANGUAGES if lang in texts]


def text_note(lang: str, original: str) -> str:
    """What a text shown in another language than the reader's is: the original, or not."""
    notes = ORIGINAL_NOTE if lang == original else SHOWN_IN
    return str(notes.get(lang, LANGUAGE_NAMES.get(lang, lang)))


def not_written_note(lang: str) -> str:
    return str(NOT_WRITTEN_IN.get(lang, LANGUAGE_NAMES.get(lang, lang)))


def money(amount: int | float) -> str:
    """An amount in euros, whole, in the request's locale (Flask-Babel takes no locale)."""
    return format_currency(amount, "EUR", format="¤#,##0", currency_digits=False)


def money_range(low: int | None, high: int | None) -> str:
    eur = money
    if low is not None and high is not None:
        return f"{eur(low)}–{eur(high)}"  # noqa: RUF001 (a range takes an en dash)
    if low is not None:
        return str(_l("from %(amount)s", amount=eur(low)))
    if high is not None:
        return str(_l("up to %(amount)s", amount=eur(high)))
    return ""


def country_name(code: str | None) -> str:
    return geo.country_name(code, current_language()) if code else ""


def region_name(code: str | None) -> str:
    """The region's name; an unknown code as itself."""
    return (geo.region_name(code, current_language()) or code) if code else ""


def tag_label(code: str) -> str:
    return _tag_label(code, current_language())


def language_label(code: str) -> str:
    """A language's name in the reader's language (its own name as a fallback)."""
    try:
        name = Locale.parse(current_language()).languages.get(code)
    except (ValueError, TypeError):
        name = None
    return name or LANGUAGE_NAMES.get(code, code)


def url_with(**changes) -> str:
    """The current page's URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["fromisoformat"] = date.fromisoformat
    app.jinja_env.globals.update(
        country_name=country_name,
        region_name=region_name,
        tag_label=tag_label,
        field_label=lambda name: FIELD_LABELS.get(name, name),
        decision_label=lambda name: DECISION_LABELS.get(name, name),
        text_note=text_note,
        not_written_note=not_written_note,
        written_languages=written_languages,
        language_name=lambda code: LANGUAGE_NAMES.get(code, code),
        language_label=language_label,
        markdown=markdown,
        excerpt=excerpt,
        pick_text=pick_text,
        money_range=money_range,
        url_with=url_with,
    )
