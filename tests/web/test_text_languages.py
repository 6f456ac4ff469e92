"""Which language a reader gets an item's texts in, and switching to another (issue 17).

A reader gets their language, else English, else the original; on a project,
organisation or event page they can pick any language the item is written in
(`?text=`), and the interface stays in theirs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext

from matchmaker.events import services as event_services
from matchmaker.events.services import EventInput
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

POLISH_TITLE = "Telekardiologia w domu"
ENGLISH_TITLE = "Tele-cardiology at home"
POLISH_DESCRIPTION = "Zdalne monitorowanie pacjentów."
ENGLISH_DESCRIPTION = "Remote monitoring of patients."


def texts(*langs: str, field: str = "description") -> dict:
    """Texts in `langs`, Polish and English ones recognisable by their words."""
    words = {
        "pl": {"title": POLISH_TITLE, field: POLISH_DESCRIPTION},
        "en": {"title": ENGLISH_TITLE, field: ENGLISH_DESCRIPTION},
    }
    return {lang: words[lang] for lang in langs}


def org_texts(*langs: str) -> dict:
    return {lang: {"description": values["description"]} for lang, values in texts(*langs).items()}


@pytest.fixture
def moderator(app):
    sync_taxonomy()
    return UserFactory(role="moderator")


@pytest.fixture
def owner(app):
    return UserFactory(email="owner@example.org")


def published_organisation(owner, moderator, *langs: str, name: str = "Telemed Sp. z o.o."):
    org = make_organisation(
        owner,
        name=name,
        country="PL",
        region="PL-DS",
        original_language="pl",
        texts=org_texts(*langs),
    )
    publish("organisation", org, moderator)
    return org


def published_project(org, moderator, *langs: str):
    project = make_project(org, original_language="pl", texts=texts(*langs, field="summary"))
    publish("project", project, moderator)
    return project


def published_event(owner, org, *langs: str):
    start = datetime.now(UTC) + timedelta(days=60)
    event = event_services.create_event(
        owner,
        org,
        EventInput(
            kind="study_visit",
            original_language="pl",
            city="Wrocław",
            country="PL",
            timezone="Europe/Warsaw",
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            registration_deadline=start - timedelta(days=5),
            capacity=10,
            languages=["pl"],
            texts={
                lang: {**values, "programme": ""}
                for lang, values in texts(*langs, field="description").items()
            },
        ),
    )
    event_services.publish_event(event)
    return event


@pytest.fixture
def bilingual(owner, moderator):
    """An organisation, its project and its event, each written in Polish (the
    original) and English."""
    org = published_organisation(owner, moderator, "pl", "en")
    project = published_project(org, moderator, "pl", "en")
    event = published_event(owner, org, "pl", "en")
    return {
        "project": f"/projects/{project.id}",
        "organisation": f"/organisations/{org.id}",
        "event": f"/events/{event.id}",
    }


@pytest.fixture
def polish_only(owner, moderator):
    org = published_organisation(owner, moderator, "pl", name="Polmed")
    project = published_project(org, moderator, "pl")
    event = published_event(owner, org, "pl")
    return {
        "project": f"/projects/{project.id}",
        "organisation": f"/organisations/{org.id}",
        "event": f"/events/{event.id}",
    }


PAGES = ("project", "organisation", "event")


def page(client, lang: str, path: str, query: str = "") -> str:
    response = client.get(f"/{lang}{path}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def in_language(lang: str, message: str) -> str:
    with force_locale(lang):
        return gettext(message)


def notice(html: str) -> str | None:
    found = re.search(r'<p class="text-notice">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else None


def switcher(html: str) -> str | None:
    found = re.search(r'<nav class="text-languages".*?</nav>', html, re.S)
    return found.group(0) if found else None


def current_text_language(html: str) -> str | None:
    nav = switcher(html)
    found = re.search(r'lang="(\w+)" hreflang="\w+" aria-current="true"', nav or "")
    return found.group(1) if found else None


def shows(html: str, lang: str) -> bool:
    """The page shows the item's Polish or English description, and not the other."""
    mine, other = (
        (POLISH_DESCRIPTION, ENGLISH_DESCRIPTION)
        if lang == "pl"
        else (ENGLISH_DESCRIPTION, POLISH_DESCRIPTION)
    )
    return mine in html and other not in html


