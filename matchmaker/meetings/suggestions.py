"""Who should I meet: the other participants, with reasons on both sides.

The matcher scores organisations; at an event each person is met for their
organisation (the one they signed up for). For the reader's organisation A and another
participant's organisation B, "why you may want to meet them" is A's partner list scoring
B, and "why they may want to meet you" is B's list scoring A. People are ranked by the
two scores together (a meeting happens when both want it), then by name. Colleagues from
the reader's own organisation are not suggested, nor are people with whom a meeting at an
earlier event led nowhere (by either person's answer to the outcome question); people met
before are labelled with where. A person's opportunities for the event (offers and
requests, `profile`) are added to their organisation's profile before scoring.

Scores are kept in the process per pair of profiles until the register changes, so the
page costs the matcher's time once per pair, not once per view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchmaker.matching.engine import Match, score_pair
from matchmaker.matching.profiles import Profile
from matchmaker.matching.rules import ListKind
from matchmaker.matching.service import organisation_profiles, tag_stats
from matchmaker.meetings.outcomes import History
from matchmaker.meetings.profile import with_opportunities
from matchmaker.meetings.services import Participant
from matchmaker.register import index as register_index

KIND = ListKind.ORGANISATION_PARTNERS
# Pair scores kept in a process (two per pair of people shown): enough for every pair of
# a 300-person event, about 40 MB at most.
MAX_KEPT_SCORES = 100_000


@dataclass
class Suggestion:
    participant: Participant
    for_you: Match | None = None
    for_them: Match | None = None
    met_before: list = field(default_factory=list)  # events where the two met before
    profile: Profile | None = None  # theirs, as the matcher saw it

    @property
    def score(self) -> int:
        return (self.for_you.score if self.for_you else 0) + (
            self.for_them.score if self.for_them else 0
        )


def suggest(
    me: Participant,
    others: list[Participant],
    history: History | None = None,
    opportunities: dict[int, list] | None = None,
) -> list[Suggestion]:
    """Everyone else taking part, best pairing first. With `history` (earlier events):
    people one of the two said a meeting led nowhere with are left out, and people met
    before are labelled with the events where. `opportunities` (by person) add what each
    person offers and seeks at this event to their organisation's profile."""
    history = history or History({}, set())
    opportunities = opportunities or {}
    profiles = organisation_profiles()
    stats = tag_stats()
    scores = register_index.per_change("meeting pair scores", dict)

    def profile_of(person: Participant) -> Profile | None:
        found = profiles.get(person.organisation_id)
        posted = opportunities.get(person.user.id, ())
        return with_opportunities(found, posted) if found and posted else found

    mine = profile_of(me)

    def score(subject: Profile, candidate: Profile) -> Match:
        """Kept per pair of profiles until the register changes (the tag statistics do)."""
        pair = (subject, candidate)
        if pair not in scores:
            if len(scores) >= MAX_KEPT_SCORES:
                scores.clear()
            scores[pair] = score_pair(subject, candidate, KIND, stats)
        return scores[pair]

    def scored(theirs: Profile | None) -> tuple[Match | None, Match | None]:
        if mine is None or theirs is None:
            return None, None
        return score(mine, theirs), score(theirs, mine)

    found = []
    for other in others:
        if other.user.id == me.user.id:
            continue
        if me.organisation_id and other.organisation_id == me.organisation_id:
            continue
        if other.user.id in history.no_follow_up:
            continue
        theirs = profile_of(other)
        for_you, for_them = scored(theirs)
        met = history.met_at.get(other.user.id, [])
        found.append(Suggestion(other, for_you, for_them, met, theirs))
    found.sort(key=lambda s: (-s.score, s.participant.user.name.casefold(), s.participant.user.id))
    return found
