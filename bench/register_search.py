"""Seeded benchmark of the public register's search; prints figures, asserts nothing.

Fills the public register (register_entry, register_entry_tag, register_entry_language,
search_document and, through the migration's triggers / generated column, the full-text
index) with N organisations and M projects, exactly as ``matchmaker.register.services.publish``
would write them but with bulk inserts, then times ``matchmaker.register.queries`` on SQLite
and/or PostgreSQL. See bench/README.md.

    python bench/register_search.py --database both

The PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the database named by
BENCH_DATABASE_URL (default postgresql://root@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/register_search.py` from anywhere
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from matchmaker import create_app, geo  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.organisations.models import ORG_TAG_ROLES, ORG_TEXT_FIELDS  # noqa: E402
from matchmaker.projects.models import PROJECT_TAG_ROLES, PROJECT_TEXT_FIELDS  # noqa: E402
from matchmaker.register import index as register_index  # noqa: E402
from matchmaker.register import queries  # noqa: E402
from matchmaker.register.models import (  # noqa: E402
    RegisterEntry,
    RegisterEntryLanguage,
    RegisterEntryTag,
    SearchDocument,
    document_id,
)
from matchmaker.search import document  # noqa: E402
from matchmaker.taxonomy import load_taxonomy  # noqa: E402
from matchmaker.taxonomy.models import Tag  # noqa: E402
from matchmaker.taxonomy.services import sync_taxonomy  # noqa: E402

DEFAULT_PG_URL = "postgresql://root@127.0.0.1:5432/test"
TARGET_MS = 150.0
BATCH = 5_000
# Fixed "now" so that the data do not depend on the day the benchmark runs.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# --------------------------------------------------------------------------------------
# Vocabulary for generated texts
# --------------------------------------------------------------------------------------

# Common words per language, most frequent first (drawn with Zipf-like weights).
GENERAL_WORDS = {
    "pl": (
        "pacjentów opieki zdrowia rozwiązanie system platforma szpital szpitala pacjenta "
        "lekarzy danych medycznych innowacyjne wdrożenie pilotaż badania kliniczne "
        "monitorowanie zdalne usługi placówek personelu jakości dostęp diagnostyki "
        "technologia projekt współpraca partnerów rynku szpitali przychodni pielęgniarki "
        "domu bezpieczeństwo skuteczność koszty leczenia rozwój innowacja walidacja "
        "regionie integracja narzędzie narzędzia wsparcie"
    ),
    "en": (
        "patients care health solution system platform hospital clinical data medical "
        "innovative pilot study monitoring remote services staff quality access "
        "diagnostics technology project partners market hospitals clinics nurses home "
        "safety outcomes costs treatment development innovation validation regional "
        "integration tool support workflow evidence users"
    ),
    "da": (
        "patienter sundhed løsning system platform hospital sygehus klinisk data "
        "medicinsk innovativ afprøvning monitorering borgere pleje personale kvalitet "
        "adgang diagnostik teknologi projekt partnere marked hospitaler kommune region "
        "hjemme sikkerhed behandling udvikling innovation validering integration "
        "værktøj støtte læger sygeplejersker sundhedsvæsen"
    ),
    "nb": (
        "pasienter helse løsning system plattform sykehus sykehuset klinisk data "
        "medisinsk innovativ utprøving oppfølging innbyggere omsorg personell kvalitet "
        "tilgang diagnostikk teknologi prosjekt partnere marked kommune helseforetak "
        "hjemme sikkerhet behandling utvikling innovasjon validering integrasjon "
        "verktøy støtte leger sykepleiere helsetjeneste"
    ),
}
FUNCTION_WORDS = {
    "pl": "i w dla oraz z na do przez od które jest się",
    "en": "the and for with of in to our by that is a",
    "da": "og til med for af i en det på som er at",
    "nb": "og til med for av i en det på som er å",
}
# Words that go with a tag: an item tagged with it tends to use them.
TOPIC_WORDS = {
    "ehealth_telemedicine": {
        "pl": "telemedycyna telemedycyny telemedycynie teleporady telekonsultacje zdalnej",
        "en": "telemedicine telehealth teleconsultation virtual video consultations",
        "da": "telemedicin telemedicinsk videokonsultation fjernkonsultation hjemmemonitorering",
        "nb": "telemedisin telemedisinsk videokonsultasjon avstandsoppfølging hjemmeoppfølging",
    },
    "mobile_apps": {
        "pl": "aplikacja aplikacji mobilna smartfon",
        "en": "app mobile smartphone application",
        "da": "app mobil smartphone applikation",
        "nb": "app mobil smarttelefon applikasjon",
    },
    "ai_diagnosis_treatment": {
        "pl": "sztuczna inteligencja algorytm uczenie maszynowe",
        "en": "artificial intelligence algorithm machine learning",
        "da": "kunstig intelligens algoritme maskinlæring",
        "nb": "kunstig intelligens algoritme maskinlæring",
    },
    "medical_devices": {
        "pl": "urządzenie urządzenia wyrób czujnik czujniki",
        "en": "device devices sensor wearable implant",
        "da": "udstyr sensor apparat bærbar",
        "nb": "utstyr sensor apparat bærbar",
    },
    "patient_service_systems": {
        "pl": "rejestracja kolejki obsługi portal",
        "en": "booking portal scheduling queue",
        "da": "booking patientportal ventetid",
        "nb": "timebestilling pasientportal ventetid",
    },
    "back_office": {
        "pl": "zarządzanie logistyka rozliczenia administracja",
        "en": "logistics billing administration planning",
        "da": "logistik administration planlægning",
        "nb": "logistikk administrasjon planlegging",
    },
    "medical_staff_education": {
        "pl": "szkolenia edukacja symulacja kształcenie",
        "en": "training simulation education curriculum",
        "da": "uddannelse simulation træning",
        "nb": "opplæring simulering utdanning",
    },
    "cybersecurity": {
        "pl": "cyberbezpieczeństwo szyfrowanie ochrona",
        "en": "cybersecurity encryption protection",
        "da": "cybersikkerhed kryptering beskyttelse",
        "nb": "cybersikkerhet kryptering beskyttelse",
    },
    "drug_therapies_personalised_medicine": {
        "pl": "terapia terapii leki spersonalizowana",
        "en": "therapy drug personalised medicine",
        "da": "lægemiddel personlig medicin terapi",
        "nb": "legemiddel persontilpasset medisin terapi",
    },
    "genetics_molecular_diagnostics": {
        "pl": "genetyka sekwencjonowanie molekularna genom",
        "en": "genomics sequencing molecular genome",
        "da": "genetik sekventering molekylær genom",
        "nb": "genetikk sekvensering molekylær genom",
    },
    "cardiology": {
        "pl": "kardiologia kardiologii serce serca zawał arytmia",
        "en": "cardiology heart cardiac arrhythmia",
        "da": "kardiologi hjerte hjertesygdom hjerterytme",
        "nb": "kardiologi hjerte hjertesykdom hjerterytme",
    },
    "oncology": {
        "pl": "onkologia nowotwór nowotworów rak",
        "en": "oncology cancer tumour",
        "da": "onkologi kræft tumor",
        "nb": "onkologi kreft svulst",
    },
    "neurology": {
        "pl": "neurologia udar mózgu",
        "en": "neurology stroke brain",
        "da": "neurologi apopleksi hjerne",
        "nb": "nevrologi hjerneslag hjerne",
    },
    "diabetology": {
        "pl": "cukrzyca cukrzycy insulina glukozy",
        "en": "diabetes insulin glucose",
        "da": "diabetes insulin blodsukker",
        "nb": "diabetes insulin blodsukker",
    },
    "geriatrics": {
        "pl": "seniorów seniorzy starzenie długoterminowa",
        "en": "elderly ageing seniors",
        "da": "ældre ældrepleje plejehjem",
        "nb": "eldre eldreomsorg sykehjem",
    },
    "psychiatry": {
        "pl": "psychiczne depresja psychiatria",
        "en": "mental depression psychiatry",
        "da": "psykisk depression psykiatri",
        "nb": "psykisk depresjon psykiatri",
    },
    "rehabilitation_medicine": {
        "pl": "rehabilitacja rehabilitacji fizjoterapia",
        "en": "rehabilitation physiotherapy",
        "da": "genoptræning rehabilitering fysioterapi",
        "nb": "rehabilitering fysioterapi opptrening",
    },
    "radiology": {
        "pl": "radiologia obrazowanie tomografia",
        "en": "radiology imaging scan",
        "da": "billeddiagnostik scanning røntgen",
        "nb": "bildediagnostikk skanning røntgen",
    },
    "paediatrics": {
        "pl": "dzieci pediatria noworodków",
        "en": "children paediatric newborn",
        "da": "børn pædiatri nyfødte",
        "nb": "barn pediatri nyfødte",
    },
    "remote_monitoring": {
        "pl": "monitorowanie zdalne telemonitoring",
        "en": "remote monitoring telemonitoring",
        "da": "fjernmonitorering telemonitorering",
        "nb": "fjernmonitorering telemonitorering",
    },
}

# Countries: weight, original languages (weighted), regions with their main city (most
# populous first, so Zipf-like region popularity follows population).
COUNTRIES = {
    "PL": (
        45,
        (("pl", 85), ("en", 15)),
        (
            ("PL-MZ", "Warszawa"),
            ("PL-MA", "Kraków"),
            ("PL-SL", "Katowice"),
            ("PL-DS", "Wrocław"),
            ("PL-WP", "Poznań"),
            ("PL-LD", "Łódź"),
            ("PL-PM", "Gdańsk"),
            ("PL-LU", "Lublin"),
            ("PL-KP", "Bydgoszcz"),
            ("PL-PK", "Rzeszów"),
            ("PL-ZP", "Szczecin"),
            ("PL-PD", "Białystok"),
            ("PL-WN", "Olsztyn"),
            ("PL-SK", "Kielce"),
            ("PL-LB", "Zielona Góra"),
            ("PL-OP", "Opole"),
        ),
    ),
    "DK": (
        20,
        (("da", 80), ("en", 20)),
        (
            ("DK-84", "København"),
            ("DK-82", "Aarhus"),
            ("DK-83", "Odense"),
            ("DK-85", "Roskilde"),
            ("DK-81", "Aalborg"),
        ),
    ),
    "NO": (
        20,
        (("nb", 80), ("en", 20)),
        (
            ("NO-03", "Oslo"),
            ("NO-46", "Bergen"),
            ("NO-32", "Lillestrøm"),
            ("NO-50", "Trondheim"),
            ("NO-11", "Stavanger"),
            ("NO-33", "Drammen"),
            ("NO-34", "Hamar"),
            ("NO-39", "Tønsberg"),
            ("NO-31", "Fredrikstad"),
            ("NO-42", "Kristiansand"),
            ("NO-15", "Ålesund"),
            ("NO-18", "Bodø"),
            ("NO-55", "Tromsø"),
            ("NO-40", "Skien"),
            ("NO-56", "Alta"),
        ),
    ),
    "SE": (4, (("en", 100),), (("SE-AB", "Stockholm"), ("SE-O", "Göteborg"), ("SE-M", "Malmö"))),
    "DE": (4, (("en", 100),), (("DE-BE", "Berlin"), ("DE-BY", "München"), ("DE-HH", "Hamburg"))),
    "FI": (3, (("en", 100),), (("FI-18", "Helsinki"), ("FI-11", "Tampere"))),
    "LT": (2, (("en", 100),), (("LT-VL", "Vilnius"), ("LT-KU", "Kaunas"))),
    "NL": (2, (("en", 100),), (("NL-NH", "Amsterdam"), ("NL-UT", "Utrecht"))),
}
# Organisation kinds: share of organisations, weight as project owner.
ORG_KINDS = {
    "sme": (34, 3.0),
    "startup": (20, 3.0),
    "hospital": (10, 1.0),
    "university": (8, 1.5),
    "large_company": (5, 1.5),
    "technology_centre": (5, 1.0),
    "investor": (6, 0.0),
    "cluster": (4, 0.5),
    "public_authority": (4, 0.3),
    "patient_org": (4, 0.3),
}
STAGES = (("concept", 25), ("prototype", 30), ("pilot", 30), ("commercialisation", 15))
LEGAL_FORMS = {
    "PL": ("sp. z o.o.", "S.A.", "sp.k."),
    "DK": ("ApS", "A/S", "IVS"),
    "NO": ("AS", "ASA"),
    "SE": ("AB",),
    "DE": ("GmbH", "AG"),
    "FI": ("Oy",),
    "LT": ("UAB",),
    "NL": ("B.V.",),
}
BRAND_HEADS = [
    "Med",
    "Tele",
    "Kardio",
    "Neuro",
    "Bio",
    "Vita",
    "Onko",
    "Geno",
    "Cyber",
    "Opti",
    "Nova",
    "Salus",
    "Pulse",
    "Care",
    "Nord",
    "Vistula",
    "Fjord",
    "Baltic",
    "Aurora",
    "Lumen",
    "Sana",
    "Hygea",
    "Corda",
]
BRAND_TAILS = [
    "tech",
    "soft",
    "lab",
    "med",
    "care",
    "sense",
    "data",
    "vision",
    "gen",
    "line",
    "works",
    "logic",
    "health",
]
# (query text, weight): common, mid and rare words, Polish/Danish/Norwegian/English,
# multi-word queries and a half-typed word (the last word is matched as a prefix).
SEARCH_TEXTS = (
    ("telemedicine", 6),
    ("telemedycyna", 4),
    ("telemedicin", 3),
    ("telemedisin", 3),
    ("kardiologia", 2),
    ("hjerte", 2),
    ("sykehus", 2),
    ("szpital", 2),
    ("diabetes", 2),
    ("cukrzyca", 1),
    ("remote monitoring", 2),
    ("zdalne monitorowanie pacjentów", 1),
    ("artificial intelligence", 2),
    ("sztuczna inteligencja", 1),
    ("kunstig intelligens", 1),
    ("genoptræning", 1),
    ("rehabilitering", 1),
    ("stroke", 1),
    ("kreft", 1),
    ("nowotwór", 1),
    ("wearable sensor", 1),
    ("telemed", 2),
    ("hjemmeoppfølging", 1),
    ("velfærdsteknologi", 1),
)


def _split(words: str) -> list[str]:
    return words.split()


def _zipf(n: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(n)]


# --------------------------------------------------------------------------------------
# Data generation (pure Python, seeded, done once and loaded into each database)
# --------------------------------------------------------------------------------------


@dataclass
class Item:
    item_type: str
    item_id: int
    organisation_id: int
    org_kind: str
    title: str
    snapshot: dict
    languages: set[str]
    published_at: datetime
    text_fields: tuple[str, ...]


@dataclass
class Dataset:
    items: list[Item]
    documents: list[dict[str, str]]  # per item, in the same order
    seconds: float = 0.0


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        taxonomy = load_taxonomy()
        self.vocab = {
            name: [tag.code for tag in taxonomy.by_vocabulary(name)]
            for name in ("stage", "seeks", "category", "focus_area", "specialisation", "capability")
        }
        self.vocab_weights = {name: _zipf(len(codes), 0.9) for name, codes in self.vocab.items()}
        self.general = {lang: _split(words) for lang, words in GENERAL_WORDS.items()}
        self.general_weights = {lang: _zipf(len(w), 0.8) for lang, w in self.general.items()}
        self.function = {lang: _split(words) for lang, words in FUNCTION_WORDS.items()}
        self.topics = {
            code: {lang: _split(words) for lang, words in by_lang.items()}
            for code, by_lang in TOPIC_WORDS.items()
        }
        self.countries = list(COUNTRIES)
        self.country_weights = [COUNTRIES[c][0] for c in self.countries]

    # -- small helpers ------------------------------------------------------------
    def pick(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights)[0]

    def tags(self, vocabulary: str, low: int, high: int) -> list[str]:
        """Between low and high distinct codes, popular ones (Zipf) more often."""
        wanted = self.rng.randint(low, high)
        codes, weights = self.vocab[vocabulary], self.vocab_weights[vocabulary]
        chosen: set[str] = set()
        while len(chosen) < wanted:
            chosen.add(self.rng.choices(codes, weights)[0])
        return sorted(chosen)

    def region(self, country: str) -> tuple[str, str]:
        regions = COUNTRIES[country][2]
        return self.rng.choices(regions, _zipf(len(regions), 0.8))[0]

    def words(self, lang: str, count: int, topics: list[str]) -> list[str]:
        topic_words = [w for code in topics for w in self.topics.get(code, {}).get(lang, [])]
        out = []
        for _ in range(count):
            roll = self.rng.random()
            if topic_words and roll < 0.22:
                out.append(self.rng.choice(topic_words))
            elif roll < 0.50:
                out.append(self.rng.choice(self.function[lang]))
            else:
                out.append(self.rng.choices(self.general[lang], self.general_weights[lang])[0])
        return out

    def sentences(self, lang: str, low: int, high: int, topics: list[str]) -> str:
        total, parts = self.rng.randint(low, high), []
        while total > 0:
            n = min(total, self.rng.randint(7, 15))
            words = self.words(lang, n, topics)
            parts.append(" ".join(words).capitalize() + ".")
            total -= n
        return " ".join(parts)

    def title(self, lang: str, topics: list[str]) -> str:
        words = [w for w in self.words(lang, self.rng.randint(5, 9), topics) if len(w) > 3]
        return " ".join(words[:7] or ["Projekt"]).capitalize()[:200]

    def text_languages(self, original: str) -> list[str]:
        langs = [original]
        if original != "en" and self.rng.random() < 0.45:
            langs.append("en")
        if self.rng.random() < 0.12:
            other = self.rng.choice([lang for lang in ("pl", "da", "nb") if lang not in langs])
            langs.append(other)
        return langs

    # -- organisations ------------------------------------------------------------
    def organisation(self, org_id: int) -> Item:
        rng = self.rng
        kind = self.pick((k, share) for k, (share, _owner) in ORG_KINDS.items())
        country = rng.choices(self.countries, self.country_weights)[0]
        region, city = self.region(country)
        original = self.pick(COUNTRIES[country][1])
        text_langs = self.text_languages(original)
        working = set(text_langs)
        if len(working) < 3 and rng.random() < 0.2:
            working.add(rng.choice(["pl", "en", "da", "nb"]))
        brand = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
        name = {
            "hospital": f"{city} Hospital {org_id}",
            "university": f"University of {city} Health Lab {org_id}",
            "cluster": f"{brand} Health Cluster {city}",
            "investor": f"{brand} Ventures {org_id}",
            "public_authority": f"{city} Health Authority {org_id}",
            "patient_org": f"{brand} Patient Association {org_id}",
            "technology_centre": f"{city} {brand} Science Park",
        }.get(kind, f"{brand} {rng.choice(LEGAL_FORMS[country])} {org_id}")
        tags = {
            "capability": self.tags("capability", 1, 5),
            "need": self.tags("capability", 0, 3),
            "category": self.tags("category", 1, 3),
            "specialisation": self.tags("specialisation", 0, 3),
            "focus_area": self.tags("focus_area", 0, 3),
            "preferred_stage": self.tags("stage", 1, 3) if kind == "investor" else [],
        }
        assert set(tags) == set(ORG_TAG_ROLES)
        topics = tags["category"] + tags["specialisation"] + tags["capability"]
        texts = {}
        for lang in sorted(text_langs):
            texts[lang] = {
                "description": self.sentences(lang, 30, 90, topics),
                "capabilities_detail": self.sentences(lang, 8, 25, tags["capability"])
                if rng.random() < 0.7
                else "",
                "needs_detail": self.sentences(lang, 8, 25, tags["need"])
                if tags["need"] and rng.random() < 0.6
                else "",
            }
        ticket_min = ticket_max = None
        if kind == "investor":
            ticket_min = rng.choice((50_000, 100_000, 250_000, 500_000, 1_000_000))
            ticket_max = ticket_min * rng.choice((4, 10, 20))
        own_coordinates = rng.random() < 0.15
        snapshot = {
            "name": name,
            "kind": kind,
            "country": country,
            "region": region,
            "city": city,
            "website": f"https://{brand.lower()}-{org_id}.example.org",
            "year_founded": rng.randint(1950, 2025) if rng.random() < 0.8 else None,
            "size_band": rng.choice(("1-9", "10-49", "50-249", "250+")),
            "working_languages": sorted(working),
            "original_language": original,
            "latitude": None,
            "longitude": None,
            "ticket_min_eur": ticket_min,
            "ticket_max_eur": ticket_max,
            "members": {
                "large": rng.randint(0, 10),
                "other": rng.randint(0, 20),
                "research": rng.randint(1, 15),
                "sme": rng.randint(5, 80),
                "startup": rng.randint(0, 40),
            }
            if kind == "cluster"
            else None,
            "cluster_labels": ["ECCP Silver Label"]
            if kind == "cluster" and rng.random() < 0.3
            else [],
            "regions_covered": sorted({self.region(country)[0] for _ in range(rng.randint(1, 4))})
            if kind == "cluster"
            else [],
            "logo_filename": None,
            "texts": texts,
            "tags": tags,
        }
        if own_coordinates:
            lat, lon = geo.coordinates(country, region) or (50.0, 15.0)
            snapshot["latitude"] = round(lat + rng.uniform(-0.3, 0.3), 5)
            snapshot["longitude"] = round(lon + rng.uniform(-0.3, 0.3), 5)
        published = NOW - timedelta(days=rng.uniform(30, 4 * 365))
        return Item(
            "organisation",
            org_id,
            org_id,
            kind,
            name,
            snapshot,
            set(working) | set(texts),
            published,
            ORG_TEXT_FIELDS,
        )

    # -- projects -----------------------------------------------------------------
    def project(self, project_id: int, owner: Item) -> Item:
        rng = self.rng
        org = owner.snapshot
        country = org["country"] if rng.random() < 0.9 else rng.choice(("PL", "DK", "NO"))
        if country == org["country"] and rng.random() < 0.7:
            region = org["region"]
        else:
            region = self.region(country)[0]
        original = org["original_language"] if country == org["country"] else "en"
        tags = {
            "category": self.tags("category", 1, 3),
            "specialisation": self.tags("specialisation", 0, 2),
            "seeks": self.tags("seeks", 1, 3),
            "need": self.tags("capability", 0, 3),
            "capability": self.tags("capability", 0, 2),  # what the project offers
        }
        assert set(tags) == set(PROJECT_TAG_ROLES)
        topics = tags["category"] + tags["specialisation"]
        texts = {}
        for lang in sorted(self.text_languages(original)):
            texts[lang] = {
                "title": self.title(lang, topics),
                "summary": self.sentences(lang, 12, 30, topics)[:400],
                "description": self.sentences(lang, 40, 140, topics),
            }
        funding_min = funding_max = None
        if rng.random() < 0.7:
            funding_min = rng.choice((0, 50_000, 100_000, 250_000, 500_000, 1_000_000))
            funding_max = max(funding_min, 50_000) * rng.choice((1, 2, 4, 10))
        start = NOW.date() - timedelta(days=rng.randint(-180, 3 * 365))
        snapshot = {
            "organisation_id": owner.item_id,
            "stage": self.pick(STAGES),
            "country": country,
            "region": region,
            "funding_min_eur": funding_min,
            "funding_max_eur": funding_max,
            "start_date": start.isoformat() if rng.random() < 0.6 else None,
            "links": [f"https://example.org/projects/{project_id}"] if rng.random() < 0.4 else [],
            "original_language": original,
            "texts": texts,
            "tags": tags,
        }
        span = (NOW - owner.published_at).total_seconds()
        published = owner.published_at + timedelta(seconds=rng.uniform(0, span))
        return Item(
            "project",
            project_id,
            owner.item_id,
            owner.org_kind,
            texts[original]["title"],
            snapshot,
            set(texts),
            published,
            PROJECT_TEXT_FIELDS,
        )


def _document_input(item: Item) -> dict[str, list[str]]:
    """The texts publish() hands to document(), built the same way."""
    snapshot = item.snapshot
    texts = {
        lang: [values.get(name, "") for name in item.text_fields]
        for lang, values in snapshot["texts"].items()
    }
    texts.setdefault(snapshot["original_language"], [])
    texts[snapshot["original_language"]].insert(0, item.title)
    return texts


def generate(organisations: int, projects: int, seed: int, jobs: int) -> Dataset:
    started = time.perf_counter()
    gen = Generator(seed)
    orgs = [gen.organisation(org_id) for org_id in range(1, organisations + 1)]
    owners = [o for o in orgs if ORG_KINDS[o.org_kind][1] > 0]
    # A few organisations are very active, most have one or two projects.
    weights = [ORG_KINDS[o.org_kind][1] * gen.rng.paretovariate(1.5) for o in owners]
    chosen = gen.rng.choices(owners, weights, k=projects) if owners else []
    items = orgs + [gen.project(pid, owner) for pid, owner in enumerate(chosen, start=1)]
    # Register ids follow publication order, as they would in production.
    items.sort(key=lambda item: (item.published_at, item.item_type, item.item_id))
    inputs = [_document_input(item) for item in items]
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            documents = pool.map(document, inputs, chunksize=500)
    else:
        documents = [document(texts) for texts in inputs]
    return Dataset(items, documents, time.perf_counter() - started)


# --------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------


def make_app(url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": None,
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "console",
        }
    )


def reset_schema(app) -> None:
    """Empty database, then the migrations (they create the FTS table / tsvector index)."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        sync_taxonomy(db.session, load_taxonomy())
        db.session.commit()
        db.engine.dispose()


