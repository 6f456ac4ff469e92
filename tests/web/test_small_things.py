"""Issue 17, small things and language details: British dates and numbers on English pages
(and in English e-mails), one date style per page, the register sorted by relevance while
searching, the events' month filter, notifications as whole sentences in four languages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import flask_babel
import pytest
from flask_babel import format_decimal, gettext

from matchmaker.events import services as events
from matchmaker.events.services import EventInput
from matchmaker.extensions import db
from matchmaker.i18n import current_language, date_text, in_language, moment_text
from matchmaker.mail import build_message
from matchmaker.notifications.services import notify
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import log_in

OSLO = ZoneInfo("Europe/Oslo")
LANGS = ("pl", "en", "da", "nb")


def at_oslo(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), OSLO).astimezone(UTC)


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(email="mod@example.org", role="moderator")
    olga = UserFactory(email="olga@example.org", name="Olga Host")
    host = make_organisation(olga, name="Oslo Living Lab", kind="cluster")
    publish("organisation", host, moderator)
    return {"moderator": moderator, "olga": olga, "host": host}


def make_event(world, day: date, title: str = "Visit to Alma House"):
    """A published study visit in Oslo on `day`, 09:00 to 16:00 at the place."""
    event = events.create_event(
        world["olga"],
        world["host"],
        EventInput(
            kind="study_visit",
            original_language="en",
            city="Oslo",
            country="NO",
            timezone="Europe/Oslo",
            starts_at=at_oslo(day, 9),
            ends_at=at_oslo(day, 16),
            registration_deadline=at_oslo(day, 8),
            capacity=10,
            languages=["en"],
            texts={"en": {"title": title, "description": "A living lab.", "programme": ""}},
        ),
    )
    events.publish_event(event)
    return event


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def words(html: str) -> str:
    """The page's text, tags dropped and white space single."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- 1. English pages in British formats ----------------------------------------------------


def test_an_english_event_page_shows_british_dates_and_24_hour_times(client, world):
    event = make_event(world, date(2030, 3, 13))  # a Wednesday
    text = words(page(client, f"/en/events/{event.id}"))
    assert "Wednesday, 13 March 2030, 09:00–16:00 (Norway Time)" in text  # noqa: RUF001
    assert "13 March 2030, 08:00 (Norway Time)" in text  # the registration deadline
    assert not re.search(r"\d\s?[AP]M\b", text)


def test_english_numbers_keep_their_grouping_and_words_their_catalogue(app):
    with app.test_request_context("/en/"):
        assert current_language() == "en"  # not "en_GB": URLs, catalogues and lang="" use it
        assert format_decimal(1234567.5) == "1,234,567.5"
        assert gettext("Sort by") == "Sort by"


def test_an_english_e_mail_sent_from_a_polish_page_dates_as_in_britain(app, world):
    event = make_event(world, date(2030, 3, 13))
    with app.test_request_context("/pl/"):
        message = build_message(
            "anna@example.org",
            "event_cancelled",
            "en",
            user=world["olga"],
            title="Visit to Alma House",
            event=event,
            note="",
            link="https://example.org/",
        )
    body = message.get_body(("plain",)).get_content()
    assert "(Wednesday, 13 March 2030, 09:00–16:00 (Norway Time))" in " ".join(body.split())  # noqa: RUF001


def test_the_calendar_of_an_english_page_links_to_the_english_page(client, world):
    event = make_event(world, date(2030, 3, 13))
    feed = page(client, f"/en/events/{event.id}/calendar.ics")
    assert f"/en/events/{event.id}" in "".join(feed.split("\r\n "))  # folded lines joined


# --- 5. one date style ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("en", "7 December 2026", "7 December 2026, 14:30"),
        ("pl", "7 grudnia 2026", "7 grudnia 2026 14:30"),
        ("da", "7. december 2026", "7. december 2026 14.30"),
        ("nb", "7. desember 2026", "7. desember 2026, 14:30"),
    ],
)
def test_days_and_moments_have_one_style_in_each_language(app, lang, day, moment):
    value = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)  # 14:30 in every language's zone
    assert date_text(value, lang) == day
    assert moment_text(value, lang) == moment
    with app.test_request_context(f"/{lang}/"), in_language(lang):
        assert moment_text(value) == moment  # the page's language (and time zone)


