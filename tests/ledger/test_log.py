"""The database log: appends match the pure core, proofs need one query, checkpoints follow."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction

from dataip.evidence import (
    Ed25519Verifier,
    leaf_hash,
    root_from_leaf_hashes,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from dataip.ledger import appending, keys, log
from dataip.ledger.models import Checkpoint, LogEntry, LogNode
from tests.ledger._support import append_batches, body, committed

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_it_appends_in_batches_exactly_like_the_pure_core() -> None:
    assert append_batches(1, 6, 30) == list(range(37))
    leaves = [leaf_hash(body(i)) for i in range(37)]
    assert log.size() == 37
    for n in (1, 2, 7, 8, 16, 37):
        assert log.root(n) == root_from_leaf_hashes(leaves[:n])
    assert [
        bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)
    ] == leaves
    assert LogNode.objects.count() == 2 * 37 - bin(37).count("1")


def test_it_serves_proofs_that_verify() -> None:
    append_batches(5, 20)
    leaves = [leaf_hash(body(i)) for i in range(25)]
    for size in (1, 13, 25):
        root = log.root(size)
        for index in range(size):
            verify_inclusion(index, size, leaves[index], log.inclusion_proof(index, size), root)
    for first in (1, 4, 11, 25):
        proof = log.consistency_proof(first, 25)
        verify_consistency(first, 25, log.root(first), log.root(25), proof)


def test_it_reads_every_node_of_a_proof_in_one_query(
    django_assert_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    append_batches(100)
    with django_assert_num_queries(1):
        log.inclusion_proof(37, 99)
    with django_assert_num_queries(1):
        log.consistency_proof(13, 99)
    with django_assert_num_queries(1):
        log.root(77)


def test_it_appends_a_batch_with_a_handful_of_queries(
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    append_batches(50)
    # savepoint, writer lock, size, frontier, entries, nodes, release: whatever the batch size
    with django_assert_max_num_queries(7), transaction.atomic():
        appending.append_many([body(i) for i in range(50, 250)])


@pytest.mark.django_db(transaction=True)
def test_it_refuses_appends_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        appending.append(body(0))


def test_it_says_which_node_is_missing() -> None:
    with pytest.raises(LookupError, match="level 0, index 3"):
        log.node(0, 3)


def test_it_signs_one_checkpoint_per_outermost_transaction(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with committed(django_capture_on_commit_callbacks) as callbacks, transaction.atomic():
        appending.append(body(0))
        with transaction.atomic():
            appending.append_many([body(1), body(2)])
        appending.append(body(3))
    assert len(callbacks) == 1
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.size == 4
    signed = verify_checkpoint(
        checkpoint.note, Ed25519Verifier.from_vkey(keys.vkey()), origin=keys.origin()
    )
    assert signed.root_hash == log.root(4)
    assert checkpoint.root_hash == log.root(4).hex()


def test_it_signs_nothing_for_a_rolled_back_append(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    def append_then_fail() -> None:
        with transaction.atomic():
            appending.append(body(0))
            raise ZeroDivisionError

    with committed(django_capture_on_commit_callbacks) as callbacks:
        with pytest.raises(ZeroDivisionError):
            append_then_fail()
        append_batches(2)
    assert len(callbacks) == 1
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2]


def test_it_refuses_to_change_or_delete_a_row() -> None:
    append_batches(3)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(index=1).update(body="{}")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LogNode.objects.filter(level=1).delete()
