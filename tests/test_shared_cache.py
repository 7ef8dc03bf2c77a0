"""``DATAIP_CACHE_URL`` points the cache at Redis; without it each process keeps its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.support.caches import REDIS_URL, redis_or_skip

SCRIPT = """
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
print(settings.CACHES["default"]["BACKEND"])
cache.add("{key}", 1, 60)
print(cache.incr("{key}"))
"""


def _settle(tmp_path: Path, key: str, **env: str) -> list[str]:
    """What a fresh process with these settings says its cache is, and a count it made."""
    environment = {name: value for name, value in os.environ.items() if name != "DATAIP_CACHE_URL"}
    environment.update(
        DJANGO_SETTINGS_MODULE="dataip.config.settings", DATAIP_DATA_DIR=str(tmp_path), **env
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", SCRIPT.format(key=key)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split()


def test_the_default_cache_is_each_process_own(tmp_path: Path) -> None:
    backend, count = _settle(tmp_path, "k")
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert count == "2"


def test_a_redis_url_makes_the_cache_shared(tmp_path: Path) -> None:
    client = redis_or_skip()
    key = f"shared-{uuid.uuid4().hex}"
    try:
        for expected in ("2", "3"):  # two processes, like two app servers, count together
            backend, count = _settle(tmp_path, key, DATAIP_CACHE_URL=REDIS_URL)
            assert backend == "django.core.cache.backends.redis.RedisCache"
            assert count == expected
        assert client.get(f"dataip:1:{key}") == b"3"
    finally:
        client.delete(f"dataip:1:{key}")
        client.close()
