"""What the matcher knows of a published organisation or project.

A Profile is built by the matching service from the public register (``register_entry``
for the columns, ``register_entry_tag`` for the tags, ``register_entry_language`` and the
approved snapshot for the rest), never from drafts. It carries no free text: matching
works on taxonomy tags only, which is what makes it independent of the language a
profile is written in.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from matchmaker.taxonomy import load_taxonomy

ITEM_TYPES = ("organisation", "project")

# Tag roles of the register and the taxonomy vocabulary each one draws from: the union of
# ORG_TAG_ROLES (organisations) and PROJECT_TAG_ROLES (projects). Repeated here so this
# package does not import the ORM; a test keeps the two in step.
ROLE_VOCABULARIES: Mapping[str, str] = MappingProxyType(
    {
        "capability": "capability",
        "need": "capability",
        "category": "category",
        "specialisation": "specialisation",
        "focus_area": "focus_area",
        "preferred_stage": "stage",
        "seeks": "seeks",
        # Read from the texts at publication (register.services), not chosen by the owner:
        # what an organisation's needs text or a project's text asks for, and what an
        # organisation's description and capabilities text or a project's text offers.
        "need_text": "capability",
        "capability_text": "capability",
    }
)
TAG_ROLES = tuple(ROLE_VOCABULARIES)

# Pseudo-role: a project's stage, usable on the subject side of a list's match_tags.
STAGE_ROLE = "stage"

_EMPTY: frozenset[str] = frozenset()


class ItemKey(NamedTuple):
    """Identifies a register item; also the stable tie-breaker of every ranking."""

    item_type: str
    item_id: int


class TagRef(NamedTuple):
    """A tag in a role, as stored in ``register_entry_tag`` (role, tag code)."""

    role: str
    code: str


@dataclass(frozen=True, slots=True)
class AmountRange:
    """An amount range in euros; None on one end means open on that side.

    At least one end is stated: "nothing stated" is no range at all (see from_bounds).
    """

    low: int | None = None
    high: int | None = None

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("an amount range needs at least one end; use None for no range")
        for value in (self.low, self.high):
            if value is not None and value < 0:
                raise ValueError(f"negative amount in {self}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"amount range {self.low}..{self.high} is reversed")

    @classmethod
    def from_bounds(cls, low: int | None, high: int | None) -> AmountRange | None:
        """A range from two nullable columns; None when both are empty (nothing stated)."""
        if low is None and high is None:
            return None
        return cls(low, high)


@functools.cache
def organisation_kinds() -> frozenset[str]:
    """The taxonomy's organisation kinds."""
    return frozenset(tag.code for tag in load_taxonomy().by_vocabulary("org_kind"))


def normalise_language(code: str) -> str:
    """Lower-case language code, with Norwegian 'no'/'nn' counted as Bokmål 'nb'."""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return "nb" if code in ("no", "nn") else code


@dataclass(frozen=True, slots=True)
class Profile:
    """A published organisation or project, as the matcher needs it.

    - ``organisation_id``: the organisation itself, or the project's owner (used to leave
      out one's own organisation and declined pairs).
    - ``org_kind``: a taxonomy ``org_kind`` code; for a project, its owner's kind.
    - ``languages``: working languages. For an organisation its ``working_languages``;
      for a project its owner's working languages (plus those it is written in).
    - ``tags``: role -> tag codes, roles as in ``register_entry_tag`` (see TAG_ROLES).
    - ``stage``, ``funding``: a project's stage and funding sought.
    - ``ticket``: an investor's ticket range (its preferred stages are tags).
    - ``regions_covered``: region codes a cluster (or anyone) serves.

    Iterables are accepted for the set-valued fields and frozen on construction.
    """

    key: ItemKey
    organisation_id: int
    org_kind: str
    country: str
    region: str | None = None
    languages: frozenset[str] = _EMPTY
    tags: Mapping[str, frozenset[str]] = field(default_factory=dict)
    stage: str | None = None
    funding: AmountRange | None = None
    ticket: AmountRange | None = None
    regions_covered: frozenset[str] = _EMPTY

    def __post_init__(self) -> None:
        key = ItemKey(*self.key)
        if key.item_type not in ITEM_TYPES:
            raise ValueError(f"unknown item type {key.item_type!r}; expected one of {ITEM_TYPES}")
        if self.org_kind not in organisation_kinds():
            raise ValueError(f"{key}: unknown organisation kind {self.org_kind!r}")
        unknown_roles = set(self.tags) - set(TAG_ROLES)
        if unknown_roles:
            raise ValueError(f"{key}: unknown tag roles {sorted(unknown_roles)}")
        tags = {role: frozenset(codes) for role, codes in self.tags.items() if codes}
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "tags", MappingProxyType(tags))
        object.__setattr__(
            self, "languages", frozenset(normalise_language(lang) for lang in self.languages)
        )
        object.__setattr__(self, "regions_covered", frozenset(self.regions_covered))

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def is_project(self) -> bool:
        return self.key.item_type == "project"

    def tag_codes(self, role: str) -> frozenset[str]:
        """Codes in one role; the pseudo-role "stage" gives the project's stage."""
        if role == STAGE_ROLE:
            return frozenset((self.stage,)) if self.stage else _EMPTY
        return self.tags.get(role, _EMPTY)


def project_region(
    region: str | None, country: str, owner: tuple[str, str | None] | None
) -> str | None:
    """A project's region for matching: its own, else its organisation's (``owner``, the
    published organisation's country and region) when both are in one country. A project
    that names no region is run from where its organisation is. (The service applies it
    to the full scan's profiles and to the index's rows alike.)"""
    if region or owner is None:
        return region
    owner_country, owner_region = owner
    return owner_region if owner_country == country else None


def tags_by_role(rows: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Group (role, code) rows, e.g. from ``register_entry_tag`` joined to ``tag``."""
    grouped: dict[str, set[str]] = {}
    for role, code in rows:
        grouped.setdefault(role, set()).add(code)
    return {role: frozenset(codes) for role, codes in grouped.items()}
