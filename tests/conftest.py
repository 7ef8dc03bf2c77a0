"""Shared fixtures: fast password hashing, uploads in a temporary folder, personas."""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import TransactionTestCase
from django.utils import translation

from tests.support.purge import behind_the_triggers

pytest_plugins = ["tests.support.personas"]

_original_teardown = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009 - private


def _teardown_with_purge(self: TransactionTestCase) -> None:
    """Flushing a test database deletes append-only rows: let the flush past the triggers."""
    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(behind_the_triggers(connections[alias]))
        _original_teardown(self)


setattr(TransactionTestCase, "_fixture_teardown", _teardown_with_purge)  # noqa: B010 - private


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work first, as the test processes take whole files one after another
    (``--dist loadfile``): the files holding slow tests (browser journeys, app servers), then
    the files with the most tests. A slow file taken last kept one process busy for minutes
    while the other had finished."""
    tests_in = Counter(item.path for item in items)
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: (item.path not in slow, -tests_in[item.path]))


@pytest.fixture(scope="session", autouse=True)
def _static_folder() -> None:
    """WhiteNoise (in a live server) warns when the static folder is missing; it serves from
    the finders in the tests, so an empty folder is enough."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Path) -> None:
    # Each test starts in the default language: a request through the test client activates
    # its language in this thread and leaves it there, for whichever test this process runs
    # next (in parallel runs the order of the tests in a process is not the file's).
    translation.deactivate()
    # The cache (each process's own in the tests) outlives a test's database: a search's
    # counts and pages' keys, kept under the index's generation, belong to the test that made
    # them.
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATAIP_CHECKPOINT_INTERVAL = 0  # tests look at the checkpoint of every commit
    # Many requests from one test client in a minute (schemathesis...): the API's per-minute
    # limits are off unless a test turns them on (tests/api/test_limits.py).
    settings.DATAIP_LIMIT_API_TOKEN_PER_MINUTE = 0
    settings.DATAIP_LIMIT_API_ANONYMOUS_PER_MINUTE = 0
    # Bulk export: snapshots in the test's folder, and none from tick unless a test asks.
    settings.DATAIP_EXPORT_DIR = tmp_path / "exports"
    settings.DATAIP_EXPORT_SNAPSHOTS = False
    # The log's tiles: none from tick unless a test asks (tests/ledger/test_tiles.py).
    settings.DATAIP_LOG_TILES = False
