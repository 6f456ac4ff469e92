"""The matching engine: profiles in, ranked matches with reasons out.

Pure Python: no Flask, no database. The service that loads candidates from the register
calls, for one subject and one list kind:

1. ``selection_tags(subject, kind, stats)`` -> the (role, tag code) pairs to look up in
   ``register_entry_tag`` when the list has ``require_shared_tag`` (candidates of the
   list's type and kinds carrying at least one of them), otherwise every candidate of
   the list's ``candidate_type`` / ``candidate_kinds`` (see ``list_rules(kind)``);
2. ``rank(subject, candidates, kind, context, limit=20, offset=0)`` -> one page of
   Match(key, score, reasons), or ``score_candidates`` for the whole sorted list.

``rank`` applies the same selection to whatever it is given, so passing every published
profile (a full scan) gives exactly the list the index lookup gives.

Each rule below is a small function of (subject, candidate, rules, stats) returning a
Hit (a strength in [-1, 1] with the reason code and arguments that explain it) or None
when it does not apply. How strengths become a 0-100 score, and every number involved,
is in ``rules.toml``; the reason codes and their arguments are listed in ``reasons``.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from matchmaker.matching.profiles import ITEM_TYPES, ItemKey, Profile, TagRef
from matchmaker.matching.reasons import ArgValue, Reason
from matchmaker.matching.rules import ListKind, ListRules, Rules, load_rules
from matchmaker.taxonomy import load_taxonomy

__all__ = [
    "RULES",
    "Hit",
    "ListFilter",
    "Match",
    "MatchContext",
    "MatchingError",
    "TagStats",
    "Verdict",
    "explain",
    "list_rules",
    "rank",
    "relevant_tags",
    "score_candidates",
    "score_pair",
    "selection_tags",
]


class MatchingError(ValueError):
    """The engine was asked for a list that does not exist for this subject."""


class TagStats:
    """How many published register entries carry each tag code, out of how many entries.

    ``frequency[code]`` counts distinct entries (organisations and projects) carrying the
    code in any role; ``total`` counts all published entries. An empty TagStats weighs
    every tag the same. A code missing from ``frequency`` counts as carried by none.
    """

    __slots__ = ("_frequency", "_idf", "total")

    def __init__(self, total: int = 0, frequency: Mapping[str, int] | None = None) -> None:
        frequency = dict(frequency or {})
        if total < 0:
            raise ValueError("total must not be negative")
        for code, count in frequency.items():
            if not 0 <= count <= total:
                raise ValueError(f"frequency of {code!r} ({count}) is outside 0..{total}")
        self.total = total
        self._frequency = frequency
        self._idf: dict[str, float] = {}

    def frequency(self, code: str) -> int:
        return self._frequency.get(code, 0)

    def share(self, code: str) -> float:
        """Share of all entries carrying the tag (0 when nothing is published)."""
        return self.frequency(code) / self.total if self.total else 0.0

    def idf(self, code: str) -> float:
        """Smoothed inverse document frequency: about 1 for a tag everyone has, more when rare."""
        value = self._idf.get(code)
        if value is None:
            value = math.log((self.total + 1) / (self.frequency(code) + 1)) + 1
            self._idf[code] = value
        return value

    def weight(self, codes: Iterable[str]) -> float:
        """Summed idf of the codes (fsum: the same whatever the iteration order)."""
        return math.fsum(self.idf(code) for code in codes)

    def by_rarity(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Codes rarest first, then alphabetically."""
        return tuple(sorted(codes, key=lambda code: (-self.idf(code), code)))


