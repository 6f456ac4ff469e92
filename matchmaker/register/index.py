"""An in-memory bitmap index of the public register: filters, facet counts, pages.

Counting facets in SQL groups every matching row of ``register_entry_tag`` once per facet
and per request: hundreds of milliseconds at 50,000 projects (see bench/). Instead each
process keeps, per item type, one Python ``int`` per facet value whose bit *i* is set when
the entry at position *i* has that value. Positions are given newest first, so the newest
matches are the lowest set bits. A filter is an AND of ORs of such ints and a facet count is
a popcount (``int.bit_count``): microseconds, whatever the filters.

The index is rebuilt when the register changes: every change writes a new random token
into ``register_state`` in its own transaction (see :func:`touch`), and each search reads
that one row first. Reading the token before the rows means an index can only be newer than
its token, never older, so a change is never missed.
"""

from __future__ import annotations

import secrets
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, update

from matchmaker import metrics
from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.register import funding
from matchmaker.register.models import (
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
    RegisterState,
)
from matchmaker.taxonomy.models import Tag

T = TypeVar("T")

# Facets on tag roles: (query parameter, role in the register).
TAG_FACETS = {
    "organisation": (
        ("category", "category"),
        ("specialisation", "specialisation"),
        ("offers", "capability"),
        ("needs", "need"),
        ("stage_invested", "preferred_stage"),
    ),
    "project": (
        ("category", "category"),
        ("specialisation", "specialisation"),
        ("seeks", "seeks"),
    ),
}
# Facets on register_entry columns: (query parameter, column).
COLUMN_FACETS = {
    "organisation": (("kind", "org_kind"), ("country", "country"), ("region", "region")),
    "project": (
        ("stage", "stage"),
        ("kind", "org_kind"),
        ("country", "country"),
        ("region", "region"),
    ),
}

# Item types whose entries state the funding they seek (see matchmaker.register.funding).
FUNDING_FACET = {"project": "funding"}

# The bit positions set in each byte value, for walking a mask's bytes.
_BITS = tuple(tuple(bit for bit in range(8) if value >> bit & 1) for value in range(256))


