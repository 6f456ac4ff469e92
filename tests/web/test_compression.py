"""Responses travel compressed when the browser accepts it: pages, fragments, exports and
calendars, with `Vary: Accept-Encoding` so that caches keep the two apart; small
responses and browsers that ask for nothing get the plain bytes."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database


@pytest.fixture
def register(app):
    sync_taxonomy()
    owner = UserFactory(email="owner@example.org")
    moderator = UserFactory(email="mod@example.org", role="moderator")
    for n in range(12):
        publish("organisation", make_organisation(owner, name=f"Nordic Telecare {n} AS"), moderator)


def plain(client, url: str, **headers) -> bytes:
    response = client.get(url, headers={"Accept-Encoding": "identity", **headers})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    return response.data


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [("gzip", gzip.decompress), ("br", brotli.decompress)],
)
def test_a_register_page_is_compressed_and_says_it_varies(client, register, encoding, decode):
    url = "/en/organisations"
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    body = decode(response.data)
    assert b"Nordic Telecare 11 AS" in body and body.rstrip().endswith(b"</html>")
    assert abs(len(body) - len(plain(client, url))) < 100  # the same page (but its nonce)
    assert len(response.data) * 3 < len(body)  # a register page shrinks by far more


def test_fragments_and_exports_are_compressed(client, register):
    fragment = client.get(
        "/en/organisations", headers={"Accept-Encoding": "gzip", "HX-Request": "true"}
    )
    assert fragment.headers["Content-Encoding"] == "gzip"
    export = client.get("/en/organisations/export.json", headers={"Accept-Encoding": "gzip"})
    assert export.headers["Content-Encoding"] == "gzip"
    rows = json.loads(gzip.decompress(export.data))
    assert len(rows if isinstance(rows, list) else rows["items"]) == 12
    csv = client.get("/en/organisations/export.csv", headers={"Accept-Encoding": "gzip"})
    assert csv.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(csv.data).decode("utf-8-sig").splitlines()) == 1 + 12


def test_small_answers_and_browsers_without_compression_get_plain_bytes(client, register):
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers
    assert b"Nordic Telecare 0 AS" in plain(client, "/en/organisations")
