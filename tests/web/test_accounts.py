"""Registration, confirmation, login, logout, reset and settings through the test client."""

from __future__ import annotations

import pytest

from matchmaker.accounts.models import User
from matchmaker.extensions import db
from tests.conftest import body_text, first_link
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import log_in, post_form, translated

NEW_PASSWORD = "a fresh passphrase here"


def register(client, email="new@example.org", password="long enough passphrase", lang="en"):
    url = f"/{lang}/account/register"
    return post_form(
        client,
        url,
        {"name": "Ada", "email": email, "password": password, "password_confirm": password},
    )


def test_registration_creates_unconfirmed_account_and_sends_link(client, smtp_server):
    response = register(client)
    assert response.status_code == 303
    user = db.session.query(User).filter_by(email="new@example.org").one()
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("scrypt:")
    [message] = smtp_server.wait_for("new@example.org")
    assert "/en/account/confirm/" in first_link(message)


def test_registration_email_is_in_the_page_language(client, smtp_server):
    register(client, email="pl@example.org", lang="pl")
    [message] = smtp_server.wait_for("pl@example.org")
    assert message["Subject"] == translated("pl", "Confirm your e-mail address")
    assert "/pl/account/confirm/" in body_text(message)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "Use at least 12 characters."),
        ("x" * 129, "Use at most 128 characters."),
        ("password1234", "This password is too common"),
    ],
)
def test_registration_refuses_weak_passwords(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_registration_accepts_128_characters(client):
    assert register(client, password=("tall ships sail " * 10)[:128]).status_code == 303


def test_registering_a_taken_address_looks_the_same_and_warns_the_owner(client, smtp_server):
    UserFactory(email="taken@example.org")
    response = register(client, email="taken@example.org")
    assert response.status_code == 303
    assert "/check-your-inbox" in response.headers["Location"]
    [message] = smtp_server.wait_for("taken@example.org")
    assert "already have an account" in body_text(message)
    assert db.session.query(User).count() == 1


def test_confirmation_link_confirms_once(client, smtp_server):
    register(client)
    link = first_link(smtp_server.wait_for("new@example.org")[0])
    path = link.split("localhost", 1)[1]
    response = client.get(path)
    assert response.status_code == 303
    assert db.session.query(User).one().email_confirmed_at is not None
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your e-mail address is confirmed" in login_page


def test_tampered_confirmation_link_is_refused(client, smtp_server):
    register(client)
    link = first_link(smtp_server.wait_for("new@example.org")[0])
    path = link.split("localhost", 1)[1]
    response = client.get(path[:-3] + "abc", follow_redirects=True)
    assert "This link is not valid" in response.get_data(as_text=True)
    assert db.session.query(User).one().email_confirmed_at is None


def test_unconfirmed_account_cannot_log_in(client):
    UserFactory(email="u@example.org", email_confirmed_at=None)
    response = log_in(client, "u@example.org")
    assert response.status_code == 422
    assert "confirm your e-mail address first" in response.get_data(as_text=True)


def test_wrong_password_gives_one_message_for_unknown_and_known_addresses(client):
    UserFactory(email="u@example.org")
    known = log_in(client, "u@example.org", "wrong password!!").get_data(as_text=True)
    unknown = log_in(client, "nobody@example.org", "wrong password!!").get_data(as_text=True)
    assert "The e-mail address or the password is wrong." in known
    assert "The e-mail address or the password is wrong." in unknown


def test_login_then_logout_ends_the_session(client):
    UserFactory(email="u@example.org")
    assert log_in(client, "u@example.org").status_code == 303
    assert client.get("/en/account/settings").status_code == 200
    token_page = "/en/account/settings"
    response = post_form(client, token_page, {}, action="/en/account/logout")
    assert response.status_code == 303
    assert client.get("/en/account/settings").headers["Location"].startswith("/en/account/login")


def test_logout_ends_sessions_on_other_devices(app):
    UserFactory(email="u@example.org")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "u@example.org")
    log_in(phone, "u@example.org")
    post_form(laptop, "/en/account/settings", {}, action="/en/account/logout")
    assert phone.get("/en/account/settings").headers["Location"].startswith("/en/account/login")


