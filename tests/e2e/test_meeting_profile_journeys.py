"""The event profile of 1:1 meetings in a real browser: a participant posts an opportunity
for the event, another finds her with the "who to meet" filters, sees the offer in his own
language and bookmarks her in place; then she removes it. In all four languages, and once
more without JavaScript, where a wrong opportunity is refused with a reason and a bookmark
is a plain form."""

# ruff: noqa: F811  (the fixtures of test_events and test_meeting_journeys are imported by name)
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matchmaker.taxonomy.queries import tag_label
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_meeting_journeys import (  # noqa: F401  (fixtures)
    FOCUSED_AFTER_SWAP,
    LANGS,
    MARK,
    MARKED,
    flash,
    for_whom,
    meeting_day,
    other,
    t,
    turn_meetings_on,
)
from tests.web.test_events import app, world  # noqa: F401  (fixtures)

OFFER = "Sequencing for rare diseases"
TOPIC = "genomics_sequencing"
NO_JS = ("da", "en")  # Alice's and Bob's languages without JavaScript


def nothing_posted(page, lang: str):
    return page.get_by_text(t(lang, "You have posted no opportunity for this event."))


def meetings_nav(page, lang: str):
    return page.get_by_role("navigation", name=t(lang, "Meetings"))


def open_who_to_meet(page, base: str, lang: str, event) -> None:
    """From the event's page to "who to meet"."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Who to meet"))


def open_profile(page, base: str, lang: str, event, axe: bool = True) -> None:
    """Alice opens her event profile from the meetings tabs: her organisation's published
    profile is there, and no opportunity yet."""
    open_who_to_meet(page, base, lang, event)
    meetings_nav(page, lang).get_by_role("link", name=t(lang, "My event profile")).click()
    expect(page).to_have_url(f"{base}/{lang}/events/{event.id}/meetings/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "My event profile"))
    expect(
        meetings_nav(page, lang).get_by_role("link", name=t(lang, "My event profile"))
    ).to_have_attribute("aria-current", "page")
    offers = page.locator("dt", has_text=t(lang, "What you offer")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(offers).to_have_text(tag_label("remote_monitoring", lang))
    expect(nothing_posted(page, lang)).to_be_visible()
    if axe:
        assert_accessible(page)


def fill_offer(page, lang: str, topic: bool = True) -> None:
    page.get_by_label(t(lang, "Type"), exact=True).select_option(label=t(lang, "Technology offer"))
    page.get_by_label(t(lang, "Title"), exact=True).fill(OFFER)
    if topic:
        page.get_by_label(tag_label(TOPIC, lang), exact=True).check()


def post_offer(page, base: str, lang: str, event, axe: bool = True) -> None:
    """The offer is posted and listed under her opportunities."""
    fill_offer(page, lang)
    page.get_by_role("button", name=t(lang, "Post the opportunity")).click()
    expect(page).to_have_url(f"{base}/{lang}/events/{event.id}/meetings/profile")
    expect(flash(page)).to_contain_text(t(lang, "Your opportunity is posted."))
    posted = page.locator("ul.opportunities > li")
    expect(posted).to_have_count(1)
    expect(posted.locator(".badge")).to_have_text(t(lang, "Technology offer"))
    expect(posted.locator("strong")).to_have_text(OFFER)
    expect(posted).to_contain_text(tag_label(TOPIC, lang))
    expect(nothing_posted(page, lang)).to_have_count(0)
    if axe:
        assert_accessible(page)


def show(page, lang: str, *filters: str) -> None:
    """Tick the filters (by their labels) and show the list."""
    for label in filters:
        page.get_by_label(t(lang, label), exact=True).check()
    page.get_by_role("button", name=t(lang, "Show"), exact=True).click()


def alices_card(page, lang: str):
    """Alice's card on "who to meet", with her offer in the reader's language."""
    card = page.locator("ol.meeting-people > li", has_text="Wroclaw Telecare")
    expect(card.get_by_role("heading", level=2)).to_contain_text("Alice")
    offer = card.locator("ul.opportunities > li")
    expect(offer).to_have_count(1)
    expect(offer.locator(".badge")).to_have_text(t(lang, "Technology offer"))
    expect(offer.locator("strong")).to_have_text(OFFER)
    expect(offer).to_contain_text(tag_label(TOPIC, lang))
    return card


def bookmark_button(card, lang: str):
    return card.get_by_role("button", name=for_whom(t(lang, "Bookmark"), "Alice"))


@pytest.mark.parametrize("lang", LANGS)
def test_an_opportunity_is_posted_found_bookmarked_in_place_and_removed(
    lang, live_server, new_page, meeting_day
):
    lang_b = other(lang)
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on(organiser, base, lang, event, axe=False)  # axe: test_meeting_journeys

    alice = new_page(locale=lang)
    log_in(alice, base, lang, "alice@example.org")
    open_profile(alice, base, lang, event)
    post_offer(alice, base, lang, event)

    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    open_who_to_meet(bob, base, lang_b, event)
    show(bob, lang_b, "Only people with an opportunity")
    expect(bob).to_have_url(re.compile(r"[?&]opportunity=1(&|$)"))
    expect(bob.get_by_label(t(lang_b, "Only people with an opportunity"))).to_be_checked()
    card = alices_card(bob, lang_b)
    expect(bob.locator("ol.meeting-people > li")).to_have_count(1)
    button = bookmark_button(card, lang_b)
    expect(button).to_have_attribute("aria-pressed", "false")
    assert_accessible(bob)

    # Bookmarked in place: the form is swapped, focus stays on the (now pressed) button.
    bob.evaluate(MARK)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_role("status")).to_have_text(t(lang_b, "Bookmark saved."))
    expect(button).to_be_focused()
    assert bob.evaluate(FOCUSED_AFTER_SWAP), "focus is not on the swapped-in bookmark"
    assert bob.evaluate(MARKED) == "still the same page", "the page was reloaded"
    assert_accessible(bob)

    show(bob, lang_b, "Only my bookmarks")
    expect(bob).to_have_url(re.compile(r"[?&]saved=1(&|$)"))
    expect(bob.get_by_label(t(lang_b, "Only my bookmarks"))).to_be_checked()
    card = alices_card(bob, lang_b)
    expect(bob.locator("ol.meeting-people > li")).to_have_count(1)
    expect(bookmark_button(card, lang_b)).to_have_attribute("aria-pressed", "true")
    assert_accessible(bob)

    # Alice takes the offer off again; Bob's list with opportunities is then empty.
    alice.get_by_role("button", name=for_whom(t(lang, "Remove"), OFFER)).click()
    expect(flash(alice)).to_contain_text(t(lang, "The opportunity is removed."))
    expect(alice.locator("ul.opportunities > li")).to_have_count(0)
    expect(nothing_posted(alice, lang)).to_be_visible()
    assert_accessible(alice)

    bob.get_by_label(t(lang_b, "Only my bookmarks"), exact=True).uncheck()
    show(bob, lang_b)
    expect(bob.get_by_text(t(lang_b, "Nobody matches these filters."))).to_be_visible()
    assert_accessible(bob)


def test_without_javascript_a_topicless_opportunity_is_refused_and_a_bookmark_is_a_plain_post(
    live_server, new_page, meeting_day, world
):
    lang, lang_b = NO_JS
    event = meeting_day(organiser="en", alice=lang, bob=lang_b)
    base = live_server

    organiser = new_page(java_script_enabled=False)
    log_in(organiser, base, "en", "olga@example.org")
    turn_meetings_on(organiser, base, "en", event, axe=False)

    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    open_profile(alice, base, lang, event, axe=False)

    # No topic: refused with the reason beside the topics, what was typed is kept.
    fill_offer(alice, lang, topic=False)
    with alice.expect_request(lambda r: r.method == "POST") as posted:
        alice.get_by_role("button", name=t(lang, "Post the opportunity")).click()
    assert posted.value.response().status == 422
    expect(alice.get_by_role("alert")).to_have_text(t(lang, "Please correct the marked fields."))
    topics = alice.get_by_role("group", name=t(lang, "Topics (one to five)"))
    expect(topics).to_have_attribute("aria-describedby", "tags-error")
    expect(alice.locator("#tags-error")).to_have_text(
        t(lang, "Choose at least one topic, so that the right people find it.")
    )
    expect(alice.get_by_label(t(lang, "Title"), exact=True)).to_have_value(OFFER)
    expect(alice.locator("ul.opportunities > li")).to_have_count(0)
    expect(nothing_posted(alice, lang)).to_be_visible()

    # With a topic it is posted.
    post_offer(alice, base, lang, event, axe=False)

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    open_who_to_meet(bob, base, lang_b, event)
    show(bob, lang_b, "Only people with an opportunity")
    card = alices_card(bob, lang_b)
    with bob.expect_request(lambda r: r.method == "POST") as posted:
        bookmark_button(card, lang_b).click()
    alice_id = world["alice"].id
    assert posted.value.url.endswith(f"/meetings/bookmarks/{alice_id}")
    assert posted.value.response().status == 303  # a plain form: back to who to meet
    expect(bob).to_have_url(f"{base}/{lang_b}/events/{event.id}/meetings/#person-{alice_id}")
    expect(flash(bob)).to_have_text(t(lang_b, "Bookmark saved."))
    expect(bookmark_button(bob.locator(f"#person-{alice_id}"), lang_b)).to_have_attribute(
        "aria-pressed", "true"
    )
    show(bob, lang_b, "Only my bookmarks")
    expect(bob.locator("ol.meeting-people > li")).to_have_count(1)
    alices_card(bob, lang_b)
