"""The map and the exports show published items only, with the list's filters."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy


@pytest.fixture
def orgs(app):
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(role="moderator")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    wroclaw = make_organisation(
        owner,
        name="Wrocław Med",
        country="PL",
        region="PL-DS",
        original_language="pl",
        texts={"pl": {"description": "Urządzenia medyczne."}},
        tags={"category": ["medical_devices"]},
    )
    make_organisation(owner, name="Hidden Draft AS")
    publish("organisation", oslo, moderator)
    publish("organisation", wroclaw, moderator)
    return oslo, wroclaw


def test_map_is_an_svg_with_a_table_of_the_same_counts(client, orgs):
    page = client.get("/en/map?show=organisations").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    circles = root.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 2
    assert "Oslo, Norway" in page and "Lower Silesia, Poland" in page
    assert "Hidden Draft" not in page


def test_map_takes_the_register_filters(client, orgs):
    page = client.get("/en/map?show=organisations&country=PL").get_data(as_text=True)
    assert "Lower Silesia, Poland" in page and "Oslo, Norway" not in page


def test_map_names_places_in_the_readers_language(client, orgs):
    page = client.get("/pl/map?show=organisations").get_data(as_text=True)
    assert "Dolnośląskie, Polska" in page and "Oslo, Norwegia" in page


def test_csv_export_has_english_columns_and_labels_in_the_requested_language(client, orgs):
    response = client.get("/pl/organisations/export.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["name"] for r in rows} == {"Oslo Sensor AS", "Wrocław Med"}
    wroclaw = next(r for r in rows if r["name"] == "Wrocław Med")
    assert wroclaw["country_name"] == "Polska"
    assert wroclaw["category_codes"] == "medical_devices"
    assert wroclaw["category_labels"].startswith("Innowacyjne")
    assert wroclaw["url"].endswith(f"/pl/organisations/{orgs[1].id}")


def test_json_export_follows_the_filters(client, orgs):
    data = client.get("/en/organisations/export.json?country=NO").get_json()
    assert data["count"] == 1
    assert data["items"][0]["name"] == "Oslo Sensor AS"
    assert data["items"][0]["region_name"] == "Oslo"


def test_exports_never_contain_unpublished_items(client, orgs):
    for url in (
        "/en/organisations/export.csv",
        "/en/organisations/export.json",
        "/en/projects/export.json",
    ):
        assert "Hidden Draft" not in client.get(url).get_data(as_text=True)


def test_a_list_filtered_by_kind_offers_its_downloads_with_that_filter(client, orgs):
    """The kind of organisation is a filter of the lists; the download links keep it (it
    once clashed with the export address's own `kind` and the page failed)."""
    page = client.get("/en/organisations?kind=sme")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/en/organisations/export.json?kind=sme" in html
    data = client.get("/en/organisations/export.json?kind=sme").get_json()
    assert {item["name"] for item in data["items"]} == {"Oslo Sensor AS", "Wrocław Med"}
    assert client.get("/en/organisations/export.json?kind=investor").get_json()["count"] == 0
    assert client.get("/en/investors", follow_redirects=True).status_code == 200


@pytest.mark.parametrize(
    "url", ["/en/projects/{}", "/en/organisations/{}", "/en/events/{}", "/api/v1/projects/{}"]
)
def test_an_id_too_large_for_the_database_is_not_found(client, orgs, url):
    for number in (2**31, 2**63, 10**30):
        assert client.get(url.format(number)).status_code == 404
