"""Language routing, security headers, CSRF, rate limits, health check, error pages."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.web.helpers import csrf_token, post_form, translated


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_every_language_has_its_html_lang(client, lang):
    page = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_language_switcher_names_each_language_in_itself(client):
    page = client.get("/en/account/login").get_data(as_text=True)
    for link in (
        'href="/pl/account/login" lang="pl" hreflang="pl"',
        'href="/da/account/login" lang="da" hreflang="da"',
        'href="/nb/account/login" lang="nb" hreflang="nb"',
    ):
        assert link in page
    for name in ("Polski", "English", "Dansk", "Norsk bokmål"):
        assert name in page


def test_switching_language_keeps_the_query(client):
    page = client.get("/en/account/login?next=/en/account/settings").get_data(as_text=True)
    assert 'href="/pl/account/login?next=/en/account/settings"' in page


@pytest.mark.parametrize("path", ["/xx/", "/xx/account/login", "/de/", "/EN/"])
def test_unknown_language_prefix_is_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nb-NO,nb;q=0.9", "/nb/"),
        ("no", "/nb/"),
        ("nn-NO", "/nb/"),
        ("da-DK,da;q=0.9,en;q=0.5", "/da/"),
        ("pl-PL,pl;q=0.9", "/pl/"),
        ("de-DE,fr;q=0.8", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_root_prefers_the_cookie_of_the_last_language_used(client):
    client.get("/da/")
    assert client.get("/", headers={"Accept-Language": "pl"}).headers["Location"] == "/da/"


def test_no_and_nn_prefixes_redirect_to_nb(client):
    assert client.get("/no/account/login?x=1").headers["Location"] == "/nb/account/login?x=1"
    assert client.get("/nn/").headers["Location"] == "/nb/"


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_404_page_is_translated(client, lang):
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    assert translated(lang, "Page not found") in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    response = client.get("/en/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_csp_nonce_differs_per_request(client):
    first = client.get("/en/").headers["Content-Security-Policy"]
    second = client.get("/en/").headers["Content-Security-Policy"]
    assert first != second


def test_hsts_is_sent_over_https(client):
    response = client.get("/en/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_httponly_and_lax(client):
    UserFactory(email="u@example.org")
    from tests.web.helpers import log_in

    response = log_in(client, "u@example.org")
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(client):
    response = client.post(
        "/en/account/login", data={"email": "a@example.org", "password": "x" * 12}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_htmx_post_without_csrf_header_is_refused_into_the_flash_region(client):
    response = client.post(
        "/en/account/login",
        data={"email": "a@example.org", "password": "x" * 12},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash-messages"
    assert "<html" not in response.get_data(as_text=True)


def test_htmx_post_with_csrf_header_is_accepted(client):
    token = csrf_token(client, "/en/account/login")
    response = client.post(
        "/en/account/login",
        data={"email": "a@example.org", "password": "x" * 12},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 422  # reached the form: wrong credentials, not a CSRF refusal


def test_htmx_request_needing_login_gets_hx_redirect(client):
    response = client.get("/en/account/settings", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/en/account/login?next=")


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "worker": "immediate"}


def test_healthz_reports_a_broken_database(app_config, tmp_path):
    from matchmaker import create_app

    missing = tmp_path / "no-such-directory" / "gone.sqlite"
    broken = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_cookies_are_secure_when_served_over_https(app_config):
    from matchmaker import create_app

    secure = create_app({**app_config, "PREFERRED_URL_SCHEME": "https"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("lang", "month"), [("pl", "listopada"), ("da", "november"), ("nb", "november")]
)
def test_dates_are_formatted_for_the_page_language(client, lang, month):
    from datetime import UTC, datetime

    from tests.web.helpers import log_in

    UserFactory(email="d@example.org", created_at=datetime(2026, 11, 23, 12, tzinfo=UTC))
    log_in(client, "d@example.org")
    page = client.get(f"/{lang}/account/settings").get_data(as_text=True)
    assert f"23 {month} 2026" in page or f"23. {month} 2026" in page


class TestRateLimits:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}

    @pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
    def test_login_rate_limit_answers_429_in_the_page_language(self, client, lang):
        url = f"/{lang}/account/login"
        token = csrf_token(client, url)
        data = {"csrf_token": token, "email": "a@example.org", "password": "wrong password!"}
        statuses = [client.post(url, data=data).status_code for _ in range(4)]
        assert statuses[:3] == [422, 422, 422]
        response = client.post(url, data=data)
        assert response.status_code == 429
        assert translated(lang, "Too many attempts") in response.get_data(as_text=True)

    def test_reset_requests_are_limited(self, client, app):
        app.config["RATELIMIT_MAIL"] = "2 per minute"
        statuses = [
            post_form(client, "/en/account/reset", {"email": "a@example.org"}).status_code
            for _ in range(3)
        ]
        assert statuses == [303, 303, 429]


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_an_error_page_quotes_the_request_id_of_its_log_lines(app_config, lang):
    from matchmaker import create_app

    app = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})

    @app.route("/<lang:lang>/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get(f"/{lang}/boom", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-12345678"
    page = response.get_data(as_text=True)
    with app.test_request_context(f"/{lang}/"):
        expected = translated(
            lang,
            "If you write to the platform's team about this, quote this reference: %(reference)s",
            reference="req-12345678",
        )
    assert expected in page
