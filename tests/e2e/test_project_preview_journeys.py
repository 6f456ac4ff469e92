"""A project's public page previewed before approval, in a real browser: a member creates a
draft, follows the preview link and reads the page as the public will, under a notice in
their language; nobody else sees it. In all four languages, and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in, open_account_menu
from tests.e2e.test_event_journeys import person, t
from tests.factories import make_organisation, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]
ORGANISATION = "Nordic Telecare AS"
TEXTS = {  # title, summary, description
    "pl": ("Zdalna rehabilitacja serca", "Ćwiczenia w domu pod okiem pielęgniarki.", "Pilotaż."),
    "en": ("Remote heart rehabilitation", "Exercises at home, watched by a nurse.", "A pilot."),
    "da": ("Hjerterehabilitering hjemme", "Træning derhjemme med en sygeplejerske.", "Et pilot."),
    "nb": ("Hjerterehabilitering i hjemmet", "Trening hjemme med en sykepleier.", "En pilot."),
}
NOTICE = (
    "this is how the public page will look once a moderator approves this version. "
    "Only the organisation's members see it."
)


@pytest.fixture
def members(app):
    """Ada, a member of a published organisation; Eve, a member of another one."""
    sync_taxonomy()

    def make(lang: str) -> None:
        moderator = person(role="moderator")
        ada = person(email="ada@example.org", name="Ada Member", locale=lang)
        publish("organisation", make_organisation(ada, name=ORGANISATION), moderator)
        eve = person(email="eve@example.org", name="Eve Outsider", locale=lang)
        make_organisation(eve, name="Other Health AS")

    return make


def create_project(page, lang: str) -> str:
    """From the organisation's page through the project form; returns the manage page's URL."""
    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "My organisations")).click()
    page.get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("link", name=t(lang, "Add a project")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Create a project"))
    column = page.locator(f"section[aria-labelledby='texts-{lang}-heading']")
    title, summary, description = TEXTS[lang]
    column.get_by_label(t(lang, "Title"), exact=True).fill(title)
    column.get_by_label(t(lang, "Summary"), exact=True).fill(summary)
    column.get_by_label(t(lang, "Description"), exact=True).fill(description)
    page.get_by_label(t(lang, "Stage"), exact=True).select_option("pilot")
    page.locator("#categories input[value='ehealth_telemedicine']").check()
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(page.locator("#flash-messages")).to_have_text(
        t(lang, "The project is saved as a draft. Submit it for review when it is ready.")
    )
    return page.url


def open_preview(page, lang: str) -> str:
    """Follow the manage page's preview link; see the page as the public will. Returns its URL."""
    page.get_by_role("link", name=t(lang, "Preview the public page")).click()
    title, summary, _ = TEXTS[lang]
    notice = page.get_by_role("note")
    expect(notice.locator("p").first).to_have_text(f"{t(lang, 'Preview')}: {t(lang, NOTICE)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", lang)
    expect(page.get_by_text(summary, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=ORGANISATION, exact=True)).to_be_visible()
    return page.url


def back_to_the_project(page, lang: str, manage_url: str) -> None:
    back = t(lang, "Back to the project “%(title)s”", title=TEXTS[lang][0])
    page.get_by_role("link", name=back, exact=True).click()
    expect(page).to_have_url(manage_url)


def expect_not_found(page, lang: str, url: str) -> None:
    response = page.goto(url)
    assert response.status == 404, response.status
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Page not found"))
    expect(page.get_by_text(TEXTS[lang][0])).to_have_count(0)


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_previews_a_draft_projects_public_page_that_nobody_else_sees(
    lang, live_server, new_page, members
):
    members(lang)
    ada = new_page(locale=lang)
    log_in(ada, live_server, lang, "ada@example.org")
    manage_url = create_project(ada, lang)
    assert_accessible(ada)
    preview_url = open_preview(ada, lang)
    assert re.fullmatch(rf"{live_server}/{lang}/my/projects/\d+/preview", preview_url)
    assert_accessible(ada)
    back_to_the_project(ada, lang, manage_url)

    eve = new_page(locale=lang)
    log_in(eve, live_server, lang, "eve@example.org")
    expect_not_found(eve, lang, preview_url)
    assert_accessible(eve)

    # A visitor is asked to log in; the public page does not exist before approval.
    visitor = new_page(locale=lang)
    visitor.goto(preview_url)
    expect(visitor).to_have_url(re.compile(rf"/{lang}/account/login\?"))
    expect(visitor.get_by_text(TEXTS[lang][0])).to_have_count(0)
    project_id = preview_url.split("/")[-2]
    expect_not_found(visitor, lang, f"{live_server}/{lang}/projects/{project_id}")


def test_without_javascript_the_preview_link_shows_the_draft(live_server, new_page, members):
    lang = "nb"
    members(lang)
    ada = new_page(locale=lang, java_script_enabled=False)
    log_in(ada, live_server, lang, "ada@example.org")
    manage_url = create_project(ada, lang)
    preview_url = open_preview(ada, lang)
    back_to_the_project(ada, lang, manage_url)

    eve = new_page(locale=lang, java_script_enabled=False)
    log_in(eve, live_server, lang, "eve@example.org")
    expect_not_found(eve, lang, preview_url)
