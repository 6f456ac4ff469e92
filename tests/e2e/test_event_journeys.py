"""Events in a real browser: an organiser creates and publishes a study visit, three people
sign up in place (seats, then the waiting list), one cancels and the next is promoted;
the organiser downloads the participant list. In all four languages. A visitor sees the
organisations taking part, never the people."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from matchmaker.events import times
from tests.conftest import body_text
from tests.e2e.conftest import account_menu, assert_accessible, log_in, open_account_menu
from tests.factories import PASSWORD, UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import CSRF_RE, translated

LANGS = ["pl", "en", "da", "nb"]
ZONE = "Europe/Oslo"
TITLES = {
    "pl": "Wizyta studyjna w szpitalach Oslo",
    "en": "Study visit to the hospitals of Oslo",
    "da": "Studiebesøg på Oslos hospitaler",
    "nb": "Studiebesøk ved sykehusene i Oslo",
}
DESCRIPTIONS = {
    "pl": "Dwa dni w szpitalach uniwersyteckich: telemedycyna w praktyce.",
    "en": "Two days at the university hospitals: telemedicine in practice.",
    "da": "To dage på universitetshospitalerne: telemedicin i praksis.",
    "nb": "To dager ved universitetssykehusene: telemedisin i praksis.",
}
MARK = "() => { window.journeyMarker = 'still the same page'; }"
MARKED = "() => window.journeyMarker"


def person(**fields):
    return UserFactory(**fields)


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def tn(lang, singular, plural, num, **variables):
    """A plural message as the catalogue translates it; fails when the catalogue lacks it."""
    from flask_babel import force_locale, get_translations, ngettext

    with force_locale(lang):
        if lang != "en":
            catalog = get_translations()._catalog
            assert catalog.get((singular, 0)), f"{singular!r} is not translated into {lang}"
        return ngettext(singular, plural, num, **variables)


def tnp(lang, context, singular, plural, num, **variables):
    """A plural message with a context (msgctxt) as the catalogue translates it; fails
    when the catalogue lacks it."""
    from flask_babel import force_locale, get_translations, npgettext

    with force_locale(lang):
        if lang != "en":
            catalog = get_translations()._catalog
            key = f"{context}\x04{singular}"
            assert catalog.get((key, 0)), f"{singular!r} ({context}) is not translated into {lang}"
        return npgettext(context, singular, plural, num, **variables)


def seats_left(lang, left, total):
    return tn(
        lang,
        "%(count)s seat left of %(total)s",
        "%(count)s seats left of %(total)s",
        left,
        count=left,
        total=total,
    )


def all_taken(lang):
    return t(lang, "No seats left: new sign-ups join the waiting list.")


def other(lang: str, step: int = 1) -> str:
    return LANGS[(LANGS.index(lang) + step) % len(LANGS)]


def local(moment: datetime) -> str:
    """The value a datetime-local input takes."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def app_config(app_config):
    # The seat counter also polls; slowly here, so that what updates it is the swap.
    return {**app_config, "EVENT_SEATS_POLL_SECONDS": 600}


@pytest.fixture
def cluster(app):
    """A published cluster organisation with Olga as its owner."""
    sync_taxonomy()

    def make(lang: str):
        moderator = person(role="moderator", locale=lang)
        olga = person(email="olga@example.org", name="Olga Organiser", locale=lang)
        org = make_organisation(
            olga,
            name="Wroclaw Health Cluster",
            kind="cluster",
            country="PL",
            region="PL-DS",
            regions_covered=["PL-DS"],
            tags={"category": ["ehealth_telemedicine"]},
        )
        publish("organisation", org, moderator)
        return org, olga

    return make


