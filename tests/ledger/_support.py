"""Helpers for ledger and API tests: isolated keys, appends, tampering behind the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from dataip.evidence import canonical_json
from dataip.ledger import appending, checkpoints
from tests.support.purge import behind_the_triggers


def use_fresh_keys(settings: Any, tmp_path: Path) -> Path:
    """Point the ledger at an empty key folder and no TSA; reset the TSA back-off clock."""
    folder = tmp_path / "ledger-keys"
    settings.DATAIP_LOG_KEY_DIR = folder
    settings.DATAIP_TSA_URL = ""
    settings.DATAIP_TSA_CA_FILE = ""
    checkpoints._last_tsa_failure = -checkpoints.TSA_BACKOFF_SECONDS
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns otherwise
    return folder


def body(i: int) -> bytes:
    """A small canonical leaf (not a registry event)."""
    return canonical_json({"schema": "test/v1", "n": i})


def append_batches(*sizes: int, start: int = 0) -> list[int]:
    """Append batches of test leaves, one transaction each; return all indices."""
    indices: list[int] = []
    n = start
    for batch in sizes:
        with transaction.atomic():
            indices += appending.append_many([body(i) for i in range(n, n + batch)])
        n += batch
    return indices


def tamper(sql: str, params: list[Any]) -> int:
    """Run one UPDATE or DELETE behind the triggers' back; return the rows changed."""
    with behind_the_triggers(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


@contextmanager
def committed(capture: Any) -> Iterator[list[Any]]:
    """Run the on-commit callbacks registered inside, as a real commit would, then forget them.

    A test runs inside one transaction that never commits; pytest-django's capture fixture
    runs the callbacks but leaves them registered, and a real commit would have cleared them.
    """
    start = len(connection.run_on_commit)
    with capture(execute=True) as callbacks:
        yield callbacks
    del connection.run_on_commit[start:]


def commit_batches(capture: Any, *sizes: int, start: int = 0) -> None:
    """Append batches of test leaves, each as its own committed transaction."""
    for batch in sizes:
        with committed(capture):
            append_batches(batch, start=start)
        start += batch
