"""Issue 17, forms: sections by kind, required marks, bare web addresses, amounts as people
write them in Polish, English, Danish and Norwegian, and the project title first."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale, gettext
from werkzeug.datastructures import MultiDict

from matchmaker.extensions import db
from matchmaker.organisations.models import Organisation
from matchmaker.projects.models import Project
from tests.factories import UserFactory, make_organisation, make_project, sync_taxonomy
from tests.web.helpers import log_in, post_form

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

LANGS = ["pl", "en", "da", "nb"]
NBSP = "\u00a0"
# "2 mln" and "1,5 mln" as a Pole, an English speaker, a Dane and a Norwegian write them.
TWO_MILLION = {"pl": "2 mln", "en": "2 million", "da": "2 mio.", "nb": "2 mill."}
ONE_AND_A_HALF_MILLION = {"pl": "1,5 mln", "en": "1.5m", "da": "1,5 mio.", "nb": "1,5 mill."}
SHOWN_TWO_MILLION = {
    "pl": f"2{NBSP}000{NBSP}000",
    "en": "2,000,000",
    "da": "2.000.000",
    "nb": f"2{NBSP}000{NBSP}000",
}


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org")


def organisation_data(**overrides) -> dict:
    data = {
        "name": "Region Hospital",
        "kind": "hospital",
        "country": "DK",
        "region": "DK-84",
        "original_language": "da",
        "working_languages": ["da", "en"],
        "texts_da-description": "Vi er et universitetshospital med fokus på telemedicin.",
    }
    data.update(overrides)
    return data


def project_data(**overrides) -> dict:
    data = {
        "stage": "pilot",
        "country": "PL",
        "region": "PL-DS",
        "original_language": "pl",
        "texts_pl-title": "Telekardiologia w domu",
        "texts_pl-summary": "Zdalne monitorowanie pacjentów z niewydolnością serca.",
        "texts_pl-description": "Opaska i aplikacja przesyłają EKG do kardiologa.",
        "categories": ["ehealth_telemedicine"],
    }
    data.update(overrides)
    return data


def create_organisation(client, lang="en", **overrides):
    return post_form(client, f"/{lang}/my/organisations/new", organisation_data(**overrides))


def create_project(client, org, lang="en", **overrides):
    page = f"/{lang}/my/projects/new?organisation={org.id}"
    return post_form(client, page, project_data(**overrides))


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


class Controls(HTMLParser):
    """The form controls of a page in document order, and the element with each id."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = {"tag": tag, **{name: value for name, value in attrs}}
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)

    def names(self) -> list[str]:
        return [control.get("name") for control in self.controls]


MARK = '<span class="required-mark" aria-hidden="true"></span>'


def label_of(page: str, name: str) -> str:
    return page.split(f'<label for="{name}">')[1].split("</label>")[0]


