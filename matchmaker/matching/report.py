"""Does a higher score mean a better match? Acceptance of answered contact requests by
the score the pair has, and by the rules that fired for it.

Pure Python: the caller (``flask matching report``, in ``cli``) gives one `Outcome` per
answered request (the pair's score and positive reasons now, whether it was accepted)
and prints the `Report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Score bands as the match lists label them (present.score_label).
BANDS = ((0, 39, "possible"), (40, 69, "good"), (70, 100, "strong"))


@dataclass(frozen=True)
class Outcome:
    score: int
    reasons: frozenset[str]  # codes of the positive reasons
    accepted: bool


@dataclass(frozen=True)
class Line:
    label: str
    answered: int
    accepted: int

    @property
    def rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None


@dataclass(frozen=True)
class Report:
    bands: tuple[Line, ...]
    rules: tuple[Line, ...]  # each rule's pairs, most answered first
    total: Line


def acceptance(outcomes: Iterable[Outcome]) -> Report:
    outcomes = list(outcomes)

    def line(label: str, chosen: list[Outcome]) -> Line:
        return Line(label, len(chosen), sum(1 for o in chosen if o.accepted))

    bands = tuple(
        line(f"{low}-{high} ({name})", [o for o in outcomes if low <= o.score <= high])
        for low, high, name in BANDS
    )
    codes = sorted({code for o in outcomes for code in o.reasons})
    rules = sorted(
        (line(code, [o for o in outcomes if code in o.reasons]) for code in codes),
        key=lambda found: (-found.answered, found.label),
    )
    return Report(bands, tuple(rules), line("all", outcomes))


def lines_of(report: Report) -> list[str]:
    """The report as plain-text table rows."""

    def row(found: Line) -> str:
        rate = "-" if found.rate is None else f"{found.rate:.0%}"
        return f"  {found.label:<28} {found.answered:>8} {found.accepted:>8} {rate:>6}"

    header = f"  {'':<28} {'answered':>8} {'accepted':>8} {'rate':>6}"
    return [
        "By score band:",
        header,
        *map(row, report.bands),
        row(report.total),
        "",
        "By rule (pairs where it counted for the match):",
        header,
        *map(row, report.rules),
    ]
