"""The matcher over the whole register at once: every rule of ``engine`` as array arithmetic.

``engine`` scores one pair at a time and is the reference: it says what a score is and
why. Scoring a list that way costs about 100 µs per candidate, and a project's partner
list at 100,000 organisations has thousands of candidates. This module holds the
published register as columns (NumPy arrays, one row per entry, tags as bit sets per
role) and evaluates each rule for all candidates of a list in one pass, so a list costs a
few milliseconds. Only the page shown goes back through ``engine`` (for its reasons).

The arithmetic is the engine's, rule by rule (the functions below carry the rule ids of
``rules.toml``); ``tests/unit/test_matching_vector.py`` checks that both give the same
lists, scores and order. Sums of floats may differ from the engine's ``math.fsum`` in
the last bits, which can only matter when a raw score lies on a rounding boundary
(x.5): such candidates are scored again by the engine, so the ranking is exact.

Pure: no Flask and no database. The service reads the register into a ``Records`` and
calls ``MatchIndex.build``; it keeps one index per process until the register changes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matchmaker.matching import engine
from matchmaker.matching.engine import Match, MatchContext, TagStats
from matchmaker.matching.profiles import (
    ITEM_TYPES,
    ROLE_VOCABULARIES,
    STAGE_ROLE,
    TAG_ROLES,
    AmountRange,
    ItemKey,
    Profile,
    normalise_language,
)
from matchmaker.matching.rules import ListKind, ListRules, Rules, load_rules

# A raw score this close to a rounding boundary (x.5) is checked again (see rank).
ROUNDING_MARGIN = 1e-7
# Profiles built for pages shown are kept; past this many the cache starts again.
PROFILE_CACHE_SIZE = 20_000


def tag_bits(vocabularies: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Each code's bit in its role's bit set: its place in its vocabulary's sequence."""
    bits = {}
    for vocabulary, codes in vocabularies.items():
        if len(codes) > 63:
            raise ValueError(f"vocabulary {vocabulary!r} has more than 63 codes")
        bits.update((code, bit) for bit, code in enumerate(codes))
    return bits


@dataclass
class Records:
    """The published register as plain columns, one position per entry, in any order.

    ``vocabularies`` lists each taxonomy vocabulary's codes, retired ones included, in
    the order of their bits; ``tags`` holds, per role, each entry's codes as a bit set
    (see ``tag_bits``); ``languages`` an organisation's working languages or the languages
    a project is written in (a project also works in its organisation's).
    """

    vocabularies: Mapping[str, Sequence[str]]
    item_type: list[str] = field(default_factory=list)
    item_id: list[int] = field(default_factory=list)
    organisation_id: list[int] = field(default_factory=list)
    org_kind: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    region: list[str | None] = field(default_factory=list)
    stage: list[str | None] = field(default_factory=list)
    funding_min: list[int | None] = field(default_factory=list)
    funding_max: list[int | None] = field(default_factory=list)
    ticket_min: list[int | None] = field(default_factory=list)
    ticket_max: list[int | None] = field(default_factory=list)
    languages: list[Iterable[str]] = field(default_factory=list)
    regions_covered: list[Iterable[str]] = field(default_factory=list)
    tags: dict[str, list[int]] = field(default_factory=dict)


def _amounts(values: Sequence[int | None]) -> np.ndarray:
    return np.array([np.nan if value is None else value for value in values], dtype=np.float64)


def _coded(values: Sequence[str | None]) -> tuple[list[str], np.ndarray]:
    """(distinct values sorted, each value's number in them); None is number -1."""
    names = sorted({value for value in values if value is not None})
    number = {name: i for i, name in enumerate(names)}
    return names, np.array([number.get(value, -1) for value in values], dtype=np.int32)


def _has_bit(masks: np.ndarray, bit: int) -> np.ndarray:
    return (masks & np.uint64(1 << bit)) != 0


