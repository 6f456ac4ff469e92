"""Locking a meeting before a schedule that may move booked ones, in a real browser: the
agenda is published as provisional; Alice and Carol's accepted meeting fits nowhere around
the booked ones. The organiser locks Alice and Bob's meeting on the table plan (else the
schedule would move it first), builds a preview that may move booked meetings and reads
that only Carol and Dave's moves, to make room, then publishes the agenda as final. Bob's
agenda keeps its time and says it is final; each person is told once, in their own
language. In all four languages, and once more without JavaScript.

The booked meetings and the first, provisional publication are set-up here (test
clients, as in tests/web): the lock and the final publication are what is under test;
asking, accepting and a first schedule are in test_meeting_schedule_journeys."""

# ruff: noqa: F811  (the fixtures of test_events and test_meetings are imported by name)
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.meetings.views import slot_label
from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_meeting_journeys import (
    LANGS,
    agenda_lists,
    figure,
    flash,
    for_whom,
    other,
    slots,
    t,
)
from tests.e2e.test_meeting_move_journeys import PAIR, plan_rows, single_spaced, table
from tests.e2e.test_meeting_schedule_journeys import (
    AGENDA_IS,
    ORGANISATIONS,
    PUBLISH,
    PUBLISH_HINT,
    agenda_subject,
    number,
    published_flash,
    waiting_for_a_time,
    waiting_row,
)
from tests.web.test_events import app, sign_up, world  # noqa: F401  (fixtures)
from tests.web.test_meeting_schedule import accept, schedule_url
from tests.web.test_meetings import SLOT_1, SLOT_2, book, day, post, settings_form  # noqa: F401

NO_JS = ("nb", "en")  # the organiser's and Bob's languages without JavaScript
EVERYONE = ("alice", "bob", "carol", "dave")


def both(lang: str, one: str, two: str) -> str:
    return t(lang, "%(one)s and %(other)s", one=one, other=two)


def provisional_agenda(day, world, smtp_server, lang: str, lang_b: str):
    """Set-up: Alice and Bob booked the first slot themselves, Carol and Dave the second;
    then the organisers took over the agenda (three tables) and published it as
    provisional. Since, Carol accepted Alice's request: Alice is busy in the first slot
    and Carol in the second, so it waits. The organiser, Alice and Dave read `lang`; Bob and
    Carol `lang_b`. Returns the event and Alice and Bob's meeting."""
    event, people = day
    for name, reads in zip(("olga", *EVERYONE), (lang, lang, lang_b, lang_b, lang), strict=True):
        world[name].locale = reads
    db.session.commit()
    assert sign_up(people["dave"], event).status_code == 200  # as himself, no organisation
    alice_bob = book(people, world, event, "alice", "bob", SLOT_1)
    carol_dave = book(people, world, event, "carol", "dave", SLOT_2)
    assert carol_dave.table_number == alice_bob.table_number == 1
    settings = settings_form(organiser_schedules="1", solver_seconds="1", tables="3")
    organiser = people["olga"]
    url = f"/en/my/events/{event.id}/meetings/settings"
    assert post(organiser, url, **settings).status_code == 303
    assert post(organiser, schedule_url(event, "build")).status_code == 303
    assert post(organiser, schedule_url(event, "publish"), final="0").status_code == 303
    request, response = accept(people, world, event, "alice", "carol")
    assert response.status_code == 303
    db.session.refresh(request)
    assert request.status == "accepted" and request.meeting is None
    smtp_server.clear()
    return event, alice_bob


def labels(event, lang: str) -> tuple[str, str]:
    """The two slots as `lang` reads them."""
    return tuple(slot_label(starts, ends, event, lang) for starts, ends in slots())


def lock_button(page, lang: str, name: str, when: str):
    """ "Lock" or "Unlock", then (hidden from sight) whose meeting and when."""
    plan = page.get_by_role("region", name=t(lang, "Table plan"))
    return plan.get_by_role(
        "button", name=for_whom(t(lang, name), single_spaced(f"{PAIR}, {when}"))
    )


