"""1:1 meetings in a real browser: the organiser turns meetings on, two participants who
read different languages see each other with reasons on both sides, one asks, the other
accepts into a slot in place; both agendas and calendar files show the meeting; after the
event both say what came of it and the organiser sees the figures. In all four languages,
and once more without JavaScript."""

# ruff: noqa: F811  (the fixtures of test_events are imported by name)
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urljoin

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.meetings.views import slot_label
from matchmaker.taxonomy.queries import tag_label
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import make_organisation, publish
from tests.web.helpers import translated
from tests.web.test_events import (  # noqa: F401  (fixtures)
    OSLO,
    app,
    at_oslo,
    make_event,
    person,
    sign_up,
    world,
)
from tests.web.test_meetings import hold_in_the_past

LANGS = ["pl", "en", "da", "nb"]
TITLE = "PL-DK-NO matchmaking day"
MESSAGE = "Could we talk about a remote monitoring pilot?"
MARK = "() => { window.journeyMarker = 'still the same page'; }"
MARKED = "() => window.journeyMarker"
FOCUSED_AFTER_SWAP = (
    "() => document.activeElement !== null"
    " && document.activeElement.hasAttribute('data-focus-after-swap')"
)


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def for_whom(label: str, name: str) -> re.Pattern:
    """A control's accessible name: its label, then whom it is for (hidden from sight;
    Chromium puts a space before the colon of the visually hidden part)."""
    return re.compile(rf"^{re.escape(label)} ?: {re.escape(name)}$")


def other(lang: str) -> str:
    """The other participant's language: pl-da, en-nb, da-pl, nb-en."""
    return LANGS[(LANGS.index(lang) + 2) % len(LANGS)]


def slots() -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The two meeting slots of the session 09:00-10:00 (20 minutes, 5 minutes' break)."""
    return (at_oslo(60, 9, 0), at_oslo(60, 9, 20)), (at_oslo(60, 9, 25), at_oslo(60, 9, 45))


def session_day() -> str:
    return str(at_oslo(60).astimezone(OSLO).date())


@pytest.fixture
def meeting_day(app, world, smtp_server):
    """A published matchmaking day of Olga's living lab; Alice (a Polish start-up) and Bob
    (an Oslo hospital that needs what Alice offers) have confirmed seats. Meetings are off."""
    hospital = make_organisation(
        world["bob"],
        name="Oslo University Hospital",
        kind="hospital",
        country="NO",
        region="NO-03",
        tags={"need": ["remote_monitoring"], "capability": ["clinical_validation"]},
    )
    publish("organisation", hospital, world["moderator"])
    event = make_event(world, kind="matchmaking", capacity=10, title=TITLE)
    for name in ("alice", "bob"):
        assert sign_up(person(app, world, name), event).status_code == 200
        smtp_server.wait_for(world[name].email)  # the sign-up's receipt
    smtp_server.clear()

    def speaking(organiser: str, alice: str, bob: str):
        world["olga"].locale, world["alice"].locale, world["bob"].locale = organiser, alice, bob
        db.session.commit()
        return event

    return speaking


def figure(page, lang: str, label: str):
    """The number beside a figure's label on the organiser's overview."""
    term = page.locator("dl.figures dt").get_by_text(t(lang, label), exact=True)
    return term.locator("xpath=following-sibling::dd[1]")


def flash(page):
    return page.locator("#flash-messages")


def turn_meetings_on(page, base: str, lang: str, event, axe: bool = True, choose=None) -> None:
    """From the event's manage page to the set-up form, filled and saved; `choose(page)`
    sets what a journey needs besides the grid (acceptance, who schedules) before saving."""
    page.goto(f"{base}/{lang}/my/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings"), exact=True).click()
    # No set-up yet: the meetings page opens on the set-up form.
    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "1:1 meetings: set-up"))
    if axe:
        assert_accessible(page)
    page.get_by_label(t(lang, "Participants can ask each other for 1:1 meetings")).check()
    page.get_by_label(t(lang, "Meeting sessions")).fill(f"{session_day()} 09:00-10:00")
    page.get_by_label(t(lang, "Meeting length")).select_option("20")
    page.get_by_label(t(lang, "Break between meetings (minutes)")).fill("5")
    page.get_by_label(t(lang, "Number of tables")).fill("3")
    if choose is not None:
        choose(page)
        if axe:
            assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()

    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/")
    expect(page.locator("#flash-messages")).to_contain_text(
        t(lang, "The meetings set-up is saved.")
    )
    expect(page.get_by_text(t(lang, "Meetings are on"))).to_be_visible()
    expect(figure(page, lang, "Meeting slots")).to_have_text("2")
    expect(figure(page, lang, "Participants taking part")).to_have_text("2")
    expect(figure(page, lang, "Participants with no meeting")).to_have_text("2")
    if axe:
        assert_accessible(page)


