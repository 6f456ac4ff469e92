"""Requests without acceptance in a real browser: the organiser unticks "Requests need the
other person's acceptance"; Bob marks one slot away; Alice's ask form offers only the time
free for both and books the meeting at once: it is on both agendas, both are told it is
booked in their own language, and nobody is asked to accept. In all four languages, once
more without JavaScript, and once without a time chosen (nothing booked)."""

# ruff: noqa: F811  (the fixtures of test_events and test_meeting_journeys are imported by name)
from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from matchmaker.events import times
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.meetings.views import slot_label
from matchmaker.outbox.models import OutboxMessage
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_meeting_journeys import (  # noqa: F401  (fixtures)
    LANGS,
    MESSAGE,
    TITLE,
    agenda_lists,
    figure,
    flash,
    for_whom,
    meeting_day,
    other,
    session_day,
    slots,
    t,
    turn_meetings_on,
)
from tests.web.test_events import app, world  # noqa: F401  (fixtures)

NO_JS = ("pl", "da")  # Alice's and Bob's languages without JavaScript
ORGANISATIONS = {"Alice": "Wroclaw Telecare", "Bob": "Oslo University Hospital"}


def turn_meetings_on_without_acceptance(page, base: str, lang: str, event, axe: bool = True):
    """The set-up form as in test_meeting_journeys; "Requests need the other person's
    acceptance" is ticked by default and the organiser unticks it."""

    def no_acceptance(page) -> None:
        acceptance = page.get_by_label(t(lang, "Requests need the other person's acceptance"))
        expect(acceptance).to_be_checked()
        expect(acceptance).to_have_accessible_description(
            t(
                lang,
                "Untick for a pre-arranged programme: a request is then a meeting at once, in a"
                " time free for both (or in your schedule).",
            )
        )
        acceptance.uncheck()
        we_build = t(
            lang, "We build the agenda: participants accept requests without choosing a time"
        )
        expect(page.get_by_label(we_build)).not_to_be_checked()

    turn_meetings_on(page, base, lang, event, axe=axe, choose=no_acceptance)
    # Saved unticked: the form shows it so.
    page.goto(f"{base}/{lang}/my/events/{event.id}/meetings/settings")
    expect(
        page.get_by_label(t(lang, "Requests need the other person's acceptance"))
    ).not_to_be_checked()


def mark_away(page, base: str, lang: str, event, when: str, axe: bool = True) -> None:
    """Bob, from the event's page, marks one slot as away: nobody can book him then."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    page.get_by_role("navigation", name=t(lang, "Meetings")).get_by_role(
        "link", name=t(lang, "When I am away")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "When I am away"))
    if axe:
        assert_accessible(page)
    slots_group = page.get_by_role("group", name=t(lang, "Meeting slots"))
    slots_group.get_by_label(when, exact=True).check()
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(flash(page)).to_contain_text(t(lang, "Your availability is saved."))
    expect(
        page.get_by_role("group", name=t(lang, "Meeting slots")).get_by_label(when)
    ).to_be_checked()
    if axe:
        assert_accessible(page)


def open_ask_form(page, base: str, lang: str, event, free: list[str], axe: bool = True):
    """Alice finds Bob among who to meet and opens the ask form: a required time, with only
    the times free for both, and a button that books. Returns the time select."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Who to meet"))
    card = page.locator("ol.meeting-people > li", has_text=ORGANISATIONS["Bob"])
    card.get_by_role("link", name=for_whom(t(lang, "Ask for a meeting"), "Bob")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Ask %(name)s for a meeting", name="Bob")
    )
    expect(page.get_by_label(t(lang, "Propose a time (optional)"))).to_have_count(0)
    time = page.get_by_label(t(lang, "Time"), exact=True)
    expect(time).to_have_attribute("required", "")
    expect(time).to_have_accessible_description(
        t(lang, "Only times free for both of you are listed. The meeting is booked at once.")
    )
    expect(time.locator("option")).to_have_text(
        [t(lang, "Choose a time free for both of you"), *free]
    )
    expect(time).to_have_value("")
    expect(page.get_by_role("button", name=t(lang, "Send the request"))).to_have_count(0)
    expect(page.get_by_role("button", name=t(lang, "Book the meeting"))).to_be_visible()
    page.get_by_label(t(lang, "Your message (optional)")).fill(MESSAGE)
    if axe:
        assert_accessible(page)
    return time


