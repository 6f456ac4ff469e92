"""Moving a meeting by hand in a real browser: Alice and Bob, who read different languages,
have a meeting in the first slot; the organiser follows "Move" on the table plan, chooses
the second slot and table 2, and sees the plan change; both agendas show the new time and
each person is told once, in their own language. A move against the rules says why in an
alert and changes nothing. In all four languages, and once more without JavaScript.

The request and its acceptance are set-up here (test clients, as in tests/web): the move
is what is under test; asking and accepting are in test_meeting_journeys."""

# ruff: noqa: F811  (the fixtures of test_events and test_meeting_journeys are imported by name)
from __future__ import annotations

from datetime import UTC

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from matchmaker.events import times
from matchmaker.extensions import db
from matchmaker.meetings.models import Meeting
from matchmaker.meetings.views import slot_label
from tests.conftest import body_text
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_meeting_journeys import (  # noqa: F401  (fixtures)
    LANGS,
    TITLE,
    calendar_entry,
    figure,
    flash,
    for_whom,
    meeting_day,
    other,
    slots,
    t,
    turn_meetings_on,
)
from tests.factories import make_organisation, publish
from tests.web.test_events import app, person, sign_up, world  # noqa: F401  (fixtures)
from tests.web.test_meetings import book, slot_value

PAIR = "Alice – Bob"  # noqa: RUF001  (the table plan's en dash)
ORGANISATIONS = {"Alice": "Wroclaw Telecare", "Bob": "Oslo University Hospital"}


def table(lang: str, number: int) -> str:
    return t(lang, "Table %(number)d", number=number)


def booked_in_the_first_slot(app, world, event) -> Meeting:
    """Set-up: Alice asks Bob for the first slot and Bob accepts (at table 1)."""
    first, _second = slots()
    people = {name: person(app, world, name) for name in ("alice", "bob")}
    meeting = book(people, world, event, "alice", "bob", first[0])
    assert meeting is not None and meeting.table_number == 1
    return meeting


def fresh(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def single_spaced(text: str) -> str:
    """Runs of white space as one plain space: how accessible names are compared, and how
    the app writes a subject (a no-break space in a date or a time becomes a space)."""
    return " ".join(text.split())


def move_link_name(lang: str, when: str):
    """ "Move", then (hidden from sight) whose meeting and when."""
    return for_whom(t(lang, "Move"), single_spaced(f"{PAIR}, {when}"))


def open_move_form(page, base: str, lang: str, event, meeting, when: str) -> None:
    """From the meetings overview, the "Move" link of the meeting's row of the table plan."""
    page.goto(f"{base}/{lang}/my/events/{event.id}/meetings/")
    plan = page.get_by_role("region", name=t(lang, "Table plan"))
    move = plan.get_by_role("link", name=move_link_name(lang, when))
    expect(move).to_have_count(1)
    move.click()
    expect(page).to_have_url(
        f"{base}/{lang}/my/events/{event.id}/meetings/schedule/move/{meeting.id}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Move a meeting"))
    expect(
        page.get_by_text(t(lang, "%(one)s and %(other)s", one="Alice", other="Bob"), exact=True)
    ).to_be_visible()


def choose(page, lang: str, event, when: tuple, number: int) -> None:
    """The form opens on the meeting's own time and place; choose another."""
    time = page.get_by_label(t(lang, "Time"), exact=True)
    expect(time).to_have_accessible_description(
        t(
            lang,
            "The same rules as booking: both people free and not away at that time, and the"
            " place free. Both people are told.",
        )
    )
    first, _second = slots()
    expect(time).to_have_value(slot_value(first[0]))
    expect(time.locator("option")).to_have_text(
        [slot_label(starts, ends, event, lang) for starts, ends in slots()]
    )
    place = page.get_by_label(t(lang, "Place"), exact=True)
    expect(place).to_have_value("1")
    expect(place.locator("option")).to_have_text([table(lang, n) for n in (1, 2, 3)])
    time.select_option(label=slot_label(*when, event, lang))
    place.select_option(label=table(lang, number))


