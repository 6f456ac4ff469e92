"""matchmaker.geo: countries, regions, positions and the SVG map (pure, no app)."""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from matchmaker import geo
from matchmaker.geo import svg

GEO_DIR = Path(geo.__file__).resolve().parent
SVG_NS = "{http://www.w3.org/2000/svg}"

# Rough bounding boxes (lat_min, lat_max, lon_min, lon_max) of the core countries.
BOUNDS = {
    "PL": (49.0, 54.9, 14.1, 24.2),
    "DK": (54.5, 57.8, 8.0, 15.2),
    "NO": (57.9, 71.2, 4.5, 31.2),
}
EXPECTED_REGIONS = {
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


# --- regions ----------------------------------------------------------------------


@pytest.mark.parametrize("country", sorted(EXPECTED_REGIONS))
def test_core_countries_have_their_current_regions(country):
    for lang in geo.LANGS:
        codes = [code for code, _ in geo.regions(country, lang)]
        assert len(codes) == len(set(codes))
        assert set(codes) == EXPECTED_REGIONS[country]
    assert len(EXPECTED_REGIONS[country]) == {"PL": 16, "DK": 5, "NO": 15}[country]


@pytest.mark.parametrize("country", sorted(EXPECTED_REGIONS))
def test_core_regions_are_named_in_every_language_and_placed_inside_the_country(country):
    lat_min, lat_max, lon_min, lon_max = BOUNDS[country]
    for code in EXPECTED_REGIONS[country]:
        for lang in geo.LANGS:
            name = geo.region_name(code, lang)
            assert name, (code, lang)
            assert name == name.strip() and "[" not in name
        lat, lon = geo.coordinates(country, code)
        assert lat_min <= lat <= lat_max, code
        assert lon_min <= lon <= lon_max, code
        assert (lat, lon) == (round(lat, 2), round(lon, 2))


def test_region_names_follow_the_reader_language():
    assert geo.region_name("PL-DS", "pl") == "Dolnośląskie"
    assert geo.region_name("PL-DS", "en") == "Lower Silesia"
    assert geo.region_name("DK-84", "en") == "Capital Region of Denmark"
    assert geo.region_name("DK-84", "pl") == "Region Stołeczny"
    assert geo.region_name("DK-84", "da") == "Region Hovedstaden"
    assert geo.region_name("NO-50", "en") == "Trøndelag"
    assert geo.region_name("pl-ds", "pl") == "Dolnośląskie"  # codes are case-insensitive
    assert geo.region_name("NO-30", "nb") is None
    assert geo.region_name(None, "en") is None


def test_region_in_country():
    assert geo.region_in_country("PL-DS", "PL")
    assert geo.region_in_country("pl-ds", "pl")
    assert not geo.region_in_country("PL-DS", "DK")
    assert not geo.region_in_country("NO-30", "NO")  # Viken, split up on 1 January 2024
    assert not geo.region_in_country("NO-54", "NO")  # Troms og Finnmark, likewise
    assert not geo.region_in_country("PL-02", "PL")  # the numeric codes before 2018
    assert not geo.region_in_country("", "PL")
    assert not geo.region_in_country("PL-DS", None)
    assert geo.region_in_country("DE-BY", "DE")
    assert not geo.region_in_country("DE-BY", "AT")


def test_regions_sort_by_name_in_the_reader_language():
    names = [name for _, name in geo.regions("PL", "pl")]
    assert names == sorted(names, key=lambda name: geo.collation_key(name, "pl"))
    assert names.index("Lubuskie") < names.index("Łódzkie") < names.index("Małopolskie")
    assert names[-6:] == [
        "Pomorskie",
        "Śląskie",
        "Świętokrzyskie",
        "Warmińsko-Mazurskie",
        "Wielkopolskie",
        "Zachodniopomorskie",
    ]
    nb = [name for _, name in geo.regions("NO", "nb")]
    assert nb[-1] == "Østfold"


def test_other_countries_use_first_level_subdivisions():
    german = dict(geo.regions("DE", "pl"))
    assert len(german) == 16 and german["DE-BY"] == "Bayern"
    british = dict(geo.regions("GB", "en"))
    assert set(british) == {"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS"}
    assert british["GB-WLS"] == "Wales"  # pycountry's "[Cymru GB-CYM]" note dropped
    assert geo.regions("ZZ", "en") == []
    assert geo.regions("AQ", "en") == []


# --- countries --------------------------------------------------------------------


def test_country_names_come_in_the_reader_language():
    assert ("NO", "Norwegia") in geo.countries("pl")
    assert ("PL", "Polen") in geo.countries("da")
    assert ("DK", "Danmark") in geo.countries("nb")
    assert ("DK", "Denmark") in geo.countries("en")
    assert geo.country_name("no", "nb") == "Norge"
    assert geo.country_name("PL", "en") == "Poland"
    assert geo.country_name("QQ", "en") == "QQ"


@pytest.mark.parametrize("lang", geo.LANGS)
def test_countries_are_real_countries_sorted_by_name(lang):
    items = geo.countries(lang)
    codes = [code for code, _ in items]
    assert {"PL", "DK", "NO", "SE", "DE", "US"} <= set(codes)
    assert len(codes) == len(set(codes)) >= 240
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)
    assert not {"001", "150", "EU", "UN", "ZZ", "QO", "EZ"} & set(codes)
    names = [name for _, name in items]
    assert names == sorted(names, key=lambda name: geo.collation_key(name, lang))


