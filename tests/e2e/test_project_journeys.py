"""Projects in the browser, in all four languages: edits under review, search, filters."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.test_register_journeys import log_in, t
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]


@pytest.fixture
def people(app):
    sync_taxonomy()
    return UserFactory(email="owner@example.org"), UserFactory(
        email="mod@example.org", role="moderator"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_public_sees_the_approved_project_until_the_edit_is_approved(
    lang, live_server, new_page, people
):
    owner_user, moderator_user = people
    owner_user.locale = moderator_user.locale = lang
    org = make_organisation(owner_user)
    publish("organisation", org, moderator_user)
    project = make_project(org)
    publish("project", project, moderator_user)
    public_url = f"{live_server}/{lang}/projects/{project.id}"

    owner = new_page()
    log_in(owner, live_server, lang, "owner@example.org")
    owner.goto(f"{live_server}/{lang}/my/projects/{project.id}")
    assert_accessible(owner)
    owner.get_by_role("link", name=t(lang, "Edit")).click()
    assert_accessible(owner)
    owner.locator("#texts_en-title").fill("Home monitoring for heart failure, second edition")
    owner.get_by_role("button", name=t(lang, "Save")).click()
    owner.get_by_role("button", name=t(lang, "Submit for review")).click()
    expect(
        owner.get_by_text(t(lang, "Thank you. A moderator will review the project soon."))
    ).to_be_visible()

    visitor = new_page()
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Home monitoring for heart failure"
    )

    moderator = new_page()
    log_in(moderator, live_server, lang, "mod@example.org")
    moderator.goto(f"{live_server}/{lang}/moderation/project/{project.id}")
    expect(moderator.locator("table.diff")).to_contain_text("second edition")
    assert_accessible(moderator)
    moderator.get_by_label(t(lang, "Approve and publish")).check()
    moderator.get_by_role("button", name=t(lang, "Save the decision")).click()
    expect(
        moderator.get_by_text(t(lang, "Decision saved and the organisation informed."))
    ).to_be_visible()

    visitor.reload()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Home monitoring for heart failure, second edition"
    )
    assert_accessible(visitor)


@pytest.mark.parametrize("lang", LANGS)
def test_search_across_languages_and_filter_by_stage_and_region(
    lang, live_server, new_page, people
):
    owner_user, moderator_user = people
    polish_org = make_organisation(
        owner_user,
        name="Kardio PL",
        country="PL",
        region="PL-DS",
        original_language="pl",
        texts={"pl": {"description": "Telemedycyna."}},
    )
    danish_org = make_organisation(
        owner_user,
        name="Hjerte DK",
        country="DK",
        region="DK-84",
        original_language="da",
        texts={"da": {"description": "Telemedicin."}},
    )
    publish("organisation", polish_org, moderator_user)
    publish("organisation", danish_org, moderator_user)
    polish = make_project(
        polish_org,
        stage="prototype",
        original_language="pl",
        texts={
            "pl": {
                "title": "Zdalna rehabilitacja serca",
                "summary": "Rozwój telemedycyny w kardiologii.",
                "description": "Projekt wykorzystuje telemedycynę.",
            }
        },
    )
    danish = make_project(
        danish_org,
        stage="pilot",
        original_language="da",
        # A tag labelled "telemedycyna" in Polish would match too (by design): keep it out.
        tags={"category": ["medical_devices"]},
        texts={
            "da": {
                "title": "Hjemmemonitorering af hjertesvigt",
                "summary": "Telemedicinske konsultationer.",
                "description": "Et pilotprojekt med telemedicin.",
            }
        },
    )
    publish("project", polish, moderator_user)
    publish("project", danish, moderator_user)

    page = new_page()
    page.goto(f"{live_server}/{lang}/projects")
    search = page.get_by_role("searchbox", name=t(lang, "Search"))
    search.fill("telemedycyna")
    expect(page.get_by_role("link", name="Zdalna rehabilitacja serca")).to_be_visible()
    expect(page.get_by_role("link", name="Hjemmemonitorering af hjertesvigt")).to_have_count(0)
    search.fill("telemedicin")
    expect(page.get_by_role("link", name="Hjemmemonitorering af hjertesvigt")).to_be_visible()
    assert_accessible(page)

    search.fill("")
    page.locator("input[name='stage'][value='pilot']").check()
    expect(page.get_by_role("link", name="Zdalna rehabilitacja serca")).to_have_count(0)
    expect(page.get_by_role("link", name="Hjemmemonitorering af hjertesvigt")).to_be_visible()
    page.locator("input[name='stage'][value='pilot']").uncheck()
    page.locator("input[name='region'][value='PL-DS']").check()
    expect(page.get_by_role("link", name="Hjemmemonitorering af hjertesvigt")).to_have_count(0)
    page.get_by_role("link", name="Zdalna rehabilitacja serca").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "pl")
    if lang != "pl":
        expect(page.get_by_text(t(lang, "Original in Polish"))).to_be_visible()
    assert_accessible(page)
