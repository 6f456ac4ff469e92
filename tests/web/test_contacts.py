"""Contact requests: sending, answering, who sees what, bad input, limits, the matcher."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.contacts.models import ContactRequest
from matchmaker.extensions import db
from matchmaker.matching import ListKind
from matchmaker.matching import service as matching
from matchmaker.notifications.models import Notification
from tests.conftest import body_text
from tests.factories import UserFactory, make_organisation, make_project, publish, sync_taxonomy
from tests.web.helpers import csrf_token, log_in, translated

PHONE_A, PHONE_B = "+48 600 100 200", "+47 900 11 222"


@pytest.fixture
def world(app):
    sync_taxonomy()
    moderator = UserFactory(role="moderator")
    alice = UserFactory(
        email="alice@example.org", name="Alice", locale="pl", phone=PHONE_A, share_phone=True
    )
    bob = UserFactory(
        email="bob@example.org",
        name="Bob",
        locale="nb",
        phone=PHONE_B,
        share_phone=False,
        job_title="Innovation lead",
    )
    stranger = UserFactory(email="stranger@example.org")
    sender = make_organisation(
        alice,
        name="Wroclaw Telecare",
        kind="startup",
        country="PL",
        region="PL-DS",
        tags={"need": ["clinical_validation"], "category": ["ehealth_telemedicine"]},
    )
    recipient = make_organisation(
        bob,
        name="Oslo University Hospital",
        kind="hospital",
        tags={"capability": ["clinical_validation"], "category": ["ehealth_telemedicine"]},
    )
    publish("organisation", sender, moderator)
    publish("organisation", recipient, moderator)
    project = make_project(recipient)
    publish("project", project, moderator)
    return {
        "alice": alice,
        "bob": bob,
        "stranger": stranger,
        "sender": sender,
        "recipient": recipient,
        "project": project,
        "moderator": moderator,
    }


def form_url(org) -> str:
    return f"/en/contacts/new/{org.id}"


def send(client, world, message="We would like to validate our platform with you.", **extra):
    recipient = world["recipient"]
    token = csrf_token(client, "/en/contacts/outbox")
    prefix = f"to{recipient.id}-"
    data = {
        "csrf_token": token,
        prefix + "sender_org": world["sender"].id,
        prefix + "project": extra.pop("project", 0),
        prefix + "message": message,
        prefix + "contacts": extra.pop("contacts", [world["alice"].id]),
    }
    return client.post(form_url(recipient), data=data, **extra)


def requests_() -> list[ContactRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContactRequest).order_by(ContactRequest.id)))


def answer(client, request_id, decision, reply="", **headers):
    token = csrf_token(client, f"/en/contacts/{request_id}")
    return client.post(
        f"/en/contacts/{request_id}/answer",
        data={"csrf_token": token, "decision": decision, f"r{request_id}-reply": reply},
        headers=headers,
    )


def test_a_request_is_sent_notified_in_the_recipients_language_and_shown_as_sent(
    client, world, smtp_server
):
    log_in(client, "alice@example.org")
    page = client.get(f"/en/organisations/{world['recipient'].id}").get_data(as_text=True)
    assert "Request contact" in page
    response = send(client, world)
    assert response.status_code == 303
    [sent] = requests_()
    assert (sent.status, sent.sender_user_id, sent.sender_contact_ids) == (
        "pending",
        world["alice"].id,
        [world["alice"].id],
    )
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    assert "We would like to validate" in body_text(mail)
    assert "alice@example.org" not in mail.as_string() and PHONE_A not in mail.as_string()
    page = client.get(f"/en/organisations/{world['recipient'].id}").get_data(as_text=True)
    assert "Request sent" in page and ">Request contact<" not in page
    kinds = [n.kind for n in db.session.scalars(select(Notification))]
    assert "contact_request" in kinds


def test_the_inline_form_answers_htmx_with_the_sent_state_and_a_second_send_makes_no_second(
    client, world
):
    log_in(client, "alice@example.org")
    fragment = client.get(form_url(world["recipient"]), headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Your message" in fragment.get_data(as_text=True)
    first = send(client, world, headers={"HX-Request": "true"})
    assert "Request sent." in first.get_data(as_text=True)
    second = send(client, world, headers={"HX-Request": "true"})
    assert "You had already sent this request." in second.get_data(as_text=True)
    assert len(requests_()) == 1


@pytest.mark.parametrize(
    ("message", "error", "variables"),
    [
        ("   ", "This field is required.", {}),
        ("x" * 2001, "Use at most %(max)d characters.", {"max": 2000}),
    ],
)
def test_an_empty_or_too_long_message_is_refused_in_the_readers_language(
    client, world, message, error, variables
):
    log_in(client, "alice@example.org", lang="pl")
    token = csrf_token(client, "/pl/contacts/outbox")
    prefix = f"to{world['recipient'].id}-"
    response = client.post(
        f"/pl/contacts/new/{world['recipient'].id}",
        data={
            "csrf_token": token,
            prefix + "sender_org": world["sender"].id,
            prefix + "project": 0,
            prefix + "message": message,
        },
    )
    assert response.status_code == 422
    assert translated("pl", error, **variables) in response.get_data(as_text=True)
    assert requests_() == []


def test_forged_targets_are_refused_and_change_nothing(client, world, app):
    log_in(client, "alice@example.org")
    other_owner = UserFactory()
    draft = make_organisation(other_owner, name="Draft Org")
    assert client.get(form_url(draft)).status_code == 404  # not published
    token = csrf_token(client, "/en/contacts/outbox")
    # Sending as an organisation one is not a member of.
    foreign = make_organisation(other_owner, name="Foreign Org")
    publish("organisation", foreign, world["moderator"])
    prefix = f"to{world['recipient'].id}-"
    response = client.post(
        form_url(world["recipient"]),
        data={
            "csrf_token": token,
            prefix + "sender_org": foreign.id,
            prefix + "project": 0,
            prefix + "message": "Hello",
        },
    )
    assert response.status_code == 422  # not among the choices offered
    # A project of another organisation than the one addressed.
    elsewhere = make_project(world["sender"])
    publish("project", elsewhere, world["moderator"])
    response = send(client, world, project=elsewhere.id)
    assert response.status_code == 422
    # To one's own organisation: no button, and the form has no sender left.
    page = client.get(f"/en/organisations/{world['sender'].id}").get_data(as_text=True)
    assert "Request contact" not in page
    assert requests_() == []


def test_only_the_two_organisations_see_a_request_and_only_the_right_side_acts(client, world, app):
    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    stranger = app.test_client()
    log_in(stranger, "stranger@example.org")
    token = csrf_token(stranger, "/en/contacts/outbox")
    assert stranger.get(f"/en/contacts/{sent.id}").status_code == 404
    for action in ("answer", "withdraw", "lift"):
        response = stranger.post(
            f"/en/contacts/{sent.id}/{action}", data={"csrf_token": token, "decision": "accept"}
        )
        assert response.status_code == 404
    # The sender cannot accept their own request.
    assert answer(client, sent.id, "accept").status_code == 404
    assert stranger.get("/en/contacts/9999").status_code == 404
    assert requests_()[0].status == "pending"


def test_contact_details_appear_only_after_acceptance_and_only_those_shared(
    client, world, app, smtp_server
):
    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    before = [
        bob.get("/en/contacts/inbox"),
        bob.get(f"/en/contacts/{sent.id}"),
        client.get("/en/contacts/outbox"),
        client.get(f"/en/contacts/{sent.id}"),
        client.get(f"/en/organisations/{world['recipient'].id}"),
        client.get(f"/en/projects/{world['project'].id}"),
    ]
    for response in before:
        text = response.get_data(as_text=True)
        assert "alice@example.org" not in text or response.request.path.startswith("/en/contacts/o")
        assert "bob@example.org" not in text and PHONE_B not in text
        assert PHONE_A not in text
    # The inbox names the sender person, never their address.
    assert "alice@example.org" not in before[0].get_data(as_text=True)

    response = answer(bob, sent.id, "accept", reply="Gladly.", **{"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "alice@example.org" in fragment and PHONE_A in fragment
    page = client.get(f"/en/contacts/{sent.id}").get_data(as_text=True)
    assert "bob@example.org" in page and "Innovation lead" in page
    assert PHONE_B not in page  # Bob does not share his phone
    assert "Gladly." in page
    [mail] = smtp_server.wait_for("alice@example.org")
    assert mail["Content-Language"] == "pl"
    assert "bob@example.org" not in mail.as_string()


def test_answering_twice_or_after_a_withdrawal_changes_nothing_and_says_why(client, world, app):
    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    stale_token = csrf_token(bob, f"/en/contacts/{sent.id}")
    token = csrf_token(client, f"/en/contacts/{sent.id}")
    assert (
        client.post(f"/en/contacts/{sent.id}/withdraw", data={"csrf_token": token}).status_code
        == 303
    )
    response = bob.post(
        f"/en/contacts/{sent.id}/answer",
        data={"csrf_token": stale_token, "decision": "accept"},
    )
    assert response.status_code == 409
    assert "withdrawn by its sender" in response.get_data(as_text=True)
    assert requests_()[0].status == "withdrawn"
    # A new request may be sent after the withdrawal; answering it twice keeps the first.
    send(client, world)
    second = requests_()[-1]
    assert answer(bob, second.id, "decline").status_code == 303
    response = answer(bob, second.id, "accept")
    assert response.status_code == 409
    assert requests_()[-1].status == "declined"


def test_a_daily_limit_per_person_stops_more_requests(client, world, app, monkeypatch):
    app.config["CONTACT_REQUESTS_PER_USER_PER_DAY"] = 1
    log_in(client, "alice@example.org")
    send(client, world)
    other = make_organisation(UserFactory(), name="Aarhus Clinic", kind="hospital")
    publish("organisation", other, world["moderator"])
    token = csrf_token(client, "/en/contacts/outbox")
    prefix = f"to{other.id}-"
    response = client.post(
        form_url(other),
        data={
            "csrf_token": token,
            prefix + "sender_org": world["sender"].id,
            prefix + "project": 0,
            prefix + "message": "Hello",
        },
    )
    assert response.status_code == 422
    assert "the most requests allowed in one day" in response.get_data(as_text=True)
    assert len(requests_()) == 1


def test_a_declined_pair_leaves_the_matchers_lists_until_the_decliner_lifts_it(client, world, app):
    def partners() -> set[int]:
        page = matching.matches_for_organisation(world["sender"].id, ListKind.ORGANISATION_PARTNERS)
        return {item.match.key.item_id for item in page.items}

    assert world["recipient"].id in partners()
    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    answer(bob, sent.id, "decline", reply="Not now.")
    assert world["recipient"].id not in partners()
    token = csrf_token(bob, f"/en/contacts/{sent.id}")
    assert bob.post(f"/en/contacts/{sent.id}/lift", data={"csrf_token": token}).status_code == 303
    assert world["recipient"].id in partners()


def test_the_badge_counts_unopened_requests_and_the_inbox_marks_them_read(client, world, app):
    log_in(client, "alice@example.org")
    send(client, world)
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    badge = bob.get("/en/contacts/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'class="badge badge-count">1<' in badge and "<html" not in badge
    assert "1 new request" in bob.get("/en/").get_data(as_text=True)
    bob.get("/en/contacts/inbox")
    badge = bob.get("/en/contacts/badge", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "badge-count" not in badge


def test_contact_details_are_edited_in_the_account_settings(client, world):
    log_in(client, "bob@example.org")
    token = csrf_token(client, "/en/account/settings")
    response = client.post(
        "/en/account/settings/contact",
        data={"csrf_token": token, "job_title": "Head of research", "phone": "call me maybe"},
    )
    assert response.status_code == 422
    assert "Use digits, spaces and + - ( ) only." in response.get_data(as_text=True)
    response = client.post(
        "/en/account/settings/contact",
        data={
            "csrf_token": token,
            "job_title": "Head of research",
            "phone": "+47 22 11 00 00",
            "share_name": "y",
            "share_phone": "y",
        },
    )
    assert response.status_code == 303
    db.session.refresh(world["bob"])
    bob = world["bob"]
    assert (bob.job_title, bob.phone, bob.share_phone, bob.share_email) == (
        "Head of research",
        "+47 22 11 00 00",
        True,
        False,
    )


def test_unanswered_requests_are_reminded_once_then_expire(client, world, runner, smtp_server):
    from datetime import timedelta

    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    smtp_server.clear()
    sent.created_at = sent.created_at - timedelta(days=8)
    db.session.commit()
    result = runner.invoke(args=["contacts", "remind"])
    assert "1 reminder(s) sent, 0 request(s) expired" in result.output
    [mail] = smtp_server.wait_for("bob@example.org")
    assert mail["Content-Language"] == "nb"
    assert f"/nb/contacts/{sent.id}" in body_text(mail)
    result = runner.invoke(args=["contacts", "remind"])
    assert "0 reminder(s) sent, 0 request(s) expired" in result.output

    sent = requests_()[0]
    sent.created_at = sent.created_at - timedelta(days=30)
    db.session.commit()
    result = runner.invoke(args=["contacts", "remind"])
    assert "0 reminder(s) sent, 1 request(s) expired" in result.output
    [expired] = requests_()
    assert (expired.status, expired.open_key) == ("expired", None)
    [mail] = smtp_server.wait_for("alice@example.org")
    assert mail["Content-Language"] == "pl"
    # The pair may write again.
    assert send(client, world).status_code == 303
    assert len(requests_()) == 2


def test_a_reported_request_reaches_the_moderators_who_can_suspend_the_sender(client, world, app):

    log_in(client, "alice@example.org")
    send(client, world)
    [sent] = requests_()
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    token = csrf_token(bob, f"/en/contacts/{sent.id}")
    # The sender cannot report their own request; a reason is required.
    alice_token = csrf_token(client, f"/en/contacts/{sent.id}")
    response = client.post(
        f"/en/contacts/{sent.id}/report", data={"csrf_token": alice_token, "reason": "spam"}
    )
    assert response.status_code == 404
    response = bob.post(f"/en/contacts/{sent.id}/report", data={"csrf_token": token})
    assert response.status_code == 422
    response = bob.post(
        f"/en/contacts/{sent.id}/report",
        data={"csrf_token": token, "reason": "spam", "note": "Sells pills."},
    )
    assert response.status_code == 303
    assert requests_()[0].report_status == "open"

    moderator = app.test_client()
    UserFactory(email="mod2@example.org", role="moderator")
    log_in(moderator, "mod2@example.org")
    page = moderator.get("/en/moderation/reports").get_data(as_text=True)
    assert "Sells pills." in page and "alice@example.org" in page
    assert bob.get("/en/moderation/reports").status_code == 403
    token = csrf_token(moderator, "/en/moderation/reports")
    response = moderator.post(
        f"/en/moderation/reports/{sent.id}", data={"csrf_token": token, "decision": "suspend"}
    )
    assert response.status_code == 303
    assert requests_()[0].report_status == "suspended"
    # Alice's session has ended and she cannot log in again.
    assert client.get("/en/contacts/outbox").status_code in (302, 303)
    response = log_in(client, "alice@example.org")
    assert response.status_code == 422
    assert "suspended by a moderator" in response.get_data(as_text=True)


def test_e_mails_can_be_turned_off_per_kind_but_the_notification_stays(
    client, world, app, smtp_server
):
    bob = app.test_client()
    log_in(bob, "bob@example.org")
    token = csrf_token(bob, "/en/account/settings")
    kinds = ["contact_accepted", "contact_declined", "contact_reminder", "contact_expired"]
    response = bob.post(
        "/en/account/settings/emails", data={"csrf_token": token, **dict.fromkeys(kinds, "y")}
    )
    assert response.status_code == 303
    db.session.refresh(world["bob"])
    assert world["bob"].email_off == ["contact_request", "moderation_decision", "join_request"]
    smtp_server.clear()
    log_in(client, "alice@example.org")
    send(client, world)
    assert smtp_server.to("bob@example.org") == []
    kinds = {
        n.kind
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == world["bob"].id)
        )
    }
    assert "contact_request" in kinds
