"""Suggest taxonomy tags from free text, in whichever of the four languages it is written.

Pure: a tag is suggested when the words of one of its keywords (stemmed in the keyword's
language) appear in the text (stemmed in the text's language) together, as a phrase: all
within a few words of one another (PHRASE_SLACK), in any order, so that "kliniczna
walidacja" meets "walidacji klinicznej" but "test bed" does not fire on a text that
mentions a test in one sentence and a hospital bed in the next.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from functools import cache

from matchmaker.search import analyse
from matchmaker.taxonomy import LANGUAGES, load_taxonomy

# Words a multi-word keyword's words may be spread over beyond its own length ("validation
# of the clinical ..."; a hyphenated word counts as three: its parts and the whole).
PHRASE_SLACK = 2


@cache
def _keyword_index(vocabularies: tuple[str, ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    taxonomy = load_taxonomy()
    index = []
    for vocabulary in vocabularies:
        for tag in taxonomy.by_vocabulary(vocabulary):
            for lang in LANGUAGES:
                for keyword in tag.keywords.get(lang, ()):
                    tokens = frozenset(analyse(keyword, lang))
                    if tokens:
                        index.append((tag.code, tokens))
    return tuple(index)


def suggest(texts: dict[str, str], vocabularies: tuple[str, ...], limit: int = 8) -> list[str]:
    """Tag codes whose keywords occur in `texts` ({lang: text}), most often matched first."""
    positions: dict[str, list[int]] = {}  # each word's places, the texts one after another
    start = 0
    for lang, text in texts.items():
        if text and lang in LANGUAGES:
            words = analyse(text, lang)
            for at, word in enumerate(words, start=start):
                positions.setdefault(word, []).append(at)
            start += len(words) + PHRASE_SLACK + 1  # no phrase across two texts
    if not positions:
        return []
    hits: Counter[str] = Counter()
    for code, tokens in _keyword_index(vocabularies):
        if tokens <= positions.keys() and _together(tokens, positions):
            hits[code] += 1
    order = load_taxonomy()
    return [
        code
        for code, _count in sorted(
            hits.items(), key=lambda item: (-item[1], order.get(item[0]).position, item[0])
        )
    ][:limit]


def _together(tokens: frozenset[str], positions: Mapping[str, list[int]]) -> bool:
    """Whether the tokens occur within len(tokens) + PHRASE_SLACK consecutive words."""
    if len(tokens) == 1:
        return True
    span = len(tokens) + PHRASE_SLACK

    def within(token: str, start: int) -> bool:  # a place of token in start .. start+span-1
        places = positions[token]  # in ascending order
        at = bisect_left(places, start)
        return at < len(places) and places[at] < start + span

    return any(
        all(within(token, start) for token in tokens)
        for first in tokens
        for start in positions[first]
    )


# Words that make a sentence ask for something, per language (lower case): in a text
# that mixes both, such a sentence tells a need, any other an offer.
NEED_CUES = {
    "en": ("we need", "need a", "we are looking", "looking for", "we seek", "seeking",
           "we want", "we would like", "we'd like", "in search of", "we lack"),
    "pl": ("szukamy", "poszukujemy", "potrzebujemy", "chcemy", "brakuje nam", "szuka ",
           "potrzebuje", "poszukuje"),
    "da": ("søger", "har brug for", "mangler", "vil gerne", "ønsker", "leder efter"),
    "nb": ("søker", "trenger", "ser etter", "ønsker", "vil gjerne", "mangler"),
}  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def needs_and_offers(
    texts: Mapping[str, Mapping[str, str | None]],
    needs_fields: tuple[str, ...],
    offers_fields: tuple[str, ...],
    mixed_fields: tuple[str, ...],
) -> tuple[dict[str, str], dict[str, str]]:
    """What texts ({lang: {field: text}}) say is needed and what is offered, per language:
    the needs fields, the offers fields, and the sentences of the mixed fields sorted by
    NEED_CUES."""
    needs: dict[str, list[str]] = {}
    offers: dict[str, list[str]] = {}
    for lang, values in texts.items():
        needs[lang] = [values.get(name) or "" for name in needs_fields]
        offers[lang] = [values.get(name) or "" for name in offers_fields]
        cues = NEED_CUES.get(lang, NEED_CUES["en"])
        for name in mixed_fields:
            for sentence in SENTENCE_END.split(values.get(name) or ""):
                asking = any(cue in sentence.lower() for cue in cues)
                (needs if asking else offers)[lang].append(sentence)
    return (
        {lang: " ".join(parts) for lang, parts in needs.items()},
        {lang: " ".join(parts) for lang, parts in offers.items()},
    )
