"""Appending to the log (追加): the leaves go in with the caller's transaction, and so does the
job that signs a checkpoint covering them (:func:`dataip.ledger.checkpoints.checkpoint_round`,
queued once per transaction through :mod:`dataip.jobs`), run once it commits.

This is the one door for writing leaves; :mod:`dataip.ledger.log` inserts and proves, and
:mod:`dataip.ledger.checkpoints` signs, so neither needs the other's write path.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataip import jobs
from dataip.ledger import checkpoints, log


def append_many(bodies: Sequence[bytes]) -> list[int]:
    """Append leaves (canonical JSON bytes) in order; return their indices.

    Must run inside a transaction: the entries commit or vanish with the caller's change.
    The checkpoint round for the new size is queued with them and runs after the commit.
    """
    indices = log.insert_many(bodies)
    if indices:
        _schedule_checkpoint()
    return indices


def append(body: bytes) -> int:
    """Append one leaf; return its index."""
    return append_many([body])[0]


def _schedule_checkpoint() -> None:
    """Queue the checkpoint round once for the current transaction (run after the commit, here
    with ``DATAIP_JOBS_AFTER_COMMIT``, else by a worker)."""
    jobs.enqueue(checkpoints.checkpoint_round, at_once=True)
