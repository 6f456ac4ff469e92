"""The demo content register (matchmaker/demo_data/register.toml) is complete and consistent.

Pure tests: no app, no database. They check the shape of every record, that every tag code
exists in the taxonomy and belongs to the right vocabulary, the coverage the demo needs
(countries, kinds, stages, categories, languages) and that no personal data slipped in.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections import Counter
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pytest

from matchmaker.taxonomy import load_taxonomy

TEXT_LANGUAGES = ("pl", "en", "da", "nb")

REGIONS = {
    "PL": {
        "PL-DS", "PL-KP", "PL-LU", "PL-LB", "PL-LD", "PL-MA", "PL-MZ", "PL-OP",
        "PL-PK", "PL-PD", "PL-PM", "PL-SL", "PL-SK", "PL-WN", "PL-WP", "PL-ZP",
    },
    "DK": {"DK-81", "DK-82", "DK-83", "DK-84", "DK-85"},
    "NO": {
        "NO-03", "NO-11", "NO-15", "NO-18", "NO-31", "NO-32", "NO-33", "NO-34",
        "NO-39", "NO-40", "NO-42", "NO-46", "NO-50", "NO-55", "NO-56",
    },
}  # fmt: skip

SIZE_BANDS = {"1-9", "10-49", "50-249", "250+"}
MEMBER_GROUPS = {"sme", "startup", "large", "research", "other"}

# Real public domains, as the seed documents give them, of organisations named in the seeds.
SEED_WEBSITES = {
    "pikmed": "pikmed.pl",
    "mz_departament_innowacji": "e-inwestycje.mz.gov.pl",
    "welfare_tech": "welfaretech.dk",
    "lifescience_innovation_north": "lifescienceinnovation.dk",
    "mtic": "mtic.dk",
    "copenhagen_healthtech_cluster": "cphhealthtech.dk",
    "aalborg_universitet": "aau.dk",
    "liva_healthcare": "livahealthcare.com",
}

# Organisations the seed documents name; the demo must present them.
SEED_ORGANISATIONS = {
    "pikmed",
    "klaster_innowacyjna_medycyna",
    "oslo_universitetssykehus",
    "oslo_medtech",
    "alma_house",
    "danish_healthtech",
    "welfare_tech",
    "lifescience_innovation_north",
    "mtic",
    "copenhagen_healthtech_cluster",
    "dtu",
    "kobenhavns_universitet",
    "syddansk_universitet",
    "aarhus_universitet",
    "aalborg_universitet",
    "force_technology",
    "teknologisk_institut",
    "liva_healthcare",
}

# People named in the seeds: demo data never names real people.
FORBIDDEN_NAMES = ("Kristoffer From", "Stephanie Lose", "Dorte Stigaard", "Christian Graversen")

ORG_REQUIRED = {
    "key",
    "name",
    "kind",
    "country",
    "region",
    "city",
    "size_band",
    "working_languages",
    "original_language",
    "capabilities",
    "needs",
    "categories",
    "texts",
}
ORG_OPTIONAL = {"website", "year_founded", "specialisations", "focus_areas"}
INVESTOR_KEYS = {"ticket_min_eur", "ticket_max_eur", "preferred_stages"}
CLUSTER_KEYS = {"members", "cluster_labels", "regions_covered"}
PROJECT_REQUIRED = {
    "key",
    "organisation",
    "stage",
    "categories",
    "seeks",
    "needs",
    "original_language",
    "texts",
}
PROJECT_OPTIONAL = {
    "specialisations",
    "funding_min_eur",
    "funding_max_eur",
    "start_date",
    "links",
}
ORG_TEXT_FIELDS = {
    "description": (80, 1500),
    "capabilities_detail": (20, 400),
    "needs_detail": (20, 400),
}
PROJECT_TEXT_FIELDS = {"title": (10, 120), "summary": (40, 300), "description": (100, 1500)}

KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2}$")
PHONE_CANDIDATE_RE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
YEAR_RANGE_RE = re.compile(r"^\d{4}\s*-\s*\d{4}$")
POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


@functools.cache
def _register() -> dict[str, Any]:
    path = resources.files("matchmaker.demo_data").joinpath("register.toml")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _orgs() -> list[dict[str, Any]]:
    return _register()["organisations"]


def _projects() -> list[dict[str, Any]]:
    return _register()["projects"]


def _items() -> list[dict[str, Any]]:
    return _orgs() + _projects()


def _org_by_key() -> dict[str, dict[str, Any]]:
    return {o["key"]: o for o in _orgs()}


def _strings(value: Any) -> list[str]:
    """Every string inside a nested TOML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _looks_like_phone(text: str) -> bool:
    if re.search(r"\+\s?\d", text):
        return True
    for match in PHONE_CANDIDATE_RE.finditer(text):
        chunk = match.group().strip()
        if YEAR_RANGE_RE.match(chunk):
            continue
        if sum(ch.isdigit() for ch in chunk) >= 8:
            return True
    return False


