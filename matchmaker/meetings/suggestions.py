"""Who should I meet: the other participants, with reasons on both sides.

The matcher scores organisations; at an event each person is met for their
organisation (the one they signed up for). For the reader's organisation A and another
participant's organisation B, "why you may want to meet them" is A's partner list scoring
B, and "why they may want to meet you" is B's list scoring A. People are ranked by the
two scores together (a meeting happens when both want it), then by name. Colleagues from
the reader's own organisation are not suggested, nor are people with whom a meeting at an
earlier event led nowhere (by either person's answer to the outcome question); people met
before are labelled with where.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.matching.engine import Match, score_pair
from matchmaker.matching.rules import ListKind
from matchmaker.matching.service import published_profiles, tag_stats
from matchmaker.meetings.outcomes import History
from matchmaker.meetings.services import Participant

KIND = ListKind.ORGANISATION_PARTNERS


@dataclass
class Suggestion:
    participant: Participant
    for_you: Match | None = None
    for_them: Match | None = None
    met_before: list = field(default_factory=list)  # events where the two met before

    @property
    def score(self) -> int:
        return (self.for_you.score if self.for_you else 0) + (
            self.for_them.score if self.for_them else 0
        )


def suggest(
    me: Participant, others: list[Participant], history: History | None = None
) -> list[Suggestion]:
    """Everyone else taking part, best pairing first. With `history` (earlier events):
    people one of the two said a meeting led nowhere with are left out, and people met
    before are labelled with the events where."""
    history = history or History({}, set())
    ids = {p.organisation_id for p in (me, *others) if p.organisation_id}
    profiles = published_profiles("organisation", ids)
    stats = tag_stats()
    mine = profiles.get(me.organisation_id)
    pairs: dict[int, tuple[Match | None, Match | None]] = {}  # by organisation: scored once

    def scored(organisation_id: int | None) -> tuple[Match | None, Match | None]:
        theirs = profiles.get(organisation_id)
        if mine is None or theirs is None:
            return None, None
        if organisation_id not in pairs:
            pairs[organisation_id] = (
                score_pair(mine, theirs, KIND, stats),
                score_pair(theirs, mine, KIND, stats),
            )
        return pairs[organisation_id]

    found = []
    for other in others:
        if other.user.id == me.user.id:
            continue
        if me.organisation_id and other.organisation_id == me.organisation_id:
            continue
        if other.user.id in history.no_follow_up:
            continue
        for_you, for_them = scored(other.organisation_id)
        met = history.met_at.get(other.user.id, [])
        found.append(Suggestion(other, for_you, for_them, met))
    found.sort(key=lambda s: (-s.score, s.participant.user.name.casefold(), s.participant.user.id))
    return found
