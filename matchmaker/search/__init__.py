"""Cross-language free-text search (pure text functions live in :mod:`.text`)."""

from matchmaker.search.text import (
    LANGS,
    analyse,
    document,
    fold,
    fts5_query,
    group_meets,
    label_tokens,
    query_variants,
    stem,
    tokens,
    tsquery,
)

__all__ = [
    "LANGS",
    "analyse",
    "document",
    "fold",
    "fts5_query",
    "group_meets",
    "label_tokens",
    "query_variants",
    "stem",
    "tokens",
    "tsquery",
]
