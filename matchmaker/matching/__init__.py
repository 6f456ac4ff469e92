"""The matcher: who should talk to whom, and why.

Pure and rule-based: ``profiles`` describes what the engine knows of a published item,
``rules.toml`` (loaded by ``rules``) holds every weight and table, ``engine`` scores and
ranks, ``reasons`` defines the structured reasons the presentation layer translates.
Those four need neither Flask nor a database (a test keeps it so). Around them:
``service`` loads profiles and candidates from the public register and pages the lists,
``present`` turns reasons into sentences in the reader's language, ``views`` shows the
lists, and ``models`` holds the "not relevant" dismissals.
"""

from matchmaker.matching.engine import (
    Match,
    MatchContext,
    MatchingError,
    TagStats,
    list_rules,
    rank,
    relevant_tags,
    score_candidates,
    score_pair,
    selection_tags,
)
from matchmaker.matching.profiles import AmountRange, ItemKey, Profile, TagRef, tags_by_role
from matchmaker.matching.reasons import REASON_ARGS, Reason
from matchmaker.matching.rules import ListKind, Rules, RulesError, load_rules, parse_rules

__all__ = [
    "REASON_ARGS",
    "AmountRange",
    "ItemKey",
    "ListKind",
    "Match",
    "MatchContext",
    "MatchingError",
    "Profile",
    "Reason",
    "Rules",
    "RulesError",
    "TagRef",
    "TagStats",
    "list_rules",
    "load_rules",
    "parse_rules",
    "rank",
    "relevant_tags",
    "score_candidates",
    "score_pair",
    "selection_tags",
    "tags_by_role",
]
