"""The insights page in a real browser, in all four languages: charts named for assistive
technology with their tables, checked by axe; and without JavaScript, from the footer
link to a country's figures and a CSV file."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from matchmaker import geo
from matchmaker.contacts import services as contacts
from matchmaker.taxonomy.queries import tag_label
from tests.e2e.conftest import assert_accessible
from tests.factories import (
    UserFactory,
    make_held_event,
    make_organisation,
    make_project,
    publish,
    sync_taxonomy,
)

LANGS = ["pl", "en", "da", "nb"]


def t(lang: str, message: str, **variables) -> str:
    """`message` as the page shows it in `lang` (English until the catalogue has it)."""
    with force_locale(lang):
        return gettext(message, **variables)


@pytest.fixture
def register(app):
    """An SME in Oslo and a hospital in Lower Silesia, each with a published pilot project
    and linked by an accepted contact request; a draft project in Oslo that no figure
    counts; a study visit of the SME three days ago, with one person of the hospital."""
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(role="moderator")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    wroclaw = make_organisation(
        owner, name="Wrocław Med", kind="hospital", country="PL", region="PL-DS"
    )
    for organisation in (oslo, wroclaw):
        publish("organisation", organisation, moderator)
        publish("project", make_project(organisation), moderator)
    make_project(oslo, stage="concept")
    request, _created = contacts.send(
        owner, sender_org_id=oslo.id, recipient_org_id=wroclaw.id, message="Shall we talk?"
    )
    contacts.accept(owner, request.id)
    make_held_event(owner, oslo, guests=[(owner, wroclaw)])


def figure(page, lang: str, title: str):
    """A figure's section: a region named by its heading."""
    return page.get_by_role("region", name=t(lang, title), exact=True)


@pytest.mark.parametrize("lang", LANGS)
def test_the_figures_are_charts_with_tables_and_pass_axe(lang, live_server, new_page, register):
    page = new_page()
    page.goto(f"{live_server}/{lang}/insights/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Where health innovation grows")
    )
    stages = figure(page, lang, "Projects by stage")
    chart = stages.get_by_role("img", name=t(lang, "Published projects by their current stage"))
    expect(chart).to_be_visible()
    table = stages.get_by_role("table")
    expect(table.locator("caption")).to_have_text(
        t(lang, "Published projects by their current stage")
    )
    expect(table.locator("tbody tr")).to_have_count(1)  # the draft's concept is not there
    expect(table.locator("tbody th")).to_have_text(tag_label("pilot", lang))
    expect(table.locator("tbody td")).to_have_text("2")
    expect(page.get_by_role("heading", level=2, name=t(lang, "Connections"))).to_be_visible()
    ranking = figure(page, lang, "Most connected organisations")
    expect(ranking.get_by_role("table").locator("tbody tr")).to_have_count(2)
    expect(ranking.get_by_role("link", name="Wrocław Med")).to_be_visible()
    matrix = figure(page, lang, "Links across borders").get_by_role("table")
    polish_row = matrix.locator("tbody tr").first  # Poland: a contact and an event with Norway
    expect(polish_row.locator("th")).to_have_text(geo.country_name("PL", lang))
    expect(polish_row.locator("td")).to_have_text(["0", "0", "2", "0"])
    expect(page.get_by_role("heading", level=2, name=t(lang, "Events"))).to_be_visible()
    came = figure(page, lang, "Participants by country")
    expect(
        came.get_by_role(
            "img", name=t(lang, "Confirmed participants by the country of their organisation")
        )
    ).to_be_visible()
    expect(came.locator("tbody th")).to_have_text(geo.country_name("PL", lang))
    expect(came.locator("tbody td")).to_have_text("1")
    meetings = figure(page, lang, "1:1 meetings held and what came of them")
    expect(meetings.get_by_text(t(lang, "No 1:1 meeting has been held yet."))).to_be_visible()
    assert_accessible(page)

    page.get_by_label(t(lang, "Country"), exact=True).select_option(geo.country_name("PL", lang))
    page.get_by_role("button", name=t(lang, "Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"country=PL"))
    expect(stages.locator("tbody td")).to_have_text("1")
    expect(
        page.get_by_text(t(lang, "Figures for %(country)s.", country=geo.country_name("PL", lang)))
    ).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_from_the_footer_to_a_countrys_csv(
    lang, live_server, new_page, register
):
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/{lang}/")
    page.locator("footer").get_by_role("link", name=t(lang, "Insights")).click()
    expect(page).to_have_url(f"{live_server}/{lang}/insights/")
    kinds = figure(page, lang, "Organisations by kind")
    expect(kinds.locator("tbody tr")).to_have_count(2)

    norway = geo.country_name("NO", lang)
    page.get_by_label(t(lang, "Country"), exact=True).select_option(norway)
    page.get_by_role("button", name=t(lang, "Show"), exact=True).click()
    expect(page).to_have_url(re.compile(r"country=NO"))
    expect(kinds.locator("tbody tr")).to_have_count(1)
    expect(kinds.locator("tbody th")).to_have_text(tag_label("sme", lang))

    with page.expect_download() as download:
        kinds.get_by_role("link", name=t(lang, "Download CSV")).click()
    assert download.value.suggested_filename == f"matchmaker-organisation-kinds-no-{lang}.csv"
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["sme", tag_label("sme", lang), "1"]]