def test_login_redirects_only_to_local_next(client):
    UserFactory(email="u@example.org")
    token_url = "/en/account/login?next=https://evil.example.com/"
    response = post_form(client, token_url, {"email": "u@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/en/welcome/start"  # a first sign-in


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, smtp_server):
    UserFactory(email="u@example.org")
    known = post_form(client, "/en/account/reset", {"email": "u@example.org"})
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = post_form(client, "/en/account/reset", {"email": "nobody@example.org"})
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "If an account uses u@example.org" in known_page
    assert "If an account uses nobody@example.org" in unknown_page
    assert len(smtp_server.wait_for("u@example.org")) == 1
    assert smtp_server.to("nobody@example.org") == []


def test_reset_link_sets_new_password_once(client, smtp_server):
    UserFactory(email="u@example.org")
    post_form(client, "/en/account/reset", {"email": "u@example.org"})
    path = first_link(smtp_server.wait_for("u@example.org")[0]).split("localhost", 1)[1]
    response = post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert log_in(client, "u@example.org", PASSWORD).status_code == 422
    assert log_in(client, "u@example.org", NEW_PASSWORD).status_code == 303
    again = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert "This link is not valid or has already been used." in again


def test_password_change_needs_current_password_and_ends_other_sessions(app):
    UserFactory(email="u@example.org")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "u@example.org")
    log_in(phone, "u@example.org")
    wrong = post_form(
        laptop,
        "/en/account/settings",
        {
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
        action="/en/account/settings/password",
    )
    assert wrong.status_code == 422
    assert "The password is wrong." in wrong.get_data(as_text=True)
    ok = post_form(
        laptop,
        "/en/account/settings",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        action="/en/account/settings/password",
    )
    assert ok.status_code == 303
    assert laptop.get("/en/account/settings").status_code == 200
    assert phone.get("/en/account/settings").headers["Location"].startswith("/en/account/login")


def test_email_change_asks_for_password_and_applies_after_the_link(client, smtp_server):
    UserFactory(email="old@example.org")
    log_in(client, "old@example.org")
    wrong = post_form(
        client,
        "/en/account/settings",
        {"email": "new@example.org", "current_password": "not my password"},
        action="/en/account/settings/email",
    )
    assert wrong.status_code == 422
    assert smtp_server.to("new@example.org") == []
    post_form(
        client,
        "/en/account/settings",
        {"email": "new@example.org", "current_password": PASSWORD},
        action="/en/account/settings/email",
    )
    assert db.session.query(User).one().email == "old@example.org"
    assert smtp_server.wait_for("old@example.org")  # the old address is warned
    path = first_link(smtp_server.wait_for("new@example.org")[0]).split("localhost", 1)[1]
    client.get(path)
    db.session.expire_all()
    assert db.session.query(User).one().email == "new@example.org"


def test_email_change_to_a_taken_address_is_refused(client):
    UserFactory(email="me@example.org")
    UserFactory(email="other@example.org")
    log_in(client, "me@example.org")
    response = post_form(
        client,
        "/en/account/settings",
        {"email": "other@example.org", "current_password": PASSWORD},
        action="/en/account/settings/email",
    )
    assert response.status_code == 422
    assert "Another account already uses this address." in response.get_data(as_text=True)


def test_saving_preferred_language_moves_to_that_language(client):
    UserFactory(email="u@example.org")
    log_in(client, "u@example.org")
    response = post_form(
        client,
        "/en/account/settings",
        {"name": "Ada Lovelace", "locale": "da"},
        action="/en/account/settings/profile",
    )
    assert response.headers["Location"] == "/da/account/settings"
    user = db.session.query(User).one()
    assert (user.name, user.locale) == ("Ada Lovelace", "da")
    assert client.get("/").headers["Location"] == "/da/"


def test_settings_validation_errors_come_back_as_a_fragment_for_htmx(client):
    UserFactory(email="u@example.org")
    log_in(client, "u@example.org")
    token_page = client.get("/en/account/settings").get_data(as_text=True)
    from tests.web.helpers import CSRF_RE

    token = CSRF_RE.search(token_page)
    response = client.post(
        "/en/account/settings/profile",
        data={"name": "", "locale": "en"},
        headers={"HX-Request": "true", "X-CSRFToken": token.group(1) or token.group(2)},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<form")
    assert "This field is required." in body
    assert "<html" not in body
