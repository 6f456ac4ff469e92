"""Match lists in a real browser (issue 16): narrowing a list with the filters, with and
without JavaScript, the points behind a score, opened with the keyboard, and the
"Why isn't … here?" box below the list."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, get_translations, ngettext
from playwright.sync_api import expect
from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.extensions import db
from matchmaker.geo import country_name
from tests.e2e.conftest import assert_accessible
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import translated

LANGS = ["pl", "en", "da", "nb"]
HOSPITAL = "Wrocław Clinical Hospital"
UNIVERSITY = "Silesian University"
DANISH_SME = "Odense Validation ApS"
FUND = "Nordic Health Fund"
EVERYONE = {HOSPITAL, UNIVERSITY, DANISH_SME}
# A reason's points as the breakdown shows them: signed (a true minus sign), one decimal.
POINTS = {
    "en": re.compile(r"^[+\u2212]\d+\.\d$"),
    "pl": re.compile(r"^[+\u2212]\d+,\d$"),
    "da": re.compile(r"^[+\u2212]\d+,\d$"),
    "nb": re.compile(r"^[+\u2212]\d+,\d$"),
}


def t(lang, message, **variables):
    return translated(lang, message, **variables)


def partners_count(lang: str, count: int) -> str:
    """The list's count as the panel words it, in `lang`; fails when untranslated."""
    singular, plural = "%(count)s matching partner", "%(count)s matching partners"
    with force_locale(lang):
        if lang != "en":
            assert get_translations()._catalog.get((singular, 0)), f"no {lang} plural"
        return ngettext(singular, plural, count, count=count)


@pytest.fixture
def crowd(app):
    """A Polish start-up's project, written in Polish, that needs clinical validation and
    offers remote monitoring, and three partners that offer what it needs: a hospital and
    a university in Poland, and an SME in Denmark that works in Danish only (no language
    in common, and no English to bridge it: a reason against it) and needs what the
    project offers."""
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    member = UserFactory()  # one account registers them all: hashing passwords is slow
    startup = make_organisation(
        member, name="Heart Start-up", kind="startup", country="PL", region="PL-DS",
        working_languages=["pl"],
    )  # fmt: skip
    publish("organisation", startup, moderator)
    project = make_project(
        startup,
        original_language="pl",
        texts={
            "pl": {
                "title": "Telemonitoring niewydolności serca",
                "summary": "Czujniki i panel dla pielęgniarek.",
                "description": "Pilotaż z dwoma szpitalami.",
            }
        },
        tags={
            "need": ["clinical_validation"],
            "category": ["ehealth_telemedicine"],
            "seeks": ["pilot_site"],
            "capability": ["remote_monitoring"],  # what the project offers
        },
    )
    publish("project", project, moderator)
    for name, fields in {
        HOSPITAL: {"kind": "hospital", "country": "PL", "region": "PL-DS",
                   "working_languages": ["pl", "en"],
                   "tags": {"capability": ["clinical_validation", "test_bed"]}},
        UNIVERSITY: {"kind": "university", "country": "PL", "region": "PL-SL",
                     "working_languages": ["pl"],
                     "tags": {"capability": ["clinical_validation"]}},
        DANISH_SME: {"kind": "sme", "country": "DK", "region": "DK-83",
                     "working_languages": ["da"],
                     "tags": {"capability": ["clinical_validation"],
                              "need": ["remote_monitoring"]}},
    }.items():  # fmt: skip
        publish("organisation", make_organisation(member, name=name, **fields), moderator)
    return project


def names_in(page) -> list[str]:
    return page.locator("#matches .match-name a").all_inner_texts()


def filter_form(page, lang):
    return page.get_by_role("group", name=t(lang, "Narrow the list"))


def choose_country(page, lang, code):
    """Choose a country by its name as the list shows it, and apply."""
    form = filter_form(page, lang)
    form.get_by_label(t(lang, "Country"), exact=True).select_option(label=country_name(code, lang))
    form.get_by_role("button", name=t(lang, "Apply filters")).click()


