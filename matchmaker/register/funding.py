"""The funding a project seeks, as the register filters it: bands and a free range in euros.

A project states a range (either end may be missing: one end alone is read as that single
amount, as the matcher reads it). A range in euros chosen by a reader selects the projects
whose range *overlaps* it, so an investor typing their ticket size finds every project that
ticket could serve. A band selects the projects whose range lies in it for more than a
boundary: a project seeking €250,000-€1,000,000 is in the band "€250,000-€1,000,000" only,
not in the bands on either side that merely touch it. Projects stating no amount are in no
band and match no range.

Plain Python: nothing here knows Flask or the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Larger than any real funding round, small enough for a BIGINT and for the eye.
MAX_AMOUNT = 10**12
# The query parameters of the free range.
RANGE_PARAMETERS = ("funding_min", "funding_max")


@dataclass(frozen=True)
class Band:
    """The amounts above ``low`` (exclusive; None: from 0) up to ``high`` (inclusive; None:
    no upper limit)."""

    code: str
    low: int | None
    high: int | None


# Ticket sizes of health innovation: grants and angels, seed, series A, growth, large rounds.
BANDS = (
    Band("under_250k", None, 250_000),
    Band("250k_1m", 250_000, 1_000_000),
    Band("1m_5m", 1_000_000, 5_000_000),
    Band("5m_20m", 5_000_000, 20_000_000),
    Band("over_20m", 20_000_000, None),
)
BAND_CODES = tuple(band.code for band in BANDS)

# Digits, with spaces or underscores between groups; cents are dropped. Three digits after
# a comma or a dot are a thousands separator in some languages and a decimal one in others:
# not an amount.
_AMOUNT = re.compile(r"(\d+)(?:[.,]\d{0,2})?", re.ASCII)
_GROUP_SEPARATORS = str.maketrans("", "", " \u00a0\u202f\u2009_")


def sought(low: int | None, high: int | None) -> tuple[int, int] | None:
    """The range a project seeks, both ends stated; None when it states no amount."""
    stated = [amount for amount in (low, high) if amount is not None]
    if not stated:
        return None
    return min(stated), max(stated)


def in_band(low: int, high: int, band: Band) -> bool:
    """Whether the sought range ``low``-``high`` lies in ``band`` (see the module's note).

    The reference for the index, which computes the same with masks.
    """
    above_low = band.low is None or high > band.low
    below_high = band.high is None or low < band.high or high <= band.high
    return above_low and below_high


def overlaps(low: int, high: int, least: int | None, most: int | None) -> bool:
    """Whether the sought range ``low``-``high`` meets the amounts from ``least`` to ``most``."""
    return (least is None or high >= least) and (most is None or low <= most)


class AmountError(ValueError):
    """What a reader typed is not an amount of euros from 0 to MAX_AMOUNT; ``reason`` says
    why: "not_a_number", "negative" or "too_large"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_amount(text: str) -> int | None:
    """Whole euros from what a reader typed (digits, grouped by spaces or not, cents
    dropped); None for nothing typed. Anything else raises AmountError."""
    cleaned = text.strip().translate(_GROUP_SEPARATORS)
    if not cleaned:
        return None
    found = _AMOUNT.fullmatch(cleaned.removeprefix("-"))
    if found is None:
        raise AmountError("not_a_number")
    digits = found.group(1).lstrip("0") or "0"
    if cleaned.startswith("-") and digits != "0":
        raise AmountError("negative")
    if len(digits) > len(str(MAX_AMOUNT)) or int(digits) > MAX_AMOUNT:
        raise AmountError("too_large")
    return int(digits)