# --- file and shape ---------------------------------------------------------------------------


def test_file_parses_and_has_version():
    data = _register()
    assert data["version"] == 1
    assert set(data) == {"version", "organisations", "projects"}


def test_counts():
    assert len(_orgs()) >= 40
    assert len(_projects()) >= 80


def test_keys_are_unique_and_snake_case():
    keys = [item["key"] for item in _items()]
    duplicates = [k for k, n in Counter(keys).items() if n > 1]
    assert not duplicates
    assert all(KEY_RE.match(k) for k in keys), [k for k in keys if not KEY_RE.match(k)]


def test_organisation_fields():
    errors = []
    for org in _orgs():
        keys = set(org)
        allowed = ORG_REQUIRED | ORG_OPTIONAL
        if org["kind"] == "investor":
            allowed |= INVESTOR_KEYS
        if org["kind"] == "cluster":
            allowed |= CLUSTER_KEYS
        if missing := ORG_REQUIRED - keys:
            errors.append(f"{org.get('key')}: missing {sorted(missing)}")
        if unknown := keys - allowed:
            errors.append(f"{org['key']}: unexpected keys {sorted(unknown)}")
        if org["size_band"] not in SIZE_BANDS:
            errors.append(f"{org['key']}: size_band {org['size_band']!r}")
        if not org["name"].strip() or not org["city"].strip():
            errors.append(f"{org['key']}: empty name or city")
        if "year_founded" in org and not 1800 <= org["year_founded"] <= dt.date.today().year:
            errors.append(f"{org['key']}: year_founded {org['year_founded']}")
        languages = org["working_languages"]
        if not languages or not all(LANG_RE.match(lang) for lang in languages):
            errors.append(f"{org['key']}: working_languages {languages}")
        if org["original_language"] not in languages:
            errors.append(f"{org['key']}: original language not among working languages")
        for field in ("capabilities", "needs", "categories"):
            if not isinstance(org[field], list):
                errors.append(f"{org['key']}: {field} is not a list")
        if not org["categories"]:
            errors.append(f"{org['key']}: no categories")
    assert not errors, "\n".join(errors)


def test_project_fields():
    errors = []
    orgs = _org_by_key()
    for project in _projects():
        keys = set(project)
        if missing := PROJECT_REQUIRED - keys:
            errors.append(f"{project.get('key')}: missing {sorted(missing)}")
        if unknown := keys - PROJECT_REQUIRED - PROJECT_OPTIONAL:
            errors.append(f"{project['key']}: unexpected keys {sorted(unknown)}")
        if project["organisation"] not in orgs:
            errors.append(f"{project['key']}: unknown organisation {project['organisation']!r}")
        for field in ("categories", "seeks"):
            if not project[field]:
                errors.append(f"{project['key']}: no {field}")
        if "start_date" in project and not isinstance(project["start_date"], dt.date):
            errors.append(f"{project['key']}: start_date is not a TOML date")
        for link in project.get("links", []):
            parts = urlsplit(link)
            if parts.scheme != "https" or not parts.hostname.endswith(".example.org"):
                errors.append(f"{project['key']}: link {link!r} is not https://*.example.org")
    assert not errors, "\n".join(errors)


