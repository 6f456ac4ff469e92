"""Schedule all in a real browser: the organiser turns meetings on and builds the agenda
herself; a participant asks another without a time, the other accepts in place and the
meeting waits for the schedule; the organiser previews a schedule, reads its report and
publishes it as provisional (without JavaScript, as final): the meeting is on both agendas,
which say which it is, and each person is told once, in their own language. In all four
languages, and once more without JavaScript."""

# ruff: noqa: F811  (the fixtures of test_events and test_meeting_journeys are imported by name)
from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from flask_babel import force_locale
from flask_babel import format_decimal as babel_decimal
from playwright.sync_api import expect
from sqlalchemy import select

from matchmaker.events.times import aware
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting
from matchmaker.meetings.views import slot_label
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_event_journeys import tn
from tests.e2e.test_meeting_journeys import (  # noqa: F401  (fixtures)
    FOCUSED_AFTER_SWAP,
    LANGS,
    MARK,
    MARKED,
    MESSAGE,
    TITLE,
    agenda_lists,
    figure,
    flash,
    for_whom,
    incoming_card,
    meeting_day,
    other,
    session_day,
    slots,
    t,
    turn_meetings_on,
)
from tests.web.test_events import app, world  # noqa: F401  (fixtures)

NO_JS = ("en", "da")  # Alice's and Bob's languages without JavaScript
ORGANISATIONS = {"Alice": "Wroclaw Telecare", "Bob": "Oslo University Hospital"}


def number(lang: str, value: int) -> str:
    with force_locale(lang):
        return babel_decimal(value)


def pair(lang: str) -> str:
    return t(lang, "%(one)s and %(other)s", one="Alice", other="Bob")


PUBLISH = {False: "Publish as provisional", True: "Publish as final"}
PUBLISH_HINT = (
    "Books every meeting of this preview and tells each person once, in their language,"
    " what their agenda holds. A provisional agenda may still change; a final one is what"
    " the day will be."
)
AGENDA_IS = {
    False: "This agenda is provisional: the organisers may still change times and places,"
    " and you will be told when they do.",
    True: "This agenda is final.",
}


def published_flash(lang: str, final: bool, booked: int, moved: int = 0) -> str:
    """What the organiser reads after publishing: provisional or final, then the counts."""
    parts = [
        t(
            lang,
            "The agenda is published as final."
            if final
            else "The agenda is published as provisional.",
        ),
        tn(lang, "%(num)d meeting booked.", "%(num)d meetings booked.", booked),
    ]
    if moved:
        parts.append(tn(lang, "%(num)d meeting moved.", "%(num)d meetings moved.", moved))
    parts.append(t(lang, "Each person concerned has been told once."))
    return " ".join(parts)


def agenda_subject(lang: str, final: bool) -> str:
    """The subject of the message that tells a person what their agenda holds."""
    if final:
        return t(lang, "Your final meeting agenda for “%(title)s”", title=TITLE)
    return t(lang, "Your meeting agenda for “%(title)s” is ready", title=TITLE)


def turn_scheduling_on(page, base: str, lang: str, event, axe: bool = True) -> None:
    """The set-up form as in test_meeting_journeys, with "we build the agenda" ticked and
    the scheduler given one second."""

    def we_build_the_agenda(page) -> None:
        who = page.get_by_role("group", name=t(lang, "Who gives meetings their time"))
        we_build = who.get_by_label(
            t(lang, "We build the agenda: participants accept requests without choosing a time")
        )
        we_build.check()
        expect(we_build).to_have_accessible_description(
            t(
                lang,
                "Then “Schedule all” places every accepted meeting, with the most meetings and"
                " the fewest idle gaps, and you publish it when you are ready.",
            )
        )
        seconds = t(lang, "Time the scheduler may take to improve a schedule (seconds)")
        who.get_by_label(seconds).fill("1")

    turn_meetings_on(page, base, lang, event, axe=axe, choose=we_build_the_agenda)
    expect(page.get_by_text(t(lang, "Every accepted request has its time."))).to_be_visible()


