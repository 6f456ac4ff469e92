"""The header in a real browser: one line on a desktop and on a phone, the account menu by
keyboard, Escape and a click elsewhere closing it, and the same menu without JavaScript."""

from __future__ import annotations

from itertools import pairwise

import pytest
from playwright.sync_api import expect

from matchmaker.contacts import services as contacts
from tests.e2e.conftest import account_menu, assert_accessible, log_in, open_account_menu
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 800}
# Everything the header shows in its one row, whichever of them the width displays.
HEADER_ITEMS = (
    ".brand, .public-links > li, .guest-links > li, .main-nav > details > summary,"
    " .language-switcher li"
)


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def new_requests(lang: str, count: int) -> str:
    """The badge's words for screen readers, as the catalogue has them."""
    from flask_babel import force_locale, ngettext

    with force_locale(lang):
        return ngettext("%(count)s new request", "%(count)s new requests", count, count=count)


def header(page):
    return page.locator(".site-header")


@pytest.fixture
def member(app):
    """A member with a long name whose organisation has an unread contact request: the
    widest account button the header has to hold."""

    def make(lang: str) -> str:
        sync_taxonomy()
        moderator = UserFactory(role="moderator")
        person = UserFactory(
            email="member@example.org", name="Małgorzata Wiśniewska-Kowalska", locale=lang
        )
        sender = UserFactory(email="sender@example.org")
        ours = make_organisation(person, name="Bergen Heart Clinic", kind="hospital")
        theirs = make_organisation(sender, name="Wroclaw Telecare", kind="startup")
        publish("organisation", ours, moderator)
        publish("organisation", theirs, moderator)
        contacts.send(
            sender, sender_org_id=theirs.id, recipient_org_id=ours.id, message="Shall we talk?"
        )
        return person.email

    return make


def assert_one_line(page) -> None:
    """Every item of the header sits in one row, none covers another, none leaves the screen."""
    # Measured once the style sheets have loaded: a heading can be on screen before they are.
    page.wait_for_load_state("load")
    boxes = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((item) => item.getClientRects().length > 0)
            .map((item) => {
              const box = item.getBoundingClientRect();
              return {text: item.textContent.trim().slice(0, 20), left: box.left,
                      right: box.right, top: box.top, bottom: box.bottom};
            })""",
        HEADER_ITEMS,
    )
    assert len(boxes) >= 6, boxes
    tops = [box["top"] for box in boxes]
    assert max(tops) - min(tops) <= 8, boxes
    middles = [(box["top"] + box["bottom"]) / 2 for box in boxes]
    assert max(middles) - min(middles) <= 4, boxes
    ordered = sorted(boxes, key=lambda box: box["left"])
    for before, after in pairwise(ordered):
        assert before["right"] <= after["left"] + 0.5, (before, after)
    width = page.evaluate("document.documentElement.clientWidth")
    assert ordered[0]["left"] >= 0 and ordered[-1]["right"] <= width, ordered
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header


def summary(page):
    return account_menu(page).locator("> summary")


def focused_text(page) -> str:
    return page.evaluate("() => document.activeElement.textContent.trim()")


def tab_to(page, is_target, limit: int = 30) -> None:
    """Press Tab until `is_target()` holds for the focused element, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_target():
            return
    raise AssertionError(f"Tab never reached the target; focus is on {focused_text(page)!r}")


