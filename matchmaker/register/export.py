"""The register as CSV and JSON: columns named in English, tags as codes plus labels."""

from __future__ import annotations

import json

from matchmaker import geo
from matchmaker.i18n import text_language
from matchmaker.register.models import RegisterEntry
from matchmaker.taxonomy.queries import tag_label

ORGANISATION_TAG_ROLES = (
    "capability",
    "need",
    "category",
    "specialisation",
    "focus_area",
    "preferred_stage",
)
PROJECT_TAG_ROLES = ("category", "specialisation", "seeks", "need", "capability")


def row(entry: RegisterEntry, lang: str, url: str, organisation_name: str) -> dict:
    """One exported record; labels in `lang`, texts as a reader of `lang` gets them."""
    data = entry.snapshot
    written = data.get("texts", {})
    text_lang = text_language(written, lang, data["original_language"]) or data["original_language"]
    texts = written.get(text_lang, {})
    record = {
        "id": entry.item_id,
        "type": entry.item_type,
        "name": data["name"]
        if entry.item_type == "organisation"
        else texts.get("title", entry.sort_title),
        "organisation_id": entry.organisation_id,
        "organisation": organisation_name,
        "organisation_kind": entry.org_kind,
        "organisation_kind_label": tag_label(entry.org_kind, lang),
        "country": entry.country,
        "country_name": geo.country_name(entry.country, lang),
        "region": entry.region or "",
        "region_name": (geo.region_name(entry.region, lang) or "") if entry.region else "",
        "stage": entry.stage or "",
        "stage_label": tag_label(entry.stage, lang) if entry.stage else "",
        "funding_min_eur": entry.funding_min_eur,
        "funding_max_eur": entry.funding_max_eur,
        "summary": texts.get("summary") or texts.get("description", ""),
        "text_language": text_lang,
        "original_language": data["original_language"],
        "latitude": entry.latitude,
        "longitude": entry.longitude,
        "published_at": entry.published_at.isoformat(),
        "url": url,
    }
    roles = ORGANISATION_TAG_ROLES if entry.item_type == "organisation" else PROJECT_TAG_ROLES
    for role in roles:
        codes = data.get("tags", {}).get(role, [])
        record[f"{role}_codes"] = codes
        record[f"{role}_labels"] = [tag_label(code, lang) for code in codes]
    return record


def to_json(records: list[dict]) -> str:
    return json.dumps({"count": len(records), "items": records}, ensure_ascii=False, indent=1)


def csv_columns(records: list[dict]) -> tuple[list[str], list[list]]:
    """The header and the rows of the CSV file (lists of tags become "a; b" cells)."""
    if not records:
        return [], []
    header = list(records[0])
    return header, [[record[key] for key in header] for record in records]
