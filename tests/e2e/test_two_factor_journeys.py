"""A moderator sets up two-step sign-in, in all four languages, with axe after every step;
then signs in with a code, and once with a recovery code without JavaScript."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import account_menu, assert_accessible, open_account_menu
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import next_totp_code, translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def password_step(page, base, lang, email):
    page.goto(f"{base}/{lang}/account/login")
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()


def enrol(page, lang) -> list[str]:
    """Read the key as a person would type it into the app, and turn it on."""
    secret = page.locator(".secret-key").inner_text().replace(" ", "")
    page.get_by_label(t(lang, "Code from the app")).fill(pyotp.TOTP(secret).now())
    page.get_by_label(t(lang, "Your password")).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Turn two-step sign-in on")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Your recovery codes"))
    return page.locator(".recovery-codes code").all_inner_texts()


@pytest.mark.parametrize("lang", LANGS)
def test_a_moderator_sets_up_two_step_sign_in(lang, live_server, page, smtp_server):
    email = f"mod-{lang}@example.org"
    UserFactory(email=email, locale=lang, role="moderator", totp_secret=None, totp_enabled_at=None)

    password_step(page, live_server, lang, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Two-step sign-in"))
    expect(
        page.get_by_role("img", name=t(lang, "QR code for your authenticator app"))
    ).to_be_visible()
    assert_accessible(page)

    # Nothing else opens before it is on.
    page.goto(f"{live_server}/{lang}/moderation/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Two-step sign-in"))

    # A wrong code first: refused in place, with the message by the field.
    page.get_by_label(t(lang, "Code from the app")).fill("000000")
    page.get_by_label(t(lang, "Your password")).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Turn two-step sign-in on")).click()
    expect(
        page.get_by_text(
            t(
                lang,
                "This code is not right. Scan the QR code again, check that the time on your phone is correct, and type the code the app shows now.",
            )
        )
    ).to_be_visible()
    assert_accessible(page)

    codes = enrol(page, lang)
    assert len(codes) == 10
    assert_accessible(page)
    message = smtp_server.wait_for(email)[-1]
    assert message["Subject"] == t(lang, "Two-step sign-in is on")

    page.get_by_role("link", name=t(lang, "I have saved my recovery codes")).click()
    expect(
        page.get_by_text(t(lang, "Moderators and admins must keep two-step sign-in on."))
    ).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/{lang}/moderation/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(t(lang, "Two-step sign-in"))

    # Next time: the password, then the app's code (the form swaps in place with htmx).
    open_account_menu(page)
    page.get_by_role("button", name=t(lang, "Log out")).click()
    password_step(page, live_server, lang, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Two-step sign-in"))
    assert_accessible(page)
    page.get_by_label(t(lang, "Code"), exact=True).fill("123 456")
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(
        page.get_by_text(
            t(
                lang,
                "This code is not right. Check that the time on your phone is correct, or use one of your recovery codes.",
            )
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label(t(lang, "Code"), exact=True).fill(next_totp_code(email))
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(account_menu(page)).to_be_visible()


def test_a_recovery_code_without_javascript(live_server, new_page):
    UserFactory(email="nojs@example.org", name="No Script")
    page = new_page(java_script_enabled=False)
    password_step(page, live_server, "en", "nojs@example.org")
    page.goto(f"{live_server}/en/account/two-step/")
    codes = enrol(page, "en")
    open_account_menu(page)
    page.get_by_role("button", name="Log out").click()

    password_step(page, live_server, "en", "nojs@example.org")
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Log in").last.click()
    expect(page.get_by_text("9 recovery codes are left.", exact=False)).to_be_visible()
    expect(account_menu(page)).to_be_visible()
