"""Shared fixtures: fast password hashing, uploads in a temporary folder, personas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from dataip.ledger.append_only import set_purge

pytest_plugins = ["tests.support.personas"]

_original_teardown = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009 - private


def _teardown_with_purge(self: TransactionTestCase) -> None:
    """Flushing a test database deletes append-only rows: open the purge switch for it."""
    for alias in connections:
        set_purge(connections[alias], True)
    try:
        _original_teardown(self)
    finally:
        for alias in connections:
            set_purge(connections[alias], False)


setattr(TransactionTestCase, "_fixture_teardown", _teardown_with_purge)  # noqa: B010 - private


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATAIP_CHECKPOINT_INTERVAL = 0  # tests look at the checkpoint of every commit
