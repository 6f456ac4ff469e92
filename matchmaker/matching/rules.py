"""Loading and checking ``rules.toml``: the matcher's weights, tables and lists.

The file is documented for an operator; this module turns it into immutable objects and
refuses anything it does not understand, naming the file and the key, so that a typo
fails at start-up instead of quietly switching a rule off.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matchmaker.matching.profiles import (
    ITEM_TYPES,
    ROLE_VOCABULARIES,
    STAGE_ROLE,
    TAG_ROLES,
    normalise_language,
    organisation_kinds,
)
from matchmaker.taxonomy import load_taxonomy

DEFAULT_PATH = Path(__file__).parent / "rules.toml"


class ListKind(StrEnum):
    """The match lists the platform shows."""

    PROJECT_PARTNERS = "project_partners"
    PROJECT_INVESTORS = "project_investors"
    PROJECT_CLUSTERS = "project_clusters"
    ORGANISATION_PARTNERS = "organisation_partners"
    ORGANISATION_INVESTORS = "organisation_investors"
    ORGANISATION_CLUSTERS = "organisation_clusters"
    INVESTOR_PROJECTS = "investor_projects"


# Rule ids usable in a list's weights; engine.RULES implements exactly these.
RULE_IDS = (
    "offers_needed",
    "needs_offered",
    "shared_categories",
    "shared_specialisations",
    "shared_focus_areas",
    "seeks_kind",
    "seeks_investment",
    "complementary_kinds",
    "investor_stage",
    "investor_ticket",
    "geography",
    "shared_language",
)
# Rules that can speak against a match, and so may have a penalty.
PENALISING_RULES = ("shared_language", "investor_stage", "investor_ticket", "seeks_investment")
# Purposes of complementary kinds: translation keys of the presentation layer.
PURPOSES = (
    "pilot",
    "investment",
    "technology_transfer",
    "clinical_research",
    "procurement",
    "user_involvement",
    "cluster_support",
)
GEOGRAPHY_RELATIONS = ("same_region", "covers_region", "same_country", "cross_border_wanted")
ANY_KIND = "*"


class RulesError(ValueError):
    """The rules file is malformed; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ListRules:
    """One match list: who it is for, whom it ranks, what it compares, how it weighs."""

    kind: ListKind
    subject_type: str
    subject_kinds: frozenset[str] | None
    candidate_type: str
    candidate_kinds: frozenset[str] | None
    require_shared_tag: bool
    match_tags: tuple[tuple[str, str], ...]
    weights: Mapping[str, float]

    @property
    def total_weight(self) -> float:
        return math.fsum(self.weights.values())


@dataclass(frozen=True, slots=True)
class KindPair:
    """A row of the complementary-kinds table (symmetric; "*" matches any kind)."""

    purpose: str
    one: frozenset[str]
    other: frozenset[str]
    strength: float

    def matches(self, a: str, b: str) -> bool:
        def has(kinds: frozenset[str], kind: str) -> bool:
            return ANY_KIND in kinds or kind in kinds

        return (has(self.one, a) and has(self.other, b)) or (
            has(self.one, b) and has(self.other, a)
        )