def test_sorting_follows_each_alphabet():
    polish = [name for _, name in geo.countries("pl")]
    assert polish.index("Luksemburg") < polish.index("Łotwa") < polish.index("Madagaskar")
    danish = [name for _, name in geo.countries("da")]
    assert danish.index("Zimbabwe") < danish.index("Østrig") < danish.index("Åland")
    norwegian = [name for _, name in geo.countries("nb")]
    assert norwegian[-1] == "Åland"
    english = [name for _, name in geo.countries("en")]
    assert english.index("Åland Islands") < english.index("Albania")


def test_languages_are_normalised_and_checked():
    assert geo.countries("nb_NO") == geo.countries("nb") == geo.countries("no")
    assert geo.countries("pl-PL") == geo.countries("pl")
    with pytest.raises(ValueError):
        geo.countries("de")
    assert geo.is_country("pl") and not geo.is_country("EU") and not geo.is_country(None)


def test_results_are_copies_of_the_cache():
    geo.countries("en").clear()
    geo.regions("PL", "en").clear()
    assert geo.countries("en") and geo.regions("PL", "en")


# --- positions --------------------------------------------------------------------


def test_coordinates_fall_back_from_region_to_country_to_none():
    warsaw_region = geo.coordinates("PL", "PL-MZ")
    poland = geo.coordinates("PL")
    assert warsaw_region != poland
    assert geo.coordinates("pl", "pl-mz") == warsaw_region
    assert geo.coordinates("PL", "DK-84") == poland  # a region of another country
    assert geo.coordinates("PL", "PL-XX") == poland  # an unknown region
    assert geo.coordinates("SE", "SE-AB") == geo.coordinates("SE")  # no region centroid
    assert geo.coordinates("ZZ") is None
    assert geo.coordinates(None) is None
    lat, lon = poland
    assert 49 < lat < 55 and 14 < lon < 24.2


def test_country_centroids_cover_europe_and_the_main_partners():
    wanted = [
        "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES",
        "FI", "FO", "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
        "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE",
        "SI", "SK", "SM", "UA", "VA", "XK",
        "US", "CA", "IL", "JP", "KR", "SG", "AU", "CN", "IN", "BR",
    ]  # fmt: skip
    missing = [code for code in wanted if geo.coordinates(code) is None]
    assert not missing
    for code, (lat_min, lat_max, lon_min, lon_max) in BOUNDS.items():
        lat, lon = geo.coordinates(code)
        assert lat_min <= lat <= lat_max and lon_min <= lon <= lon_max, code


# --- the SVG map ------------------------------------------------------------------


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def sample_points():
    return [
        {"label": "Mazowieckie", "count": 25, "lat": 52.35, "lon": 21.06, "href": "/map?r=PL-MZ"},
        {"label": "Region Hovedstaden", "count": 4, "lat": 55.8, "lon": 12.35, "href": None},
        {"label": '<b>&"', "count": 1234, "lat": 59.95, "lon": 10.75, "href": '/x?a=1&b="2"'},
        {"label": "Nowhere", "count": 0, "lat": 60.0, "lon": 5.0},
    ]


def test_render_map_is_well_formed_and_labelled():
    markup = svg.render_map(sample_points(), "pl", "Innowacje <w regionach>")
    root = parse(markup)
    assert root.tag == SVG_NS + "svg"
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert set(root.get("aria-labelledby").split()) <= ids
    assert root.get("role") == "group"  # it holds links
    assert root.find(SVG_NS + "title").text == "Innowacje <w regionach>"
    assert len(root.findall(f".//{SVG_NS}circle")) == 4
    assert len(root.findall(f".//{SVG_NS}a")) == 2
    classes = [(element.get("class") or "").split() for element in root.iter()]
    assert ["country", "country-core"] in classes and ["country"] in classes
    assert classes.count(["map-count"]) == 4
    assert sum("map-point" in css for css in classes) == 4
    assert sum("map-link" in css for css in classes) == 2
    core = {
        element.get("data-country")
        for element in root.iter()
        if "country-core" in (element.get("class") or "")
    }
    assert core == {"PL", "DK", "NO"}


