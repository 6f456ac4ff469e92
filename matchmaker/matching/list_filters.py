"""The filters above a match list: which a list offers, their choices, and the reader's
choice read from the query string into an `engine.ListFilter`.

A list of organisations narrows by country and working language, a partner list also
by kind and (when the subject offers something) to those who need it; a list of
projects by stage, what they seek, country and language. A value the list does not
offer (a forged or outdated link) narrows nothing: the list shows unfiltered, with the
filter on "any".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from matchmaker import geo
from matchmaker.i18n import current_language
from matchmaker.matching import engine, present
from matchmaker.matching.profiles import Profile
from matchmaker.matching.rules import ListKind
from matchmaker.taxonomy import load_taxonomy
from matchmaker.taxonomy.queries import tag_label

PARTNER_LISTS = (ListKind.PROJECT_PARTNERS, ListKind.ORGANISATION_PARTNERS)
# Query-string name -> the ListFilter field it sets.
FIELDS = {
    "kind": "org_kind",
    "stage": "stage",
    "seeks": "seeks",
    "country": "country",
    "language": "language",
}
NEEDS_MY_OFFER = "needs"


@dataclass(frozen=True)
class Choice:
    name: str  # the query-string name
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label), in the order shown
    chosen: str = ""


@dataclass(frozen=True)
class Filters:
    """What a list offers and what the reader chose."""

    choices: tuple[Choice, ...]
    needs_my_offer: bool | None  # None: not offered on this list
    narrowed: engine.ListFilter

    def query(self) -> dict[str, str]:
        """The chosen filters as query-string arguments (for pages and forms)."""
        args = {c.name: c.chosen for c in self.choices if c.chosen}
        if self.needs_my_offer:
            args[NEEDS_MY_OFFER] = "1"
        return args


def filters_of(
    kind: ListKind, subject: Profile, args: Mapping[str, str], countries, languages
) -> Filters:
    """The list's filters with the reader's choice from `args`; `countries` and
    `languages` are the codes found in the register."""
    offered = _options(kind, countries, languages)
    choices = tuple(
        Choice(name, str(label), options, _chosen(args.get(name, ""), options))
        for name, label, options in offered
    )
    offers_needs = kind in PARTNER_LISTS and bool(engine.offers(subject))
    needs_my_offer = (args.get(NEEDS_MY_OFFER) == "1") if offers_needs else None
    narrowed = engine.ListFilter(
        **{FIELDS[c.name]: c.chosen for c in choices if c.chosen},
        needs_my_offer=bool(needs_my_offer),
    )
    return Filters(choices, needs_my_offer, narrowed)


def _chosen(value: str, options: tuple[tuple[str, str], ...]) -> str:
    return value if any(value == option for option, _label in options) else ""


def _options(kind: ListKind, countries, languages) -> list[tuple]:
    spec = engine.list_rules(kind)
    lang = current_language()
    found = []
    if spec.candidate_type == "project":
        found.append(("stage", _l("Stage"), _tags("stage", lang)))
        found.append(("seeks", _l("Seeks"), _tags("seeks", lang)))
    elif kind in PARTNER_LISTS:
        kinds = [
            option
            for option in _tags("org_kind", lang)
            if spec.candidate_kinds is None or option[0] in spec.candidate_kinds
        ]
        found.append(("kind", _l("Kind"), tuple(kinds)))
    places = sorted(((code, geo.country_name(code, lang)) for code in countries),
                    key=lambda pair: pair[1])  # fmt: skip
    found.append(("country", _l("Country"), tuple(places)))
    spoken = sorted(((code, present.language_name(code)) for code in languages),
                    key=lambda pair: pair[1])  # fmt: skip
    found.append(("language", _l("Working language"), tuple(spoken)))
    return found


def _tags(vocabulary: str, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (t.code, tag_label(t.code, lang)) for t in load_taxonomy().by_vocabulary(vocabulary)
    )
