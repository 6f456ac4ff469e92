"""A new member's first steps: the first sign-in lands on them, each is done by what the
member has (so the path can be left and taken up again), a private preview of who would
match before submitting, and what happens after it with how long reviews take."""

from __future__ import annotations

from datetime import timedelta

import pytest

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.moderation.models import ModerationDecision
from matchmaker.onboarding import steps
from matchmaker.organisations.services import submit_organisation
from tests.conftest import first_link
from tests.factories import (
    PASSWORD,
    UserFactory,
    make_organisation,
    make_project,
    publish,
    sync_taxonomy,
)
from tests.web.helpers import log_in, post_form


@pytest.fixture
def register(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator", email="mod@example.org")
    hospital = make_organisation(
        UserFactory(),
        name="Aarhus Test Hospital",
        kind="hospital",
        country="DK",
        region="DK-82",
        tags={"capability": ["clinical_validation"], "need": ["remote_monitoring"]},
    )
    publish("organisation", hospital, moderator)
    return {"moderator": moderator, "hospital": hospital}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- the steps, as plain Python --------------------------------------------------------


def test_each_step_is_done_by_what_the_member_has():
    nothing = steps.progress(steps.Situation())
    assert [step.done for step in nothing] == [False, False, False, False]
    assert steps.current(nothing) == "organisation" and steps.left(nothing) == 4
    draft = steps.Situation(organisation_id=1, status="draft", has_category=True)
    assert [step.done for step in steps.progress(draft)] == [True, False, False, False]
    tagged = steps.Situation(organisation_id=1, status="draft", has_category=True,
                             has_offer_or_need=True)  # fmt: skip
    assert steps.current(steps.progress(tagged)) == "preview"
    sent = steps.Situation(organisation_id=1, status="submitted")
    assert steps.current(steps.progress(sent)) == "describe"  # submitted, tags still missing
    again = steps.Situation(organisation_id=1, status="returned", published_before=True,
                            has_category=True, has_offer_or_need=True)  # fmt: skip
    assert steps.left(steps.progress(again)) == 0
    published = steps.Situation(organisation_id=1, status="published", published_before=True)
    assert steps.left(steps.progress(published)) == 0  # tags or not: the checklist's business


# --- the pages --------------------------------------------------------------------------


def test_after_confirming_the_address_the_login_form_is_filled_in(client, smtp_server):
    post_form(client, "/en/account/register", {"name": "Ada", "email": "ada@example.org",
              "password": "long enough passphrase", "password_confirm": "long enough passphrase"})  # fmt: skip
    link = first_link(smtp_server.wait_for("ada@example.org")[0])
    response = client.get(link.split("localhost", 1)[1])
    login = page(client, response.headers["Location"])
    assert 'value="ada@example.org"' in login


def test_the_first_sign_in_lands_on_the_steps_and_later_ones_at_home(app, register):
    UserFactory(email="new@example.org")
    client = app.test_client()
    first = log_in(client, "new@example.org")
    assert first.headers["Location"] == "/en/welcome/start"
    assert client.get("/en/welcome/start").headers["Location"] == "/en/welcome"
    text = page(client, "/en/welcome")
    assert "Join or create your organisation" in text
    assert 'aria-current="step"' in text
    assert 'action="/en/organisations/join"' in text and "/en/my/organisations/new" in text
    again = app.test_client()
    assert log_in(again, "new@example.org").headers["Location"] == "/en/"


def test_moderators_are_not_sent_to_the_steps(app, register):
    client = app.test_client()
    log_in(client, "mod@example.org")
    assert client.get("/en/welcome/start").headers["Location"] == "/en/"


def test_the_home_says_how_many_steps_are_left(app, register):
    ada = UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    assert "Finish setting up: 4 steps left" in page(client, "/en/")
    organisation = make_organisation(ada, name="Ada Health", kind="startup", country="PL",
        tags={"category": ["ehealth_telemedicine"], "capability": ["remote_monitoring"]})  # fmt: skip
    assert "Finish setting up: 2 steps left" in page(client, "/en/")
    submit_organisation(organisation)
    assert "Finish setting up" not in page(client, "/en/")


def test_a_profile_without_categories_is_not_described_yet(app, register):
    ada = UserFactory(email="ada@example.org")
    make_organisation(ada, name="Ada Health", kind="startup", country="PL")  # offers, needs
    client = app.test_client()
    log_in(client, "ada@example.org")
    assert "Finish setting up: 3 steps left" in page(client, "/en/")


def test_a_draft_shows_its_members_who_would_match_before_it_is_submitted(app, register):
    ada = UserFactory(email="ada@example.org")
    organisation = make_organisation(
        ada, name="Ada Health", kind="startup", country="PL",
        tags={"need": ["clinical_validation"], "capability": ["remote_monitoring"]},
    )  # fmt: skip
    client = app.test_client()
    log_in(client, "ada@example.org")
    text = page(client, f"/en/my/organisations/{organisation.id}")
    preview = text[text.index('id="preview-heading"') :]
    assert "Who would match once published" in preview
    assert "Aarhus Test Hospital" in preview
    assert "Score" in preview
    # Not public: nobody else sees the draft's page or its preview.
    stranger = app.test_client()
    UserFactory(email="eve@example.org")
    log_in(stranger, "eve@example.org")
    assert stranger.get(f"/en/my/organisations/{organisation.id}").status_code in (403, 404)
    assert "Ada Health" not in page(app.test_client(), "/en/organisations")


def test_a_published_organisation_has_no_preview(app, register):
    text = page_of_member(app, register["hospital"])
    assert "Who would match once published" not in text


def page_of_member(app, organisation):
    owner = organisation.memberships[0].user
    owner.password_hash = UserFactory.build().password_hash
    db.session.commit()
    client = app.test_client()
    log_in(client, owner.email, PASSWORD)
    return page(client, f"/en/my/organisations/{organisation.id}")


def test_after_submitting_the_page_says_what_happens_and_how_long_reviews_take(app, register):
    ada = UserFactory(email="ada@example.org")
    organisation = make_organisation(ada, name="Ada Health", kind="startup", country="PL")
    submit_organisation(organisation)
    client = app.test_client()
    log_in(client, "ada@example.org")
    text = page(client, f"/en/my/organisations/{organisation.id}")
    assert "A moderator checks that the profile is complete" in text
    assert "Moderators review profiles in the order they arrive." in text  # no figures yet
    now = utcnow()
    for hours in (40, 44, 46, 50, 70):  # and the hospital's approval, in seconds
        db.session.add(ModerationDecision(item_type="organisation", item_id=1, decision="approved",
                                          submitted_at=now - timedelta(hours=hours + 1),
                                          created_at=now - timedelta(hours=1)))  # fmt: skip
    db.session.commit()
    text = page(client, f"/en/my/organisations/{organisation.id}")
    assert "Reviews have lately taken about 2 days." in text  # the middle one, low: 44 hours


def test_a_decision_records_when_the_version_was_submitted(app, register):
    ada = UserFactory(email="ada@example.org")
    organisation = make_organisation(ada, name="Ada Health", kind="startup", country="PL")
    submit_organisation(organisation)
    submitted = organisation.submitted_at
    publish_decision = publish_again(organisation, register["moderator"])
    assert publish_decision.submitted_at is not None
    assert abs((publish_decision.submitted_at - submitted).total_seconds()) < 1


def publish_again(organisation, moderator):
    from matchmaker.moderation import services as moderation

    return moderation.approve("organisation", organisation, moderator)


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("pl", "Witamy"), ("da", "Velkommen"), ("nb", "Velkommen")],
)
def test_the_steps_are_translated(app, register, lang, phrase):
    UserFactory(email="new@example.org")
    client = app.test_client()
    log_in(client, "new@example.org", lang=lang)
    assert phrase in page(client, f"/{lang}/welcome")