@pytest.mark.parametrize("lang", LANGS)
def test_a_visitor_narrows_the_partners_to_one_country_and_clears(
    lang, live_server, new_page, crowd
):
    page = new_page()
    url = f"{live_server}/{lang}/projects/{crowd.id}/matches/partners"
    page.goto(url)
    count = page.locator("#matches p.result-count")
    expect(count).to_have_text(partners_count(lang, 3))
    assert set(names_in(page)) == EVERYONE
    form = filter_form(page, lang)
    for label in ("Kind", "Country", "Working language"):
        select = form.get_by_label(t(lang, label), exact=True)
        expect(select.locator("option").first).to_have_text(t(lang, "Any"))
    expect(page.get_by_role("link", name=t(lang, "Clear filters"))).to_have_count(0)

    page.evaluate("window.sameDocument = true")
    choose_country(page, lang, "DK")
    # HTMX swapped the list in place (no new page) and put the filtered address in the
    # history.
    expect(page).to_have_url(re.compile(r"[?&]country=DK(&|$)"))
    expect(count).to_have_text(partners_count(lang, 1))
    expect(count).to_be_focused()
    assert names_in(page) == [DANISH_SME]
    assert page.evaluate("window.sameDocument === true")
    expect(filter_form(page, lang).get_by_label(t(lang, "Country"), exact=True)).to_have_value("DK")
    # The Danish SME shares no language with the start-up: a reason against it keeps
    # its label at "possible", whatever the score.
    expect(page.locator("#matches .match-score strong")).to_have_text(t(lang, "Possible match"))
    assert_accessible(page)

    page.get_by_role("link", name=t(lang, "Clear filters")).click()
    expect(count).to_have_text(partners_count(lang, 3))
    expect(count).to_be_focused()
    expect(page).to_have_url(url)
    assert set(names_in(page)) == EVERYONE
    expect(filter_form(page, lang).get_by_label(t(lang, "Country"), exact=True)).to_have_value("")
    assert_accessible(page)


@pytest.mark.parametrize("lang", LANGS)
def test_the_points_behind_a_score_open_with_the_keyboard(lang, live_server, new_page, crowd):
    page = new_page()
    page.goto(f"{live_server}/{lang}/projects/{crowd.id}/matches/partners")
    first = page.locator("#matches .match").first
    points = first.locator("details.score-points")
    table = points.locator("table")
    expect(table).to_be_hidden()

    # From the match's name, the next stop is the disclosure; Enter opens it.
    first.locator(".match-name a").focus()
    page.keyboard.press("Tab")
    summary = points.locator("summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(t(lang, "Show the points"))
    page.keyboard.press("Enter")
    expect(points).to_have_attribute("open", "")
    expect(table).to_be_visible()

    # One row per reason, its points signed and in the locale's number format.
    reasons = first.locator("ul.reasons > li").all_inner_texts()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(reasons))
    assert [text.strip() for text in rows.locator("td:first-child").all_inner_texts()] == [
        text.strip() for text in reasons
    ]
    shown = rows.locator("td.number").all_inner_texts()
    assert shown and all(POINTS[lang].match(text.strip()) for text in shown), shown
    # The footer gives the score the match shows.
    footer = table.locator("tfoot tr")
    expect(footer.locator("th")).to_have_text(t(lang, "Score: the sum, rounded, between 0 and 100"))
    score = footer.locator("td").inner_text().strip()
    expect(first.locator(".match-score")).to_contain_text(
        t(lang, "Score %(score)s of 100", score=score)
    )
    assert_accessible(page)

    # The Danish SME's breakdown shows the reason against it with a true minus sign.
    danish = page.locator("#matches .match").filter(has_text=DANISH_SME)
    danish.locator("details.score-points summary").click()
    against = danish.locator("details.score-points tbody td.number").filter(has_text="\u2212")
    expect(against).to_have_count(1)
    assert POINTS[lang].match(against.inner_text().strip())
    assert "-" not in "".join(danish.locator("td.number").all_inner_texts())


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_filters_are_a_plain_form(lang, live_server, new_page, crowd):
    page = new_page(java_script_enabled=False)
    url = f"{live_server}/{lang}/projects/{crowd.id}/matches/partners"
    page.goto(url)
    assert set(names_in(page)) == EVERYONE

    choose_country(page, lang, "PL")
    expect(page).to_have_url(re.compile(r"/matches/partners\?(.*&)?country=PL(&|$)"))
    expect(page.locator("#matches p.result-count")).to_have_text(partners_count(lang, 2))
    assert set(names_in(page)) == {HOSPITAL, UNIVERSITY}
    expect(filter_form(page, lang).get_by_label(t(lang, "Country"), exact=True)).to_have_value("PL")

    # A second filter narrows further; nothing left says so and offers the way back.
    form = filter_form(page, lang)
    form.get_by_label(t(lang, "Kind"), exact=True).select_option("sme")
    form.get_by_role("button", name=t(lang, "Apply filters")).click()
    expect(page).to_have_url(re.compile(r"kind=sme"))
    expect(page.get_by_text(t(lang, "No matches with these filters."))).to_be_visible()
    assert names_in(page) == []
    page.locator("#matches").get_by_role("link", name=t(lang, "Clear filters")).last.click()
    expect(page).to_have_url(url)
    assert set(names_in(page)) == EVERYONE

    # The project offers remote monitoring: only the Danish SME needs it.
    form = filter_form(page, lang)
    form.get_by_label(t(lang, "Only those who need what you offer")).check()
    form.get_by_role("button", name=t(lang, "Apply filters")).click()
    expect(page).to_have_url(re.compile(r"[?&]needs=1(&|$)"))
    assert names_in(page) == [DANISH_SME]
    expect(
        filter_form(page, lang).get_by_label(t(lang, "Only those who need what you offer"))
    ).to_be_checked()


