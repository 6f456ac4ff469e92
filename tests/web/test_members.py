"""Members of an organisation: invitations by e-mail, joining, leaving, handing over ownership."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape as html_unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.organisations import members
from matchmaker.organisations.models import Invitation, Membership, Organisation
from matchmaker.organisations.services import memberships_of
from tests.conftest import body_text, first_link
from tests.factories import PASSWORD, UserFactory, make_organisation, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, post_form, translated

FOOTER = "Matchmaker: health innovation matchmaking for Poland, Denmark, Norway and beyond."


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org", name="Olga Owner")


@pytest.fixture
def org(owner):
    return make_organisation(owner)


@pytest.fixture
def editor(org):
    user = UserFactory(email="eddie@example.org", name="Eddie Editor")
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role="editor"))
    db.session.commit()
    return user


@pytest.fixture
def owner_client(app, owner):
    client = app.test_client()
    log_in(client, owner.email)
    return client


def page(org, lang="en") -> str:
    return f"/{lang}/my/organisations/{org.id}/members"


def invite(client, org, email, lang="en", **kwargs):
    return post_form(
        client, page(org, lang), {"email": email}, page(org, lang) + "/invite", **kwargs
    )


def path_of(link: str) -> str:
    return link.split("localhost", 1)[1]


def invitation_link(smtp_server, email: str, count: int = 1) -> str:
    return path_of(first_link(smtp_server.wait_for(email, count=count)[-1]))


def post(client, url, data=None, token_page="/en/account/settings"):
    """POST with a CSRF token of this session (any page with a form will do)."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_page), **(data or {})})