def test_render_map_escapes_everything_and_has_no_inline_style_or_script():
    markup = svg.render_map(sample_points(), "en", 'A "map" & <more>')
    assert "<b>" not in markup
    assert "&lt;b&gt;&amp;&quot;" in markup
    assert "style=" not in markup.lower()
    assert "<script" not in markup.lower()
    root = parse(markup)
    titles = [element.text for element in root.iter(SVG_NS + "title")]
    assert '<b>&": 1,234' in titles  # the count formatted in the reader's language
    assert "Mazowieckie: 25" in titles
    hrefs = {link.get("href") for link in root.iter(SVG_NS + "a")}
    assert hrefs == {"/map?r=PL-MZ", '/x?a=1&b="2"'}


def test_render_map_without_links_is_an_image_and_skips_points_off_the_map():
    points = [
        {"label": "Oslo", "count": 3, "lat": 59.91, "lon": 10.75, "href": None},
        {"label": "Boston", "count": 9, "lat": 42.36, "lon": -71.06, "href": None},
        {"label": "Unknown", "count": 2, "lat": None, "lon": None, "href": None},
    ]
    root = parse(svg.render_map(points, "nb", "Kart"))
    assert root.get("role") == "img"
    assert len(root.findall(f".//{SVG_NS}circle")) == 1
    empty = parse(svg.render_map([], "da", "Kort"))
    assert empty.findall(f".//{SVG_NS}circle") == []


def test_circles_grow_with_the_square_root_of_the_count():
    assert svg.radius(0) == svg.MIN_RADIUS
    assert svg.radius(1) == svg.MIN_RADIUS
    assert svg.radius(100, 100) > svg.radius(25, 100) > svg.radius(1, 100)
    assert svg.radius(100, 100) == pytest.approx(2 * svg.radius(25, 100), abs=0.1)
    assert svg.radius(10_000) <= svg.MAX_RADIUS
    assert svg.radius(10_000, 10_000) == svg.MAX_RADIUS
    assert svg.radius(2_500, 10_000) == pytest.approx(svg.MAX_RADIUS / 2, abs=0.1)


def test_projection_puts_places_where_they_belong():
    oslo, warsaw = svg.project(59.91, 10.75), svg.project(52.23, 21.01)
    copenhagen = svg.project(55.68, 12.57)
    assert oslo[1] < copenhagen[1] < warsaw[1]  # north is up
    assert oslo[0] < copenhagen[0] < warsaw[0]  # east is right
    for lat, lon in (geo.coordinates(code) for code in ("PL", "DK", "NO", "PT", "IS", "CY")):
        assert svg.in_view(lat, lon)
    assert not svg.in_view(40.7, -74.0)


# --- shipped data and purity --------------------------------------------------------


def test_map_data_is_compact_and_keyed_by_country_code():
    path = GEO_DIR / "data" / "europe_paths.json"
    assert path.stat().st_size < 300_000
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"PL", "DK", "NO", "SE", "DE", "FI", "GB"} <= set(data["countries"])
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in data["countries"])
    assert all(re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", d) for d in data["countries"].values())
    width, height = data["projection"]["width"], data["projection"]["height"]
    assert data["viewBox"] == f"0 0 {width:g} {height:g}"


def test_geo_package_imports_neither_flask_nor_the_database():
    for source in GEO_DIR.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for module in modules:
                root = module.split(".")[0]
                assert root not in {"flask", "flask_babel", "sqlalchemy", "werkzeug"}, source
                assert root != "matchmaker" or module.startswith("matchmaker.geo"), source


def test_a_location_map_shows_a_window_around_the_place_inside_the_map():
    from matchmaker.geo.svg import LOCATION_HEIGHT, LOCATION_WIDTH, project, render_location

    svg = render_location(59.91, 10.75, "Location: Oslo <Norway>")
    left, top, width, height = map(float, svg.split('viewBox="')[1].split('"')[0].split())
    x, y = project(59.91, 10.75)
    assert (width, height) == (LOCATION_WIDTH, LOCATION_HEIGHT)
    assert left <= x <= left + width and top <= y <= top + height
    assert "Location: Oslo &lt;Norway&gt;" in svg
    assert render_location(-33.9, 151.2, "Sydney") == ""  # outside the map: no picture


@pytest.mark.parametrize(
    ("value", "largest", "expected"), [(0, 10, 0), (1, 10, 1), (2, 10, 1), (3, 10, 2), (10, 10, 5)]
)
def test_a_choropleth_shades_counts_in_five_equal_steps(value, largest, expected):
    assert svg.shade(value, largest) == expected


def test_a_choropleth_marks_the_shaded_countries_only():
    markup = svg.render_map([], "en", "Projects", shades={"PL": 5, "DK": 2, "NO": 0})
    paths = re.findall(r'<path class="([^"]+)" data-country="([A-Z]{2})"', markup)
    by_country = {code: css for css, code in paths}
    assert by_country["PL"].endswith("shade-5") and by_country["DK"].endswith("shade-2")
    assert "shade" not in by_country["NO"] and "shade" not in by_country["SE"]
    assert "shade" not in svg.render_map([], "en", "Projects")  # no shades: plain outlines
