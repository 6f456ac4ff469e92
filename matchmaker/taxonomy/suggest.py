"""Suggest taxonomy tags from free text, in whichever of the four languages it is written.

Pure: a tag is suggested when every word of one of its keywords (stemmed in the
keyword's language) appears in the text (stemmed in the text's language).
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from matchmaker.search import analyse
from matchmaker.taxonomy import LANGUAGES, load_taxonomy


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
    words: set[str] = set()
    for lang, text in texts.items():
        if text and lang in LANGUAGES:
            words.update(analyse(text, lang))
    if not words:
        return []
    hits: Counter[str] = Counter()
    for code, tokens in _keyword_index(vocabularies):
        if tokens <= words:
            hits[code] += 1
    order = load_taxonomy()
    return [
        code
        for code, _count in sorted(
            hits.items(), key=lambda item: (-item[1], order.get(item[0]).position, item[0])
        )
    ][:limit]
