"""The outbox: mail is a row committed with its change and delivered by the worker; a
failing mail server loses nothing and duplicates nothing."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from matchmaker.accounts.models import utcnow
from matchmaker.extensions import db
from matchmaker.mail import send_mail
from matchmaker.outbox import delivery
from matchmaker.outbox import services as outbox
from matchmaker.outbox.models import OutboxMessage
from tests.conftest import Mailbox, free_port
from tests.factories import UserFactory
from tests.web.helpers import log_in, post_form


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def queue_reset_mail(to: str = "ada@example.org") -> None:
    send_mail(
        to,
        "already_registered",
        "en",
        user=UserFactory.build(name="Ada"),
        login_link="http://x/login",
        reset_link="http://x/reset",
    )


class ScriptedServer(Mailbox):
    """An SMTP server answering DATA with the next reply of `script`, then 250."""

    def __init__(self, script: list[str]):
        super().__init__()
        self.script = list(script)

    async def handle_DATA(self, server, session, envelope):
        if self.script:
            return self.script.pop(0)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def scripted():
    servers = []

    def start(*script: str) -> ScriptedServer:
        handler = ScriptedServer(list(script))
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        handler.port = port
        return handler

    yield start
    for controller in servers:
        controller.stop()


def use_server(app, port: int) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)


def deliver_later(minutes: int) -> delivery.Report:
    """Run the delivery as the worker would `minutes` from now (retries come due)."""
    return delivery.deliver_due(
        db.session, outbox.connection, now=utcnow() + timedelta(minutes=minutes)
    )


def test_a_committed_message_is_delivered_once_with_its_message_id(app, smtp_server):
    queue_reset_mail()
    db.session.commit()
    [message] = smtp_server.wait_for("ada@example.org")
    [row] = rows()
    assert row.status == "sent" and row.attempts == 1
    assert message["Message-ID"] == row.message_id


def test_a_rolled_back_transaction_sends_nothing(app, smtp_server):
    queue_reset_mail()
    db.session.rollback()
    db.session.commit()
    assert rows() == []
    assert smtp_server.to("ada@example.org") == []


def test_a_refused_connection_keeps_the_message_for_later(app, smtp_server):
    use_server(app, free_port())  # nothing listens there
    queue_reset_mail()
    db.session.commit()
    [row] = rows()
    assert row.status == "queued" and row.attempts == 1
    assert row.last_error.startswith("connection failed")
    wait = row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    use_server(app, smtp_server.port)
    assert deliver_later(0).sent == 0  # not due yet
    assert deliver_later(2).sent == 1
    assert len(smtp_server.wait_for("ada@example.org")) == 1
    assert rows()[0].status == "sent"


def test_a_server_that_does_not_answer_times_out_and_is_tried_again(app, smtp_server):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        use_server(app, silent.getsockname()[1])
        app.config["MAIL_TIMEOUT"] = 0.5
        queue_reset_mail()
        db.session.commit()
    finally:
        silent.close()
    [row] = rows()
    assert row.status == "queued" and "timed out" in row.last_error


def test_a_4xx_reply_is_retried_and_the_message_arrives_once(app, scripted):
    server = scripted("451 4.3.0 Try again later")
    use_server(app, server.port)
    queue_reset_mail()
    db.session.commit()
    [row] = rows()
    assert row.status == "queued" and row.last_error.startswith("451")
    assert deliver_later(2).sent == 1
    assert len(server.wait_for("ada@example.org")) == 1
    assert rows()[0].attempts == 2


def test_a_5xx_reply_fails_for_good_with_the_servers_words(app, scripted):
    server = scripted("550 5.1.1 No such user here")
    use_server(app, server.port)
    queue_reset_mail()
    db.session.commit()
    [row] = rows()
    assert row.status == "failed"
    assert row.last_error == "550 5.1.1 No such user here"
    assert deliver_later(60).sent == 0
    assert server.to("ada@example.org") == []


def test_a_put_off_message_waits_longer_each_time(app):
    assert [delivery.pause_after(n) for n in (1, 2, 3, 6, 50)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=30),
        timedelta(minutes=30),
    ]


def test_while_the_server_is_down_every_message_is_tried_each_minute(app, smtp_server):
    use_server(app, free_port())
    queue_reset_mail()
    db.session.commit()
    for minutes in (2, 4, 6, 8, 10):  # five failed runs: the pause stays one minute
        deliver_later(minutes)
    [row] = rows()
    assert row.attempts == 6 and row.status == "queued"
    use_server(app, smtp_server.port)
    assert deliver_later(11).sent == 1  # the server is back: out within the minute


def test_temporary_failures_give_up_two_days_after_the_message_was_written(app):
    use_server(app, free_port())
    queue_reset_mail()
    db.session.commit()
    assert deliver_later(60 * 24 * 2 - 5).failed == 0
    report = deliver_later(60 * 24 * 2 + 1)
    assert report.failed == 1
    assert rows()[0].status == "failed"


class StopsAfter:
    """A connection whose worker is stopped (Ctrl-C) after `n` messages."""

    def __init__(self, n: int):
        self.left = n
        self.inner = outbox.connection()

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc):
        return self.inner.__exit__(*exc)

    def send(self, content: str) -> None:
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        self.inner.send(content)


def test_a_worker_stopped_mid_batch_sends_each_message_once(app, smtp_server):
    use_server(app, free_port())  # the requests' own delivery fails: all stay queued
    for n in range(5):
        queue_reset_mail(f"person{n}@example.org")
    db.session.commit()
    use_server(app, smtp_server.port)
    smtp_server.clear()
    with pytest.raises(KeyboardInterrupt):
        delivery.deliver_due(db.session, lambda: StopsAfter(2), now=utcnow() + timedelta(minutes=5))
    db.session.rollback()
    assert [r.status for r in rows()] == ["sent", "sent", "queued", "queued", "queued"]
    deliver_later(5)  # the worker again
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert {r.status for r in rows()} == {"sent"}


def test_mail_queued_by_a_request_keeps_its_request_id(app, client, smtp_server):
    UserFactory(email="ada@example.org")
    response = post_form(client, "/en/account/reset", {"email": "ada@example.org"})
    [row] = rows()
    assert row.request_id == response.headers["X-Request-ID"]
    assert len(smtp_server.wait_for("ada@example.org")) == 1


class TestAdminPage:
    def test_only_admins_see_it(self, app):
        UserFactory(email="mod@example.org", role="moderator")
        client = app.test_client()
        log_in(client, "mod@example.org")
        assert client.get("/en/admin/outbox/").status_code == 403
        assert app.test_client().get("/en/admin/outbox/").status_code == 303

    @pytest.mark.parametrize("lang", ["pl", "en", "da", "nb"])
    def test_an_admin_retries_a_failed_message(self, app, scripted, lang):
        server = scripted("550 5.7.1 Relaying denied")
        use_server(app, server.port)
        queue_reset_mail()
        db.session.commit()
        UserFactory(email="admin@example.org", role="admin")
        client = app.test_client()
        log_in(client, "admin@example.org", lang=lang)
        page = client.get(f"/{lang}/admin/outbox/").get_data(as_text=True)
        assert "550 5.7.1 Relaying denied" in page and "ada@example.org" in page
        [row] = rows()
        response = post_form(
            client, f"/{lang}/admin/outbox/", {}, action=f"/{lang}/admin/outbox/{row.id}/retry"
        )
        assert response.status_code == 303
        assert rows()[0].status == "sent"
        assert len(server.wait_for("ada@example.org")) == 1

    def test_a_retry_needs_a_csrf_token(self, app):
        UserFactory(email="admin@example.org", role="admin")
        client = app.test_client()
        log_in(client, "admin@example.org")
        assert client.post("/en/admin/outbox/1/retry").status_code == 400


def test_concurrent_commits_deliver_each_message_once(app, smtp_server):
    """Deliveries started by two commits at once never send a message twice."""
    from matchmaker.outbox import tasks

    for n in range(6):
        queue_reset_mail(f"crowd{n}@example.org")
    use_server(app, free_port())
    db.session.commit()
    use_server(app, smtp_server.port)
    smtp_server.clear()
    db.session.query(OutboxMessage).update({"next_attempt_at": utcnow()})
    db.session.commit()

    def deliver():
        with app.app_context():
            tasks._deliver_alone()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    tasks._deliver_alone()
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_an_unreachable_queue_does_not_undo_or_break_the_change(app, client, monkeypatch):
    from matchmaker.outbox import tasks

    def queue_down():
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks, "deliver_soon", queue_down)
    UserFactory(email="ada@example.org")
    response = post_form(client, "/en/account/reset", {"email": "ada@example.org"})
    assert response.status_code == 303
    [row] = rows()
    assert row.status == "queued"  # kept for the worker's minute job


def test_old_messages_are_forgotten(app, smtp_server):
    from matchmaker import jobs

    for n in range(3):
        queue_reset_mail(f"person{n}@example.org")
    db.session.commit()
    old, recent, failed = rows()
    old.sent_at = utcnow() - timedelta(days=31)
    failed.status, failed.created_at = "failed", utcnow() - timedelta(days=91)
    db.session.commit()
    jobs.run_job("outbox-cleanup")
    assert [r.id for r in rows()] == [recent.id]


def test_an_admin_sends_the_waiting_messages_now_after_an_outage(app, smtp_server):
    use_server(app, free_port())
    for n in range(3):
        queue_reset_mail(f"person{n}@example.org")
    db.session.commit()
    use_server(app, smtp_server.port)
    UserFactory(email="admin@example.org", role="admin")
    client = app.test_client()
    log_in(client, "admin@example.org")
    smtp_server.clear()
    response = post_form(client, "/en/admin/outbox/", {}, action="/en/admin/outbox/send-now")
    assert response.status_code == 303
    assert "3 waiting messages are being sent now." in client.get("/en/admin/outbox/").get_data(
        as_text=True
    )
    assert {r.status for r in rows()} == {"sent"}
    assert len(smtp_server.messages) == 3
