"""Sign-up questions written per language, in a real browser: the organiser writes them in
the event's original language and translates them in another language's column (behind a
disclosure), a participant gets them in their language (else English, else the original),
answers and signs up, and the organiser reads the answers in theirs. A translation that
does not follow the original is refused in the organiser's language. In all four
languages, and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.e2e.test_event_journeys import other, person, t, telemedicine_day
from tests.factories import make_organisation, publish, sync_taxonomy

LANGS = ["pl", "en", "da", "nb"]
OLGA, PER = "olga@example.org", "per@example.org"
PER_NAME = "Per Participant"
# In each language: a question answered in words, a question with choices, its choices.
QUESTIONS = {
    "pl": ("Dieta", "Obiad", ("Mięso", "Ryba", "Wegetariański")),
    "en": ("Dietary needs", "Lunch", ("Meat", "Fish", "Vegetarian")),
    "da": ("Kostbehov", "Frokost", ("Kød", "Fisk", "Vegetarisk")),
    "nb": ("Kosthensyn", "Lunsj", ("Kjøtt", "Fisk", "Vegetarmat")),
}
TYPED = "Nut allergy"  # the participant's answer in words, shown as typed
CHOSEN = 2  # the participant's choice: the vegetarian lunch
# Each language's name as the organiser reads it in the same language (the mismatch message).
OWN_NAMES = {"pl": "polski", "en": "English", "da": "dansk", "nb": "norsk bokmål"}
MISMATCH = (
    "Ask the same questions as in %(language)s, in the same order and with the same "
    "number of choices."
)


def written(lang: str, choices: int = 3) -> str:
    """The questions as the organiser types them in `lang`'s column, one per line."""
    free, choice, options = QUESTIONS[lang]
    return f"{free}\n{choice} | " + " | ".join(options[:choices])


def shown_in(reader: str, written_in: set[str], original: str) -> str:
    """The language a reader gets the questions in: theirs, else English, else the original."""
    if reader in written_in:
        return reader
    return "en" if "en" in written_in else original


@pytest.fixture
def event_in(app):
    """A published conference of Olga's published organisation, written in `lang` only,
    with no questions yet."""
    sync_taxonomy()

    def make(lang: str):
        olga = person(email=OLGA, name="Olga Organiser", locale=lang)
        org = make_organisation(olga, name="Wroclaw Health Cluster", kind="cluster")
        publish("organisation", org, person(role="moderator"))
        return telemedicine_day(org, olga, lang, capacity=5, title=f"Telemedicine day {lang}")

    return make


def question_box(page, lang: str, code: str):
    """The questions' text box in `code`'s column of the edit form, labelled in `lang`."""
    column = page.locator(f"section[aria-labelledby='questions-{code}-heading']")
    return column.get_by_label(t(lang, "Sign-up questions (optional)"))


def write_questions(page, base, lang, event_id, texts: dict[str, str], axe=True) -> None:
    """From the event's manage page to its edit form: the original's column is open, the
    others (languages the event has no title in) open with the disclosure; then save."""
    page.goto(f"{base}/{lang}/my/events/{event_id}")
    page.get_by_role("link", name=t(lang, "Edit"), exact=True).click()
    heading = page.locator(f"#questions-{lang}-heading")
    expect(heading).to_contain_text(t(lang, "Written first"))
    for code, text in texts.items():
        box = question_box(page, lang, code)
        if code != lang:
            expect(box).to_be_hidden()
            page.get_by_text(t(lang, "Questions in other languages"), exact=True).click()
        box.fill(text)
    if axe:
        assert_accessible(page)
    page.get_by_role("button", name=t(lang, "Save"), exact=True).click()


def expect_questions(page, reader: str, shown: str) -> None:
    """The sign-up form on a page in `reader` asks the questions in `shown`."""
    free, choice, options = QUESTIONS[shown]
    labels = page.locator("#signup label[for^='answer-']")
    expect(labels).to_have_text([free, choice])
    expect(labels.first).to_have_attribute("lang", shown)
    expect(labels.last).to_have_attribute("lang", shown)
    select = page.locator("#signup").get_by_label(choice, exact=True)
    expect(select.locator("option")).to_have_text([t(reader, "Choose…"), *options])


