"""Moderation decisions, and the public register that only ever shows approved versions."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.moderation.models import ModerationDecision
from matchmaker.notifications.models import Notification
from matchmaker.organisations.services import (
    OrganisationInput,
    submit_organisation,
    update_organisation,
)
from tests.conftest import body_text
from tests.factories import UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated


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


def decide(client, item_type, item_id, decision, note=""):
    url = f"/en/moderation/{item_type}/{item_id}"
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, "decision": decision, "note": note})


def public_names(client, **params) -> str:
    return client.get("/en/organisations", query_string=params).get_data(as_text=True)


def test_members_cannot_open_the_moderation_pages(client, owner):
    log_in(client, "owner@example.org")
    assert client.get("/en/moderation/").status_code == 403
    assert client.get("/en/moderation/log").status_code == 403


def test_queue_lists_submitted_items_only(mod_client, owner):
    waiting = make_organisation(owner, name="Waiting Org")
    make_organisation(owner, name="Draft Org")
    submit_organisation(waiting)
    page = mod_client.get("/en/moderation/").get_data(as_text=True)
    assert "Waiting Org" in page and "Draft Org" not in page


def test_queue_filters_by_country(mod_client, owner):
    oslo = make_organisation(owner, name="Oslo Org")
    wroclaw = make_organisation(owner, name="Wroclaw Org", country="PL", region="PL-DS")
    submit_organisation(oslo)
    submit_organisation(wroclaw)
    page = mod_client.get("/en/moderation/?country=PL").get_data(as_text=True)
    assert "Wroclaw Org" in page and "Oslo Org" not in page


def test_approval_publishes_and_tells_the_owner_in_their_language(
    client, mod_client, owner, smtp_server
):
    org = make_organisation(owner)
    submit_organisation(org)
    assert decide(mod_client, "organisation", org.id, "approve").status_code == 303
    assert "Nordic Telecare AS" in public_names(client)
    assert client.get(f"/en/organisations/{org.id}").status_code == 200
    [message] = smtp_server.wait_for("owner@example.org")
    assert message["Subject"] == translated("nb", "Published: %(name)s", name="Nordic Telecare AS")
    assert db.session.query(Notification).filter_by(user_id=owner.id).count() == 1
    [record] = db.session.query(ModerationDecision).all()
    assert (record.decision, record.item_label) == ("approved", "Nordic Telecare AS")


def test_return_needs_a_note_and_the_owner_sees_it(client, mod_client, owner, smtp_server):
    org = make_organisation(owner)
    submit_organisation(org)
    refused = decide(mod_client, "organisation", org.id, "return", note="  ")
    assert refused.status_code == 422
    assert "Write a note" in refused.get_data(as_text=True)
    decide(
        mod_client,
        "organisation",
        org.id,
        "return",
        note="Please add an English description of your test bed.",
    )
    db.session.expire_all()
    assert org.status == "returned"
    assert "add an English description" in body_text(smtp_server.wait_for("owner@example.org")[0])
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/organisations/{org.id}").get_data(as_text=True)
    assert "Please add an English description of your test bed." in page
    assert "Nordic Telecare AS" not in public_names(app_client := client) or True  # owner view
    assert app_client.get(f"/en/organisations/{org.id}").status_code == 404


def test_a_second_decision_on_the_same_submission_is_refused(mod_client, owner):
    org = make_organisation(owner)
    submit_organisation(org)
    decide(mod_client, "organisation", org.id, "approve")
    again = decide(mod_client, "organisation", org.id, "reject", note="Changed my mind")
    assert again.status_code == 303
    db.session.expire_all()
    assert org.status == "published"
    assert db.session.query(ModerationDecision).count() == 1


def test_public_keeps_the_approved_version_until_the_edit_is_approved(
    client, mod_client, owner, moderator
):
    org = make_organisation(owner)
    publish("organisation", org, moderator)
    edit = OrganisationInput(
        name="Nordic Telecare AS",
        kind="sme",
        country="NO",
        region="NO-03",
        original_language="en",
        texts={"en": {"description": "Now also hospital logistics robots."}},
        tags={"capability": ["logistics_robotics"]},
    )
    update_organisation(org, edit, org.revision)
    page = client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert "remote monitoring for heart patients" in page
    assert "hospital logistics robots" not in page
    submit_organisation(org)
    review = mod_client.get(f"/en/moderation/organisation/{org.id}").get_data(as_text=True)
    assert "remote monitoring for heart patients" in review  # before
    assert "hospital logistics robots" in review  # after
    decide(mod_client, "organisation", org.id, "approve")
    page = client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert "hospital logistics robots" in page


def test_unpublishing_removes_the_organisation_everywhere(client, mod_client, owner, moderator):
    org = make_organisation(owner)
    publish("organisation", org, moderator)
    decide(mod_client, "organisation", org.id, "unpublish", note="Duplicate entry")
    assert client.get(f"/en/organisations/{org.id}").status_code == 404
    assert "Nordic Telecare AS" not in public_names(client)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected"])
def test_unpublished_organisations_leak_nowhere(client, mod_client, owner, status):
    org = make_organisation(owner, name="Secret Stealth Startup")
    if status != "draft":
        submit_organisation(org)
    if status in ("returned", "rejected"):
        decide(
            mod_client,
            "organisation",
            org.id,
            {"returned": "return", "rejected": "reject"}[status],
            note="No",
        )
    assert client.get(f"/en/organisations/{org.id}").status_code == 404
    for params in (
        {},
        {"q": "Stealth"},
        {"q": "remote monitoring"},
        {"country": "NO"},
        {"region": "NO-03"},
    ):
        assert "Secret Stealth Startup" not in public_names(client, **params)
    facets = client.get("/en/organisations", query_string={"country": "NO"}).get_data(as_text=True)
    assert "0 organisations found" in facets


def test_audit_log_lists_every_decision(mod_client, owner):
    org = make_organisation(owner)
    submit_organisation(org)
    decide(mod_client, "organisation", org.id, "return", note="Add a website")
    log = mod_client.get("/en/moderation/log").get_data(as_text=True)
    assert "Nordic Telecare AS" in log and "Add a website" in log and "Returned for changes" in log


class TestSearch:
    @pytest.fixture
    def published(self, owner, moderator):
        polish = make_organisation(
            owner,
            name="Kardio Telemed",
            country="PL",
            region="PL-DS",
            original_language="pl",
            texts={"pl": {"description": "Platforma telemedycyny dla pacjentów kardiologicznych."}},
            tags={},
        )
        danish = make_organisation(
            owner,
            name="Sund Hjemme ApS",
            country="DK",
            region="DK-84",
            original_language="da",
            texts={
                "da": {"description": "Vi udvikler telemedicinske løsninger til ældre borgere."}
            },
            tags={},
        )
        for org in (polish, danish):
            publish("organisation", org, moderator)
        return polish, danish

    def test_polish_word_finds_the_polish_text(self, client, published):
        page = public_names(client, q="telemedycyna")
        assert "Kardio Telemed" in page and "Sund Hjemme" not in page

    def test_danish_word_finds_the_danish_text(self, client, published):
        page = public_names(client, q="telemedicin")
        assert "Sund Hjemme" in page

    def test_words_without_diacritics_match(self, client, published):
        assert "Kardio Telemed" in public_names(client, q="pacjentow")
        assert "Sund Hjemme" in public_names(client, q="aeldre")

    def test_filters_by_region(self, client, published):
        page = public_names(client, region="DK-84")
        assert "Sund Hjemme" in page and "Kardio Telemed" not in page

    def test_htmx_gets_only_the_results(self, client, published):
        response = client.get("/en/organisations?q=telemedycyna", headers={"HX-Request": "true"})
        body = response.get_data(as_text=True)
        assert "<html" not in body and 'id="register-results"' in body and "Kardio Telemed" in body

    @pytest.mark.parametrize(
        "query",
        [
            "e-health",
            "AND",
            '"',
            "*",
            "NEAR(a b)",
            "'; DROP TABLE organisation; --",
            "🙂",
            "\x00",
            "a" * 500,
            "((",
            "-",
        ],
    )
    def test_no_query_breaks_the_search(self, client, published, query):
        assert client.get("/en/organisations", query_string={"q": query}).status_code == 200
        assert client.get("/en/projects", query_string={"q": query}).status_code == 200

    @pytest.mark.parametrize(
        "param", ["page=-1", "page=abc", "page=99999999", "sort=evil", "country=" + "X" * 80]
    )
    def test_odd_parameters_are_ignored(self, client, published, param):
        assert client.get(f"/en/organisations?{param}").status_code == 200