def ask_bob(page, base: str, lang: str, event, proposed: str, axe: bool = True) -> None:
    """Alice, on the event's page, finds Bob among who to meet and asks him."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Who to meet"))
    card = page.locator("ol.meeting-people > li", has_text="Oslo University Hospital")
    expect(card.get_by_role("heading", level=2)).to_contain_text("Bob")
    # Reasons on both sides, each under its own heading, in the reader's language.
    for_you, for_them = card.locator(".reasons-both > div").all()
    monitoring = tag_label("remote_monitoring", lang)
    expect(for_you.get_by_role("heading")).to_have_text(t(lang, "Why you may want to meet them"))
    expect(for_you.get_by_role("listitem")).to_contain_text(
        [t(lang, "Needs what you offer: %(tags)s", tags=monitoring)]
    )
    expect(for_them.get_by_role("heading")).to_have_text(t(lang, "Why they may want to meet you"))
    expect(for_them.get_by_role("listitem")).to_contain_text(
        [t(lang, "Offers what you need: %(tags)s", tags=monitoring)]
    )
    if axe:
        assert_accessible(page)
    card.get_by_role("link", name=for_whom(t(lang, "Ask for a meeting"), "Bob")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Ask %(name)s for a meeting", name="Bob")
    )
    page.get_by_label(t(lang, "Your message (optional)")).fill(MESSAGE)
    page.get_by_label(t(lang, "Propose a time (optional)")).select_option(label=proposed)
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Send the request")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Meeting requests"))
    expect(page.locator("#flash-messages")).to_contain_text(
        t(lang, "Your request has been sent to %(name)s.", name="Bob")
    )
    sent = page.get_by_role("listitem").filter(has_text=t(lang, "To %(name)s", name="Bob"))
    expect(sent).to_be_visible()
    if axe:
        assert_accessible(page)


def incoming_card(page, base: str, lang: str, event):
    """Bob opens his requests from the event's page; Alice's request waits there."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    page.get_by_role("navigation", name=t(lang, "Meetings")).get_by_role(
        "link", name=t(lang, "Requests")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Meeting requests"))
    card = page.locator("li[id^='request-']", has_text=t(lang, "From %(name)s", name="Alice"))
    expect(card.get_by_text(MESSAGE)).to_be_visible()
    return card


def proposed_is_chosen(card, lang: str, value: str, label: str) -> None:
    """The time Alice proposed is the one chosen, and says it was proposed."""
    time = card.get_by_label(t(lang, "Time"), exact=True)
    expect(time).to_have_value(value)
    expect(time.locator("option:checked")).to_have_text(f"{label} – {t(lang, 'proposed')}")  # noqa: RUF001


def agenda_lists(page, base: str, lang: str, event, when: str, who: str, organisation: str):
    """The person's agenda shows the one meeting: when, with whom, at which table."""
    page.goto(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "My agenda"))
    item = page.locator("li.agenda-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading", level=2)).to_have_text(when)
    expect(item).to_contain_text(
        f"{who} · {organisation} · {t(lang, 'Table %(number)d', number=1)}"
    )
    return item


def calendar_entry(page, item, lang: str):
    """The agenda's .ics link, fetched with the person's cookies: its one VEVENT."""
    link = item.get_by_role("link", name=t(lang, "Add to calendar (.ics)"))
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    [entry] = Calendar.from_ical(response.body()).walk("VEVENT")
    return entry


