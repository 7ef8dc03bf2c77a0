"""Checkpoints after every batch, catch-up from the schedule, timestamps from a real TSA."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction

from dataip.evidence import Ed25519Verifier, verify_checkpoint
from dataip.evidence.timestamp import TimestampError, verify_timestamp
from dataip.ledger import appending, checkpoints, keys, log, timestamps
from dataip.ledger.models import Checkpoint, CheckpointTimestamp
from tests.ledger._support import append_batches, body, commit_batches
from tests.ledger._tsa import serve, shared_tsa

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size").values_list("size", flat=True))


def test_it_signs_a_checkpoint_after_every_batch(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3, 1, 4)
    assert _sizes() == [3, 4, 8]
    verifier = Ed25519Verifier.from_vkey(keys.vkey())
    for stored in Checkpoint.objects.all():
        signed = verify_checkpoint(stored.note, verifier, origin="dataip.local/log/v1")
        assert signed.root_hash.hex() == stored.root_hash == log.root(stored.size).hex()


def test_busy_commits_share_one_checkpoint_per_interval(
    django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.DATAIP_CHECKPOINT_INTERVAL = 3600
    checkpoints._last_signed_after_commit = float("-inf")
    commit_batches(django_capture_on_commit_callbacks, 3, 1, 4)
    assert _sizes() == [3], "the commits after the first wait for the interval or the schedule"
    checkpoints.sign_pending()
    assert _sizes() == [3, 8]


def test_it_catches_up_from_the_schedule(django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the process "stopped" at commit
        append_batches(5)
    assert _sizes() == []
    done = checkpoints.sign_pending()
    assert done.checkpoint_size == 5
    assert _sizes() == [5]
    assert checkpoints.sign_pending().checkpoint_size == 5  # nothing new: nothing signed
    assert _sizes() == [5]


def test_it_signs_nothing_for_an_empty_log() -> None:
    assert checkpoints.sign_pending().checkpoint_size is None
    assert checkpoints.latest() is None


def test_it_timestamps_each_checkpoint_with_the_configured_tsa(
    settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    tsa = shared_tsa()
    with serve(tsa) as url:
        settings.DATAIP_TSA_URL = url
        commit_batches(django_capture_on_commit_callbacks, 2, 3)
    stamps = CheckpointTimestamp.objects.select_related("checkpoint").order_by("checkpoint__size")
    assert [s.checkpoint.size for s in stamps] == [2, 5]
    for stamp in stamps:
        assert stamp.tsa_url == url
        note = stamp.checkpoint.note.encode()
        assert tsa.openssl_verify(bytes(stamp.token), note).returncode == 0
        assert verify_timestamp(bytes(stamp.token), note, ca_pem=tsa.ca_pem).trusted


def test_it_keeps_the_checkpoint_when_the_tsa_fails_and_retries_later(
    settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    tsa = shared_tsa()
    with serve(tsa, fail=True) as url:
        settings.DATAIP_TSA_URL = url
        commit_batches(django_capture_on_commit_callbacks, 2)
        commit_batches(django_capture_on_commit_callbacks, 1, start=2)  # TSA down: not asked
        assert _sizes() == [2, 3]
        assert CheckpointTimestamp.objects.count() == 0
        failed = checkpoints.sign_pending()
        assert (failed.timestamped, failed.failed) == (0, 1)
    with serve(tsa) as url:
        settings.DATAIP_TSA_URL = url
        done = checkpoints.sign_pending()
    assert (done.timestamped, done.failed) == (2, 0)
    assert CheckpointTimestamp.objects.count() == 2


def test_it_reports_a_tsa_that_does_not_answer(settings: Any) -> None:
    append_batches(1)
    settings.DATAIP_TSA_URL = "http://127.0.0.1:9/tsa"  # discard port: nothing listens
    settings.DATAIP_TSA_TIMEOUT = 2
    cp = checkpoints.sign_latest()
    assert cp is not None
    with pytest.raises(TimestampError, match="did not answer"):
        timestamps.timestamp_checkpoint(cp)


@pytest.mark.django_db(transaction=True)
def test_it_asks_the_tsa_only_after_the_append_committed(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, int]] = []
    real = timestamps.request_token

    def spy(url: str, data: bytes, *, timeout: float) -> bytes:
        seen.append((transaction.get_connection().in_atomic_block, log.size()))
        return real(url, data, timeout=timeout)

    monkeypatch.setattr(timestamps, "request_token", spy)
    with serve(shared_tsa()) as url:
        settings.DATAIP_TSA_URL = url
        with transaction.atomic():
            appending.append_many([body(0), body(1)])
            assert seen == []
    assert seen == [(False, 2)]
    assert CheckpointTimestamp.objects.count() == 1


def test_it_never_signs_two_checkpoints_for_one_size() -> None:
    append_batches(4)
    first = checkpoints.sign_latest()
    second = checkpoints.ensure_signed(3)
    assert first is not None
    assert first.pk == second.pk
    assert _sizes() == [4]
