"""Database engine settings that must hold on every connection."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from matchmaker.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _configure_connection(dbapi_connection, record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        _on_sqlite_connect(dbapi_connection, record)


def commit_with(then, *arguments) -> None:
    """Commit the current change together with what it causes.

    `then(*arguments)` runs first, inside the same transaction: the notifications and
    outbox e-mails it writes are committed with the change or not at all (a crash
    between two commits can no longer keep the change and lose its mail). When `then`
    fails, the change is rolled back too.
    """
    if then is not None:
        try:
            then(*arguments)
        except BaseException:
            db.session.rollback()
            raise
    db.session.commit()