def plan_rows(page, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The table plan as read: for each slot's caption, its (place, who meets) rows."""
    plan = page.get_by_role("region", name=t(lang, "Table plan"))
    read = {}
    for session in plan.locator("table").all():
        caption = session.locator("caption").inner_text().strip()
        read[caption] = [
            (row.locator("td").nth(0).inner_text().strip(), row.locator("td").nth(1).inner_text())
            for row in session.locator("tbody tr").all()
        ]
    return read


def plan_shows_the_move(page, lang: str, event) -> None:
    """Back on the overview: the flash says where to, the plan has the meeting there only."""
    _first, second = slots()
    when = slot_label(*second, event, lang)
    expect(flash(page)).to_contain_text(
        t(
            lang,
            "Meeting moved to %(when)s, %(place)s; both people have been told.",
            when=when,
            place=table(lang, 2),
        )
    )
    expect(figure(page, lang, "Meetings booked")).to_have_text("1")
    plan = page.get_by_role("region", name=t(lang, "Table plan"))
    expect(plan.locator("caption")).to_have_text([when])
    expect(plan.locator("tbody tr")).to_have_count(1)
    expect(plan.locator("tbody tr td").nth(0)).to_have_text(table(lang, 2))
    expect(plan.locator("tbody tr td").nth(1)).to_have_text(PAIR)
    expect(plan.get_by_role("link", name=move_link_name(lang, when))).to_be_visible()


def moved_in_the_database(meeting: Meeting, revision: int) -> None:
    _first, (second_start, second_end) = slots()
    moved = fresh(meeting)
    assert moved.status == "booked"
    assert times.aware(moved.starts_at) == second_start
    assert times.aware(moved.ends_at) == second_end
    assert moved.table_number == 2
    assert moved.revision == revision + 1  # calendars replace their entry


def agenda_has_the_new_time(page, base: str, lang: str, event, who: str):
    """The person's agenda: the one meeting, at the second slot, at table 2."""
    _first, second = slots()
    page.goto(f"{base}/{lang}/events/{event.id}/meetings/agenda")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "My agenda"))
    item = page.locator("li.agenda-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("heading", level=2)).to_have_text(slot_label(*second, event, lang))
    expect(item).to_contain_text(f"{who} · {ORGANISATIONS[who]} · {table(lang, 2)}")
    return item


def subject_of(message) -> str:
    """The Subject as a mail program shows it. An all-ASCII subject a little too long for
    the header's first line goes out folded whole onto the second ("Subject:", then
    " Przeniesiono Twoje spotkanie z: Bob, …"), and Python's parser keeps that space."""
    return single_spaced(str(message["Subject"]))


def told_once(smtp_server, address: str, lang: str, event, who: str, expected: int) -> None:
    """`expected` messages in all reached `address`; one of them says the meeting moved, in
    the person's language, with the new time as the person reads it."""
    _first, (second_start, _end) = slots()
    when = times.moment(second_start, event.timezone, lang)
    subject = t(lang, "Your meeting with %(name)s has moved: %(when)s", name=who, when=when)
    mails = smtp_server.wait_for(address, count=expected)
    moved = [m for m in mails if subject_of(m) == single_spaced(subject)]
    assert len(moved) == 1, [m["Subject"] for m in mails]
    assert moved[0]["Content-Language"] == lang
    assert t(
        lang,
        "The organisers of “%(title)s” have moved your meeting with %(name)s to %(when)s.",
        title=TITLE,
        name=who,
        when=when,
    ) in body_text(moved[0])
    assert len(smtp_server.to(address)) == expected


def no_moved_mail(smtp_server, address: str, lang: str, who: str) -> None:
    prefix = t(lang, "Your meeting with %(name)s has moved: %(when)s", name=who, when="")
    assert not [
        m for m in smtp_server.to(address) if subject_of(m).startswith(single_spaced(prefix))
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_organiser_moves_a_meeting_and_both_are_told_in_their_language(
    lang, app, world, live_server, new_page, meeting_day, smtp_server
):
    lang_b = other(lang)
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    (first_start, first_end), second = slots()
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on(organiser, base, lang, event, axe=False)
    meeting = booked_in_the_first_slot(app, world, event)
    revision = meeting.revision
    # Told of the booking: Bob of the request and the meeting, Alice of the meeting.
    smtp_server.wait_for("bob@example.org", count=2)
    smtp_server.wait_for("alice@example.org", count=1)

    open_move_form(
        organiser, base, lang, event, meeting, slot_label(first_start, first_end, event, lang)
    )
    assert_accessible(organiser)
    choose(organiser, lang, event, second, 2)
    organiser.get_by_role("button", name=t(lang, "Move the meeting")).click()

    expect(organiser).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/")
    plan_shows_the_move(organiser, lang, event)
    assert_accessible(organiser)
    moved_in_the_database(meeting, revision)

    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    item = agenda_has_the_new_time(bob, base, lang_b, event, "Alice")
    assert_accessible(bob)
    entry = calendar_entry(bob, item, lang_b)
    assert entry.decoded("DTSTART").astimezone(UTC) == second[0]
    assert str(entry["LOCATION"]) == table(lang_b, 2)
    assert int(entry["SEQUENCE"]) == revision + 1

    alice = new_page(locale=lang)
    log_in(alice, base, lang, "alice@example.org")
    agenda_has_the_new_time(alice, base, lang, event, "Bob")
    assert_accessible(alice)

    told_once(smtp_server, "bob@example.org", lang_b, event, "Alice", expected=3)
    told_once(smtp_server, "alice@example.org", lang, event, "Bob", expected=2)


def test_a_move_to_a_time_one_person_is_busy_says_why_and_changes_nothing(
    app, world, live_server, new_page, meeting_day, smtp_server
):
    lang, lang_b = "da", "pl"
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    first, second = slots()
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on(organiser, base, lang, event, axe=False)
    meeting = booked_in_the_first_slot(app, world, event)
    revision = meeting.revision
    # Carol (a Danish SME) signs up too, and Bob meets her in the second slot.
    carol_org = make_organisation(
        world["carol"],
        name="Aarhus MedTech ApS",
        kind="sme",
        country="DK",
        region="DK-82",
        tags={"capability": ["remote_monitoring"], "need": ["clinical_validation"]},
    )
    publish("organisation", carol_org, world["moderator"])
    carol = person(app, world, "carol")
    assert sign_up(carol, event).status_code == 200
    people = {"carol": carol, "bob": person(app, world, "bob")}
    busy = book(people, world, event, "carol", "bob", second[0])
    assert busy is not None and busy.table_number == 1

    open_move_form(organiser, base, lang, event, meeting, slot_label(*first, event, lang))
    choose(organiser, lang, event, second, 2)
    with organiser.expect_response(lambda r: r.request.method == "POST") as answered:
        organiser.get_by_role("button", name=t(lang, "Move the meeting")).click()
    assert answered.value.status == 409

    # The form again, with the reason in an alert and the choices kept.
    expect(organiser.get_by_role("heading", level=1)).to_have_text(t(lang, "Move a meeting"))
    expect(organiser.get_by_role("alert")).to_have_text(
        t(lang, "%(name)s has another meeting at that time.", name="Bob")
    )
    expect(organiser.get_by_label(t(lang, "Time"), exact=True)).to_have_value(slot_value(second[0]))
    expect(organiser.get_by_label(t(lang, "Place"), exact=True)).to_have_value("2")
    assert_accessible(organiser)

    # Nothing moved: the database, the plan, the mailboxes.
    unchanged = fresh(meeting)
    assert times.aware(unchanged.starts_at) == first[0]
    assert unchanged.table_number == 1
    assert unchanged.revision == revision
    assert times.aware(fresh(busy).starts_at) == second[0]
    organiser.goto(f"{base}/{lang}/my/events/{event.id}/meetings/")
    expect(flash(organiser).locator("p")).to_have_count(0)
    # The plan names each pair in the order of their seats: Bob sat down before Carol.
    assert plan_rows(organiser, lang) == {
        slot_label(*first, event, lang): [(table(lang, 1), PAIR)],
        slot_label(*second, event, lang): [(table(lang, 1), "Bob – Carol")],  # noqa: RUF001
    }
    assert_accessible(organiser)
    no_moved_mail(smtp_server, "bob@example.org", lang_b, "Alice")
    no_moved_mail(smtp_server, "alice@example.org", lang, "Bob")
    assert (
        db.session.scalar(select(Meeting.id).where(Meeting.id.not_in([meeting.id, busy.id])))
        is None
    )


def test_without_javascript_the_organiser_moves_a_meeting_with_a_plain_form(
    app, world, live_server, new_page, meeting_day, smtp_server
):
    lang, lang_b = "nb", "en"
    event = meeting_day(organiser=lang, alice=lang, bob=lang_b)
    first, second = slots()
    base = live_server

    organiser = new_page(locale=lang, java_script_enabled=False)
    log_in(organiser, base, lang, "olga@example.org")
    turn_meetings_on(organiser, base, lang, event, axe=False)
    meeting = booked_in_the_first_slot(app, world, event)
    revision = meeting.revision
    smtp_server.wait_for("bob@example.org", count=2)
    smtp_server.wait_for("alice@example.org", count=1)

    open_move_form(organiser, base, lang, event, meeting, slot_label(*first, event, lang))
    choose(organiser, lang, event, second, 2)
    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        organiser.get_by_role("button", name=t(lang, "Move the meeting")).click()
    assert (
        posted.value.url
        == f"{base}/{lang}/my/events/{event.id}/meetings/schedule/move/{meeting.id}"
    )
    assert posted.value.response().status == 303  # a plain form: back to the overview
    expect(organiser).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/")
    plan_shows_the_move(organiser, lang, event)
    moved_in_the_database(meeting, revision)

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    agenda_has_the_new_time(bob, base, lang_b, event, "Alice")
    alice = new_page(locale=lang, java_script_enabled=False)
    log_in(alice, base, lang, "alice@example.org")
    agenda_has_the_new_time(alice, base, lang, event, "Bob")
    told_once(smtp_server, "bob@example.org", lang_b, event, "Alice", expected=3)
    told_once(smtp_server, "alice@example.org", lang, event, "Bob", expected=2)