class MatchIndex:
    """Columns of every published entry, in item-key order, and the tag statistics."""

    def __init__(self, records: Records, rules: Rules | None = None) -> None:
        self.rules = rules or load_rules()
        size = len(records.item_id)
        self.size = size
        is_project = np.array([t == "project" for t in records.item_type], dtype=bool)
        item_id = np.array(records.item_id, dtype=np.int64)
        # Positions in key order (type, then id): ties in a list are broken by position.
        order = np.lexsort((item_id, is_project))
        renumber = np.empty(size, dtype=np.int64)
        renumber[order] = np.arange(size)
        self.is_project = is_project[order]
        self.item_id = item_id[order]
        organisations = int(size - np.count_nonzero(is_project))
        self.span = {"organisation": (0, organisations), "project": (organisations, size)}
        self.organisation_id = np.array(records.organisation_id, dtype=np.int64)[order]
        self.kinds, kind = _coded(records.org_kind)
        self.kind = kind[order]
        self.countries, country = _coded(records.country)
        self.country = country[order]
        covered_codes = {code for regions in records.regions_covered for code in regions}
        self.regions = sorted({r for r in records.region if r} | covered_codes)
        region_number = {code: i for i, code in enumerate(self.regions)}
        self.region = np.array(
            [region_number.get(region, -1) for region in records.region], dtype=np.int32
        )[order]
        self.funding_min = _amounts(records.funding_min)[order]
        self.funding_max = _amounts(records.funding_max)[order]
        self.ticket_min = _amounts(records.ticket_min)[order]
        self.ticket_max = _amounts(records.ticket_max)[order]

        # Tags: one bit set (uint64) per entry and role, bits numbered per vocabulary.
        self.bit = tag_bits(records.vocabularies)
        self.codes = {
            vocabulary: tuple(codes) for vocabulary, codes in records.vocabularies.items()
        }
        empty = np.zeros(size, dtype=np.uint64)
        self.tags = {
            role: np.array(records.tags[role], dtype=np.uint64)[order]
            if len(records.tags.get(role, ()))
            else empty
            for role in TAG_ROLES
        }
        stages = self.codes.get(ROLE_VOCABULARIES["preferred_stage"], ())
        stage_bits = {code: i for i, code in enumerate(stages)}
        # -2: no stage; -1: a stage code the taxonomy does not know.
        self.stage = np.array(
            [stage_bits.get(stage, -1) if stage else -2 for stage in records.stage],
            dtype=np.int8,
        )[order]
        self.stage_codes = [records.stage[i] for i in order]

        # Languages: working languages for organisations; a project adds its owner's.
        # Few distinct lists exist (e.g. "en pl"), so each is turned into a bit set once.
        distinct = {tuple(languages) for languages in records.languages}
        self.languages = sorted(
            {normalise_language(code) for languages in distinct for code in languages}
        )
        if len(self.languages) > 64:
            raise ValueError("more than 64 working languages")
        self.language_bit = {code: i for i, code in enumerate(self.languages)}
        masks = {languages: self._language_mask(languages) for languages in distinct}
        own = np.array(
            [masks[tuple(languages)] for languages in records.languages], dtype=np.uint64
        )[order]
        owners = np.zeros(size, dtype=np.uint64)
        lo, hi = self.span["organisation"]
        if hi > lo:  # each entry's organisation, found among the organisations by id
            at = np.minimum(np.searchsorted(self.item_id[lo:hi], self.organisation_id), hi - lo - 1)
            found = self.item_id[lo:hi][at] == self.organisation_id
            owners = np.where(found, own[lo:hi][at], np.uint64(0))
        self.language = np.where(self.is_project, own | owners, own)

        # Regions covered: few entries have them; kept per region as positions.
        self.covered: dict[int, frozenset[str]] = {}
        by_region: dict[int, list[int]] = {}
        for i, regions in enumerate(records.regions_covered):
            if regions:
                regions = frozenset(regions)
                self.covered[int(renumber[i])] = regions
                for code in regions:
                    by_region.setdefault(region_number[code], []).append(int(renumber[i]))
        self.covered_by = {r: np.array(sorted(p), dtype=np.int64) for r, p in by_region.items()}

        self.cross_border = np.zeros(size, dtype=bool)
        for role, codes in self.rules.cross_border_signals.items():
            for code in codes:
                if code in self.bit:
                    self.cross_border |= _has_bit(self.tags[role], self.bit[code])

        # Statistics: entries carrying each code in any role, and idf per bit.
        carried: dict[str, np.ndarray] = {}
        for role, vocabulary in ROLE_VOCABULARIES.items():
            carried[vocabulary] = carried.get(vocabulary, empty) | self.tags[role]
        frequency = {}
        for vocabulary, masks in carried.items():
            for i, code in enumerate(self.codes.get(vocabulary, ())):
                count = int(np.count_nonzero(_has_bit(masks, i)))
                if count:
                    frequency[code] = count
        self.stats = TagStats(size, frequency)
        self.idf = {
            vocabulary: np.array([self.stats.idf(code) for code in codes], dtype=np.float64)
            for vocabulary, codes in self.codes.items()
        }
        # Each entry's own tag weight per role (the denominators of the overlap rules).
        self.weight = {role: self._weights(self.tags[role], role) for role in TAG_ROLES}
        self._profiles: dict[int, Profile] = {}

    # --- building helpers ---------------------------------------------------------------

    def _language_mask(self, languages: Iterable[str]) -> int:
        mask = 0
        for code in languages:
            bit = self.language_bit.get(normalise_language(code))
            if bit is not None:
                mask |= 1 << bit
        return mask

    def _weights(self, masks: np.ndarray, role: str) -> np.ndarray:
        vocabulary = ROLE_VOCABULARIES[role]
        total = np.zeros(self.size, dtype=np.float64)
        for bit, idf in enumerate(self.idf.get(vocabulary, ())):
            total += np.where(_has_bit(masks, bit), idf, 0.0)
        return total

    # --- profiles -------------------------------------------------------------------------

    def find(self, key: ItemKey) -> int | None:
        """The position of a published item, None if it is not in the index."""
        if key.item_type not in self.span:
            return None
        lo, hi = self.span[key.item_type]
        at = lo + int(np.searchsorted(self.item_id[lo:hi], key.item_id))
        return at if at < hi and self.item_id[at] == key.item_id else None

    def profile(self, key: ItemKey) -> Profile | None:
        """The engine's Profile of a published item (None if it is not in the index)."""
        i = self.find(ItemKey(*key))
        if i is None:
            return None
        kept = self._profiles.get(i)
        if kept is None:
            if len(self._profiles) >= PROFILE_CACHE_SIZE:
                self._profiles.clear()
            kept = self._profiles[i] = self._build_profile(ItemKey(*key), i)
        return kept

    def _build_profile(self, key: ItemKey, i: int) -> Profile:
        project = bool(self.is_project[i])
        tags = {}
        for role in TAG_ROLES:
            mask = int(self.tags[role][i])
            codes = self.codes.get(ROLE_VOCABULARIES[role], ())
            found = [code for bit, code in enumerate(codes) if mask >> bit & 1]
            if found:
                tags[role] = found
        language = int(self.language[i])
        region = self.region[i]

        def amount(values: np.ndarray) -> int | None:
            return None if math.isnan(values[i]) else int(values[i])

        return Profile(
            key=ItemKey(*key),
            organisation_id=int(self.organisation_id[i]),
            org_kind=self.kinds[self.kind[i]],
            country=self.countries[self.country[i]],
            region=self.regions[region] if region >= 0 else None,
            languages=[code for bit, code in enumerate(self.languages) if language >> bit & 1],
            tags=tags,
            stage=self.stage_codes[i] if project else None,
            funding=AmountRange.from_bounds(amount(self.funding_min), amount(self.funding_max)),
            ticket=(
                None
                if project
                else AmountRange.from_bounds(amount(self.ticket_min), amount(self.ticket_max))
            ),
            regions_covered=self.covered.get(i, frozenset()),
        )

    # --- ranking --------------------------------------------------------------------------

    def rank(
        self,
        subject: Profile,
        kind: ListKind | str,
        context: MatchContext | None = None,
        *,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[Match], int]:
        """One page of the subject's list and the length of the whole list.

        The same as ``engine.rank`` over every published profile, with the index's own
        statistics; ``context.stats`` is ignored.
        """
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        rules = self.rules
        spec = engine.list_rules(kind, rules)
        engine._check_subject(subject, spec)
        context = context or MatchContext()
        context = dataclasses.replace(context, stats=self.stats)

        positions = self._eligible(subject, spec, context)
        points, exact = self._points(subject, spec, positions)
        if context.demoted and rules.like_dismissed:
            lowered = self._like_dismissed(subject, context.demoted, positions)
            points = np.vstack([points, np.where(lowered, -rules.like_dismissed, 0.0)])
        raw = points.sum(axis=0) if len(points) else np.zeros(len(positions))
        scores = np.clip(np.floor(raw + 0.5), 0, 100).astype(np.int64)
        fraction = raw + 0.5 - np.floor(raw + 0.5)
        doubtful = np.flatnonzero((fraction < ROUNDING_MARGIN) | (fraction > 1 - ROUNDING_MARGIN))
        # On a rounding boundary (x.5) the order of the additions can decide. Only where it
        # can matter: a doubtful score is off by at most one, so the page's k-th best score
        # drops by at most one, and a candidate two points or more below the provisional
        # cut stays out of the page.
        wanted = offset + limit
        cut = np.partition(-scores, wanted - 1)[wanted - 1] * -1 if 0 < wanted <= len(scores) else 0
        doubtful = doubtful[
            (scores[doubtful] >= cut - 2) | (np.abs(scores[doubtful] - rules.min_score) <= 1)
        ]
        for j in doubtful:
            total = math.fsum(points[:, j])  # the engine's sum of the same points...
            if exact[j] or abs(total + 0.5 - math.floor(total + 0.5) - 0.5) < 0.5 - 1e-9:
                # ...which are bit for bit the engine's when no idf ratio is involved, and
                # otherwise off by far less than their distance from the boundary.
                scores[j] = min(100, max(0, math.floor(total + 0.5)))
            else:
                scores[j] = self._exact(subject, int(positions[j]), spec, context).score
        kept = scores >= rules.min_score
        positions, scores = positions[kept], scores[kept]
        total = len(positions)

        wanted = min(offset + limit, total)
        # Score descending, then engine.tie_order, then the key (positions are in key
        # order): 101 * 2**32 * (size + 1) fits in 64 bits up to 21 million items.
        ties = self._tie_orders(positions, context.tie_salt)
        order_key = ((100 - scores) * (1 << 32) + ties) * (self.size + 1) + positions
        if wanted < total:
            top = np.argpartition(order_key, wanted - 1)[:wanted] if wanted else np.array([], int)
        else:
            top = np.arange(total)
        top = top[np.argsort(order_key[top], kind="stable")][offset:]
        return [self._exact(subject, int(positions[j]), spec, context) for j in top], total

    def _tie_orders(self, positions: np.ndarray, salt: int) -> np.ndarray:
        """engine.tie_order of the items at `positions`, with numpy's wrapping uint64."""
        if not salt:
            return np.zeros(len(positions), dtype=np.int64)
        type_index = np.zeros(len(positions), dtype=np.uint64)
        for index, item_type in enumerate(ITEM_TYPES):
            if item_type in self.span:
                lo, hi = self.span[item_type]
                type_index[(positions >= lo) & (positions < hi)] = index
        x = self.item_id[positions].astype(np.uint64) * np.uint64(2) + type_index
        x += np.uint64((salt * engine._GOLDEN) & engine._MASK64)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
        return (x >> np.uint64(32)).astype(np.int64)

    def candidates(
        self, subject: Profile, kind: ListKind | str, context: MatchContext | None = None
    ) -> list[ItemKey]:
        """The keys the list scores: of its type and kinds, not excluded, selected."""
        spec = engine.list_rules(kind, self.rules)
        engine._check_subject(subject, spec)
        return [self._key(int(i)) for i in self._eligible(subject, spec, context or MatchContext())]

    def _key(self, i: int) -> ItemKey:
        item_type = ITEM_TYPES[1] if self.is_project[i] else ITEM_TYPES[0]
        return ItemKey(item_type, int(self.item_id[i]))

    def _exact(self, subject: Profile, i: int, spec: ListRules, context: MatchContext) -> Match:
        candidate = self.profile(self._key(i))
        return engine._score(subject, candidate, spec, self.rules, self.stats, context.demoted)

    def _like_dismissed(
        self, subject: Profile, demoted: engine.Demotions, at: np.ndarray
    ) -> np.ndarray:
        """engine.Demotions.why(...) is not empty, for the candidates at `at`."""
        found = np.zeros(len(at), dtype=bool)
        own = self.countries.index(subject.country) if subject.country in self.countries else -3
        for code in demoted.countries:
            if code in self.countries:
                found |= (self.country[at] == self.countries.index(code)) & (
                    self.country[at] != own
                )
        for code in demoted.categories:
            if code in self.bit:
                found |= _has_bit(self.tags["category"][at], self.bit[code])
        stages = self.codes.get(ROLE_VOCABULARIES["preferred_stage"], ())
        for code in demoted.stages:
            if code in stages:
                found |= self.stage[at] == stages.index(code)
        return found

    def _eligible(self, subject: Profile, spec: ListRules, context: MatchContext) -> np.ndarray:
        """Positions of the list's candidates: its type and kinds, not excluded, carrying
        a selection tag when the list requires one."""
        lo, hi = self.span[spec.candidate_type]  # entries are in key order: types are runs
        mask = self.organisation_id[lo:hi] != subject.organisation_id
        if spec.candidate_kinds is not None:
            allowed = np.array([kind in spec.candidate_kinds for kind in self.kinds], dtype=bool)
            mask &= allowed[self.kind[lo:hi]]
        if context.declined_organisations:
            declined = sorted(context.declined_organisations)
            mask &= ~np.isin(self.organisation_id[lo:hi], declined)
        dismissed = [k.item_id for k in context.dismissed if k.item_type == spec.candidate_type]
        if dismissed:
            mask &= ~np.isin(self.item_id[lo:hi], dismissed)
        if spec.require_shared_tag:
            selection = engine.selection_tags(subject, spec.kind, self.stats, self.rules)
            carries = np.zeros(hi - lo, dtype=bool)
            stages = self.codes.get(ROLE_VOCABULARIES["preferred_stage"], ())
            for tag in selection:
                if tag.role == STAGE_ROLE:  # a project's stage
                    if tag.code in stages:
                        carries |= self.stage[lo:hi] == stages.index(tag.code)
                elif tag.code in self.bit:
                    carries |= _has_bit(self.tags[tag.role][lo:hi], self.bit[tag.code])
            mask &= carries
        if context.narrowed:
            mask &= self._narrowed(subject, context.narrowed, lo, hi)
            if context.narrowed.among is not None:
                mask &= self._among(context.narrowed.among, spec.candidate_type, lo, hi)
        return lo + np.flatnonzero(mask)

    def _narrowed(self, subject: Profile, narrowed: engine.ListFilter, lo: int, hi: int):
        """engine.ListFilter.admits for the entries lo..hi."""
        mask = np.ones(hi - lo, dtype=bool)
        for value, codes, column in (
            (narrowed.org_kind, self.kinds, self.kind),
            (narrowed.country, self.countries, self.country),
        ):
            if value is not None:
                mask &= column[lo:hi] == (codes.index(value) if value in codes else -3)
        if narrowed.stage is not None:
            stages = self.codes.get(ROLE_VOCABULARIES["preferred_stage"], ())
            number = stages.index(narrowed.stage) if narrowed.stage in stages else -3
            mask &= self.stage[lo:hi] == number
        if narrowed.seeks is not None:
            mask &= self._carries(narrowed.seeks, ("seeks",), lo, hi)
        if narrowed.language is not None:
            bit = self.language_bit.get(normalise_language(narrowed.language))
            mask &= False if bit is None else _has_bit(self.language[lo:hi], bit)
        if narrowed.needs_my_offer:
            wanted = np.zeros(hi - lo, dtype=bool)
            for code in engine.offers(subject):
                wanted |= self._carries(code, ("need", "need_text"), lo, hi)
            mask &= wanted
        return mask

    def _among(self, keys: frozenset[ItemKey], item_type: str, lo: int, hi: int) -> np.ndarray:
        """Whether each entry lo..hi (all of `item_type`) is one of `keys`."""
        ids = sorted(key.item_id for key in keys if key.item_type == item_type)
        return np.isin(self.item_id[lo:hi], ids)

    def _carries(self, code: str, roles: tuple[str, ...], lo: int, hi: int) -> np.ndarray:
        """Whether each entry lo..hi has the tag in one of the roles."""
        found = np.zeros(hi - lo, dtype=bool)
        if code in self.bit:
            for role in roles:
                found |= _has_bit(self.tags[role][lo:hi], self.bit[code])
        return found

    def _points(
        self, subject: Profile, spec: ListRules, at: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each rule's points for the candidates at ``at`` (a rules x candidates array, as
        engine._score computes them), and whether each candidate's points involve no idf
        ratio (then they equal the engine's bit for bit)."""
        total_weight = spec.total_weight
        rows = []
        exact = np.ones(len(at), dtype=bool)
        for rule_id, weight in spec.weights.items():
            strength = VECTOR_RULES[rule_id](self, subject, at)
            penalty = self.rules.penalties.get(rule_id, 0.0)
            rows.append(
                np.where(strength >= 0, 100 * weight * strength / total_weight, penalty * strength)
            )
            if rule_id in IDF_RULES:  # none, or a full overlap, is exact
                exact &= (strength == 0) | (strength == 1)
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(at)), exact

    # --- tag arithmetic -------------------------------------------------------------------

    def shared_weight(
        self, codes: Iterable[str], role: str, at: np.ndarray, unless: str | None = None
    ) -> np.ndarray:
        """Summed idf of ``codes`` found in each candidate's ``role`` tags (and, with
        ``unless``, not in its ``unless`` tags)."""
        masks = self.tags[role][at]
        but = self.tags[unless][at] if unless else None
        total = np.zeros(len(at), dtype=np.float64)
        for code in codes:
            bit = self.bit.get(code)
            if bit is not None:
                found = _has_bit(masks, bit)
                if but is not None:
                    found &= ~_has_bit(but, bit)
                total += np.where(found, self.stats.idf(code), 0.0)
        return total


