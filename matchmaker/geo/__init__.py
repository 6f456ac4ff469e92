"""Countries, regions and marker positions in the four interface languages.

Pure Python (babel, pycountry and the data files beside this module); no Flask, no
database. Every lookup is cached, so calling these from a template is cheap.

- Countries are ISO 3166-1 alpha-2 codes, named by CLDR (through babel).
- Regions are first-level ISO 3166-2 subdivisions. For Poland, Denmark and Norway they
  come from ``data/regions.toml`` (current codes, names in pl/en/da/nb, centroids);
  for any other country from pycountry, under their local names.
- Positions are (latitude, longitude): a region's centroid when it is known,
  otherwise the country's (``data/country_centroids.toml``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

import babel
import pycountry

__all__ = [
    "CORE_COUNTRIES",
    "LANGS",
    "collation_key",
    "coordinates",
    "countries",
    "country_name",
    "is_country",
    "normalise_lang",
    "place_name",
    "region_in_country",
    "region_name",
    "regions",
]

LANGS = ("pl", "en", "da", "nb")
CORE_COUNTRIES = ("PL", "DK", "NO")

DATA = Path(__file__).resolve().parent / "data"

Coordinates = tuple[float, float]


def normalise_lang(lang: object) -> str:
    """'pl', 'nb_NO', 'da-DK', a babel Locale... -> one of LANGS ('no'/'nn' count as 'nb').

    Raises ValueError for a language the interface does not serve.
    """
    tag = str(lang or "").replace("-", "_").split("_")[0].lower()
    tag = "nb" if tag in ("no", "nn") else tag
    if tag not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")
    return tag


# --- sorting ----------------------------------------------------------------------

# Alphabetical order of each language, lower case. Letters not listed sort as their base
# letter (é as e), after the substitutions below.
_ALPHABETS = {
    "pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż",
    "en": "abcdefghijklmnopqrstuvwxyz",
    "da": "abcdefghijklmnopqrstuvwxyzæøå",
    "nb": "abcdefghijklmnopqrstuvwxyzæøå",
}
# Danish and Norwegian sort foreign letters the same way.
_NORDIC = {
    "ä": "æ",
    "ö": "ø",
    "ő": "ø",
    "ü": "y",
    "ű": "y",
    "œ": "ø",
    "đ": "d",
    "\u0131": "i",
    "ł": "l",
}
_SUBSTITUTIONS = {
    "pl": {"æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "\u0131": "i", "ß": "ss"},
    "en": {"æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "\u0131": "i", "ł": "l", "ß": "ss"},
    "da": _NORDIC,
    "nb": _NORDIC,
}
_SPACE, _PUNCTUATION, _DIGITS, _LETTERS, _OTHER = 1, 2, 100, 200, 1000


@cache
def _rank(char: str, lang: str) -> tuple[int, ...]:
    alphabet = _ALPHABETS[lang]
    if char in alphabet:
        return (_LETTERS + alphabet.index(char),)
    if char in _SUBSTITUTIONS[lang]:
        return tuple(r for c in _SUBSTITUTIONS[lang][char] for r in _rank(c, lang))
    base = unicodedata.normalize("NFD", char)[0]
    if base != char:
        return _rank(base, lang)
    if char.isspace():
        return (_SPACE,)
    if char.isdigit():
        return (_DIGITS + int(unicodedata.digit(char, 0)),)
    if char.isalpha():
        return (_OTHER + ord(char),)
    return (_PUNCTUATION,)


def collation_key(text: str, lang: str) -> tuple[tuple[int, ...], str, str]:
    """Sort key following the alphabet of ``lang``: Polish Ł after L, Danish and
    Norwegian Æ Ø Å after Z; case and accents only break ties."""
    lang = normalise_lang(lang)
    folded = unicodedata.normalize("NFC", text).casefold()
    primary = tuple(rank for char in folded for rank in _rank(char, lang))
    return (primary, folded, text)


# --- countries --------------------------------------------------------------------


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _territories(lang: str) -> dict[str, str]:
    return dict(babel.Locale.parse(lang).territories)


@cache
def _countries(lang: str) -> tuple[tuple[str, str], ...]:
    known = _country_codes()
    names = {code: name for code, name in _territories(lang).items() if code in known}
    for code in known - names.keys():  # CLDR names them all today; keep it total anyway
        names[code] = pycountry.countries.get(alpha_2=code).name
    return tuple(sorted(names.items(), key=lambda item: collation_key(item[1], lang)))


def countries(lang: str) -> list[tuple[str, str]]:
    """(alpha-2 code, name in ``lang``) of every ISO 3166-1 country, sorted by name."""
    return list(_countries(normalise_lang(lang)))


def is_country(code: str | None) -> bool:
    return bool(code) and str(code).upper() in _country_codes()


def country_name(code: str, lang: str) -> str:
    """The country's name in ``lang``; the code itself when it is unknown."""
    code = str(code).upper()
    name = _territories(normalise_lang(lang)).get(code)
    if name is None:
        country = pycountry.countries.get(alpha_2=code)
        name = country.name if country else code
    return name


