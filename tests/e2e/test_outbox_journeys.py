"""An admin finds a failed e-mail on the outbox page and sends it again, in four
languages, with axe on each page; the same without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from tests.conftest import free_port
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory
from tests.web.helpers import translated
from tests.web.test_outbox import queue_reset_mail, rows, use_server

LANGS = ["pl", "en", "da", "nb"]


def a_failed_message(app, smtp_server) -> None:
    """A message the mail server refused (it never arrived)."""
    use_server(app, free_port())
    queue_reset_mail("lost@example.org")
    db.session.commit()
    [row] = rows()
    row.status, row.last_error = "failed", "550 5.1.1 Mailbox unavailable"
    db.session.commit()
    use_server(app, smtp_server.port)


@pytest.mark.parametrize("lang", LANGS)
def test_an_admin_retries_a_failed_message(lang, app, live_server, page, smtp_server):
    UserFactory(email=f"admin-{lang}@example.org", role="admin", locale=lang)
    a_failed_message(app, smtp_server)
    log_in(page, live_server, lang, f"admin-{lang}@example.org")
    page.goto(f"{live_server}/{lang}/moderation/")
    page.get_by_role("link", name=translated(lang, "Outgoing e-mail")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(lang, "Outgoing e-mail"))
    expect(page.get_by_text("550 5.1.1 Mailbox unavailable")).to_be_visible()
    assert_accessible(page)

    retry = translated(lang, "Retry the message to %(address)s", address="lost@example.org")
    page.get_by_role("button", name=retry).click()
    expect(
        page.get_by_text(translated(lang, "The message is queued again and will be sent shortly."))
    ).to_be_visible()
    expect(page.get_by_text(translated(lang, "No message has failed."))).to_be_visible()
    assert_accessible(page)
    assert len(smtp_server.wait_for("lost@example.org")) == 1


def test_the_outbox_page_works_without_javascript(app, live_server, new_page, smtp_server):
    UserFactory(email="admin@example.org", role="admin")
    a_failed_message(app, smtp_server)
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, "en", "admin@example.org")
    page.goto(f"{live_server}/en/admin/outbox/")
    page.get_by_role("button", name="Retry the message to lost@example.org").click()
    expect(
        page.get_by_text("The message is queued again and will be sent shortly.")
    ).to_be_visible()
    assert len(smtp_server.wait_for("lost@example.org")) == 1
