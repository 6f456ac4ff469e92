"""A new member's first steps in a real browser, in all four languages: the first sign-in
lands on the steps, an organisation is created with tags suggested from its description,
its members see who would match before submitting, and after submitting what happens next.
Then the same without JavaScript."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]
DESCRIPTIONS = {
    "pl": "Rozwijamy telemedycynę dla pacjentów kardiologicznych.",
    "en": "We develop telemedicine for heart patients.",
    "da": "Vi udvikler telemedicin til hjertepatienter.",
    "nb": "Vi utvikler telemedisin for hjertepasienter.",
}
HOSPITAL = "Aarhus Test Hospital"


def t(lang, message, **variables):
    return translated(lang, message, **variables)


@pytest.fixture
def register(app):
    """A published hospital that offers clinical validation; a member who just confirmed."""

    def build(lang: str) -> str:
        sync_taxonomy()
        moderator = UserFactory(role="moderator")
        hospital = make_organisation(
            UserFactory(), name=HOSPITAL, kind="hospital", country="DK", region="DK-82",
            tags={"capability": ["clinical_validation"], "need": ["remote_monitoring"]},
        )  # fmt: skip
        publish("organisation", hospital, moderator)
        return UserFactory(email=f"new-{lang}@example.org", name="Nina New", locale=lang).email

    return build


def steps_left(lang: str, number: int) -> str:
    with force_locale(lang):
        return ngettext(
            "Finish setting up: %(num)d step left", "Finish setting up: %(num)d steps left", number
        )


def step(page, lang: str, label: str):
    return page.locator(".onboarding-step").filter(
        has=page.get_by_role("heading", name=t(lang, label))
    )


def create_organisation(page, lang: str, name: str, javascript: bool) -> None:
    page.get_by_label(t(lang, "Name of the organisation")).fill(name)
    page.get_by_label(t(lang, "Kind of organisation")).select_option("sme")
    page.get_by_label(t(lang, "Country"), exact=True).select_option("PL")
    page.get_by_label(t(lang, "Language you write in first")).select_option(lang)
    page.locator(f"#texts_{lang}-description").fill(DESCRIPTIONS[lang])
    page.locator("#needs input[value='clinical_validation']").check()
    if javascript:  # the description suggests tags (HTMX); a click ticks one
        suggestion = page.locator("#tag-suggestions label[for='categories-0']")
        expect(suggestion).to_be_visible()
        assert_accessible(page)
        suggestion.click()
        expect(page.locator("#categories input[value='ehealth_telemedicine']")).to_be_checked()
    else:
        page.locator("#categories input[value='ehealth_telemedicine']").check()
    page.get_by_role("button", name=t(lang, "Save")).click()


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_member_goes_from_first_sign_in_to_a_submitted_organisation(
    lang, live_server, new_page, register
):
    email = register(lang)
    page = new_page()
    log_in(page, live_server, lang, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Welcome to Matchmaker"))
    first = step(page, lang, "Join or create your organisation")
    expect(first).to_have_attribute("aria-current", "step")
    assert_accessible(page)

    first.get_by_role("link", name=t(lang, "Create an organisation")).click()
    create_organisation(page, lang, f"Heart Telecare {lang.upper()}", javascript=True)
    preview = page.locator("section.match-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text(
        t(lang, "Who would match once published")
    )
    expect(preview.get_by_role("link", name=HOSPITAL)).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server}/{lang}/welcome")
    expect(step(page, lang, "See who would match")).to_have_attribute("aria-current", "step")
    expect(page.locator(".onboarding-step.done")).to_have_count(2)
    assert_accessible(page)

    page.goto(f"{live_server}/{lang}/")
    page.get_by_role("link", name=steps_left(lang, 2)).click()
    step(page, lang, "Submit it for review").get_by_role("link").click()
    page.get_by_role("button", name=t(lang, "Submit for review")).click()
    expect(page.get_by_text(t(lang, "Moderators review profiles in the order they arrive."))
           ).to_be_visible()  # fmt: skip
    assert_accessible(page)
    page.goto(f"{live_server}/{lang}/welcome")
    expect(page.locator(".onboarding-step.done")).to_have_count(4)


def test_the_first_steps_work_without_javascript(live_server, new_page, register):
    email = register("en")
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, "en", email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Matchmaker")
    page.get_by_role("link", name="Create an organisation").click()
    create_organisation(page, "en", "Heart Telecare", javascript=False)
    expect(page.locator("section.match-preview").get_by_role("link", name=HOSPITAL)).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("A moderator checks that the profile is complete")).to_be_visible()
