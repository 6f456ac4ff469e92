"""The review page and the queue show values as the public pages do, in the moderator's
language, and say which projects wait for their organisation."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.moderation import values
from matchmaker.organisations.services import (
    OrganisationInput,
    submit_organisation,
    update_organisation,
)
from matchmaker.projects.services import submit_project
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import log_in

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

LANGS = ("en", "pl")
# The raw values of issue 17, as each language shows them.
SHOWN = {
    "en": {
        "kind": "Hospital / care provider",
        "country": "Denmark",
        "region": "Capital Region of Denmark",
        "working_languages": "English, Danish",
        "original_language": "English",
        "money": "€1,000,000",
        "start_date": "5 March 2026",
        "capability": "Remote patient monitoring",
        "stage": "Pilot",
    },
    "pl": {
        "kind": "Szpital / podmiot leczniczy",
        "country": "Dania",
        "region": "Region Stołeczny",
        "working_languages": "angielski, duński",
        "original_language": "angielski",
        "money": "€1\xa0000\xa0000",
        "start_date": "5 marca 2026",
        "capability": "Zdalny monitoring pacjenta",
        "stage": "Pilotaż",
    },
}
RAW = ("hospital", "DK-84", "['en', 'da']", "[&#39;en&#39;, &#39;da&#39;]", "1000000")


class DiffTable(HTMLParser):
    """The review page's changes: field (data-field) → (before, after) as text, and the
    links in each row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self._field: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-field" in attrs:
            self._field = attrs["data-field"]
            self.rows[self._field] = []
            self.links[self._field] = []
        elif tag == "td" and self._field:
            self._cell = []
        elif tag == "a" and self._field:
            self.links[self._field].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "td" and self._field and self._cell is not None:
            self.rows[self._field].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._field = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def diff(page: str) -> DiffTable:
    table = DiffTable()
    table.feed(page)
    return table


def assert_no_raw_values(page: str) -> None:
    rows = diff(page).rows.items()  # texts ("description-en") are the members' own words
    cells = " | ".join(" | ".join(cells) for field, cells in rows if "-" not in field)
    for raw in RAW:
        assert raw not in cells, f"the raw value {raw!r} is among the changes"
    assert "DK-84" not in page and "[&#39;en&#39;" not in page


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org", locale="nb")


@pytest.fixture
def moderator():
    return UserFactory(email="mod@example.org", role="moderator")


@pytest.fixture
def mod_client(app, moderator):
    client = app.test_client()
    log_in(client, "mod@example.org")
    return client


def danish_hospital(owner, **fields):
    values = {
        "name": "Copenhagen Health Lab",
        "kind": "hospital",
        "country": "DK",
        "region": "DK-84",
        "working_languages": ["en", "da"],
        "ticket_min_eur": 1_000_000,
    }
    return make_organisation(owner, **(values | fields))