def answer_and_sign_up(page, reader: str, shown: str) -> None:
    free, choice, options = QUESTIONS[shown]
    signup = page.locator("#signup")
    signup.get_by_label(free, exact=True).fill(TYPED)
    signup.get_by_label(choice, exact=True).select_option(label=options[CHOSEN])
    signup.get_by_role("button", name=t(reader, "Sign up")).click()
    expect(signup.locator(".signup-state")).to_have_text(t(reader, "You're registered."))


def expect_answers(page, base: str, lang: str, event_id: int) -> None:
    """The organiser's table of participants shows Per's answers in the organiser's words."""
    page.goto(f"{base}/{lang}/my/events/{event_id}")
    confirmed = page.locator("#confirmed")
    expect(confirmed.locator("thead th").nth(3)).to_have_text(t(lang, "Answers"))
    row = confirmed.locator("tbody tr").filter(has_text=PER_NAME)
    free, choice, options = QUESTIONS[lang]
    expect(row.locator("dl.answers dt")).to_have_text([free, choice])
    expect(row.locator("dl.answers dd")).to_have_text([TYPED, options[CHOSEN]])


@pytest.mark.parametrize("lang", LANGS)
def test_questions_translated_by_the_organiser_are_asked_and_answered_in_the_readers_language(
    lang, live_server, new_page, event_in
):
    event = event_in(lang)
    translation, third = other(lang), other(lang, 2)
    person(email=PER, name=PER_NAME, locale=translation)
    olga = new_page(locale=lang)
    log_in(olga, live_server, lang, OLGA)
    write_questions(
        olga, live_server, lang, event.id, {lang: written(lang), translation: written(translation)}
    )
    expect(olga.locator("#flash-messages")).to_have_text(t(lang, "Your changes are saved."))
    assert_accessible(olga)

    per = new_page(locale=translation)
    log_in(per, live_server, translation, PER)
    # In a language the questions are not written in: English, else the original.
    per.goto(f"{live_server}/{third}/events/{event.id}")
    expect_questions(per, third, shown_in(third, {lang, translation}, lang))
    per.goto(f"{live_server}/{translation}/events/{event.id}")
    expect_questions(per, translation, translation)
    assert_accessible(per)
    answer_and_sign_up(per, translation, translation)
    assert_accessible(per)

    expect_answers(olga, live_server, lang, event.id)
    assert_accessible(olga)


@pytest.mark.parametrize("lang", LANGS)
def test_a_translation_with_fewer_choices_is_refused_in_the_organisers_language(
    lang, live_server, new_page, event_in
):
    event = event_in(lang)
    translation = other(lang)
    olga = new_page(locale=lang)
    log_in(olga, live_server, lang, OLGA)
    short = written(translation, choices=2)
    write_questions(olga, live_server, lang, event.id, {lang: written(lang), translation: short})

    expect(olga.locator(".form-summary")).to_have_text(t(lang, "Please correct the marked fields."))
    box = question_box(olga, lang, translation)
    expect(box).to_be_visible()  # the disclosure is open on the error
    expect(box).to_have_value(short)
    expect(box).to_have_attribute("aria-invalid", "true")
    error = t(lang, MISMATCH, language=OWN_NAMES[lang])
    expect(olga.locator(f"#questions_{translation}-error")).to_have_text(error)
    expect(box).to_have_accessible_description(re.compile(f"{re.escape(error)}$"))
    assert_accessible(olga)

    olga.goto(f"{live_server}/{lang}/my/events/{event.id}/edit")
    expect(question_box(olga, lang, lang)).to_have_value("")
    expect(question_box(olga, lang, translation)).to_have_value("")


def test_without_javascript_questions_are_saved_and_answered(live_server, new_page, event_in):
    lang = "da"
    event = event_in(lang)
    translation = other(lang)
    person(email=PER, name=PER_NAME, locale=translation)
    olga = new_page(locale=lang, java_script_enabled=False)
    log_in(olga, live_server, lang, OLGA)
    texts = {lang: written(lang), translation: written(translation)}
    write_questions(olga, live_server, lang, event.id, texts, axe=False)
    expect(olga.locator("#flash-messages")).to_have_text(t(lang, "Your changes are saved."))

    per = new_page(locale=translation, java_script_enabled=False)
    log_in(per, live_server, translation, PER)
    per.goto(f"{live_server}/{translation}/events/{event.id}")
    expect_questions(per, translation, translation)
    answer_and_sign_up(per, translation, translation)
    expect(per.locator("#flash-messages")).to_have_text(t(translation, "You're registered."))

    expect_answers(olga, live_server, lang, event.id)
