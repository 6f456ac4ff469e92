"""Browser tests: a live server on loopback, the system Chromium driven by Playwright, axe-core."""

from __future__ import annotations

import os
import re
import shutil
import threading
import weakref
from dataclasses import dataclass, field
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


# How long an action or an expectation waits for the page. The journeys run beside other
# tests, where a page can take a few seconds under load; a real failure still fails,
# only later.
WAIT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
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


# Chromium reports every response with an error status on the console, also a page or an
# HTMX fragment the app answers with 404, 409 or 422 on purpose (a test asks for a missing
# page, a form comes back with its errors). Those answers are what the tests check; what
# counts as a problem is anything else: a script error, a style or a script the
# Content-Security-Policy refused, an image or stylesheet that failed, a server error.
FAILED_RESOURCE = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d+)"
)
ANSWERS = ("document", "xhr", "fetch")
# htmx reports a request it cancelled on purpose (hx-sync: a newer one replaced it while
# the reader typed) as an error, together with the end of that request: not a problem.
CANCELLED_REQUEST = ("htmx:sendAbort", "htmx:afterRequest")


@dataclass
class BrowserReport:
    """What the browser said during a test: console errors and uncaught exceptions, and
    the pages and fragments the app answered with a client error (4xx)."""

    errors: list[tuple[str, str]] = field(default_factory=list)  # (text, resource URL)
    answered_4xx: set[str] = field(default_factory=set)

    def on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append((message.text, (message.location or {}).get("url", "")))

    def on_web_error(self, web_error) -> None:
        where = web_error.page.url if web_error.page else "?"
        self.errors.append((f"uncaught exception: {web_error.error}", where))

    def on_response(self, response) -> None:
        if 400 <= response.status < 500 and response.request.resource_type in ANSWERS:
            self.answered_4xx.add(response.url)

    def problems(self) -> list[str]:
        problems = []
        cancelled = any(text == CANCELLED_REQUEST[0] for text, _ in self.errors)
        for text, url in self.errors:
            if cancelled and text in CANCELLED_REQUEST:
                continue
            failed = FAILED_RESOURCE.match(text)
            if failed and int(failed.group(1)) < 500 and url in self.answered_4xx:
                continue
            problems.append(f"{text} ({url or 'no location'})")
        return problems


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (separate cookies), closed after the test.

    Every page of every context is watched: a console error or an uncaught exception in
    any of them fails the test at teardown (BrowserReport says what counts).
    """
    contexts = []
    report = BrowserReport()

    def open_page(locale: str = "en-GB", java_script_enabled: bool = True):
        context = browser.new_context(locale=locale, java_script_enabled=java_script_enabled)
        context.set_default_timeout(WAIT_MS)
        context.on("console", report.on_console)
        context.on("weberror", report.on_web_error)
        context.on("response", report.on_response)
        contexts.append(context)
        page = context.new_page()
        if not java_script_enabled:
            PAGES_WITHOUT_JAVASCRIPT.add(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    problems = report.problems()
    assert problems == [], "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


# axe is a script that waits on timers: in a page without JavaScript it would wait forever.
PAGES_WITHOUT_JAVASCRIPT: weakref.WeakSet = weakref.WeakSet()


def axe_violations(page) -> list[dict]:
    assert page not in PAGES_WITHOUT_JAVASCRIPT, "axe needs JavaScript: check the page with it"
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
