"""Publishing into the public register and taking out of it."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from matchmaker import geo
from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.register.index import touch
from matchmaker.register.models import (
    MATCH_ROLES,
    MatchProfile,
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
    SearchDocument,
    document_id,
    tag_bits,
)
from matchmaker.search import document
from matchmaker.taxonomy.models import Tag
from matchmaker.taxonomy.suggest import needs_and_offers, suggest

# What the texts of an item say it needs and offers, read as capability tags (see
# text_tags): the fields read for each, and those whose sentences are sorted by
# taxonomy.suggest.NEED_CUES (a sentence that asks for something tells a need, any other
# an offer).
NEEDS_FIELDS = {"organisation": ("needs_detail",), "project": ()}
OFFERS_FIELDS = {"organisation": ("capabilities_detail",), "project": ()}
MIXED_FIELDS = {"organisation": ("description",), "project": ("title", "summary", "description")}
MOST_TEXT_TAGS = 8


def _entry(item_type: str, item_id: int) -> RegisterEntry | None:
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.item_type == item_type, RegisterEntry.item_id == item_id
        )
    )


def publish(
    item_type: str,
    item_id: int,
    snapshot: dict,
    *,
    organisation_id: int,
    org_kind: str,
    title: str,
    text_fields: tuple[str, ...],
    languages: set[str],
) -> RegisterEntry:
    """Make `snapshot` the public version of the item (inside the caller's transaction)."""
    entry = _entry(item_type, item_id)
    if entry is None:
        entry = RegisterEntry(item_type=item_type, item_id=item_id, published_at=utcnow())
        db.session.add(entry)
    lat, lon = snapshot.get("latitude"), snapshot.get("longitude")
    if lat is None or lon is None:
        lat, lon = geo.coordinates(snapshot["country"], snapshot.get("region")) or (None, None)
    entry.organisation_id = organisation_id
    entry.org_kind = org_kind
    entry.country = snapshot["country"]
    entry.region = snapshot.get("region")
    entry.stage = snapshot.get("stage")
    entry.funding_min_eur = snapshot.get("funding_min_eur")
    entry.funding_max_eur = snapshot.get("funding_max_eur")
    entry.original_language = snapshot["original_language"]
    entry.latitude, entry.longitude = lat, lon
    entry.sort_title = title[:200]
    entry.snapshot = snapshot
    db.session.flush()

    db.session.execute(delete(RegisterEntryTag).where(RegisterEntryTag.entry_id == entry.id))
    db.session.execute(
        delete(RegisterEntryLanguage).where(RegisterEntryLanguage.entry_id == entry.id)
    )
    db.session.execute(delete(SearchDocument).where(SearchDocument.entry_id == entry.id))
    tags = {**snapshot["tags"], **text_tags(item_type, snapshot)}
    codes = {code for values in tags.values() for code in values}
    tag_ids = dict(db.session.execute(select(Tag.code, Tag.id).where(Tag.code.in_(codes))).all())
    for role, values in tags.items():
        for code in values:
            if code in tag_ids:
                db.session.add(RegisterEntryTag(entry_id=entry.id, tag_id=tag_ids[code], role=role))
    for lang in sorted(languages):
        db.session.add(RegisterEntryLanguage(entry_id=entry.id, lang=lang))
    _store_match_profile(entry, snapshot, tags, tag_ids)
    texts = {
        lang: [values.get(name, "") for name in text_fields]
        for lang, values in snapshot["texts"].items()
    }
    texts.setdefault(snapshot["original_language"], [])
    texts[snapshot["original_language"]].insert(0, title)
    for lang, content in document(texts).items():
        db.session.add(
            SearchDocument(
                id=document_id(entry.id, lang), entry_id=entry.id, lang=lang, content=content
            )
        )
    touch()
    return entry


def text_tags(item_type: str, snapshot: dict) -> dict[str, list[str]]:
    """Capability tags the item's texts name, in any of the four languages (the taxonomy's
    keywords, stemmed as search stems), as "need_text" and "capability_text"; tags the
    owner chose as needs or capabilities are left out."""
    chosen = {code for role in ("need", "capability") for code in snapshot["tags"].get(role, ())}
    needs, offers = needs_and_offers(snapshot["texts"], NEEDS_FIELDS[item_type],
                                     OFFERS_FIELDS[item_type], MIXED_FIELDS[item_type])  # fmt: skip
    found = {}
    for role, texts in (("need_text", needs), ("capability_text", offers)):
        codes = suggest(texts, ("capability",), limit=MOST_TEXT_TAGS + len(chosen))
        found[role] = [code for code in codes if code not in chosen][:MOST_TEXT_TAGS]
    return found


TEXT_ROLES = ("need_text", "capability_text")


def refresh_text_tags() -> int:
    """Read the texts of every published entry again, as publishing does: for entries
    published before texts were read, or after the taxonomy's keywords changed. Replaces
    their need_text and capability_text tags, in the tag rows and the matcher's bit sets.
    Returns how many entries' tags changed; the caller commits."""
    tag_ids = dict(db.session.execute(select(Tag.code, Tag.id)).all())
    bits = tag_bits([tuple(row) for row in db.session.execute(select(Tag.id, Tag.vocabulary))])
    changed = 0
    for entry in db.session.scalars(select(RegisterEntry).order_by(RegisterEntry.id)):
        found = text_tags(entry.item_type, entry.snapshot)
        profile = db.session.get(MatchProfile, entry.id)
        masks = {
            role: sum(1 << bits[tag_ids[c]] for c in set(codes) if c in tag_ids)
            for role, codes in found.items()
        }
        if profile is not None and all(getattr(profile, r) == masks[r] for r in TEXT_ROLES):
            continue
        db.session.execute(
            delete(RegisterEntryTag).where(
                RegisterEntryTag.entry_id == entry.id, RegisterEntryTag.role.in_(TEXT_ROLES)
            )
        )
        for role, codes in found.items():
            db.session.add_all(
                RegisterEntryTag(entry_id=entry.id, tag_id=tag_ids[code], role=role)
                for code in codes
                if code in tag_ids
            )
            if profile is not None:
                setattr(profile, role, masks[role])
        changed += 1
    if changed:
        touch()
    return changed


def _store_match_profile(
    entry: RegisterEntry, snapshot: dict, tags: dict, tag_ids: dict[str, int]
) -> None:
    """The matcher's narrow copy of the entry (see MatchProfile)."""
    bits = tag_bits([tuple(row) for row in db.session.execute(select(Tag.id, Tag.vocabulary))])
    profile = db.session.get(MatchProfile, entry.id) or MatchProfile(entry_id=entry.id)
    profile.item_type, profile.item_id = entry.item_type, entry.item_id
    profile.organisation_id, profile.org_kind = entry.organisation_id, entry.org_kind
    profile.country, profile.region = entry.country, entry.region
    profile.stage = entry.stage if entry.item_type == "project" else None
    profile.funding_min_eur, profile.funding_max_eur = entry.funding_min_eur, entry.funding_max_eur
    if entry.item_type == "organisation":
        profile.ticket_min_eur = snapshot.get("ticket_min_eur")
        profile.ticket_max_eur = snapshot.get("ticket_max_eur")
        languages = snapshot.get("working_languages") or []
    else:
        languages = snapshot["texts"]  # the languages it is written in
    profile.languages = " ".join(sorted(languages))
    profile.regions_covered = " ".join(sorted(snapshot.get("regions_covered") or []))
    for role in MATCH_ROLES:
        codes = tags.get(role, ())
        mask = sum(1 << bits[tag_ids[code]] for code in set(codes) if code in tag_ids)
        setattr(profile, role, mask)
    db.session.add(profile)


def unpublish(item_type: str, item_id: int) -> None:
    entry = _entry(item_type, item_id)
    if entry is not None:
        db.session.delete(entry)
        touch()


def unpublish_projects_of(organisation_id: int) -> None:
    for entry in db.session.scalars(
        select(RegisterEntry).where(
            RegisterEntry.item_type == "project", RegisterEntry.organisation_id == organisation_id
        )
    ):
        db.session.delete(entry)
    touch()


def refresh_organisation_kind(organisation_id: int, kind: str) -> None:
    """Projects are filtered by their organisation's kind: keep it current."""
    db.session.execute(
        update(RegisterEntry)
        .where(RegisterEntry.organisation_id == organisation_id)
        .values(org_kind=kind)
    )
    db.session.execute(
        update(MatchProfile)
        .where(MatchProfile.organisation_id == organisation_id)
        .values(org_kind=kind)
    )
    touch()
