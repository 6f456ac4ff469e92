"""Failed sign-ins are limited per account (from any address) and per address (failures
only, so a venue behind one address can still sign in); the owner is told by e-mail."""

from __future__ import annotations

import os

import pytest

from matchmaker.extensions import db
from tests.conftest import IsolatedClient, body_text
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import csrf_token, translated


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_LOGIN": "5 per minute",
        "LOGIN_FAILURES_PER_ACCOUNT": "3 per 15 minutes",
    }


def attempt(app, email: str, password: str, address: str, lang: str = "en"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    url = f"/{lang}/account/login"
    data = {"csrf_token": csrf_token(client, url), "email": email, "password": password}
    return client.post(url, data=data)


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_guessing_one_account_from_many_addresses_is_stopped(app, smtp_server, lang):
    UserFactory(email="ada@example.org", locale=lang)
    statuses = [
        attempt(app, "ada@example.org", "wrong guess!", f"203.0.113.{n}", lang).status_code
        for n in range(1, 5)
    ]
    assert statuses == [422, 422, 422, 429]
    # Paused even with the right password, with a message in the page's language.
    right = attempt(app, "ada@example.org", PASSWORD, "198.51.100.7", lang)
    assert right.status_code == 429
    page = right.get_data(as_text=True)
    assert translated(lang, "Forgot your password?") in page
    [message] = smtp_server.wait_for("ada@example.org")
    assert message["Subject"] == translated(lang, "Sign-in to your account is paused")
    assert f"/{lang}/account/reset" in body_text(message)


def test_other_accounts_are_not_paused(app):
    UserFactory(email="ada@example.org")
    UserFactory(email="bo@example.org")
    for n in range(3):
        attempt(app, "ada@example.org", "wrong guess!", f"203.0.113.{n}")
    assert attempt(app, "bo@example.org", PASSWORD, "203.0.113.50").status_code == 303


def test_a_crowd_behind_one_address_signs_in(app):
    for n in range(8):
        UserFactory(email=f"guest{n}@example.org")
    statuses = [
        attempt(app, f"guest{n}@example.org", PASSWORD, "192.0.2.1").status_code for n in range(8)
    ]
    assert statuses == [303] * 8  # more than the address limit, as none of them failed


def test_failures_from_one_address_are_limited_across_accounts(app):
    statuses = [
        attempt(app, f"nobody{n}@example.org", "wrong guess!", "192.0.2.9").status_code
        for n in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_a_new_password_reopens_sign_in(app, smtp_server):
    from matchmaker.accounts import emails, services

    user = UserFactory(email="ada@example.org")
    for n in range(3):
        attempt(app, "ada@example.org", "wrong guess!", f"203.0.113.{n}")
    with app.test_request_context():
        emails.send_reset(user)
        db.session.commit()
    link = smtp_server.wait_for("ada@example.org", 2)[-1]
    url = body_text(link).split("http://localhost")[1].split()[0]
    client = app.test_client()
    token = csrf_token(client, url)
    new_password = "a brand new passphrase"
    client.post(
        url, data={"csrf_token": token, "password": new_password, "password_confirm": new_password}
    )
    assert services.find_by_email("ada@example.org") is not None
    assert attempt(app, "ada@example.org", new_password, "203.0.113.99").status_code == 303


REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to a Redis server")
def test_two_workers_share_the_account_count_in_redis(app, app_config):
    import redis

    from matchmaker import create_app

    config = {**app_config, "RATELIMIT_STORAGE_URI": REDIS_URL}
    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    first, second = create_app(config), create_app(config)
    try:
        for worker in (first, second):
            worker.test_client_class = IsolatedClient
        UserFactory(email="ada@example.org")
        for n in range(2):
            attempt(first, "ada@example.org", "wrong guess!", f"203.0.113.{n}")
        assert attempt(second, "ada@example.org", "wrong guess!", "203.0.113.8").status_code == 422
        assert attempt(first, "ada@example.org", PASSWORD, "203.0.113.9").status_code == 429
        assert any(b"login-account" in key for key in store.keys("*"))
        assert not any(b"ada@example.org" in key for key in store.keys("*"))
    finally:
        for worker in (first, second):
            with worker.app_context():
                db.engine.dispose()  # their own connection pools, as separate processes
        store.flushdb()
        store.close()