def booked_on_arrival(page, base: str, lang: str, event, when: str) -> None:
    """After "Book the meeting": Alice's agenda, the flash and the meeting with Bob."""
    expect(page).to_have_url(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "My agenda"))
    expect(flash(page)).to_have_text(
        t(lang, "Meeting with %(name)s booked: %(when)s.", name="Bob", when=when)
    )
    item = page.locator("li.agenda-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading", level=2)).to_have_text(when)
    expect(item).to_contain_text(
        f"Bob · {ORGANISATIONS['Bob']} · {t(lang, 'Table %(number)d', number=1)}"
    )


def counts() -> tuple[int, int]:
    """(meeting requests, booked meetings) in the database."""
    db.session.expire_all()
    requests = db.session.scalar(select(func.count()).select_from(MeetingRequest))
    meetings = db.session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.status == "booked")
    )
    return requests, meetings


def templates_to(address: str) -> list[str]:
    """The meeting e-mails' templates queued to the address, from the outbox (the sign-up's
    receipt is left out)."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage.template)
            .where(
                OutboxMessage.to_address == address, OutboxMessage.template.startswith("meeting")
            )
            .order_by(OutboxMessage.id)
        )
    )


def told_booked(smtp_server, address: str, lang: str, other_name: str, event, starts) -> None:
    """The one e-mail to the address: the meeting is booked, in the person's language."""
    [mail] = smtp_server.wait_for(address)
    assert mail["Content-Language"] == lang
    when = times.moment(starts, event.timezone, lang)
    subject = t(lang, "Meeting booked with %(name)s: %(when)s", name=other_name, when=when)
    # matchmaker.mail collapses the subject's whitespace: English times' narrow no-break
    # space before "AM" becomes a plain space.
    assert mail["Subject"] == " ".join(subject.split())


@pytest.mark.parametrize("lang", LANGS)
def test_without_acceptance_alice_books_a_time_free_for_both_at_once(
    lang, live_server, new_page, meeting_day, smtp_server
):
    lang_b = other(lang)
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    (first_start, first_end), (second_start, second_end) = slots()
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on_without_acceptance(organiser, base, lang, event)

    # Bob cannot meet anyone in the first slot.
    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    mark_away(bob, base, lang_b, event, slot_label(first_start, first_end, event, lang_b))

    # Alice's form offers only the second slot, free for both; choosing it books it.
    alice = new_page(locale=lang)
    log_in(alice, base, lang, "alice@example.org")
    when_a = slot_label(second_start, second_end, event, lang)
    time = open_ask_form(alice, base, lang, event, free=[when_a])
    time.select_option(label=when_a)
    alice.get_by_role("button", name=t(lang, "Book the meeting")).click()
    booked_on_arrival(alice, base, lang, event, when_a)
    assert_accessible(alice)
    assert counts() == (1, 1)

    # Bob has it on his agenda at once, with nothing to accept.
    when_b = slot_label(second_start, second_end, event, lang_b)
    agenda_lists(bob, base, lang_b, event, when_b, "Alice", ORGANISATIONS["Alice"])
    assert_accessible(bob)
    bob.get_by_role("navigation", name=t(lang_b, "Meetings")).get_by_role(
        "link", name=t(lang_b, "Requests")
    ).click()
    expect(bob.get_by_role("heading", level=1)).to_have_text(t(lang_b, "Meeting requests"))
    expect(bob.get_by_role("button", name=for_whom(t(lang_b, "Accept"), "Alice"))).to_have_count(0)
    assert_accessible(bob)

    # Each is told it is booked, in their own language; Bob is never asked.
    told_booked(smtp_server, "alice@example.org", lang, "Bob", event, second_start)
    told_booked(smtp_server, "bob@example.org", lang_b, "Alice", event, second_start)
    asked = t(lang_b, "%(name)s asks you for a meeting at “%(title)s”", name="Alice", title=TITLE)
    assert asked not in [m["Subject"] for m in smtp_server.to("bob@example.org")]
    assert templates_to("bob@example.org") == ["meeting_booked"]
    assert templates_to("alice@example.org") == ["meeting_booked"]

    organiser.goto(f"{base}/{lang}/my/events/{event.id}/meetings/")
    expect(figure(organiser, lang, "Meetings booked")).to_have_text("1")
    assert_accessible(organiser)


