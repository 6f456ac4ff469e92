"""An organisation's report on its events in a real browser: a member opens it from the
manage page in every language (checked by axe), and without JavaScript downloads its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from matchmaker import geo
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, make_held_event, make_organisation, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]


def t(lang: str, message: str, **variables) -> str:
    with force_locale(lang):
        return gettext(message, **variables)


@pytest.fixture
def hosted(app):
    """Oslo Sensor AS held a study visit three days ago; one person of Wrocław Med came."""
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    guest = UserFactory(email="guest@example.org")
    moderator = UserFactory(role="moderator")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    wroclaw = make_organisation(guest, name="Wrocław Med", kind="hospital", country="PL")
    for organisation in (oslo, wroclaw):
        publish("organisation", organisation, moderator)
    event = make_held_event(owner, oslo, guests=[(guest, wroclaw)])
    return oslo, event


def open_report(page, base: str, lang: str, organisation) -> None:
    log_in(page, base, lang, "owner@example.org")
    page.goto(f"{base}/{lang}/my/organisations/{organisation.id}")
    page.get_by_role("link", name=t(lang, "Report on our events")).click()
    expect(page).to_have_url(f"{base}/{lang}/my/organisations/{organisation.id}/report")


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_opens_the_report_from_the_manage_page(lang, live_server, new_page, hosted):
    organisation, event = hosted
    page = new_page()
    open_report(page, live_server, lang, organisation)
    heading = t(lang, "Report on the events of %(name)s", name=organisation.name)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    section = page.get_by_role("region", name=event.title_in(lang), exact=True)
    countries = section.get_by_role("region", name=t(lang, "Participants by country"))
    expect(countries.locator("tbody th")).to_have_text(geo.country_name("PL", lang))
    expect(countries.locator("tbody td")).to_have_text("1")
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_report_downloads_as_csv(lang, live_server, new_page, hosted):
    organisation, event = hosted
    page = new_page(java_script_enabled=False)
    open_report(page, live_server, lang, organisation)
    with page.expect_download() as download:
        page.get_by_role("link", name=t(lang, "Download the report as CSV")).click()
    assert download.value.suggested_filename == f"report-{organisation.id}-{lang}.csv"
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == t(lang, "Event")
    by_country = [row for row in rows[1:] if row[2] == t(lang, "Participants by country")]
    assert [row[3:] for row in by_country] == [
        ["PL", geo.country_name("PL", lang), t(lang, "Participants"), "1"]
    ]
    assert {row[0] for row in rows[1:]} == {str(event.id)}