def lock_alice_and_bob(page, base: str, lang: str, event, axe: bool = True) -> None:
    """On the overview: the provisional plan, Alice and Carol waiting; "Lock" on Alice and
    Bob's row, and back at the plan with the badge and the flash."""
    first, second = labels(event, lang)
    overview = f"{base}/{lang}/my/events/{event.id}/meetings/"
    page.goto(overview)
    assert plan_rows(page, lang) == {
        first: [(table(lang, 1), PAIR)],
        second: [(table(lang, 1), "Carol – Dave")],  # noqa: RUF001
    }
    expect(waiting_row(page, lang).locator("td")).to_have_text(
        [both(lang, "Alice", "Carol"), t(lang, "Not in a schedule yet.")]
    )
    expect(lock_button(page, lang, "Unlock", first)).to_have_count(0)
    if axe:
        assert_accessible(page)
    lock_button(page, lang, "Lock", first).click()

    expect(page).to_have_url(overview)
    expect(flash(page)).to_be_in_viewport()
    expect(flash(page)).to_have_text(
        t(
            lang,
            "The meeting of %(names)s is locked: schedules keep it where it is.",
            names=both(lang, "Alice", "Bob"),
        )
    )
    plan = page.get_by_role("region", name=t(lang, "Table plan"))
    expect(plan.locator("tbody tr", has_text=PAIR).locator(".badge")).to_have_text(
        t(lang, "Locked")
    )
    expect(plan.locator(".badge")).to_have_count(1)  # Carol and Dave's is not locked
    expect(lock_button(page, lang, "Unlock", first)).to_be_visible()
    expect(lock_button(page, lang, "Lock", first)).to_have_count(0)
    if axe:
        assert_accessible(page)


def build_a_moving_preview(page, lang: str, event, axe: bool = True) -> None:
    """ "Schedule all" with booked meetings allowed to move: only Carol and Dave's moves,
    to the first slot, so that Alice and Carol meet in the second."""
    first, second = labels(event, lang)
    page.get_by_role("link", name=t(lang, "Schedule all"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Schedule all"))
    expect(page.get_by_text(t(lang, "The agenda is published as provisional."))).to_be_visible()
    expect(page.get_by_role("button", name=t(lang, "Make the agenda final"))).to_be_visible()
    expect(page.get_by_text(waiting_for_a_time(lang, 1))).to_be_visible()
    release = page.get_by_label(t(lang, "Let the schedule move booked meetings"))
    expect(release).not_to_be_checked()
    expect(release).to_have_accessible_description(
        t(
            lang,
            "Meetings that are locked or have begun stay where they are; no booked meeting"
            " loses its time. Without this, only what is waiting is placed, around the"
            " booked meetings.",
        )
    )
    if axe:
        assert_accessible(page)
    release.check()
    page.get_by_role("button", name=t(lang, "Build a preview")).click()

    expect(flash(page)).to_contain_text(
        t(lang, "The preview is ready. Nothing is booked until you publish it.")
    )
    expect(release).to_be_checked()  # the preview says how it was built
    expect(page.get_by_role("button", name=t(lang, "Make the agenda final"))).to_have_count(0)
    preview = page.get_by_role("region", name=t(lang, "Preview"))
    expect(figure(preview, lang, "Meetings placed")).to_have_text(
        t(lang, "%(placed)s of %(wanted)s", placed=number(lang, 3), wanted=number(lang, 3))
    )
    expect(figure(preview, lang, "Booked meetings this preview moves")).to_have_text(
        number(lang, 1)
    )
    expect(preview.get_by_text(t(lang, "Every accepted meeting has a time."))).to_be_visible()
    expect(
        preview.get_by_role("heading", name=t(lang, "Booked meetings that move"))
    ).to_be_visible()
    moves = preview.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name=t(lang, "After publishing"))
    )
    expect(moves.get_by_role("columnheader")).to_have_text(
        [t(lang, "Who meets"), t(lang, "Now"), t(lang, "After publishing")]
    )
    expect(moves.locator("tbody tr")).to_have_count(1)
    expect(moves.locator("tbody td")).to_have_text(
        [
            both(lang, "Carol", "Dave"),
            f"{second}, {table(lang, 1)}",
            f"{first}, {table(lang, 2)}",
        ]
    )
    expect(moves).not_to_contain_text(both(lang, "Alice", "Bob"))  # locked: it stays
    proposed = preview.locator("table.data-table", has=page.locator("caption"))
    expect(proposed.locator("caption")).to_have_text([second])
    expect(proposed.locator("tbody td")).to_have_text(
        [table(lang, 1), both(lang, "Alice", "Carol")]
    )
    for final in (False, True):
        button = preview.get_by_role("button", name=t(lang, PUBLISH[final]))
        expect(button).to_have_accessible_description(t(lang, PUBLISH_HINT))
    if axe:
        assert_accessible(page)