def test_without_javascript_the_plain_ask_form_books_the_meeting(
    live_server, new_page, meeting_day, world, smtp_server
):
    lang, lang_b = NO_JS
    event = meeting_day(organiser="en", alice=lang, bob=lang_b)
    (first_start, first_end), (second_start, second_end) = slots()
    base = live_server

    organiser = new_page(java_script_enabled=False)
    log_in(organiser, base, "en", "olga@example.org")
    turn_meetings_on_without_acceptance(organiser, base, "en", event, axe=False)

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    mark_away(
        bob, base, lang_b, event, slot_label(first_start, first_end, event, lang_b), axe=False
    )

    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    when_a = slot_label(second_start, second_end, event, lang)
    time = open_ask_form(alice, base, lang, event, free=[when_a], axe=False)
    time.select_option(label=when_a)
    with alice.expect_request(lambda r: r.method == "POST") as posted:
        alice.get_by_role("button", name=t(lang, "Book the meeting")).click()
    assert posted.value.url == f"{base}/{lang}/events/{event.id}/meetings/ask/{world['bob'].id}"
    assert posted.value.response().status == 303  # a plain form: redirected to the agenda
    booked_on_arrival(alice, base, lang, event, when_a)
    assert counts() == (1, 1)

    when_b = slot_label(second_start, second_end, event, lang_b)
    agenda_lists(bob, base, lang_b, event, when_b, "Alice", ORGANISATIONS["Alice"])
    told_booked(smtp_server, "alice@example.org", lang, "Bob", event, second_start)
    told_booked(smtp_server, "bob@example.org", lang_b, "Alice", event, second_start)
    assert templates_to("bob@example.org") == ["meeting_booked"]


def test_without_a_time_chosen_nothing_is_booked(
    live_server, new_page, meeting_day, world, smtp_server
):
    lang, lang_b = "nb", "en"
    event = meeting_day(organiser="en", alice=lang, bob=lang_b)
    base = live_server

    organiser = new_page(java_script_enabled=False)
    log_in(organiser, base, "en", "olga@example.org")
    turn_meetings_on_without_acceptance(organiser, base, "en", event, axe=False)

    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    both = [slot_label(s, e, event, lang) for s, e in slots()]
    time = open_ask_form(alice, base, lang, event, free=both, axe=False)
    ask_url = f"{base}/{lang}/events/{event.id}/meetings/ask/{world['bob'].id}"
    expect(alice).to_have_url(ask_url)
    # The browser would not send the form with the select required and empty: take the
    # attribute away, as a browser without constraint validation would behave.
    time.evaluate("select => select.removeAttribute('required')")
    expect(time).not_to_have_attribute("required", "")
    with alice.expect_request(lambda r: r.method == "POST") as posted:
        alice.get_by_role("button", name=t(lang, "Book the meeting")).click()
    assert posted.value.url == ask_url
    assert parse_qs(posted.value.post_data, keep_blank_values=True)["slot"] == [""]
    assert posted.value.response().status == 409  # the form again, with the reason

    expect(alice).to_have_url(ask_url)
    summary = alice.get_by_role("alert")
    expect(summary).to_have_text(t(lang, "Please correct the marked fields."))
    # The reason stands at the time field, which says it is wrong.
    field = alice.get_by_label(t(lang, "Time"), exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(alice.locator("#slot-error")).to_have_text(t(lang, "Choose a time for the meeting."))
    expect(field).to_have_accessible_description(
        re.compile(re.escape(t(lang, "Choose a time for the meeting.")))
    )
    expect(alice.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Ask %(name)s for a meeting", name="Bob")
    )
    # What she wrote is kept, and the times are still offered.
    expect(alice.get_by_label(t(lang, "Your message (optional)"))).to_have_value(MESSAGE)
    time = alice.get_by_label(t(lang, "Time"), exact=True)
    expect(time.locator("option")).to_have_text(
        [t(lang, "Choose a time free for both of you"), *both]
    )
    assert counts() == (0, 0)
    alice.goto(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    expect(alice.get_by_text(t(lang, "No meetings booked yet."))).to_be_visible()
    assert smtp_server.to("bob@example.org") == []
    assert smtp_server.to("alice@example.org") == []
