"""Organisation profiles: creating, editing, submitting, and who may do what."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.organisations.models import Organisation
from tests.factories import UserFactory, make_organisation, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, post_form


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org")


def form_data(**overrides) -> dict:
    data = {
        "name": "Telemed Sp. z o.o.",
        "kind": "sme",
        "country": "PL",
        "region": "PL-DS",
        "city": "Wrocław",
        "original_language": "pl",
        "working_languages": ["pl", "en"],
        "texts_pl-description": "Rozwijamy telemedycynę dla kardiologii.",
        "texts_en-description": "We develop telemedicine for cardiology.",
        "capabilities": ["telemedicine_platform"],
        "needs": ["clinical_validation"],
        "categories": ["ehealth_telemedicine"],
    }
    data.update(overrides)
    return data


def create(client, **overrides):
    return post_form(client, "/en/my/organisations/new", form_data(**overrides))


def test_member_creates_a_draft_with_tags_and_texts_in_two_languages(client, owner):
    log_in(client, "owner@example.org")
    response = create(client)
    assert response.status_code == 303
    org = db.session.query(Organisation).one()
    assert (org.name, org.status, org.region) == ("Telemed Sp. z o.o.", "draft", "PL-DS")
    assert {t.lang for t in org.texts} == {"pl", "en"}
    assert org.tag_codes("capability") == ["telemedicine_platform"]
    assert org.tag_codes("need") == ["clinical_validation"]
    assert [m.role for m in org.memberships] == ["owner"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"region": "DK-84"}, "Choose a region of the selected country."),
        ({"texts_pl-description": ""}, "Write the description in this language."),
        (
            {"kind": "investor", "ticket_min_eur": "500000", "ticket_max_eur": "100000"},
            "The largest ticket must not be smaller",
        ),
        ({"kind": "investor", "ticket_min_eur": "-5"}, "Enter an amount of 0 or more."),
        ({"website": "javascript:alert(1)"}, "Enter a web address, such as www.example.org."),
        ({"texts_en-description": "x" * 5001}, "Use at most 5000 characters."),
        ({"capabilities": ["not_a_tag"]}, "Choose only from the options shown."),
        ({"kind": "emperor"}, "Not a valid choice"),
        ({"year_founded": "1200"}, "Enter a year between 1800 and"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    client, owner, overrides, message
):
    log_in(client, "owner@example.org")
    response = create(client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Organisation).count() == 0


def test_script_in_a_description_is_shown_inert(client, owner):
    from tests.factories import publish

    moderator = UserFactory(role="moderator")
    org = make_organisation(
        owner,
        texts={
            "en": {"description": "<script>alert(1)</script> **bold** [x](javascript:alert(2))"}
        },
    )
    publish("organisation", org, moderator)
    page = client.get(f"/en/organisations/{org.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<strong>bold</strong>" in page
    assert 'href="javascript:' not in page


def test_region_options_follow_the_country(client, owner):
    log_in(client, "owner@example.org")
    options = client.get("/en/my/organisations/regions?country=DK").get_data(as_text=True)
    assert 'value="DK-84"' in options and "PL-DS" not in options


def test_edit_saves_and_bumps_the_revision(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    page = f"/en/my/organisations/{org.id}/edit"
    response = post_form(client, page, form_data(name="Renamed", revision=str(org.revision)))
    assert response.status_code == 303
    db.session.expire_all()
    assert (org.name, org.revision) == ("Renamed", 2)


def test_stale_edit_is_refused_and_changes_nothing(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    page = f"/en/my/organisations/{org.id}/edit"
    post_form(client, page, form_data(name="First save", revision="1"))
    response = post_form(client, page, form_data(name="Second save from an old page", revision="1"))
    assert response.status_code == 409
    assert "Someone else saved this organisation" in response.get_data(as_text=True)
    db.session.expire_all()
    assert org.name == "First save"


def test_double_submit_sends_one_submission(client, owner):
    org = make_organisation(owner)
    log_in(client, "owner@example.org")
    token = csrf_token(client, f"/en/my/organisations/{org.id}")
    first = client.post(f"/en/my/organisations/{org.id}/submit", data={"csrf_token": token})
    second = client.post(
        f"/en/my/organisations/{org.id}/submit", data={"csrf_token": token}, follow_redirects=True
    )
    assert first.status_code == 303
    assert "already waiting for review" in second.get_data(as_text=True)
    db.session.expire_all()
    assert org.status == "submitted"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/en/my/organisations/{id}"),
        ("get", "/en/my/organisations/{id}/edit"),
        ("post", "/en/my/organisations/{id}/edit"),
        ("post", "/en/my/organisations/{id}/submit"),
    ],
)
def test_another_organisations_member_gets_404_and_changes_nothing(client, owner, method, path):
    org = make_organisation(owner)
    UserFactory(email="stranger@example.org")
    log_in(client, "stranger@example.org")
    token = csrf_token(client, "/en/my/organisations/new")
    url = path.format(id=org.id)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(
            url, data={"csrf_token": token, **form_data(name="Hijacked", revision="1")}
        )
    assert response.status_code == 404
    db.session.expire_all()
    assert (org.name, org.status) == ("Nordic Telecare AS", "draft")


def test_pages_need_login(client):
    response = client.get("/en/my/organisations/")
    assert response.headers["Location"].startswith("/en/account/login")


def test_tag_suggestions_fragment_follows_the_texts_and_skips_ticked_tags(client, owner):
    log_in(client, "owner@example.org")
    token = csrf_token(client, "/en/my/organisations/new")
    response = client.post(
        "/en/my/organisations/suggest-tags",
        data={
            "texts_da-capabilities_detail": "Vi tilbyder klinisk validering og et testmiljø.",
            "capabilities": ["test_bed"],
        },
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'for="capabilities-0"' in body  # clinical_validation, the first capability
    assert body.count('class="suggestion"') == 1  # test_bed is ticked already


def test_saved_texts_show_suggestions_without_javascript(client, owner):
    org = make_organisation(
        owner, texts={"en": {"description": "We run a living lab for elderly care."}}
    )
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/organisations/{org.id}/edit").get_data(as_text=True)
    assert "Suggested from your texts" in page