def roles(org) -> dict[str, str]:
    rows = db.session.execute(
        select(User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
    )
    return dict(rows.all())


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- inviting ----------------------------------------------------------------------------


def test_owner_invites_a_new_address_in_the_page_language(owner_client, org, smtp_server):
    response = invite(owner_client, org, " New.Person@Example.org ", lang="pl")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(page(org, "pl"))
    [message] = smtp_server.wait_for("new.person@example.org")
    assert message["Content-Language"] == "pl"
    text = body_text(message)
    assert "Nordic Telecare AS" in message["Subject"]
    assert "Olga Owner" in text and "Nordic Telecare AS" in text
    link = first_link(message)
    assert "/pl/invitations/" in link
    html = message.get_body(("html",)).get_content()
    assert translated("pl", FOOTER) in html
    # Only the hash of the token is stored.
    token = link.rsplit("/", 1)[1]
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.email == "new.person@example.org"
    assert invitation.token_hash == members.hash_token(token) != token
    assert token not in (invitation.token_hash, invitation.email)
    assert invitation.invited_by_id == org.memberships[0].user_id
    assert invitation.role == "editor"
    assert timedelta(days=13) < invitation.expires_at - invitation.created_at <= timedelta(days=14)


def test_an_existing_account_is_written_to_in_its_own_language(owner_client, org, smtp_server):
    UserFactory(email="dane@example.org", locale="da")
    assert invite(owner_client, org, "dane@example.org", lang="en").status_code == 303
    [message] = smtp_server.wait_for("dane@example.org")
    assert message["Content-Language"] == "da"
    assert "/da/invitations/" in first_link(message)
    assert translated("da", FOOTER) in message.get_body(("html",)).get_content()


def test_the_owner_sees_the_open_invitation_and_can_withdraw_it(owner_client, org, smtp_server):
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    html = owner_client.get(page(org)).get_data(as_text=True)
    assert "guest@example.org" in html and "Open invitations" in html
    invitation = db.session.scalars(select(Invitation)).one()
    response = post(owner_client, f"{page(org)}/invitations/{invitation.id}/revoke")
    assert response.status_code == 303
    assert count(Invitation) == 0
    UserFactory(email="guest@example.org")
    guest = org_client_for("guest@example.org", owner_client.application)
    assert guest.get(link).status_code == 404


def org_client_for(email: str, app):
    client = app.test_client()
    log_in(client, email)
    return client


def test_inviting_again_replaces_the_open_invitation(owner_client, org, smtp_server):
    invite(owner_client, org, "guest@example.org")
    first = invitation_link(smtp_server, "guest@example.org")
    invite(owner_client, org, "guest@example.org")
    second = invitation_link(smtp_server, "guest@example.org", count=2)
    assert first != second
    assert count(Invitation) == 1
    UserFactory(email="guest@example.org")
    guest = org_client_for("guest@example.org", owner_client.application)
    response = guest.get(first)
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.get_data(as_text=True)
    assert guest.get(second).status_code == 200


def test_inviting_a_member_is_refused_next_to_the_field(owner_client, org, editor, smtp_server):
    response = invite(owner_client, org, "Eddie@example.org")
    assert response.status_code == 422
    assert "already a member of the organisation" in response.get_data(as_text=True)
    assert count(Invitation) == 0
    assert smtp_server.to("eddie@example.org") == []


def test_a_bad_address_is_refused_in_place_for_htmx(owner_client, org):
    response = invite(owner_client, org, "not an address", headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="invite-form"')
    assert "Enter a valid e-mail address" in body
    assert count(Invitation) == 0


# --- accepting ---------------------------------------------------------------------------


def test_an_existing_user_opens_the_link_logged_in_and_joins(owner_client, org, smtp_server):
    guest = UserFactory(email="guest@example.org", name="Gina Guest")
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    client = org_client_for("guest@example.org", owner_client.application)
    shown = client.get(link)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Join Nordic Telecare AS" in html and "Olga Owner" in html
    response = post(client, link, token_page=link)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/en/my/organisations/{org.id}")
    assert roles(org) == {"owner@example.org": "owner", "guest@example.org": "editor"}
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.accepted_at is not None and invitation.accepted_by_id == guest.id
    assert "Welcome to Nordic Telecare AS" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    # The page now lists the new member; the link takes them straight to the organisation.
    assert "Gina Guest" in client.get(page(org)).get_data(as_text=True)
    assert client.get(link).status_code == 303


def test_a_visitor_is_told_to_log_in_or_register_then_comes_back(
    owner_client, org, smtp_server, client
):
    UserFactory(email="guest@example.org")
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    response = client.get(link)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "guest@example.org" in html
    assert "Join Nordic Telecare AS" not in html
    assert 'href="/en/account/register"' in html
    login_url = html_unescape(re.search(r'href="(/en/account/login\?[^"]+)"', html).group(1))
    assert parse_qs(urlsplit(login_url).query)["next"] == [link]
    logged_in = post_form(
        client,
        login_url,
        {"email": "guest@example.org", "password": PASSWORD},
    )
    assert logged_in.status_code == 303
    assert logged_in.headers["Location"] == link
    assert "Join Nordic Telecare AS" in client.get(link).get_data(as_text=True)
    assert count(Membership) == 1


def test_posting_the_link_without_logging_in_asks_to_log_in(owner_client, org, smtp_server, client):
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    response = post(client, link, token_page="/en/account/login")
    assert response.status_code in (302, 303)
    assert "/en/account/login" in response.headers["Location"]
    assert count(Membership) == 1


def test_a_new_user_registers_confirms_and_joins(owner_client, org, smtp_server, client):
    invite(owner_client, org, "newbie@example.org", lang="nb")
    [mail] = smtp_server.wait_for("newbie@example.org")
    assert mail["Content-Language"] == "nb"
    link = path_of(first_link(mail))
    assert link.startswith("/nb/invitations/")
    assert "/nb/account/register" in client.get(link).get_data(as_text=True)
    password = "long enough passphrase"
    registered = post_form(
        client,
        "/nb/account/register",
        {
            "name": "Nina Newbie",
            "email": "newbie@example.org",
            "password": password,
            "password_confirm": password,
        },
    )
    assert registered.status_code == 303
    confirmation = smtp_server.wait_for("newbie@example.org", count=2)[-1]
    assert client.get(path_of(first_link(confirmation))).status_code == 303
    assert log_in(client, "newbie@example.org", password, lang="nb").status_code == 303
    response = post(client, link, token_page=link)
    assert response.status_code == 303
    assert roles(org)["newbie@example.org"] == "editor"


def test_someone_logged_in_with_another_address_cannot_use_the_link(owner_client, org, smtp_server):
    UserFactory(email="other@example.org")
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    client = org_client_for("other@example.org", owner_client.application)
    html = client.get(link).get_data(as_text=True)
    assert "The invitation was sent to guest@example.org" in html
    assert "Join Nordic Telecare AS" not in html
    response = post(client, link)
    assert response.status_code == 403
    assert count(Membership) == 1
    assert db.session.scalars(select(Invitation)).one().accepted_at is None


def test_accepting_twice_gives_one_membership(owner_client, org, smtp_server):
    UserFactory(email="guest@example.org")
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    client = org_client_for("guest@example.org", owner_client.application)
    token = csrf_token(client, link)
    first = client.post(link, data={"csrf_token": token})
    second = client.post(link, data={"csrf_token": token})
    assert (first.status_code, second.status_code) == (303, 303)
    assert count(Membership) == 2
    assert roles(org)["guest@example.org"] == "editor"


def test_a_membership_made_in_between_is_caught_by_the_unique_constraint(owner, org, monkeypatch):
    """Two requests racing: the check saw no membership, the insert finds one."""
    guest = UserFactory(email="guest@example.org")
    _invitation, token = members.invite(org, owner, "guest@example.org")
    db.session.add(Membership(user_id=guest.id, organisation_id=org.id, role="editor"))
    db.session.commit()
    real_lookup = members._membership_by_ids
    calls = []

    def stale_first_lookup(organisation_id, user_id):
        calls.append(user_id)
        return None if len(calls) == 1 else real_lookup(organisation_id, user_id)

    monkeypatch.setattr(members, "_membership_by_ids", stale_first_lookup)
    membership = members.accept(token, guest)
    assert len(calls) == 2
    assert membership.user_id == guest.id
    assert count(Membership) == 2
    assert db.session.scalars(select(Invitation)).one().accepted_by_id == guest.id


def test_a_member_accepting_an_invitation_only_marks_it_accepted(owner, org, editor):
    invitation, token = members.invite(org, owner, "someone@example.org")
    invitation.email = editor.email  # as if sent before Eddie joined by another way
    db.session.commit()
    membership = members.accept(token, editor)
    assert membership.role == "editor"
    assert count(Membership) == 2
    assert db.session.get(Invitation, invitation.id).accepted_at is not None


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_forged_link_is_refused(app, editor, lang):
    client = org_client_for(editor.email, app)
    for token in ("forged", "x" * 43, "y" * 500):
        response = client.get(f"/{lang}/invitations/{token}")
        assert response.status_code == 404
        if lang == "en":
            assert "This invitation link is not valid" in response.get_data(as_text=True)
    response = post(client, f"/{lang}/invitations/forged")
    assert response.status_code == 404
    assert count(Membership) == 2


def test_an_expired_link_is_refused_and_nothing_changes(owner_client, org, smtp_server):
    UserFactory(email="guest@example.org")
    invite(owner_client, org, "guest@example.org")
    link = invitation_link(smtp_server, "guest@example.org")
    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client = org_client_for("guest@example.org", owner_client.application)
    shown = client.get(link)
    assert shown.status_code == 410
    assert "This invitation has expired" in shown.get_data(as_text=True)
    response = post(client, link)
    assert response.status_code == 410
    assert "This invitation has expired" in response.get_data(as_text=True)
    assert count(Membership) == 1
    db.session.expire_all()
    assert db.session.scalars(select(Invitation)).one().accepted_at is None
    # An expired invitation is no longer listed as open.
    assert "There are no open invitations." in owner_client.get(page(org)).get_data(as_text=True)


def test_a_used_link_is_refused_to_anyone_else(owner, org, app):
    guest = UserFactory(email="guest@example.org")
    _invitation, token = members.invite(org, owner, "guest@example.org")
    members.accept(token, guest)
    members.remove_member(org, guest, members.membership_of(org, guest).id)
    client = org_client_for("guest@example.org", app)
    shown = client.get(f"/en/invitations/{token}")
    assert shown.status_code == 410
    assert "This invitation has already been used" in shown.get_data(as_text=True)
    assert post(client, f"/en/invitations/{token}").status_code == 410
    assert roles(org) == {"owner@example.org": "owner"}


def test_a_user_may_belong_to_several_organisations(owner, org, editor):
    other = make_organisation(editor, name="Dansk Sundhed ApS", country="DK", region="DK-84")
    _invitation, token = members.invite(other, editor, owner.email)
    members.accept(token, owner)
    assert {(m.organisation.name, m.role) for m in memberships_of(owner)} == {
        ("Nordic Telecare AS", "owner"),
        ("Dansk Sundhed ApS", "editor"),
    }


# --- editors, owners, strangers ----------------------------------------------------------


def test_an_editor_sees_members_but_no_addresses_and_cannot_manage(app, org, owner, editor):
    client = org_client_for(editor.email, app)
    html = client.get(page(org)).get_data(as_text=True)
    assert "Olga Owner" in html and "Eddie Editor" in html
    assert "owner@example.org" not in html
    assert 'id="invite-form"' not in html
    owner_membership = members.membership_of(org, owner)
    for url in (
        f"{page(org)}/invite",
        f"{page(org)}/{owner_membership.id}/remove",
        f"{page(org)}/{members.membership_of(org, editor).id}/hand-over",
    ):
        assert post(client, url, {"email": "x@example.org"}).status_code == 403, url
    invitation, _token = members.invite(org, owner, "guest@example.org")
    assert post(client, f"{page(org)}/invitations/{invitation.id}/revoke").status_code == 403
    assert roles(org) == {"owner@example.org": "owner", "eddie@example.org": "editor"}
    assert count(Invitation) == 1


def test_an_editor_can_leave(app, org, editor):
    client = org_client_for(editor.email, app)
    membership = members.membership_of(org, editor)
    response = post(client, f"{page(org)}/{membership.id}/remove")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/my/organisations/")
    assert roles(org) == {"owner@example.org": "owner"}
    assert client.get(page(org)).status_code == 404


def test_the_owner_removes_an_editor(owner_client, org, editor):
    membership = members.membership_of(org, editor)
    response = post(owner_client, f"{page(org)}/{membership.id}/remove")
    assert response.status_code == 303
    assert "Eddie Editor is no longer a member" in owner_client.get(page(org)).get_data(
        as_text=True
    )
    assert roles(org) == {"owner@example.org": "owner"}


def test_the_last_owner_can_neither_be_removed_nor_leave(owner_client, owner, org, editor):
    membership = members.membership_of(org, owner)
    response = post(owner_client, f"{page(org)}/{membership.id}/remove")
    assert response.status_code == 303
    html = owner_client.get(page(org)).get_data(as_text=True)
    assert "An organisation needs an owner" in html
    assert roles(org) == {"owner@example.org": "owner", "eddie@example.org": "editor"}
    with pytest.raises(members.LastOwner):
        members.remove_member(org, owner, membership.id)
    # A second owner may remove the first; the last one stays.
    second = UserFactory(email="second@example.org")
    db.session.add(Membership(user_id=second.id, organisation_id=org.id, role="owner"))
    db.session.commit()
    members.remove_member(org, second, membership.id)
    with pytest.raises(members.LastOwner):
        members.remove_member(org, second, members.membership_of(org, second).id)
    assert roles(org) == {"second@example.org": "owner", "eddie@example.org": "editor"}


def test_handing_over_swaps_the_roles(owner_client, owner, org, editor, app):
    membership = members.membership_of(org, editor)
    response = post(owner_client, f"{page(org)}/{membership.id}/hand-over")
    assert response.status_code == 303
    assert roles(org) == {"owner@example.org": "editor", "eddie@example.org": "owner"}
    assert "Eddie Editor is now the owner" in owner_client.get(page(org)).get_data(as_text=True)
    # The former owner is an editor now: no more inviting, but leaving is fine.
    assert invite(owner_client, org, "x@example.org").status_code == 403
    with pytest.raises(members.NotAnEditor):
        members.hand_over(org, editor, members.membership_of(org, editor).id)
    left = post(owner_client, f"{page(org)}/{members.membership_of(org, owner).id}/remove")
    assert left.status_code == 303
    assert roles(org) == {"eddie@example.org": "owner"}


def test_strangers_get_404_everywhere(app, org, owner, editor):
    stranger = UserFactory(email="stranger@example.org")
    make_organisation(stranger, name="Elsewhere Ltd")
    client = org_client_for(stranger.email, app)
    invitation, _token = members.invite(org, owner, "guest@example.org")
    membership = members.membership_of(org, editor)
    assert client.get(page(org)).status_code == 404
    for url in (
        f"{page(org)}/invite",
        f"{page(org)}/{membership.id}/remove",
        f"{page(org)}/{membership.id}/hand-over",
        f"{page(org)}/invitations/{invitation.id}/revoke",
    ):
        assert post(client, url, {"email": "stranger@example.org"}).status_code == 404, url
    assert client.get("/en/my/organisations/999999/members").status_code == 404
    assert roles(org) == {"owner@example.org": "owner", "eddie@example.org": "editor"}
    assert count(Invitation) == 1


def test_a_membership_of_another_organisation_is_not_found(owner_client, org, app):
    elsewhere_owner = UserFactory(email="else@example.org")
    elsewhere = make_organisation(elsewhere_owner, name="Elsewhere Ltd")
    foreign = members.membership_of(elsewhere, elsewhere_owner)
    assert post(owner_client, f"{page(org)}/{foreign.id}/remove").status_code == 404
    assert post(owner_client, f"{page(org)}/{foreign.id}/hand-over").status_code == 404
    assert db.session.get(Organisation, elsewhere.id) is not None
    assert roles(elsewhere) == {"else@example.org": "owner"}


def test_signed_out_visitors_are_sent_to_log_in(client, org):
    response = client.get(page(org))
    assert response.status_code in (302, 303)
    assert "/en/account/login" in response.headers["Location"]


class TestInvitationRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_MAIL": "2 per minute"}

    def test_invitations_are_limited(self, owner_client, org, smtp_server):
        statuses = [
            invite(owner_client, org, f"guest{n}@example.org").status_code for n in range(3)
        ]
        assert statuses == [303, 303, 429]
        assert count(Invitation) == 2