def amount_message(app, lang: str) -> str:
    """The message for an amount that is not one, as the form words it in `lang`."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return gettext(
            "Enter an amount in euros with digits, such as %(number)s or %(short)s.",
            number=format_decimal(250000, locale=lang),
            short=gettext("%(number)s million", number=format_decimal(Decimal("1.5"), locale=lang)),
        )


# --- Sections by kind ---------------------------------------------------------------------


def test_hospital_form_saves_with_the_investor_and_cluster_fields_empty(client, owner):
    log_in(client, "owner@example.org")
    response = create_organisation(client, kind="hospital")
    assert response.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.kind, org.ticket_min_eur, org.ticket_max_eur, org.members) == (
        "hospital",
        None,
        None,
        None,
    )


def test_sections_not_for_the_kind_are_neither_checked_nor_saved(client, owner):
    log_in(client, "owner@example.org")
    response = create_organisation(
        client,
        kind="hospital",
        ticket_min_eur="plenty",  # would be refused for an investor
        ticket_max_eur="5",
        preferred_stages=["pilot"],
        **{"members-sme": "12"},
        cluster_labels="ECCP Gold",
    )
    assert response.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.ticket_min_eur, org.ticket_max_eur) == (None, None)
    assert org.tag_codes("preferred_stage") == []
    assert (org.members, org.cluster_labels) == (None, [])


def test_an_investor_gets_its_section_checked_and_saved(client, owner):
    log_in(client, "owner@example.org")
    refused = create_organisation(client, kind="investor", ticket_min_eur="plenty")
    assert refused.status_code == 422
    assert db.session.query(Organisation).count() == 0
    saved = create_organisation(
        client, kind="investor", ticket_min_eur="250 000", preferred_stages=["pilot"]
    )
    assert saved.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.ticket_min_eur, org.tag_codes("preferred_stage")) == (250_000, ["pilot"])


def test_a_cluster_gets_its_section_saved_and_not_the_investors(client, owner):
    log_in(client, "owner@example.org")
    response = create_organisation(
        client, kind="cluster", ticket_min_eur="1000", cluster_labels="ECCP Gold, ECCP Silver",
        **{"members-sme": "12"},
    )  # fmt: skip
    assert response.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.cluster_labels, org.members, org.ticket_min_eur) == (
        ["ECCP Gold", "ECCP Silver"],
        {"sme": 12},
        None,
    )


def test_a_cluster_saves_with_its_own_fields_left_out(client, owner):
    log_in(client, "owner@example.org")
    assert create_organisation(client, kind="cluster").status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.kind, org.cluster_labels, org.members) == ("cluster", [], None)


def test_an_investor_that_becomes_a_hospital_drops_its_tickets(client, owner):
    org = make_organisation(owner, kind="investor", ticket_min_eur=100_000, ticket_max_eur=10**6)
    log_in(client, "owner@example.org")
    page = f"/en/my/organisations/{org.id}/edit"
    data = organisation_data(kind="hospital", revision=str(org.revision), ticket_min_eur="100,000")
    assert post_form(client, page, data).status_code == 303
    db.session.expire_all()
    assert (org.kind, org.ticket_min_eur, org.ticket_max_eur) == ("hospital", None, None)


def test_each_section_says_which_kinds_it_is_for_and_the_script_is_a_file(client, owner):
    log_in(client, "owner@example.org")
    response = client.get("/en/my/organisations/new")
    page = response.get_data(as_text=True)
    found = Controls(page).by_id
    assert found["section-investor"]["data-kinds"] == "investor"
    assert found["section-cluster"]["data-kinds"] == "cluster"
    assert found["section-investor"]["aria-describedby"] == "section-investor-note"
    assert "Only for organisations of this kind: Investor." in html.unescape(page)
    assert "data-kind-select" in found["kind"]
    assert re.search(r'<script src="/static/js/forms\.[0-9a-f]{12}\.js"', page)
    assert "<script>" not in page  # the CSP allows no inline script


# --- Required fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "required", "optional"),
    [
        (
            "/en/my/organisations/new",
            ["name", "kind", "country", "original_language", "texts_en-description"],
            ["city", "website", "ticket_min_eur", "texts_pl-description"],
        ),
        (
            "/en/my/projects/new?organisation={org}",
            ["texts_en-title", "texts_en-summary", "texts_en-description", "stage", "country"],
            ["links", "funding_min_eur", "start_date", "texts_pl-title"],
        ),
    ],
)
def test_required_fields_are_marked_and_explained(client, owner, url, required, optional):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    page = client.get(url.format(org=org.id)).get_data(as_text=True)
    assert "Fields marked with an asterisk (*) are required." in page
    controls = {control["id"]: control for control in Controls(page).controls}
    for name in required:
        assert "required" in controls[name], name
        assert controls[name].get("aria-required") == "true", name
        assert MARK in label_of(page, name), name
    for name in optional:
        assert "required" not in controls[name], name
        assert MARK not in label_of(page, name), name


def test_a_required_group_of_checkboxes_says_so_in_its_legend(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/projects/new?organisation={org.id}").get_data(as_text=True)
    legend = page.split('<fieldset class="checkbox-group" id="categories"')[1].split("</legend>")[0]
    assert MARK in legend
    assert '<span class="visually-hidden">(required)</span>' in legend


def test_the_texts_required_follow_the_language_written_first(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    page = client.get(f"/da/my/projects/new?organisation={org.id}").get_data(as_text=True)
    controls = {control["id"]: control for control in Controls(page).controls}
    assert "required" in controls["texts_da-title"]
    assert "required" not in controls["texts_en-title"]
    assert 'data-required-lang="en"' in page  # the script moves the marks from here
    assert "data-original-language" in controls["original_language"]


# --- Title first --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_project_title_comes_first(client, owner, lang):
    org = make_organisation(owner)
    log_in(client, "owner@example.org", lang=lang)
    page = client.get(f"/{lang}/my/projects/new?organisation={org.id}").get_data(as_text=True)
    form = page.split('<form id="project-form"')[1]
    names = Controls(form).names()
    assert names[:3] == [
        f"texts_{lang}-title",
        f"texts_{lang}-summary",
        f"texts_{lang}-description",
    ]
    title = names.index(f"texts_{lang}-title")
    assert all(title < names.index(name) for name in ("stage", "links", "funding_min_eur"))


def test_an_edited_project_shows_the_title_of_its_first_language_first(client, owner):
    org = make_organisation(owner)
    project = make_project(org)  # written in English first
    log_in(client, "owner@example.org", lang="pl")
    page = client.get(f"/pl/my/projects/{project.id}/edit").get_data(as_text=True)
    names = Controls(page.split('<form id="project-form"')[1]).names()
    assert names[0] == "texts_en-title"


# --- Web addresses ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_bare_domain_website_is_saved_with_https(client, owner, lang):
    log_in(client, "owner@example.org", lang=lang)
    response = create_organisation(client, lang=lang, website="www.example.dk")
    assert response.status_code == 303
    assert db.session.query(Organisation).one().website == "https://www.example.dk"


def test_a_full_website_address_is_kept(client, owner):
    log_in(client, "owner@example.org")
    create_organisation(client, website="http://www.example.dk/om-os")
    assert db.session.query(Organisation).one().website == "http://www.example.dk/om-os"


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "www.exa mple.dk",
        "example",
        "mailto:info@example.dk",
        "info@example.dk",
    ],
)
def test_a_website_that_is_not_a_web_address_is_refused_next_to_the_field(client, owner, website):
    log_in(client, "owner@example.org")
    response = create_organisation(client, website=website)
    assert response.status_code == 422
    page = page_text(response)
    assert "Enter a web address, such as www.example.org." in page
    website_input = Controls(response.get_data(as_text=True)).by_id["website"]
    assert website_input["aria-invalid"] == "true"
    assert "website-error" in website_input["aria-describedby"].split()
    assert website_input["value"] == website  # what was typed, to correct it
    assert db.session.query(Organisation).count() == 0


def test_project_links_without_https_are_completed(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org", lang="da")
    response = create_project(
        client, org, lang="da", links="www.example.dk\n\nhttps://example.org/video"
    )
    assert response.status_code == 303
    project = db.session.query(Project).one()
    assert project.links == ["https://www.example.dk", "https://example.org/video"]


def test_a_project_link_that_is_not_a_web_address_is_named_in_the_error(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    response = create_project(client, org, links="www.example.dk\njavascript:alert(1)")
    assert response.status_code == 422
    assert "“javascript:alert(1)” is not a web address." in page_text(response)
    assert db.session.query(Project).count() == 0


def test_the_events_online_meeting_address_is_completed_too(app):
    from matchmaker.events.forms import EventForm

    with app.test_request_context("/en/"):
        form = EventForm(formdata=MultiDict({"online_url": "meet.example.org/room-4"}), lang="en")
        refused = EventForm(formdata=MultiDict({"online_url": "javascript:alert(1)"}), lang="en")
        form.validate()
        refused.validate()
    assert form.online_url.data == "https://meet.example.org/room-4"
    assert form.online_url.errors == []
    assert refused.online_url.errors == ["Enter a web address, such as www.example.org."]


# --- Amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_two_million_written_in_words_is_saved_as_two_million(client, owner, lang):
    org = make_organisation(owner)
    log_in(client, "owner@example.org", lang=lang)
    response = create_project(
        client,
        org,
        lang=lang,
        funding_min_eur=TWO_MILLION[lang],
        funding_max_eur=ONE_AND_A_HALF_MILLION[lang].replace("1", "3", 1),
    )
    assert response.status_code == 303
    project = db.session.query(Project).one()
    assert (project.funding_min_eur, project.funding_max_eur) == (2_000_000, 3_500_000)


@pytest.mark.parametrize("lang", LANGS)
def test_investor_tickets_read_amounts_the_same_way(client, owner, lang):
    log_in(client, "owner@example.org", lang=lang)
    response = create_organisation(
        client,
        lang=lang,
        kind="investor",
        ticket_min_eur=ONE_AND_A_HALF_MILLION[lang],
        ticket_max_eur=SHOWN_TWO_MILLION[lang],
    )
    assert response.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.ticket_min_eur, org.ticket_max_eur) == (1_500_000, 2_000_000)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("amount", ["two million", "2 zł", "1.2.3", "lots"])
def test_nonsense_amounts_are_refused_with_a_message_in_the_forms_language(
    app, client, owner, lang, amount
):
    org = make_organisation(owner)
    log_in(client, "owner@example.org", lang=lang)
    response = create_project(client, org, lang=lang, funding_min_eur=amount)
    assert response.status_code == 422
    assert amount_message(app, lang) in page_text(response)
    funding = Controls(response.get_data(as_text=True)).by_id["funding_min_eur"]
    assert "funding_min_eur-error" in funding["aria-describedby"].split()
    assert funding["value"] == amount
    assert db.session.query(Project).count() == 0


def test_an_amount_past_the_limit_is_refused(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    response = create_project(client, org, funding_min_eur="5000 bn")
    assert response.status_code == 422
    assert "Enter an amount of at most 1,000,000,000,000 euros." in page_text(response)
    assert db.session.query(Project).count() == 0


@pytest.mark.parametrize("lang", LANGS)
def test_stored_amounts_are_shown_with_the_locales_separators(client, owner, lang):
    org = make_organisation(owner)
    project = make_project(org, funding_min_eur=2_000_000)
    log_in(client, "owner@example.org", lang=lang)
    page = client.get(f"/{lang}/my/projects/{project.id}/edit").get_data(as_text=True)
    assert Controls(page).by_id["funding_min_eur"]["value"] == SHOWN_TWO_MILLION[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_a_shown_amount_saves_back_unchanged(client, owner, lang):
    org = make_organisation(owner)
    project = make_project(org, funding_min_eur=2_000_000, original_language="en")
    log_in(client, "owner@example.org", lang=lang)
    page = f"/{lang}/my/projects/{project.id}/edit"
    data = project_data(revision=str(project.revision), funding_min_eur=SHOWN_TWO_MILLION[lang])
    assert post_form(client, page, data).status_code == 303
    db.session.expire_all()
    assert project.funding_min_eur == 2_000_000