def test_a_date_on_a_page_is_machine_readable_and_in_the_pages_style(client, world):
    log_in(client, "olga@example.org")
    html = page(client, "/en/account/settings")
    created = world["olga"].created_at
    shown = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert shown, "no <time> on the settings page"
    assert shown.group(1) == created.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%MZ")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", shown.group(2))


# --- 2. relevance while searching -----------------------------------------------------------


@pytest.fixture
def register(world):
    """Three published projects; one says "telemedicine" in its title."""
    moderator, host = world["moderator"], world["host"]
    for title, description in (
        ("Alpha beds", "Hospital beds."),
        ("Zeta telemedicine", "Video visits for islands."),
        ("Beta monitors", "Home care with telemedicine now and then."),
    ):
        project = make_project(
            host,
            texts={"en": {"title": title, "summary": "Short.", "description": description}},
            tags={"category": ["medical_devices"], "seeks": ["pilot_site"]},
        )
        publish("project", project, moderator)


def sort_control(html: str) -> dict[str, str]:
    """The sort control's options: label → value, and "selected" → the selected label."""
    select = re.search(r'<select id="register-sort" name="sort">(.*?)</select>', html, re.S)
    assert select, "no sort control"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>', select.group(1))
    found = {label: value for value, _selected, label in options}
    found["selected"] = next(label for _value, selected, label in options if selected)
    return found


def titles(html: str) -> list[str]:
    return re.findall(r"<h3[^>]*>\s*<a [^>]*>([^<]+)</a>", html)


def test_a_search_sorts_by_relevance_and_the_control_says_so(client, register):
    shown = sort_control(page(client, "/en/projects", query_string={"q": "telemedicine"}))
    assert shown["selected"] == "Relevance"
    assert shown["Relevance"] == ""  # the automatic order: sent empty, decided again


def test_the_form_sent_as_it_was_shown_sorts_new_words_by_relevance(client, register):
    """The list opened without words (newest first), then words typed: the form sends
    the sort as it was shown, which must not count as a choice of "newest"."""
    before = sort_control(page(client, "/en/projects"))
    assert before["selected"] == "Newest" and before["Newest"] == ""
    args = {"q": "telemedicine", "sort": before["Newest"]}
    html = page(client, "/en/projects", query_string=args)
    assert sort_control(html)["selected"] == "Relevance"
    assert titles(html) == ["Zeta telemedicine", "Beta monitors"]


def test_clearing_the_words_goes_back_to_newest(client, register):
    searched = sort_control(page(client, "/en/projects", query_string={"q": "telemedicine"}))
    html = page(client, "/en/projects", query_string={"q": "", "sort": searched["Relevance"]})
    assert sort_control(html)["selected"] == "Newest"
    assert titles(html) == ["Beta monitors", "Zeta telemedicine", "Alpha beds"]


def test_an_order_chosen_is_kept_while_searching(client, register):
    html = page(client, "/en/projects", query_string={"q": "telemedicine", "sort": "name"})
    assert sort_control(html)["selected"] == "Name"
    assert titles(html) == ["Beta monitors", "Zeta telemedicine"]


def test_an_htmx_answer_brings_the_sort_control_out_of_band(client, register):
    html = page(
        client,
        "/en/projects",
        query_string={"q": "telemedicine", "sort": ""},
        headers={"HX-Request": "true"},
    )
    assert '<div class="field" id="register-sort-field" hx-swap-oob="true">' in html
    assert sort_control(html)["selected"] == "Relevance"


# --- 4. the month filter ------------------------------------------------------------------


def test_the_month_filter_is_a_select_like_the_other_filters(client, world):
    make_event(world, date(2030, 3, 13))
    make_event(world, date(2030, 5, 2), title="Spring fair")
    html = page(client, "/en/events/")
    assert re.search(r"<fieldset>\s*<legend>Narrow the list</legend>", html)
    assert 'type="month"' not in html
    select = re.search(r'<select id="filter-month" name="month">(.*?)</select>', html, re.S)
    assert select, "no month select"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', select.group(1))
    assert options == [("", "Any month"), ("2030-03", "March 2030"), ("2030-05", "May 2030")]
    assert "<noscript><button" in html  # without JavaScript: the button sends the form


