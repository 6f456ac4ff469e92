"""The privacy notice and a person's data in a real browser, in all four languages."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, UserFactory, make_organisation, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


@pytest.mark.parametrize("lang", LANGS)
def test_download_then_delete_the_organisation_and_the_account(lang, app, live_server, new_page):
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org", locale=lang, name="Olga Owner")
    make_organisation(owner, name="Solo Health")
    page = new_page()
    page.goto(f"{live_server}/{lang}/privacy")
    expect(page.get_by_role("heading", name=t(lang, "Privacy notice"))).to_be_visible()
    assert_accessible(page)

    log_in(page, live_server, lang, "owner@example.org")
    page.get_by_role("link", name=t(lang, "Your data")).first.click()
    assert_accessible(page)

    page.get_by_label(t(lang, "Your password")).first.fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name=t(lang, "Download my data")).click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["account"]["email"] == "owner@example.org"

    # The only owner of an organisation must delete it (or hand it over) first.
    page.get_by_role("link", name="Solo Health").click()
    page.get_by_text(t(lang, "Delete the organisation"), exact=True).first.click()
    page.get_by_label(
        t(lang, "I understand: delete “%(name)s” for good", name="Solo Health")
    ).check()
    page.get_by_role("button", name=t(lang, "Delete the organisation")).click()
    expect(
        page.get_by_text(t(lang, "“%(name)s” has been deleted.", name="Solo Health"))
    ).to_be_visible()

    page.goto(f"{live_server}/{lang}/account/your-data")
    page.locator("#delete-current_password").fill(PASSWORD)
    page.get_by_label(
        t(lang, "I understand that my account and my personal data are deleted for good")
    ).check()
    page.get_by_role("button", name=t(lang, "Delete my account")).click()
    expect(
        page.get_by_text(t(lang, "Your account and your personal data have been deleted."))
    ).to_be_visible()
    expect(page.get_by_role("link", name=t(lang, "Log in")).first).to_be_visible()
    assert_accessible(page)