def rate(page, base: str, lang: str, event, outcome: str, axe: bool = True) -> None:
    """After the event: the agenda asks what came of the meeting; the answer is kept."""
    page.goto(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    item = page.locator("li.agenda-item")
    expect(item.get_by_role("button", name=t(lang, "Cancel the meeting"))).to_have_count(0)
    question = item.get_by_role("group", name=t(lang, "What came of this meeting?"))
    question.get_by_label(t(lang, outcome), exact=True).check()
    question.get_by_role("button", name=t(lang, "Save"), exact=True).click()
    expect(page.locator("#flash-messages")).to_contain_text(
        t(lang, "Thank you: your answer is saved.")
    )
    question = page.get_by_role("group", name=t(lang, "What came of this meeting?"))
    expect(question.get_by_label(t(lang, outcome), exact=True)).to_be_checked()
    if axe:
        assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_meetings_are_turned_on_asked_for_accepted_in_place_and_rated(
    lang, live_server, new_page, meeting_day, smtp_server
):
    lang_b = other(lang)
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    (first_start, first_end), _second = slots()
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on(organiser, base, lang, event)

    alice = new_page(locale=lang)
    log_in(alice, base, lang, "alice@example.org")
    ask_bob(alice, base, lang, event, slot_label(first_start, first_end, event, lang))
    # Bob is told in his own language.
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == lang_b
    assert mail["Subject"] == t(
        lang_b, "%(name)s asks you for a meeting at “%(title)s”", name="Alice", title=TITLE
    )
    alice.get_by_role("link", name=t(lang, "My agenda")).click()
    expect(alice.get_by_text(t(lang, "No meetings booked yet."))).to_be_visible()

    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    card = incoming_card(bob, base, lang_b, event)
    when_b = slot_label(first_start, first_end, event, lang_b)
    value = first_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    proposed_is_chosen(card, lang_b, value, when_b)
    assert_accessible(bob)
    card_id = card.get_attribute("id")
    bob.evaluate(MARK)
    card.get_by_role("button", name=for_whom(t(lang_b, "Accept"), "Alice")).click()
    answered = bob.locator(f"#{card_id}")
    status = answered.get_by_role("status")
    expect(status).to_have_text(
        t(lang_b, "Meeting with %(name)s booked: %(when)s.", name="Alice", when=when_b)
    )
    expect(status).to_be_focused()
    assert bob.evaluate(FOCUSED_AFTER_SWAP), "focus is not on the swapped-in status message"
    assert bob.evaluate(MARKED) == "still the same page", "the page was reloaded"
    expect(answered.get_by_role("button")).to_have_count(0)
    assert_accessible(bob)

    answered.get_by_role("link", name=t(lang_b, "Open my agenda")).click()
    item = agenda_lists(bob, base, lang_b, event, when_b, "Alice", "Wroclaw Telecare")
    assert_accessible(bob)
    bobs = calendar_entry(bob, item, lang_b)
    assert str(bobs["UID"]).startswith("meeting-")
    assert str(bobs["SUMMARY"]) == t(lang_b, "Meeting with %(name)s", name="Alice")
    assert str(bobs["LOCATION"]) == t(lang_b, "Table %(number)d", number=1)
    assert bobs.decoded("DTSTART").astimezone(UTC) == first_start

    when_a = slot_label(first_start, first_end, event, lang)
    item = agenda_lists(alice, base, lang, event, when_a, "Bob", "Oslo University Hospital")
    assert_accessible(alice)
    alices = calendar_entry(alice, item, lang)
    assert alices["UID"] == bobs["UID"]  # one meeting, one calendar entry for life
    assert str(alices["SUMMARY"]) == t(lang, "Meeting with %(name)s", name="Bob")
    assert alices.decoded("DTEND").astimezone(UTC) == first_end
    assert [m["Content-Language"] for m in smtp_server.wait_for("alice@example.org")] == [lang]

    organiser.reload()
    expect(figure(organiser, lang, "Meetings booked")).to_have_text("1")
    plan = organiser.locator(".table-plan table")
    expect(plan.locator("caption")).to_have_text(when_a)
    expect(plan.locator("tbody td:not(.no-print)")).to_have_text(
        [t(lang, "Table %(number)d", number=1), "Alice – Bob"]  # noqa: RUF001
    )

    # Two days later the event is over: each says what came of the meeting.
    hold_in_the_past(event, days_ago=2)
    rate(alice, base, lang, event, "Talks have started")
    rate(bob, base, lang_b, event, "An agreement or a project")
    organiser.reload()
    expect(figure(organiser, lang, "Talks have started")).to_have_text("1")
    expect(figure(organiser, lang, "An agreement or a project")).to_have_text("1")
    expect(figure(organiser, lang, "No follow-up")).to_have_text("0")
    assert_accessible(organiser)


def test_without_javascript_a_request_is_accepted_and_rated_with_plain_forms(
    live_server, new_page, meeting_day
):
    lang, lang_b = "nb", "pl"
    event = meeting_day(organiser="en", alice=lang, bob=lang_b)
    _first, (second_start, second_end) = slots()
    base = live_server

    organiser = new_page(java_script_enabled=False)
    log_in(organiser, base, "en", "olga@example.org")
    turn_meetings_on(organiser, base, "en", event, axe=False)

    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    ask_bob(alice, base, lang, event, slot_label(second_start, second_end, event, lang), axe=False)

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    card = incoming_card(bob, base, lang_b, event)
    when_b = slot_label(second_start, second_end, event, lang_b)
    value = second_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    proposed_is_chosen(card, lang_b, value, when_b)
    with bob.expect_request(lambda r: r.method == "POST") as posted:
        card.get_by_role("button", name=for_whom(t(lang_b, "Accept"), "Alice")).click()
    assert posted.value.url.endswith("/accept")
    assert posted.value.response().status == 303  # a plain form: redirected to the agenda
    expect(bob).to_have_url(f"{base}/{lang_b}/events/{event.id}/meetings/agenda")
    expect(bob.locator("#flash-messages")).to_have_text(
        t(lang_b, "Meeting with %(name)s booked: %(when)s.", name="Alice", when=when_b)
    )
    item = agenda_lists(bob, base, lang_b, event, when_b, "Alice", "Wroclaw Telecare")
    assert str(calendar_entry(bob, item, lang_b)["UID"]).startswith("meeting-")
    when_a = slot_label(second_start, second_end, event, lang)
    agenda_lists(alice, base, lang, event, when_a, "Bob", "Oslo University Hospital")

    hold_in_the_past(event, days_ago=2)
    rate(alice, base, lang, event, "No follow-up", axe=False)
    rate(bob, base, lang_b, event, "Talks have started", axe=False)
    organiser.goto(f"{base}/en/my/events/{event.id}/meetings/")
    expect(figure(organiser, "en", "No follow-up")).to_have_text("1")
    expect(figure(organiser, "en", "Talks have started")).to_have_text("1")
