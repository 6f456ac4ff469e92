"""The insights page's Growth figures and their CSV files, against a register counted by hand.

Today is fixed at 20 May 2025 (Q2 2025), so the 8 quarters are Q3 2023 … Q2 2025, the last
4 are Q3 2024 … Q2 2025 and the 4 before are Q3 2023 … Q2 2024.

| project | country | first published | categories                  | stage             | seeks                 |
| oslo    | NO      | 2 May 2025      | ehealth_telemedicine        | pilot             | pilot_site            |
| aarhus  | DK      | 1 Apr 2025      | mobile_apps                 | concept           | customers             |
| krakow  | PL      | 15 Jan 2025     | medical_devices             | pilot             | pilot_site            |
| krakow2 | PL      | 30 Nov 2024     | medical_devices             | commercialisation | investment            |
| wroclaw | PL      | 10 Feb 2024     | medical_devices, ehealth_t. | prototype         | investment, rd_partner|

Never counted: a draft, a project under review, one taken off the register, an edit under
review of "oslo" (to commercialisation), a draft organisation.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from babel.dates import format_date
from babel.numbers import format_percent
from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from matchmaker.accounts.models import User
from matchmaker.extensions import db
from matchmaker.i18n import formatting_locale
from matchmaker.insights import views
from matchmaker.moderation import services as moderation
from matchmaker.moderation.models import ModerationDecision
from matchmaker.projects.models import Project
from matchmaker.projects.services import ProjectInput, submit_project, update_project
from matchmaker.taxonomy.queries import tag_label
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

LANGS = ("pl", "en", "da", "nb")
TODAY = datetime(2025, 5, 20, 12, 0, tzinfo=UTC)
QUARTERS = [(2023, 3), (2023, 4), (2024, 1), (2024, 2), (2024, 3), (2024, 4), (2025, 1), (2025, 2)]


def t(lang: str, message: str, **variables) -> str:
    """`message` in `lang` as the page shows it: the translation once there is one, the
    English until then (tests.web.helpers.translated fails while it is missing)."""
    with force_locale(lang):
        return gettext(message, **variables)


def label(code: str, lang: str = "en") -> str:
    return tag_label(code, lang)


def quarter(lang: str, year: int, number: int) -> str:
    return t(lang, "Q%(quarter)s %(year)s", quarter=number, year=year)


class InsightsPage(HTMLParser):
    """Each figure's section: its table's body rows as texts, its CSV link, its paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self.csv: dict[str, str] = {}
        self.paragraphs: dict[str, list[str]] = {}
        self.svgs: dict[str, int] = {}
        self._figure: str | None = None
        self._in_body = False
        self._text: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("class") == "insight":
            self._figure = attrs["aria-labelledby"].removeprefix("insight-")
            self.rows[self._figure], self.paragraphs[self._figure] = [], []
        elif self._figure is None:
            return
        elif tag == "svg":
            self.svgs[self._figure] = self.svgs.get(self._figure, 0) + 1
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[self._figure].append([])
        elif tag in ("th", "td", "p") and (self._in_body or tag == "p"):
            self._text = []
        elif tag == "a" and "csv-link" in attrs.get("class", ""):
            self.csv[self._figure] = attrs["href"]

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._figure is None:
            return
        if tag in ("th", "td") and self._text is not None and self._in_body:
            self.rows[self._figure][-1].append("".join(self._text).strip())
            self._text = None
        elif tag == "p" and self._text is not None:
            self.paragraphs[self._figure].append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "section":
            self._figure = None


def parse(response) -> InsightsPage:
    assert response.status_code == 200
    page = InsightsPage()
    page.feed(response.get_data(as_text=True))
    return page


def csv_rows(response) -> list[list[str]]:
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(views, "utcnow", lambda: TODAY)


