"""With Redis configured, rate-limit counts live in Redis, shared by every worker."""

from __future__ import annotations

import os

import pytest

from tests.web.helpers import post_form

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to a Redis server")


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_MAIL": "2 per minute",
    }


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_limit_counts_are_kept_in_redis(client, redis_client):
    statuses = [
        post_form(client, "/en/account/reset", {"email": "a@example.org"}).status_code
        for _ in range(3)
    ]
    assert statuses == [303, 303, 429]
    assert any(b"reset_request" in key for key in redis_client.keys("*"))


def test_a_second_worker_sees_the_same_counts(app, app_config, redis_client):
    from matchmaker import create_app

    for _ in range(2):
        post_form(app.test_client(), "/en/account/reset", {"email": "a@example.org"})
    # A fresh app, as another gunicorn worker would be: its own limiter storage object.
    other_worker = create_app(app_config)
    from tests.conftest import IsolatedClient

    other_worker.test_client_class = IsolatedClient
    response = post_form(
        other_worker.test_client(), "/en/account/reset", {"email": "b@example.org"}
    )
    assert response.status_code == 429
