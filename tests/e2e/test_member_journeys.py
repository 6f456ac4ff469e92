"""Inviting an editor by e-mail, in a real browser, in all four languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import first_link
from tests.e2e.conftest import assert_accessible, open_account_menu
from tests.e2e.test_register_journeys import log_in, t
from tests.factories import PASSWORD, UserFactory, make_organisation, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]


@pytest.mark.parametrize("lang", LANGS)
def test_owner_invites_an_editor_who_joins_from_the_emailed_link(
    lang, live_server, new_page, app, smtp_server
):
    sync_taxonomy()
    owner_user = UserFactory(email="owner@example.org", locale=lang, name="Olga Owner")
    UserFactory(email="editor@example.org", locale=lang, name="Eddie Editor")
    org = make_organisation(owner_user, name="Nordic Telecare AS")

    owner = new_page()
    log_in(owner, live_server, lang, "owner@example.org")
    owner.goto(f"{live_server}/{lang}/my/organisations/{org.id}")
    owner.get_by_role("link", name=t(lang, "Members")).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Members of %(organisation)s", organisation="Nordic Telecare AS")
    )
    assert_accessible(owner)
    owner.get_by_label(t(lang, "E-mail address")).fill("editor@example.org")
    owner.get_by_role("button", name=t(lang, "Send the invitation")).click()
    expect(
        owner.get_by_text(
            t(lang, "We have sent an invitation to %(email)s.", email="editor@example.org")
        )
    ).to_be_visible()
    assert_accessible(owner)

    [mail] = smtp_server.wait_for("editor@example.org")
    assert mail["Subject"] == t(
        lang, "Invitation to %(organisation)s on Matchmaker", organisation="Nordic Telecare AS"
    )
    link = first_link(mail)

    editor = new_page()
    editor.goto(link)
    assert_accessible(editor)
    editor.get_by_role("link", name=t(lang, "Log in")).last.click()
    editor.get_by_label(t(lang, "E-mail address")).fill("editor@example.org")
    editor.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    editor.get_by_role("button", name=t(lang, "Log in")).last.click()
    editor.get_by_role(
        "button", name=t(lang, "Join %(organisation)s", organisation="Nordic Telecare AS")
    ).click()
    expect(
        editor.get_by_text(
            t(
                lang,
                "Welcome to %(organisation)s. You are now one of its members.",
                organisation="Nordic Telecare AS",
            )
        )
    ).to_be_visible()
    assert_accessible(editor)
    open_account_menu(editor)
    editor.get_by_role("link", name=t(lang, "My organisations")).click()
    expect(editor.get_by_role("link", name="Nordic Telecare AS")).to_be_visible()
