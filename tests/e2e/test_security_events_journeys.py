"""An admin reads the security event log and filters it, in four languages, with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


@pytest.mark.parametrize("lang", LANGS)
def test_an_admin_filters_the_security_events(lang, live_server, page, new_page):
    UserFactory(email="ada@example.org", name="Ada Lovelace")
    other = new_page()
    other.goto(f"{live_server}/en/account/login")
    other.get_by_label("E-mail address").fill("ada@example.org")
    other.get_by_label("Password", exact=True).fill("not the password at all")
    other.get_by_role("button", name="Log in").last.click()
    expect(other.get_by_text("The e-mail address or the password is wrong.")).to_be_visible()

    UserFactory(email=f"admin-{lang}@example.org", role="admin", locale=lang)
    log_in(page, live_server, lang, f"admin-{lang}@example.org")
    page.goto(f"{live_server}/{lang}/moderation/")
    page.get_by_role("link", name=translated(lang, "Security events")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(lang, "Security events"))
    expect(page.get_by_role("cell", name=translated(lang, "Wrong password"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label(translated(lang, "Event"), exact=True).select_option("sign_in")
    page.get_by_role("button", name=translated(lang, "Show")).click()
    expect(page.get_by_role("cell", name=translated(lang, "Wrong password"))).to_have_count(0)
    expect(page.get_by_role("cell", name=translated(lang, "Signed in")).first).to_be_visible()
    assert_accessible(page)
