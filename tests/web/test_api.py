"""The open API: the register's lists and filters, pages, privacy, languages, HTTP headers."""

from __future__ import annotations

import re

import pytest

from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

SECRET_NAME = "Zbigniewa Qwertyńska"
SECRET_EMAIL = "zbigniewa.qwerty@secret.example"
SECRET_PHONE = "+48 601 234 987"


@pytest.fixture
def moderator(app):
    sync_taxonomy()
    return UserFactory(
        name="Moderatorius Xyzzy", email="xyzzy.mod@secret.example", role="moderator"
    )


@pytest.fixture
def owner(app):
    return UserFactory(
        name=SECRET_NAME, email=SECRET_EMAIL, phone=SECRET_PHONE, job_title="Chief Plughbearer"
    )


def project(organisation, moderator, title, published=True, **fields):
    item = make_project(
        organisation,
        texts={"en": {"title": title, "summary": "Short.", "description": "Longer."}},
        **fields,
    )
    if published:
        publish("project", item, moderator)
    return item


@pytest.fixture
def world(owner, moderator):
    """Two published organisations with projects, and what must never appear: a draft
    organisation, one under review, a draft project and one under review."""
    from matchmaker.organisations.services import submit_organisation
    from matchmaker.projects.services import submit_project

    oslo = make_organisation(owner, name="Nordic Telecare AS")
    publish("organisation", oslo, moderator)
    krakow = make_organisation(
        owner,
        name="Szpital Krakowski",
        kind="hospital",
        country="PL",
        region="PL-MA",
        original_language="pl",
        texts={"pl": {"description": "Szpital uniwersytecki."}},
    )
    publish("organisation", krakow, moderator)
    draft = make_organisation(owner, name="Draft Organisation Hidden")
    reviewed = make_organisation(owner, name="Reviewed Organisation Hidden")
    submit_organisation(reviewed)
    items = {
        "heart": project(oslo, moderator, "Heart sensors at home"),
        "lungs": project(
            oslo,
            moderator,
            "Lung telemedicine",
            stage="commercialisation",
            tags={"category": ["medical_devices"], "seeks": ["investment"]},
        ),
        "surgery": project(krakow, moderator, "Surgical robot pilot", stage="concept"),
        "draft_project": project(oslo, moderator, "Draft Project Hidden", published=False),
        "reviewed_project": project(oslo, moderator, "Reviewed Project Hidden", published=False),
    }
    submit_project(items["reviewed_project"])
    return {"oslo": oslo, "krakow": krakow, "draft": draft, "reviewed": reviewed, **items}


def page_titles(client, listing: str, **params) -> list[str]:
    page = client.get(f"/en/{listing}", query_string=params).get_data(as_text=True)
    return re.findall(r"<h3[^>]*>\s*<a [^>]*>([^<]+)</a>", page)


def api_names(client, listing: str, **params) -> list[str]:
    answer = client.get(f"/api/v1/{listing}", query_string=params)
    assert answer.status_code == 200, answer.get_json()
    return [item["name"] for item in answer.get_json()["items"]]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"country": "NO"},
        {"country": ["NO", "PL"]},
        {"stage": "pilot"},
        {"category": "medical_devices"},
        {"seeks": "investment", "country": "NO"},
        {"q": "telemedicine"},
        {"q": "sensors", "sort": "name"},
        {"sort": "name"},
        {"country": "DK"},
    ],
)
def test_project_lists_equal_the_register_page(client, world, params):
    assert api_names(client, "projects", **params) == page_titles(client, "projects", **params)


@pytest.mark.parametrize("params", [{}, {"country": "PL"}, {"q": "szpital"}, {"sort": "name"}])
def test_organisation_lists_equal_the_register_page(client, world, params):
    assert api_names(client, "organisations", **params) == page_titles(
        client, "organisations", **params
    )


def test_the_kind_filter_selects_by_the_organisation_kind(client, world):
    # Not compared with the list page: with `kind` in its URL the page fails (its download
    # links pass `kind` twice to url_for).
    assert api_names(client, "projects", kind="hospital") == ["Surgical robot pilot"]
    assert api_names(client, "organisations", kind="sme") == ["Nordic Telecare AS"]


