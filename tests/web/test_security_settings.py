"""What the outside audit found: open redirect, proxy addresses, security.txt, admin e-mails."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import csrf_token, post_form


@pytest.mark.parametrize(
    "next_url", ["/%09/evil.example", "/\t/evil.example", "/%5Cevil.example", "%2F%2Fevil.example"]
)
def test_login_never_sends_to_another_site(client, next_url):
    UserFactory(email="u@example.org")
    response = post_form(
        client,
        "/en/account/login",
        {"email": "u@example.org", "password": PASSWORD},
        action=f"/en/account/login?next={next_url}",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/welcome/start"  # a first sign-in


def test_login_keeps_a_next_page_on_this_site(client):
    UserFactory(email="u@example.org")
    response = post_form(
        client,
        "/en/account/login",
        {"email": "u@example.org", "password": PASSWORD},
        action="/en/account/login?next=/en/account/settings",
    )
    assert response.headers["Location"] == "/en/account/settings"


def login_failures_from(app, forwarded_for: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
    url = "/en/account/login"
    data = {"csrf_token": csrf_token(client, url), "email": "x@example.org", "password": "no!"}
    headers = {
        "X-Forwarded-For": forwarded_for,
        "X-Forwarded-Proto": "https",
        "Referer": "https://localhost/en/account/login",  # CSRF checks it on HTTPS
    }
    return client.post(url, data=data, headers=headers).status_code


class TestWithoutAProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "2 per minute"}

    def test_forwarded_headers_are_not_believed(self, app):
        # A visitor cannot escape the address limit by claiming other addresses.
        statuses = [login_failures_from(app, f"198.51.100.{n}") for n in range(3)]
        assert statuses == [422, 422, 429]

    def test_a_claimed_https_is_not_believed(self, client):
        response = client.get("/en/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" not in response.headers


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {
            **app_config,
            "TRUSTED_PROXIES": 1,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "2 per minute",
        }

    def test_each_visitor_has_their_own_address(self, app):
        assert [login_failures_from(app, "198.51.100.1") for _ in range(3)] == [422, 422, 429]
        assert login_failures_from(app, "198.51.100.2") == 422

    def test_only_the_proxys_own_entry_counts(self, app):
        # The proxy appends the address it saw; what a visitor wrote before it is ignored.
        statuses = [login_failures_from(app, f"1.2.3.{n}, 198.51.100.5") for n in range(3)]
        assert statuses == [422, 422, 429]

    def test_https_at_the_proxy_makes_the_site_https(self, client):
        response = client.get("/en/", headers={"X-Forwarded-Proto": "https"})
        assert "Strict-Transport-Security" in response.headers


def test_security_txt_is_absent_until_a_contact_is_set(client):
    assert client.get("/.well-known/security.txt").status_code == 404


class TestSecurityTxt:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "SECURITY_CONTACT": "mailto:security@example.org"}

    def test_it_names_the_contact_and_expires(self, client):
        response = client.get("/.well-known/security.txt")
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        fields = dict(
            line.split(": ", 1) for line in response.get_data(as_text=True).splitlines() if line
        )
        assert fields["Contact"] == "mailto:security@example.org"
        assert fields["Preferred-Languages"] == "pl, en, da, nb"
        assert fields["Expires"].endswith("Z")
        assert fields["Canonical"].endswith("/.well-known/security.txt")


@pytest.mark.parametrize("email", ["admin", "admin@", "admin@@example.org", "a b@example.org"])
def test_create_admin_refuses_what_the_login_form_would(runner, email):
    result = runner.invoke(args=["create-admin", email, "--password", "a long good passphrase"])
    assert result.exit_code != 0
    assert "not a valid e-mail address" in result.output


def test_create_admin_takes_a_proper_address(runner):
    result = runner.invoke(
        args=["create-admin", "Boss@Example.org", "--password", "a long good passphrase"]
    )
    assert result.exit_code == 0, result.output