def mask_of(positions: Iterable[int]) -> int:
    """An int with the given bits set."""
    positions = list(positions)
    if not positions:
        return 0
    data = bytearray(max(positions) // 8 + 1)
    for position in positions:
        data[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(data, "little")


def positions_of(mask: int) -> Iterator[int]:
    """The set bits of ``mask``, lowest first."""
    data = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    for index, value in enumerate(data):
        if value:
            base = index * 8
            for bit in _BITS[value]:
                yield base + bit


@dataclass(frozen=True)
class AmountAxis:
    """Entries by an amount, for "amount below x" as a mask in microseconds.

    The entries in ascending order of the amount; ``checkpoints[k]`` is the mask of the
    first ``k * STEP`` of them. The entries below any x are a prefix of that order: the
    nearest checkpoint, and at most STEP - 1 more bits set one by one.
    """

    STEP = 512

    amounts: tuple[int, ...]  # ascending
    order: tuple[int, ...]  # the positions in that order
    checkpoints: tuple[int, ...]

    @classmethod
    def of(cls, amounts: dict[int, int]) -> AmountAxis:
        """The axis of ``amounts`` (position → amount)."""
        order = sorted(amounts, key=amounts.__getitem__)
        checkpoints = [0]
        for start in range(0, len(order) - cls.STEP + 1, cls.STEP):
            checkpoints.append(checkpoints[-1] | mask_of(order[start : start + cls.STEP]))
        return cls(
            amounts=tuple(amounts[position] for position in order),
            order=tuple(order),
            checkpoints=tuple(checkpoints),
        )

    def below(self, amount: int, inclusive: bool = False) -> int:
        """The entries whose amount is below ``amount`` (or equal to it, when inclusive)."""
        count = (bisect_right if inclusive else bisect_left)(self.amounts, amount)
        whole = count // self.STEP
        return self.checkpoints[whole] | mask_of(self.order[whole * self.STEP : count])


@dataclass(frozen=True)
class FundingAxes:
    """The funding entries seek: the low and the high end of each stated range."""

    stated: int  # entries stating an amount
    low: AmountAxis
    high: AmountAxis

    def within(self, least: int | None, most: int | None) -> int:
        """Entries whose range meets ``least``-``most`` (funding.overlaps)."""
        mask = self.stated
        if least is not None:
            mask &= ~self.high.below(least)
        if most is not None:
            mask &= self.low.below(most, inclusive=True)
        return mask

    def band(self, band: funding.Band) -> int:
        """Entries whose range lies in ``band`` (funding.in_band)."""
        mask = self.stated
        if band.low is not None:
            mask &= ~self.high.below(band.low, inclusive=True)
        if band.high is not None:
            mask &= self.low.below(band.high) | self.high.below(band.high, inclusive=True)
        return mask


@dataclass(frozen=True)
class RegisterIndex:
    item_type: str
    ids: tuple[int, ...]  # position → register_entry.id, newest first
    positions: dict[int, int]  # register_entry.id → position
    by_name: tuple[int, ...]  # positions in alphabetical order of the title
    everything: int
    facets: dict[str, dict[str, int]]  # facet (query parameter) → value → mask
    tags: dict[str, int]  # tag code → mask of entries carrying it in any role
    places: dict[tuple[str, str | None], int]  # (country, region) → mask
    funding: FundingAxes | None = None  # for item types that seek funding

    def funding_within(self, least: int | None, most: int | None) -> int:
        """Entries whose funding sought meets ``least``-``most`` euros (nothing without axes)."""
        return self.funding.within(least, most) if self.funding is not None else 0

    def mask_of_ids(self, entry_ids: Iterable[int]) -> int:
        """The mask of these entries; ids of the other item type or unknown ones are ignored."""
        positions = self.positions
        return mask_of(positions[i] for i in entry_ids if i in positions)

    def chosen(self, name: str, values: Iterable[str]) -> int:
        """Entries with any of ``values`` for facet ``name`` (an unknown value matches nothing)."""
        masks = self.facets.get(name, {})
        result = 0
        for value in values:
            result |= masks.get(value, 0)
        return result

    def counts(self, base: int, filters: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
        """Count per facet value, each facet under every filter but its own.

        So ticking "Poland" still shows how many there are in Denmark, and a second country
        can be added. Values with no entry are left out; the largest counts come first.
        """
        everything_filtered = base
        for mask in filters.values():
            everything_filtered &= mask
        result = {}
        for name, values in self.facets.items():
            scope = everything_filtered
            if name in filters:
                scope = base
                for other, mask in filters.items():
                    if other != name:
                        scope &= mask
            counted = ((value, (scope & mask).bit_count()) for value, mask in values.items())
            result[name] = sorted(
                ((value, count) for value, count in counted if count), key=lambda r: (-r[1], r[0])
            )
        return result

    def newest(self, mask: int, offset: int, limit: int) -> list[int]:
        """Entry ids of ``mask``, newest first, from ``offset``."""
        page = []
        for index, position in enumerate(positions_of(mask)):
            if index >= offset + limit:
                break
            if index >= offset:
                page.append(self.ids[position])
        return page

    def by_title(self, mask: int, offset: int, limit: int) -> list[int]:
        """Entry ids of ``mask`` in alphabetical order, from ``offset``."""
        data = mask.to_bytes(len(self.ids) // 8 + 1, "little")
        page, seen = [], 0
        for position in self.by_name:
            if data[position >> 3] >> (position & 7) & 1:
                if seen >= offset:
                    page.append(self.ids[position])
                    if len(page) == limit:
                        break
                seen += 1
        return page

    def ranked(self, mask: int, scores: dict[int, tuple], offset: int, limit: int) -> list[int]:
        """Entry ids of ``mask`` by score (higher first), then newest first."""
        ids = self.ids
        # Sorted descending: the better score first, then the lower position (the newer).
        keyed = [(scores.get(ids[position], ()), -position) for position in positions_of(mask)]
        keyed.sort(reverse=True)
        return [ids[-negated] for _score, negated in keyed[offset : offset + limit]]


class _Bits:
    """Masks under construction: one bytearray per value, bits set in place."""

    def __init__(self, size: int):
        self.length = size // 8 + 1
        self.arrays: dict = {}

    def add(self, key, position: int) -> None:
        array = self.arrays.get(key)
        if array is None:
            array = self.arrays[key] = bytearray(self.length)
        array[position >> 3] |= 1 << (position & 7)

    def masks(self) -> dict:
        return {key: int.from_bytes(array, "little") for key, array in self.arrays.items()}


def _build(item_type: str) -> RegisterIndex:
    connection = db.session.connection()
    entry = RegisterEntry.__table__.c
    fields = (
        "id",
        "sort_title",
        "country",
        "region",
        "org_kind",
        "stage",
        "funding_min_eur",
        "funding_max_eur",
    )
    rows = connection.execute(
        select(*(entry[name] for name in fields))
        .where(entry.item_type == item_type)
        .order_by(entry.published_at.desc(), entry.id.desc())
    ).fetchall()
    ids = tuple(row[0] for row in rows)
    positions = {entry_id: position for position, entry_id in enumerate(ids)}
    size = len(ids)
    columns = {
        name: (_Bits(size), fields.index(column)) for name, column in COLUMN_FACETS[item_type]
    }
    places = _Bits(size)
    for position, row in enumerate(rows):
        for bits, index in columns.values():
            if row[index] is not None:
                bits.add(row[index], position)
        places.add((row[2], row[3]), position)

    # Tags and languages of both item types are read in one pass each (no join): the
    # entries of the other type are simply not in `positions`.
    codes = dict(connection.execute(select(Tag.id, Tag.code)).fetchall())
    facet_of_role = {role: name for name, role in TAG_FACETS[item_type]}
    by_role = {name: _Bits(size) for name in facet_of_role.values()}
    any_tag = _Bits(size)
    link = RegisterEntryTag.__table__.c
    for entry_id, role, tag_id in connection.execute(
        select(link.entry_id, link.role, link.tag_id)
    ).fetchall():
        position = positions.get(entry_id)
        if position is None:
            continue
        code = codes[tag_id]
        any_tag.add(code, position)
        if role in facet_of_role:
            by_role[facet_of_role[role]].add(code, position)
    languages = _Bits(size)
    spoken = RegisterEntryLanguage.__table__.c
    for entry_id, lang in connection.execute(select(spoken.entry_id, spoken.lang)).fetchall():
        position = positions.get(entry_id)
        if position is not None:
            languages.add(lang, position)

    facets = {name: bits.masks() for name, (bits, _index) in columns.items()}
    facets.update((name, bits.masks()) for name, bits in by_role.items())
    facets["language"] = languages.masks()
    axes = None
    if item_type in FUNDING_FACET:
        axes = _funding_axes(rows)
        bands = ((band.code, axes.band(band)) for band in funding.BANDS)
        facets[FUNDING_FACET[item_type]] = {code: mask for code, mask in bands if mask}
    titles = [row[1].casefold() for row in rows]
    return RegisterIndex(
        item_type=item_type,
        ids=ids,
        positions=positions,
        by_name=tuple(sorted(range(size), key=titles.__getitem__)),
        everything=(1 << size) - 1,
        facets=facets,
        tags=any_tag.masks(),
        places=places.masks(),
        funding=axes,
    )


def _funding_axes(rows) -> FundingAxes:
    """The funding ranges the rows state."""
    lows, highs = {}, {}
    for position, row in enumerate(rows):
        stated = funding.sought(row.funding_min_eur, row.funding_max_eur)
        if stated is not None:
            lows[position], highs[position] = stated
    return FundingAxes(
        stated=mask_of(lows),
        low=AmountAxis.of(lows),
        high=AmountAxis.of(highs),
    )


_lock = threading.Lock()
_cache: dict[object, tuple[str, object]] = {}


def current_token() -> str | None:
    """The register's change token; None in a database that never had a change recorded."""
    return db.session.scalar(select(RegisterState.token).where(RegisterState.id == 1))


def per_change(key: object, build: Callable[[], T]) -> T:
    """``build()``'s result, kept in this process until the register changes.

    The token is read before ``build`` reads anything, so a kept value can only be newer
    than its token, never older. Without a token (an emptied database) nothing is kept.
    """
    token = current_token()
    kept = _cache.get(key)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    with _lock:  # one build at a time; the others then find it done
        kept = _cache.get(key)
        if token is not None and kept is not None and kept[0] == token:
            return kept[1]
        with metrics.timing_index_build(key):  # Prometheus: each rebuild's duration
            value = build()
        if token is not None:
            _cache[key] = (token, value)
        return value


def current(item_type: str) -> RegisterIndex:
    """This process's index of ``item_type``, rebuilt first if the register has changed."""
    return per_change(("register index", item_type), lambda: _build(item_type))


def touch() -> None:
    """Record a change to the register (inside the caller's transaction)."""
    token = secrets.token_hex(16)
    changed = db.session.execute(
        update(RegisterState).where(RegisterState.id == 1).values(token=token, changed_at=utcnow())
    )
    if changed.rowcount == 0:
        db.session.add(RegisterState(id=1, token=token, changed_at=utcnow()))
        db.session.flush()
