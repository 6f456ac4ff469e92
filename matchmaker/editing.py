"""Editing anything a moderator reviews (organisations and projects alike).

The rules live here once: a form posted from a stale page is refused (revision),
an item is submitted once, texts are one row per written language, tags are exactly
the chosen ones and come from the right vocabulary.
"""

from __future__ import annotations

from sqlalchemy import select, update

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.taxonomy.models import Tag


class EditError(Exception):
    """Base of the errors that views turn into translated messages."""


class StaleEdit(EditError):
    """Someone saved the item after this form was opened."""


class NotSubmittable(EditError):
    """Only drafts and returned items can be submitted."""


class UnknownTag(EditError):
    def __init__(self, role: str, code: str):
        super().__init__(f"{role}: {code}")
        self.role, self.code = role, code


def resolve_tags(tags: dict[str, list[str]], roles: dict[str, str]) -> list[tuple[str, Tag]]:
    """(role, Tag) pairs for the codes given; UnknownTag for a code outside the role's vocabulary."""
    codes = {code for values in tags.values() for code in values}
    found = {
        t.code: t
        for t in db.session.scalars(select(Tag).where(Tag.code.in_(codes), Tag.retired.is_(False)))
    }
    pairs = []
    for role, values in tags.items():
        for code in dict.fromkeys(values):
            tag = found.get(code)
            if tag is None or tag.vocabulary != roles[role]:
                raise UnknownTag(role, code)
            pairs.append((role, tag))
    return pairs


# An edit to anything under review, published or rejected goes back to draft.
BACK_TO_DRAFT = ("submitted", "published", "rejected")
SUBMITTABLE = ("draft", "returned")


def claim_revision(model, item, revision: int) -> None:
    """Bump `item`'s revision if it is still `revision`; StaleEdit if someone saved since."""
    claimed = db.session.execute(
        update(model)
        .where(model.id == item.id, model.revision == revision)
        .values(revision=model.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise StaleEdit
    db.session.refresh(item, ["revision"])


def claim_submission(model, item) -> None:
    """Move a draft (or a returned item) to the moderators' queue, once; NotSubmittable otherwise."""
    done = db.session.execute(
        update(model)
        .where(model.id == item.id, model.status.in_(SUBMITTABLE))
        .values(status="submitted", submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise NotSubmittable
    db.session.commit()
    db.session.refresh(item)


def sync_texts(item, texts: dict[str, dict[str, str]], fields: tuple[str, ...], text_model) -> None:
    """Keep one text row per language that has any of `fields` written; drop the others."""
    wanted = {
        lang: values
        for lang, values in texts.items()
        if any((values.get(name) or "").strip() for name in fields)
    }
    for text in list(item.texts):
        if text.lang not in wanted:
            item.texts.remove(text)
    for lang, values in wanted.items():
        text = item.text(lang)
        if text is None:
            text = text_model(lang=lang)
            item.texts.append(text)
        for name in fields:
            setattr(text, name, (values.get(name) or "").strip())


def sync_tags(item, pairs: list[tuple[str, Tag]], tag_model) -> None:
    """Make `item`'s tag links exactly the resolved (role, Tag) `pairs`."""
    current = {(t.role, t.tag_id): t for t in item.tags}
    wanted = {(role, tag.id): tag for role, tag in pairs}
    for key, link in current.items():
        if key not in wanted:
            item.tags.remove(link)
    for (role, tag_id), tag in wanted.items():
        if (role, tag_id) not in current:
            item.tags.append(tag_model(role=role, tag=tag))