def _batches(rows: list[dict], size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load(app, data: Dataset) -> dict[str, float]:
    """Bulk-insert what publish() would write for every item; returns timings in seconds."""
    timings = {}
    with app.app_context():
        tag_ids = dict(db.session.execute(select(Tag.code, Tag.id)).all())
        db.session.remove()
        entries, entry_tags, entry_languages, docs = [], [], [], []
        for entry_id, (item, content) in enumerate(
            zip(data.items, data.documents, strict=True), start=1
        ):
            snapshot = item.snapshot
            lat, lon = snapshot.get("latitude"), snapshot.get("longitude")
            if lat is None or lon is None:
                lat, lon = geo.coordinates(snapshot["country"], snapshot.get("region")) or (
                    None,
                    None,
                )
            entries.append(
                {
                    "id": entry_id,
                    "item_type": item.item_type,
                    "item_id": item.item_id,
                    "organisation_id": item.organisation_id,
                    "org_kind": item.org_kind,
                    "country": snapshot["country"],
                    "region": snapshot.get("region"),
                    "stage": snapshot.get("stage"),
                    "funding_min_eur": snapshot.get("funding_min_eur"),
                    "funding_max_eur": snapshot.get("funding_max_eur"),
                    "original_language": snapshot["original_language"],
                    "latitude": lat,
                    "longitude": lon,
                    "sort_title": item.title[:200],
                    "published_at": item.published_at,
                    "snapshot": snapshot,
                }
            )
            for role, codes in snapshot["tags"].items():
                entry_tags.extend(
                    {"entry_id": entry_id, "tag_id": tag_ids[code], "role": role}
                    for code in codes
                    if code in tag_ids
                )
            entry_languages.extend(
                {"entry_id": entry_id, "lang": lang} for lang in sorted(item.languages)
            )
            for lang, body in content.items():
                docs.append(
                    {
                        "id": document_id(entry_id, lang),
                        "entry_id": entry_id,
                        "lang": lang,
                        "content": body,
                    }
                )

        started = time.perf_counter()
        with db.engine.begin() as conn:
            for table, rows in (
                (RegisterEntry.__table__, entries),
                (RegisterEntryTag.__table__, entry_tags),
                (RegisterEntryLanguage.__table__, entry_languages),
                (SearchDocument.__table__, docs),
            ):
                for batch in _batches(rows):
                    conn.execute(insert(table), batch)
            if conn.dialect.name == "postgresql":
                for table in ("register_entry", "search_document"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        timings["insert"] = time.perf_counter() - started

        started = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO search_fts(search_fts) VALUES('optimize')"))
                conn.execute(text("ANALYZE"))
        timings["analyze"] = time.perf_counter() - started
        register_index.touch()  # as publish() does: processes rebuild their index
        db.session.commit()
        db.engine.dispose()
    return timings


def row_counts(app) -> list[tuple[str, int]]:
    with app.app_context():
        counts = []
        for label, statement in (
            ("organisations", "SELECT count(*) FROM register_entry WHERE item_type='organisation'"),
            ("projects", "SELECT count(*) FROM register_entry WHERE item_type='project'"),
            ("register_entry_tag", "SELECT count(*) FROM register_entry_tag"),
            ("register_entry_language", "SELECT count(*) FROM register_entry_language"),
            ("search_document", "SELECT count(*) FROM search_document"),
            ("tag", "SELECT count(*) FROM tag"),
        ):
            counts.append((label, db.session.scalar(text(statement))))
        if db.engine.dialect.name == "sqlite":
            # The FTS index itself: rows of its term b-tree segment table.
            counts.append(
                (
                    "search_fts_data (FTS5 index blocks)",
                    db.session.scalar(text("SELECT count(*) FROM search_fts_data")),
                )
            )
        db.session.remove()
        return counts


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


@dataclass
class Figure:
    database: str
    item_type: str
    scenario: str
    times_ms: list[float] = field(default_factory=list)
    hits: list[int] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.times_ms)
        rank = max(1, -(-len(ordered) * p // 100))  # nearest rank
        return ordered[int(rank) - 1]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)


def query_inputs(
    rng: random.Random, item_type: str, n: int, *, with_text: bool, with_filters: bool = True
) -> list:
    categories = [tag.code for tag in load_taxonomy().by_vocabulary("category")]
    countries, weights = list(COUNTRIES), [COUNTRIES[c][0] for c in COUNTRIES]
    texts, text_weights = zip(*SEARCH_TEXTS, strict=True)
    out = []
    for _ in range(n):
        query = queries.RegisterQuery(
            item_type=item_type,
            text=rng.choices(texts, text_weights)[0] if with_text else "",
            filters={
                "country": [rng.choices(countries, weights)[0]],
                "category": [rng.choice(categories)],
            }
            if with_filters
            else {},
            sort="relevance" if with_text else "newest",
        )
        out.append(query)
    return out


def browse_inputs(rng: random.Random, item_type: str, n: int) -> list:
    return [
        queries.RegisterQuery(item_type=item_type, sort="newest", page=rng.choice((1, 1, 1, 2, 3)))
        for _ in range(n)
    ]


def _search(query) -> int:
    return queries.search(query).total


def _list(query) -> int:
    return queries.search(query, with_facets=False).total


def _facets(query) -> int | None:
    matched = queries._match(query, ranked=False)
    if matched is not None:
        matched.index.counts(matched.base, matched.filters)
    return None


def _rebuild(query) -> int:
    """What the first search after a moderator's decision pays in each process."""
    register_index.touch()
    db.session.commit()
    return len(register_index.current(query.item_type).ids)


SCENARIOS: tuple[tuple[str, str, Callable], ...] = (
    # name, inputs, function
    ("search: text+2 filters, facets", "text", _search),
    ("facet counts alone (same input)", "text", _facets),
    ("list: 2 filters, no text/facets", "filters", _list),
    ("list page: 2 filters + facets", "filters", _search),
    ("browse: no filter + facets", "browse", _search),
    ("text only, by relevance + facets", "text-only", _search),
    ("index rebuild after a change", "browse", _rebuild),
)


def _timed(function, query) -> tuple[float, int | None]:
    started = time.perf_counter()
    hits = function(query)
    elapsed = (time.perf_counter() - started) * 1000
    db.session.remove()  # as at the end of a request
    return elapsed, hits


def measure(app, database: str, args) -> list[Figure]:
    """Every scenario for both item types; each figure stops early when over its budget."""
    figures = []
    n, warmup = args.queries, warmup_runs(args.queries)
    with app.app_context():
        for item_type in ("project", "organisation"):
            for scenario, kind, function in SCENARIOS:
                rng = random.Random(f"{args.seed}-{item_type}-{kind}")
                if kind == "browse":
                    inputs = browse_inputs(rng, item_type, warmup + n)
                else:
                    inputs = query_inputs(
                        rng,
                        item_type,
                        warmup + n,
                        with_text=kind in ("text", "text-only"),
                        with_filters=kind != "text-only",
                    )
                figure = Figure(database, item_type, scenario)
                started = time.perf_counter()
                for query in inputs[:warmup]:
                    _timed(function, query)
                    if time.perf_counter() - started > args.budget / 5:
                        break
                started = time.perf_counter()
                for query in inputs[warmup:]:
                    elapsed, hits = _timed(function, query)
                    figure.times_ms.append(elapsed)
                    if hits is not None:
                        figure.hits.append(hits)
                    over_budget = time.perf_counter() - started > args.budget
                    if over_budget and len(figure.times_ms) >= args.min_runs:
                        break
                figures.append(figure)
                print(
                    f"  {database:10} {item_type:12} {scenario:34} {len(figure.times_ms):4} runs"
                    f"  p50 {figure.p50:8.1f}  p95 {figure.p95:8.1f} ms",
                    flush=True,
                )
    return figures


def warmup_runs(n: int) -> int:
    return max(5, n // 10)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def print_table(figures: Sequence[Figure]) -> None:
    header = (
        f"{'database':10} {'items':12} {'scenario':34} {'runs':>5} {'avg hits':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  p95<={TARGET_MS:.0f}ms"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        hits = f"{statistics.fmean(f.hits):9.0f}" if f.hits else f"{'-':>9}"
        verdict = "yes" if f.p95 <= TARGET_MS else "NO (misses target)"
        print(
            f"{f.database:10} {f.item_type:12} {f.scenario:34} {len(f.times_ms):5} {hits} "
            f"{f.p50:8.1f} {f.p95:8.1f} {max(f.times_ms):8.1f}  {verdict}"
        )


def run_database(name: str, url: str, data: Dataset, args) -> list[Figure]:
    print(f"\n=== {name}: {url}", flush=True)
    app = make_app(url)
    started = time.perf_counter()
    reset_schema(app)
    schema_seconds = time.perf_counter() - started
    timings = load(app, data)
    print(
        f"load: schema+migrations+taxonomy {schema_seconds:.1f} s, "
        f"bulk insert {timings['insert']:.1f} s, "
        f"{'ANALYZE' if name == 'postgresql' else 'FTS optimize + ANALYZE'} "
        f"{timings['analyze']:.1f} s"
    )
    print("rows: " + ", ".join(f"{label} {count:,}" for label, count in row_counts(app)))
    if name == "sqlite":
        size = Path(url.removeprefix("sqlite:///")).stat().st_size
        print(f"database file: {size / 1e6:.0f} MB")
    print(
        f"timing up to {args.queries} runs per figure after {warmup_runs(args.queries)} warm-up "
        f"runs; a figure stops after {args.budget:.0f} s once it has {args.min_runs} runs:"
    )
    # The generated dataset (60,000 items with their snapshots) stays in this process for the
    # next database; a server process holds nothing like it. Freeze it out of the cyclic
    # garbage collector so its full collections are not billed to the queries timed here.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    figures = measure(app, name, args)
    print(f"timing took {time.perf_counter() - started:.0f} s")
    with app.app_context():
        db.engine.dispose()
    return figures


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            "Seeded benchmark of the public register's search (matchmaker.register.queries): "
            "p50/p95 server time of search with text + filters + facets, facet counts alone "
            "and filtered lists, on SQLite (temporary file) and/or PostgreSQL. "
            "WARNING: the PostgreSQL run DROPS AND RECREATES THE PUBLIC SCHEMA of the "
            f"database in BENCH_DATABASE_URL (default {DEFAULT_PG_URL}); all its data is lost."
        )
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds per figure: stop timing it after this, once it has --min-runs runs",
    )
    parser.add_argument("--min-runs", type=int, default=10)
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="processes building search documents while generating data",
    )
    parser.add_argument(
        "--keep-sqlite", action="store_true", help="keep the SQLite file and print its path"
    )
    return parser.parse_args(argv)


def describe(data: Dataset) -> str:
    """How selective the data are: what the text and filter figures depend on."""
    projects = [item for item in data.items if item.item_type == "project"]
    tagged = {}
    for item in projects:
        for code in item.snapshot["tags"]["category"]:
            tagged[code] = tagged.get(code, 0) + 1
    top, top_count = max(tagged.items(), key=lambda pair: pair[1], default=("-", 0))
    telemedicine = sum(
        1 for docs in data.documents if any(" telemedicin" in " " + c for c in docs.values())
    )
    share = 100 * telemedicine / max(1, len(data.documents))
    return (
        f"data: most frequent project category {top} on {top_count:,} of {len(projects):,} "
        f"projects; entries with a word starting 'telemedicin' in a search document: "
        f"{telemedicine:,} ({share:.0f} %)"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    print(
        f"register search benchmark: {args.organisations:,} organisations, "
        f"{args.projects:,} projects, seed {args.seed}, {args.queries} runs per figure, "
        f"target p95 <= {TARGET_MS:.0f} ms"
    )
    data = generate(args.organisations, args.projects, args.seed, args.jobs)
    n_docs = sum(len(d) for d in data.documents)
    avg_tokens = statistics.fmean(len(c.split()) for d in data.documents for c in d.values())
    print(
        f"generated {len(data.items):,} register entries, {n_docs:,} search documents "
        f"(avg {avg_tokens:.0f} tokens) in {data.seconds:.1f} s"
    )
    print(describe(data))
    figures: list[Figure] = []
    if args.database in ("sqlite", "both"):
        directory = tempfile.mkdtemp(prefix="matchmaker-bench-")
        path = Path(directory) / "register.sqlite"
        try:
            figures += run_database("sqlite", f"sqlite:///{path}", data, args)
        finally:
            if args.keep_sqlite:
                print(f"kept {path}")
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                Path(directory).rmdir()
    if args.database in ("postgresql", "both"):
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_URL)
        figures += run_database("postgresql", url, data, args)
    print()
    print_table(figures)
    missed = [f for f in figures if f.p95 > TARGET_MS]
    print(
        f"\n{len(figures) - len(missed)} of {len(figures)} figures meet p95 <= {TARGET_MS:.0f} ms"
        + (f"; {len(missed)} miss it." if missed else ".")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
