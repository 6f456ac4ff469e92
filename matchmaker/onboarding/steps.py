"""Where a member stands in setting up: which of the four steps are done.

Plain Python over a `Situation` read from the database (services.situation_of): no
Flask, no queries. A step is done by what the member has, not by pages visited, so the
path can be left at any point and taken up again where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = ("organisation", "describe", "preview", "submit")
SUBMITTED = ("submitted", "published")


@dataclass(frozen=True)
class Situation:
    """The organisation a member sets up (the first they own, else the first they belong
    to) and what it has; `joining`: the name of an organisation they asked to join."""

    organisation_id: int | None = None
    organisation_name: str = ""
    status: str | None = None  # draft, submitted, returned, rejected, published
    published_before: bool = False  # a version of it is public
    has_category: bool = False
    has_offer_or_need: bool = False
    joining: str | None = None


@dataclass(frozen=True)
class Step:
    code: str
    done: bool


def progress(situation: Situation) -> list[Step]:
    """The four steps, each done or not. Once the organisation has been published, the
    first steps are behind it (what its profile lacks is the checklist's business)."""
    has_organisation = situation.organisation_id is not None
    submitted = situation.published_before or situation.status in SUBMITTED
    described = has_organisation and (
        situation.published_before or (situation.has_category and situation.has_offer_or_need)
    )
    done = {
        "organisation": has_organisation,
        "describe": described,
        # Looking is never required: the step is behind once the profile went to review.
        "preview": submitted,
        "submit": submitted,
    }
    return [Step(code, done[code]) for code in STEPS]


def current(steps: list[Step]) -> str | None:
    """The first step not done (None when all are)."""
    return next((step.code for step in steps if not step.done), None)


def left(steps: list[Step]) -> int:
    return sum(1 for step in steps if not step.done)
