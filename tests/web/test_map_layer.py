"""The interactive map's data on /<lang>/map: published places only, under the page's
filters, with translated texts; tiles and their CSP origin only when configured."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from matchmaker.geo.svg import MIN_RADIUS
from matchmaker.moderation import services as moderation
from matchmaker.organisations.services import submit_organisation
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

STATIC = Path(__file__).resolve().parents[2] / "matchmaker" / "static"
MAP_DATA = re.compile(r'<script type="application/json" id="map-data">(.*?)</script>', re.S)


def plain_name(url: str) -> str:
    """A static file's address without the digest in its name (matchmaker.caching)."""
    return re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url)


def map_data(client, url: str) -> dict:
    page = client.get(url).get_data(as_text=True)
    match = MAP_DATA.search(page)
    assert match, "no map data on the page"
    return json.loads(match.group(1))


def places(client, url: str) -> dict[str, dict]:
    return {place["label"]: place for place in map_data(client, url)["places"]}


def img_src(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("img-src "))


@pytest.fixture
def moderator(app):
    return UserFactory(role="moderator")


@pytest.fixture
def register(app, moderator):
    """Published: two organisations in Oslo, one in Lower Silesia (with a project).
    Not published: a draft in Vestland, a returned one in Pomerania, and one unpublished
    by a moderator in Trøndelag."""
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    make_organisation(owner, name="Oslo Care AS")
    wroclaw = make_organisation(
        owner,
        name="Wrocław Med",
        country="PL",
        region="PL-DS",
        original_language="pl",
        texts={"pl": {"description": "Urządzenia medyczne."}},
        tags={"category": ["medical_devices"]},
    )
    publish("organisation", oslo, moderator)
    publish("organisation", wroclaw, moderator)
    second = make_organisation(owner, name="Oslo Second AS")
    publish("organisation", second, moderator)
    project = make_project(wroclaw)
    publish("project", project, moderator)

    make_organisation(owner, name="Bergen Draft AS", region="NO-46")
    returned = make_organisation(owner, name="Gdańsk Returned", country="PL", region="PL-PM")
    submit_organisation(returned)
    moderation.return_for_changes("organisation", returned, moderator, "Add a description.")
    withdrawn = make_organisation(owner, name="Trondheim Withdrawn AS", region="NO-50")
    publish("organisation", withdrawn, moderator)
    moderation.unpublish("organisation", withdrawn, moderator, "Duplicate entry")
    return {"oslo": oslo, "wroclaw": wroclaw, "project": project}


def test_places_have_counts_positions_and_links(client, register):
    found = places(client, "/en/map?show=organisations")
    assert set(found) == {"Oslo, Norway", "Lower Silesia, Poland"}
    oslo = found["Oslo, Norway"]
    assert oslo["count"] == 2
    assert oslo["lat"] == pytest.approx(59.9, abs=0.5)
    assert oslo["lon"] == pytest.approx(10.7, abs=0.5)
    assert oslo["href"] == "/en/organisations?country=NO&region=NO-03"
    assert oslo["radius"] >= found["Lower Silesia, Poland"]["radius"] >= MIN_RADIUS


def test_unpublished_items_are_not_on_the_map(client, register):
    page = client.get("/en/map?show=organisations").get_data(as_text=True)
    for hidden in ("Vestland", "Pomerania", "Trøndelag", "Bergen", "Gdańsk", "Trondheim"):
        assert hidden not in page
    assert places(client, "/en/map?show=organisations")["Oslo, Norway"]["count"] == 2


def test_marker_texts_are_whole_translated_sentences_with_plurals(client, register):
    found = places(client, "/en/map?show=organisations")
    assert found["Oslo, Norway"]["text"] == "Oslo, Norway: 2 organisations"
    assert found["Lower Silesia, Poland"]["text"] == "Lower Silesia, Poland: 1 organisation"
    projects = places(client, "/en/map")
    assert projects["Lower Silesia, Poland"]["text"] == "Lower Silesia, Poland: 1 project"


def test_places_are_named_in_the_readers_language(client, register):
    assert set(places(client, "/pl/map?show=organisations")) == {
        "Oslo, Norwegia",
        "Dolnośląskie, Polska",
    }
    data = map_data(client, "/pl/map?show=organisations")
    assert all(place["href"].startswith("/pl/organisations?") for place in data["places"])