def publish_as_final(page, base: str, lang: str, event, axe: bool = True) -> None:
    """Back on the overview: one meeting booked, one moved, the locked one where it was;
    the schedule page says the agenda is final and has nothing more to make final."""
    first, second = labels(event, lang)
    page.get_by_role("button", name=t(lang, PUBLISH[True])).click()
    expect(page).to_have_url(f"{base}/{lang}/my/events/{event.id}/meetings/")
    expect(flash(page)).to_have_text(published_flash(lang, True, booked=1, moved=1))
    expect(figure(page, lang, "Meetings booked")).to_have_text(number(lang, 3))
    expect(page.get_by_text(t(lang, "Every accepted request has its time."))).to_be_visible()
    assert plan_rows(page, lang) == {
        first: [
            (table(lang, 1), f"{PAIR} {t(lang, 'Locked')}"),
            (table(lang, 2), "Carol – Dave"),  # noqa: RUF001
        ],
        second: [(table(lang, 1), "Alice – Carol")],  # noqa: RUF001
    }
    if axe:
        assert_accessible(page)
    page.get_by_role("link", name=t(lang, "Schedule all"), exact=True).click()
    expect(page.get_by_text(t(lang, "The agenda is published as final."))).to_be_visible()
    expect(page.get_by_role("button", name=t(lang, "Make the agenda final"))).to_have_count(0)
    if axe:
        assert_accessible(page)


def told_once_it_is_final(smtp_server, world) -> None:
    """Everyone with a meeting hears once, in their language, that the agenda is final."""
    for name in EVERYONE:
        user = world[name]
        [mail] = smtp_server.wait_for(user.email)
        assert mail["Subject"] == agenda_subject(user.locale, final=True), name
        assert mail["Content-Language"] == user.locale
    for name in EVERYONE:
        assert len(smtp_server.to(world[name].email)) == 1, name


@pytest.mark.parametrize("lang", LANGS)
def test_a_locked_meeting_stays_when_the_schedule_moves_the_others_then_the_agenda_is_final(
    lang, world, live_server, new_page, day, smtp_server
):
    lang_b = other(lang)
    event, _alice_bob = provisional_agenda(day, world, smtp_server, lang, lang_b)
    base = live_server

    organiser = new_page(locale=lang)
    log_in(organiser, base, lang, "olga@example.org")
    lock_alice_and_bob(organiser, base, lang, event)
    build_a_moving_preview(organiser, lang, event)
    publish_as_final(organiser, base, lang, event)

    # Bob's meeting with Alice kept its time; his agenda says it is final, in his language.
    bob = new_page(locale=lang_b)
    log_in(bob, base, lang_b, "bob@example.org")
    first, _second = labels(event, lang_b)
    agenda_lists(bob, base, lang_b, event, first, "Alice", ORGANISATIONS["Alice"])
    expect(bob.get_by_text(t(lang_b, AGENDA_IS[True]))).to_be_visible()
    expect(bob.get_by_text(t(lang_b, AGENDA_IS[False]))).to_have_count(0)
    assert_accessible(bob)
    told_once_it_is_final(smtp_server, world)


def test_without_javascript_a_meeting_is_locked_and_the_agenda_made_final_with_plain_forms(
    world, live_server, new_page, day, smtp_server
):
    lang, lang_b = NO_JS
    event, alice_bob = provisional_agenda(day, world, smtp_server, lang, lang_b)
    base = live_server

    organiser = new_page(locale=lang, java_script_enabled=False)
    log_in(organiser, base, lang, "olga@example.org")
    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        lock_alice_and_bob(organiser, base, lang, event, axe=False)
    assert posted.value.url == (
        f"{base}/{lang}/my/events/{event.id}/meetings/schedule/lock/{alice_bob.id}"
    )
    assert posted.value.response().status == 303  # a plain form: back to the plan
    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        build_a_moving_preview(organiser, lang, event, axe=False)
    assert posted.value.url.endswith("/meetings/schedule/build")
    assert "release=1" in posted.value.post_data
    with organiser.expect_request(lambda r: r.method == "POST") as posted:
        publish_as_final(organiser, base, lang, event, axe=False)
    assert posted.value.url.endswith("/meetings/schedule/publish")
    assert "final=1" in posted.value.post_data

    bob = new_page(locale=lang_b, java_script_enabled=False)
    log_in(bob, base, lang_b, "bob@example.org")
    first, _second = labels(event, lang_b)
    agenda_lists(bob, base, lang_b, event, first, "Alice", ORGANISATIONS["Alice"])
    expect(bob.get_by_text(t(lang_b, AGENDA_IS[True]))).to_be_visible()
    told_once_it_is_final(smtp_server, world)
