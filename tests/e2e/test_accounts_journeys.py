"""Account journeys in a real browser, in all four languages, with axe after every step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import body_text, first_link
from tests.e2e.conftest import assert_accessible, open_account_menu
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]
NEW_PASSWORD = "sunny meadow lantern"
OTHER = {"pl": "da", "en": "nb", "da": "pl", "nb": "en"}


def t(lang, message, **variables):
    return translated(lang, message, **variables)


@pytest.mark.parametrize("lang", LANGS)
def test_register_confirm_login_change_language_logout(lang, live_server, page, smtp_server):
    email = f"journey-{lang}@example.org"
    page.goto(f"{live_server}/{lang}/")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page)

    page.get_by_role("link", name=t(lang, "Create an account")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Create an account"))
    assert_accessible(page)

    # A mistake first: the form comes back in place (HTMX) with a translated error.
    page.get_by_label(t(lang, "Your name")).fill("Ada Example")
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill("short")
    page.get_by_label(t(lang, "Repeat the password")).fill("short")
    page.get_by_role("button", name=t(lang, "Create account")).click()
    expect(page.get_by_text(t(lang, "Use at least %(min)d characters.", min=12))).to_be_visible()
    expect(page.locator(".form-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t(lang, "Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Create account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Check your inbox"))
    assert_accessible(page)

    [message] = smtp_server.wait_for(email)
    assert message["Subject"] == t(lang, "Confirm your e-mail address")
    assert message["Content-Language"] == lang
    assert t(lang, "Hello %(name)s,", name="Ada Example") in body_text(message)
    page.goto(first_link(message))
    expect(
        page.get_by_text(t(lang, "Your e-mail address is confirmed. You can now log in."))
    ).to_be_visible()
    assert_accessible(page)

    # The form comes filled in with the address just confirmed.
    expect(page.get_by_label(t(lang, "E-mail address"))).to_have_value(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(page.get_by_text(t(lang, "Welcome, %(name)s.", name="Ada Example"))).to_be_visible()
    # A first sign-in begins the first steps.
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Welcome to Matchmaker"))
    assert_accessible(page)

    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "Account settings")).click()
    assert_accessible(page)
    other = OTHER[lang]
    page.get_by_label(t(lang, "Preferred language")).select_option(other)
    page.locator("#profile-form").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"/{other}/account/settings$"))
    assert page.locator("html").get_attribute("lang") == other
    expect(page.get_by_text(t(other, "Your settings are saved."))).to_be_visible()
    assert_accessible(page)

    open_account_menu(page)
    page.get_by_role("button", name=t(other, "Log out")).click()
    expect(page.get_by_text(t(other, "You have logged out."))).to_be_visible()
    expect(page.get_by_role("link", name=t(other, "Log in")).first).to_be_visible()
    # The saved preference now decides where the front door leads.
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(rf"/{other}/$"))


@pytest.mark.parametrize("lang", LANGS)
def test_forgotten_password_reset_link_new_password_works(lang, live_server, page, smtp_server):
    email = f"reset-{lang}@example.org"
    UserFactory(email=email, locale=lang, name="Bo Example")
    page.goto(f"{live_server}/{lang}/account/login")
    page.get_by_role("link", name=t(lang, "Forgot your password?")).click()
    assert_accessible(page)
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_role("button", name=t(lang, "Send the link")).click()
    reset_sent = t(
        lang,
        "If an account uses %(email)s, we have sent it a link to choose a new "
        "password. The link works once and expires soon.",
        email=email,
    )
    expect(page.get_by_text(reset_sent)).to_be_visible()
    assert_accessible(page)

    [message] = smtp_server.wait_for(email)
    assert message["Subject"] == t(lang, "Choose a new password")
    page.goto(first_link(message))
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Choose a new password"))
    assert_accessible(page)
    page.get_by_label(t(lang, "New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(t(lang, "Repeat the new password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t(lang, "Save the new password")).click()
    expect(
        page.get_by_text(t(lang, "Your password has been changed. Please log in with the new one."))
    ).to_be_visible()

    # The old password no longer works...
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(
        page.get_by_text(t(lang, "The e-mail address or the password is wrong."))
    ).to_be_visible()
    assert_accessible(page)
    # ...the new one does.
    page.get_by_label(t(lang, "Password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(page.get_by_text(t(lang, "Welcome, %(name)s.", name="Bo Example"))).to_be_visible()

    # The link was single-use.
    page.goto(first_link(message))
    expect(
        page.get_by_text(t(lang, "This link is not valid or has already been used."))
    ).to_be_visible()


def test_login_works_with_javascript_off(live_server, new_page):
    UserFactory(email="nojs@example.org", name="No Script")
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server}/en/account/login")
    page.get_by_label("E-mail address").fill("nojs@example.org")
    page.get_by_label("Password", exact=True).fill("wrong password here")
    page.get_by_role("button", name="Log in").last.click()
    expect(page.get_by_text("The e-mail address or the password is wrong.")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").last.click()
    expect(page.get_by_text("Welcome, No Script.")).to_be_visible()