def ask_bob_without_a_time(page, base: str, lang: str, event, axe: bool = True) -> None:
    """Alice asks Bob: no time to propose, a hint says who gives it."""
    page.goto(f"{base}/{lang}/events/{event.id}")
    page.get_by_role("link", name=t(lang, "1:1 meetings: who to meet")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Who to meet"))
    card = page.locator("ol.meeting-people > li", has_text=ORGANISATIONS["Bob"])
    card.get_by_role("link", name=for_whom(t(lang, "Ask for a meeting"), "Bob")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t(lang, "Ask %(name)s for a meeting", name="Bob")
    )
    expect(page.get_by_label(t(lang, "Propose a time (optional)"))).to_have_count(0)
    expect(page.locator("select[name='slot']")).to_have_count(0)
    expect(
        page.get_by_text(t(lang, "The organisers give every meeting its time once it is accepted."))
    ).to_be_visible()
    page.get_by_label(t(lang, "Your message (optional)")).fill(MESSAGE)
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Send the request")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Meeting requests"))
    expect(flash(page)).to_contain_text(
        t(lang, "Your request has been sent to %(name)s.", name="Bob")
    )
    if axe:
        assert_accessible(page)


def card_offers_no_time(card, lang: str) -> None:
    """Bob's card: no time to choose, a hint that the organisers give it."""
    expect(card.get_by_label(t(lang, "Time"), exact=True)).to_have_count(0)
    expect(
        card.get_by_text(
            t(
                lang,
                "The organisers give every meeting its time: accept, and it goes into"
                " their schedule.",
            )
        )
    ).to_be_visible()


def waiting_on_agenda(page, base: str, lang: str, event, who: str) -> None:
    """The agenda has no meeting yet, and says the accepted one waits for the schedule."""
    page.goto(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "My agenda"))
    expect(page.locator("li.agenda-item")).to_have_count(0)
    expect(page.get_by_text(t(lang, "No meetings booked yet."))).to_have_count(0)
    expect(page.get_by_role("heading", level=2)).to_have_text(
        t(lang, "Accepted, waiting for the organisers' schedule")
    )
    expect(page.locator("ul.item-list > li")).to_have_text([t(lang, "With %(name)s", name=who)])


def waiting_for_a_time(lang: str, count: int) -> str:
    """The schedule page's count of accepted requests without a time."""
    return tn(
        lang,
        "%(count)s accepted request is waiting for a time.",
        "%(count)s accepted requests are waiting for a time.",
        count,
        count=count,
    )


def waiting_row(page, lang: str):
    """The pair's row under "Accepted, without a time yet" on the meetings overview."""
    section = page.get_by_role("region", name=t(lang, "Accepted, without a time yet"))
    return section.locator("tbody tr")


def build_preview(page, base: str, lang: str, event, axe: bool = True) -> None:
    """From the meetings overview: the pair waits; "Schedule all", then a preview that
    places the one meeting and books nothing."""
    page.goto(f"{base}/{lang}/my/events/{event.id}/meetings/")
    row = waiting_row(page, lang)
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text([pair(lang), t(lang, "Not in a schedule yet.")])
    expect(figure(page, lang, "Requests accepted")).to_have_text(number(lang, 1))
    expect(figure(page, lang, "Meetings booked")).to_have_text(number(lang, 0))
    if axe:
        assert_accessible(page)
    page.get_by_role("link", name=t(lang, "Schedule all"), exact=True).click()

    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Schedule all"))
    expect(page.get_by_text(waiting_for_a_time(lang, 1))).to_be_visible()
    for final in (False, True):  # nothing to publish before a preview
        expect(page.get_by_role("button", name=t(lang, PUBLISH[final]))).to_have_count(0)
    expect(page.get_by_role("button", name=t(lang, "Make the agenda final"))).to_have_count(0)
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Build a preview")).click()

    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/schedule/")
    expect(flash(page)).to_contain_text(
        t(lang, "The preview is ready. Nothing is booked until you publish it.")
    )
    preview = page.get_by_role("region", name=t(lang, "Preview"))
    expect(figure(preview, lang, "Meetings placed")).to_have_text(
        t(
            lang,
            "%(placed)s of %(wanted)s",
            placed=number(lang, 1),
            wanted=number(lang, 1),
        )
    )
    expect(figure(preview, lang, "People with fewer meetings than they accepted")).to_have_text(
        number(lang, 0)
    )
    expect(preview.get_by_text(t(lang, "Every accepted meeting has a time."))).to_be_visible()
    proposed = preview.locator("table.data-table")
    expect(proposed).to_have_count(1)
    labels = [slot_label(starts, ends, event, lang) for starts, ends in slots()]
    expect(proposed.locator("caption")).to_have_text(
        re.compile("^(" + "|".join(re.escape(label) for label in labels) + ")$")
    )
    expect(proposed.locator("tbody td")).to_have_text(
        [t(lang, "Table %(number)d", number=1), pair(lang)]
    )
    for final in (False, True):
        publish_button = preview.get_by_role("button", name=t(lang, PUBLISH[final]))
        expect(publish_button).to_have_accessible_description(t(lang, PUBLISH_HINT))
    assert db.session.scalar(select(Meeting.id)) is None, "a preview booked a meeting"


