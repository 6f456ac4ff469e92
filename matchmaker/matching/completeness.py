"""What a profile lacks for matching, and how much each missing part could weigh.

Pure Python over the rules: for an organisation (of a kind) or a project, each field the
matcher reads, the rules that read it, and the most points of 100 those rules give on
any of the subject's lists (their share of the list's weights). Empty fields count as
unknown, which never scores: the checklist tells the owner what to add, most points
first. Shown to the item's members only, never to the public.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from matchmaker.matching.rules import Rules, load_rules

# Field -> the rules that read it.
FIELD_RULES = {
    "need": ("offers_needed",),
    "capability": ("needs_offered",),
    "category": ("shared_categories",),
    "specialisation": ("shared_specialisations",),
    "focus_area": ("shared_focus_areas",),
    "working_languages": ("shared_language",),
    "region": ("geography",),
    "seeks": ("seeks_kind", "seeks_investment"),
    "stage": ("investor_stage",),
    "funding": ("investor_ticket",),
    "preferred_stage": ("investor_stage",),
    "ticket": ("investor_ticket",),
}
FIELDS = {
    "organisation": ("need", "capability", "category", "specialisation", "focus_area",
                     "working_languages", "region", "preferred_stage", "ticket"),
    "project": ("need", "capability", "category", "specialisation", "seeks", "stage",
                "funding", "region"),
}  # fmt: skip


@dataclass(frozen=True)
class Gap:
    field: str
    points: int  # the most of 100 it can weigh on one of the subject's lists


@dataclass(frozen=True)
class Completeness:
    filled: int
    counted: int  # the fields any of the subject's lists reads
    gaps: tuple[Gap, ...]  # most points first


def completeness(
    item_type: str, org_kind: str, filled: Iterable[str], rules: Rules | None = None
) -> Completeness:
    """The fields of `item_type` (an organisation of `org_kind`, or a project of such an
    organisation) that its lists read; `filled` names those given."""
    rules = rules or load_rules()
    lists = [
        spec
        for spec in rules.lists.values()
        if spec.subject_type == item_type
        and (spec.subject_kinds is None or org_kind in spec.subject_kinds)
    ]
    weights = {}
    for name in FIELDS[item_type]:
        share = max(
            (
                100
                * math.fsum(spec.weights.get(rule, 0) for rule in FIELD_RULES[name])
                / spec.total_weight
                for spec in lists
            ),
            default=0,
        )
        if name == "region":  # without one, the same country still counts
            share *= 1 - rules.geography["same_country"]
        if share > 0:
            weights[name] = round(share)
    filled = set(filled) & set(weights)
    gaps = sorted(
        (Gap(name, points) for name, points in weights.items() if name not in filled),
        key=lambda gap: (-gap.points, FIELDS[item_type].index(gap.field)),
    )
    return Completeness(len(filled), len(weights), tuple(gaps))
