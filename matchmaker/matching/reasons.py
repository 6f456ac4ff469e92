"""Reasons: why a candidate matches, as data for the presentation layer to translate.

A reason is a code and the values that made its rule fire (tag codes, a region code, a
stage, amounts in euros, language codes), never prose: the presentation layer turns it
into a sentence in the reader's language, with taxonomy labels, region names and
formatted amounts. ``REASON_ARGS`` is the complete contract between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

ArgValue = str | int | tuple[str, ...] | None

# code -> argument names, with what each argument holds. "Subject" is whose list it is
# (the reader's project or organisation), "candidate" the item listed.
REASON_ARGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # The candidate offers (capability tags) what the subject needs; tags rarest first.
        # text_tags: those met where the need or the offer was read from a text.
        "offers_needed": ("tags", "text_tags"),
        # The candidate needs what the subject offers; as above.
        "needs_offered": ("tags", "text_tags"),
        # Shared category / specialisation / focus-area tags, rarest first.
        "shared_categories": ("tags",),
        "shared_specialisations": ("tags",),
        "shared_focus_areas": ("tags",),
        # A project seeks (seeks codes) what an organisation of this kind provides.
        # seeker: "subject" (your project seeks it) or "candidate" (their project does).
        "seeks_kind": ("seeks", "kind", "seeker"),
        # Between a project and an investor: the project seeks investment...
        "seeks_investment": (),
        # ...or (negative) says what it seeks, and investment is not among it.
        "seeks_no_investment": ("seeks",),
        # Kinds that complement each other; purpose is one of rules.PURPOSES.
        "complementary_kinds": ("purpose", "subject_kind", "candidate_kind"),
        # The project's stage is among the investor's preferred stages.
        "investor_stage": ("stage",),
        # Negative: it is not; preferred_stages in taxonomy order.
        "stage_not_preferred": ("stage", "preferred_stages"),
        # Ticket against funding sought, in euros; any amount may be None (not stated /
        # no limit). fits and overlaps are positive, too_small / too_large negative.
        "ticket_fits": ("funding_min", "funding_max", "ticket_min", "ticket_max"),
        "ticket_overlaps": ("funding_min", "funding_max", "ticket_min", "ticket_max"),
        "ticket_too_small": ("funding_min", "funding_max", "ticket_min", "ticket_max"),
        "ticket_too_large": ("funding_min", "funding_max", "ticket_min", "ticket_max"),
        # Geography (only the strongest is given). Regions are ISO 3166-2 codes.
        "same_region": ("region",),
        # covered_by: "candidate" (e.g. a cluster covering your region) or "subject".
        "covers_region": ("region", "covered_by"),
        "same_country": ("country",),
        # Different countries and one side asks for partners abroad; wanted_by as above,
        # country is the candidate's.
        "cross_border_wanted": ("wanted_by", "country"),
        # Working languages in common (sorted codes).
        "shared_language": ("languages",),
        # Languages readable one from the other (e.g. Danish and Norwegian), none shared:
        # the subject's and the candidate's of that group (sorted codes).
        "readable_language": ("subject_languages", "candidate_languages"),
        # None shared or readable, but one side works in the bridge language (a code) and
        # the other in a language whose speakers commonly read it: both sides' languages.
        "bridge_language": ("bridge", "subject_languages", "candidate_languages"),
        # Negative: both sides state languages but share none.
        "no_shared_language": ("subject_languages", "candidate_languages"),
        # Negative: like an item the subject's organisation dismissed as not relevant;
        # why: the dismissal reasons it shares ("too_far", "wrong_field", "wrong_stage").
        "like_dismissed": ("why",),
    }
)

_ARG_SETS = {code: frozenset(names) for code, names in REASON_ARGS.items()}


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that fired: its code, its arguments and the points it moved the score by.

    ``points`` is the signed contribution to the 0-100 score (negative for reasons that
    speak against the match); the presentation layer may use it to order or style.
    """

    code: str
    args: Mapping[str, ArgValue] = field(default_factory=dict)
    points: float = 0.0

    def __post_init__(self) -> None:
        expected = _ARG_SETS.get(self.code)
        if expected is None:
            raise ValueError(f"unknown reason code {self.code!r}")
        if self.args.keys() != expected:
            raise ValueError(
                f"reason {self.code!r} takes {REASON_ARGS[self.code]}, got {sorted(self.args)}"
            )
        object.__setattr__(self, "args", MappingProxyType(dict(self.args)))

    @property
    def is_negative(self) -> bool:
        return self.points < 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (tuples become lists), e.g. for a cache of top matches."""
        args = {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in self.args.items()
        }
        return {"code": self.code, "args": args, "points": self.points}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        args = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in data["args"].items()
        }
        return cls(data["code"], args, data["points"])