def publish_schedule(page, base: str, lang: str, event, final: bool = False) -> None:
    """Publish as provisional or `final`: back on the overview, the meeting is booked and
    nothing waits."""
    page.get_by_role("button", name=t(lang, PUBLISH[final])).click()
    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/")
    expect(flash(page)).to_have_text(published_flash(lang, final, booked=1))
    expect(figure(page, lang, "Meetings booked")).to_have_text(number(lang, 1))
    expect(waiting_row(page, lang)).to_have_count(0)
    expect(page.get_by_text(t(lang, "Every accepted request has its time."))).to_be_visible()


def the_meeting() -> Meeting:
    """The one meeting the schedule booked, read from the database."""
    db.session.expire_all()
    [meeting] = db.session.scalars(select(Meeting)).all()
    assert meeting.status == "booked"
    assert meeting.table_number == 1
    return meeting


def in_a_slot(meeting: Meeting) -> tuple:
    """The meeting's start and end: one of the two slots of the session."""
    times = (aware(meeting.starts_at), aware(meeting.ends_at))
    assert times in slots(), f"{times} is not a slot of the session"
    return times


@pytest.mark.parametrize("lang", LANGS)
def test_accepted_without_a_time_then_scheduled_by_the_organiser(
    lang, live_server, new_page, meeting_day, smtp_server
):
    lang_b = other(lang)
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_scheduling_on(organiser, base, lang, event)

    alice = new_page(locale=lang)
    log_in(alice, base, lang, "alice@example.org")
    ask_bob_without_a_time(alice, base, lang, event)
    [asked] = smtp_server.wait_for("bob@example.org")
    assert asked["Content-Language"] == lang_b

    # Bob accepts in place: no time to choose, the card says the schedule will give it.
    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    card = incoming_card(bob, base, lang_b, event)
    card_offers_no_time(card, lang_b)
    assert_accessible(bob)
    card_id = card.get_attribute("id")
    bob.evaluate(MARK)
    card.get_by_role("button", name=for_whom(t(lang_b, "Accept"), "Alice")).click()
    answered = bob.locator(f"#{card_id}")
    status = answered.get_by_role("status")
    expect(status).to_have_text(
        t(
            lang_b,
            "Accepted: your meeting with %(name)s will get its time in the organisers' schedule.",
            name="Alice",
        )
    )
    expect(status).to_be_focused()
    assert bob.evaluate(FOCUSED_AFTER_SWAP), "focus is not on the swapped-in status message"
    assert bob.evaluate(MARKED) == "still the same page", "the page was reloaded"
    expect(answered.get_by_role("button")).to_have_count(0)
    assert_accessible(bob)

    # Alice hears it in her language; both agendas say the meeting waits for a time.
    [accepted] = smtp_server.wait_for("alice@example.org")
    assert accepted["Content-Language"] == lang
    assert accepted["Subject"] == t(lang, "%(name)s accepted your meeting request", name="Bob")
    waiting_on_agenda(alice, base, lang, event, "Bob")
    assert_accessible(alice)
    answered.get_by_role("link", name=t(lang_b, "Open my agenda")).click()
    waiting_on_agenda(bob, base, lang_b, event, "Alice")
    assert_accessible(bob)

    build_preview(organiser, base, lang, event)
    assert_accessible(organiser)
    # The CSV report of the preview: who meets where, in the organiser's language.
    link = organiser.get_by_role("link", name=t(lang, "Download the preview (CSV)"))
    report = organiser.request.get(urljoin(organiser.url, link.get_attribute("href")))
    assert report.ok, report.status
    assert report.headers["content-type"].startswith("text/csv")
    text = report.text()
    assert t(lang, "Who meets") in text and pair(lang) in text
    assert t(lang, "Scheduled") in text
    assert smtp_server.to("bob@example.org") == [asked], "a preview sent something"

    publish_schedule(organiser, base, lang, event)
    assert_accessible(organiser)
    starts, ends = in_a_slot(the_meeting())
    plan = organiser.locator(".table-plan table")
    expect(plan.locator("caption")).to_have_text(slot_label(starts, ends, event, lang))
    expect(plan.locator("tbody td:not(.no-print)")).to_have_text(
        [t(lang, "Table %(number)d", number=1), "Alice – Bob"]  # noqa: RUF001
    )

    # Bob's agenda has the meeting with Alice, at the time in his language, and says it
    # may still change.
    when_b = slot_label(starts, ends, event, lang_b)
    agenda_lists(bob, base, lang_b, event, when_b, "Alice", ORGANISATIONS["Alice"])
    expect(
        bob.get_by_text(t(lang_b, "Accepted, waiting for the organisers' schedule"))
    ).to_have_count(0)
    expect(bob.get_by_text(t(lang_b, AGENDA_IS[False]))).to_be_visible()
    assert_accessible(bob)
    when_a = slot_label(starts, ends, event, lang)
    agenda_lists(alice, base, lang, event, when_a, "Bob", ORGANISATIONS["Bob"])
    expect(alice.get_by_text(t(lang, AGENDA_IS[False]))).to_be_visible()
    assert_accessible(alice)

    # Each is told once, in their own language.
    scheduled_b = agenda_subject(lang_b, final=False)
    mails_b = smtp_server.wait_for("bob@example.org", count=2)
    told_b = [m for m in mails_b if m["Subject"] == scheduled_b]
    assert len(told_b) == 1, [m["Subject"] for m in mails_b]
    assert told_b[0]["Content-Language"] == lang_b
    scheduled_a = agenda_subject(lang, final=False)
    mails_a = smtp_server.wait_for("alice@example.org", count=2)
    assert [m["Subject"] for m in mails_a].count(scheduled_a) == 1
    assert len(smtp_server.to("bob@example.org")) == 2


