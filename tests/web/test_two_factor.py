"""Two-step sign-in: enrolment, the second step, recovery codes, and moderators' duty."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from matchmaker.accounts.models import RecoveryCode, User
from matchmaker.extensions import db
from tests.conftest import body_text
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory
from tests.web.helpers import csrf_token, log_in, next_totp_code, post_form, translated

# Forms, uploads and rendering: CI runs them on SQLite only (tests/conftest.py).
pytestmark = pytest.mark.same_on_any_database

LANGS = ["pl", "en", "da", "nb"]
SECRET_RE = re.compile(r'<code class="secret-key">([A-Z2-7 ]+)</code>')
CODES_RE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def user_named(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    db.session.refresh(user)
    return user


def enrol(client, lang: str = "en") -> tuple[str, list[str]]:
    """Set up two-step sign-in as a person would: read the key, type the app's code."""
    page = client.get(f"/{lang}/account/two-step/").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    response = post_form(
        client,
        f"/{lang}/account/two-step/",
        {"on-code": pyotp.TOTP(secret).now(), "on-current_password": PASSWORD},
        action=f"/{lang}/account/two-step/on",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return secret, CODES_RE.findall(response.get_data(as_text=True))


def password_step(client, email: str, lang: str = "en"):
    return post_form(client, f"/{lang}/account/login", {"email": email, "password": PASSWORD})


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_turns_it_on_and_then_needs_a_code(app, lang, smtp_server):
    UserFactory(email="ada@example.org", locale=lang)
    client = app.test_client()
    log_in(client, "ada@example.org", lang=lang)
    page = client.get(f"/{lang}/account/two-step/").get_data(as_text=True)
    assert '<svg role="img"' in page and translated(lang, "Scan this QR code with the app:") in page

    _, codes = enrol(client, lang)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert user_named("ada@example.org").has_two_factor
    told = smtp_server.wait_for("ada@example.org")
    assert told[-1]["Subject"] == translated(lang, "Two-step sign-in is on")
    other = app.test_client()
    first = password_step(other, "ada@example.org", lang)
    assert f"/{lang}/account/login/code" in first.headers["Location"]
    assert other.get(f"/{lang}/account/settings").status_code == 303  # not signed in yet
    second = post_form(
        other, first.headers["Location"], {"code": next_totp_code("ada@example.org")}
    )
    assert second.status_code == 303
    assert other.get(f"/{lang}/account/settings").status_code == 200


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_code_is_refused_in_the_page_language(app, lang):
    UserFactory(email="ada@example.org", locale=lang, role="moderator")
    client = app.test_client()
    step = password_step(client, "ada@example.org", lang)
    response = post_form(client, step.headers["Location"], {"code": "000000"})
    assert response.status_code == 422
    assert translated(
        lang,
        "This code is not right. Check that the time on your phone is correct, or use one of your recovery codes.",
    ) in response.get_data(as_text=True)
    assert client.get(f"/{lang}/account/settings").status_code == 303


def test_a_wrong_code_or_password_does_not_turn_it_on(client):
    UserFactory(email="ada@example.org")
    log_in(client, "ada@example.org")
    page = client.get("/en/account/two-step/").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    wrong_code = post_form(
        client,
        "/en/account/two-step/",
        {"on-code": "123456", "on-current_password": PASSWORD},
        action="/en/account/two-step/on",
    )
    wrong_password = post_form(
        client,
        "/en/account/two-step/",
        {"on-code": pyotp.TOTP(secret).now(), "on-current_password": "not my password"},
        action="/en/account/two-step/on",
    )
    assert wrong_code.status_code == wrong_password.status_code == 422
    assert "This code is not right." in wrong_code.get_data(as_text=True)
    assert "The password is wrong." in wrong_password.get_data(as_text=True)
    assert not user_named("ada@example.org").has_two_factor


def test_the_same_code_works_only_once(app):
    UserFactory(email="mod@example.org", role="moderator")
    code = pyotp.TOTP(TOTP_SECRET).now()
    first, second = app.test_client(), app.test_client()
    accepted = post_form(
        first, password_step(first, "mod@example.org").headers["Location"], {"code": code}
    )
    replayed = post_form(
        second, password_step(second, "mod@example.org").headers["Location"], {"code": code}
    )
    assert accepted.status_code == 303
    assert replayed.status_code == 422


def test_a_recovery_code_signs_in_once(app):
    UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    _, codes = enrol(client)
    post_form(client, "/en/account/settings", {}, action="/en/account/logout")

    step = password_step(client, "ada@example.org")
    used = post_form(client, step.headers["Location"], {"code": codes[3].upper()})
    assert used.status_code == 303
    assert "9 recovery codes are left" in client.get("/en/").get_data(as_text=True)
    post_form(client, "/en/account/settings", {}, action="/en/account/logout")
    step = password_step(client, "ada@example.org")
    again = post_form(client, step.headers["Location"], {"code": codes[3]})
    assert again.status_code == 422


def test_new_recovery_codes_replace_the_old_ones(app):
    UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    _, old = enrol(client)
    response = post_form(
        client,
        "/en/account/two-step/",
        {"codes-current_password": PASSWORD},
        action="/en/account/two-step/recovery-codes",
    )
    new = CODES_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    post_form(client, "/en/account/settings", {}, action="/en/account/logout")
    step = password_step(client, "ada@example.org")
    assert post_form(client, step.headers["Location"], {"code": old[0]}).status_code == 422


def test_a_member_turns_it_off_with_the_password(app, smtp_server):
    UserFactory(email="ada@example.org", locale="da")
    client = app.test_client()
    log_in(client, "ada@example.org")
    enrol(client)
    refused = post_form(
        client,
        "/en/account/two-step/",
        {"off-current_password": "wrong password here"},
        action="/en/account/two-step/off",
    )
    assert refused.status_code == 422 and user_named("ada@example.org").has_two_factor
    done = post_form(
        client,
        "/en/account/two-step/",
        {"off-current_password": PASSWORD},
        action="/en/account/two-step/off",
    )
    assert done.status_code == 303
    assert not user_named("ada@example.org").has_two_factor
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert smtp_server.wait_for("ada@example.org", 2)[-1]["Subject"] == translated(
        "da", "Two-step sign-in is off"
    )


def test_a_moderator_cannot_turn_it_off(client):
    UserFactory(email="mod@example.org", role="moderator")
    log_in(client, "mod@example.org")
    response = post_form(
        client,
        "/en/account/two-step/",
        {"off-current_password": PASSWORD},
        action="/en/account/two-step/off",
    )
    assert response.status_code == 422
    assert "Moderators and admins must keep two-step sign-in on." in response.get_data(as_text=True)
    assert user_named("mod@example.org").has_two_factor


@pytest.mark.parametrize("lang", LANGS)
def test_a_moderator_without_it_can_do_nothing_but_set_it_up(app, lang):
    UserFactory(email="mod@example.org", role="moderator", totp_secret=None, totp_enabled_at=None)
    client = app.test_client()
    signed_in = log_in(client, "mod@example.org", lang=lang)
    assert signed_in.headers["Location"] == f"/{lang}/account/two-step/"
    for page in (f"/{lang}/moderation/", f"/{lang}/account/settings", f"/{lang}/"):
        response = client.get(page)
        assert response.status_code == 303, page
        assert response.headers["Location"] == f"/{lang}/account/two-step/"
    setup = client.get(f"/{lang}/account/two-step/").get_data(as_text=True)
    assert (
        translated(
            lang,
            "As a moderator or admin you must turn on two-step sign-in before you go on: your account can publish and remove what others write.",
        )
        in setup
    )
    enrol(client, lang)
    assert client.get(f"/{lang}/moderation/").status_code == 200


def test_a_moderator_without_it_cannot_post_either(client):
    UserFactory(email="mod@example.org", role="admin", totp_secret=None, totp_enabled_at=None)
    log_in(client, "mod@example.org")
    token = csrf_token(client, "/en/account/two-step/")
    response = client.post(
        "/en/account/settings/profile", data={"csrf_token": token, "name": "X", "locale": "en"}
    )
    assert response.headers["Location"] == "/en/account/two-step/"
    assert user_named("mod@example.org").name != "X"


def test_the_second_step_expires(app, monkeypatch):
    UserFactory(email="mod@example.org", role="moderator")
    client = app.test_client()
    step = password_step(client, "mod@example.org")
    later = time.time() + 6 * 60
    monkeypatch.setattr("matchmaker.accounts.views.time.time", lambda: later)
    response = client.get(step.headers["Location"])
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/en/account/login")


def test_the_second_step_needs_the_password_first(client):
    UserFactory(email="mod@example.org", role="moderator")
    response = client.get("/en/account/login/code")
    assert response.headers["Location"].startswith("/en/account/login")


def test_the_second_step_keeps_a_local_next_only(app):
    UserFactory(email="mod@example.org", role="moderator")
    client = app.test_client()
    step = post_form(
        client,
        "/en/account/login?next=/%09/evil.example",
        {"email": "mod@example.org", "password": PASSWORD},
    )
    done = post_form(client, step.headers["Location"], {"code": next_totp_code("mod@example.org")})
    assert done.headers["Location"] == "/en/welcome/start"  # a first sign-in


def test_an_admin_resets_a_lost_second_factor(app, runner):
    UserFactory(email="ada@example.org", role="moderator")
    client = app.test_client()
    log_in(client, "ada@example.org")
    result = runner.invoke(args=["two-factor", "reset", "ada@example.org"])
    assert result.exit_code == 0, result.output
    assert not user_named("ada@example.org").has_two_factor
    # Every session ended: the next page asks to log in again.
    assert client.get("/en/account/settings").status_code == 303
    assert runner.invoke(args=["two-factor", "reset", "nobody@example.org"]).exit_code != 0


@pytest.fixture
def throttled_config(app_config):
    return {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "LOGIN_FAILURES_PER_ACCOUNT": "3 per 15 minutes",
    }


class TestWrongCodesCount:
    @pytest.fixture
    def app_config(self, throttled_config):
        return throttled_config

    def test_wrong_codes_pause_the_account_and_tell_its_owner(self, app, smtp_server):
        UserFactory(email="mod@example.org", role="moderator", locale="nb")
        client = app.test_client()
        step = password_step(client, "mod@example.org")
        for _ in range(3):
            post_form(client, step.headers["Location"], {"code": "999999"})
        message = smtp_server.wait_for("mod@example.org")[-1]
        assert message["Subject"] == translated("nb", "Sign-in to your account is paused")
        assert "/nb/account/reset" in body_text(message)
        # Even the right code no longer helps, nor does the password from elsewhere.
        blocked = post_form(
            client, step.headers["Location"], {"code": next_totp_code("mod@example.org")}
        )
        assert blocked.headers["Location"].startswith("/en/account/login")
        again = password_step(app.test_client(), "mod@example.org")
        assert again.status_code == 429


def test_turning_it_on_logs_out_other_devices(app):
    UserFactory(email="ada@example.org")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, "ada@example.org")
    log_in(phone, "ada@example.org")
    enrol(laptop)
    assert laptop.get("/en/account/settings").status_code == 200
    assert phone.get("/en/account/settings").status_code == 303


def test_a_polling_fragment_navigates_to_the_set_up_without_piling_up_messages(app):
    UserFactory(email="mod@example.org", role="moderator", totp_secret=None, totp_enabled_at=None)
    client = app.test_client()
    log_in(client, "mod@example.org")
    for _ in range(3):
        response = client.get("/en/contacts/badge", headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"] == "/en/account/two-step/"
    page = client.get("/en/account/two-step/").get_data(as_text=True)
    assert page.count("Moderators and admins must turn on two-step sign-in before they go on.") <= 1