@dataclass(frozen=True, slots=True)
class ListFilter:
    """What the reader narrowed a list to; a field left empty narrows nothing.

    - ``org_kind``, ``country``: the candidate's (a project's: its owner's kind);
    - ``stage``, ``seeks``: a project candidate's stage, and one of the things it seeks;
    - ``language``: among the candidate's working languages;
    - ``needs_my_offer``: the candidate needs (chosen or read from its texts) something
      the subject offers (likewise);
    - ``among``: only these candidates (e.g. those published since a member's last
      visit); an empty set admits none.
    """

    org_kind: str | None = None
    country: str | None = None
    stage: str | None = None
    seeks: str | None = None
    language: str | None = None
    needs_my_offer: bool = False
    among: frozenset[ItemKey] | None = None

    def __bool__(self) -> bool:
        return self.among is not None or any(getattr(self, name) for name in self.__slots__)

    def admits(self, subject: Profile, candidate: Profile) -> bool:
        return (
            (self.org_kind is None or candidate.org_kind == self.org_kind)
            and (self.country is None or candidate.country == self.country)
            and (self.stage is None or candidate.stage == self.stage)
            and (self.seeks is None or self.seeks in candidate.tag_codes("seeks"))
            and (self.language is None or self.language in candidate.languages)
            and (not self.needs_my_offer or bool(needs(candidate) & offers(subject)))
            and (self.among is None or candidate.key in self.among)
        )


@dataclass(frozen=True, slots=True)
class Demotions:
    """Candidates like those the subject's organisation dismissed with a reason, lowered
    by ``[dismissals].like_dismissed`` points: "too_far" those in these countries (not
    the subject's own), "wrong_field" those in these categories, "wrong_stage" projects
    at these stages. Built by the service from the dismissals (categories the subject
    has itself are left out there)."""

    countries: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.countries or self.categories or self.stages)

    def why(self, subject: Profile, candidate: Profile) -> tuple[str, ...]:
        """The dismissal reasons this candidate shares with a dismissed one, in order."""
        found = []
        if candidate.country in self.countries and candidate.country != subject.country:
            found.append("too_far")
        if candidate.tag_codes("category") & self.categories:
            found.append("wrong_field")
        if candidate.stage is not None and candidate.stage in self.stages:
            found.append("wrong_stage")
        return tuple(found)


def needs(profile: Profile) -> frozenset[str]:
    """What a profile needs: chosen, or read from its texts."""
    return profile.tag_codes("need") | profile.tag_codes("need_text")


def offers(profile: Profile) -> frozenset[str]:
    """What a profile offers: chosen, or read from its texts."""
    return profile.tag_codes("capability") | profile.tag_codes("capability_text")


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What the engine needs besides the two profiles, for one subject's list.

    - ``stats``: tag frequencies of the published register (for idf and selection);
    - ``declined_organisations``: organisations that declined the subject's organisation
      or were declined by it (a declined contact request in either direction);
    - ``dismissed``: items the subject's organisation dismissed as "not relevant".
    """

    stats: TagStats = field(default_factory=TagStats)
    declined_organisations: frozenset[int] = frozenset()
    dismissed: frozenset[ItemKey] = frozenset()
    # Equal scores in an order of this number's own (one per viewer and day, see
    # ``tie_order``); 0: by item key.
    tie_salt: int = 0
    narrowed: ListFilter = field(default_factory=ListFilter)
    demoted: Demotions = field(default_factory=Demotions)


_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def _mix64(x: int) -> int:
    """SplitMix64's finaliser: every bit of x moves about half of the result's bits."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def tie_order(key: ItemKey, salt: int) -> int:
    """Where an item goes among equal scores: a 32-bit number from the item and the salt,
    so that ties are shuffled the same way all day for one viewer and differently for
    the next (fair to everyone registered, not always the earliest first); 0 when there
    is no salt. ``vector`` computes the same with numpy."""
    if not salt:
        return 0
    type_index = ITEM_TYPES.index(key.item_type)
    return _mix64((key.item_id * 2 + type_index + salt * _GOLDEN) & _MASK64) >> 32


