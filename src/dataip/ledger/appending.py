"""Appending to the log (追加): the leaves go in with the caller's transaction, and once it
commits a checkpoint covering them is signed (:func:`dataip.ledger.checkpoints.after_commit`).

This is the one door for writing leaves; :mod:`dataip.ledger.log` inserts and proves, and
:mod:`dataip.ledger.checkpoints` signs, so neither needs the other's write path.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from dataip.ledger import checkpoints, log


def append_many(bodies: Sequence[bytes]) -> list[int]:
    """Append leaves (canonical JSON bytes) in order; return their indices.

    Must run inside a transaction: the entries commit or vanish with the caller's change.
    A checkpoint for the new size is signed after the outermost transaction commits.
    """
    indices = log.insert_many(bodies)
    if indices:
        _schedule_checkpoint()
    return indices


def append(body: bytes) -> int:
    """Append one leaf; return its index."""
    return append_many([body])[0]


def _schedule_checkpoint() -> None:
    """Have :func:`checkpoints.after_commit` run once for the current outermost transaction."""
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is checkpoints.after_commit for entry in pending):
        transaction.on_commit(checkpoints.after_commit, robust=True)
