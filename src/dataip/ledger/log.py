"""Append to the log and read proofs from it: the only code that writes ledger rows.

Appends run inside the caller's transaction and take the ledger's writer lock (a transaction
advisory lock on PostgreSQL; SQLite transactions here are IMMEDIATE, which already admits one
writer at a time). Proofs are computed from stored complete-subtree hashes in O(log n).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from dataip.evidence import merkle
from dataip.ledger.models import LogEntry, LogNode

LOCK_KEY = 0x64617461_6970  # "dataip": the advisory-lock key of the ledger writer


def _lock() -> None:
    """Take the single-writer lock for the rest of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def size() -> int:
    """The number of entries in the log."""
    last = LogEntry.objects.aggregate(last=Max("index"))["last"]
    return 0 if last is None else int(last) + 1


def node(level: int, index: int) -> bytes:
    """The stored hash of the complete subtree at (level, index)."""
    return bytes.fromhex(
        LogNode.objects.values_list("hash", flat=True).get(level=level, index=index)
    )


def _frontier_nodes(tree_size: int) -> dict[tuple[int, int], bytes]:
    """The right-edge complete subtrees of a tree of ``tree_size`` leaves, in one query."""
    wanted = merkle.frontier_coordinates(tree_size)
    if not wanted:
        return {}
    query = Q()
    for level, index in wanted:
        query |= Q(level=level, index=index)
    rows = LogNode.objects.filter(query).values_list("level", "index", "hash")
    return {(level, index): bytes.fromhex(h) for level, index, h in rows}


def append_many(bodies: Sequence[bytes]) -> list[int]:
    """Append leaves (canonical JSON bytes) in order; return their indices.

    Must run inside a transaction: the entries commit or vanish with the caller's change.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger appends must run inside the caller's transaction")
    _lock()
    start = size()
    stored = _frontier_nodes(start)
    appender = merkle.MerkleAppender.from_nodes(start, lambda lv, ix: stored[(lv, ix)])
    now = timezone.now()
    entries: list[LogEntry] = []
    nodes: list[LogNode] = []
    for offset, body in enumerate(bodies):
        leaf = merkle.leaf_hash(body)
        entries.append(
            LogEntry(index=start + offset, leaf_hash=leaf.hex(), body=body.decode(), created_at=now)
        )
        nodes.extend(
            LogNode(level=level, index=index, hash=h.hex())
            for level, index, h in appender.append(leaf)
        )
    LogEntry.objects.bulk_create(entries)
    LogNode.objects.bulk_create(nodes)
    return [entry.index for entry in entries]


def append(body: bytes) -> int:
    """Append one leaf; return its index."""
    return append_many([body])[0]


def root(tree_size: int | None = None) -> bytes:
    """The Merkle tree hash of the first ``tree_size`` entries (default: all)."""
    return merkle.root(size() if tree_size is None else tree_size, node)


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """The audit path of entry ``index`` in the tree of ``tree_size`` entries."""
    return merkle.inclusion_proof(index, tree_size, node)


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    """The consistency proof between two tree sizes."""
    return merkle.consistency_proof(size1, size2, node)
