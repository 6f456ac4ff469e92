"""Following a category in a real browser: follow, be notified of a new project, delete."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from matchmaker.moderation.notify import tell_followers
from tests.e2e.conftest import assert_accessible, log_in, open_account_menu
from tests.factories import (
    UserFactory,
    make_organisation,
    make_project,
    publish,
    sync_taxonomy,
)
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def category_label(lang: str) -> str:
    from matchmaker.taxonomy import load_taxonomy

    [tag] = [tag for tag in load_taxonomy().tags if tag.code == "ehealth_telemedicine"]
    return tag.labels[lang]


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    owner = UserFactory(email="owner@example.org")
    startup = make_organisation(owner, name="Heart Start-up", kind="startup")
    publish("organisation", startup, moderator)
    publish("project", make_project(startup), moderator)  # the category has a project
    return moderator, startup


@pytest.mark.parametrize("lang", LANGS)
def test_follow_a_category_get_notified_and_delete_the_search(
    lang, app, live_server, new_page, world
):
    moderator, startup = world
    UserFactory(email="follower@example.org", locale=lang)
    page = new_page()
    log_in(page, live_server, lang, "follower@example.org")
    open_account_menu(page)
    expect(page.get_by_role("link", name=t(lang, "Saved searches"))).to_be_visible()

    page.goto(f"{live_server}/{lang}/projects?category=ehealth_telemedicine")
    follow = page.get_by_role(
        "button",
        name=t(lang, "Follow “%(category)s”", category=category_label(lang)),
    )
    expect(follow).to_be_visible()
    assert_accessible(page)
    follow.click()
    expect(
        page.get_by_text(
            t(lang, "Search saved. You will be notified when something new matches it.")
        )
    ).to_be_visible()

    texts = {"title": "Ward robot", "summary": "Robots.", "description": "Robots on wards."}
    project = make_project(startup, texts={"en": texts})  # a new matching project
    publish("project", project, moderator)
    with app.test_request_context():
        tell_followers("project", project.id)

    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "Notifications")).click()
    message = t(lang, "The new project “%(name)s” matches your saved search.", name=project.title)
    expect(page.get_by_text(message)).to_be_visible()
    assert_accessible(page)

    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "Saved searches")).click()
    expect(page.get_by_role("heading", name=t(lang, "Saved searches"))).to_be_visible()
    page.get_by_label(
        t(lang, "Send me a weekly e-mail with the new items that match my saved searches")
    ).check()
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(
        page.get_by_text(
            t(lang, "You will get a weekly e-mail when new items match your saved searches.")
        )
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Delete")).click()
    expect(page.get_by_text(t(lang, "Saved search deleted."))).to_be_visible()
    expect(
        page.get_by_text(
            t(
                lang,
                "No saved searches yet. Search the projects or organisations and choose “Save this search”.",
            )
        )
    ).to_be_visible()
