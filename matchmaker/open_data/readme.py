"""The README.txt that goes with the open data files: what each column means."""

from __future__ import annotations

# Columns of every record, in the order of the files; the tag columns follow (TAGS).
COLUMNS = {
    "id": "The item's number; with `type`, it never changes and is never reused.",
    "type": "`organisation` or `project`.",
    "name": "The organisation's name, or the project's title.",
    "organisation_id": "The number of the organisation (for a project: the one that runs it).",
    "organisation": "That organisation's name.",
    "organisation_kind": "The kind of organisation, a code (sme, hospital, university...).",
    "organisation_kind_label": "Its label.",
    "country": "ISO 3166-1 alpha-2 country code (PL, DK, NO...).",
    "country_name": "The country's name.",
    "region": "ISO 3166-2 region code (PL-MZ, DK-84, NO-03...); empty when not given.",
    "region_name": "The region's name.",
    "stage": "Projects: their stage, a code (concept, prototype, pilot, commercialisation).",
    "stage_label": "Its label.",
    "funding_min_eur": "Projects: the least funding sought, in euros; empty when not given.",
    "funding_max_eur": "Projects: the most funding sought, in euros; empty when not given.",
    "summary": "The summary (organisations: the description) as written by the item's owner.",
    "text_language": "The language `summary` (and a project's title) is written in.",
    "original_language": "The language the item was first written in.",
    "latitude": "Where the register's map shows the item (WGS 84): its own place, else the "
    "centre of its region or country.",
    "longitude": "The same place's longitude.",
    "published_at": "When the item was first published (UTC, ISO 8601).",
    "url": "The item's page on the register.",
}
TAGS = {
    "capability": "what the organisation or project offers",
    "need": "what it needs",
    "category": "its field of innovation",
    "specialisation": "its medical specialisations",
    "focus_area": "organisations: their areas of focus",
    "preferred_stage": "investors: the project stages they fund",
    "seeks": "projects: the partners they look for",
}

INTRODUCTION = """\
The public register of {site} as open data
==========================================

Generated: {generated_at}
Records: {count} per file (organisations and projects approved for the public register).

Licence: {licence}{licence_url}

Files
-----
{files}

register-<language>.csv and register-<language>.json hold the same records. They differ by
language only in the labels (names of countries, regions, tags...) and in which of the
item's texts they give: the one written in that language, else the original. Codes are the
same in every file and never change with the language; use them to filter and to join.
The API at /api/v1/taxonomy lists every code with its labels in pl, en, da and nb.

CSV: UTF-8 with a byte-order mark, comma-separated, one line per record; a cell holding
several codes or labels separates them with "; ". A text cell that starts with =, +, - or
@ begins with an apostrophe, so that spreadsheets show it as text rather than run it.
JSON: one object with "licence", "licence_url", "generated_at", "language", "items" (the
records, each tag column a list) and "count".

Nothing unpublished is here, and no person: no names, e-mail addresses or telephone
numbers of the people behind the organisations.

Columns
-------
"""


def readme(about: dict, names: list[str], count: int) -> str:
    url = f" ({about['licence_url']})" if about["licence_url"] else ""
    text = INTRODUCTION.format(
        site="Matchmaker",
        generated_at=about["generated_at"],
        count=count,
        licence=about["licence"],
        licence_url=url,
        files="\n".join(f"- {name}" for name in names),
    )
    lines = [f"{name}: {meaning}" for name, meaning in COLUMNS.items()]
    for role, meaning in TAGS.items():
        lines.append(f"{role}_codes: tags, {meaning}: codes.")
        lines.append(f"{role}_labels: the same tags' labels, in the same order.")
    return text + "\n".join(lines) + "\n"
