"""Projects: members create, edit and submit their organisation's innovations."""

from __future__ import annotations

from datetime import date

import pytest

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.projects import services
from matchmaker.projects.models import Project, ProjectTag, ProjectText
from matchmaker.taxonomy import load_taxonomy
from matchmaker.taxonomy.services import sync_taxonomy
from tests.factories import UserFactory
from tests.web.helpers import csrf_token, log_in, post_form


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy(db.session, load_taxonomy())


def make_organisation(user, **fields) -> Organisation:
    values = {
        "name": "Telemed Sp. z o.o.",
        "kind": "sme",
        "country": "PL",
        "region": "PL-DS",
        "original_language": "pl",
        "status": "draft",
    }
    values.update(fields)
    org = Organisation(**values)
    db.session.add(org)
    db.session.add(Membership(user_id=user.id, organisation=org, role="owner"))
    db.session.commit()
    return org


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org")


@pytest.fixture
def org(owner):
    return make_organisation(owner)


def form_data(**overrides) -> dict:
    data = {
        "stage": "pilot",
        "country": "PL",
        "region": "PL-DS",
        "funding_min_eur": "100000",
        "funding_max_eur": "500000",
        "start_date": "2025-03-01",
        "links": "https://telemed.example.pl\n\nhttps://example.org/demo-video",
        "original_language": "pl",
        "texts_pl-title": "Telekardiologia w domu",
        "texts_pl-summary": "Zdalne monitorowanie pacjentów z niewydolnością serca.",
        "texts_pl-description": "Opaska i aplikacja przesyłają EKG do kardiologa.",
        "texts_en-title": "Tele-cardiology at home",
        "texts_en-summary": "Remote monitoring of heart-failure patients.",
        "texts_en-description": "A wristband and an app send the ECG to a cardiologist.",
        "categories": ["ehealth_telemedicine"],
        "specialisations": ["cardiology"],
        "seeks": ["pilot_site", "investment"],
        "needs": ["clinical_validation"],
        "offers": ["remote_monitoring"],
    }
    data.update(overrides)
    return data


def create(client, org, **overrides):
    return post_form(client, f"/en/my/projects/new?organisation={org.id}", form_data(**overrides))


def make_project(org, **fields) -> Project:
    values = {
        "stage": "prototype",
        "country": "PL",
        "region": "PL-DS",
        "original_language": "en",
        "texts": {
            "en": {
                "title": "Fall detection",
                "summary": "A sensor that calls for help.",
                "description": "It detects falls of elderly people living alone.",
            }
        },
        "tags": {"category": ["medical_devices"], "seeks": ["customers"]},
    }
    values.update(fields)
    return services.create_project(org, services.ProjectInput(**values))


def counts() -> tuple[int, int, int]:
    return (
        db.session.query(Project).count(),
        db.session.query(ProjectText).count(),
        db.session.query(ProjectTag).count(),
    )


def test_member_creates_a_draft_with_tags_and_texts_in_two_languages(client, owner, org):
    log_in(client, "owner@example.org")
    response = create(client, org)
    assert response.status_code == 303
    project = db.session.query(Project).one()
    assert response.headers["Location"] == f"/en/my/projects/{project.id}"
    assert (project.organisation_id, project.status, project.stage) == (org.id, "draft", "pilot")
    assert (project.country, project.region) == ("PL", "PL-DS")
    assert (project.funding_min_eur, project.funding_max_eur) == (100000, 500000)
    assert project.start_date == date(2025, 3, 1)
    assert project.links == ["https://telemed.example.pl", "https://example.org/demo-video"]
    assert {t.lang for t in project.texts} == {"pl", "en"}
    assert project.title == "Telekardiologia w domu"
    assert project.text("en").summary == "Remote monitoring of heart-failure patients."
    assert project.tag_codes("category") == ["ehealth_telemedicine"]
    assert project.tag_codes("specialisation") == ["cardiology"]
    assert project.tag_codes("seeks") == ["investment", "pilot_site"]
    assert project.tag_codes("need") == ["clinical_validation"]
    assert project.tag_codes("capability") == ["remote_monitoring"]


