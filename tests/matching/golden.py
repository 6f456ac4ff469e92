"""Golden scenarios of the matcher: read the data files, build the register, score the lists.

Shared by tests/matching/test_golden_scenarios.py and bench/matching_scenarios.py, so both
measure the same register the same way:

- ``load()`` reads tests/matching/scenarios/*.toml (organisations, projects, scenarios and
  the floor);
- ``build_register(data)`` creates every organisation and project through the services, as
  members would, and publishes them through moderation (tests/factories.py), inside the
  caller's app context;
- ``run(data, register)`` asks the real matching service for each scenario's list and
  scores it against the expected top 3.

The figures:
- top-1 accuracy: share of scenarios whose first match is the expected first pick (or, when
  the scenario marks it as tied with others, one of them);
- top-3 recall: mean share of the expected top 3 found in the actual top 3;
- MRR: mean reciprocal rank of the expected first pick in the whole list (0 when absent).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matchmaker.matching import service
from matchmaker.matching.engine import Match
from matchmaker.matching.profiles import ItemKey
from matchmaker.matching.rules import ListKind

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
ORGANISATIONS_FILE = SCENARIO_DIR / "organisations.toml"
PROJECTS_FILE = SCENARIO_DIR / "projects.toml"
SCENARIOS_FILE = SCENARIO_DIR / "scenarios.toml"
FLOOR_FILE = SCENARIO_DIR / "floor.toml"

TOP = 3
METRICS = ("top1", "top3_recall", "mrr")
PROJECT_LISTS = (ListKind.PROJECT_PARTNERS, ListKind.PROJECT_INVESTORS, ListKind.PROJECT_CLUSTERS)
ORGANISATION_LISTS = (ListKind.ORGANISATION_PARTNERS, ListKind.INVESTOR_PROJECTS)

# Organisation fields passed to OrganisationInput as they are in the data file.
_ORG_FIELDS = (
    "name",
    "kind",
    "country",
    "region",
    "city",
    "year_founded",
    "size_band",
    "working_languages",
    "ticket_min_eur",
    "ticket_max_eur",
    "members",
    "cluster_labels",
    "regions_covered",
)
_ORG_TEXTS = ("description", "capabilities_detail", "needs_detail")
_PROJECT_TEXTS = ("title", "summary", "description")


# --- the data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    id: str
    subject: str
    list: ListKind
    expected: tuple[str, ...]
    interchangeable: tuple[frozenset[str], ...] = ()
    themes: tuple[str, ...] = ()
    reason: str = ""

    @property
    def first_picks(self) -> frozenset[str]:
        """The expected first pick, with those the scenario says are tied with it."""
        first = self.expected[0]
        for group in self.interchangeable:
            if first in group:
                return group
        return frozenset((first,))


@dataclass(frozen=True)
class GoldenData:
    organisations: Mapping[str, Mapping[str, Any]]
    projects: Mapping[str, Mapping[str, Any]]
    scenarios: tuple[Scenario, ...]
    floor: Mapping[str, float]

    def item_type(self, key: str) -> str:
        if key in self.organisations:
            return "organisation"
        if key in self.projects:
            return "project"
        raise KeyError(f"{key!r} is neither an organisation nor a project of the register")

    def organisation_of(self, key: str) -> str:
        """The organisation key of an item: itself, or a project's owner."""
        return key if key in self.organisations else self.projects[key]["owner"]


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load() -> GoldenData:
    scenarios = tuple(
        Scenario(
            id=raw["id"],
            subject=raw["subject"],
            list=ListKind(raw["list"]),
            expected=tuple(raw["expected"]),
            interchangeable=tuple(frozenset(group) for group in raw.get("interchangeable", ())),
            themes=tuple(raw.get("themes", ())),
            reason=" ".join(raw.get("reason", "").split()),
        )
        for raw in _read(SCENARIOS_FILE)["scenarios"]
    )
    floor = _read(FLOOR_FILE)
    return GoldenData(
        organisations=_read(ORGANISATIONS_FILE)["organisations"],
        projects=_read(PROJECTS_FILE)["projects"],
        scenarios=scenarios,
        floor={metric: float(floor[metric]) for metric in METRICS},
    )


# --- the register ---------------------------------------------------------------------


@dataclass
class Register:
    """Data keys and the register's item keys, both ways."""

    items: dict[str, ItemKey] = field(default_factory=dict)
    keys: dict[ItemKey, str] = field(default_factory=dict)

    def add(self, key: str, item: ItemKey) -> None:
        self.items[key] = item
        self.keys[item] = key


def organisation_input(spec: Mapping[str, Any]) -> dict[str, Any]:
    """make_organisation() fields for one organisation of the data file."""
    fields = {name: spec.get(name) for name in _ORG_FIELDS if name in spec}
    fields.setdefault("region", None)
    fields.setdefault("working_languages", [])
    fields["original_language"] = spec["language"]
    fields["texts"] = {spec["language"]: {name: spec.get(name, "") for name in _ORG_TEXTS}}
    fields["tags"] = {role: list(codes) for role, codes in spec.get("tags", {}).items()}
    return fields


