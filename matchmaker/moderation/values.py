"""Stored values as the moderator reads them: as the public page shows them, in the
moderator's language.

A snapshot keeps codes (``hospital``, ``DK-84``, ``["en", "da"]``, an organisation's id,
``1000000``); this is the one place that turns a field's value into what a reader sees,
built on the helpers in :mod:`matchmaker.display`. A value becomes a list of parts (a
list field gives one part per item), each plain text, optionally a link or a picture, so
the template escapes every part and never needs to know what a field holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matchmaker.display import country_name, language_label, money, region_name, tag_label
from matchmaker.extensions import db
from matchmaker.i18n import date_text
from matchmaker.organisations.models import ORG_TAG_ROLES, Organisation
from matchmaker.projects.models import PROJECT_TAG_ROLES
from matchmaker.register.queries import public_snapshot


@dataclass(frozen=True)
class Part:
    """One piece of a shown value: text, and a link (`href`) or a picture (`image`)."""

    text: str
    href: str | None = None
    image: str | None = None


# organisations.models.CLUSTER_MEMBER_TYPES in their order, named as on the profile form.
MEMBER_TYPE_LABELS = {
    "sme": _l("SMEs"),
    "startup": _l("Start-ups"),
    "large": _l("Large companies"),
    "research": _l("Research organisations"),
    "other": _l("Other members"),
}

# As on the public page, only web addresses become links.
LINK_SCHEMES = ("http://", "https://")
TAG_FIELDS = frozenset({"kind", "stage", *ORG_TAG_ROLES, *PROJECT_TAG_ROLES})


def _text(value: Any) -> list[Part]:
    return [Part(str(value))]


def _each(show: Callable[[Any], str]) -> Callable[[Any], list[Part]]:
    """A rule for a field holding one code or a list of them."""

    def rule(value: Any) -> list[Part]:
        values = value if isinstance(value, (list, tuple)) else [value]
        return [Part(show(v)) for v in values]

    return rule


def _link(value: Any) -> list[Part]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [Part(str(v), href=str(v) if str(v).startswith(LINK_SCHEMES) else None) for v in values]


def _date(value: Any) -> list[Part]:
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return [Part(date_text(day))]


def _coordinate(value: Any) -> list[Part]:
    return [Part(format_decimal(value, format="0.0#####"))]


def _members(value: Any) -> list[Part]:
    """Members by type, in the form's order."""
    order = list(MEMBER_TYPE_LABELS)
    names = sorted(value, key=lambda name: order.index(name) if name in order else len(order))
    return [
        Part(
            _(
                "%(member_type)s: %(count)s",
                member_type=MEMBER_TYPE_LABELS.get(name, name),
                count=format_decimal(value[name]),
            )
        )
        for name in names
    ]


def _organisation(value: Any) -> list[Part]:
    """The organisation's name, linked: its public page once approved, else its review."""
    organisation = db.session.get(Organisation, value)
    if organisation is None:
        return _text(value)
    if public_snapshot("organisation", organisation.id) is not None:
        href = url_for("register.organisation", organisation_id=organisation.id)
    else:
        href = url_for("moderation.review", item_type="organisation", item_id=organisation.id)
    return [Part(organisation.name, href=href)]


def _logo(name: str, organisation_id: int | None) -> list[Part]:
    """The logo itself (moderators may see one under review), as the public page shows it."""
    if organisation_id is None:
        return _text(name)
    src = url_for("logos.logo", organisation_id=organisation_id, name=name)
    return [Part(_("Logo"), image=src)]


RULES: dict[str, Callable[[Any], list[Part]]] = {
    "country": _each(country_name),
    "region": _each(region_name),
    "regions_covered": _each(region_name),
    "original_language": _each(language_label),
    "working_languages": _each(language_label),
    "ticket_min_eur": _each(money),
    "ticket_max_eur": _each(money),
    "funding_min_eur": _each(money),
    "funding_max_eur": _each(money),
    "start_date": _date,
    "latitude": _coordinate,
    "longitude": _coordinate,
    "members": _members,
    "website": _link,
    "links": _link,
    "organisation_id": _organisation,
    **{name: _each(tag_label) for name in TAG_FIELDS},
}


def parts(field: str, value: Any, organisation_id: int | None = None) -> list[Part]:
    """`value` of `field` as the public page shows it; nothing for an empty value.

    `organisation_id` is the organisation whose logo a `logo_filename` names."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if isinstance(value, bool):
        return [Part(_("Yes") if value else _("No"))]
    if field == "logo_filename":
        return _logo(value, organisation_id)
    rule = RULES.get(field)
    if rule is not None:
        return rule(value)
    if isinstance(value, (list, tuple)):
        return [Part(str(v)) for v in value]
    return _text(value)


def present(changes: list[dict], organisation_id: int | None = None) -> list[dict]:
    """The differences of :func:`changes.differences`, each with the parts to show: `before`
    and `after`, or for tags the `removed` and `added` labels."""
    shown = []
    for change in changes:
        field = change["field"]
        if change.get("tags"):
            row = {
                **change,
                "removed": [Part(tag_label(code)) for code in change["removed"]],
                "added": [Part(tag_label(code)) for code in change["added"]],
            }
        else:
            row = {
                **change,
                "before": parts(field, change["old"], organisation_id),
                "after": parts(field, change["new"], organisation_id),
            }
        shown.append(row)
    return shown
