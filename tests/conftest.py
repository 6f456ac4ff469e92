"""Shared fixtures: the app on SQLite (or TEST_DATABASE_URL), a loopback SMTP server.

Under pytest-xdist every worker (gw0, gw1, …) has its own database, media folder and
SMTP port, so the workers never see each other's data.
"""

from __future__ import annotations

import contextvars
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from matchmaker import create_app
from matchmaker.extensions import db


def share_url_builders_between_apps() -> None:
    """Every test builds its own app, and Werkzeug compiles two URL builders for each of the
    app's ~150 rules: about 0.15 s a test, most of create_app. A builder depends only on
    its rule (bound to the rule when used), so the apps of one test process share them.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # a Werkzeug without it: nothing to share
        return
    builders = {}

    def shared_builder(rule, append_unknown=True):
        key = (
            rule.rule,
            tuple(rule._trace),
            repr(sorted((rule.defaults or {}).items())),
            tuple((name, type(converter)) for name, converter in rule._converters.items()),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    Rule._compile_builder = shared_builder


share_url_builders_between_apps()


# "gw0", "gw1", … in a pytest-xdist worker; None in a run without workers.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(url: str | None, worker: str | None) -> str | None:
    """`url` with the worker's name appended to the database (or SQLite file) name."""
    if not url or not worker:
        return url
    parsed = make_url(url)
    name = parsed.database
    if not name or name == ":memory:":
        return url
    if parsed.get_backend_name() == "sqlite":
        path = Path(name)
        name = str(path.with_name(f"{path.stem}_{worker}{path.suffix}"))
    else:
        name = f"{name}_{worker}"
    return parsed.set(database=name).render_as_string(hide_password=False)


# The database the suite may drop and rebuild: TEST_DATABASE_URL itself in a serial run;
# under xdist, a database per worker beside it (test_gw0, test_gw1 for …/test).
BASE_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_DATABASE_URL = worker_database_url(BASE_DATABASE_URL, XDIST_WORKER)


def create_worker_database() -> None:
    """Create this worker's PostgreSQL database, unless it exists, through the base one."""
    if TEST_DATABASE_URL == BASE_DATABASE_URL:
        return
    base, name = make_url(BASE_DATABASE_URL), make_url(TEST_DATABASE_URL).database
    if base.get_backend_name() != "postgresql":
        return
    engine = create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if conn.execute(query, {"name": name}).scalar() is None:
                quoted = conn.dialect.identifier_preparer.quote(name)
                try:
                    conn.execute(text(f"CREATE DATABASE {quoted}"))
                except ProgrammingError as error:  # created meanwhile by another run
                    if getattr(error.orig, "sqlstate", None) != "42P04":
                        raise
    finally:
        engine.dispose()


def worker_redis_url(url: str | None, worker: str | None) -> str | None:
    """`url` on a Redis database of the worker's own: gw0 keeps its number, gw1 the one below."""
    if not url or not worker:
        return url
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{number % 16}"))  # Redis has 16 by default


# The Redis tests empty their database (FLUSHDB) and read TEST_REDIS_URL when imported,
# after this file: under xdist each worker points it at a database of its own (/15, /14…).
if XDIST_WORKER and os.environ.get("TEST_REDIS_URL"):
    os.environ["TEST_REDIS_URL"] = worker_redis_url(os.environ["TEST_REDIS_URL"], XDIST_WORKER)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """Messages that reached the loopback SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address.lower() in m["To"].lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} message(s) to {address}, got {len(self.to(address))}"
        )


def body_text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def first_link(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+", body_text(message))
    assert match, "no link in the message"
    return match.group(0)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Tests hold an app context for database access; without this, requests would
    share its `g` (Flask-Login caches the user there) and its database session.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    for attempt in range(5):
        # aiosmtpd needs a port number up front; another process may take it meanwhile.
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except OSError:
            controller.loop.close()
            if attempt == 4:
                raise
        else:
            break
    mailbox.port = port
    yield mailbox
    controller.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        create_worker_database()
        return TEST_DATABASE_URL
    # Each xdist worker has a base temporary directory of its own (…/popen-gw0).
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def media_root(tmp_path_factory) -> str:
    """Uploaded files go here, not to instance/media, which every worker would share."""
    return str(tmp_path_factory.mktemp("media"))


def make_config(database_url: str, smtp_port: int, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        # No worker in the tests: queued mail is delivered when its transaction commits.
        "WORKER_IMMEDIATE": True,
    }
    config.update(extra)
    return config


def reset_schema(app) -> None:
    """Drop everything and build the schema with the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            engine.dispose()
            database = Path(engine.url.database)
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
                path.unlink(missing_ok=True)
        upgrade()
        db.engine.dispose()


def empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())


@pytest.fixture(scope="session")
def _schema(database_url, smtp_server):
    app = create_app(make_config(database_url, smtp_server.port))
    reset_schema(app)
    return database_url


@pytest.fixture
def app_config(_schema, smtp_server, media_root) -> dict:
    """Override in a test module to change settings for its tests."""
    return make_config(_schema, smtp_server.port, MEDIA_ROOT=media_root)


@pytest.fixture
def app(app_config, smtp_server):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    smtp_server.clear()
    with app.app_context():
        empty_tables()
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that reach the database (CI runs these again on PostgreSQL)",
    )


def pytest_collection_modifyitems(config, items):
    """With --database-tests-only, leave out the tests that never reach the database (the
    pure modules: matcher, scheduler, parsers) and those marked ``same_on_any_database``
    (forms, uploads, rendering: the database only sets the scene): they do the same on
    any database."""
    if not config.getoption("--database-tests-only"):
        return
    kept, dropped = [], []
    for item in items:
        reaches = "database_url" in getattr(item, "fixturenames", ())
        differs = reaches and item.get_closest_marker("same_on_any_database") is None
        (kept if differs else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
