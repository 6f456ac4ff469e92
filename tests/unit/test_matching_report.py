"""The acceptance report: answered contact requests by score band and by rule."""

from __future__ import annotations

from matchmaker.matching.report import Outcome, acceptance, lines_of


def test_acceptance_by_band_and_by_rule():
    outcomes = [
        Outcome(85, frozenset({"offers_needed", "same_region"}), True),
        Outcome(75, frozenset({"offers_needed"}), True),
        Outcome(72, frozenset({"shared_language"}), False),
        Outcome(50, frozenset({"offers_needed"}), False),
        Outcome(10, frozenset(), False),
    ]
    report = acceptance(outcomes)
    assert [(b.answered, b.accepted) for b in report.bands] == [(1, 0), (1, 0), (3, 2)]
    assert report.bands[2].rate == 2 / 3 and report.bands[0].rate == 0
    assert (report.total.answered, report.total.accepted) == (5, 2)
    first = report.rules[0]
    assert (first.label, first.answered, first.accepted) == ("offers_needed", 3, 2)
    assert {line.label for line in report.rules} == {
        "offers_needed", "same_region", "shared_language"
    }  # fmt: skip
    text = "\n".join(lines_of(report))
    assert "70-100 (strong)" in text and "67%" in text


def test_an_empty_band_has_no_rate():
    report = acceptance([Outcome(90, frozenset(), True)])
    assert report.bands[0].rate is None
    assert "     -" in lines_of(report)[2]
