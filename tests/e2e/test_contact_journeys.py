"""Contact requests in a real browser: two people, two browsers, two languages each time."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import body_text
from tests.e2e.conftest import assert_accessible, log_in, open_account_menu
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def other(lang: str) -> str:
    return LANGS[(LANGS.index(lang) + 1) % len(LANGS)]


@pytest.fixture
def pair(app):
    """Anna's start-up and Bjørn's hospital, both published; Bjørn shares his phone."""
    sync_taxonomy()
    app.config["CONTACT_BADGE_POLL_SECONDS"] = 1

    def make(lang_a: str, lang_b: str):
        moderator = UserFactory(role="moderator")
        anna = UserFactory(email="anna@example.org", name="Anna Nowak", locale=lang_a)
        bjorn = UserFactory(
            email="bjorn@example.org",
            name="Bjørn Dahl",
            locale=lang_b,
            phone="+47 22 33 44 55",
            share_phone=True,
            job_title="Innovation lead",
        )
        startup = make_organisation(
            anna, name="Wroclaw Telecare", kind="startup", country="PL", region="PL-DS"
        )
        hospital = make_organisation(bjorn, name="Fjord Hospital", kind="hospital")
        publish("organisation", startup, moderator)
        publish("organisation", hospital, moderator)
        return startup, hospital

    return make


def send_request(page, base, lang, hospital, message):
    page.goto(f"{base}/{lang}/organisations?q=Fjord")
    page.get_by_role("link", name="Fjord Hospital").click()
    page.get_by_role("link", name=t(lang, "Request contact")).click()  # htmx: inline form
    page.get_by_label(t(lang, "Your message")).fill(message)
    assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Send request")).click()
    expect(page.get_by_text(t(lang, "Request sent."))).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_a_request_is_found_sent_seen_accepted_and_shares_details(
    lang, live_server, new_page, pair, smtp_server
):
    lang_b = other(lang)
    _startup, hospital = pair(lang, lang_b)
    anna, bjorn = new_page(), new_page()
    log_in(anna, live_server, lang, "anna@example.org")
    log_in(bjorn, live_server, lang_b, "bjorn@example.org")
    bjorn_home = bjorn.url
    expect(bjorn.locator("#contact-badge .badge-count")).to_have_count(0)

    send_request(anna, live_server, lang, hospital, "Could we pilot our platform with you?")
    # Bjørn's open page shows the new request without being reloaded.
    expect(bjorn.locator("#contact-badge .badge-count")).to_have_text("1", timeout=15_000)
    # The same poll updated the count beside "Contact requests" inside the account menu.
    expect(bjorn.locator("#contact-badge-menu .badge-count")).to_have_text("1")
    assert bjorn.url == bjorn_home
    [mail] = smtp_server.wait_for("bjorn@example.org")
    assert mail["Content-Language"] == lang_b
    assert "anna@example.org" not in mail.as_string()

    open_account_menu(bjorn)
    bjorn.get_by_role("link", name=t(lang_b, "Contact requests")).click()
    expect(bjorn.get_by_text("Could we pilot our platform with you?")).to_be_visible()
    expect(bjorn.get_by_text("anna@example.org")).to_have_count(0)
    assert_accessible(bjorn)
    bjorn.get_by_label(t(lang_b, "Reply or reason (optional)")).fill("Gladly, let us talk.")
    bjorn.get_by_role("button", name=t(lang_b, "Accept"), exact=True).click()
    expect(bjorn.get_by_text(t(lang_b, "Request accepted."))).to_be_visible()
    expect(bjorn.get_by_text("anna@example.org")).to_be_visible()
    assert_accessible(bjorn)

    [accepted] = smtp_server.wait_for("anna@example.org")
    assert accepted["Content-Language"] == lang
    assert "bjorn@example.org" not in accepted.as_string()
    anna.goto(f"{live_server}/{lang}/contacts/outbox")
    expect(anna.get_by_text(t(lang, "Accepted"), exact=True)).to_be_visible()
    expect(anna.get_by_text("bjorn@example.org")).to_be_visible()
    expect(anna.get_by_text("+47 22 33 44 55")).to_be_visible()
    expect(anna.get_by_text("Gladly, let us talk.")).to_be_visible()
    assert_accessible(anna)
    assert "Could we pilot" in body_text(mail)


@pytest.mark.parametrize("lang", LANGS)
def test_a_request_is_withdrawn_and_another_declined(lang, live_server, new_page, pair):
    lang_b = other(lang)
    _startup, hospital = pair(lang, lang_b)
    anna, bjorn = new_page(), new_page()
    log_in(anna, live_server, lang, "anna@example.org")
    log_in(bjorn, live_server, lang_b, "bjorn@example.org")

    send_request(anna, live_server, lang, hospital, "First try.")
    anna.goto(f"{live_server}/{lang}/contacts/outbox")
    anna.get_by_role("button", name=t(lang, "Withdraw the request")).click()
    expect(anna.get_by_text(t(lang, "Withdrawn"), exact=True)).to_be_visible()
    assert_accessible(anna)

    send_request(anna, live_server, lang, hospital, "Second try.")
    bjorn.goto(f"{live_server}/{lang_b}/contacts/inbox")
    card = bjorn.locator("article.contact-request", has_text="Second try.")
    card.get_by_label(t(lang_b, "Reply or reason (optional)")).fill("Not this year.")
    card.get_by_role("button", name=t(lang_b, "Decline"), exact=True).click()
    expect(bjorn.get_by_text(t(lang_b, "Request declined."))).to_be_visible()
    assert_accessible(bjorn)
    anna.goto(f"{live_server}/{lang}/contacts/outbox")
    expect(anna.get_by_text(t(lang, "Declined"), exact=True)).to_be_visible()
    expect(anna.get_by_text("Not this year.")).to_be_visible()
    expect(anna.get_by_text("bjorn@example.org")).to_have_count(0)