def project_input(spec: Mapping[str, Any], owner: Mapping[str, Any]) -> dict[str, Any]:
    """make_project() fields for one project of the data file."""
    region = spec.get("region", owner.get("region"))
    return {
        "stage": spec["stage"],
        "country": owner["country"],
        "region": region or None,
        "original_language": spec["language"],
        "funding_min_eur": spec.get("funding_min_eur"),
        "funding_max_eur": spec.get("funding_max_eur"),
        "texts": {spec["language"]: {name: spec.get(name, "") for name in _PROJECT_TEXTS}},
        "tags": {role: list(codes) for role, codes in spec.get("tags", {}).items()},
    }


def build_register(data: GoldenData) -> Register:
    """Create and publish every organisation, then every project (needs an app context)."""
    from tests.factories import (
        UserFactory,
        make_organisation,
        make_project,
        publish,
        sync_taxonomy,
    )

    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory()  # one member owns them all: the matcher looks at organisations
    register = Register()
    organisations = {}
    for key, spec in data.organisations.items():
        organisation = make_organisation(owner, **organisation_input(spec))
        publish("organisation", organisation, moderator)
        organisations[key] = organisation
        register.add(key, ItemKey("organisation", organisation.id))
    for key, spec in data.projects.items():
        owner_spec = data.organisations[spec["owner"]]
        project = make_project(organisations[spec["owner"]], **project_input(spec, owner_spec))
        publish("project", project, moderator)
        register.add(key, ItemKey("project", project.id))
    return register


# --- running and scoring --------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    matches: tuple[tuple[str, Match], ...]  # the whole list: (data key, match), best first

    @property
    def actual(self) -> tuple[str, ...]:
        return tuple(key for key, _match in self.matches)

    @property
    def top1(self) -> bool:
        return bool(self.actual) and self.actual[0] in self.scenario.first_picks

    @property
    def found(self) -> frozenset[str]:
        """Expected items that are in the actual top 3."""
        return frozenset(self.scenario.expected) & frozenset(self.actual[:TOP])

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.scenario.expected)

    @property
    def first_pick_rank(self) -> int | None:
        for rank, key in enumerate(self.actual, start=1):
            if key in self.scenario.first_picks:
                return rank
        return None

    @property
    def reciprocal_rank(self) -> float:
        rank = self.first_pick_rank
        return 1 / rank if rank else 0.0

    def rank_of(self, key: str) -> int | None:
        return self.actual.index(key) + 1 if key in self.actual else None

    def match_of(self, key: str) -> Match | None:
        return next((match for found, match in self.matches if found == key), None)


def _page(kind: ListKind, item: ItemKey, page: int) -> service.MatchPage | None:
    if kind is ListKind.INVESTOR_PROJECTS:
        return service.recommended_projects(item.item_id, page)
    if kind in ORGANISATION_LISTS:
        return service.matches_for_organisation(item.item_id, kind, page)
    return service.matches_for_project(item.item_id, kind, page)


def ranked(register: Register, scenario: Scenario) -> tuple[tuple[str, Match], ...]:
    """The subject's whole list through the service, page by page."""
    item = register.items[scenario.subject]
    found: list[tuple[str, Match]] = []
    page_number, pages = 1, 1
    while page_number <= pages:
        page = _page(scenario.list, item, page_number)
        if page is None:
            raise LookupError(f"{scenario.id}: {scenario.subject} has no {scenario.list} list")
        found += [(register.keys[entry.match.key], entry.match) for entry in page.items]
        pages, page_number = page.pages, page_number + 1
    return tuple(found)


def run(data: GoldenData, register: Register) -> list[Result]:
    return [Result(scenario, ranked(register, scenario)) for scenario in data.scenarios]


def summary(results: Iterable[Result]) -> dict[str, float]:
    results = list(results)
    count = len(results)
    return {
        "top1": math.fsum(result.top1 for result in results) / count,
        "top3_recall": math.fsum(result.recall for result in results) / count,
        "mrr": math.fsum(result.reciprocal_rank for result in results) / count,
        "scenarios": count,
    }


def summary_line(figures: Mapping[str, float]) -> str:
    return (
        f"top1={figures['top1']:.3f} top3_recall={figures['top3_recall']:.3f} "
        f"mrr={figures['mrr']:.3f} scenarios={figures['scenarios']}"
    )


def _reason_codes(match: Match | None) -> str:
    if match is None:
        return "not in the list"
    codes = ", ".join(reason.code for reason in match.reasons)
    return f"score {match.score}: {codes}"


def report(result: Result, *, explain: bool = False) -> list[str]:
    """A few lines on one scenario: hit or miss, expected against actual top 3."""
    scenario = result.scenario
    verdict = "HIT " if result.top1 else "MISS"
    rank = result.first_pick_rank
    lines = [
        f"[{verdict}] {scenario.id} ({scenario.list.value} of {scenario.subject}): "
        f"top-3 {len(result.found)}/{len(scenario.expected)}, "
        f"first pick at {rank if rank else '-'} of {len(result.actual)}",
        "    expected: " + ", ".join(scenario.expected),
        "    actual:   "
        + (
            ", ".join(f"{key} ({match.score})" for key, match in result.matches[:TOP])
            or "(empty list)"
        ),
    ]
    if explain:
        shown = dict.fromkeys((*result.actual[:TOP], *scenario.expected))
        for key in shown:
            mark = "*" if key in scenario.expected else " "
            lines.append(
                f"      {mark} {key} at {result.rank_of(key) or '-'}: "
                + _reason_codes(result.match_of(key))
            )
    return lines