def first_published(project, day: date) -> None:
    db.session.execute(
        update(Project)
        .where(Project.id == project.id)
        .values(published_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    )
    db.session.commit()


@pytest.fixture
def register(app, today):
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(role="moderator")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    wroclaw = make_organisation(
        owner, name="Wrocław Med", kind="hospital", country="PL", region="PL-DS"
    )
    krakow = make_organisation(owner, name="Kraków Devices", country="PL", region="PL-MA")
    aarhus = make_organisation(
        owner, name="Aarhus Health Lab", kind="university", country="DK", region="DK-82"
    )
    make_organisation(owner, name="Hidden Draft AS", kind="investor", country="DK", region="DK-84")
    for organisation in (oslo, wroclaw, krakow, aarhus):
        publish("organisation", organisation, moderator)

    def project(organisation, day, categories, stage, seeks, status="published"):
        item = make_project(
            organisation, stage=stage, tags={"category": categories, "seeks": seeks}
        )
        if status == "submitted":
            submit_project(item)
        elif status in ("published", "unpublished"):
            publish("project", item, moderator)
            first_published(item, day)
        if status == "unpublished":
            moderation.unpublish("project", item, moderator, "Out of date.")
        return item

    first = project(oslo, date(2025, 5, 2), ["ehealth_telemedicine"], "pilot", ["pilot_site"])
    project(aarhus, date(2025, 4, 1), ["mobile_apps"], "concept", ["customers"])
    project(krakow, date(2025, 1, 15), ["medical_devices"], "pilot", ["pilot_site"])
    project(krakow, date(2024, 11, 30), ["medical_devices"], "commercialisation", ["investment"])
    project(wroclaw, date(2024, 2, 10), ["medical_devices", "ehealth_telemedicine"],
            "prototype", ["investment", "rd_partner"])  # fmt: skip
    # Never counted:
    project(oslo, None, ["cybersecurity"], "concept", ["investment"], status="draft")
    project(oslo, None, ["cybersecurity"], "concept", ["investment"], status="submitted")
    project(aarhus, date(2025, 5, 1), ["back_office"], "concept", ["customers"], "unpublished")
    edit = ProjectInput(
        stage="commercialisation",
        country="NO",
        region="NO-03",
        original_language="en",
        texts={"en": {"title": "Home monitoring", "summary": "Sensors.", "description": "A."}},
        tags={"category": ["cybersecurity"], "seeks": ["investment"]},
    )
    update_project(first, edit, first.revision)
    submit_project(first)


def test_projects_per_quarter_count_first_publications_with_empty_quarters(client, register):
    page = parse(client.get("/en/insights/"))
    expected = [0, 0, 1, 0, 0, 1, 1, 2]
    assert page.rows["quarters"] == [
        [quarter("en", *q), str(n)] for q, n in zip(QUARTERS, expected, strict=True)
    ]
    assert page.svgs["quarters"] == 1


def test_categories_fastest_growing_first_with_counts_per_quarter(client, register):
    rows = parse(client.get("/en/insights/")).rows["categories"]
    assert rows == [
        # new: 1 in the last 4 quarters, none before
        [label("mobile_apps"), "0", "0", "0", "0", "0", "0", "0", "1", "1", "0", "new"],
        # 2 against 1: +100 %
        [label("medical_devices"), "0", "0", "1", "0", "0", "1", "1", "0", "2", "1", "100%"],
        # 1 against 1: 0 %
        [label("ehealth_telemedicine"), "0", "0", "1", "0", "0", "0", "0", "1", "1", "1", "0%"],
    ]


def test_stages_seeks_and_organisations(client, register):
    page = parse(client.get("/en/insights/"))
    assert page.rows["stages"] == [
        [label("pilot"), "2"],
        [label("commercialisation"), "1"],
        [label("concept"), "1"],
        [label("prototype"), "1"],
    ]
    assert page.rows["seeks"] == [
        [label("investment"), "2"],
        [label("pilot_site"), "2"],
        [label("customers"), "1"],
        [label("rd_partner"), "1"],
    ]
    assert page.rows["organisation-kinds"] == [
        [label("sme"), "2"],
        [label("hospital"), "1"],
        [label("university"), "1"],
    ]
    assert page.rows["organisation-countries"] == [
        ["Poland", "2"],
        ["Denmark", "1"],
        ["Norway", "1"],
    ]


def test_drafts_items_under_review_and_unpublished_ones_are_never_counted(client, register):
    body = client.get("/en/insights/").get_data(as_text=True)
    for never in (label("cybersecurity"), label("back_office"), label("investor"), "Hidden Draft"):
        assert never not in body


def test_an_empty_register_says_so_in_every_block_without_charts(client, app, today):
    page = parse(client.get("/en/insights/"))
    assert set(page.rows) == {
        "quarters",
        "categories",
        "stages",
        "seeks",
        "organisation-kinds",
        "organisation-countries",
        "places",
        "stage-moves",
        "specialisations",
        "country-growth",
    }
    no_moves = t("en", "No project has changed its stage in the last 4 quarters.")
    for name, paragraphs in page.paragraphs.items():
        expected = no_moves if name == "stage-moves" else t("en", "Nothing published yet.")
        assert paragraphs == [expected], name
        assert name not in page.svgs and name not in page.csv
    assert client.get("/en/insights/stages.csv").status_code == 200


def test_the_country_filter_restricts_every_figure(client, register):
    page = parse(client.get("/en/insights/?country=PL"))
    assert [row[-1] for row in page.rows["quarters"]] == ["0", "0", "1", "0", "0", "1", "1", "0"]
    assert [row[0] for row in page.rows["categories"]] == [
        label("medical_devices"),
        label("ehealth_telemedicine"),
    ]
    assert page.rows["categories"][1][-1] == "-100%"
    assert page.rows["organisation-kinds"] == [[label("hospital"), "1"], [label("sme"), "1"]]
    assert page.rows["organisation-countries"] == [["Poland", "2"]]
    assert page.csv["stages"].endswith("/en/insights/stages.csv?country=PL")


def test_a_country_without_anything_published_says_so(client, register):
    page = parse(client.get("/en/insights/?country=SE"))
    assert page.paragraphs["stages"] == [
        t("en", "Nothing published in %(country)s yet.", country="Sweden")
    ]


@pytest.mark.parametrize("value", ["XX", "Poland", "<b>pl</b>", "PLN"])
def test_a_wrong_country_shows_every_country_and_says_why(client, register, value):
    response = client.get("/en/insights/", query_string={"country": value})
    page = parse(response)
    assert page.rows["organisation-countries"] == [
        ["Poland", "2"],
        ["Denmark", "1"],
        ["Norway", "1"],
    ]
    message = t("en", "“%(value)s” is not a country code; the figures show every country.",
                value=value)  # fmt: skip
    body = response.get_data(as_text=True)
    assert message.replace("<", "&lt;").replace(">", "&gt;") in body
    assert "<b>pl</b>" not in body


def test_a_lower_case_country_code_is_understood(client, register):
    page = parse(client.get("/en/insights/?country=dk"))
    assert page.rows["organisation-countries"] == [["Denmark", "1"]]


def test_each_csv_holds_the_rows_of_its_table_with_codes(client, register):
    page = parse(client.get("/en/insights/"))
    for name, href in page.csv.items():
        rows = csv_rows(client.get(href))
        header, body = rows[0], rows[1:]
        assert header[0] == t("en", "Code")
        assert [row[1] for row in body] == [row[0] for row in page.rows[name]], name
        if name not in ("categories", "country-growth"):  # counts alone: same text in English
            assert [row[1:] for row in body] == page.rows[name], name
    categories = csv_rows(client.get(page.csv["categories"]))
    assert [row[0] for row in categories[1:]] == [
        "mobile_apps",
        "medical_devices",
        "ehealth_telemedicine",
    ]
    # Plain numbers; the change in per cent, empty for a new category.
    assert categories[1][-3:] == ["1", "0", ""]
    assert categories[2][-3:] == ["2", "1", "100.0"]
    stages = csv_rows(client.get(page.csv["stages"]))
    assert stages[1] == ["pilot", label("pilot"), "2"]


def test_an_unknown_figure_has_no_csv(client, register):
    assert client.get("/en/insights/nothing.csv").status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_shows_its_own_labels_and_formats(client, register, lang):
    response = client.get(f"/{lang}/insights/")
    page = parse(response)
    body = response.get_data(as_text=True)
    locale = formatting_locale(lang)
    assert format_date(TODAY.date(), "long", locale=locale) in body
    assert page.rows["quarters"][-1][0] == quarter(lang, 2025, 2)
    assert page.rows["categories"][0][-1] == t(lang, "new")
    assert page.rows["categories"][1][-1] == format_percent(1, locale=locale)
    assert page.rows["categories"][2][-1] == format_percent(0, locale=locale)
    with force_locale(lang):
        assert f"<h1>{t(lang, 'Where health innovation grows')}</h1>" in body
    polish = {"pl": "Polska", "en": "Poland", "da": "Polen", "nb": "Polen"}[lang]
    assert page.rows["organisation-countries"][0][0] == polish
    rows = csv_rows(client.get(page.csv["organisation-countries"]))
    assert rows[1] == ["PL", polish, "2"]


def test_the_footer_links_to_the_page_and_the_sitemap_lists_it(client, app):
    body = client.get("/da/insights/").get_data(as_text=True)
    footer = body[body.index('<footer class="site-footer">') :]
    assert 'href="/da/insights/"' in footer
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    for lang in LANGS:
        assert f"/{lang}/insights/</loc>" in sitemap


def test_figures_are_kept_until_the_register_changes(client, register, monkeypatch):
    from matchmaker.insights import queries

    reads = []
    original = queries.read_register
    monkeypatch.setattr(queries, "read_register", lambda: reads.append(1) or original())
    client.get("/en/insights/")
    client.get("/en/insights/?country=PL")
    assert len(reads) == 1
    moderator = UserFactory(role="moderator")
    owner = UserFactory(email="late@example.org")
    late = make_organisation(owner, name="Late Ltd", country="PL", region="PL-MA")
    publish("organisation", late, moderator)
    page = parse(client.get("/en/insights/"))
    assert len(reads) == 2
    assert page.rows["organisation-countries"][0] == ["Poland", "3"]


def test_where_counts_projects_and_organisations_per_region_on_a_shaded_map(client, register):
    response = client.get("/en/insights/")
    rows = parse(response).rows["places"]
    assert rows[0] == ["Lesser Poland, Poland", "2", "2", "1"]  # Kraków: both in 4 quarters
    assert len(rows) == 4  # the draft organisation's region is not among them
    body = response.get_data(as_text=True)
    where = body[body.index('id="where"') : body.index('id="connections"')]
    assert re.search(r'<path class="country country-core shade-5" data-country="PL"', where)
    assert re.search(r'<path class="country country-core shade-2" data-country="DK"', where)
    assert re.search(r'<path class="country" data-country="SE"', where)  # nothing published
    assert "<title>Lesser Poland, Poland: 2</title>" in where
    csv = csv_rows(client.get("/en/insights/places.csv"))
    assert csv[1] == ["PL-MA", "Lesser Poland, Poland", "2", "2", "1"]


def test_where_with_a_country_filter_lists_its_regions_only(client, register):
    rows = parse(client.get("/pl/insights/?country=PL")).rows["places"]
    assert [row[0] for row in rows] == ["Małopolskie, Polska", "Dolnośląskie, Polska"]


def test_stage_moves_count_approved_stage_changes_of_the_last_4_quarters(client, register):
    edited = db.session.scalar(  # Oslo's published project, its edit under review
        select(Project).where(Project.status == "submitted", Project.published_at.is_not(None))
    )
    moderator = db.session.scalar(select(User).where(User.role == "moderator"))
    empty = parse(client.get("/en/insights/"))
    assert "stage-moves" not in empty.svgs  # the edit waits for a moderator: no move yet
    assert empty.paragraphs["stage-moves"] == [
        t("en", "No project has changed its stage in the last 4 quarters.")
    ]
    moderation.approve("project", edited, moderator)
    db.session.execute(
        update(ModerationDecision)
        .where(ModerationDecision.item_id == edited.id)
        .values(created_at=datetime(2025, 5, 10, 12, tzinfo=UTC))  # in TODAY's quarter
    )
    db.session.commit()
    rows = parse(client.get("/en/insights/")).rows["stage-moves"]
    assert rows == [[f"{label('pilot')} → {label('commercialisation')}", "1"]]
    csv = csv_rows(client.get("/en/insights/stage-moves.csv"))
    assert csv[1][0] == "pilot:commercialisation"
    assert parse(client.get("/en/insights/?country=PL")).rows["stage-moves"] == []


def test_projects_per_country_and_quarter_new_countries_first(client, register):
    rows = parse(client.get("/en/insights/")).rows["country-growth"]
    assert [row[0] for row in rows] == ["Denmark", "Norway", "Poland"]
    poland = rows[2]
    assert poland[-3:] == ["2", "1", format_percent(1.0, locale="en_GB")]
    assert rows[0][-1] == t("en", "new")
    only_poland = parse(client.get("/en/insights/?country=PL")).rows["country-growth"]
    assert [row[0] for row in only_poland] == ["Poland"]


def test_the_figures_can_run_to_a_past_quarter_named_in_the_address(client, register):
    response = client.get("/en/insights/?until=2024-Q4")
    page = parse(response)
    earlier = [(2023, 1), (2023, 2), *QUARTERS[:6]]  # the 8 quarters up to Q4 2024
    assert [row[0] for row in page.rows["quarters"]] == [quarter("en", *q) for q in earlier]
    assert [row[1] for row in page.rows["quarters"]] == ["0", "0", "0", "0", "1", "0", "0", "1"]
    assert page.csv["quarters"].endswith("/en/insights/quarters.csv?until=2024-Q4")
    assert csv_rows(client.get(page.csv["quarters"]))[-1][0] == "2024-Q4"
    body = response.get_data(as_text=True)
    assert '<option value="2024-Q4" selected>' in body
    assert format_date(date(2024, 12, 31), "long", locale="en_GB") in body


@pytest.mark.parametrize("value", ["2031-Q1", "2024-Q5", "yesterday"])
def test_a_period_that_is_no_past_quarter_shows_today_with_a_message(client, register, value):
    response = client.get(f"/en/insights/?until={value}")
    page = parse(response)
    assert [row[0] for row in page.rows["quarters"]][-1] == quarter("en", 2025, 2)
    message = t(
        "en",
        "“%(value)s” is not a past quarter such as %(example)s; the figures run to today.",
        value=value.upper(),
        example="2025-Q1",
    )
    assert message in response.get_data(as_text=True)