def order_of(salt: int) -> Callable[[Match], tuple]:
    """The order of a list: score descending, then ``tie_order``, then the item key."""
    return lambda match: (-match.score, tie_order(match.key, salt), match.key)


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked candidate: its key, a 0-100 score and the reasons, strongest first."""

    key: ItemKey
    score: int
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, e.g. for a cache of top matches."""
        return {
            "key": list(self.key),
            "score": self.score,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Match:
        return cls(
            key=ItemKey(*data["key"]),
            score=data["score"],
            reasons=tuple(Reason.from_dict(reason) for reason in data["reasons"]),
        )


class Hit(NamedTuple):
    """A rule's verdict: strength in [-1, 1] (negative speaks against) and its reason.

    The reason's code and arguments are kept apart until the match is scored (a Reason
    also carries its points), which keeps scoring thousands of candidates cheap.
    """

    strength: float
    code: str
    args: dict[str, ArgValue]

    @property
    def reason(self) -> Reason:
        return Reason(self.code, self.args)


Rule = Callable[[Profile, Profile, Rules, TagStats], Hit | None]

# The taxonomy's "seeks" code of a project looking for investors.
INVESTMENT = "investment"


# --- rules ------------------------------------------------------------------------------


def _overlap(a: frozenset[str], b: frozenset[str], stats: TagStats) -> float:
    """idf-weighted overlap of two tag sets, relative to the smaller one (1 when one holds
    the other), so a project in one category is not penalised against a broad investor."""
    return stats.weight(a & b) / min(stats.weight(a), stats.weight(b)) if a and b else 0.0


def offers_needed(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """The candidate's capabilities cover the subject's needs (rarer needs count more),
    those read from the texts at a lower weight (see `_covered`)."""
    return _covered(subject, candidate, "offers_needed", rules, stats)


def needs_offered(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """The subject's capabilities cover the candidate's needs (as offers_needed)."""
    return _covered(candidate, subject, "needs_offered", rules, stats)


def _covered(
    needing: Profile, offering: Profile, code: str, rules: Rules, stats: TagStats
) -> Hit | None:
    """How far `offering` covers the needs of `needing`, idf-weighted. A need or an offer
    read from the texts (roles need_text, capability_text) counts for [text].weight of
    one the owner chose, in the share covered and in the whole alike; the reason names
    the chosen tags met and, apart, those the texts brought in."""
    wanted, wanted_text = needing.tag_codes("need"), needing.tag_codes("need_text")
    offered, offered_text = offering.tag_codes("capability"), offering.tag_codes("capability_text")
    by_tags = wanted & offered
    text_offers = (wanted & offered_text) - offered  # chosen needs, offered in a text
    text_needs = wanted_text & (offered | offered_text)  # needs read from a text
    if not (by_tags or text_offers or text_needs):
        return None
    share = rules.text_weight
    whole = stats.weight(wanted) + share * stats.weight(wanted_text)
    met = stats.weight(by_tags) + share * (stats.weight(text_offers) + stats.weight(text_needs))
    args = {
        "tags": stats.by_rarity(by_tags),
        "text_tags": stats.by_rarity(text_offers | text_needs),
    }
    return Hit(met / whole, code, args)


def _shared_role(
    code: str, role: str, subject: Profile, candidate: Profile, stats: TagStats
) -> Hit | None:
    ours, theirs = subject.tag_codes(role), candidate.tag_codes(role)
    shared = ours & theirs
    if not shared:
        return None
    return Hit(_overlap(ours, theirs, stats), code, {"tags": stats.by_rarity(shared)})


def shared_categories(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    return _shared_role("shared_categories", "category", subject, candidate, stats)


def shared_specialisations(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    return _shared_role("shared_specialisations", "specialisation", subject, candidate, stats)


def shared_focus_areas(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    return _shared_role("shared_focus_areas", "focus_area", subject, candidate, stats)


def seeks_kind(subject: Profile, candidate: Profile, rules: Rules, stats: TagStats) -> Hit | None:
    """A project seeks what an organisation of the other side's kind provides."""
    for project, other, seeker in (
        (subject, candidate, "subject"),
        (candidate, subject, "candidate"),
    ):
        if not project.is_project or other.is_project:
            continue
        wanted = sorted(
            seeks
            for seeks in project.tag_codes("seeks")
            if other.org_kind in rules.seeks_kinds.get(seeks, ())
        )
        if wanted:
            args = {"seeks": tuple(wanted), "kind": other.org_kind, "seeker": seeker}
            return Hit(1.0, "seeks_kind", args)
    return None


def seeks_investment(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """Between a project and an investor: the project seeks investment; a project that
    says what it seeks, and investment is not among it, speaks against."""
    pair = _project_and_investor(subject, candidate)
    if pair is None:
        return None
    seeks = pair[0].tag_codes("seeks")
    if not seeks:
        return None
    if INVESTMENT in seeks:
        return Hit(1.0, "seeks_investment", {})
    return Hit(-1.0, "seeks_no_investment", {"seeks": tuple(sorted(seeks))})


def complementary_kinds(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """The strongest row of the complementary-kinds table that joins the two kinds."""
    best = rules.strongest_pairs.get((subject.org_kind, candidate.org_kind))
    if best is None:
        return None
    args = {
        "purpose": best.purpose,
        "subject_kind": subject.org_kind,
        "candidate_kind": candidate.org_kind,
    }
    return Hit(best.strength, "complementary_kinds", args)


def _project_and_investor(subject: Profile, candidate: Profile) -> tuple[Profile, Profile] | None:
    if subject.is_project and not candidate.is_project:
        return subject, candidate
    if candidate.is_project and not subject.is_project:
        return candidate, subject
    return None


@functools.cache
def _stage_positions() -> dict[str, int]:
    return {tag.code: tag.position for tag in load_taxonomy().by_vocabulary("stage")}


def investor_stage(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """The project's stage is (or is not) among the investor's preferred stages."""
    pair = _project_and_investor(subject, candidate)
    if pair is None:
        return None
    project, investor = pair
    preferred = investor.tag_codes("preferred_stage")
    if not project.stage or not preferred:
        return None
    if project.stage in preferred:
        return Hit(1.0, "investor_stage", {"stage": project.stage})
    positions = _stage_positions()
    ordered = tuple(
        sorted(preferred, key=lambda stage: (positions.get(stage, len(positions)), stage))
    )
    args = {"stage": project.stage, "preferred_stages": ordered}
    return Hit(-_stage_penalty_share(project.stage, preferred, rules), "stage_not_preferred", args)


def _stage_penalty_share(stage: str, preferred: Iterable[str], rules: Rules) -> float:
    """The share of the stage penalty: small for a stage next to a preferred one."""
    positions = _stage_positions()
    if stage in positions and any(
        abs(positions.get(p, -9) - positions[stage]) == 1 for p in preferred
    ):
        return rules.stage_adjacent
    return 1.0


def investor_ticket(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """The investor's ticket range against the funding the project seeks.

    A funding range with one end missing is read as that single amount; a ticket range
    with one end missing is open on that side.
    """
    pair = _project_and_investor(subject, candidate)
    if pair is None:
        return None
    project, investor = pair
    funding, ticket = project.funding, investor.ticket
    if funding is None or ticket is None:
        return None
    stated = [amount for amount in (funding.low, funding.high) if amount is not None]
    sought_low, sought_high = min(stated), max(stated)
    ticket_low = ticket.low if ticket.low is not None else 0
    ticket_high = ticket.high if ticket.high is not None else math.inf
    args = {
        "funding_min": funding.low,
        "funding_max": funding.high,
        "ticket_min": ticket.low,
        "ticket_max": ticket.high,
    }
    if ticket_low <= sought_low and sought_high <= ticket_high:
        return Hit(rules.ticket_fits, "ticket_fits", args)
    if sought_low <= ticket_high and ticket_low <= sought_high:
        return Hit(rules.ticket_overlaps, "ticket_overlaps", args)
    if ticket_high < sought_low:
        return Hit(-_miss(sought_low - ticket_high, sought_low, rules), "ticket_too_small", args)
    return Hit(-_miss(ticket_low - sought_high, sought_high, rules), "ticket_too_large", args)


def _miss(gap: float, nearer_end: float, rules: Rules) -> float:
    """The share of the ticket penalty for a ticket `gap` euros from the funding sought,
    whose nearer end is `nearer_end`: in proportion up to [investor_ticket].near_miss."""
    if nearer_end <= 0 or rules.ticket_near_miss <= 0:
        return 1.0
    return min(1.0, gap / nearer_end / rules.ticket_near_miss)


def _wants_cross_border(profile: Profile, rules: Rules) -> bool:
    return any(
        profile.tag_codes(role) & codes for role, codes in rules.cross_border_signals.items()
    )


def geography(subject: Profile, candidate: Profile, rules: Rules, stats: TagStats) -> Hit | None:
    """The strongest geographic relation of the two (see [geography] in rules.toml)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if subject.region and subject.region == candidate.region:
        found.append(("same_region", {"region": subject.region}))
    if subject.region and subject.region in candidate.regions_covered:
        found.append(("covers_region", {"region": subject.region, "covered_by": "candidate"}))
    elif candidate.region and candidate.region in subject.regions_covered:
        found.append(("covers_region", {"region": candidate.region, "covered_by": "subject"}))
    if subject.country == candidate.country:
        found.append(("same_country", {"country": subject.country}))
    else:
        for side, profile in (("candidate", candidate), ("subject", subject)):
            if _wants_cross_border(profile, rules):
                found.append(
                    ("cross_border_wanted", {"wanted_by": side, "country": candidate.country})
                )
                break
    strongest = max(found, key=lambda relation: rules.geography[relation[0]], default=None)
    if strongest is None or rules.geography[strongest[0]] == 0:
        return None
    code, args = strongest
    return Hit(rules.geography[code], code, args)


def shared_language(
    subject: Profile, candidate: Profile, rules: Rules, stats: TagStats
) -> Hit | None:
    """At least one working language in common; else languages readable one from the
    other (Danish and Norwegian) count for less, and a bridge (English, with a side whose
    language's speakers commonly read it) for less again; none of these speaks against."""
    if not subject.languages or not candidate.languages:
        return None
    shared = subject.languages & candidate.languages
    if shared:
        return Hit(1.0, "shared_language", {"languages": tuple(sorted(shared))})
    for group in rules.readable_groups:
        ours, theirs = subject.languages & group, candidate.languages & group
        if ours and theirs:
            args = {"subject_languages": tuple(sorted(ours)),
                    "candidate_languages": tuple(sorted(theirs))}  # fmt: skip
            return Hit(rules.readable_language, "readable_language", args)
    if _bridged(subject.languages, candidate.languages, rules):
        args = {"bridge": rules.bridge_language,
                "subject_languages": tuple(sorted(subject.languages)),
                "candidate_languages": tuple(sorted(candidate.languages))}  # fmt: skip
        return Hit(rules.bridged_language, "bridge_language", args)
    args = {
        "subject_languages": tuple(sorted(subject.languages)),
        "candidate_languages": tuple(sorted(candidate.languages)),
    }
    return Hit(-1.0, "no_shared_language", args)


def _bridged(ours: frozenset[str], theirs: frozenset[str], rules: Rules) -> bool:
    """One side works in the bridge language, the other in a language whose speakers
    commonly read it for work (rules.toml [languages])."""
    bridge, readers = rules.bridge_language, rules.bridge_readers
    if bridge is None:
        return False
    return (bridge in ours and bool(theirs & readers)) or (
        bridge in theirs and bool(ours & readers)
    )


# Rule id (as used in rules.toml) -> function.
RULES: Mapping[str, Rule] = {
    "offers_needed": offers_needed,
    "needs_offered": needs_offered,
    "shared_categories": shared_categories,
    "shared_specialisations": shared_specialisations,
    "shared_focus_areas": shared_focus_areas,
    "seeks_kind": seeks_kind,
    "seeks_investment": seeks_investment,
    "complementary_kinds": complementary_kinds,
    "investor_stage": investor_stage,
    "investor_ticket": investor_ticket,
    "geography": geography,
    "shared_language": shared_language,
}


# --- candidate selection --------------------------------------------------------------


def list_rules(kind: ListKind | str, rules: Rules | None = None) -> ListRules:
    """The definition of one list: subject and candidate types and kinds, tags, weights."""
    rules = rules or load_rules()
    try:
        return rules.lists[ListKind(kind)]
    except ValueError as exc:
        raise MatchingError(f"unknown list kind {kind!r}") from exc


def relevant_tags(
    subject: Profile, kind: ListKind | str, rules: Rules | None = None
) -> frozenset[TagRef]:
    """The subject's tags this list compares, in the role a candidate would carry them.

    E.g. for a project's partners, a need "telemedicine_platform" gives
    TagRef("capability", "telemedicine_platform").
    """
    spec = list_rules(kind, rules)
    return frozenset(
        TagRef(candidate_role, code)
        for subject_role, candidate_role in spec.match_tags
        for code in subject.tag_codes(subject_role)
    )


def selection_tags(
    subject: Profile, kind: ListKind | str, stats: TagStats, rules: Rules | None = None
) -> frozenset[TagRef]:
    """The relevant tags used to select candidates: all but the common ones, topped up
    with the rarest common ones to ``[selection].min_selection_tags`` (see rules.toml).

    Common tags are left out only here, to keep the index lookup short; they still count
    when a selected candidate is scored.
    """
    rules = rules or load_rules()
    ordered = sorted(
        relevant_tags(subject, kind, rules),
        key=lambda tag: (stats.frequency(tag.code), tag.code, tag.role),
    )
    chosen = [tag for tag in ordered if not _is_common(tag.code, stats, rules)]
    for tag in ordered:
        if len(chosen) >= rules.min_selection_tags:
            break
        if tag not in chosen:
            chosen.append(tag)
    return frozenset(chosen)


def _is_common(code: str, stats: TagStats, rules: Rules) -> bool:
    frequency = stats.frequency(code)
    return frequency > rules.common_tag_min_entries and stats.share(code) > rules.max_document_share


def _carries_any(candidate: Profile, tags: frozenset[TagRef]) -> bool:
    return any(tag.code in candidate.tag_codes(tag.role) for tag in tags)


def _is_candidate(spec: ListRules, candidate: Profile) -> bool:
    return candidate.key.item_type == spec.candidate_type and (
        spec.candidate_kinds is None or candidate.org_kind in spec.candidate_kinds
    )


class Verdict(NamedTuple):
    """Why a candidate is or is not on a subject's list (``explain``): a code, and the
    candidate's match when it was scored (then ``match.reasons`` say the rest).

    Codes: "listed"; "own_organisation"; "other_list" (not of the list's type or kinds);
    "declined" (a contact request was declined between them); "dismissed" (hidden as
    not relevant); "filtered" (the reader's filters leave it out); "nothing_shared"
    (none of the tags this list selects by); "below_minimum" (scored under min_score).
    """

    code: str
    match: Match | None = None


def explain(
    subject: Profile,
    candidate: Profile,
    kind: ListKind | str,
    context: MatchContext | None = None,
    rules: Rules | None = None,
) -> Verdict:
    """The first rule, in the order the list applies them, that keeps `candidate` off
    the subject's list, or "listed" with its match."""
    rules = rules or load_rules()
    context = context or MatchContext()
    spec = list_rules(kind, rules)
    _check_subject(subject, spec)
    selection = _selection(subject, spec, context, rules)
    left_out = _left_out(subject, candidate, spec, context, selection)
    if left_out in (None, "nothing_shared"):
        match = _score(subject, candidate, spec, rules, context.stats, context.demoted)
        if left_out is None and match.score < rules.min_score:
            left_out = "below_minimum"
        return Verdict(left_out or "listed", match)
    return Verdict(left_out)


def _selection(
    subject: Profile, spec: ListRules, context: MatchContext, rules: Rules
) -> frozenset[TagRef] | None:
    """The tags a candidate must carry one of (None: the list scores every candidate)."""
    if not spec.require_shared_tag:
        return None
    return selection_tags(subject, spec.kind, context.stats, rules)


def _left_out(
    subject: Profile,
    candidate: Profile,
    spec: ListRules,
    context: MatchContext,
    selection: frozenset[TagRef] | None,
) -> str | None:
    """The first rule, in the list's order, that keeps the candidate off the list before
    it is scored (a Verdict code), or None."""
    if candidate.organisation_id == subject.organisation_id:
        return "own_organisation"
    if not _is_candidate(spec, candidate):
        return "other_list"
    if candidate.organisation_id in context.declined_organisations:
        return "declined"
    if candidate.key in context.dismissed:
        return "dismissed"
    if context.narrowed and not context.narrowed.admits(subject, candidate):
        return "filtered"
    if selection is not None and not _carries_any(candidate, selection):
        return "nothing_shared"
    return None


# --- scoring and ranking --------------------------------------------------------------


def _round(value: float) -> int:
    """Half up, not to even: 49.5 shows as 50."""
    return math.floor(value + 0.5)


def score_pair(
    subject: Profile,
    candidate: Profile,
    kind: ListKind | str,
    stats: TagStats | None = None,
    rules: Rules | None = None,
) -> Match:
    """Score one candidate for one list, without selection or exclusions."""
    rules = rules or load_rules()
    return _score(subject, candidate, list_rules(kind, rules), rules, stats or TagStats())


def _score(
    subject: Profile,
    candidate: Profile,
    spec: ListRules,
    rules: Rules,
    stats: TagStats,
    demoted: Demotions | None = None,
) -> Match:
    total_weight = spec.total_weight
    reasons = []
    for rule_id, weight in spec.weights.items():
        hit = RULES[rule_id](subject, candidate, rules, stats)
        if hit is None:
            continue
        if hit.strength >= 0:
            points = 100 * weight * hit.strength / total_weight
        else:
            points = rules.penalties.get(rule_id, 0.0) * hit.strength
        if points:
            reasons.append(Reason(hit.code, hit.args, points))
    like = demoted.why(subject, candidate) if demoted else ()
    if like and rules.like_dismissed:
        reasons.append(Reason("like_dismissed", {"why": like}, -rules.like_dismissed))
    reasons.sort(key=lambda reason: (reason.is_negative, -abs(reason.points), reason.code))
    score = min(100, max(0, _round(math.fsum(reason.points for reason in reasons))))
    return Match(candidate.key, score, tuple(reasons))


def _check_subject(subject: Profile, spec: ListRules) -> None:
    if subject.key.item_type != spec.subject_type or (
        spec.subject_kinds is not None and subject.org_kind not in spec.subject_kinds
    ):
        raise MatchingError(f"{subject.key} ({subject.org_kind}) has no {spec.kind} list")


def _matches(
    subject: Profile,
    candidates: Iterable[Profile],
    kind: ListKind | str,
    context: MatchContext,
    rules: Rules | None,
) -> list[Match]:
    rules = rules or load_rules()
    spec = list_rules(kind, rules)
    _check_subject(subject, spec)
    selection = _selection(subject, spec, context, rules)
    matches = []
    seen: set[ItemKey] = set()
    for candidate in candidates:
        if candidate.key in seen:
            raise ValueError(f"candidate {candidate.key} given twice")
        seen.add(candidate.key)
        if _left_out(subject, candidate, spec, context, selection) is not None:
            continue
        match = _score(subject, candidate, spec, rules, context.stats, context.demoted)
        if match.score >= rules.min_score:
            matches.append(match)
    return matches


def score_candidates(
    subject: Profile,
    candidates: Iterable[Profile],
    kind: ListKind | str,
    context: MatchContext | None = None,
    rules: Rules | None = None,
) -> list[Match]:
    """Every eligible candidate, best first (score descending, then ``tie_order``, then
    item key).

    Candidates of the wrong type or kind for the list, of the subject's own organisation,
    of declined organisations, dismissed ones and (when the list requires it) those
    carrying none of the selection tags are left out, as are scores under min_score.
    Raises MatchingError if the subject has no such list (e.g. investor_projects for a
    hospital) and ValueError if a candidate is given twice.
    """
    context = context or MatchContext()
    matches = _matches(subject, candidates, kind, context, rules)
    return sorted(matches, key=order_of(context.tie_salt))


def rank(
    subject: Profile,
    candidates: Iterable[Profile],
    kind: ListKind | str,
    context: MatchContext | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    rules: Rules | None = None,
) -> list[Match]:
    """One page of ``score_candidates``: ``limit`` matches after the first ``offset``."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    context = context or MatchContext()
    matches = _matches(subject, candidates, kind, context, rules)
    top = heapq.nsmallest(offset + limit, matches, key=order_of(context.tie_salt))
    return top[offset:]