@pytest.fixture
def crowd_and_fund(crowd):
    """The crowd, and a published investor in the project's field: investors have a tab
    of their own, so it is never among the partners."""
    moderator = db.session.scalar(select(User).where(User.role == "moderator"))
    member = db.session.scalar(select(User).where(User.role == "member"))
    fund = make_organisation(
        member, name=FUND, kind="investor", tags={"category": ["ehealth_telemedicine"]}
    )
    publish("organisation", fund, moderator)
    return crowd


def ask_why(page, lang, name):
    """Type a name into the "Why isn't … here?" box below the list and press Enter."""
    box = page.get_by_label(
        t(lang, "Missing someone? Type a name to see why they are not here"), exact=True
    )
    box.fill(name)
    box.press("Enter")


def why_answers(page):
    return page.locator("#matches div.why-answers")


@pytest.mark.parametrize("lang", LANGS)
def test_a_visitor_asks_why_a_partner_is_missing(lang, live_server, new_page, crowd_and_fund):
    page = new_page()
    page.goto(f"{live_server}/{lang}/projects/{crowd_and_fund.id}/matches/partners")
    choose_country(page, lang, "PL")
    count = page.locator("#matches p.result-count")
    expect(count).to_have_text(partners_count(lang, 2))
    listed = names_in(page)
    assert set(listed) == {HOSPITAL, UNIVERSITY}

    # The Danish SME is not in Poland: the filter chosen is what keeps it out.
    page.evaluate("window.sameDocument = true")
    ask_why(page, lang, DANISH_SME)
    answers = why_answers(page)
    expect(answers).to_have_text(t(lang, "%(name)s is left out by the filters you chose.",
                                   name=DANISH_SME))  # fmt: skip
    expect(answers).to_be_focused()
    expect(answers).to_have_attribute("role", "status")
    # The list was swapped in place, still filtered (the box carries the filters along).
    assert page.evaluate("window.sameDocument === true")
    expect(count).to_have_text(partners_count(lang, 2))
    assert names_in(page) == listed
    assert_accessible(page)

    # A listed one: its place and score, as the list shows them.
    place = listed.index(UNIVERSITY) + 1
    university = page.locator("#matches .match").filter(
        has=page.locator(".match-name", has_text=UNIVERSITY)
    )
    score = university.locator("details.score-points tfoot td").text_content().strip()
    ask_why(page, lang, UNIVERSITY)
    expect(answers).to_have_text(
        t(lang, "%(name)s is on this list: number %(position)s, with a score of %(score)s.",
          name=UNIVERSITY, position=str(place), score=score)
    )  # fmt: skip
    expect(answers).to_be_focused()

    # An investor is on another tab.
    ask_why(page, lang, FUND)
    expect(answers).to_have_text(
        t(lang, "%(name)s is not the kind of organisation this list shows: look in the "
                "other tabs.", name=FUND)
    )  # fmt: skip
    expect(answers).to_be_focused()


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_why_box_is_a_plain_form(lang, live_server, new_page, crowd):
    page = new_page(java_script_enabled=False)
    # Filtered to Poland (the filter form without JavaScript is the test above's).
    page.goto(f"{live_server}/{lang}/projects/{crowd.id}/matches/partners?country=PL")
    ask_why(page, lang, DANISH_SME)
    expect(page).to_have_url(re.compile(r"[?&]why=Odense\+Validation\+ApS(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]country=PL(&|$)"))
    expect(why_answers(page)).to_have_text(
        t(lang, "%(name)s is left out by the filters you chose.", name=DANISH_SME)
    )
    assert set(names_in(page)) == {HOSPITAL, UNIVERSITY}
