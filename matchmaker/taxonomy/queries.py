"""Tags as the forms and pages need them, labelled in the reader's language."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.taxonomy import load_taxonomy
from matchmaker.taxonomy.models import Tag


def tag_choices(vocabulary: str, lang: str) -> list[tuple[str, str]]:
    """(code, label) of the vocabulary's current tags, in the taxonomy's order."""
    tags = db.session.scalars(
        select(Tag)
        .where(Tag.vocabulary == vocabulary, Tag.retired.is_(False))
        .order_by(Tag.position, Tag.code)
    )
    return [(tag.code, tag.label(lang)) for tag in tags]


def tag_label(code: str, lang: str) -> str:
    """A tag's label from the shipped taxonomy (retired tags fall back to their code)."""
    tag = load_taxonomy().get(code)
    if tag is None:
        return code
    return tag.labels.get(lang) or tag.labels.get("en") or code