def test_the_map_takes_the_same_filters_as_the_list(client, register):
    found = places(client, "/en/map?show=organisations&category=medical_devices&q=medyczne")
    assert set(found) == {"Lower Silesia, Poland"}
    link = found["Lower Silesia, Poland"]["href"]
    assert parse_qs(urlsplit(link).query) == {
        "category": ["medical_devices"],
        "q": ["medyczne"],
        "country": ["PL"],
        "region": ["PL-DS"],
    }
    listed = client.get(link).get_data(as_text=True)
    assert "1 organisation found" in listed and "Wrocław Med" in listed


def test_a_place_links_to_a_list_with_the_same_count(client, register):
    oslo = places(client, "/en/map?show=organisations&country=NO")["Oslo, Norway"]
    listed = client.get(oslo["href"]).get_data(as_text=True)
    assert f"{oslo['count']} organisations found" in listed
    assert "Oslo Sensor AS" in listed and "Oslo Second AS" in listed


def test_a_filter_that_matches_nothing_gives_no_places(client, register):
    assert map_data(client, "/en/map?show=organisations&country=DK")["places"] == []
    assert map_data(client, "/en/map?show=organisations&q=%22%22%2A")["places"] == []


def test_the_data_block_cannot_be_closed_by_user_input(client, register):
    evil = "</script><script>alert(1)</script>"
    page = client.get("/en/map", query_string={"show": "organisations", "q": evil})
    text = page.get_data(as_text=True)
    assert evil not in text
    assert MAP_DATA.search(text), "the JSON block is still whole"


def test_without_tiles_the_map_uses_the_vendored_outlines_and_no_other_site(client, register):
    response = client.get("/en/map")
    data = map_data(client, "/en/map")
    assert data["tiles"] is None
    assert plain_name(data["outlines"]) == "/static/vendor/world-atlas/countries-50m.json"
    with client.get(data["outlines"]) as outlines:
        assert outlines.status_code == 200
    assert img_src(response) == "img-src 'self' data:"


def test_configured_tiles_are_used_and_their_origin_alone_is_allowed(app, client, register):
    app.config["MAP_TILE_URL"] = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    app.config["MAP_TILE_ATTRIBUTION"] = "© Example Tiles"
    response = client.get("/en/map")
    data = map_data(client, "/en/map")
    assert data["tiles"] == {
        "url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© Example Tiles",
    }
    assert data["outlines"] is None
    assert img_src(response) == "img-src 'self' data: https://*.tiles.example.org"


def test_a_single_tile_host_is_allowed_exactly(app, client, register):
    app.config["MAP_TILE_URL"] = "https://tiles.example.org:8443/osm/{z}/{x}/{y}.png"
    assert img_src(client.get("/en/map")) == "img-src 'self' data: https://tiles.example.org:8443"


def test_a_subdomain_inside_a_label_allows_the_parent_domain(app, client, register):
    # CSP allows a wildcard only as a whole first label: "tile-*.example.org" is invalid.
    app.config["MAP_TILE_URL"] = "https://tile-{s}.example.org/{z}/{x}/{y}.png"
    assert img_src(client.get("/en/map")) == "img-src 'self' data: https://*.example.org"


def test_control_labels_come_translated_from_the_server(client, register):
    labels = map_data(client, "/en/map")["labels"]
    assert labels == {
        "zoom_in": "Zoom in",
        "zoom_out": "Zoom out",
        "close": "Close",
        "cluster": "Zoom in on %(places)s",  # a group of markers, named by its places
    }
    assert map_data(client, "/nb/map")["labels"]["cluster"] == "Zoom inn på %(places)s"


def test_the_page_loads_leaflet_from_this_site_only(client, register):
    page = client.get("/en/map").get_data(as_text=True)
    found = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    sources = [plain_name(source) for source in found]
    assert "/static/vendor/leaflet/leaflet.js" in sources
    assert "/static/vendor/leaflet/leaflet.css" in sources
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in sources
    assert "/static/js/map.js" in sources
    assert not [s for s in found if s.startswith(("http:", "https:", "//"))]
    assert 'id="interactive-map"' in page and "hidden" in page


@pytest.mark.parametrize(
    "folder, files",
    [
        ("leaflet", ("leaflet.js", "leaflet.css", "LICENSE")),
        ("topojson-client", ("topojson-client.min.js", "LICENSE")),
        ("world-atlas", ("countries-50m.json", "LICENSE")),
    ],
)
def test_vendored_files_are_served_with_their_licence_beside_them(client, folder, files):
    for name in files:
        assert (STATIC / "vendor" / folder / name).is_file()
    with client.get(f"/static/vendor/{folder}/{files[0]}") as response:
        assert response.status_code == 200