def test_without_javascript_a_request_is_accepted_and_scheduled_with_plain_forms(
    live_server, new_page, meeting_day, smtp_server
):
    lang, lang_b = NO_JS
    event = meeting_day(organiser="en", alice=lang, bob=lang_b)
    base = live_server

    organiser = new_page(java_script_enabled=False)
    log_in(organiser, base, "en", "olga@example.org")
    turn_scheduling_on(organiser, base, "en", event, axe=False)

    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    ask_bob_without_a_time(alice, base, lang, event, axe=False)

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    card = incoming_card(bob, base, lang_b, event)
    card_offers_no_time(card, lang_b)
    with bob.expect_request(lambda r: r.method == "POST") as posted:
        card.get_by_role("button", name=for_whom(t(lang_b, "Accept"), "Alice")).click()
    assert posted.value.url.endswith("/accept")
    assert posted.value.response().status == 303  # a plain form: redirected to the agenda
    expect(bob).to_have_url(f"{base}/{lang_b}/events/{event.id}/meetings/agenda")
    expect(flash(bob)).to_have_text(
        t(
            lang_b,
            "Accepted: your meeting with %(name)s will get its time in the organisers' schedule.",
            name="Alice",
        )
    )
    waiting_on_agenda(bob, base, lang_b, event, "Alice")
    waiting_on_agenda(alice, base, lang, event, "Bob")

    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        build_preview(organiser, base, "en", event, axe=False)
    assert posted.value.url.endswith("/meetings/schedule/build")
    assert posted.value.response().status == 303
    # The overview now says the pair is placed in the preview, still without a time.
    organiser.goto(f"{base}/en/my/events/{event.id}/meetings/")
    expect(waiting_row(organiser, "en").locator("td")).to_have_text(
        [pair("en"), t("en", "Placed in the preview: publish it to book.")]
    )
    organiser.get_by_role("link", name=t("en", "Schedule all"), exact=True).click()
    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        publish_schedule(organiser, base, "en", event, final=True)
    assert posted.value.url.endswith("/meetings/schedule/publish")
    assert posted.value.response().status == 303

    starts, ends = in_a_slot(the_meeting())
    when_b = slot_label(starts, ends, event, lang_b)
    agenda_lists(bob, base, lang_b, event, when_b, "Alice", ORGANISATIONS["Alice"])
    expect(bob.get_by_text(t(lang_b, AGENDA_IS[True]))).to_be_visible()
    when_a = slot_label(starts, ends, event, lang)
    agenda_lists(alice, base, lang, event, when_a, "Bob", ORGANISATIONS["Bob"])
    expect(alice.get_by_text(t(lang, AGENDA_IS[True]))).to_be_visible()
    scheduled_b = agenda_subject(lang_b, final=True)
    mails_b = smtp_server.wait_for("bob@example.org", count=2)
    assert [m["Subject"] for m in mails_b].count(scheduled_b) == 1
