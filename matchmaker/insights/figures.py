"""The "Growth" figures of the public insights page, from plain rows of the register.

Pure: rows in, counts out, no Flask and no database, so every figure can be checked
against a small register computed by hand (tests/unit/test_insights_figures.py).

A project's quarter is the quarter of its *first* publication (``ProjectRow.published``,
read by ``insights.queries``): a later approved edit does not move it to a newer quarter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

QUARTERS_SHOWN = 8
GROWTH_QUARTERS = 4  # growth compares the last 4 quarters with the 4 before

Quarter = tuple[int, int]  # (year, 1-4)


@dataclass(frozen=True)
class ProjectRow:
    """What the figures read of one published project."""

    published: date  # the day it was first published
    country: str
    stage: str | None
    categories: tuple[str, ...] = ()
    seeks: tuple[str, ...] = ()
    region: str | None = None  # ISO 3166-2
    specialisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrganisationRow:
    """What the figures read of one published organisation."""

    kind: str
    country: str
    region: str | None = None


@dataclass(frozen=True)
class StageChange:
    """An approved edit that moved a published project from one stage to another."""

    day: date  # the day it was approved
    country: str
    before: str
    after: str


@dataclass(frozen=True)
class Place:
    """The published projects and organisations of one region; ``region`` None: those of
    the country that name no region."""

    country: str
    region: str | None
    projects: int
    recent: int  # projects first published in the last GROWTH_QUARTERS quarters
    organisations: int


@dataclass(frozen=True)
class CategoryGrowth:
    """A category's projects per quarter (oldest first) and its growth.

    ``recent``: projects first published in the last 4 quarters (the current one
    included, though it is not over); ``earlier``: in the 4 quarters before those;
    ``change``: (recent - earlier) / earlier, e.g. 0.5 for +50 %, None when ``earlier``
    is 0 (a category new in the period has no percentage).
    """

    code: str
    per_quarter: tuple[int, ...]
    recent: int
    earlier: int
    change: float | None


@dataclass(frozen=True)
class GrowthFigures:
    quarters: tuple[Quarter, ...]  # the last QUARTERS_SHOWN, oldest first
    per_quarter: tuple[int, ...]  # projects first published in each of them
    categories: tuple[CategoryGrowth, ...]  # the fastest-growing first (see by_growth)
    specialisations: tuple[CategoryGrowth, ...]  # the same, per specialisation
    countries: tuple[CategoryGrowth, ...]  # the same, per country (its code)
    stages: tuple[tuple[str, int], ...]
    seeks: tuple[tuple[str, int], ...]
    organisation_kinds: tuple[tuple[str, int], ...]
    organisation_countries: tuple[tuple[str, int], ...]
    projects: int
    organisations: int


def quarter_of(day: date) -> Quarter:
    return (day.year, (day.month - 1) // 3 + 1)


def quarter_from_code(code: str) -> Quarter | None:
    """ "2025-Q2" → (2025, 2); None for anything else."""
    found = re.fullmatch(r"(\d{4})-Q([1-4])", code.strip().upper())
    return (int(found[1]), int(found[2])) if found else None


def period_end(quarter: Quarter, now: datetime) -> datetime | None:
    """The moment figures running to ``quarter`` end: ``now`` in today's quarter, the last
    instant of a past one, None for a quarter to come."""
    current = quarter_of(now.date())
    if quarter == current:
        return now
    if quarter > current:
        return None
    return datetime.combine(last_day(quarter), time.max, tzinfo=UTC)


def last_day(quarter: Quarter) -> date:
    year, number = quarter
    return (
        date(year + 1, 1, 1) - timedelta(days=1)
        if number == 4
        else date(year, number * 3 + 1, 1) - timedelta(days=1)
    )


def last_quarters(today: date, count: int = QUARTERS_SHOWN) -> tuple[Quarter, ...]:
    """The ``count`` quarters up to and including today's, oldest first."""
    year, quarter = quarter_of(today)
    latest = year * 4 + quarter - 1  # quarters counted from year 0
    return tuple((i // 4, i % 4 + 1) for i in range(latest - count + 1, latest + 1))


def per_quarter(days: Iterable[date], quarters: tuple[Quarter, ...]) -> tuple[int, ...]:
    """How many of ``days`` fall in each quarter (0 for a quarter without any)."""
    counted = Counter(quarter_of(day) for day in days)
    return tuple(counted[quarter] for quarter in quarters)


def growth_of(code: str, counts: tuple[int, ...]) -> CategoryGrowth:
    """The growth of a category counted per quarter over QUARTERS_SHOWN quarters."""
    recent = sum(counts[-GROWTH_QUARTERS:])
    earlier = sum(counts[-2 * GROWTH_QUARTERS : -GROWTH_QUARTERS])
    change = (recent - earlier) / earlier if earlier else None
    return CategoryGrowth(code, counts, recent, earlier, change)


def by_growth(growths: Iterable[CategoryGrowth]) -> tuple[CategoryGrowth, ...]:
    """The fastest-growing first. A category new in the period (no percentage: nothing
    before) counts as faster than any percentage; ties go to the larger recent count,
    then to the code, so the order never depends on the input's."""

    def key(growth: CategoryGrowth):
        is_new = growth.change is None
        return (not is_new, -(growth.change or 0.0), -growth.recent, growth.code)

    return tuple(sorted(growths, key=key))


def category_growth(
    projects: Iterable[ProjectRow], quarters: tuple[Quarter, ...], codes_of=None
) -> tuple[CategoryGrowth, ...]:
    """Every category (or other code: ``codes_of(project)``) with a project first
    published in ``quarters``, fastest-growing first."""
    codes_of = codes_of or (lambda project: project.categories)
    days_by_code: dict[str, list[date]] = {}
    for project in projects:
        for code in set(codes_of(project)):
            days_by_code.setdefault(code, []).append(project.published)
    growths = []
    for code, days in days_by_code.items():
        counts = per_quarter(days, quarters)
        if any(counts):
            growths.append(growth_of(code, counts))
    return by_growth(growths)


def counts(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    """(value, count), the largest count first, then by value; None is not counted."""
    counted = Counter(value for value in values if value is not None)
    return tuple(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


def in_country(rows: Iterable, country: str | None) -> list:
    """The rows of one country (all of them for None)."""
    return [row for row in rows if country is None or row.country == country]


def growth_figures(
    projects: Iterable[ProjectRow],
    organisations: Iterable[OrganisationRow],
    today: date,
    country: str | None = None,
) -> GrowthFigures:
    """Every figure of the Growth block, for one country or (None) all of them."""
    projects = in_country(projects, country)
    organisations = in_country(organisations, country)
    quarters = last_quarters(today)
    return GrowthFigures(
        quarters=quarters,
        per_quarter=per_quarter((project.published for project in projects), quarters),
        categories=category_growth(projects, quarters),
        specialisations=category_growth(projects, quarters, lambda p: p.specialisations),
        countries=category_growth(projects, quarters, lambda p: (p.country,)),
        stages=counts(project.stage for project in projects),
        seeks=counts(code for project in projects for code in set(project.seeks)),
        organisation_kinds=counts(organisation.kind for organisation in organisations),
        organisation_countries=counts(organisation.country for organisation in organisations),
        projects=len(projects),
        organisations=len(organisations),
    )


def places(
    projects: Iterable[ProjectRow],
    organisations: Iterable[OrganisationRow],
    today: date,
    country: str | None = None,
) -> tuple[Place, ...]:
    """Every region with something published (for one country or all), the most
    projects first, then the most organisations, then by code."""
    recent_quarters = set(last_quarters(today, GROWTH_QUARTERS))
    counted: dict[tuple[str, str | None], list[int]] = {}
    for project in in_country(projects, country):
        found = counted.setdefault((project.country, project.region), [0, 0, 0])
        found[0] += 1
        found[1] += quarter_of(project.published) in recent_quarters
    for organisation in in_country(organisations, country):
        counted.setdefault((organisation.country, organisation.region), [0, 0, 0])[2] += 1
    found = (Place(country, region, *numbers) for (country, region), numbers in counted.items())
    return tuple(
        sorted(found, key=lambda p: (-p.projects, -p.organisations, p.country, p.region or ""))
    )


def stage_moves(
    changes: Iterable[StageChange], today: date, country: str | None = None
) -> tuple[tuple[str, int], ...]:
    """How many projects moved from one stage to another in the last GROWTH_QUARTERS
    quarters, as ("before:after", count), the most frequent first (a project that moved
    twice counts in each of its moves)."""
    recent = set(last_quarters(today, GROWTH_QUARTERS))
    return counts(
        f"{change.before}:{change.after}"
        for change in in_country(changes, country)
        if quarter_of(change.day) in recent
    )
