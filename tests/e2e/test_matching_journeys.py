"""Match lists in a real browser: tabs, reasons, dismiss and undo, without JavaScript too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import (
    PASSWORD,
    UserFactory,
    make_organisation,
    make_project,
    publish,
    sync_taxonomy,
)
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory(email="owner@example.org")
    startup = make_organisation(
        owner,
        name="Heart Start-up",
        kind="startup",
        country="PL",
        region="PL-DS",
        working_languages=["pl", "en"],
    )
    publish("organisation", startup, moderator)
    project = make_project(
        startup,
        funding_min_eur=300_000,
        funding_max_eur=800_000,
        tags={
            "need": ["clinical_validation"],
            "category": ["ehealth_telemedicine"],
            "seeks": ["pilot_site", "investment"],
        },
    )
    publish("project", project, moderator)
    for name, fields in {
        "Wrocław Clinical Hospital": {
            "kind": "hospital",
            "country": "PL",
            "region": "PL-DS",
            "tags": {"capability": ["clinical_validation", "test_bed"]},
        },
        "Baltic Seed Fund": {
            "kind": "investor",
            "country": "PL",
            "region": "PL-MZ",
            "ticket_min_eur": 250_000,
            "ticket_max_eur": 2_000_000,
            "tags": {"preferred_stage": ["pilot"], "category": ["ehealth_telemedicine"]},
        },
        "Silesian Health Cluster": {
            "kind": "cluster",
            "country": "PL",
            "region": "PL-DS",
            "regions_covered": ["PL-DS"],
            "tags": {"category": ["ehealth_telemedicine"]},
        },
    }.items():
        publish("organisation", make_organisation(UserFactory(), name=name, **fields), moderator)
    return project


def log_in(page, base, lang, email):
    page.goto(f"{base}/{lang}/account/login")
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    # Logged in, the home page follows the account's own language.
    expect(page).not_to_have_url(re.compile(r"/account/login"))


@pytest.mark.parametrize("lang", LANGS)
def test_owner_switches_lists_reads_reasons_dismisses_and_undoes(
    lang, live_server, new_page, world
):
    page = new_page()
    log_in(page, live_server, lang, "owner@example.org")
    # The home page offers the owner's published project and organisation, and loads the
    # project's first list in place.
    page.goto(f"{live_server}/{lang}/")
    expect(page.get_by_role("heading", name=t(lang, "Your matches"))).to_be_visible()
    # (The heading stays; the section under it is replaced when its list arrives.)
    page.locator("#matches-heading").scroll_into_view_if_needed()
    expect(
        page.locator("#matches").get_by_role("link", name="Wrocław Clinical Hospital", exact=True)
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/{lang}/projects/{world.id}")
    matches = page.locator("#matches")
    # The first list loads with the page, replacing the section under the heading (which
    # stays: scrolling to the section itself could catch it as it is replaced).
    page.locator("#matches-heading").scroll_into_view_if_needed()
    expect(
        matches.get_by_role("link", name="Wrocław Clinical Hospital", exact=True)
    ).to_be_visible()
    expect(
        matches.locator("ul.reasons").get_by_text(
            t(lang, "Offers what you need: %(tags)s", tags=""), exact=False
        )
    ).to_be_visible()
    assert_accessible(page)

    matches.get_by_role("link", name=t(lang, "Investors")).click()
    expect(page.locator("#matches-tab-investors")).to_have_attribute("aria-current", "page")
    expect(
        page.locator("#matches").get_by_role("link", name="Baltic Seed Fund", exact=True)
    ).to_be_visible()
    expect(page.locator("#matches .result-count")).to_be_focused()
    assert_accessible(page)

    page.locator("#matches").get_by_role("link", name=t(lang, "Clusters")).click()
    expect(
        page.locator("#matches").get_by_role("link", name="Silesian Health Cluster", exact=True)
    ).to_be_visible()

    page.locator("#matches").get_by_role("link", name=t(lang, "Partners")).click()
    hospital = page.locator("#matches").get_by_role(
        "link", name="Wrocław Clinical Hospital", exact=True
    )
    expect(hospital).to_be_visible()
    page.locator("#matches .match").filter(has_text="Wrocław Clinical Hospital").get_by_role(
        "button", name=t(lang, "Not relevant")
    ).click()
    expect(page.locator("#matches .notice")).to_be_focused()
    expect(hospital).to_have_count(0)
    assert_accessible(page)
    page.locator("#matches details.dismissed summary").click()
    page.locator("#matches details.dismissed").get_by_role(
        "button", name=t(lang, "Show again")
    ).click()
    expect(
        page.locator("#matches").get_by_role("link", name="Wrocław Clinical Hospital", exact=True)
    ).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_tabs_are_links_to_full_pages(live_server, new_page, world):
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/en/projects/{world.id}")
    page.locator("#matches").get_by_role("link", name="Investors").click()
    expect(page).to_have_url(f"{live_server}/en/projects/{world.id}/matches/investors")
    expect(page.get_by_role("heading", level=1)).to_have_text("Matches")
    expect(page.get_by_role("link", name="Baltic Seed Fund", exact=True)).to_be_visible()
    expect(page.locator("#matches-tab-investors")).to_have_attribute("aria-current", "page")