def test_new_project_form_starts_in_the_organisations_country_and_region(client, owner):
    org = make_organisation(owner, country="NO", region="NO-03")
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/projects/new?organisation={org.id}").get_data(as_text=True)
    assert '<option selected value="NO">' in page
    assert '<option selected value="NO-03">' in page


def test_missing_title_in_the_original_language_is_shown_next_to_the_field(client, owner, org):
    log_in(client, "owner@example.org")
    response = create(client, org, **{"texts_pl-title": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<p class="error" id="texts_pl-title-error">'
        "This field is required in the language you write in first.</p>"
    ) in page
    # The error describes the field after the name of the column's language.
    assert 'aria-describedby="texts-pl-language texts_pl-title-error"' in page
    assert "Write the title, summary and description in this language." in page
    assert counts() == (0, 0, 0)


def test_region_of_another_country_is_refused(client, owner, org):
    log_in(client, "owner@example.org")
    response = create(client, org, region="DK-84")
    assert response.status_code == 422
    assert "Choose a region of the selected country." in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_inverted_funding_range_is_refused(client, owner, org):
    log_in(client, "owner@example.org")
    response = create(client, org, funding_min_eur="500000", funding_max_eur="100000")
    assert response.status_code == 422
    assert "The largest amount must not be smaller than the smallest." in response.get_data(
        as_text=True
    )
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": []}, "Choose at least one category."),
        ({"stage": ""}, "This field is required."),
        ({"funding_min_eur": "-5"}, "Enter an amount of 0 or more."),
        ({"start_date": "next spring"}, "Not a valid date value."),
        ({"links": "javascript:alert(1)"}, "is not a web address. Enter one address per line"),
        ({"links": "\n".join(f"https://example.org/{n}" for n in range(6))}, "at most 5 links"),
        ({"links": "https://example.org/" + "x" * 300}, "at most 300 characters"),
        ({"texts_en-title": "x" * 121}, "Use at most 120 characters."),
        ({"texts_en-summary": "x" * 301}, "Use at most 300 characters."),
        ({"texts_en-description": "x" * 5001}, "Use at most 5000 characters."),
    ],
)
def test_other_bad_input_is_refused_and_nothing_is_saved(client, owner, org, overrides, message):
    log_in(client, "owner@example.org")
    response = create(client, org, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "forged"),
    [
        ("categories", "not_a_tag"),
        ("specialisations", "telemedicine_platform"),
        ("seeks", "clinical_validation"),
        ("needs", "pilot_site"),
        ("offers", "oncology"),
        ("stage", "cardiology"),
    ],
)
def test_forged_tag_code_is_refused_and_nothing_is_saved(client, owner, org, name, forged):
    log_in(client, "owner@example.org")
    value = forged if name == "stage" else [forged]
    response = create(client, org, **{name: value})
    assert response.status_code == 422
    assert counts() == (0, 0, 0)


def test_service_refuses_a_tag_of_another_vocabulary(org):
    with pytest.raises(services.UnknownTag):
        make_project(org, tags={"need": ["cardiology"]})
    db.session.rollback()
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/en/my/projects/new"),
        ("get", "/en/my/projects/new?organisation={org_id}"),
        ("post", "/en/my/projects/new?organisation={org_id}"),
        ("get", "/en/my/projects/{id}"),
        ("get", "/en/my/projects/{id}/edit"),
        ("post", "/en/my/projects/{id}/edit"),
        ("post", "/en/my/projects/{id}/submit"),
    ],
)
def test_member_of_another_organisation_gets_404_and_changes_nothing(client, org, method, path):
    project = make_project(org)
    stranger = UserFactory(email="stranger@example.org")
    own = make_organisation(stranger, name="Stranger Oy", country="DK", region="DK-84")
    log_in(client, "stranger@example.org")
    token = csrf_token(client, f"/en/my/projects/new?organisation={own.id}")
    url = path.format(id=project.id, org_id=org.id)
    if method == "get":
        response = client.get(url)
    else:
        data = form_data(revision="1", **{"texts_pl-title": "Hijacked"})
        response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.query(Project).count() == 1
    assert (project.title, project.status, project.revision) == ("Fall detection", "draft", 1)


