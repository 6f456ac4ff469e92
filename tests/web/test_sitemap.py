"""/sitemap.xml lists the public pages in four languages, published items only;
/robots.txt points to it and keeps crawlers out of private pages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.core import sitemap
from matchmaker.events.services import EventInput, create_event, publish_event
from matchmaker.extensions import db
from matchmaker.moderation import services as moderation
from matchmaker.organisations.services import (
    OrganisationInput,
    submit_organisation,
    update_organisation,
)
from matchmaker.register.models import RegisterEntry
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
LANGS = ("pl", "en", "da", "nb")
BASE = "http://localhost"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.get_data())


def urls(client, path: str = "/sitemap.xml") -> dict[str, ET.Element]:
    root = parse(client.get(path))
    assert root.tag == f"{{{NS['s']}}}urlset"
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def locations(client) -> set[str]:
    return set(urls(client))


def item_urls(kind: str, item_id: int) -> set[str]:
    return {f"{BASE}/{lang}/{kind}/{item_id}" for lang in LANGS}


@pytest.fixture
def people(app):
    sync_taxonomy()
    return UserFactory(email="owner@example.org"), UserFactory(role="moderator")


@pytest.fixture
def published(people):
    owner, moderator = people
    org = make_organisation(owner, name="Oslo Sensor AS")
    publish("organisation", org, moderator)
    project = make_project(org)
    publish("project", project, moderator)
    return org, project


def test_public_pages_are_listed_in_every_language(client, published):
    found = locations(client)
    for lang in LANGS:
        for path in ("/", "/projects", "/organisations", "/map"):
            assert f"{BASE}/{lang}{path}" in found


def test_published_organisations_and_projects_are_listed(client, published):
    org, project = published
    found = locations(client)
    assert item_urls("organisations", org.id) <= found
    assert item_urls("projects", project.id) <= found


def test_each_address_names_all_its_language_versions(client, published):
    org, _project = published
    for location, url in urls(client).items():
        links = url.findall("x:link", NS)
        hreflangs = {link.get("hreflang"): link.get("href") for link in links}
        assert {"pl", "en", "da", "nb"} <= set(hreflangs)
        assert location in hreflangs.values()
        assert all(link.get("rel") == "alternate" for link in links)
    organisation = urls(client)[f"{BASE}/da/organisations/{org.id}"]
    hreflangs = {link.get("hreflang") for link in organisation.findall("x:link", NS)}
    assert hreflangs == set(LANGS)
    home = urls(client)[f"{BASE}/en/"]
    default = [link for link in home.findall("x:link", NS) if link.get("hreflang") == "x-default"]
    assert [link.get("href") for link in default] == [f"{BASE}/"]


def test_items_are_dated_by_their_publication(client, published):
    org, _project = published
    entry = db.session.scalars(
        select(RegisterEntry).filter_by(item_type="organisation", item_id=org.id)
    ).one()
    lastmod = urls(client)[f"{BASE}/nb/organisations/{org.id}"].findtext("s:lastmod", namespaces=NS)
    assert lastmod.startswith(entry.published_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert lastmod.endswith("+00:00")
    assert urls(client)[f"{BASE}/nb/projects"].findtext("s:lastmod", namespaces=NS)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "unpublished"])
def test_unpublished_organisations_are_not_listed(client, people, status):
    owner, moderator = people
    org = make_organisation(owner, name="Secret Stealth Startup")
    if status == "unpublished":
        publish("organisation", org, moderator)
        moderation.unpublish("organisation", org, moderator, "Duplicate entry")
    elif status != "draft":
        submit_organisation(org)
        if status == "returned":
            moderation.return_for_changes("organisation", org, moderator, "Add a description.")
        if status == "rejected":
            moderation.reject("organisation", org, moderator, "Not health related.")
    found = locations(client)
    assert not item_urls("organisations", org.id) & found
    assert not [url for url in found if f"/organisations/{org.id}" in url]


def test_draft_projects_of_a_published_organisation_are_not_listed(client, published):
    org, _project = published
    draft = make_project(org)
    assert not item_urls("projects", draft.id) & locations(client)


def test_projects_leave_with_their_unpublished_organisation(client, people, published):
    _owner, moderator = people
    org, project = published
    moderation.unpublish("organisation", org, moderator, "Closed down")
    found = locations(client)
    assert not item_urls("organisations", org.id) & found
    assert not item_urls("projects", project.id) & found


def test_an_edited_published_item_stays_listed_while_the_edit_waits(client, published):
    org, _project = published
    edit = OrganisationInput(
        name="Oslo Sensor Group AS",
        kind="sme",
        country="NO",
        region="NO-03",
        original_language="en",
        texts={"en": {"description": "Now also hospital logistics robots."}},
        tags={"capability": ["logistics_robotics"]},
    )
    update_organisation(org, edit, org.revision)
    submit_organisation(org)
    assert item_urls("organisations", org.id) <= locations(client)


def test_an_empty_register_still_gives_a_valid_sitemap(client):
    found = locations(client)
    assert f"{BASE}/pl/" in found
    assert not [url for url in found if "/organisations/" in url or "/projects/" in url]


def test_a_big_register_is_split_behind_a_sitemap_index(client, published, monkeypatch):
    org, project = published
    monkeypatch.setattr(sitemap, "ITEMS_PER_FILE", 1)
    root = parse(client.get("/sitemap.xml"))
    assert root.tag == f"{{{NS['s']}}}sitemapindex"
    files = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert files == [f"{BASE}/sitemap-1.xml", f"{BASE}/sitemap-2.xml"]
    found = set()
    for address in files:
        found |= set(urls(client, address.removeprefix(BASE)))
    assert f"{BASE}/en/map" in found
    assert item_urls("organisations", org.id) | item_urls("projects", project.id) <= found
    assert client.get("/sitemap-3.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_private_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    for prefix in ("account", "my", "moderation"):
        assert f"Disallow: /*/{prefix}/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert not [line for line in lines if line.strip() in ("Disallow: /", "Disallow: /*")]


def test_published_events_are_in_the_sitemap_and_drafts_and_calendars_are_not(
    client, people, published
):
    owner, _ = people
    org, _ = published
    soon = utcnow() + timedelta(days=30)

    def event(title):
        return create_event(
            owner,
            org,
            EventInput(
                kind="study_visit",
                original_language="en",
                city="Oslo",
                country="NO",
                timezone="Europe/Oslo",
                starts_at=soon,
                ends_at=soon + timedelta(hours=6),
                registration_deadline=soon - timedelta(days=3),
                capacity=10,
                texts={"en": {"title": title, "description": "A visit."}},
            ),
        )

    public, draft = event("Public visit"), event("Draft visit")
    publish_event(public)
    found = locations(client)
    assert item_urls("events", public.id) <= found
    assert {f"{BASE}/{lang}/events/" for lang in LANGS} <= found
    assert not item_urls("events", draft.id) & found
    lines = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert "Disallow: /*/events/calendar/" in lines
