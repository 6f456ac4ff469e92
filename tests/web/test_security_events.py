"""The security event log: what it records, who may read it, and how long it is kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker import jobs
from matchmaker.accounts.models import utcnow
from matchmaker.accounts.security_log import SecurityEvent
from matchmaker.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import log_in, post_form, translated
from tests.web.test_two_factor import enrol


def events() -> list[tuple[str, int | None, str | None]]:
    db.session.expire_all()
    return [
        (e.kind, e.user_id, e.address)
        for e in db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))
    ]


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_sign_ins_and_failures_are_recorded_with_their_address(app):
    ada = UserFactory(email="ada@example.org")
    log_in(from_address(app, "203.0.113.7"), "ada@example.org", password="not the password")
    log_in(from_address(app, "203.0.113.8"), "nobody@example.org", password="whatever it is")
    log_in(from_address(app, "198.51.100.1"), "ada@example.org")
    assert events() == [
        ("sign_in_failed", ada.id, "203.0.113.7"),
        ("sign_in_failed", None, "203.0.113.8"),
        ("sign_in", ada.id, "198.51.100.1"),
    ]


class TestPausedAccount:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_FAILURES_PER_ACCOUNT": "2 per hour"}

    def test_a_pause_is_recorded(self, app):
        ada = UserFactory(email="ada@example.org")
        for _ in range(2):
            log_in(app.test_client(), "ada@example.org", password="not the password")
        assert [kind for kind, *_ in events()] == [
            "sign_in_failed",
            "sign_in_failed",
            "sign_in_paused",
        ]
        assert {user for _, user, _ in events()} == {ada.id}


def test_changes_to_how_one_signs_in_are_recorded(app, runner):
    ada = UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    _, codes = enrol(client)
    post_form(client, "/en/account/settings", {}, action="/en/account/logout")
    step = post_form(
        client, "/en/account/login", {"email": "ada@example.org", "password": PASSWORD}
    )
    post_form(client, step.headers["Location"], {"code": codes[0]})
    post_form(
        client,
        "/en/account/two-step/",
        {"off-current_password": PASSWORD},
        action="/en/account/two-step/off",
    )
    runner.invoke(args=["set-role", "ada@example.org", "moderator"])
    kinds = [kind for kind, *_ in events()]
    assert kinds == [
        "sign_in",
        "two_factor_on",
        "recovery_code_used",
        "sign_in",
        "two_factor_off",
        "role_changed",
    ]
    role = db.session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == "role_changed")
    ).one()
    assert role.detail == {"old": "member", "new": "moderator"} and role.user_id == ada.id
    signed_in = db.session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == "sign_in").order_by(SecurityEvent.id)
    ).all()
    assert [e.detail for e in signed_in] == [{"method": "password"}, {"method": "recovery"}]


def test_a_password_change_is_recorded(app):
    UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    post_form(
        client,
        "/en/account/settings",
        {
            "current_password": PASSWORD,
            "password": "a fresh long passphrase",
            "password_confirm": "a fresh long passphrase",
        },
        action="/en/account/settings/password",
    )
    assert [kind for kind, *_ in events()][-1] == "password_changed"


@pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
def test_admins_read_and_filter_the_log(app, lang):
    UserFactory(email="ada@example.org", name="Ada Lovelace")
    log_in(from_address(app, "203.0.113.9"), "ada@example.org", password="not the password")
    UserFactory(email="admin@example.org", role="admin")
    admin = app.test_client()
    log_in(admin, "admin@example.org", lang=lang)
    page = admin.get(f"/{lang}/admin/security-events/").get_data(as_text=True)
    assert translated(lang, "Security events") in page
    assert translated(lang, "Wrong password") in page and "203.0.113.9" in page
    only_ada = admin.get(
        f"/{lang}/admin/security-events/?kind=sign_in&email=admin@example.org"
    ).get_data(as_text=True)
    assert "203.0.113.9" not in only_ada and translated(lang, "Signed in") in only_ada


def test_only_admins_read_the_log(app):
    UserFactory(email="mod@example.org", role="moderator")
    client = app.test_client()
    log_in(client, "mod@example.org")
    assert client.get("/en/admin/security-events/").status_code == 403
    assert app.test_client().get("/en/admin/security-events/").status_code == 303


def test_a_person_finds_their_events_in_their_data_export(app):
    UserFactory(email="ada@example.org")
    client = app.test_client()
    log_in(client, "ada@example.org")
    response = post_form(
        client,
        "/en/account/your-data",
        {"export-current_password": PASSWORD},
        action="/en/account/your-data/export",
    )
    exported = json.loads(response.get_data(as_text=True))
    assert [e["event"] for e in exported["security_events"]] == ["sign_in"]
    assert exported["account"]["two_step_sign_in_since"] is None


def test_old_events_are_deleted_after_a_year(app):
    UserFactory(email="ada@example.org")
    log_in(app.test_client(), "ada@example.org")
    log_in(app.test_client(), "ada@example.org")
    first = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).first()
    first.at = utcnow() - timedelta(days=366)
    db.session.commit()
    jobs.run_job("security-events-cleanup")
    assert len(events()) == 1