@pytest.mark.parametrize("kind", PAGES)
def test_a_danish_reader_gets_english_before_the_polish_original(client, bilingual, kind):
    html = page(client, "da", bilingual[kind])
    assert shows(html, "en")
    assert notice(html) == " · ".join(
        (in_language("da", "Shown in English"), in_language("da", "Not written in Danish"))
    )


@pytest.mark.parametrize("kind", PAGES)
def test_a_polish_reader_gets_the_polish_original_without_a_notice(client, bilingual, kind):
    html = page(client, "pl", bilingual[kind])
    assert shows(html, "pl")
    assert notice(html) is None


@pytest.mark.parametrize("kind", PAGES)
def test_a_danish_reader_who_picks_polish_gets_it_in_a_danish_page(client, bilingual, kind):
    html = page(client, "da", bilingual[kind], "?text=pl")
    assert shows(html, "pl")
    assert notice(html) is None
    assert '<html lang="da"' in html
    assert current_text_language(html) == "pl"


@pytest.mark.parametrize("query", ["?text=xx", "?text=nb", "?text=", "?text=%3Cscript%3E"])
@pytest.mark.parametrize("kind", PAGES)
def test_a_text_language_the_item_lacks_is_ignored(client, bilingual, kind, query):
    html = page(client, "da", bilingual[kind], query)
    assert shows(html, "en")
    assert current_text_language(html) == "en"


@pytest.mark.parametrize("kind", PAGES)
def test_the_switcher_links_each_written_language_named_in_itself(client, bilingual, kind):
    html = page(client, "da", bilingual[kind])
    nav = switcher(html)
    assert nav is not None
    assert re.search(r'aria-label="[^"]+"', nav)
    assert in_language("da", "Also written in:") in nav
    path = f"/da{bilingual[kind]}"
    assert f'<a href="{path}?text=pl" lang="pl" hreflang="pl">Polski</a>' in nav
    assert (
        f'<a href="{path}?text=en" lang="en" hreflang="en" aria-current="true">English</a>' in nav
    )
    assert "Dansk" not in nav


@pytest.mark.parametrize("kind", PAGES)
def test_the_interface_language_switcher_keeps_the_chosen_text(client, bilingual, kind):
    html = page(client, "da", bilingual[kind], "?text=pl")
    assert f'href="/nb{bilingual[kind]}?text=pl"' in html


@pytest.mark.parametrize("kind", PAGES)
def test_an_item_only_in_polish_is_shown_in_polish_with_the_notice_and_no_switcher(
    client, polish_only, kind
):
    html = page(client, "da", polish_only[kind])
    assert POLISH_DESCRIPTION in html
    assert notice(html) == " · ".join(
        (in_language("da", "Original in Polish"), in_language("da", "Not written in Danish"))
    )
    assert switcher(html) is None


def test_the_text_shown_carries_its_language_and_the_interface_keeps_the_page_language(
    client, bilingual
):
    html = page(client, "da", bilingual["project"], "?text=pl")
    assert f'<h1 lang="pl">{POLISH_TITLE}</h1>' in html
    html = page(client, "da", bilingual["project"])
    assert f'<h1 lang="en">{ENGLISH_TITLE}</h1>' in html


def test_lists_give_a_danish_reader_the_english_title_marked_as_english(client, bilingual):
    html = page(client, "da", "/projects")
    assert f'lang="en">{ENGLISH_TITLE}</a>' in html
    assert POLISH_TITLE not in html
    assert in_language("da", "Shown in English") in html


def test_the_export_gives_a_danish_reader_the_english_texts(client, bilingual):
    [item] = client.get("/da/projects/export.json").get_json()["items"]
    assert (item["name"], item["text_language"]) == (ENGLISH_TITLE, "en")


def test_event_titles_in_e_mails_follow_the_same_rule(owner, moderator):
    org = published_organisation(owner, moderator, "pl", "en")
    event = published_event(owner, org, "pl", "en")
    assert [event.title_in(lang) for lang in ("pl", "en", "da", "nb")] == [
        POLISH_TITLE,
        ENGLISH_TITLE,
        ENGLISH_TITLE,
        ENGLISH_TITLE,
    ]
