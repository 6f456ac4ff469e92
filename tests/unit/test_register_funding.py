"""Funding sought: amounts as readers type them, and the index's masks against the rules."""

from __future__ import annotations

import random

import pytest

from matchmaker.register import funding
from matchmaker.register.index import AmountAxis, FundingAxes, mask_of


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("", None),
        ("  ", None),
        ("250000", 250_000),
        ("250 000", 250_000),
        ("250000.99", 250_000),
        ("0", 0),
        ("-0", 0),
        (str(10**12), 10**12),
    ],
)
def test_amounts_are_read_as_whole_euros(text, amount):
    assert funding.parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not_a_number"),
        ("1e6", "not_a_number"),
        ("1,000", "not_a_number"),  # a thousand, or one with three decimals?
        ("1.000.000", "not_a_number"),
        ("\u0661\u0662\u0663", "not_a_number"),  # Arabic-Indic digits
        ("-1", "negative"),
        (str(10**12 + 1), "too_large"),
        ("9" * 5000, "too_large"),
    ],
)
def test_anything_else_is_not_an_amount_and_says_why(text, reason):
    with pytest.raises(funding.AmountError) as raised:
        funding.parse_amount(text)
    assert raised.value.reason == reason


def test_a_range_touching_a_band_at_its_ends_is_not_in_it():
    bands = [band.code for band in funding.BANDS if funding.in_band(250_000, 1_000_000, band)]
    assert bands == ["250k_1m"]
    assert [b.code for b in funding.BANDS if funding.in_band(1_000_000, 1_000_000, b)] == [
        "250k_1m"
    ]


def _axes(ranges: dict[int, tuple[int, int]]) -> FundingAxes:
    return FundingAxes(
        stated=mask_of(ranges),
        low=AmountAxis.of({p: r[0] for p, r in ranges.items()}),
        high=AmountAxis.of({p: r[1] for p, r in ranges.items()}),
    )


def test_the_masks_select_what_the_rules_select():
    rng = random.Random(17)
    size = 3 * AmountAxis.STEP + 37  # several checkpoints and a remainder
    amounts = [0, 50_000, 250_000, 500_000, 1_000_000, 5_000_000, 20_000_000, 80_000_000]
    ranges = {}
    for position in range(size):
        if rng.random() < 0.8:
            low, high = sorted(rng.choice(amounts) * rng.choice((1, 2)) for _ in range(2))
            ranges[position] = (low, high)
    axes = _axes(ranges)
    for band in funding.BANDS:
        expected = {p for p, (low, high) in ranges.items() if funding.in_band(low, high, band)}
        assert axes.band(band) == mask_of(expected), band.code
    bounds = [None, 0, 1, 250_000, 999_999, 1_000_000, 40_000_000, 10**12]
    for least in bounds:
        for most in bounds:
            expected = {
                p for p, (low, high) in ranges.items() if funding.overlaps(low, high, least, most)
            }
            assert axes.within(least, most) == mask_of(expected), (least, most)