def test_a_month_chosen_stays_selected_and_filters(client, world):
    make_event(world, date(2030, 3, 13))
    make_event(world, date(2030, 5, 2), title="Spring fair")
    html = page(client, "/en/events/", query_string={"month": "2030-05"})
    assert '<option value="2030-05" selected>May 2030</option>' in html
    assert "Spring fair" in html and "Visit to Alma House" not in html
    html = page(client, "/pl/events/", query_string={"month": "2031-01"})  # no events then
    assert '<option value="2031-01" selected>styczeń 2031</option>' in html


# --- 6. notifications as sentences ---------------------------------------------------------

SENTENCES = {
    "en": [
        "Your organisation “Region Hovedstaden” has been approved and is now public.",
        "Your project “Home dialysis” has been returned to you for changes.",
        "Your event “Study visit” has not been accepted.",
        "The new project “Ward robot” matches your saved search.",
        "The event “Study visit” has been cancelled.",
    ],
    "pl": [
        "Twoja organizacja „Region Hovedstaden” została zatwierdzona i jest teraz publicznie"
        " dostępna.",
        "Twój projekt „Home dialysis” został zwrócony Ci do poprawy.",
        "Twoje wydarzenie „Study visit” nie zostało zaakceptowane.",
        "Nowy projekt „Ward robot” pasuje do Twojego zapisanego wyszukiwania.",
        "Wydarzenie „Study visit” zostało anulowane.",
    ],
    "da": [
        "Din organisation “Region Hovedstaden” er godkendt og kan nu ses offentligt.",
        "Dit projekt “Home dialysis” er sendt retur til dig til ændring.",
        "Dit arrangement “Study visit” er ikke godkendt.",
        "Det nye projekt “Ward robot” matcher din gemte søgning.",
        "Arrangementet “Study visit” er aflyst.",
    ],
    "nb": [
        "Organisasjonen din «Region Hovedstaden» er godkjent og er nå offentlig.",
        "Prosjektet ditt «Home dialysis» er sendt tilbake til deg for endringer.",
        "Arrangementet ditt «Study visit» er ikke godkjent.",
        "Det nye prosjektet «Ward robot» passer til det lagrede søket ditt.",
        "Arrangementet «Study visit» er avlyst.",
    ],
}


@pytest.mark.parametrize("lang", LANGS)
def test_notifications_say_what_the_quoted_name_is(app, client, lang):
    reader = UserFactory(email="reader@example.org", locale=lang)
    for kind, data in (
        ("moderation_decision", {"item_type": "organisation", "decision": "approved"}),
        ("moderation_decision", {"item_type": "project", "decision": "returned"}),
        ("moderation_decision", {"item_type": "event", "decision": "rejected"}),
        ("saved_search_match", {"item_type": "project"}),
        ("event_cancelled", {}),
    ):
        label = {
            "organisation": "Region Hovedstaden",
            "project": "Home dialysis" if kind == "moderation_decision" else "Ward robot",
            "event": "Study visit",
        }.get(data.get("item_type"), "Study visit")
        notify(reader, kind, {**data, "label": label, "title": label})
    db.session.commit()
    log_in(client, "reader@example.org", lang=lang)
    text = words(page(client, f"/{lang}/notifications/"))
    for sentence in SENTENCES[lang]:
        assert sentence in text


def test_a_notification_is_dated_in_the_one_style(app, client):
    reader = UserFactory(email="reader@example.org", locale="en")
    notify(reader, "event_cancelled", {"title": "Study visit"})
    db.session.commit()
    log_in(client, "reader@example.org")
    html = page(client, "/en/notifications/")
    shown = re.search(r'<time datetime="[^"]+">([^<]+)</time>', html)
    assert shown and re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}", shown.group(1))


def test_a_message_in_english_from_a_polish_page_is_british_too(app):
    with app.test_request_context("/pl/"), in_language("en"):
        assert flask_babel.format_date(date(2026, 12, 7), "long") == "7 December 2026"
        assert current_language() == "en"