def _ratio(numerator: np.ndarray, denominator: np.ndarray | float) -> np.ndarray:
    denominator = np.broadcast_to(np.asarray(denominator, dtype=np.float64), numerator.shape)
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=(numerator > 0) & (denominator > 0))
    # A full overlap is exactly 1 in the engine (the same tags summed above and below);
    # here the two sums may run in another order. Any partial overlap is far below 1.
    out[np.abs(out - 1.0) < 1e-9] = 1.0
    return out


# --- the rules, one function per rule id of engine.RULES --------------------------------


def offers_needed(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    """engine._covered with the subject needing, for each candidate."""
    share = index.rules.text_weight
    wanted, wanted_text = subject.tag_codes("need"), subject.tag_codes("need_text")
    met = index.shared_weight(wanted, "capability", at)
    met = met + share * index.shared_weight(wanted, "capability_text", at, unless="capability")
    for role in ("capability", "capability_text"):  # a need read from the text, met once
        met = met + share * index.shared_weight(
            wanted_text, role, at, unless="capability" if role == "capability_text" else None
        )
    whole = index.stats.weight(wanted) + share * index.stats.weight(wanted_text)
    return _ratio(met, whole)


def needs_offered(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    """engine._covered with each candidate needing and the subject offering."""
    share = index.rules.text_weight
    offered, offered_text = subject.tag_codes("capability"), subject.tag_codes("capability_text")
    met = index.shared_weight(offered, "need", at)
    met = met + share * index.shared_weight(offered_text - offered, "need", at)
    met = met + share * index.shared_weight(offered | offered_text, "need_text", at)
    whole = index.weight["need"][at] + share * index.weight["need_text"][at]
    return _ratio(met, whole)


def _shared_role(role: str):
    def rule(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
        ours = subject.tag_codes(role)
        shared = index.shared_weight(ours, role, at)
        return _ratio(shared, np.minimum(index.stats.weight(ours), index.weight[role][at]))

    return rule


def seeks_kind(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    rules = index.rules
    if subject.is_project:
        provides = [
            any(kind in rules.seeks_kinds.get(s, ()) for s in subject.tag_codes("seeks"))
            for kind in index.kinds
        ]
        found = np.array(provides, dtype=bool)[index.kind[at]] & ~index.is_project[at]
    else:
        wanted = [s for s, kinds in rules.seeks_kinds.items() if subject.org_kind in kinds]
        found = index.is_project[at] & (index.shared_weight(wanted, "seeks", at) > 0)
    return found.astype(np.float64)


def seeks_investment(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    if subject.is_project:
        seeks = subject.tag_codes("seeks")
        strength = (1.0 if engine.INVESTMENT in seeks else -1.0) if seeks else 0.0
        return np.where(~index.is_project[at], strength, 0.0)
    seeks = index.tags["seeks"][at]
    bit = index.bit.get(engine.INVESTMENT)
    wants = _has_bit(seeks, bit) if bit is not None else np.zeros(len(at), dtype=bool)
    stated = index.is_project[at] & (seeks != 0)
    return np.where(stated, np.where(wants, 1.0, -1.0), 0.0)


def complementary_kinds(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    pairs = index.rules.strongest_pairs
    table = [
        pair.strength if (pair := pairs.get((subject.org_kind, kind))) else 0.0
        for kind in index.kinds
    ]
    return np.array(table, dtype=np.float64)[index.kind[at]] if table else np.zeros(len(at))


def investor_stage(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    stages = index.codes.get(ROLE_VOCABULARIES["preferred_stage"], ())
    rules = index.rules
    if subject.is_project:
        preferred = index.tags["preferred_stage"][at]
        applies = ~index.is_project[at] & (preferred != 0) & (subject.stage is not None)
        bit = index.bit.get(subject.stage) if subject.stage in stages else None
        inside = _has_bit(preferred, bit) if bit is not None else np.zeros(len(at), bool)
        positions = engine._stage_positions()
        mine = positions.get(subject.stage) if subject.stage else None
        adjacent = np.uint64(0)
        for code in stages:
            if mine is not None and abs(positions.get(code, -9) - mine) == 1:
                adjacent |= np.uint64(1) << np.uint64(index.bit[code])
        share = np.where((preferred & adjacent) != 0, rules.stage_adjacent, 1.0)
        return np.where(applies, np.where(inside, 1.0, -share), 0.0)
    preferred = subject.tag_codes("preferred_stage")
    stage = index.stage[at]
    applies = index.is_project[at] & (stage != -2) & bool(preferred)
    # stage is -2 (none), -1 (unknown) or a bit: look it up in a table shifted by 2
    table = np.array(
        [0.0, -1.0, *(
            1.0 if code in preferred else -engine._stage_penalty_share(code, preferred, rules)
            for code in stages
        )],
        dtype=np.float64,
    )  # fmt: skip
    return np.where(applies, table[stage.astype(np.int64) + 2], 0.0)


def investor_ticket(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    rules = index.rules
    n = len(at)
    if subject.is_project:
        if subject.funding is None:
            return np.zeros(n)
        low, high = subject.funding.low, subject.funding.high
        funding_min = np.full(n, np.nan if low is None else low, dtype=np.float64)
        funding_max = np.full(n, np.nan if high is None else high, dtype=np.float64)
        ticket_min, ticket_max = index.ticket_min[at], index.ticket_max[at]
        applies = ~index.is_project[at]
    else:
        if subject.ticket is None:
            return np.zeros(n)
        low, high = subject.ticket.low, subject.ticket.high
        ticket_min = np.full(n, np.nan if low is None else low, dtype=np.float64)
        ticket_max = np.full(n, np.nan if high is None else high, dtype=np.float64)
        funding_min, funding_max = index.funding_min[at], index.funding_max[at]
        applies = index.is_project[at]
    applies = applies & ~(np.isnan(funding_min) & np.isnan(funding_max))
    applies &= ~(np.isnan(ticket_min) & np.isnan(ticket_max))
    with np.errstate(invalid="ignore"):
        sought_low = np.fmin(funding_min, funding_max)
        sought_high = np.fmax(funding_min, funding_max)
        ticket_low = np.where(np.isnan(ticket_min), 0.0, ticket_min)
        ticket_high = np.where(np.isnan(ticket_max), np.inf, ticket_max)
        fits = (ticket_low <= sought_low) & (sought_high <= ticket_high)
        overlaps = (sought_low <= ticket_high) & (ticket_low <= sought_high)
        missed = -_miss(ticket_high < sought_low, sought_low, sought_high, ticket_low,
                        ticket_high, rules)  # fmt: skip
    strength = np.where(fits, rules.ticket_fits, np.where(overlaps, rules.ticket_overlaps, missed))
    return np.where(applies, strength, 0.0)


def _miss(too_small, sought_low, sought_high, ticket_low, ticket_high, rules) -> np.ndarray:
    """engine._miss for each candidate (where the ranges do not meet)."""
    gap = np.where(too_small, sought_low - ticket_high, ticket_low - sought_high)
    nearer = np.where(too_small, sought_low, sought_high)
    if rules.ticket_near_miss <= 0:
        return np.ones_like(gap)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.minimum(1.0, gap / nearer / rules.ticket_near_miss)
    return np.where(nearer > 0, share, 1.0)


def geography(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    weights = index.rules.geography
    n = len(at)
    region = index.regions.index(subject.region) if subject.region in index.regions else -3
    country = index.countries.index(subject.country) if subject.country in index.countries else -3
    strength = np.zeros(n)

    def holds(relation: str, condition: np.ndarray) -> None:
        nonlocal strength
        strength = np.maximum(strength, np.where(condition, weights[relation], 0.0))

    if subject.region:
        holds("same_region", index.region[at] == region)
    covers = np.zeros(n, dtype=bool)
    if subject.region and region in index.covered_by:
        covering = index.covered_by[region]  # sorted positions, as `at` is
        found = np.minimum(np.searchsorted(covering, at), len(covering) - 1)
        covers = covering[found] == at
    if subject.regions_covered:
        # region is -1 (none) or a number: look it up in a table shifted by 1
        table = np.array(
            [False, *(code in subject.regions_covered for code in index.regions)], dtype=bool
        )
        covers |= table[index.region[at] + 1]
    holds("covers_region", covers)
    same_country = index.country[at] == country
    holds("same_country", same_country)
    wants = index.cross_border[at] | engine._wants_cross_border(subject, index.rules)
    holds("cross_border_wanted", ~same_country & wants)
    return strength


def shared_language(index: MatchIndex, subject: Profile, at: np.ndarray) -> np.ndarray:
    if not subject.languages:
        return np.zeros(len(at))
    theirs = index.language[at]
    ours = np.uint64(index._language_mask(subject.languages))
    readable = np.zeros(len(at), dtype=bool)
    for group in index.rules.readable_groups:
        mask = np.uint64(index._language_mask(group))
        if ours & mask:
            readable |= (theirs & mask) != 0
    bridged = np.zeros(len(at), dtype=bool)
    if index.rules.bridge_language is not None:
        bridge = np.uint64(index._language_mask((index.rules.bridge_language,)))
        readers = np.uint64(index._language_mask(index.rules.bridge_readers))
        if ours & bridge:
            bridged |= (theirs & readers) != 0
        if ours & readers:
            bridged |= (theirs & bridge) != 0
    rules = index.rules
    strength = np.where(
        readable, rules.readable_language, np.where(bridged, rules.bridged_language, -1.0)
    )
    return np.where(theirs == 0, 0.0, np.where((theirs & ours) != 0, 1.0, strength))


# Rules whose strength is a ratio of idf sums: NumPy adds those in another order than
# the engine's math.fsum, so they may differ from the engine's in the last bits.
IDF_RULES = frozenset(
    {
        "offers_needed",
        "needs_offered",
        "shared_categories",
        "shared_specialisations",
        "shared_focus_areas",
    }
)

VECTOR_RULES = {
    "offers_needed": offers_needed,
    "needs_offered": needs_offered,
    "shared_categories": _shared_role("category"),
    "shared_specialisations": _shared_role("specialisation"),
    "shared_focus_areas": _shared_role("focus_area"),
    "seeks_kind": seeks_kind,
    "seeks_investment": seeks_investment,
    "complementary_kinds": complementary_kinds,
    "investor_stage": investor_stage,
    "investor_ticket": investor_ticket,
    "geography": geography,
    "shared_language": shared_language,
}
# Checked at import, also under `python -O` (which would drop an assert).
if set(VECTOR_RULES) != set(engine.RULES):
    unmatched = sorted(set(VECTOR_RULES) ^ set(engine.RULES))
    raise RuntimeError(f"every engine rule needs its vector form, and only those: {unmatched}")
