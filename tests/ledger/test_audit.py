"""The ledger's own audit: its tree, checkpoints and keys, with or without an application above."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction

from dataip.evidence import Ed25519Signer
from dataip.ledger import appending, checkpoints, keys
from dataip.ledger.audit import AuditReport, Finding, LoggedRotation, run_audit
from dataip.ledger.models import LogEntry
from tests.ledger._support import commit_batches, tamper

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


class Records:
    """An application above the ledger that keeps a record of some entries."""

    def __init__(self, rotations: Sequence[LoggedRotation] = (), known: int = 0) -> None:
        self.checked = 0
        self.loaded: list[tuple[int, int]] = []
        self.seen: list[tuple[int, dict[str, Any] | None, str | None]] = []
        self._rotations = rotations
        self.known = known  # it has a record of entries [0, known)

    def rotations(self) -> Sequence[LoggedRotation]:
        return self._rotations

    def load(self, start: int, end: int) -> None:
        self.loaded.append((start, end))

    def check(
        self, index: int, leaf: dict[str, Any] | None, recorded: str | None
    ) -> Iterator[Finding]:
        self.checked += 1
        self.seen.append((index, leaf, recorded))
        if index >= self.known:
            yield Finding("rotation", {"entry": index, "detail": "no record"})

    def orphans(self, size: int) -> Iterator[Finding]:
        if self.known > size:
            yield Finding("entry_missing", {"entry": size})


def _audit(records: Records | None = None, chunk: int = 4096) -> tuple[list[Finding], AuditReport]:
    results = list(run_audit(chunk, records))
    report = results.pop()
    assert isinstance(report, AuditReport)
    assert all(isinstance(f, Finding) for f in results)
    return [f for f in results if isinstance(f, Finding)], report


def test_it_audits_a_log_with_no_application_above_it(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 3, 2)
    findings, report = _audit()
    assert findings == []
    assert (report.entries, report.checkpoints, report.records) == (5, 2, 0)
    tamper('UPDATE ledger_logentry SET body = %s WHERE "index" = 4', ['{"changed": true}'])
    findings, _ = _audit()
    assert [(f.code, f.entry) for f in findings] == [("leaf_hash", 4)]


def test_it_hands_each_parsed_leaf_to_the_application_in_chunks(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    commit_batches(django_capture_on_commit_callbacks, 5)
    records = Records(known=4)
    findings, report = _audit(records, chunk=2)
    assert records.loaded == [(0, 2), (2, 4), (4, 5)]
    assert [index for index, _, _ in records.seen] == [0, 1, 2, 3, 4]
    _, leaf, recorded = records.seen[0]
    assert leaf == {"schema": "test/v1", "n": 0}
    assert recorded == LogEntry.objects.get(index=0).leaf_hash
    assert [(f.code, f.entry) for f in findings] == [("rotation", 4)]
    assert report.records == 5


def test_it_reports_what_the_application_finds_beyond_the_log() -> None:
    findings, report = _audit(Records(known=3))
    assert [(f.code, f.entry) for f in findings] == [("entry_missing", 0)]
    assert report.entries == report.records == 0


def test_it_names_an_unreadable_leaf_and_still_asks_the_application(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        appending.append(b"not json")
    checkpoints.sign_latest()
    records = Records(known=1)
    findings, _ = _audit(records)
    assert [(f.code, f.entry) for f in findings] == [("bad_body", 0)]
    assert records.seen[0][1] is None


def _rotate(signer: Ed25519Signer, entry: int) -> tuple[Ed25519Signer, LoggedRotation]:
    """Stage and promote a new key; the rotation as the application would report it."""
    new = keys.stage_next_key()
    keys.promote_next_key()
    return new, LoggedRotation(entry, signer.vkey, new.vkey)


def test_it_follows_the_keys_from_rotation_to_rotation(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first = keys.signer()
    commit_batches(django_capture_on_commit_callbacks, 2)
    second, rotation = _rotate(first, 1)
    commit_batches(django_capture_on_commit_callbacks, 2, start=2)
    findings, report = _audit(Records([rotation], known=4))
    assert findings == []
    assert report.checkpoints == 2
    assert keys.all_vkeys() == [first.vkey, second.vkey]


def test_it_names_a_checkpoint_signed_before_the_key_was_announced(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first = keys.signer()
    commit_batches(django_capture_on_commit_callbacks, 2)
    _, rotation = _rotate(first, 4)  # announced at entry 4, yet it signs the first 4 entries
    commit_batches(django_capture_on_commit_callbacks, 2, start=2)
    findings, _ = _audit(Records([rotation], known=4))
    assert [(f.code, f.checkpoint) for f in findings] == [("checkpoint_key_early", 4)]


def test_it_names_a_key_that_no_rotation_announced(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first = keys.signer()
    commit_batches(django_capture_on_commit_callbacks, 2)
    _rotate(first, 1)
    commit_batches(django_capture_on_commit_callbacks, 1, start=2)
    # With no rotation logged, the current key is the log's first: the old one's signature on
    # the first checkpoint is the one nobody announced.
    findings, _ = _audit(Records(known=3))
    assert [(f.code, f.checkpoint) for f in findings] == [("checkpoint_key_unlogged", 2)]


def test_it_names_rotations_that_break_the_chain_or_their_record(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first = keys.signer()
    commit_batches(django_capture_on_commit_callbacks, 3)
    broken = LoggedRotation(1, first.vkey, "not a key", faithful=False)
    findings, _ = _audit(Records([broken], known=3))
    assert [(f.code, f.entry, f.params["detail"]) for f in findings] == [
        ("rotation", 1, "its payload does not match the logged digest"),
        ("rotation", 1, "does not continue from the key in use before it"),
    ]
    assert "第 1 号条目：密钥轮换记录有误" in findings[0].message("zh")
    elsewhere = LoggedRotation(2, first.vkey, Ed25519Signer.generate(keys.origin()).vkey)
    findings, _ = _audit(Records([elsewhere], known=3))
    assert [(f.code, f.entry, f.params["detail"]) for f in findings] == [
        ("rotation", 2, "the current signing key was never introduced by a logged rotation"),
    ]