def test_tag_codes_exist_in_the_right_vocabulary():
    taxonomy = load_taxonomy()
    errors = []

    def check(owner: str, codes: list[str] | str, vocabulary: str) -> None:
        for code in [codes] if isinstance(codes, str) else codes:
            tag = taxonomy.get(code)
            if tag is None:
                errors.append(f"{owner}: unknown code {code!r}")
            elif tag.vocabulary != vocabulary:
                errors.append(f"{owner}: {code!r} is a {tag.vocabulary}, expected {vocabulary}")
        if not isinstance(codes, str) and len(set(codes)) != len(codes):
            errors.append(f"{owner}: repeated codes in {codes}")

    for org in _orgs():
        key = org["key"]
        check(key, org["kind"], "org_kind")
        check(key, org["capabilities"], "capability")
        check(key, org["needs"], "capability")
        check(key, org["categories"], "category")
        check(key, org.get("specialisations", []), "specialisation")
        check(key, org.get("focus_areas", []), "focus_area")
        check(key, org.get("preferred_stages", []), "stage")
    for project in _projects():
        key = project["key"]
        check(key, project["stage"], "stage")
        check(key, project["categories"], "category")
        check(key, project.get("specialisations", []), "specialisation")
        check(key, project["seeks"], "seeks")
        check(key, project["needs"], "capability")
    assert not errors, "\n".join(errors)


def test_regions_belong_to_countries():
    errors = []
    for org in _orgs():
        country = org["country"]
        if country not in REGIONS:
            errors.append(f"{org['key']}: country {country!r}")
            continue
        if org["region"] not in REGIONS[country]:
            errors.append(f"{org['key']}: region {org['region']!r} is not in {country}")
        for region in org.get("regions_covered", []):
            if region not in REGIONS[country]:
                errors.append(f"{org['key']}: covered region {region!r} is not in {country}")
    assert not errors, "\n".join(errors)


def test_websites_are_example_org_or_seed_domains():
    errors = []
    for org in _orgs():
        if "website" not in org:
            continue
        parts = urlsplit(org["website"])
        host = parts.hostname or ""
        if parts.scheme != "https":
            errors.append(f"{org['key']}: website is not https")
        if host.endswith(".example.org"):
            continue
        domain = SEED_WEBSITES.get(org["key"])
        if domain is None or host not in (domain, f"www.{domain}"):
            errors.append(
                f"{org['key']}: website {org['website']!r} is neither example.org nor its seed domain"
            )
    assert not errors, "\n".join(errors)


# --- investors and clusters -------------------------------------------------------------------


def test_investors_have_tickets_and_stages():
    investors = [o for o in _orgs() if o["kind"] == "investor"]
    assert len(investors) >= 5
    assert {o["country"] for o in investors} >= {"PL", "DK", "NO"}
    for org in investors:
        assert set(org) >= INVESTOR_KEYS, org["key"]
        assert 0 < org["ticket_min_eur"] <= org["ticket_max_eur"], org["key"]
        assert org["preferred_stages"], org["key"]
        assert "investment_capital" in org["capabilities"], org["key"]


def test_clusters():
    clusters = [o for o in _orgs() if o["kind"] == "cluster"]
    assert len(clusters) >= 6
    assert {o["country"] for o in clusters} >= {"PL", "DK", "NO"}
    for org in clusters:
        members = org.get("members", {})
        assert set(members) <= MEMBER_GROUPS, org["key"]
        assert all(isinstance(n, int) and n >= 0 for n in members.values()), org["key"]
        assert all(label.strip() for label in org.get("cluster_labels", [])), org["key"]
    assert any(o.get("cluster_labels") for o in clusters)
    assert any(o.get("members") for o in clusters)


# --- coverage ---------------------------------------------------------------------------------


def test_organisations_per_country_and_kind():
    per_country = Counter(o["country"] for o in _orgs())
    for country in ("PL", "DK", "NO"):
        assert per_country[country] >= 10, per_country
    kinds = Counter(o["kind"] for o in _orgs())
    assert kinds["hospital"] >= 6, kinds
    assert kinds["university"] >= 4, kinds
    hospitals_offering = [
        o
        for o in _orgs()
        if o["kind"] == "hospital"
        and {"test_bed", "living_lab", "clinical_validation"} & set(o["capabilities"])
    ]
    assert len(hospitals_offering) >= 3


def test_seed_organisations_are_present():
    assert set(_org_by_key()) >= SEED_ORGANISATIONS


def test_every_category_and_stage_is_covered():
    taxonomy = load_taxonomy()
    categories = Counter(c for p in _projects() for c in p["categories"])
    for tag in taxonomy.by_vocabulary("category"):
        assert categories[tag.code] >= 4, (tag.code, categories[tag.code])
    stages = Counter(p["stage"] for p in _projects())
    for tag in taxonomy.by_vocabulary("stage"):
        assert stages[tag.code] >= 10, (tag.code, stages[tag.code])


