"""Organisation → moderation → public register, in a real browser, in all four languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matchmaker import geo
from tests.e2e.conftest import assert_accessible, log_in, open_account_menu
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


@pytest.fixture
def taxonomy(app):
    sync_taxonomy()


@pytest.mark.parametrize("lang", LANGS)
def test_organisation_is_returned_fixed_published_and_found(
    lang, live_server, new_page, taxonomy, smtp_server
):
    UserFactory(email="owner@example.org", locale=lang, name="Olga Owner")
    UserFactory(email="mod@example.org", locale=lang, role="moderator", name="Mo Derator")
    name = f"Telemed Care {lang.upper()}"

    owner = new_page()
    log_in(owner, live_server, lang, "owner@example.org")
    open_account_menu(owner)
    owner.get_by_role("link", name=t(lang, "My organisations")).click()
    owner.get_by_role("link", name=t(lang, "Create an organisation")).click()
    assert_accessible(owner)
    owner.get_by_label(t(lang, "Name of the organisation")).fill(name)
    owner.get_by_label(t(lang, "Kind of organisation")).select_option("sme")
    owner.get_by_label(t(lang, "Country"), exact=True).select_option("PL")
    # The region list follows the country (HTMX); without JavaScript it comes after a submit.
    expect(owner.locator("#region option[value='PL-DS']")).to_have_count(1)
    owner.get_by_label(t(lang, "Region"), exact=True).select_option("PL-DS")
    owner.get_by_label(t(lang, "Language you write in first")).select_option("pl")
    owner.locator("#texts_pl-description").fill(
        "Rozwijamy telemedycynę dla pacjentów kardiologicznych."
    )
    owner.locator("#texts_en-description").fill("We develop telemedicine for heart patients.")
    owner.locator("#capabilities input[value='telemedicine_platform']").check()
    owner.locator("#needs input[value='clinical_validation']").check()
    # The texts suggest tags (HTMX); selecting a suggestion ticks its checkbox.
    suggestion = owner.locator("#tag-suggestions label[for='categories-0']")
    expect(suggestion).to_be_visible()
    assert_accessible(owner)
    suggestion.click()
    expect(owner.locator("#categories-0")).to_be_checked()
    expect(owner.locator("#categories input[value='ehealth_telemedicine']")).to_be_checked()
    owner.get_by_role("button", name=t(lang, "Save")).click()
    expect(
        owner.get_by_text(
            t(lang, "The organisation is saved as a draft. Submit it for review when it is ready.")
        )
    ).to_be_visible()
    assert_accessible(owner)
    owner.get_by_role("button", name=t(lang, "Submit for review")).click()
    expect(
        owner.get_by_text(t(lang, "Thank you. A moderator will review the organisation soon."))
    ).to_be_visible()

    moderator = new_page()
    log_in(moderator, live_server, lang, "mod@example.org")
    open_account_menu(moderator)
    moderator.get_by_role("link", name=t(lang, "Review queue")).click()
    assert_accessible(moderator)
    moderator.get_by_role("link", name=name).click()
    assert_accessible(moderator)
    moderator.get_by_label(t(lang, "Return to the organisation with a note")).check()
    moderator.get_by_label(t(lang, "Note to the organisation")).fill("Please add the city.")
    moderator.get_by_role("button", name=t(lang, "Save the decision")).click()
    expect(
        moderator.get_by_text(t(lang, "Decision saved and the organisation informed."))
    ).to_be_visible()
    mail = smtp_server.wait_for("owner@example.org")[0]
    assert mail["Subject"] == t(lang, "Changes requested: %(name)s", name=name)

    owner.reload()
    expect(owner.get_by_text("Please add the city.")).to_be_visible()
    owner.get_by_role("link", name=t(lang, "Edit")).click()
    owner.get_by_label(t(lang, "City"), exact=True).fill("Wrocław")
    owner.get_by_role("button", name=t(lang, "Save")).click()
    owner.get_by_role("button", name=t(lang, "Submit for review")).click()

    open_account_menu(moderator)
    moderator.get_by_role("link", name=t(lang, "Review queue")).click()
    moderator.get_by_role("link", name=name).click()
    expect(moderator.locator("table.diff")).to_contain_text("Wrocław")
    moderator.get_by_label(t(lang, "Approve and publish")).check()
    moderator.get_by_role("button", name=t(lang, "Save the decision")).click()
    expect(
        moderator.get_by_text(t(lang, "Decision saved and the organisation informed."))
    ).to_be_visible()

    visitor = new_page()
    visitor.goto(f"{live_server}/{lang}/organisations")
    visitor.get_by_role("searchbox", name=t(lang, "Search")).fill("telemedycyna")
    expect(visitor.get_by_role("link", name=name)).to_be_visible()
    expect(visitor).to_have_url(re.compile(r"q=telemedycyna"))
    assert_accessible(visitor)
    visitor.locator("input[name='region'][value='PL-DS']").check()
    expect(visitor.get_by_role("link", name=name)).to_be_visible()
    expect(visitor.locator("input[name='region'][value='PL-DS']")).to_be_checked()
    assert_accessible(visitor)
    visitor.get_by_role("link", name=name).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(name)
    assert_accessible(visitor)

    visitor.goto(f"{live_server}/{lang}/map?show=organisations")
    region = geo.region_name("PL-DS", lang)
    expect(visitor.locator("table")).to_contain_text(region)
    assert_accessible(visitor)
    export = visitor.request.get(f"{live_server}/{lang}/organisations/export.json").json()
    assert [item["name"] for item in export["items"]] == [name]


def test_register_works_with_javascript_off(live_server, new_page, taxonomy):
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(role="moderator")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    bergen = make_organisation(owner, name="Bergen Helse AS", region="NO-46")
    publish("organisation", oslo, moderator)
    publish("organisation", bergen, moderator)
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/en/organisations")
    page.locator("input[name='region'][value='NO-46']").check()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"region=NO-46"))
    expect(page.get_by_role("link", name="Bergen Helse AS")).to_be_visible()
    expect(page.get_by_role("link", name="Oslo Sensor AS")).to_have_count(0)
    # No axe here: it runs as JavaScript. The same page is checked in the journey above.
