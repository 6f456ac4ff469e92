"""What browsers and proxies may keep (matchmaker.caching): static files under names that
carry their content's digest, kept for a year; pages and files answered with 304 when
the browser's copy is current, and kept by the browser only."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from flask import Response, url_for

from matchmaker.caching import YEAR, answer_unchanged
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy

STATIC_LINK = re.compile(r'(?:src|href)="(/static/[^"]+)"')


@pytest.fixture
def register(app):
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(email="mod@example.org", role="moderator")
    publish("organisation", make_organisation(owner, name="Nordic Telecare AS"), moderator)
    return owner, moderator


@pytest.fixture
def own_static(app, tmp_path):
    """A static folder of this test's own, with one style sheet in it."""
    folder = tmp_path / "static"
    shutil.copytree(app.static_folder, folder)
    app.static_folder = str(folder)
    return folder


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_every_static_file_of_a_page_is_named_by_its_content_and_kept_a_year(app, client):
    page = client.get("/en/").get_data(as_text=True)
    links = STATIC_LINK.findall(page)
    assert len(links) >= 3  # the style sheet, htmx, the site's script, the icon
    for link in links:
        name = re.fullmatch(r"/static/(.+)\.([0-9a-f]{12})(\.\w+)", link)
        assert name, link
        plain = name[1] + name[3]
        content = (Path(app.static_folder) / plain).read_bytes()
        assert name[2] == hashlib.sha256(content).hexdigest()[:12]
        with client.get(link) as response:
            assert response.status_code == 200 and response.data == content
            kept = response.cache_control
        assert kept.public and kept.immutable and kept.max_age == YEAR and not kept.no_cache


def test_a_changed_file_gets_a_new_name_and_the_old_name_is_not_kept_long(app, client, own_static):
    sheet = own_static / "css" / "app.css"
    before = static_url(app, "css/app.css")
    sheet.write_text(sheet.read_text() + "\n.new-rule { color: #000; }\n")
    os.utime(sheet, (1, 1))  # a modification time of its own, however fast the test runs
    after = static_url(app, "css/app.css")
    assert after != before
    with client.get(before) as old:
        assert old.status_code == 200 and b".new-rule" in old.data  # today's file…
        assert not old.cache_control.immutable and not old.cache_control.max_age  # revalidated
    with client.get(after) as new:
        assert new.cache_control.immutable


def test_the_plain_name_works_and_is_revalidated(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert not response.cache_control.immutable
    held = {"If-None-Match": response.headers["ETag"]}
    with client.get("/static/css/app.css", headers=held) as again:
        assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/nothing.0123456789ab.css",
        "/static/css/..%2F..%2Fconfig.0123456789ab.py",
        "/static/../config.py",
    ],
)
def test_no_file_outside_the_folder_nor_an_invented_one(client, path):
    assert client.get(path).status_code == 404


def test_a_page_the_browser_holds_is_answered_with_304_until_it_changes(client, register):
    owner, moderator = register
    client.get("/en/organisations")  # the first visit sets the language and session cookies
    first = client.get("/en/organisations")
    assert first.status_code == 200
    assert first.cache_control.private and first.cache_control.no_cache
    held = {"If-None-Match": first.headers["ETag"]}
    unchanged = client.get("/en/organisations", headers=held)
    assert unchanged.status_code == 304 and unchanged.data == b""
    publish("organisation", make_organisation(owner, name="Aarhus MedTech ApS"), moderator)
    changed = client.get("/en/organisations", headers=held)
    assert changed.status_code == 200 and b"Aarhus MedTech ApS" in changed.data


def test_a_compressed_page_is_answered_with_304_too(client, register):
    gzipped = {"Accept-Encoding": "gzip"}
    client.get("/en/organisations")
    first = client.get("/en/organisations", headers=gzipped)
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get(
        "/en/organisations", headers={**gzipped, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_public_csv_file_is_answered_with_304(client, register):
    client.get("/en/insights/quarters.csv")
    first = client.get("/en/insights/quarters.csv")
    assert first.status_code == 200 and first.mimetype == "text/csv"
    again = client.get(
        "/en/insights/quarters.csv", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_file_of_personal_data_is_never_kept_nor_given_an_etag(app):
    with app.test_request_context("/en/my/events/1/participants.csv"):
        response = Response("name\r\nAlice\r\n", mimetype="text/csv")
        response.headers["Cache-Control"] = "no-store"
        answered = answer_unchanged(response)
    assert answered.status_code == 200 and "ETag" not in answered.headers
    assert answered.headers["Cache-Control"] == "no-store"


def test_errors_and_changes_are_not_given_an_etag(client):
    missing = client.get("/en/organisations/999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    posted = client.post("/en/account/login", data={})
    assert "ETag" not in posted.headers