def review(client, lang: str, item_type: str, item_id: int) -> str:
    response = client.get(f"/{lang}/moderation/{item_type}/{item_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGS)
def test_new_organisation_shows_labels_names_and_money(mod_client, owner, lang):
    org = danish_hospital(owner)
    submit_organisation(org)
    page = review(mod_client, lang, "organisation", org.id)
    rows, shown = diff(page).rows, SHOWN[lang]
    assert rows["kind"] == ["", shown["kind"]]
    assert rows["country"] == ["", shown["country"]]
    assert rows["region"] == ["", shown["region"]]
    assert rows["working_languages"] == ["", shown["working_languages"]]
    assert rows["original_language"] == ["", shown["original_language"]]
    assert rows["ticket_min_eur"] == ["", shown["money"]]
    assert rows["capability"] == ["", shown["capability"]]
    assert_no_raw_values(page)


@pytest.mark.parametrize("lang", LANGS)
def test_new_project_shows_its_organisation_stage_money_and_date(mod_client, owner, lang):
    org = danish_hospital(owner)
    project = make_project(org, funding_max_eur=1_000_000, start_date=date(2026, 3, 5))
    submit_project(project)
    page = review(mod_client, lang, "project", project.id)
    table, shown = diff(page), SHOWN[lang]
    assert table.rows["organisation_id"] == ["", "Copenhagen Health Lab"]
    assert table.links["organisation_id"] == [f"/{lang}/moderation/organisation/{org.id}"]
    assert table.rows["stage"] == ["", shown["stage"]]
    assert table.rows["region"] == ["", shown["region"]]
    assert table.rows["funding_max_eur"] == ["", shown["money"]]
    assert table.rows["start_date"] == ["", shown["start_date"]]
    assert_no_raw_values(page)
    assert "2026-03-05" not in page


def test_project_links_a_published_organisation_to_its_public_page(mod_client, owner, moderator):
    org = danish_hospital(owner)
    publish("organisation", org, moderator)
    project = make_project(org)
    submit_project(project)
    table = diff(review(mod_client, "en", "project", project.id))
    assert table.links["organisation_id"] == [f"/en/organisations/{org.id}"]


@pytest.mark.parametrize("lang", LANGS)
def test_edit_of_approved_organisation_shows_before_and_after_as_text(
    mod_client, owner, moderator, lang
):
    org = make_organisation(owner, working_languages=["nb"])  # an SME in Oslo
    publish("organisation", org, moderator)
    edit = OrganisationInput(
        name="Nordic Telecare AS",
        kind="hospital",
        country="DK",
        region="DK-84",
        original_language="en",
        working_languages=["en", "da"],
        ticket_min_eur=1_000_000,
        texts={"en": {"description": "We build remote monitoring for heart patients."}},
        tags={"capability": ["remote_monitoring", "logistics_robotics"]},
    )
    update_organisation(org, edit, org.revision)
    submit_organisation(org)
    page = review(mod_client, lang, "organisation", org.id)
    rows, shown = diff(page).rows, SHOWN[lang]
    sme = {"en": "Small or medium-sized enterprise (SME)", "pl": "Małe lub średnie"}[lang]
    assert rows["kind"][0].startswith(sme) and rows["kind"][1] == shown["kind"]
    assert rows["country"] == [{"en": "Norway", "pl": "Norwegia"}[lang], shown["country"]]
    assert rows["region"] == ["Oslo", shown["region"]]
    norwegian = {"en": "Norwegian Bokmål", "pl": "norweski (bokmål)"}[lang]
    assert rows["working_languages"] == [norwegian, shown["working_languages"]]
    assert rows["ticket_min_eur"] == ["", shown["money"]]
    robotics = {"en": "Logistics and robotics", "pl": "Logistyka i robotyka"}[lang]
    assert rows["capability"] == ["", robotics]
    assert "need" in rows  # a tag taken away: its label on the left
    assert "original_language" not in rows  # unchanged
    assert_no_raw_values(page)
    assert "NO-03" not in page


@pytest.mark.parametrize(("lang", "yes", "no"), [("en", "Yes", "No"), ("pl", "Tak", "Nie")])
def test_a_yes_or_no_value_reads_as_a_word(app, lang, yes, no):
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        assert values.parts("any_flag", True) == [values.Part(yes)]
        assert values.parts("any_flag", False) == [values.Part(no)]


def test_cluster_members_logo_and_links_read_as_on_the_public_page(app):
    with app.test_request_context("/pl/"), force_locale("pl"):
        members = values.parts("members", {"research": 3, "sme": 1200})
        assert [part.text for part in members] == [
            "MŚP: 1\xa0200",
            "Uczelnie i jednostki naukowe: 3",
        ]
        logo = values.parts("logo_filename", "a1b2.webp", organisation_id=7)
        assert logo == [values.Part("Logo", image="/media/logos/7/a1b2.webp")]
        links = values.parts("links", ["https://example.org", "javascript:alert(1)"])
        assert [part.href for part in links] == ["https://example.org", None]


def test_queue_puts_an_organisation_before_its_waiting_projects(mod_client, owner):
    newcomer = danish_hospital(owner, name="Newcomer Org")
    early_project = make_project(newcomer)
    submit_project(early_project)  # the project is submitted first…
    other = make_organisation(owner, name="Other Org")
    submit_organisation(other)
    submit_organisation(newcomer)  # …its organisation last
    start = utcnow() - timedelta(hours=3)
    early_project.submitted_at = start
    other.submitted_at = start + timedelta(hours=1)
    newcomer.submitted_at = start + timedelta(hours=2)
    db.session.commit()
    page = mod_client.get("/en/moderation/").get_data(as_text=True)
    positions = [
        page.index(name) for name in ("Other Org", "Newcomer Org", "Home monitoring for heart")
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", ["/en/moderation/", "review"])
def test_a_project_says_it_waits_for_its_organisation(mod_client, owner, path):
    org = danish_hospital(owner)
    submit_organisation(org)
    project = make_project(org)
    submit_project(project)
    url = f"/en/moderation/project/{project.id}" if path == "review" else path
    page = mod_client.get(url).get_data(as_text=True)
    link = f'<a href="/en/moderation/organisation/{org.id}">Copenhagen Health Lab</a>'
    assert f"Waits for its organisation {link} to be approved." in page


def test_a_project_of_an_approved_organisation_waits_for_nothing(mod_client, owner, moderator):
    org = danish_hospital(owner)
    publish("organisation", org, moderator)
    project = make_project(org)
    submit_project(project)
    assert "Waits for its organisation" not in mod_client.get("/en/moderation/").get_data(
        as_text=True
    )
    assert "Waits for its organisation" not in review(mod_client, "en", "project", project.id)


def test_an_escaped_organisation_name_in_the_waiting_note(mod_client, owner):
    org = danish_hospital(owner, name="<b>Bold</b> Org")
    project = make_project(org)
    submit_project(project)
    page = review(mod_client, "en", "project", project.id)
    assert "&lt;b&gt;Bold&lt;/b&gt; Org" in page and "<b>Bold</b>" not in page


def test_members_cannot_open_the_review_page(client, owner):
    org = danish_hospital(owner)
    submit_organisation(org)
    log_in(client, "owner@example.org")
    assert client.get(f"/en/moderation/organisation/{org.id}").status_code == 403
