"""Configuration defaults; every setting can be overridden from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Secrets that must never run a production site.
KNOWN_DEFAULT_SECRETS = frozenset({"", "dev", "development", "change-me", "changeme", "secret"})


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says what to fix."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def from_environment(instance_path: str) -> dict:
    """Settings read from the environment, with development defaults."""
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "matchmaker.sqlite")
    )
    redis_url = os.environ.get("REDIS_URL") or None
    mail_server = os.environ.get("MAIL_SERVER") or None
    return {
        "ENVIRONMENT": os.environ.get("MATCHMAKER_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        # Proxies in front of the app (a TLS terminator: 1). Their X-Forwarded-For and
        # X-Forwarded-Proto are believed, so limits and logs see the visitor's address.
        # Never more than there are: a visitor could then claim any address.
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        # Where to report a vulnerability (mailto: or https: address), for security.txt.
        "SECURITY_CONTACT": os.environ.get("SECURITY_CONTACT") or None,
        # Background tiles for the interactive map (https://{s}.tiles.example/{z}/{x}/{y}.png);
        # unset: plain country outlines, and the map loads nothing from another site.
        "MAP_TILE_URL": os.environ.get("MAP_TILE_URL") or None,
        # Credit the tile provider asks for; HTML is allowed (it is the operator's text).
        "MAP_TILE_ATTRIBUTION": os.environ.get("MAP_TILE_ATTRIBUTION", ""),
        # Uploaded files (logos); outside the static folder, served only through the app.
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT") or str(Path(instance_path) / "media"),
        # The open data files (flask open-data build, and the worker each night); served at
        # /open-data/. The licence is stated in the files and on their page: its name and
        # the address of its text.
        "OPEN_DATA_DIR": os.environ.get("OPEN_DATA_DIR") or str(Path(instance_path) / "open-data"),
        "OPEN_DATA_LICENCE": os.environ.get("OPEN_DATA_LICENCE") or "CC BY 4.0",
        "OPEN_DATA_LICENCE_URL": os.environ.get(
            "OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
        ),
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if mail_server else "console"),
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_TIMEOUT": _env_int("MAIL_TIMEOUT", 20),
        # The background worker (matchmaker.jobs): its queue is in Redis with REDIS_URL, else
        # in this SQLite file (default instance/huey.sqlite). Immediate: no worker, work is
        # done at once by whoever asks (the tests; never in production).
        "WORKER_IMMEDIATE": _env_bool("WORKER_IMMEDIATE", False),
        "WORKER_QUEUE_PATH": os.environ.get("WORKER_QUEUE_PATH") or None,
        "WORKER_THREADS": _env_int("WORKER_THREADS", 2),
        # GET /metrics (Prometheus) answers only `Authorization: Bearer <this>`; unset: 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # "json": one JSON object per log line, for a log collector.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        "MAIL_DEFAULT_SENDER": os.environ.get(
            "MAIL_DEFAULT_SENDER", "Matchmaker <no-reply@matchmaker.example.org>"
        ),
    }


DEFAULTS: dict = {
    "LANGUAGES": ("pl", "en", "da", "nb"),
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Warsaw",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    # The largest request is a profile form with a logo (at most 2 MB) attached.
    "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
    # Signed e-mail links
    "CONFIRM_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "RESET_TOKEN_MAX_AGE": 2 * 3600,
    # Rate limits (Flask-Limiter notation); per client address. Sign-in counts only
    # failed attempts, so that a venue full of people behind one address can sign in.
    "RATELIMIT_LOGIN": "30 per minute;300 per hour",
    # Failed sign-ins (wrong password or second-step code) per account, from any address.
    "LOGIN_FAILURES_PER_ACCOUNT": "10 per 15 minutes;30 per day",
    "RATELIMIT_REGISTER": "5 per minute;20 per hour",
    "RATELIMIT_MAIL": "5 per minute;20 per hour",
    # Video addresses pasted into meetings (each change e-mails the other person); per
    # person, not per address: the people at a venue share one.
    "RATELIMIT_MEETING_VIDEO": "20 per minute;200 per day",
    # The open API (/api/v1/), per client address; every request counts.
    "RATELIMIT_API": "120 per minute;3000 per hour",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Compressed responses (Flask-Compress: zstd, brotli or gzip, as the browser
    # accepts) for every text type the site sends. Pages carry a CSRF token beside
    # reflected input, the setting BREACH attacks; the session cookie is SameSite=Lax, so
    # another site's requests, whose sizes an attacker could watch, carry no session.
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/csv",
        "text/plain",
        "text/calendar",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    ],
    "COMPRESS_MIN_SIZE": 500,
    # Not streamed responses (static files): Flask-Compress 1.25 leaves the file of a
    # streamed response open. Pages, fragments, exports and calendars are not streamed.
    "COMPRESS_STREAMS": False,
    # New contact requests a day, per person and per organisation (counted in the
    # database, so every worker sees the same counts).
    "CONTACT_REQUESTS_PER_USER_PER_DAY": 20,
    "CONTACT_REQUESTS_PER_ORGANISATION_PER_DAY": 50,
    # `flask contacts remind`: remind after this many days unanswered, expire after that many.
    "CONTACT_REMINDER_DAYS": 7,
    "CONTACT_EXPIRY_DAYS": 30,
    # How often an open page asks for the number of new contact requests (header badge).
    "CONTACT_BADGE_POLL_SECONDS": 30,
    # Events: the seat counter on an open event page refreshes this often.
    "EVENT_SEATS_POLL_SECONDS": 30,
    # Organisers' messages to participants, per event and day (each one e-mails everyone).
    "EVENT_MESSAGES_PER_DAY": 5,
    # Meeting requests a person may send at one event in a day (each e-mails someone); the
    # organiser's "most open requests" limits how many wait at once.
    "MEETING_REQUESTS_PER_DAY": 30,
    # Sent e-mails are deleted from the outbox after this many days, failed ones after that
    # many (each row holds a person's address and the whole message).
    "OUTBOX_KEEP_SENT_DAYS": 30,
    # The security event log (sign-ins, failures, second-factor and role changes).
    "SECURITY_EVENTS_KEEP_DAYS": 365,
    "OUTBOX_KEEP_FAILED_DAYS": 90,
    # The domain part of calendar UIDs: set once per deployment, never change it.
    "CALENDAR_UID_DOMAIN": os.environ.get("CALENDAR_UID_DOMAIN", "matchmaker.example.org"),
}


def finalise(config: dict, instance_path: str) -> None:
    """Fill in the secret key and refuse settings that are unsafe in production."""
    production = config.get("ENVIRONMENT") == "production"
    secret = config.get("SECRET_KEY")
    if production:
        if not secret or secret.strip().lower() in KNOWN_DEFAULT_SECRETS or len(secret) < 16:
            raise ConfigError(
                "SECRET_KEY is missing or a known default. In production set SECRET_KEY "
                "to a long random value, e.g. the output of: "
                'python -c "import secrets; print(secrets.token_hex(32))"'
            )
        return
    if not secret:
        config["SECRET_KEY"] = _instance_secret(Path(instance_path))


def _instance_secret(instance: Path) -> str:
    """A random key kept in instance/, written on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
