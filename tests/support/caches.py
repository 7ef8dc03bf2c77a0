"""The two caches a deployment may count limits in: local memory, and a real Redis server.

``shared_cache`` is parametrised over both; the Redis case uses the server at
``DATAIP_TEST_CACHE_URL`` (default ``redis://127.0.0.1:6379/0``, started by ``.ci/run``) under a
key prefix of its own, deletes only its own keys afterwards (never ``FLUSHDB``: other test runs
may share the server), and is skipped, saying why, when no server answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import cache

REDIS_URL = os.environ.get("DATAIP_TEST_CACHE_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip() -> redis.Redis:
    """A client of the test Redis server, or skip the test when none answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis server answers at {REDIS_URL} ({error}); start redis-server")
    return client


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The default cache is local memory, or Redis as with ``DATAIP_CACHE_URL``; yields its name."""
    if request.param == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"limits-{uuid.uuid4().hex}",
            }
        }
        yield "locmem"
        return
    client = redis_or_skip()
    prefix = f"dataip-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        yield "redis"
    finally:
        cache.close()
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
