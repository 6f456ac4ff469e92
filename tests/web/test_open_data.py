"""The open data files: built by the CLI and the nightly job, replaced atomically, served
at stable addresses with a page that explains them; published items only, no person."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from matchmaker import jobs
from matchmaker.api import records
from matchmaker.csv_writer import cell
from matchmaker.extensions import db
from matchmaker.open_data import files
from matchmaker.open_data.readme import COLUMNS, TAGS
from matchmaker.register.models import RegisterEntry
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import translated

LANGUAGES = ("pl", "en", "da", "nb")
DATA_FILES = [f"register-{lang}.{fmt}" for lang in LANGUAGES for fmt in ("csv", "json")]
# Details of people that no file may hold.
PRIVATE = ("Zebulon Quaxworth", "zebulon.quaxworth@people.example", "+47 912 34 567")


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "OPEN_DATA_DIR": str(tmp_path / "open-data")}


@pytest.fixture
def register(app):
    """A published organisation with a published project; a draft of each beside them."""
    sync_taxonomy()
    owner = UserFactory(name=PRIVATE[0], email=PRIVATE[1], phone=PRIVATE[2], share_phone=True)
    moderator = UserFactory(role="moderator", name="Yolanda Moderatova")
    oslo = make_organisation(owner, name="Oslo Sensor AS")
    wroclaw = make_organisation(
        owner,
        name="Wrocław Med",
        country="PL",
        region="PL-DS",
        original_language="pl",
        texts={"pl": {"description": "Urządzenia medyczne."}},
        tags={"category": ["medical_devices"]},
    )
    make_organisation(owner, name="Hidden Draft AS")
    publish("organisation", oslo, moderator)
    publish("organisation", wroclaw, moderator)
    publish("project", make_project(oslo), moderator)
    make_project(oslo, texts={"en": {"title": "Secret draft project", "summary": "x"}})
    return oslo, wroclaw


def folder(app) -> Path:
    return Path(app.config["OPEN_DATA_DIR"])


def read(app, name: str) -> str:
    return (folder(app) / name).read_bytes().decode("utf-8")


def expected_rows(lang: str) -> list[dict]:
    """The register's export rows, as the API builds them: organisations, then projects."""
    entries = db.session.scalars(
        select(RegisterEntry).order_by(RegisterEntry.item_type, RegisterEntry.item_id)
    ).all()
    with current_app.test_request_context():
        return records.records(entries, lang)


def test_the_cli_builds_every_file(app, runner, register):
    result = runner.invoke(args=["open-data", "build"])
    assert result.exit_code == 0, result.output
    assert "3 records" in result.output
    assert sorted(p.name for p in folder(app).iterdir()) == sorted([*DATA_FILES, "README.txt"])


def test_the_nightly_job_builds_the_files(app, register):
    jobs.run_job("open-data")
    assert jobs.health()["open-data"]["status"] == "ok"
    assert json.loads(read(app, "register-en.json"))["count"] == 3


