"""Amounts of money as people write them in Polish, English, Danish and Norwegian."""

from __future__ import annotations

import pytest

from matchmaker.forms import NotAnAmount, format_amount, parse_amount

LANGS = ["pl", "en", "da", "nb"]
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2 mln", 2_000_000),
        ("2mln", 2_000_000),
        ("2 MLN", 2_000_000),
        ("2 mio.", 2_000_000),
        ("2 mio", 2_000_000),
        ("2 million", 2_000_000),
        ("2m", 2_000_000),
        ("2 mill.", 2_000_000),
        ("300k", 300_000),
        ("300 tys.", 300_000),
        ("250000", 250_000),
        ("250 000", 250_000),
        (f"250{NBSP}000", 250_000),
        (f"2{NNBSP}000{NNBSP}000", 2_000_000),
        ("2 000 000", 2_000_000),
        ("€2 mln", 2_000_000),
        ("2 mln EUR", 2_000_000),
        ("2 000 000 €", 2_000_000),
        ("  2 mln  ", 2_000_000),
        ("0", 0),
        ("1 mld", 1_000_000_000),
    ],
)
def test_amounts_every_language_reads_alike(lang, text, amount):
    assert parse_amount(text, lang) == amount


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        # The decimal comma of Polish, Danish and Norwegian
        ("pl", "1,5 mln", 1_500_000),
        ("da", "1,5 mio.", 1_500_000),
        ("nb", "1,5 mill.", 1_500_000),
        ("nb", "2,25 mln", 2_250_000),
        # The decimal point of English
        ("en", "1.5 million", 1_500_000),
        ("en", "2.5m", 2_500_000),
        # The locale's own thousands separator
        ("en", "2,000,000", 2_000_000),
        ("en", "1,500", 1_500),
        ("da", "2.000.000", 2_000_000),
        ("da", "1.500", 1_500),
        ("da", "1.500.000,00", 1_500_000),
        ("pl", f"2{NBSP}000{NBSP}000", 2_000_000),
        # A mark written twice can only separate thousands, in any language.
        ("pl", "2.000.000", 2_000_000),
        ("nb", "2.000.000", 2_000_000),
        ("en", "2.000.000", 2_000_000),
        ("da", "2,000,000", 2_000_000),
        ("pl", "2.000.000,5 mln", 2_000_000_500_000),
        # A sign: the form refuses a negative amount with its own message.
        ("pl", "-5", -5),
        ("en", "\u22125", -5),
    ],
)
def test_amounts_follow_the_locales_separators(lang, text, amount):
    assert parse_amount(text, lang) == amount


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "1,5 mln"),  # a comma is the thousands separator in English
        ("pl", "1.5 mln"),  # Polish has no decimal point: 1.5 or 1500?
        ("nb", "1.500"),
        ("da", "1.5 mio."),  # a dot separates thousands in Danish: groups of three
        ("pl", "1,5"),  # one and a half euros: not whole euros
        ("en", "2.000.000,50"),
        ("da", "12.34.567"),
        ("en", "12 34"),
        ("pl", "1 ,5 mln"),
    ],
)
def test_ambiguous_or_not_whole_amounts_are_refused(lang, text):
    with pytest.raises(NotAnAmount):
        parse_amount(text, lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "two million",
        "2 zł",
        "2 kr",
        "2 dollars",
        "mln 2",
        "2 mln 3",
        "1e6",
        "0x10",
        "½",
        "٢",  # an Arabic-Indic digit
        "2..000",
        "2,,000",
        "--2",
        "2-",
        "9" * 60,
        "<script>",
    ],
)
def test_nonsense_is_refused(lang, text):
    with pytest.raises(NotAnAmount):
        parse_amount(text, lang)


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("pl", f"2{NBSP}000{NBSP}000"),
        ("en", "2,000,000"),
        ("da", "2.000.000"),
        ("nb", f"2{NBSP}000{NBSP}000"),
    ],
)
def test_amounts_are_shown_with_the_locales_separators_and_read_back(lang, shown):
    assert format_amount(2_000_000, lang) == shown
    assert parse_amount(shown, lang) == 2_000_000


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("amount", [0, 7, 999, 1_000, 12_345, 250_000, 10**9 + 1, 10**12])
def test_every_shown_amount_reads_back_the_same(lang, amount):
    assert parse_amount(format_amount(amount, lang), lang) == amount
