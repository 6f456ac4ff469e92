"""The event profile (opportunities: offers and requests for one event) and the filters and
bookmarks of "who to meet"."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.meetings.models import MeetingBookmark, MeetingOpportunity
from tests.web.helpers import translated
from tests.web.test_events import app, person, user, world  # noqa: F401  (fixtures)
from tests.web.test_meetings import day, page, post  # noqa: F401  (fixtures)


def profile_url(event) -> str:
    return f"/en/events/{event.id}/meetings/profile"


def offer(**changes) -> dict:
    values = {
        "kind": "technology_offer",
        "title": "Home monitoring kit for heart failure",
        "description": "CE marked; we look for pilot hospitals.",
        "tags": ["remote_monitoring"],
    }
    values.update(changes)
    return values


def card(html_text: str, user_id: int) -> str:
    """One person's card on "who to meet" (empty when they are not shown)."""
    found = re.search(rf'<li id="person-{user_id}">(.*?)\n  </li>', html_text, re.S)
    return found.group(1) if found else ""


def opportunities_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MeetingOpportunity))


def reasons_part(card_text: str, heading: str) -> str:
    """The reasons under one of the two headings of a card."""
    after = card_text.split(heading)[1]
    return after.split("Why they may want to meet you")[0] if "meet them" in heading else after


def test_offers_and_requests_are_shown_and_feed_the_reasons_on_both_sides(day, world):
    event, people = day
    people_url = f"/en/events/{event.id}/meetings/"
    genomics = offer(title="Sequencing for rare diseases", tags=["genomics_sequencing"])
    assert post(people["alice"], profile_url(event), **genomics).status_code == 303

    alice_for_carol = card(page(people["carol"], people_url), world["alice"].id)
    assert "Technology offer" in alice_for_carol
    assert "Sequencing for rare diseases" in alice_for_carol
    assert "Genomics and sequencing" not in reasons_part(
        alice_for_carol, "Why you may want to meet them"
    )  # nobody needs it yet

    request = offer(kind="technology_request", title="Genomics lab", tags=["genomics_sequencing"])
    assert post(people["carol"], profile_url(event), **request).status_code == 303
    alice_for_carol = card(page(people["carol"], people_url), world["alice"].id)
    assert "Genomics and sequencing" in reasons_part(
        alice_for_carol, "Why you may want to meet them"
    )
    carol_for_alice = card(page(people["alice"], people_url), world["carol"].id)
    assert "Technology request" in carol_for_alice
    assert "Genomics and sequencing" in reasons_part(
        carol_for_alice, "Why they may want to meet you"
    )
    # Bob, who posted nothing, sees both opportunities but no new reason of his own.
    bob_view = page(people["bob"], people_url)
    assert "Genomics lab" in card(bob_view, world["carol"].id)


def test_an_opportunity_in_polish_pages(day, world):
    event, people = day
    post(people["alice"], profile_url(event), **offer(kind="rnd_partner"))
    text = page(people["bob"], f"/pl/events/{event.id}/meetings/")
    assert html.escape(translated("pl", "R&D partner sought"), quote=False) in text
    assert "Zdalny monitoring pacjenta" in text


