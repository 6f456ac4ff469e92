"""Browser tests: a live server on loopback, the system Chromium driven by Playwright, axe-core."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Without these, Chromium tries to reach Google's hosts on a machine with no internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ACCOUNT_MENU = "details.account-menu"  # the header's menu for people who are logged in


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install the 'chromium' package")
        for item in items:
            if here in Path(item.fspath).parents:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def live_server(app):
    """The test's app served on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def open_page(locale: str = "en-GB", java_script_enabled: bool = True):
        context = browser.new_context(locale=locale, java_script_enabled=java_script_enabled)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.0/2.1 A or AA violation on the page as it is now.

    Needs JavaScript in the page (axe is a script): not for contexts that turn it off.
    """
    assert AXE_SOURCE.exists(), "axe-core is missing: run `npm ci`"
    violations = axe_violations(page)
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert report == [], f"accessibility violations on {page.url}:\n" + "\n".join(report)


def account_menu(page):
    """The header's account menu: only people who are logged in have one."""
    return page.locator(ACCOUNT_MENU)


def open_account_menu(page):
    """Open the header's account menu (a <details>) with a click, unless it is open; its
    links (My organisations, Contact requests, Log out…) are hidden until then."""
    from playwright.sync_api import expect

    menu = account_menu(page)
    if not menu.evaluate("menu => menu.open"):
        menu.locator("> summary").click()
    expect(menu).to_have_attribute("open", "")
    return menu


def log_in(page, base: str, lang: str, email: str) -> None:
    """Log in through the form, in ``lang``, and wait for the signed-in header."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD
    from tests.web.helpers import translated

    page.goto(f"{base}/{lang}/account/login")
    page.get_by_label(translated(lang, "E-mail address")).fill(email)
    page.get_by_label(translated(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=translated(lang, "Log in")).last.click()
    signed_in = account_menu(page)
    code = page.get_by_label(translated(lang, "Code"), exact=True)
    expect(signed_in.or_(code)).to_be_visible()
    if code.is_visible():  # moderators and admins: two-step sign-in
        from tests.web.helpers import next_totp_code

        code.fill(next_totp_code(email))
        page.get_by_role("button", name=translated(lang, "Log in")).last.click()
    expect(signed_in).to_be_visible()