def create_and_publish(page, lang) -> tuple[str, datetime, datetime]:
    """From the organisation's page through the event form to publishing.

    Returns the manage page's URL and the start and end, wall-clock times in Oslo.
    """
    open_account_menu(page)
    page.get_by_role("link", name=t(lang, "My organisations")).click()
    page.get_by_role("link", name="Wroclaw Health Cluster").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wroclaw Health Cluster")
    assert_accessible(page)
    page.get_by_role("link", name=t(lang, "Create an event")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Create an event"))

    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=40)
    starts = datetime(day.year, day.month, day.day, 9, 0)
    ends = starts + timedelta(hours=31)
    page.get_by_label(t(lang, "Kind of event")).select_option("study_visit")
    page.get_by_label(t(lang, "City"), exact=True).fill("Oslo")
    page.get_by_label(t(lang, "Country"), exact=True).select_option("NO")
    # The cluster is in Poland: the form proposes Warsaw's time zone; the visit is in Oslo.
    expect(page.get_by_label(t(lang, "Time zone of the place"))).to_have_value("Europe/Warsaw")
    page.get_by_label(t(lang, "Time zone of the place")).select_option(ZONE)
    page.get_by_label(t(lang, "Starts"), exact=True).fill(local(starts))
    page.get_by_label(t(lang, "Ends"), exact=True).fill(local(ends))
    deadline = starts - timedelta(days=10)
    page.get_by_label(t(lang, "Registration deadline"), exact=True).fill(local(deadline))
    page.get_by_label(t(lang, "Seats"), exact=True).fill("2")
    page.get_by_label(t(lang, "Keep a waiting list when the seats are taken")).check()
    expect(page.get_by_label(t(lang, "Language you write in first"))).to_have_value(lang)
    column = page.locator(f"section[aria-labelledby='texts-{lang}-heading']")
    column.get_by_label(t(lang, "Title")).fill(TITLES[lang])
    column.get_by_label(t(lang, "Description")).fill(DESCRIPTIONS[lang])
    assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()

    expect(
        page.get_by_text(t(lang, "The event is saved as a draft. Publish it when it is ready."))
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLES[lang])
    page.get_by_role("button", name=t(lang, "Publish the event")).click()
    expect(page.get_by_text(t(lang, "The event is published."))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t(lang, "Published"))
    return page.url, starts, ends


def log_in_quietly(page, base: str, email: str) -> None:
    """Log in with the login form's POST from the page's browser context (its cookies)."""
    request = page.context.request
    login = f"{base}/en/account/login"
    token = CSRF_RE.search(request.get(login).text())
    response = request.post(
        login,
        form={"csrf_token": token.group(1) or token.group(2), "email": email, "password": PASSWORD},
        max_redirects=0,
    )
    assert response.status == 303, response.status  # a wrong password answers 422


def log_in_from_event(page, lang, event_url, email, axe=True) -> None:
    """A visitor on the event page logs in through its link and comes back to the page."""
    page.goto(event_url)
    if axe:
        assert_accessible(page)
    page.get_by_role("link", name=t(lang, "Log in to sign up")).click()
    page.get_by_label(t(lang, "E-mail address")).fill(email)
    page.get_by_label(t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t(lang, "Log in")).last.click()
    expect(page).to_have_url(event_url)
    expect(account_menu(page)).to_be_visible()