def test_facets_count_the_values_under_the_other_filters(client, world):
    body = client.get("/api/v1/projects", query_string={"country": "NO"}).get_json()
    assert body["total"] == 2
    countries = {row["value"]: row["count"] for row in body["facets"]["country"]}
    assert countries == {"NO": 2, "PL": 1}  # a facet does not filter itself
    stages = {row["value"]: (row["count"], row["label"]) for row in body["facets"]["stage"]}
    assert stages == {"pilot": (1, "Pilot"), "commercialisation": (1, "Commercialisation")}


def test_pages_walk_every_item_exactly_once(client, world, moderator):
    for number in range(4):
        project(world["krakow"], moderator, f"Extra project {number}")
    seen, url, pages = [], "/api/v1/projects?limit=2", 0
    while url:
        body = client.get(url).get_json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        url, pages = body["next"], pages + 1
    assert pages == 4
    assert len(seen) == len(set(seen)) == 7
    assert seen == [
        item["id"] for item in client.get("/api/v1/projects?limit=100").get_json()["items"]
    ]


def test_the_next_page_keeps_the_filters(client, world):
    first = client.get("/api/v1/projects?country=NO&limit=1").get_json()
    assert "country=NO" in first["next"]
    second = client.get(first["next"]).get_json()
    assert second["total"] == 2 and second["next"] is None
    assert [item["country"] for item in first["items"] + second["items"]] == ["NO", "NO"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=many",
        "cursor=made-up",
        "lang=de",
        "sort=best",
        "funding_min=lots",
    ],
)
def test_wrong_parameters_are_a_400_saying_what_is_wrong(client, world, query):
    answer = client.get(f"/api/v1/projects?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == 400 and body["message"]
    if query == "lang=de":
        assert body["errors"]["query"]["lang"] == ["Must be one of: pl, en, da, nb."]


def test_a_detail_answers_the_published_item(client, world):
    body = client.get(f"/api/v1/projects/{world['heart'].id}").get_json()
    assert body["name"] == "Heart sensors at home"
    assert body["organisation"] == "Nordic Telecare AS"
    assert body["category_codes"] == ["ehealth_telemedicine"]
    assert body["url"].endswith(f"/en/projects/{world['heart'].id}")
    body = client.get(f"/api/v1/organisations/{world['krakow'].id}").get_json()
    assert (body["name"], body["region"], body["organisation_kind"]) == (
        "Szpital Krakowski",
        "PL-MA",
        "hospital",
    )


def test_unpublished_and_unknown_items_are_a_json_404(client, world):
    paths = [
        f"/api/v1/projects/{world['draft_project'].id}",
        f"/api/v1/projects/{world['reviewed_project'].id}",
        f"/api/v1/organisations/{world['draft'].id}",
        f"/api/v1/organisations/{world['reviewed'].id}",
        "/api/v1/projects/999999",
        "/api/v1/no-such-thing",
    ]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.get_json()["code"] == 404, path


def test_an_item_taken_off_the_register_is_gone(client, world, moderator):
    from matchmaker.moderation import services as moderation

    moderation.unpublish("project", world["heart"], moderator, "Outdated.")
    assert client.get(f"/api/v1/projects/{world['heart'].id}").status_code == 404
    assert "Heart sensors at home" not in api_names(client, "projects")


def test_no_endpoint_shows_a_person_or_anything_unpublished(client, world):
    ids = {key: world[key].id for key in ("heart", "oslo")}
    paths = [
        "/api/v1/projects",
        "/api/v1/organisations",
        f"/api/v1/projects/{ids['heart']}",
        f"/api/v1/organisations/{ids['oslo']}",
        "/api/v1/taxonomy",
        "/api/v1/openapi.json",
    ]
    forbidden = [
        SECRET_NAME,
        SECRET_EMAIL,
        SECRET_PHONE,
        "Qwerty",
        "Plughbearer",
        "Xyzzy",
        "secret.example",
        "Hidden",
    ]
    for path in paths:
        text = client.get(path).get_data(as_text=True)
        for query in ({"lang": "pl"}, {"lang": "da", "limit": 100}, {"q": "hidden"}):
            text += client.get(path, query_string=query).get_data(as_text=True)
        for word in forbidden:
            assert word not in text, (path, word)


def test_labels_come_in_the_language_asked_for_and_codes_stay(client, world):
    path = f"/api/v1/projects/{world['heart'].id}"
    english = client.get(path).get_json()
    polish = client.get(path, query_string={"lang": "pl"}).get_json()
    assert english["stage"] == polish["stage"] == "pilot"
    assert english["stage_label"] == "Pilot"
    assert polish["stage_label"] == "Pilotaż"
    assert (english["country_name"], polish["country_name"]) == ("Norway", "Norwegia")
    taxonomy = client.get("/api/v1/taxonomy", query_string={"lang": "nb"}).get_json()
    kinds = next(v for v in taxonomy["vocabularies"] if v["code"] == "org_kind")["tags"]
    hospital = next(tag for tag in kinds if tag["code"] == "hospital")
    assert hospital["label"] == "Sykehus / helsetjenesteyter"
    assert hospital["labels"]["pl"] == "Szpital / podmiot leczniczy"
    assert taxonomy["roles"]["project"]["need"] == "capability"
    regions = next(c for c in taxonomy["countries"] if c["code"] == "NO")["regions"]
    assert {"code": "NO-03", "name": "Oslo"} in regions


def test_an_unchanged_register_answers_304_and_a_change_a_new_etag(client, world, moderator):
    first = client.get("/api/v1/projects")
    tag = first.headers["ETag"]
    again = client.get("/api/v1/projects", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert client.get("/api/v1/projects?lang=pl").headers["ETag"] != tag
    gzip = {"Accept-Encoding": "gzip"}
    compressed = client.get("/api/v1/projects", headers=gzip).headers["ETag"]
    assert compressed != tag  # Flask-Compress marks the compressed copy's tag
    again = client.get("/api/v1/projects", headers={**gzip, "If-None-Match": compressed})
    assert (again.status_code, again.headers["ETag"]) == (304, compressed)
    project(world["oslo"], moderator, "Brand new project")
    changed = client.get("/api/v1/projects", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag


def test_answers_are_public_for_a_minute_and_open_to_other_sites(client, world):
    answer = client.get("/api/v1/projects")
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
    assert "Set-Cookie" not in answer.headers
    preflight = client.options("/api/v1/projects")
    assert preflight.headers["Access-Control-Allow-Headers"] == "If-None-Match"
    page = client.get("/en/projects")
    assert "Access-Control-Allow-Origin" not in page.headers


def test_the_api_changes_nothing(client, world):
    for method in ("post", "put", "patch", "delete"):
        answer = getattr(client, method)("/api/v1/projects")
        assert answer.status_code == 405, method
        assert answer.get_json()["code"] == 405
        assert "POST" not in answer.headers["Allow"]
    methods = {
        method
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods
    }
    assert methods == {"GET", "HEAD", "OPTIONS"}


def test_the_site_keeps_its_html_error_pages(client, world):
    answer = client.get("/en/no-such-page")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert client.post("/en/projects").mimetype == "text/html"


def test_the_openapi_document_is_3_1_and_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) == {
        "/api/v1/projects",
        "/api/v1/organisations",
        "/api/v1/projects/{project_id}",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/taxonomy",
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/insights",
    }


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_the_guide_explains_the_api_in_every_language(client, lang):
    page = client.get(f"/{lang}/api")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "curl 'http://localhost/api/v1/projects?country=PL" in text
    assert f'href="/{lang}/api"' in client.get(f"/{lang}/").get_data(as_text=True)


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute"}

    def test_a_client_over_the_limit_gets_a_json_429_with_retry_after(self, client, world):
        statuses = [client.get("/api/v1/taxonomy").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        answer = client.get("/api/v1/projects")
        assert answer.status_code == 429
        assert answer.get_json()["code"] == 429
        assert int(answer.headers["Retry-After"]) > 0
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert "Cache-Control" not in answer.headers
        other = client.get("/api/v1/projects", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200