def test_owners_see_who_asks_to_join_in_their_to_do(app, register):
    from matchmaker.organisations import members

    hospital = register["hospital"]
    owner = hospital.memberships[0].user
    for email in ("ada@example.org", "bo@example.org"):
        members.request_to_join(UserFactory(email=email), hospital.id, "Hello")
    owner.password_hash = UserFactory.build().password_hash
    db.session.commit()
    client = app.test_client()
    log_in(client, owner.email)
    text = page(client, "/en/")
    assert "2 people ask to join Aarhus Test Hospital" in text
    assert f"/en/my/organisations/{hospital.id}/members" in text
    asker = app.test_client()
    log_in(asker, "ada@example.org")
    assert "ask to join" not in page(asker, "/en/")


def test_members_preview_the_public_page_of_a_draft(app, register):
    ada = UserFactory(email="ada@example.org")
    organisation = make_organisation(
        ada, name="Ada Health", kind="startup", country="PL", region="PL-DS",
        website="https://ada.example.org",
        texts={"en": {"description": "We <b>build</b> remote monitoring."}},
    )  # fmt: skip
    client = app.test_client()
    log_in(client, "ada@example.org")
    manage = page(client, f"/en/my/organisations/{organisation.id}")
    url = f"/en/my/organisations/{organisation.id}/preview"
    assert f'href="{url}"' in manage
    text = page(client, url)
    assert "<h1>Ada Health</h1>" in text and "this is how the public page will look" in text
    assert "https://ada.example.org" in text and "&lt;b&gt;" not in text.split("<h1>")[0]
    assert "Request contact" not in text and 'id="matches"' not in text
    stranger = app.test_client()
    UserFactory(email="eve@example.org")
    log_in(stranger, "eve@example.org")
    assert stranger.get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 303)


def test_members_preview_the_public_page_of_a_draft_project(app, register):
    ada = UserFactory(email="ada@example.org")
    organisation = make_organisation(ada, name="Ada Health", country="PL", region="PL-DS")
    texts = {"en": {"title": "Remote rehab kit", "summary": "Exercises at home, <i>watched</i>."}}
    project = make_project(organisation, texts=texts)
    client = app.test_client()
    log_in(client, "ada@example.org")
    url = f"/en/my/projects/{project.id}/preview"
    assert f'href="{url}"' in page(client, f"/en/my/projects/{project.id}")
    text = page(client, url)
    assert "<h1" in text and "Remote rehab kit</h1>" in text
    assert "this is how the public page will look" in text
    assert "Exercises at home, &lt;i&gt;watched&lt;/i&gt;." in text
    assert "Back to the project “Remote rehab kit”" in text
    assert f'href="/en/my/projects/{project.id}"' in text
    assert "Request contact" not in text and 'id="matches"' not in text
    UserFactory(email="eve@example.org")
    stranger = app.test_client()
    log_in(stranger, "eve@example.org")
    assert stranger.get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 303)
    # The public page itself does not exist until a moderator approves the project.
    assert client.get(f"/en/projects/{project.id}").status_code == 404