@pytest.mark.parametrize("lang", LANGUAGES)
def test_json_records_equal_the_export_rows(app, register, lang):
    files.build()
    data = json.loads(read(app, f"register-{lang}.json"))
    assert data["items"] == expected_rows(lang)
    assert data["language"] == lang
    assert data["licence"] == "CC BY 4.0"
    assert data["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_csv_rows_equal_the_export_rows_of_both_kinds(app, register):
    files.build()
    text = read(app, "register-da.csv")
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    rows = expected_rows("da")
    assert [row["type"] for row in table] == ["organisation", "organisation", "project"]
    for written, row in zip(table, rows, strict=True):
        for key, value in row.items():
            assert written[key] == str(cell(value)), key
    assert table[2]["seeks_codes"] == "pilot_site"
    assert table[0]["seeks_codes"] == ""  # an organisation seeks nothing


def test_nothing_unpublished_and_no_person_in_any_file(app, register):
    files.build()
    for name in [*DATA_FILES, "README.txt"]:
        text = read(app, name)
        for secret in (*PRIVATE, "Yolanda Moderatova", "Hidden Draft AS", "Secret draft"):
            assert secret not in text, (name, secret)
    assert "Oslo Sensor AS" in read(app, "register-nb.csv")


def test_the_readme_explains_every_column_and_states_the_licence(app, register):
    app.config["OPEN_DATA_LICENCE"] = "ODbL 1.0"
    app.config["OPEN_DATA_LICENCE_URL"] = "https://opendatacommons.org/licenses/odbl/1-0/"
    files.build()
    readme = read(app, "README.txt")
    assert "Licence: ODbL 1.0 (https://opendatacommons.org/licenses/odbl/1-0/)" in readme
    header = read(app, "register-en.csv").removeprefix("\ufeff").splitlines()[0].split(",")
    described = set(COLUMNS) | {f"{role}_{part}" for role in TAGS for part in ("codes", "labels")}
    assert set(header) == described
    for column in header:
        assert f"\n{column}: " in readme


def test_a_failing_build_leaves_the_previous_files(app, register, monkeypatch):
    files.build()
    before = {name: read(app, name) for name in DATA_FILES}

    def broken(entries, lang):
        raise RuntimeError("the database went away")

    UserFactory()  # a change, so that a new build would differ
    monkeypatch.setattr(files, "records", broken)
    with pytest.raises(RuntimeError):
        files.build()
    assert {name: read(app, name) for name in DATA_FILES} == before
    assert sorted(p.name for p in folder(app).iterdir()) == sorted([*DATA_FILES, "README.txt"])


def test_the_old_file_stays_readable_until_the_new_one_is_complete(app, register, monkeypatch):
    """While a build writes, the served file is still the whole previous one."""
    files.build()
    before = read(app, "register-en.json")
    seen = []
    real = files.records

    def watching(entries, lang):
        seen.append(json.loads(read(app, "register-en.json")))  # complete JSON, or it fails
        return real(entries, lang)

    monkeypatch.setattr(files, "records", watching)
    files.build()
    assert seen and all(data == json.loads(before) for data in seen)


def test_files_are_served_at_stable_addresses(app, client, register):
    files.build()
    with client.get("/open-data/register-en.csv") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.get_data(as_text=True) == read(app, "register-en.csv")
    with client.get("/open-data/register-pl.json") as response:
        assert response.get_json()["count"] == 3
    with client.get("/open-data/README.txt") as response:
        assert response.mimetype == "text/plain"


def test_files_are_404_before_the_first_build(client, register):
    for name in [*DATA_FILES, "README.txt"]:
        assert client.get(f"/open-data/{name}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/../instance/secret_key",
        "/open-data/..%2Fsecret_key",
        "/open-data/%2e%2e/%2e%2e/matchmaker/config.py",
        "/open-data/.register-en.csv.part",
        "/open-data/register-xx.csv",
        "/open-data//etc/passwd",
        "/open-data/register-en.csv/..",
    ],
)
def test_no_other_path_is_served(app, client, register, path):
    files.build()
    (folder(app) / "other.txt").write_text("not published")
    assert client.get(path).status_code == 404
    assert client.get("/open-data/other.txt").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_before_the_first_build_says_so(client, lang):
    response = client.get(f"/{lang}/open-data")
    assert response.status_code == 200
    message = (
        "The files have not been written yet. They will be here after the next nightly update."
    )
    assert translated(lang, message) in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_lists_the_files_with_size_and_licence(app, client, register, lang):
    files.build()
    html = client.get(f"/{lang}/open-data").get_data(as_text=True)
    for name in [*DATA_FILES, "README.txt"]:
        assert f'href="/open-data/{name}"' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in html
    assert "kB</td>" in html
    assert translated(lang, "Open data") in html


def test_open_data_addresses_without_a_language_lead_to_the_page(client):
    response = client.get("/open-data/", headers={"Accept-Language": "da"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/da/open-data")


def test_the_register_lists_and_the_sitemap_link_the_page(app, client, register):
    for page in ("/en/organisations", "/en/projects"):
        assert 'href="/en/open-data"' in client.get(page).get_data(as_text=True)
    assert "/pl/open-data</loc>" in client.get("/sitemap.xml").get_data(as_text=True)