def test_project_needs_are_often_offered_across_borders():
    orgs = _org_by_key()
    offered: dict[str, set[str]] = {}
    for org in _orgs():
        for code in org["capabilities"]:
            offered.setdefault(code, set()).add(org["country"])
    matched = [
        p
        for p in _projects()
        if any(offered.get(n, set()) - {orgs[p["organisation"]]["country"]} for n in p["needs"])
    ]
    assert len(matched) >= 0.8 * len(_projects())


def test_funding_ranges():
    for project in _projects():
        has_min, has_max = "funding_min_eur" in project, "funding_max_eur" in project
        assert has_min == has_max, project["key"]
        if has_min:
            assert 0 < project["funding_min_eur"] <= project["funding_max_eur"], project["key"]


# --- texts ------------------------------------------------------------------------------------


def _text_errors(
    item: dict[str, Any], fields: dict[str, tuple[int, int]], required: set[str]
) -> list[str]:
    errors = []
    texts = item["texts"]
    if item["original_language"] not in TEXT_LANGUAGES:
        errors.append(f"{item['key']}: original_language {item['original_language']!r}")
    if item["original_language"] not in texts:
        errors.append(f"{item['key']}: no text in its original language")
    for lang, table in texts.items():
        if lang not in TEXT_LANGUAGES:
            errors.append(f"{item['key']}: text language {lang!r}")
        if missing := required - set(table):
            errors.append(f"{item['key']}.{lang}: missing {sorted(missing)}")
        if unknown := set(table) - set(fields):
            errors.append(f"{item['key']}.{lang}: unexpected fields {sorted(unknown)}")
        for field, value in table.items():
            if field not in fields:
                continue
            low, high = fields[field]
            if not isinstance(value, str) or not low <= len(value.strip()) <= high:
                errors.append(
                    f"{item['key']}.{lang}.{field}: length {len(value)} not in {low}..{high}"
                )
    return errors


def test_texts_exist_and_fit_limits():
    errors = []
    for org in _orgs():
        errors += _text_errors(org, ORG_TEXT_FIELDS, {"description"})
    for project in _projects():
        errors += _text_errors(project, PROJECT_TEXT_FIELDS, set(PROJECT_TEXT_FIELDS))
    assert not errors, "\n".join(errors)


def test_polish_texts_use_diacritics():
    missing = [
        item["key"]
        for item in _items()
        if "pl" in item["texts"] and not POLISH_LETTERS & set(item["texts"]["pl"]["description"])
    ]
    assert not missing


def test_language_coverage():
    items = _items()
    sizes = Counter(len(item["texts"]) for item in items)
    one, two, many = sizes[1], sizes[2], sum(n for size, n in sizes.items() if size >= 3)
    assert one >= 0.2 * len(items), sizes
    assert two >= 0.2 * len(items), sizes
    assert many >= 0.2 * len(items), sizes
    per_language = Counter(lang for item in items for lang in item["texts"])
    for lang in TEXT_LANGUAGES:
        assert per_language[lang] >= 0.2 * len(items), per_language
    originals = Counter(item["original_language"] for item in items)
    assert set(originals) == set(TEXT_LANGUAGES), originals


@pytest.mark.parametrize(
    ("lang", "word"),
    [("pl", "telemedycyn"), ("da", "telemedicin")],
)
def test_single_language_projects_use_local_keywords(lang, word):
    """Free-text tag suggestions must work on texts that exist only in one language."""
    assert any(
        set(p["texts"]) == {lang} and word in " ".join(p["texts"][lang].values()).lower()
        for p in _projects()
    )


def test_no_personal_contact_data():
    errors = []
    for item in _items():
        for text in _strings(item):
            if "@" in text:
                errors.append(f"{item['key']}: '@' in {text[:60]!r}")
            if _looks_like_phone(text):
                errors.append(f"{item['key']}: phone-like number in {text[:60]!r}")
            for name in FORBIDDEN_NAMES:
                if name.lower() in text.lower():
                    errors.append(f"{item['key']}: names a real person")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tlf. 26 45 43 78", True),
        ("call +48 600 100 200", True),
        ("strategy 2018-2022", False),
        ("20 000 employees", False),
        ("480 beds, 3.000 staff", False),
    ],
)
def test_phone_detector(text, expected):
    assert _looks_like_phone(text) is expected