def test_wrong_opportunities_are_refused_with_a_reason_and_change_nothing(day):
    event, people = day
    cases = [
        (offer(kind="sale"), "Choose one of the options."),
        (offer(title="  "), "Give the opportunity a title."),
        (offer(title="x" * 151), "This text is too long."),
        (offer(description="x" * 1001), "This text is too long."),
        (offer(tags=[]), "Choose at least one topic"),
        (offer(tags=["not_a_tag"]), "Choose one of the options."),
        (
            offer(
                tags=[
                    "remote_monitoring",
                    "test_bed",
                    "living_lab",
                    "biobank",
                    "ip_legal",
                    "prototyping",
                ]
            ),
            "Choose at most 5 topics.",
        ),
    ]
    for data, message in cases:
        response = post(people["alice"], profile_url(event), **data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert opportunities_count() == 0


def test_at_most_five_opportunities_and_only_the_owner_removes_one(day, world):
    event, people = day
    for number in range(5):
        assert (
            post(people["alice"], profile_url(event), **offer(title=f"Offer {number}")).status_code
            == 303
        )
    response = post(people["alice"], profile_url(event), **offer(title="One too many"))
    assert response.status_code == 422
    assert "You can post at most 5 opportunities per event." in response.get_data(as_text=True)
    assert opportunities_count() == 5

    first = db.session.scalar(select(MeetingOpportunity).order_by(MeetingOpportunity.id))
    delete_url = f"/en/events/{event.id}/meetings/opportunities/{first.id}/delete"
    assert post(people["bob"], delete_url).status_code == 404  # not Bob's
    assert post(people["dave"], delete_url).status_code == 403  # not taking part
    assert opportunities_count() == 5
    assert post(people["alice"], delete_url).status_code == 303
    assert opportunities_count() == 4
    assert post(people["alice"], delete_url).status_code == 404  # gone: twice is harmless


def test_the_profile_page_is_for_participants_only(day, app, world):
    event, people = day
    assert people["dave"].get(profile_url(event)).status_code == 403
    assert post(people["dave"], profile_url(event), **offer()).status_code == 403
    assert app.test_client().get(profile_url(event)).status_code in (302, 303)
    assert opportunities_count() == 0
    # Without a CSRF token nothing is posted.
    response = people["alice"].post(profile_url(event), data=offer())
    assert response.status_code == 400
    assert opportunities_count() == 0


def test_bookmarks_are_private_and_filter_the_list(day, world):
    event, people = day
    people_url = f"/en/events/{event.id}/meetings/"
    bookmark_url = f"/en/events/{event.id}/meetings/bookmarks/{world['carol'].id}"
    response = post(people["alice"], bookmark_url, marked="1")
    assert response.status_code == 303
    assert post(people["alice"], bookmark_url, marked="1").status_code == 303  # a double click
    assert db.session.scalar(select(func.count()).select_from(MeetingBookmark)) == 1

    saved = page(people["alice"], people_url + "?saved=1")
    assert card(saved, world["carol"].id) and not card(saved, world["bob"].id)
    assert 'aria-pressed="true"' in card(saved, world["carol"].id)
    # Bob's own list knows nothing of Alice's bookmarks.
    assert 'aria-pressed="true"' not in page(people["bob"], people_url)

    response = people["alice"].post(
        bookmark_url,
        data={"csrf_token": people["alice"].token, "marked": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert 'aria-pressed="false"' in fragment and "Bookmark removed." in fragment
    assert db.session.scalar(select(func.count()).select_from(MeetingBookmark)) == 0


def test_bookmarks_of_outsiders_or_oneself_are_refused(day, world):
    event, people = day
    base = f"/en/events/{event.id}/meetings/bookmarks/"
    assert post(people["alice"], base + str(world["dave"].id), marked="1").status_code == 404
    assert post(people["alice"], base + str(world["alice"].id), marked="1").status_code == 404
    assert post(people["alice"], base + "999999", marked="1").status_code == 404
    assert post(people["dave"], base + str(world["bob"].id), marked="1").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(MeetingBookmark)) == 0


def test_filters_by_kind_category_and_opportunity(day, world):
    event, people = day
    people_url = f"/en/events/{event.id}/meetings/"
    hospitals = page(people["alice"], people_url + "?kind=hospital")
    assert card(hospitals, world["bob"].id) and not card(hospitals, world["carol"].id)
    assert '<option value="hospital" selected>' in hospitals

    post(people["carol"], profile_url(event), **offer())
    with_one = page(people["alice"], people_url + "?opportunity=1")
    assert card(with_one, world["carol"].id) and not card(with_one, world["bob"].id)

    none = page(people["alice"], people_url + "?category=ehealth_telemedicine")
    assert "Nobody matches these filters." in none
    # Garbage in the query string is just no match, never an error.
    assert people["alice"].get(people_url + "?kind=%00%27&category=" + "x" * 500).status_code == 200


def test_opportunities_and_bookmarks_are_in_the_data_export(day, world):
    event, people = day
    post(people["alice"], profile_url(event), **offer())
    post(people["alice"], f"/en/events/{event.id}/meetings/bookmarks/{world['bob'].id}", marked="1")
    from matchmaker import personal_data

    exported = personal_data.export(world["alice"])
    assert exported["meeting_opportunities"][0]["title"] == "Home monitoring kit for heart failure"
    assert exported["meeting_bookmarks"][0]["person_id"] == world["bob"].id