def sign_up(page, before: str, after: str, outcome: str) -> None:
    """Press the sign-up button and see the box and the counter change without a reload."""
    box, counter = page.locator("#signup"), page.locator("#seats")
    expect(counter).to_have_text(before)
    page.evaluate(MARK)
    box.get_by_role("button").click()
    state = box.locator(".signup-state")
    expect(state).to_have_text(outcome)
    expect(counter).to_have_text(after)
    assert page.evaluate(MARKED) == "still the same page", "the page was reloaded"
    expect(state).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_a_study_visit_is_created_filled_and_a_freed_seat_goes_to_the_waiting_list(
    lang, live_server, new_page, cluster, smtp_server
):
    cluster(lang)
    # All three browse in the journey's language; only Cyla's account is in it too, and the
    # e-mail telling her of her seat must come in her account's language.
    person(email="ada@example.org", name="Ada Andersen", locale=other(lang, 1))
    person(email="bo@example.org", name="Bo Berg", locale=other(lang, 2))
    person(email="cyla@example.org", name="Cyla Czarnecka", locale=lang)
    organiser = new_page(locale=lang)
    log_in(organiser, live_server, lang, "olga@example.org")
    manage_url, starts, ends = create_and_publish(organiser, lang)
    event_id = int(re.search(r"/my/events/(\d+)$", manage_url).group(1))
    event_url = f"{live_server}/{lang}/events/{event_id}"

    ada, bo, cyla = new_page(locale=lang), new_page(locale=lang), new_page(locale=lang)
    log_in_from_event(ada, lang, event_url, "ada@example.org")
    expect(ada.get_by_role("heading", level=1)).to_have_text(TITLES[lang])
    when = times.when(times.to_utc(starts, ZONE), times.to_utc(ends, ZONE), ZONE, lang)
    expect(ada.locator("dl.facts dd").first).to_have_text(when)  # in Oslo's time
    expect(ada.locator("#signup").get_by_role("button")).to_have_text(t(lang, "Sign up"))
    sign_up(ada, seats_left(lang, 2, 2), seats_left(lang, 1, 2), t(lang, "You're registered."))

    # Bo and Cyla both open the page while one seat is left; Bo is quicker.
    for page, email in ((bo, "bo@example.org"), (cyla, "cyla@example.org")):
        log_in_quietly(page, live_server, email)
        page.goto(event_url)
    sign_up(bo, seats_left(lang, 1, 2), all_taken(lang), t(lang, "You're registered."))
    waiting = t(lang, "You're on the waiting list — position %(position)d.", position=1)
    sign_up(cyla, seats_left(lang, 1, 2), all_taken(lang), waiting)
    expect(cyla.locator("#signup").get_by_role("button")).to_have_text(
        t(lang, "Leave the waiting list")
    )
    # Each has a receipt in their own language: a seat, or a place in the queue.
    [receipt] = smtp_server.wait_for("bo@example.org")
    assert receipt["Content-Language"] == other(lang, 2)
    assert receipt["Subject"] == t(
        other(lang, 2), "You're registered: %(title)s", title=TITLES[lang]
    )
    [receipt] = smtp_server.wait_for("cyla@example.org")
    assert receipt["Subject"] == t(
        lang, "You're on the waiting list: %(title)s", title=TITLES[lang]
    )
    smtp_server.wait_for("ada@example.org")
    smtp_server.clear()

    # Ada cancels in place; her seat goes to Cyla at once.
    ada.evaluate(MARK)
    ada.get_by_role("button", name=t(lang, "Cancel my registration")).click()
    cancelled = ada.locator("#signup .signup-state")
    expect(cancelled).to_have_text(t(lang, "Your registration is cancelled."))
    expect(cancelled).to_be_focused()
    expect(ada.locator("#seats")).to_have_text(all_taken(lang))
    expect(ada.locator("#signup").get_by_role("button")).to_have_text(
        t(lang, "Join the waiting list")
    )
    assert ada.evaluate(MARKED) == "still the same page", "the page was reloaded"
    assert_accessible(ada)

    cyla.reload()
    expect(cyla.locator("#signup .signup-state")).to_have_text(t(lang, "You're registered."))
    expect(cyla.get_by_role("button", name=t(lang, "Cancel my registration"))).to_be_visible()
    assert_accessible(cyla)
    [mail] = smtp_server.wait_for("cyla@example.org")
    assert mail["Content-Language"] == lang
    assert mail["Subject"] == t(lang, "You have a seat: %(title)s", title=TITLES[lang])
    assert f"{live_server}/{lang}/events/{event_id}" in body_text(mail)
    assert smtp_server.to("ada@example.org") == []
    assert smtp_server.to("bo@example.org") == []

    organiser.goto(manage_url)
    expect(organiser.locator("#confirmed tbody tr")).to_have_count(2)
    expect(organiser.locator("#confirmed")).to_contain_text("Bo Berg")
    expect(organiser.locator("#confirmed")).to_contain_text("Cyla Czarnecka")
    expect(organiser.get_by_text(t(lang, "Nobody is waiting."))).to_be_visible()
    assert_accessible(organiser)
    with organiser.expect_download() as info:
        organiser.get_by_role("link", name=t(lang, "Download the participant list (CSV)")).click()
    download = info.value
    assert download.suggested_filename == f"participants-{event_id}.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header[:4] == [
        t(lang, "Participant"),
        t(lang, "Organisation"),
        t(lang, "Country"),
        t(lang, "Status"),
    ]
    statuses = {row[0]: row[3] for row in rows}
    assert statuses == {
        "Bo Berg": t(lang, "Confirmed"),
        "Cyla Czarnecka": t(lang, "Confirmed"),
        "Ada Andersen": t(lang, "Cancelled"),
    }
    confirmed = [row[0] for row in rows if row[3] == t(lang, "Confirmed")]
    assert confirmed == ["Bo Berg", "Cyla Czarnecka"]


