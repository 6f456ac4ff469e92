"""A member's home in a real browser, in all four languages: what waits for them, and the
links and buttons that answer it, with JavaScript and without."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from matchmaker.accounts.models import utcnow
from matchmaker.contacts import services as contacts
from matchmaker.events import services as events
from matchmaker.events.services import EventInput
from matchmaker.moderation import services as moderation
from matchmaker.projects.services import submit_project
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_register_journeys import t
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]
PROJECT = "Home monitoring for heart failure"
NOTE = "Say which hospital pilots it <and> when."
EVENT = "Living lab open day"


def say(lang: str, message: str, **variables) -> str:
    """`message` as the page shows it in `lang`: the translation once the catalogue has
    one, the English until then (strings new with the home page; `t` for the others)."""
    with force_locale(lang):
        return gettext(message, **variables)


@pytest.fixture
def member(app):
    """Olga, of Oslo Living Lab: a contact request waits for her organisation's answer, a
    moderator returned its project with a note, and it hosts an event in three days."""

    def build(lang: str) -> dict:
        sync_taxonomy()
        moderator = UserFactory(role="moderator")
        olga = UserFactory(email="olga@example.org", name="Olga Owner", locale=lang)
        alice = UserFactory(email="alice@example.org", name="Alice")
        lab = make_organisation(olga, name="Oslo Living Lab", kind="cluster")
        telecare = make_organisation(alice, name="Wroclaw Telecare", kind="startup", country="PL")
        for org in (lab, telecare):
            publish("organisation", org, moderator)
        project = make_project(lab)
        submit_project(project)
        moderation.return_for_changes("project", project, moderator, NOTE)
        request, _created = contacts.send(
            alice,
            sender_org_id=telecare.id,
            recipient_org_id=lab.id,
            message="Shall we pilot together?",
        )
        starts = utcnow().replace(microsecond=0) + timedelta(days=3)
        event = events.create_event(
            olga,
            lab,
            EventInput(
                kind="study_visit",
                original_language="en",
                venue="Alma House",
                city="Oslo",
                country="NO",
                timezone="Europe/Oslo",
                starts_at=starts,
                ends_at=starts + timedelta(hours=6),
                registration_deadline=starts - timedelta(days=1),
                capacity=20,
                languages=["en"],
                texts={"en": {"title": EVENT, "description": "Come and see.", "programme": ""}},
            ),
        )
        events.publish_event(event)
        return {"email": olga.email, "project": project, "request": request, "event": event}

    return build


def returned_link(lang: str) -> str:
    return say(lang, "A moderator returned your project %(title)s for changes", title=PROJECT)


def to_do(page):
    return page.locator("section[aria-labelledby='todo-heading']")


def sees_both(page, lang: str) -> None:
    section = to_do(page)
    expect(section.get_by_role("heading", level=2)).to_have_text(say(lang, "To do"))
    expect(section.get_by_role("listitem")).to_have_count(2)
    expect(
        section.get_by_role(
            "link", name=t(lang, "Contact request from %(name)s", name="Wroclaw Telecare")
        )
    ).to_be_visible()
    expect(section.get_by_role("link", name=returned_link(lang))).to_be_visible()
    expect(section.get_by_text(NOTE)).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_sees_what_waits_and_follows_each_link(lang, live_server, new_page, member):
    world = member(lang)
    page = new_page()
    log_in(page, live_server, lang, world["email"])
    page.goto(f"{live_server}/{lang}/")
    sees_both(page, lang)
    coming = page.locator("section[aria-labelledby='coming-heading']")
    expect(coming.get_by_role("link", name=EVENT, exact=True)).to_have_attribute(
        "href", f"/{lang}/events/{world['event'].id}"
    )
    expect(coming).to_contain_text(t(lang, "Hosted by %(name)s", name="Oslo Living Lab"))
    expect(coming.get_by_role("link", name=t(lang, "Add to my calendar (.ics)"))).to_have_attribute(
        "href", f"/{lang}/events/{world['event'].id}/calendar.ics"
    )
    assert_accessible(page)

    to_do(page).get_by_role(
        "link", name=t(lang, "Contact request from %(name)s", name="Wroclaw Telecare")
    ).click()
    expect(page).to_have_url(f"{live_server}/{lang}/contacts/{world['request'].id}")
    expect(
        page.get_by_role("heading", name=t(lang, "From %(name)s", name="Wroclaw Telecare"))
    ).to_be_visible()

    page.go_back()
    to_do(page).get_by_role("link", name=returned_link(lang)).click()
    expect(page).to_have_url(f"{live_server}/{lang}/my/projects/{world['project'].id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROJECT)
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_a_member_accepts_a_request_from_the_home_page(
    lang, live_server, new_page, member
):
    world = member(lang)
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, lang, world["email"])
    page.goto(f"{live_server}/{lang}/")
    sees_both(page, lang)

    with page.expect_request(lambda r: r.method == "POST") as posted:
        # The button says whose request it accepts (hidden from sight, read out).
        accept = re.compile(rf"^{re.escape(t(lang, 'Accept'))}\s*: Wroclaw Telecare$")
        to_do(page).get_by_role("button", name=accept).click()
    assert posted.value.response().status == 303  # a plain form, then the request's page
    expect(page).to_have_url(f"{live_server}/{lang}/contacts/{world['request'].id}")
    expect(page.locator("#flash-messages")).to_contain_text(t(lang, "Request accepted."))

    page.goto(f"{live_server}/{lang}/")
    expect(to_do(page).get_by_role("listitem")).to_have_count(1)
    to_do(page).get_by_role("link", name=returned_link(lang)).click()
    expect(page).to_have_url(f"{live_server}/{lang}/my/projects/{world['project'].id}")
