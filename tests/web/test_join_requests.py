"""Requests to join an organisation: asking, answering, withdrawing, who may do what."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker import personal_data
from matchmaker.accounts.data import delete_account
from matchmaker.accounts.models import User, utcnow
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from matchmaker.organisations import members
from matchmaker.organisations.models import JoinRequest, Membership, pending_key
from matchmaker.organisations.services import delete_organisation
from matchmaker.organisations.views import JOIN_SEARCH_RESULTS
from matchmaker.outbox.models import OutboxMessage
from tests.conftest import body_text, first_link
from tests.factories import PASSWORD, UserFactory, make_organisation, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in

HTMX = {"HX-Request": "true"}
WAITING = "Your request to join is waiting for the owner's answer."
ASK = "Ask to join this organisation"


@pytest.fixture(autouse=True)
def taxonomy(app):
    sync_taxonomy()


@pytest.fixture
def moderator():
    return UserFactory(role="moderator")


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.org", name="Olga Owner", locale="da")


@pytest.fixture
def org(owner, moderator):
    organisation = make_organisation(owner)
    publish("organisation", organisation, moderator)
    return organisation


@pytest.fixture
def asker():
    return UserFactory(email="asker@example.org", name="Ada Asker", locale="pl")


def client_for(app, user):
    client = app.test_client()
    log_in(client, user.email)
    return client


@pytest.fixture
def asker_client(app, asker):
    return client_for(app, asker)


@pytest.fixture
def owner_client(app, owner):
    return client_for(app, owner)


def org_page(org, lang="en") -> str:
    return f"/{lang}/organisations/{org.id}"


def members_page(org, lang="en") -> str:
    return f"/{lang}/my/organisations/{org.id}/members"


def ask(client, org, message="", headers=None, slot="page"):
    """Ask to join `org` (an organisation, or just an id) as the form on its page does."""
    organisation_id = org if isinstance(org, int) else org.id
    data = {
        "csrf_token": csrf_token(client, "/en/account/settings"),
        f"join{organisation_id}-message": message,
        "slot": slot,
        "next": f"/en/organisations/{organisation_id}",
    }
    return client.post(f"/en/my/organisations/{organisation_id}/join", data=data, headers=headers)


def post(client, url, headers=None, **data):
    token = csrf_token(client, "/en/account/settings")
    return client.post(url, data={"csrf_token": token, **data}, headers=headers)


def answer(client, org, join_request_id, decision="accept", headers=None):
    return post(client, f"{members_page(org)}/requests/{join_request_id}/{decision}", headers)


def withdraw(client, join_request_id, headers=None, **data):
    return post(
        client, f"/en/my/organisations/join-requests/{join_request_id}/withdraw", headers, **data
    )


def requests_of(user) -> list[JoinRequest]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(JoinRequest).where(JoinRequest.user_id == user.id).order_by(JoinRequest.id)
        )
    )


def only_request(user) -> JoinRequest:
    [join_request] = requests_of(user)
    return join_request


def role_in(org, user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Membership.role).where(
            Membership.organisation_id == org.id, Membership.user_id == user.id
        )
    )


def notifications(user, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        )
    )


def mails_to(address: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == address)
    )


def make_editor(org, email="eddie@example.org"):
    user = UserFactory(email=email, name="Eddie Editor")
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role="editor"))
    db.session.commit()
    return user


# --- asking ------------------------------------------------------------------------------


def test_a_signed_in_non_member_sees_the_ask_form(asker_client, org):
    html = asker_client.get(org_page(org)).get_data(as_text=True)
    assert ASK in html
    assert f'action="/en/my/organisations/{org.id}/join"' in html
    assert f'name="join{org.id}-message"' in html


def test_members_and_visitors_see_no_ask_form(app, client, owner_client, org):
    assert ASK not in client.get(org_page(org)).get_data(as_text=True)
    assert ASK not in owner_client.get(org_page(org)).get_data(as_text=True)


def test_asking_without_javascript_redirects_back_and_tells_the_owner_in_danish(
    asker_client, asker, owner, org, smtp_server
):
    response = ask(asker_client, org, "I lead the Oslo pilot.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(org_page(org))
    join_request = only_request(asker)
    assert (join_request.status, join_request.message) == ("pending", "I lead the Oslo pilot.")
    assert join_request.pending_key == pending_key(org.id, asker.id)

    [note] = notifications(owner, "join_request")
    assert note.data["name"] == "Ada Asker"
    assert note.data["organisation"] == "Nordic Telecare AS"
    assert f"/da/my/organisations/{org.id}/members" in note.link
    [message] = smtp_server.wait_for("owner@example.org")
    assert message["Content-Language"] == "da"
    assert "Ada Asker" in message["Subject"] and "Nordic Telecare AS" in message["Subject"]
    text = body_text(message)
    assert "I lead the Oslo pilot." in text and "asker@example.org" in text
    assert f"/da/my/organisations/{org.id}/members" in first_link(message)

    html = asker_client.get(org_page(org)).get_data(as_text=True)
    assert WAITING in html
    assert f"/en/my/organisations/join-requests/{join_request.id}/withdraw" in html
    assert ASK not in html


def test_every_owner_is_told_and_editors_are_not(app, asker_client, owner, org, smtp_server):
    second = UserFactory(email="second@example.org", locale="nb")
    db.session.add(Membership(user_id=second.id, organisation_id=org.id, role="owner"))
    db.session.commit()
    editor = make_editor(org)
    assert ask(asker_client, org).status_code == 303
    assert len(notifications(owner, "join_request")) == 1
    assert len(notifications(second, "join_request")) == 1
    assert notifications(editor, "join_request") == []
    [message] = smtp_server.wait_for("second@example.org")
    assert message["Content-Language"] == "nb"
    assert mails_to(editor.email) == 0


def test_asking_with_htmx_returns_the_widget_in_place(asker_client, asker, org):
    response = ask(asker_client, org, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert f'id="join-{org.id}-page"' in html
    assert WAITING in html and "data-focus-after-swap" in html
    assert only_request(asker).status == "pending"


def test_asking_twice_keeps_one_request_and_tells_the_owner_once(asker_client, asker, owner, org):
    first = ask(asker_client, org, "First click.")
    second = ask(asker_client, org, "Second click.")
    assert (first.status_code, second.status_code) == (303, 303)
    assert only_request(asker).message == "First click."
    assert len(notifications(owner, "join_request")) == 1
    assert mails_to(owner.email) == 1


def test_a_request_made_in_between_is_caught_by_the_unique_key(asker, org, monkeypatch):
    """Two submissions racing: the check saw no request, the insert finds one."""
    earlier = JoinRequest(
        organisation_id=org.id,
        user_id=asker.id,
        message="The other click.",
        pending_key=pending_key(org.id, asker.id),
    )
    db.session.add(earlier)
    db.session.commit()
    real_lookup = members.pending_request
    calls = []

    def stale_first_lookup(organisation_id, user):
        calls.append(user.id)
        return None if len(calls) == 1 else real_lookup(organisation_id, user)

    told = []
    monkeypatch.setattr(members, "pending_request", stale_first_lookup)
    join_request = members.request_to_join(asker, org.id, "This click.", then=told.append)
    assert len(calls) == 2
    assert join_request.id == earlier.id
    assert told == []
    assert [r.message for r in requests_of(asker)] == ["The other click."]


def test_simultaneous_submissions_make_one_request(app, asker, org):
    """Four submissions at once, each in its own app context (a session and connection of
    its own, as a request has): one row, one `then`, the same request for all."""
    ready = threading.Barrier(4)
    told, got, failed = [], [], []

    def submit():
        try:
            with app.app_context():
                user = db.session.get(User, asker.id)
                ready.wait(timeout=10)
                join_request = members.request_to_join(user, org.id, "", then=told.append)
                got.append(join_request.id)
        except Exception as error:  # reported by the assertion below
            failed.append(error)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failed == []
    assert len(requests_of(asker)) == 1
    assert len(told) == 1
    assert set(got) == {only_request(asker).id}


def test_an_unpublished_organisation_cannot_be_asked(app, asker_client, asker, moderator):
    draft = make_organisation(UserFactory(), name="Draft Health")
    assert ask(asker_client, draft).status_code == 404
    assert requests_of(asker) == []
    with pytest.raises(members.NotPublished):
        members.request_to_join(asker, draft.id, "")


def test_a_member_cannot_ask(app, org):
    editor = make_editor(org)
    client = client_for(app, editor)
    assert ASK not in client.get(org_page(org)).get_data(as_text=True)
    response = ask(client, org)
    assert response.status_code == 303
    assert requests_of(editor) == []
    assert "You already belong to Nordic Telecare AS." in client.get(org_page(org)).get_data(
        as_text=True
    )
    with pytest.raises(members.AlreadyMember):
        members.request_to_join(editor, org.id, "")


def test_a_sixth_request_in_a_day_is_refused(asker_client, asker, org):
    for _ in range(members.JOIN_REQUESTS_PER_DAY):
        db.session.add(JoinRequest(organisation_id=org.id, user_id=asker.id, status="withdrawn"))
    db.session.commit()
    response = ask(asker_client, org)
    assert response.status_code == 429
    assert "You can ask to join at most 5 organisations a day." in response.get_data(as_text=True)
    assert len(requests_of(asker)) == members.JOIN_REQUESTS_PER_DAY
    assert not any(r.status == "pending" for r in requests_of(asker))
    htmx = ask(asker_client, org, headers=HTMX)
    assert htmx.status_code == 429 and "<html" not in htmx.get_data(as_text=True)


def test_requests_older_than_a_day_do_not_count(asker_client, asker, org):
    old = utcnow() - timedelta(days=1, minutes=1)
    for _ in range(members.JOIN_REQUESTS_PER_DAY):
        db.session.add(
            JoinRequest(
                organisation_id=org.id, user_id=asker.id, status="withdrawn", created_at=old
            )
        )
    db.session.commit()
    assert ask(asker_client, org).status_code == 303
    assert [r.status for r in requests_of(asker)].count("pending") == 1


def test_a_message_too_long_is_refused_next_to_the_field(asker_client, asker, org):
    response = ask(asker_client, org, "x" * 501)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" in html and "Use at most 500 characters." in html
    assert 'aria-invalid="true"' in html
    fragment = ask(asker_client, org, "x" * 501, headers=HTMX)
    assert fragment.status_code == 422
    assert "<html" not in fragment.get_data(as_text=True)
    assert requests_of(asker) == []


def test_asking_needs_the_csrf_token(asker_client, asker, org):
    response = asker_client.post(
        f"/en/my/organisations/{org.id}/join", data={f"join{org.id}-message": "Hi"}
    )
    assert response.status_code == 400
    assert requests_of(asker) == []


def test_asking_needs_an_account(client, org):
    token = csrf_token(client, "/en/account/login")
    response = client.post(f"/en/my/organisations/{org.id}/join", data={"csrf_token": token})
    assert response.status_code in (302, 303)
    assert "/account/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 0


# --- answering ---------------------------------------------------------------------------


def test_the_owner_sees_the_request_on_the_members_page(owner_client, asker_client, org):
    ask(asker_client, org, "Line one.\nLine two.")
    html = owner_client.get(members_page(org)).get_data(as_text=True)
    assert "Requests to join" in html
    assert "Ada Asker" in html and "asker@example.org" in html
    assert "Line one.\nLine two." in html
    assert "/requests/" in html and "/accept" in html and "/decline" in html


def test_editors_do_not_see_requests_to_join(app, asker_client, org):
    ask(asker_client, org)
    editor_client = client_for(app, make_editor(org))
    html = editor_client.get(members_page(org)).get_data(as_text=True)
    assert "Requests to join" not in html and "asker@example.org" not in html


def test_the_owner_accepts_and_the_asker_becomes_an_editor_told_in_polish(
    owner_client, asker_client, asker, owner, org, smtp_server
):
    ask(asker_client, org)
    join_request = only_request(asker)
    response = answer(owner_client, org, join_request.id, "accept")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(members_page(org))
    assert role_in(org, asker) == "editor"
    join_request = only_request(asker)
    assert join_request.status == "accepted"
    assert join_request.answered_by == owner.id and join_request.answered_at is not None
    assert join_request.pending_key is None

    [note] = notifications(asker, "join_accepted")
    assert f"/pl/my/organisations/{org.id}" in note.link
    [message] = smtp_server.wait_for("asker@example.org")
    assert message["Content-Language"] == "pl"
    assert f"/pl/my/organisations/{org.id}" in first_link(message)
    # The owner was told in their language when the request came.
    [owner_message] = smtp_server.wait_for("owner@example.org")
    assert owner_message["Content-Language"] == "da"
    assert "Ada Asker is now an editor" in owner_client.get(members_page(org)).get_data(
        as_text=True
    )
    # The request is no longer on the members page; the asker has the organisation.
    assert "Requests to join" not in owner_client.get(members_page(org)).get_data(as_text=True)
    assert asker_client.get(f"/en/my/organisations/{org.id}").status_code == 200


def test_accepting_twice_gives_one_membership_and_one_message(
    owner_client, asker_client, asker, org
):
    ask(asker_client, org)
    join_request = only_request(asker)
    first = answer(owner_client, org, join_request.id, "accept")
    second = answer(owner_client, org, join_request.id, "accept")
    assert (first.status_code, second.status_code) == (303, 303)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == asker.id)
        )
        == 1
    )
    assert len(notifications(asker, "join_accepted")) == 1


def test_accepting_someone_who_joined_meanwhile_keeps_their_membership(owner, asker, org):
    join_request = members.request_to_join(asker, org.id, "")
    db.session.add(Membership(user_id=asker.id, organisation_id=org.id, role="owner"))
    db.session.commit()
    members.answer(owner, join_request.id, True)
    assert role_in(org, asker) == "owner"
    assert only_request(asker).status == "accepted"


def test_the_owner_declines_and_the_asker_is_told(
    owner_client, asker_client, asker, org, smtp_server
):
    ask(asker_client, org)
    join_request = only_request(asker)
    response = answer(owner_client, org, join_request.id, "decline", headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"].endswith(
        members_page(org)
    )
    assert role_in(org, asker) is None
    assert only_request(asker).status == "declined"
    [note] = notifications(asker, "join_declined")
    assert note.link.endswith(f"/pl/organisations/{org.id}")
    [message] = smtp_server.wait_for("asker@example.org")
    assert message["Content-Language"] == "pl"
    # Declined is not for ever: the person may ask again.
    assert ASK in asker_client.get(org_page(org)).get_data(as_text=True)
    assert ask(asker_client, org).status_code == 303
    assert [r.status for r in requests_of(asker)] == ["declined", "pending"]


def test_a_declined_request_cannot_then_be_accepted(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    answer(owner_client, org, join_request.id, "decline")
    response = answer(owner_client, org, join_request.id, "accept")
    assert response.status_code == 303
    assert only_request(asker).status == "declined"
    assert role_in(org, asker) is None


def test_an_editor_cannot_answer(app, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    editor_client = client_for(app, make_editor(org))
    assert answer(editor_client, org, join_request.id, "accept").status_code == 403
    assert only_request(asker).status == "pending"
    assert role_in(org, asker) is None


def test_another_organisations_owner_cannot_answer(app, asker_client, asker, org, moderator):
    other_owner = UserFactory(email="other@example.org")
    other = make_organisation(other_owner, name="Other Health")
    publish("organisation", other, moderator)
    ask(asker_client, org)
    join_request = only_request(asker)
    other_client = client_for(app, other_owner)
    # Through their own organisation's page, and through the one they do not belong to.
    assert answer(other_client, other, join_request.id, "accept").status_code == 404
    assert answer(other_client, org, join_request.id, "accept").status_code == 404
    with pytest.raises(members.NotAllowed):
        members.answer(other_owner, join_request.id, True)
    assert only_request(asker).status == "pending"
    assert role_in(org, asker) is None
    assert notifications(asker, "join_accepted") == []


def test_forged_ids_are_not_found(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    assert answer(owner_client, org, 999_999, "accept").status_code == 404
    assert answer(owner_client, org, join_request.id, "maybe").status_code == 404
    assert ask(asker_client, 999_999).status_code == 404
    assert withdraw(asker_client, 999_999).status_code == 404
    # Someone else's request cannot be withdrawn.
    assert withdraw(owner_client, join_request.id).status_code == 404
    assert only_request(asker).status == "pending"


def test_answering_needs_the_csrf_token(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    response = owner_client.post(f"{members_page(org)}/requests/{join_request.id}/accept")
    assert response.status_code == 400
    assert only_request(asker).status == "pending"


# --- withdrawing -------------------------------------------------------------------------


def test_withdrawing_without_javascript(asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    response = withdraw(asker_client, join_request.id, next=org_page(org))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(org_page(org))
    join_request = only_request(asker)
    assert (join_request.status, join_request.pending_key) == ("withdrawn", None)
    html = asker_client.get(org_page(org)).get_data(as_text=True)
    assert ASK in html and WAITING not in html


def test_withdrawing_with_htmx_gives_the_ask_form_back(asker_client, asker, org):
    ask(asker_client, org, headers=HTMX)
    join_request = only_request(asker)
    response = withdraw(asker_client, join_request.id, headers=HTMX, slot="page")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and ASK in html and f'id="join-{org.id}-page"' in html
    assert only_request(asker).status == "withdrawn"


def test_an_answered_request_cannot_be_withdrawn(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    answer(owner_client, org, join_request.id, "accept")
    response = withdraw(asker_client, join_request.id)
    assert response.status_code == 303
    assert only_request(asker).status == "accepted"
    assert role_in(org, asker) == "editor"


def test_a_withdrawn_request_cannot_be_answered(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    join_request = only_request(asker)
    withdraw(asker_client, join_request.id)
    assert answer(owner_client, org, join_request.id, "accept").status_code == 303
    assert only_request(asker).status == "withdrawn"
    assert role_in(org, asker) is None


# --- escaping ----------------------------------------------------------------------------


def test_the_message_is_escaped_everywhere(owner_client, asker_client, org, smtp_server):
    evil = '<script>alert("x")</script> & <b>bold</b>'
    ask(asker_client, org, evil)
    html = owner_client.get(members_page(org)).get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    [message] = smtp_server.wait_for("owner@example.org")
    mail_html = message.get_body(("html",)).get_content()
    assert "<script>" not in mail_html and "&lt;script&gt;" in mail_html
    assert evil in body_text(message)  # plain text is plain


# --- finding an organisation to join -----------------------------------------------------


def test_the_search_lists_published_organisations_by_name(app, asker_client, org):
    make_organisation(UserFactory(), name="Nordic Draft Care")  # not published
    html = asker_client.get("/en/organisations/join?q=nordic").get_data(as_text=True)
    assert "Nordic Telecare AS" in html and "Nordic Draft Care" not in html
    assert f'action="/en/my/organisations/{org.id}/join"' in html
    assert f'id="join-{org.id}-search"' in html


def test_the_search_takes_wildcards_and_markup_literally(asker_client, org):
    assert "Nordic Telecare AS" not in asker_client.get("/en/organisations/join?q=%25").get_data(
        as_text=True
    )
    assert "Nordic Telecare AS" not in asker_client.get("/en/organisations/join?q=_").get_data(
        as_text=True
    )
    html = asker_client.get("/en/organisations/join?q=<i>x</i>").get_data(as_text=True)
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html


def test_the_search_shows_membership_and_pending_requests(app, asker_client, asker, org):
    ask(asker_client, org)
    html = asker_client.get("/en/organisations/join?q=telecare").get_data(as_text=True)
    assert WAITING in html
    editor_client = client_for(app, make_editor(org))
    html = editor_client.get("/en/organisations/join?q=telecare").get_data(as_text=True)
    assert "You belong to this organisation." in html and ASK not in html


def test_the_search_as_one_types_returns_the_results_only(asker_client, org):
    response = asker_client.get("/en/organisations/join?q=telecare", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and 'id="join-results"' in html and "Nordic Telecare AS" in html


def test_the_search_shows_at_most_twenty(app, asker_client, moderator):
    owner = UserFactory()
    for n in range(JOIN_SEARCH_RESULTS + 1):
        publish("organisation", make_organisation(owner, name=f"Care Group {n:02d}"), moderator)
    html = asker_client.get("/en/organisations/join?q=care group").get_data(as_text=True)
    assert html.count('class="join-request"') == 20
    assert "Only the first 20 organisations are shown." in html


def test_the_search_needs_an_account(client):
    response = client.get("/en/organisations/join?q=x")
    assert response.status_code in (302, 303)
    assert "/account/login" in response.headers["Location"]


# --- the owner's to-do, the person's data, the notification list -------------------------


def test_pending_requests_for_the_owner(app, asker_client, asker, owner, org):
    ask(asker_client, org)
    editor = make_editor(org)
    assert [r.user_id for r in members.pending_join_requests_for_owner(owner)] == [asker.id]
    assert members.pending_join_requests_for_owner(editor) == []
    assert members.pending_join_requests_for_owner(asker) == []


def test_join_requests_are_in_the_persons_data(owner_client, asker_client, asker, owner, org):
    ask(asker_client, org, "Please.")
    answer(owner_client, org, only_request(asker).id, "decline")
    [mine] = personal_data.export(asker)["join_requests"]
    assert mine["sent_by_you"] and mine["message"] == "Please."
    assert mine["status"] == "declined" and mine["organisation"] == "Nordic Telecare AS"
    [answered] = personal_data.export(owner)["join_requests"]
    assert answered["answered_by_you"] and not answered["sent_by_you"]
    assert answered["message"] is None


def test_requests_go_with_the_account_and_with_the_organisation(owner, asker, org, moderator):
    answered = members.request_to_join(asker, org.id, "")
    members.answer(owner, answered.id, False)
    other_asker = UserFactory()
    members.request_to_join(other_asker, org.id, "")
    delete_account(db.session.get(User, asker.id), PASSWORD)
    db.session.expire_all()
    assert [r.user_id for r in db.session.scalars(select(JoinRequest))] == [other_asker.id]
    delete_organisation(owner, org)
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 0


def test_the_notification_list_says_what_happened(owner_client, asker_client, asker, org):
    ask(asker_client, org)
    assert "Ada Asker asks to join Nordic Telecare AS." in owner_client.get(
        "/en/notifications/"
    ).get_data(as_text=True)
    answer(owner_client, org, only_request(asker).id, "accept")
    html = asker_client.get("/en/notifications/").get_data(as_text=True)
    assert "Your request to join Nordic Telecare AS has been accepted" in html


def test_an_owner_who_turned_the_e_mails_off_is_told_on_the_site_only(
    owner_client, asker_client, owner, org
):
    token = csrf_token(owner_client, "/en/account/settings")
    settings = owner_client.get("/en/account/settings").get_data(as_text=True)
    assert "Someone asks to join my organisation" in settings
    kept = {"contact_request": "y", "moderation_decision": "y"}  # join_request left unticked
    response = owner_client.post("/en/account/settings/emails", data={"csrf_token": token, **kept})
    assert response.status_code == 303
    db.session.refresh(owner)
    assert "join_request" in owner.email_off
    assert ask(asker_client, org).status_code == 303
    assert len(notifications(owner, "join_request")) == 1
    assert mails_to(owner.email) == 0