def telemedicine_day(org, olga, lang: str = "en", capacity: int = 2, title="Telemedicine day"):
    """A published conference in a month, written in `lang`, with `capacity` seats (made
    through the services)."""
    from matchmaker.accounts.models import utcnow
    from matchmaker.events import services

    start = utcnow() + timedelta(days=30)
    event = services.create_event(
        olga,
        org,
        services.EventInput(
            kind="conference",
            original_language=lang,
            city="Oslo",
            country="NO",
            timezone=ZONE,
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            registration_deadline=start - timedelta(days=3),
            capacity=capacity,
            texts={lang: {"title": title, "description": "Talks and demos."}},
        ),
    )
    services.publish_event(event)
    return event


def test_without_javascript_the_plain_form_signs_up(live_server, new_page, cluster):
    event = telemedicine_day(*cluster("en"))
    person(email="nils@example.org", name="Nils Nojs", locale="nb")

    page = new_page(java_script_enabled=False)
    event_url = f"{live_server}/en/events/{event.id}"
    log_in_from_event(page, "en", event_url, "nils@example.org", axe=False)
    expect(page.locator("#seats")).to_have_text(seats_left("en", 2, 2))
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.locator("#signup").get_by_role("button", name=t("en", "Sign up")).click()
    assert posted.value.url == f"{live_server}/en/events/{event.id}/sign-up"
    assert posted.value.response().status == 303  # a plain form: redirected back to the page
    expect(page).to_have_url(event_url)
    expect(page.locator("#flash-messages")).to_have_text(t("en", "You're registered."))
    expect(page.locator("#signup .signup-state")).to_have_text(t("en", "You're registered."))
    expect(page.locator("#seats")).to_have_text(seats_left("en", 1, 2))


@pytest.mark.parametrize("lang", LANGS)
def test_a_visitor_sees_the_organisations_taking_part_and_no_person(
    lang, live_server, new_page, cluster
):
    from matchmaker.events import seats

    event = telemedicine_day(*cluster(lang))
    moderator = person(role="moderator")
    ingrid = person(email="ingrid@example.org", name="Ingrid Iversen")
    per = person(email="per@example.org", name="Per Pettersen")
    hospital = make_organisation(ingrid, name="Bergen Heart Lab", kind="hospital")
    publish("organisation", hospital, moderator)
    draft = make_organisation(per, name="Stealth Sensors")  # never published: only counted
    seats.sign_up(event.id, ingrid.id, organisation_id=hospital.id)
    seats.sign_up(event.id, per.id, organisation_id=draft.id)

    # The visitor is not logged in and reads the page in the journey's language.
    page = new_page(locale=lang)
    page.goto(f"{live_server}/{lang}/events/{event.id}")
    taking_part = page.get_by_role("region", name=t(lang, "Organisations taking part"))
    expect(taking_part.get_by_role("heading", level=2)).to_have_text(
        t(lang, "Organisations taking part")
    )
    organisations = tnp(
        lang, "participants from", "%(count)s organisation", "%(count)s organisations", 2, count=2
    )
    count_line = tn(
        lang,
        "%(count)s participant from %(organisations)s",
        "%(count)s participants from %(organisations)s",
        2,
        count=2,
        organisations=organisations,
    )
    unnamed = tn(
        lang,
        "and %(count)s other organisation",
        "and %(count)s other organisations",
        1,
        count=1,
    )
    expect(taking_part.locator("p")).to_have_text([count_line, unnamed])
    expect(taking_part.get_by_role("listitem")).to_have_text(["Bergen Heart Lab"])
    expect(taking_part.get_by_role("link")).to_have_text(["Bergen Heart Lab"])
    for hidden in ("Stealth Sensors", "Ingrid Iversen", "Per Pettersen", "ingrid@example.org"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    assert_accessible(page)
    taking_part.get_by_role("link", name="Bergen Heart Lab").click()
    expect(page).to_have_url(f"{live_server}/{lang}/organisations/{hospital.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bergen Heart Lab")
    assert_accessible(page)