def test_pages_need_login(client, org):
    project = make_project(org)
    response = client.get(f"/en/my/projects/{project.id}")
    assert response.headers["Location"].startswith("/en/account/login")


def test_edit_form_shows_the_saved_project_and_saving_bumps_the_revision(client, owner, org):
    project = make_project(org)
    log_in(client, "owner@example.org")
    page = f"/en/my/projects/{project.id}/edit"
    shown = client.get(page).get_data(as_text=True)
    assert 'value="Fall detection"' in shown and 'lang="en"' in shown
    response = post_form(client, page, form_data(revision=str(project.revision)))
    assert response.status_code == 303
    db.session.expire_all()
    assert (project.title, project.revision, project.original_language) == (
        "Telekardiologia w domu",
        2,
        "pl",
    )
    assert project.tag_codes("category") == ["ehealth_telemedicine"]


def test_stale_edit_is_refused_and_changes_nothing(client, owner, org):
    project = make_project(org)
    log_in(client, "owner@example.org")
    page = f"/en/my/projects/{project.id}/edit"
    first = post_form(client, page, form_data(revision="1", **{"texts_pl-title": "First save"}))
    assert first.status_code == 303
    response = post_form(
        client, page, form_data(revision="1", **{"texts_pl-title": "Second save from an old page"})
    )
    assert response.status_code == 409
    assert "Someone else saved this project while you were editing." in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert (project.title, project.revision) == ("First save", 2)


def test_double_submit_sends_one_submission(client, owner, org):
    project = make_project(org)
    log_in(client, "owner@example.org")
    token = csrf_token(client, f"/en/my/projects/{project.id}")
    url = f"/en/my/projects/{project.id}/submit"
    first = client.post(url, data={"csrf_token": token})
    db.session.expire_all()
    submitted_at = project.submitted_at
    second = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert first.status_code == 303
    assert "This project is already waiting for review" in second.get_data(as_text=True)
    db.session.expire_all()
    assert project.status == "submitted"
    assert submitted_at is not None and project.submitted_at == submitted_at


def test_editing_a_published_project_sets_it_back_to_draft(client, owner, org):
    project = make_project(org)
    project.status, project.published_at = "published", utcnow()
    db.session.commit()
    log_in(client, "owner@example.org")
    page = f"/en/my/projects/{project.id}/edit"
    assert "The public keeps seeing the approved version" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, form_data(revision=str(project.revision)))
    assert response.status_code == 303
    db.session.expire_all()
    assert project.status == "draft"
    assert project.published_at is not None
    manage = client.get(f"/en/my/projects/{project.id}").get_data(as_text=True)
    assert f'href="/en/projects/{project.id}"' in manage
    assert "Submit for review" in manage


def test_the_project_form_suggests_needs_offers_and_fields_from_its_texts(client, owner, org):
    log_in(client, "owner@example.org")
    token = csrf_token(client, f"/en/my/projects/new?organisation={org.id}")
    response = client.post(
        "/en/my/projects/suggest-tags",
        data={
            "texts_da-description": "Vi har brug for talegenkendelse. Vi tilbyder fjernmonitorering "
            "af patienter med hjertesvigt.",
            "needs": [],
        },
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    offers = body[body.index("What the project offers") :]
    assert "Remote patient monitoring" in offers
    assert "What the project needs" not in offers  # the offer is not suggested as a need


def test_saved_project_texts_show_suggestions_without_javascript(client, owner, org):
    project = make_project(org, texts={"en": {"title": "Home monitoring",
                                              "summary": "Remote monitoring of the heart.",
                                              "description": "We offer remote monitoring."}})  # fmt: skip
    log_in(client, "owner@example.org")
    page = client.get(f"/en/my/projects/{project.id}/edit").get_data(as_text=True)
    assert "Suggested from your texts" in page and "Remote patient monitoring" in page
