"""Pure text analysis for the cross-language free-text search.

Documents are stored as strings of stemmed, ASCII-folded tokens separated by spaces, one per
item and language, so that both SQLite FTS5 (tokenizer ``unicode61``) and PostgreSQL
(``to_tsvector('simple', content)``) index exactly our tokens and nothing else. The user's
language is unknown at query time, so every query word is stemmed with all four stemmers and
a document matches a word if it holds any of the variants. No Flask or SQLAlchemy here.

Every token we emit matches ``[a-z0-9]+``: that is what makes the generated FTS5 and
tsquery expressions safe whatever the user types.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator

import snowballstemmer

LANGS = ("pl", "en", "da", "nb")

MAX_TOKEN_LEN = 40
MAX_QUERY_WORDS = 12
MAX_DOCUMENT_TOKENS = 20_000
# A query is at most 12 words of 40 characters; anything beyond this is never looked at.
_MAX_QUERY_CHARS = 2_000

_SNOWBALL = {"pl": "polish", "en": "english", "da": "danish", "nb": "norwegian"}

# Letters that NFKD does not decompose into an ASCII base letter plus combining marks.
# å needs no entry: NFKD gives a + ring, so it folds to "a".
_FOLD_TABLE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",  # dotless i
    }
)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# A word is a run of letters/digits; hyphenated runs ("e-health", "covid-19") stay together.
_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_HYPHEN = re.compile(r"[-\u2010\u2011]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[a-z0-9]+\Z")

_local = threading.local()


def fold(text: str) -> str:
    """Casefold and fold diacritics so users can type without Polish/Nordic letters.

    Choice: ą→a, ć→c, ę→e, ł→l, ń→n, ó→o, ś→s, ź/ż→z, å→a, æ→ae, ø→o, ß→ss; every other
    combining mark is dropped after NFKD (which also turns ligatures and full-width forms into
    ASCII). So "læge" and "laege" meet, "Łódź" and "lodz" meet, "Århus" becomes "arhus" (the
    old spelling "Aarhus" does not meet it; users type the modern one). Letters of other
    scripts are kept as they are; :func:`tokens` ignores them.
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    return _COMBINING.sub("", text).translate(_FOLD_TABLE)


def _words(text: str, *, split_hyphens: bool = True) -> Iterator[str]:
    """Lowercase words with their diacritics kept (the stemmers need them), each ≤ 40 chars.

    A hyphenated word yields its parts and then the joined form ("e-health" → "e", "health",
    "ehealth"), or only the joined form when ``split_hyphens`` is false (queries: the joined
    form is in every document that has the hyphenated word, and also in those writing it
    as one word).
    """
    text = _COMBINING.sub("", unicodedata.normalize("NFC", text.casefold()))
    for match in _WORD.finditer(text):
        parts = _HYPHEN.split(match.group())
        if split_hyphens and len(parts) > 1:
            for part in parts:
                yield part[:MAX_TOKEN_LEN]
        yield "".join(parts)[:MAX_TOKEN_LEN]


def _ascii_tokens(word: str) -> list[str]:
    """Fold a word (or stem) to [a-z0-9] tokens; single letters are noise ("i", "w", "a")."""
    return [
        token[:MAX_TOKEN_LEN]
        for token in _ASCII_WORD.findall(fold(word))
        if len(token) > 1 or token.isdigit()
    ]


def tokens(text: str) -> list[str]:
    """Folded, unstemmed tokens: [a-z0-9]+, at most 40 characters, no single letters.

    Single digits are kept ("phase 3"), single letters dropped, in documents and queries
    alike, so "e-health" gives ["health", "ehealth"].
    """
    return [token for word in _words(text) for token in _ascii_tokens(word)]