def summary_is_focused(page) -> bool:
    return page.evaluate("() => document.activeElement.matches('details.account-menu > summary')")


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_desktop_the_header_is_one_line_and_the_menu_works_by_keyboard(
    lang, live_server, new_page, member
):
    email = member(lang)
    page = new_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, lang, email)
    page.goto(f"{live_server}/{lang}/projects")
    assert_one_line(page)
    # The unread contact request shows on the button, with words for screen readers.
    expect(summary(page).locator(".badge-count")).to_have_text("1")
    expect(summary(page)).to_contain_text("Małgorzata")
    expect(summary(page)).to_contain_text(new_requests(lang, 1))
    expect(header(page).get_by_role("link", name=t(lang, "Notifications"))).to_have_count(0)

    tab_to(page, lambda: summary_is_focused(page))
    page.keyboard.press("Enter")
    expect(account_menu(page)).to_have_attribute("open", "")
    expect(page.get_by_role("link", name=t(lang, "Contact requests"))).to_contain_text("1")
    assert_one_line(page)
    assert_accessible(page)

    tab_to(page, lambda: focused_text(page) == t(lang, "Notifications"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Notifications"))
    expect(account_menu(page)).not_to_have_attribute("open", "")

    # The page's own link in the menu is marked as the current page.
    open_account_menu(page)
    current = page.get_by_role("link", name=t(lang, "Notifications"))
    expect(current).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    # Escape closes the menu and puts the focus back on its button.
    current.focus()
    page.keyboard.press("Escape")
    expect(account_menu(page)).not_to_have_attribute("open", "")
    assert summary_is_focused(page)
    page.keyboard.press("Enter")
    expect(account_menu(page)).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(account_menu(page)).not_to_have_attribute("open", "")
    assert summary_is_focused(page)

    # A click elsewhere on the page closes it too, and so does Tab past its last item.
    open_account_menu(page)
    page.mouse.click(8, DESKTOP["height"] - 100)  # the page's left margin, below the panel
    expect(account_menu(page)).not_to_have_attribute("open", "")
    open_account_menu(page)
    page.get_by_role("button", name=t(lang, "Log out")).focus()
    page.keyboard.press("Tab")
    expect(account_menu(page)).not_to_have_attribute("open", "")


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_header_is_one_line_with_one_menu(lang, live_server, new_page, member):
    email = member(lang)
    guest = new_page()
    guest.set_viewport_size(PHONE)
    guest.goto(f"{live_server}/{lang}/")
    assert_one_line(guest)
    expect(header(guest).get_by_role("link", name=t(lang, "Log in"))).to_have_count(0)
    guest.locator("details.site-menu > summary").click()
    expect(header(guest).get_by_role("link", name=t(lang, "Projects"))).to_be_visible()
    assert_accessible(guest)
    header(guest).get_by_role("link", name=t(lang, "Log in")).click()
    expect(guest).to_have_url(f"{live_server}/{lang}/account/login")

    page = new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, lang, email)
    assert_one_line(page)
    expect(summary(page).locator(".badge-count")).to_have_text("1")
    # The public links have folded into the menu, beside the account's own.
    expect(header(page).get_by_role("link", name=t(lang, "Projects"))).to_have_count(0)
    open_account_menu(page)
    expect(header(page).get_by_role("link", name=t(lang, "Projects"))).to_be_visible()
    expect(page.get_by_role("link", name=t(lang, "My organisations"))).to_be_visible()
    panel = account_menu(page).locator(".menu-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    assert_accessible(page)
    page.get_by_role("link", name=t(lang, "Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Notifications"))
    assert_one_line(page)
    open_account_menu(page)
    header(page).get_by_role("link", name=t(lang, "Events"), exact=True).click()
    expect(page).to_have_url(f"{live_server}/{lang}/events/")


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_menu_opens_and_log_out_works(lang, live_server, new_page, member):
    email = member(lang)
    page = new_page(java_script_enabled=False)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, lang, email)
    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "Saved searches")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Saved searches"))
    open_account_menu(page)
    page.get_by_role("button", name=t(lang, "Log out")).click()
    expect(page.get_by_text(t(lang, "You have logged out."))).to_be_visible()
    expect(account_menu(page)).to_have_count(0)
    expect(page.get_by_role("link", name=t(lang, "Log in")).first).to_be_visible()

    page.set_viewport_size(PHONE)
    log_in(page, live_server, lang, email)
    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Notifications"))