# --- regions ----------------------------------------------------------------------


@cache
def _core_regions() -> dict[str, dict]:
    with (DATA / "regions.toml").open("rb") as file:
        data = tomllib.load(file)
    return {region["code"]: region for region in data["regions"]}


_NOTE = re.compile(r"\s*\[[^\]]*\]$")  # pycountry's "Wales [Cymru GB-CYM]" notes


@cache
def _regions(country: str) -> dict[str, dict[str, str]]:
    """Region code -> {lang: name} for one country."""
    if country in CORE_COUNTRIES:
        return {
            code: dict(region["names"])
            for code, region in _core_regions().items()
            if code.startswith(country + "-")
        }
    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    result = {}
    for subdivision in subdivisions:
        if subdivision.parent_code is None:
            name = _NOTE.sub("", subdivision.name)
            result[subdivision.code] = dict.fromkeys(LANGS, name)
    return result


@cache
def _sorted_regions(country: str, lang: str) -> tuple[tuple[str, str], ...]:
    items = ((code, names[lang]) for code, names in _regions(country).items())
    return tuple(sorted(items, key=lambda item: collation_key(item[1], lang)))


def regions(country: str, lang: str) -> list[tuple[str, str]]:
    """(ISO 3166-2 code, name) of the country's first-level regions, sorted by name."""
    return list(_sorted_regions(str(country).upper(), normalise_lang(lang)))


def _country_of(region_code: str) -> str:
    return region_code.split("-", 1)[0]


def region_name(code: str | None, lang: str) -> str | None:
    """The region's name in ``lang``, or None for an unknown code."""
    if not code:
        return None
    code = str(code).upper()
    names = _regions(_country_of(code)).get(code)
    return names[normalise_lang(lang)] if names else None


def place_name(country: str, region: str | None, lang: str) -> str:
    """ "Region, Country" in ``lang`` (the country alone without a region; an unknown
    region by its code)."""
    name = country_name(country, lang)
    return f"{region_name(region, lang) or region}, {name}" if region else name


def region_in_country(region_code: str | None, country: str | None) -> bool:
    """True when ``region_code`` is a current first-level region of ``country``."""
    if not region_code or not country:
        return False
    region_code, country = str(region_code).upper(), str(country).upper()
    return _country_of(region_code) == country and region_code in _regions(country)


# --- positions --------------------------------------------------------------------


@cache
def _country_centroids() -> dict[str, Coordinates]:
    with (DATA / "country_centroids.toml").open("rb") as file:
        data = tomllib.load(file)
    return {code: (float(lat), float(lon)) for code, (lat, lon) in data.items()}


def coordinates(country: str | None, region: str | None = None) -> Coordinates | None:
    """(lat, lon) for a marker: the region's centroid when known, else the country's,
    else None. A region outside ``country`` is ignored."""
    if not country:
        return None
    country = str(country).upper()
    if region and region_in_country(region, country):
        core = _core_regions().get(str(region).upper())
        if core is not None:
            lat, lon = core["centroid"]
            return (float(lat), float(lon))
    return _country_centroids().get(country)
