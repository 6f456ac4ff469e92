"""Each feature declares its part of a person's data; the account pages only collect them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from matchmaker import personal_data
from matchmaker.accounts.models import User
from matchmaker.extensions import db
from matchmaker.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory
from tests.web.helpers import csrf_token, log_in
from tests.web.test_events import make_event, person, sign_up, state, world  # noqa: F401

EXPORT_KEYS = [  # the JSON export's first keys, in order, since format 1 (new ones follow)
    "format",
    "account",
    "security_events",
    "memberships",
    "contact_requests",
    "event_registrations",
    "saved_searches",
    "notifications",
    "dismissed_matches",
]


def export_through_the_page(client) -> dict:
    token = csrf_token(client, "/en/account/your-data")
    response = client.post(
        "/en/account/your-data/export",
        data={"csrf_token": token, "export-current_password": PASSWORD},
    )
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def delete_through_the_page(client):
    token = csrf_token(client, "/en/account/your-data")
    return client.post(
        "/en/account/your-data/delete",
        data={"csrf_token": token, "delete-current_password": PASSWORD, "delete-confirm": "y"},
    )


def user_exists(user_id: int) -> bool:
    return db.session.scalar(select(User.id).where(User.id == user_id)) is not None


@pytest.fixture
def own_sections(monkeypatch):
    """Sections declared in a test are forgotten after it."""
    monkeypatch.setattr(personal_data, "SECTIONS", dict(personal_data.SECTIONS))


def test_the_export_keeps_its_keys_and_their_order(app, client):
    UserFactory(email="ola@example.org")
    log_in(client, "ola@example.org")
    assert list(export_through_the_page(client))[: len(EXPORT_KEYS)] == EXPORT_KEYS


def test_a_features_declaration_is_exported_and_erased(app, client, own_sections):
    ola, kari = UserFactory(email="ola@example.org"), UserFactory(email="kari@example.org")
    ola_id, kari_id = ola.id, kari.id
    seen = []

    def export(user):
        return [{"note": f"kept for {user.email}"}]

    def erase(user):
        seen.append(user_exists(user.id))  # the row is still there
        db.session.add(Notification(user_id=kari_id, kind="test_ola_left", data={}))

    personal_data.declare("test_notes", export=export, erase=erase, order=90)
    log_in(client, "ola@example.org")
    exported = export_through_the_page(client)
    assert list(exported)[: len(EXPORT_KEYS) + 1] == [*EXPORT_KEYS, "test_notes"]
    assert exported["test_notes"] == [{"note": "kept for ola@example.org"}]

    assert delete_through_the_page(client).status_code == 303
    assert seen == [True]
    assert not user_exists(ola_id)
    # What the erasure wrote was committed with the deletion.
    db.session.rollback()
    [told] = db.session.scalars(select(Notification).where(Notification.user_id == kari_id))
    assert told.kind == "test_ola_left"


def test_deleting_an_account_gives_its_seat_to_the_next_in_line(app, world, smtp_server):  # noqa: F811
    event = make_event(world, capacity=1)
    bob, carol = person(app, world, "bob"), person(app, world, "carol")
    sign_up(bob, event)
    sign_up(carol, event)
    assert state(event) == {"Bob": ("confirmed", None), "Carol": ("waiting", 1)}
    smtp_server.clear()  # the sign-up receipts

    assert delete_through_the_page(bob).status_code == 303
    assert state(event) == {"Carol": ("confirmed", None)}
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == world["carol"].id)
    ).all()
    assert note.kind == "event_promoted"
    assert smtp_server.wait_for("carol@example.org")
