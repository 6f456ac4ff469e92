"""Taxonomy: the versioned tag vocabularies shipped in ``data/taxonomy.toml``.

Importing this package does not need Flask or a database; the ORM model lives in
``matchmaker.taxonomy.models``, the database sync in ``.services`` and the CLI in ``.cli``.
"""

from matchmaker.taxonomy.loader import (
    DEFAULT_PATH,
    LANGUAGES,
    VOCABULARIES,
    TagDef,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
)

__all__ = [
    "DEFAULT_PATH",
    "LANGUAGES",
    "VOCABULARIES",
    "TagDef",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
    "parse_taxonomy",
]
