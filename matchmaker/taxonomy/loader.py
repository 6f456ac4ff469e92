"""Pure loader for the taxonomy data file.

Deliberately free of Flask and SQLAlchemy so the vocabulary can be read and validated
anywhere (tests, scripts, the matcher) without an application or a database.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

LANGUAGES: tuple[str, ...] = ("pl", "en", "da", "nb")
"""Languages every label and keyword list must exist in."""

VOCABULARIES: tuple[str, ...] = (
    "org_kind",
    "stage",
    "seeks",
    "category",
    "focus_area",
    "specialisation",
    "capability",
)
"""Known vocabulary names; a tag naming anything else is a typo, not a new vocabulary."""

DEFAULT_PATH = Path(__file__).parent / "data" / "taxonomy.toml"

_CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_CODE_MAX = 80  # matches Tag.code String(80)


class TaxonomyError(ValueError):
    """The taxonomy data file is malformed; the message names the file and the tag."""


@dataclass(frozen=True, slots=True)
class TagDef:
    """One tag as defined in the data file (immutable: the loaded taxonomy is shared/cached)."""

    code: str
    vocabulary: str
    labels: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]
    position: int

    def label(self, lang: str) -> str:
        """Label in ``lang``, falling back to English."""
        return self.labels.get(lang) or self.labels["en"]

    def labels_dict(self) -> dict[str, str]:
        """Plain, JSON-serialisable copy of the labels."""
        return {lang: self.labels[lang] for lang in LANGUAGES}

    def keywords_dict(self) -> dict[str, list[str]]:
        """Plain, JSON-serialisable copy of the keywords."""
        return {lang: list(self.keywords[lang]) for lang in LANGUAGES}


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """A whole versioned taxonomy: tags in file order."""

    version: str
    tags: tuple[TagDef, ...]

    def by_vocabulary(self, name: str) -> tuple[TagDef, ...]:
        """Tags of one vocabulary in display order (empty for an unknown name)."""
        return tuple(
            sorted((t for t in self.tags if t.vocabulary == name), key=lambda t: t.position)
        )

    def get(self, code: str) -> TagDef | None:
        """The tag with this code, or None."""
        for tag in self.tags:
            if tag.code == code:
                return tag
        return None

    @property
    def codes(self) -> frozenset[str]:
        """All codes, for membership checks."""
        return frozenset(t.code for t in self.tags)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; the shipped file (``path=None``) is parsed once and cached.

    Raises TaxonomyError if the file is missing, not TOML, or any tag is incomplete.
    """
    if path is None:
        return _load_default()
    return _load(Path(path))


@functools.cache
def _load_default() -> Taxonomy:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Taxonomy:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise TaxonomyError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: invalid TOML: {exc}") from exc
    return parse_taxonomy(raw, source=str(path))


def parse_taxonomy(raw: Mapping[str, Any], source: str = "<taxonomy>") -> Taxonomy:
    """Validate already-parsed TOML data and build a Taxonomy (``source`` only names it in errors)."""
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise TaxonomyError(f'{source}: missing top-level version = "..." string')
    entries = raw.get("tags")
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{source}: no [[tags]] entries")

    tags: list[TagDef] = []
    seen: set[str] = set()
    positions: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        where = f"{source}: tag #{index}"
        if not isinstance(entry, Mapping):
            raise TaxonomyError(f"{where}: not a table")
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE_RE.match(code) or len(code) > _CODE_MAX:
            raise TaxonomyError(f"{where}: code {code!r} is not lowercase ascii snake_case")
        where = f"{source}: tag {code!r}"
        if code in seen:
            raise TaxonomyError(f"{where}: duplicate code")
        seen.add(code)

        vocabulary = entry.get("vocabulary")
        if vocabulary not in VOCABULARIES:
            raise TaxonomyError(
                f"{where}: unknown vocabulary {vocabulary!r} (known: {', '.join(VOCABULARIES)})"
            )

        unknown_keys = set(entry) - {"code", "vocabulary", "labels", "keywords"}
        if unknown_keys:
            raise TaxonomyError(f"{where}: unknown keys {sorted(unknown_keys)}")

        labels = _parse_labels(entry.get("labels"), where)
        keywords = _parse_keywords(entry.get("keywords"), where)
        position = positions.get(vocabulary, 0)
        positions[vocabulary] = position + 1
        tags.append(
            TagDef(
                code=code,
                vocabulary=vocabulary,
                labels=MappingProxyType(labels),
                keywords=MappingProxyType(keywords),
                position=position,
            )
        )
    return Taxonomy(version=version.strip(), tags=tuple(tags))


def _parse_labels(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise TaxonomyError(f"{where}: missing labels table")
    _check_languages(value, where, "labels")
    labels: dict[str, str] = {}
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise TaxonomyError(f"{where}: missing label in {lang!r}")
        labels[lang] = text.strip()
    return labels


def _parse_keywords(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise TaxonomyError(f"{where}: missing keywords table")
    _check_languages(value, where, "keywords")
    keywords: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        words = value.get(lang)
        if not isinstance(words, list) or not words:
            raise TaxonomyError(f"{where}: missing keywords in {lang!r}")
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise TaxonomyError(f"{where}: empty keyword in {lang!r}")
            if word != word.strip().lower():
                raise TaxonomyError(
                    f"{where}: keyword {word!r} in {lang!r} must be lowercase and trimmed"
                )
        if len(set(words)) != len(words):
            raise TaxonomyError(f"{where}: repeated keyword in {lang!r}")
        keywords[lang] = tuple(words)
    return keywords


def _check_languages(value: Mapping[str, Any], where: str, what: str) -> None:
    extra = set(value) - set(LANGUAGES)
    if extra:
        raise TaxonomyError(f"{where}: {what} in unsupported languages {sorted(extra)}")
