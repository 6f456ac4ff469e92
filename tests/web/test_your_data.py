"""A person's data: the privacy notice, the export, deleting an account or an organisation."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from matchmaker.accounts.models import User
from matchmaker.contacts import services as contacts
from matchmaker.contacts.models import ContactRequest
from matchmaker.extensions import db
from matchmaker.organisations.models import Membership, Organisation
from matchmaker.register import queries as register_queries
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated

LANGS = ["pl", "en", "da", "nb"]


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    ola = UserFactory(email="ola@example.org", name="Ola Nordmann", phone="+47 999 00 111")
    kari = UserFactory(email="kari@example.org", name="Kari")
    sender = make_organisation(ola, name="Ola's Start-up", kind="startup")
    recipient = make_organisation(kari, name="Kari's Hospital", kind="hospital")
    publish("organisation", sender, moderator)
    publish("organisation", recipient, moderator)
    request, _ = contacts.send(
        ola, sender_org_id=sender.id, recipient_org_id=recipient.id, message="Shall we talk?"
    )
    return {
        "ola": ola,
        "kari": kari,
        "sender": sender,
        "recipient": recipient,
        "request": request,
        "moderator": moderator,
    }


@pytest.mark.parametrize("lang", LANGS)
def test_the_privacy_notice_is_public_and_translated(client, lang):
    page = client.get(f"/{lang}/privacy").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert translated(lang, "What we store") in page
    assert translated(lang, "Who sees what") in page


def post(client, url, page, data):
    token = csrf_token(client, page)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_export_needs_the_password_and_holds_the_persons_data(client, world):
    log_in(client, "ola@example.org")
    wrong = post(
        client,
        "/en/account/your-data/export",
        "/en/account/your-data",
        {"export-current_password": "not-my-password"},
    )
    assert wrong.status_code == 422
    assert "The password is wrong." in wrong.get_data(as_text=True)
    from tests.factories import PASSWORD

    response = post(
        client,
        "/en/account/your-data/export",
        "/en/account/your-data",
        {"export-current_password": PASSWORD},
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(response.get_data(as_text=True))
    assert exported["account"]["email"] == "ola@example.org"
    assert exported["account"]["phone"] == "+47 999 00 111"
    assert [m["organisation"] for m in exported["memberships"]] == ["Ola's Start-up"]
    [sent] = exported["contact_requests"]
    assert (sent["message"], sent["sent_by_you"], sent["to_organisation"]) == (
        "Shall we talk?",
        True,
        "Kari's Hospital",
    )
    assert "kari@example.org" not in response.get_data(as_text=True)


def test_a_sole_owner_must_first_delete_the_organisation_then_the_account_goes(client, world, app):
    from tests.factories import PASSWORD

    log_in(client, "ola@example.org")
    page = client.get("/en/account/your-data").get_data(as_text=True)
    assert "You are the only owner of these organisations" in page
    assert "Ola&#39;s Start-up" in page or "Ola's Start-up" in page
    response = post(
        client,
        "/en/account/your-data/delete",
        "/en/account/settings",
        {"delete-current_password": PASSWORD, "delete-confirm": "y"},
    )
    assert response.status_code == 422
    assert db.session.get(User, world["ola"].id) is not None

    # Deleting the organisation takes it and its projects off the register.
    org_id = world["sender"].id
    project = make_project(world["sender"])
    publish("project", project, world["moderator"])
    project_id = project.id
    unconfirmed = post(
        client, f"/en/my/organisations/{org_id}/delete", f"/en/my/organisations/{org_id}", {}
    )
    assert unconfirmed.status_code == 303
    assert db.session.get(Organisation, org_id) is not None
    response = post(
        client,
        f"/en/my/organisations/{org_id}/delete",
        f"/en/my/organisations/{org_id}",
        {"confirm": "yes"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Organisation, org_id) is None
    assert register_queries.entry("organisation", org_id) is None
    assert register_queries.entry("project", project_id) is None
    assert client.get(f"/en/organisations/{org_id}").status_code == 404

    response = post(
        client,
        "/en/account/your-data/delete",
        "/en/account/your-data",
        {"delete-current_password": PASSWORD, "delete-confirm": "y"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "ola@example.org")) is None
    assert client.get("/en/account/settings").status_code in (302, 303)  # logged out


def test_a_deleted_sender_shows_as_deleted_user_in_the_other_inbox(client, world, app):
    from tests.factories import PASSWORD

    # Kari (another organisation) keeps the request; Ola hands over, then leaves.
    other = UserFactory(email="other@example.org")
    db.session.add(Membership(user_id=other.id, organisation_id=world["sender"].id, role="owner"))
    db.session.commit()
    log_in(client, "ola@example.org")
    response = post(
        client,
        "/en/account/your-data/delete",
        "/en/account/your-data",
        {"delete-current_password": PASSWORD, "delete-confirm": "y"},
    )
    assert response.status_code == 303
    kari = app.test_client()
    log_in(kari, "kari@example.org")
    inbox = kari.get("/en/contacts/inbox").get_data(as_text=True)
    assert "Shall we talk?" in inbox and "deleted user" in inbox
    assert "Ola Nordmann" not in inbox
    [request] = db.session.scalars(select(ContactRequest)).all()
    assert request.sender_user_id is None


def test_deleting_needs_the_password_and_the_tick(client, world):
    from tests.factories import PASSWORD

    other = UserFactory(email="other@example.org")
    db.session.add(Membership(user_id=other.id, organisation_id=world["sender"].id, role="owner"))
    db.session.commit()
    log_in(client, "ola@example.org")
    for data in (
        {"delete-current_password": "wrong-password", "delete-confirm": "y"},
        {"delete-current_password": PASSWORD},
    ):
        response = post(client, "/en/account/your-data/delete", "/en/account/your-data", data)
        assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, world["ola"].id) is not None


def test_only_an_owner_deletes_an_organisation(client, world):
    editor = UserFactory(email="editor@example.org")
    db.session.add(
        Membership(user_id=editor.id, organisation_id=world["recipient"].id, role="editor")
    )
    db.session.commit()
    log_in(client, "editor@example.org")
    org_id = world["recipient"].id
    page = client.get(f"/en/my/organisations/{org_id}").get_data(as_text=True)
    assert "Delete the organisation" not in page
    response = post(
        client,
        f"/en/my/organisations/{org_id}/delete",
        f"/en/my/organisations/{org_id}",
        {"confirm": "yes"},
    )
    assert response.status_code == 403
    stranger = UserFactory(email="stranger@example.org")  # noqa: F841
    assert db.session.get(Organisation, org_id) is not None
