"""The map in a real browser, in all four languages: Leaflet markers with JavaScript,
the SVG map and the table without it."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from matchmaker import geo
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]


def place_name(lang: str, country: str, region: str) -> str:
    return f"{geo.region_name(region, lang)}, {geo.country_name(country, lang)}"


def marker_text(lang: str, country: str, region: str, count: int) -> str:
    """What the catalogue says for this marker (English until the catalogue has it)."""
    with force_locale(lang):
        return ngettext(
            "%(place)s: %(number)s organisation",
            "%(place)s: %(number)s organisations",
            count,
            number=str(count),
            place=place_name(lang, country, region),
        )


@pytest.fixture
def register(app):
    """Two published organisations in Oslo, one in Lower Silesia, a draft in Vestland."""
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(role="moderator")
    for name, fields in (
        ("Oslo Sensor AS", {}),
        ("Oslo Care AS", {}),
        ("Wrocław Med", {"country": "PL", "region": "PL-DS", "original_language": "en"}),
    ):
        publish("organisation", make_organisation(owner, name=name, **fields), moderator)
    make_organisation(owner, name="Bergen Draft AS", region="NO-46")


@pytest.mark.parametrize("lang", LANGS)
def test_markers_show_counts_and_lead_to_the_filtered_list(lang, live_server, new_page, register):
    page = new_page()
    page.goto(f"{live_server}/{lang}/map?show=organisations")
    markers = page.locator("#interactive-map .map-marker")
    expect(markers).to_have_count(2)
    expect(page.locator("svg.map")).to_be_hidden()
    expect(page.locator("#interactive-map path.country-core").first).to_be_attached()

    oslo = page.get_by_role("button", name=marker_text(lang, "NO", "NO-03", 2), exact=True)
    expect(oslo).to_have_text("2")
    silesia = page.get_by_role("button", name=marker_text(lang, "PL", "PL-DS", 1), exact=True)
    expect(silesia).to_have_text("1")
    expect(page.locator("table tbody tr")).to_have_count(2)  # the accessible equivalent
    assert_accessible(page)

    # Keyboard: the marker opens its popup, whose link gets the focus.
    silesia.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_be_focused()
    expect(link).to_have_text(marker_text(lang, "PL", "PL-DS", 1))
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in: contrast
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(silesia).to_be_focused()

    # The mouse: the link leads to the list narrowed to the place.
    oslo.click()
    page.locator(".leaflet-popup-content a").click()
    expect(page).to_have_url(re.compile(rf"/{lang}/organisations\?country=NO&region=NO-03$"))
    expect(page.get_by_role("link", name="Oslo Sensor AS")).to_be_visible()
    expect(page.get_by_role("link", name="Oslo Care AS")).to_be_visible()
    expect(page.get_by_role("link", name="Wrocław Med")).to_have_count(0)


@pytest.mark.parametrize("lang", LANGS)
def test_the_map_follows_the_filters_in_the_address(lang, live_server, new_page, register):
    page = new_page()
    page.goto(f"{live_server}/{lang}/map?show=organisations&country=PL")
    expect(page.locator("#interactive-map .map-marker")).to_have_count(1)
    marker = page.get_by_role("button", name=marker_text(lang, "PL", "PL-DS", 1), exact=True)
    expect(marker).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_svg_map_and_the_table_remain(lang, live_server, new_page, register):
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/{lang}/map?show=organisations")
    expect(page.locator("svg.map")).to_be_visible()
    expect(page.locator("svg.map circle")).to_have_count(2)
    expect(page.locator("#interactive-map")).to_be_hidden()
    expect(page.locator(".leaflet-container")).to_have_count(0)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    oslo = place_name(lang, "NO", "NO-03")
    expect(rows.first).to_contain_text(oslo)
    expect(rows.first).to_contain_text("2")
    expect(page.get_by_text(place_name(lang, "NO", "NO-46"))).to_have_count(0)
    page.get_by_role("link", name=oslo, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"country=NO&region=NO-03"))
    expect(page.get_by_role("link", name="Oslo Sensor AS")).to_be_visible()
    # No axe here: it runs as JavaScript. The same page is checked with JavaScript above.


@pytest.fixture
def neighbours(app, register):
    """Akershus next to Oslo: at the zoom that shows Wrocław too, their circles would overlap."""
    owner = UserFactory(email="akershus@example.org")
    moderator = UserFactory(role="moderator")
    org = make_organisation(owner, name="Lillestrøm Health AS", region="NO-32")
    publish("organisation", org, moderator)


@pytest.mark.parametrize("lang", LANGS)
def test_markers_close_together_are_grouped_until_zoomed_in(
    lang, live_server, new_page, neighbours
):
    page = new_page()
    page.goto(f"{live_server}/{lang}/map?show=organisations")
    group = page.locator("#interactive-map .map-cluster")
    expect(group).to_have_count(1)
    # It shows the organisations in Oslo and Akershus together.
    expect(group.locator("[aria-hidden=true]")).to_have_text("3")
    # Named by the places it holds, in the page's language.
    with force_locale(lang):
        zoom_in = gettext("Zoom in on %(places)s", places="")
    for place in (marker_text(lang, "NO", "NO-03", 2), marker_text(lang, "NO", "NO-32", 1)):
        expect(group).to_have_accessible_name(re.compile(re.escape(place)))
    expect(group).to_have_accessible_name(re.compile("^" + re.escape(zoom_in.strip())))
    silesia = page.get_by_role("button", name=marker_text(lang, "PL", "PL-DS", 1), exact=True)
    expect(silesia).to_be_visible()
    assert_accessible(page)

    # The keyboard: Enter zooms in on the group; the focus goes to its first place.
    group.focus()
    page.keyboard.press("Enter")
    expect(group).to_have_count(0)
    oslo = page.get_by_role("button", name=marker_text(lang, "NO", "NO-03", 2), exact=True)
    akershus = page.get_by_role("button", name=marker_text(lang, "NO", "NO-32", 1), exact=True)
    expect(oslo).to_be_visible()
    expect(akershus).to_be_visible()
    expect(page.locator("#interactive-map .map-marker:focus")).to_have_count(1)
    assert_accessible(page)