def _stemmer(lang: str) -> snowballstemmer.BaseStemmer:
    """One stemmer per thread and language: snowball stemmers keep state while stemming."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if lang not in stemmers:
        stemmers[lang] = snowballstemmer.stemmer(_SNOWBALL[lang])
    return stemmers[lang]


@functools.lru_cache(maxsize=65_536)
def stem(token: str, lang: str) -> str:
    """Stem a lowercase word *with its diacritics* (fold the result, not the input).

    Danish and Norwegian snowball stemmers leave the adjective suffix -sk
    ("telemedicinsk", "teknologisk"); we strip it when at least five letters remain, so the
    adjective meets its noun ("telemedicin", "teknologi") while "dansk" or "norsk" stay.
    Raises ValueError for a language outside :data:`LANGS`.
    """
    if lang not in _SNOWBALL:
        raise ValueError(f"unsupported language: {lang!r}")
    result = _stemmer(lang).stemWord(token)
    if lang in ("da", "nb") and result.endswith("sk") and len(result) >= 7:
        result = result[:-2]
    return result


def _analyse_iter(text: str, lang: str) -> Iterator[str]:
    for word in _words(text):
        yield from _ascii_tokens(stem(word, lang))


def _document_iter(text: str, lang: str) -> Iterator[str]:
    """Each word's stem, and its folded form when that differs.

    The folded form lets a query typed without diacritics ("pacjentow") find a word the
    stemmer only recognises with them ("pacjentów"): the query's variants include the
    plain folded word.
    """
    for word in _words(text):
        stemmed = _ascii_tokens(stem(word, lang))
        yield from stemmed
        for token in _ascii_tokens(word):
            if token not in stemmed:
                yield token


def analyse(text: str, lang: str) -> list[str]:
    """Document tokens: each word stemmed in ``lang`` first, then folded to [a-z0-9]+."""
    return list(_analyse_iter(text, lang))


def document(texts: dict[str, list[str]]) -> dict[str, str]:
    """Search content per language the item is written in.

    ``texts`` maps a language to the item's texts in it (title, summary, ...); languages
    whose texts are all blank get no document. Each document is capped at 20,000 tokens.
    Tags are not part of the documents: a query word that names a tag in any language
    (see :func:`label_tokens`) matches the items carrying the tag through the register's
    tag index, which keeps the documents small and the word's matches precise.
    """
    documents = {}
    for lang, parts in texts.items():
        if lang not in LANGS:
            raise ValueError(f"unsupported language: {lang!r}")
        if not any(part and part.strip() for part in parts):
            continue
        text_tokens = itertools.islice(
            (token for part in parts if part for token in _document_iter(part, lang)),
            MAX_DOCUMENT_TOKENS,
        )
        documents[lang] = " ".join(text_tokens)
    return documents


# Words that join a label's parts ("E-health and telemedicine", "Badania i rozwój"): a query
# word like "and" must not match every tag that has one.
_LABEL_STOPWORDS = frozenset(
    {"and", "or", "of", "for", "the", "in", "on", "with", "to"}  # en
    | {"og", "eller", "af", "av", "til", "med", "pa", "for"}  # da, nb (på folds to pa)
    | {"oraz", "lub", "dla", "na", "do", "ze", "we"}  # pl
)


def label_tokens(labels: Iterable[str]) -> frozenset[str]:
    """Every token a tag's labels give under any of the four stemmers, plus folded words.

    Compared with a query's variants by :func:`group_meets`, this lets "telemedycyna",
    "telemedicin" or "telemedicine" find the items tagged *e-health and telemedicine*
    whatever language their texts are in. Joining words ("and", "og", "oraz") are left out.
    """
    found: set[str] = set()
    for label in labels:
        for lang in LANGS:
            found.update(_document_iter(label, lang))
    return frozenset(found - _LABEL_STOPWORDS)


def group_meets(group: Iterable[str], tokens: frozenset[str], prefix: bool = False) -> bool:
    """Whether one query word (its variants) is among ``tokens``; as a prefix if asked."""
    if prefix:
        return any(token.startswith(variant) for variant in group for token in tokens)
    return any(variant in tokens for variant in group)


def query_variants(user_input: str) -> list[list[str]]:
    """Per query word (≤ 12), the sorted variants: the folded word and its four stems.

    Never raises; returns [] or lists of [a-z0-9]+ tokens only, whatever the input
    (operators, quotes, SQL, emoji, NUL bytes are just separators or dropped).
    """
    if not isinstance(user_input, str):
        return []
    groups: list[list[str]] = []
    for word in _words(user_input[:_MAX_QUERY_CHARS], split_hyphens=False):
        variants = set(_ascii_tokens(word))
        if not variants:
            continue
        for lang in LANGS:
            variants.update(_ascii_tokens(stem(word, lang)))
        groups.append(sorted(variants))
        if len(groups) == MAX_QUERY_WORDS:
            break
    return groups


def _clean(variants: Iterable[Iterable[str]]) -> list[list[str]]:
    """Keep only [a-z0-9]+ tokens and non-empty groups: the safety of the builders below."""
    groups = [
        [tok for tok in group if isinstance(tok, str) and _TOKEN.match(tok)] for group in variants
    ]
    return [group for group in groups if group]


def fts5_query(variants: list[list[str]], prefix_last: bool = True) -> str | None:
    """FTS5 MATCH expression: AND of groups, each an OR of quoted tokens.

    With ``prefix_last`` the last group (the word still being typed) uses prefix forms
    ``"tok"*`` instead, which also match the whole token. None when there is nothing to match.
    """
    groups = _clean(variants)
    if not groups:
        return None
    rendered = []
    for index, group in enumerate(groups):
        suffix = "*" if prefix_last and index == len(groups) - 1 else ""
        rendered.append("(" + " OR ".join(f'"{tok}"{suffix}' for tok in group) + ")")
    return " AND ".join(rendered)


def tsquery(variants: list[list[str]], prefix_last: bool = True) -> str | None:
    """The same for PostgreSQL ``to_tsquery('simple', ...)``: ``(a | b) & (c:* | d:*)``."""
    groups = _clean(variants)
    if not groups:
        return None
    rendered = []
    for index, group in enumerate(groups):
        suffix = ":*" if prefix_last and index == len(groups) - 1 else ""
        rendered.append("(" + " | ".join(f"{tok}{suffix}" for tok in group) + ")")
    return " & ".join(rendered)