@dataclass(frozen=True, slots=True)
class Rules:
    """The whole of ``rules.toml``, checked."""

    min_score: int
    max_document_share: float
    common_tag_min_entries: int
    min_selection_tags: int
    penalties: Mapping[str, float]
    geography: Mapping[str, float]
    cross_border_signals: Mapping[str, frozenset[str]]
    ticket_fits: float
    ticket_overlaps: float
    # A ticket this share (of the nearer end) or less away from the funding sought takes
    # a proportional part of the penalty, not all of it.
    ticket_near_miss: float
    # The share of the investor_stage penalty for a stage next to a preferred one.
    stage_adjacent: float
    # Groups of languages readable one from another, and the shared_language strength of
    # a pair working in two languages of one group.
    readable_groups: tuple[frozenset[str], ...]
    readable_language: float
    # A language that bridges, the languages whose speakers commonly read it for work,
    # and the shared_language strength of a pair it bridges (one side works in it, the
    # other in one of those languages, nothing else shared or readable).
    bridge_language: str | None
    bridge_readers: frozenset[str]
    bridged_language: float
    # What a need or an offer read from a text counts for, against one the owner chose.
    text_weight: float
    # Points off a candidate like one the organisation dismissed, saying why (too far,
    # the wrong field or stage): engine.Demotions.
    like_dismissed: float
    seeks_kinds: Mapping[str, frozenset[str]]
    complementary_kinds: tuple[KindPair, ...]
    lists: Mapping[ListKind, ListRules]
    # (subject kind, candidate kind) -> the strongest complementary_kinds row joining them
    # (the first in the file among equals); derived, so ranking needs one lookup per pair.
    strongest_pairs: Mapping[tuple[str, str], KindPair]


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and check a rules file; the shipped one (``path=None``) is read once and cached."""
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> Rules:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Rules:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise RulesError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: invalid TOML: {exc}") from exc
    return parse_rules(raw, source=str(path))


def parse_rules(raw: Mapping[str, Any], source: str = "<rules>") -> Rules:
    """Check already-parsed TOML and build Rules (``source`` only names it in errors)."""
    return _Parser(source).rules(raw)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        taxonomy = load_taxonomy()
        self.kinds = organisation_kinds()
        self.vocabularies = {
            name: frozenset(tag.code for tag in taxonomy.tags if tag.vocabulary == name)
            for name in set(ROLE_VOCABULARIES.values())
        }

    def error(self, where: str, message: str) -> RulesError:
        return RulesError(f"{self.source}: [{where}] {message}")

    def table(
        self, raw: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.error(where, "must be a table")
        unknown = sorted(set(raw) - set(required) - set(optional))
        if unknown:
            allowed = ", ".join((*required, *optional))
            raise self.error(where, f"unknown keys {unknown} (allowed: {allowed})")
        missing = [key for key in required if key not in raw]
        if missing:
            raise self.error(where, f"missing keys {missing}")
        return raw

    def number(self, value: Any, where: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(where, f"{value!r} is not a number")
        if not low <= value <= high:
            raise self.error(where, f"{value!r} is outside {low}..{high}")
        return float(value)

    def whole(self, value: Any, where: str, low: int, high: float = math.inf) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(where, f"{value!r} is not a whole number")
        self.number(value, where, low, high)
        return value

    def codes(self, value: Any, where: str, allowed: frozenset[str], what: str) -> frozenset[str]:
        if not isinstance(value, list) or not value:
            raise self.error(where, f"must be a non-empty list of {what}")
        unknown = sorted(str(code) for code in value if code not in allowed)
        if unknown:
            raise self.error(where, f"unknown {what} {unknown}")
        return frozenset(value)

    def kind_list(self, value: Any, where: str, wildcard: bool = False) -> frozenset[str]:
        allowed = self.kinds | {ANY_KIND} if wildcard else self.kinds
        return self.codes(value, where, allowed, "organisation kinds")

    def rules(self, raw: Mapping[str, Any]) -> Rules:
        top = self.table(
            raw,
            "top level",
            (
                "scoring",
                "selection",
                "penalties",
                "geography",
                "investor_ticket",
                "investor_stage",
                "languages",
                "text",
                "dismissals",
                "seeks_kinds",
                "complementary_kinds",
                "lists",
            ),
        )
        scoring = self.table(top["scoring"], "scoring", ("min_score",))
        selection = self.table(
            top["selection"],
            "selection",
            ("max_document_share", "common_tag_min_entries", "min_selection_tags"),
        )

        penalties = self.table(top["penalties"], "penalties", (), PENALISING_RULES)
        ticket = self.table(
            top["investor_ticket"], "investor_ticket", ("fits", "overlaps", "near_miss")
        )
        stage = self.table(top["investor_stage"], "investor_stage", ("adjacent",))
        languages = self.table(
            top["languages"],
            "languages",
            ("readable_groups", "readable", "bridge", "bridge_readers", "bridged"),
        )
        text = self.table(top["text"], "text", ("weight",))
        dismissals = self.table(top["dismissals"], "dismissals", ("like_dismissed",))
        geography, signals = self.geography(top["geography"])
        pairs = self.complementary_kinds(top["complementary_kinds"])
        return Rules(
            min_score=self.whole(scoring["min_score"], "scoring.min_score", 0, 100),
            max_document_share=self.number(
                selection["max_document_share"], "selection.max_document_share", 0, 1
            ),
            common_tag_min_entries=self.whole(
                selection["common_tag_min_entries"], "selection.common_tag_min_entries", 0
            ),
            min_selection_tags=self.whole(
                selection["min_selection_tags"], "selection.min_selection_tags", 0
            ),
            penalties=MappingProxyType(
                {
                    rule: self.number(points, f"penalties.{rule}", 0, 100)
                    for rule, points in penalties.items()
                }
            ),
            geography=geography,
            cross_border_signals=signals,
            ticket_fits=self.number(ticket["fits"], "investor_ticket.fits", 0, 1),
            ticket_overlaps=self.number(ticket["overlaps"], "investor_ticket.overlaps", 0, 1),
            ticket_near_miss=self.number(ticket["near_miss"], "investor_ticket.near_miss", 0, 10),
            stage_adjacent=self.number(stage["adjacent"], "investor_stage.adjacent", 0, 1),
            readable_groups=self.readable_groups(languages["readable_groups"]),
            readable_language=self.number(languages["readable"], "languages.readable", 0, 1),
            bridge_language=self.language(languages["bridge"], "languages.bridge"),
            bridge_readers=self.languages(languages["bridge_readers"], "languages.bridge_readers"),
            bridged_language=self.number(languages["bridged"], "languages.bridged", 0, 1),
            text_weight=self.number(text["weight"], "text.weight", 0, 1),
            like_dismissed=self.number(
                dismissals["like_dismissed"], "dismissals.like_dismissed", 0, 100
            ),
            seeks_kinds=self.seeks_kinds(top["seeks_kinds"]),
            complementary_kinds=pairs,
            lists=self.lists(top["lists"]),
            strongest_pairs=self.strongest_pairs(pairs),
        )

    def strongest_pairs(self, pairs: tuple[KindPair, ...]) -> Mapping[tuple[str, str], KindPair]:
        strongest = {}
        for a in sorted(self.kinds):
            for b in sorted(self.kinds):
                rows = [row for row in pairs if row.matches(a, b) and row.strength > 0]
                if rows:
                    strongest[(a, b)] = max(rows, key=lambda row: row.strength)
        return MappingProxyType(strongest)

    def geography(self, raw: Any) -> tuple[Mapping[str, float], Mapping[str, frozenset[str]]]:
        table = self.table(raw, "geography", (*GEOGRAPHY_RELATIONS, "cross_border_signals"))
        strengths = {
            name: self.number(table[name], f"geography.{name}", 0, 1)
            for name in GEOGRAPHY_RELATIONS
        }
        where = "geography.cross_border_signals"
        raw_signals = self.table(table["cross_border_signals"], where, (), TAG_ROLES)
        signals = {
            role: self.codes(
                codes,
                f"{where}.{role}",
                self.vocabularies[ROLE_VOCABULARIES[role]],
                f"{ROLE_VOCABULARIES[role]} tags",
            )
            for role, codes in raw_signals.items()
        }
        return MappingProxyType(strengths), MappingProxyType(signals)

    def language(self, raw: Any, where: str) -> str | None:
        """A language code, or "" for none."""
        if raw == "":
            return None
        codes = self.languages([raw], where)
        return next(iter(codes))

    def languages(self, raw: Any, where: str) -> frozenset[str]:
        if not isinstance(raw, list):
            raise self.error(where, "must be a list of language codes")
        codes = {normalise_language(str(code)) for code in raw}
        if any(len(code) not in (2, 3) or not code.isalpha() for code in codes):
            raise self.error(where, f"{raw!r} are not language codes")
        return frozenset(codes)

    def readable_groups(self, raw: Any) -> tuple[frozenset[str], ...]:
        where = "languages.readable_groups"
        if not isinstance(raw, list):
            raise self.error(where, "must be a list of lists of language codes")
        groups = []
        for n, group in enumerate(raw):
            if not isinstance(group, list) or len(group) < 2:
                raise self.error(f"{where}[{n}]", "must list two languages or more")
            codes = self.languages(group, f"{where}[{n}]")
            if any(codes & other for other in groups):
                raise self.error(f"{where}[{n}]", "a language is in two groups")
            groups.append(codes)
        return tuple(groups)

    def seeks_kinds(self, raw: Any) -> Mapping[str, frozenset[str]]:
        table = self.table(raw, "seeks_kinds", (), tuple(sorted(self.vocabularies["seeks"])))
        return MappingProxyType(
            {seeks: self.kind_list(kinds, f"seeks_kinds.{seeks}") for seeks, kinds in table.items()}
        )

    def complementary_kinds(self, raw: Any) -> tuple[KindPair, ...]:
        if not isinstance(raw, list):
            raise self.error("complementary_kinds", "must be an array of tables [[...]]")
        pairs = []
        for index, entry in enumerate(raw, start=1):
            where = f"complementary_kinds #{index}"
            row = self.table(entry, where, ("purpose", "one", "other", "strength"))
            if row["purpose"] not in PURPOSES:
                raise self.error(
                    where, f"unknown purpose {row['purpose']!r} (known: {', '.join(PURPOSES)})"
                )
            pairs.append(
                KindPair(
                    purpose=row["purpose"],
                    one=self.kind_list(row["one"], f"{where}.one", wildcard=True),
                    other=self.kind_list(row["other"], f"{where}.other", wildcard=True),
                    strength=self.number(row["strength"], f"{where}.strength", 0, 1),
                )
            )
        return tuple(pairs)

    def lists(self, raw: Any) -> Mapping[ListKind, ListRules]:
        names = tuple(kind.value for kind in ListKind)
        table = self.table(raw, "lists", names)
        return MappingProxyType(
            {ListKind(name): self.list_rules(ListKind(name), table[name]) for name in names}
        )

    def list_rules(self, kind: ListKind, raw: Any) -> ListRules:
        where = f"lists.{kind}"
        table = self.table(
            raw,
            where,
            ("subject_type", "candidate_type", "require_shared_tag", "match_tags", "weights"),
            ("subject_kinds", "candidate_kinds"),
        )
        for key in ("subject_type", "candidate_type"):
            if table[key] not in ITEM_TYPES:
                raise self.error(where, f"{key} {table[key]!r} is not one of {ITEM_TYPES}")
        if not isinstance(table["require_shared_tag"], bool):
            raise self.error(where, "require_shared_tag must be true or false")
        raw_weights = self.table(table["weights"], f"{where}.weights", (), RULE_IDS)
        weights = {
            rule: self.number(points, f"{where}.weights.{rule}", 0, 1000)
            for rule, points in raw_weights.items()
        }
        if not any(weights.values()):
            raise self.error(f"{where}.weights", "a list needs at least one rule with points")
        return ListRules(
            kind=kind,
            subject_type=table["subject_type"],
            subject_kinds=(
                self.kind_list(table["subject_kinds"], f"{where}.subject_kinds")
                if "subject_kinds" in table
                else None
            ),
            candidate_type=table["candidate_type"],
            candidate_kinds=(
                self.kind_list(table["candidate_kinds"], f"{where}.candidate_kinds")
                if "candidate_kinds" in table
                else None
            ),
            require_shared_tag=table["require_shared_tag"],
            match_tags=self.match_tags(
                table["match_tags"],
                f"{where}.match_tags",
                table["subject_type"],
                table["candidate_type"],
            ),
            weights=MappingProxyType(weights),
        )

    def match_tags(
        self, raw: Any, where: str, subject_type: str, candidate_type: str
    ) -> tuple[tuple[str, str], ...]:
        if not isinstance(raw, list) or not raw:
            raise self.error(where, "must be a non-empty list of [subject role, candidate role]")
        pairs = []
        for pair in raw:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.error(where, f"{pair!r} is not a [subject role, candidate role] pair")
            subject_role, candidate_role = pair
            subject_roles = (*TAG_ROLES, STAGE_ROLE) if subject_type == "project" else TAG_ROLES
            if subject_role not in subject_roles:
                raise self.error(where, f"unknown subject role {subject_role!r}")
            candidate_roles = (*TAG_ROLES, STAGE_ROLE) if candidate_type == "project" else TAG_ROLES
            if candidate_role not in candidate_roles:
                raise self.error(where, f"unknown candidate role {candidate_role!r}")
            pairs.append((subject_role, candidate_role))
        return tuple(pairs)
