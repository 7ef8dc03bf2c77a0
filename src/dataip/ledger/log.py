"""Append to the log and read proofs from it: the only code that writes ledger rows.

Appends run inside the caller's transaction and take the ledger's writer lock (a transaction
advisory lock on PostgreSQL; SQLite transactions here are IMMEDIATE, which already admits one
writer at a time). Each append registers, once per outermost transaction, an on-commit hook
that signs a checkpoint for the new size (:mod:`dataip.ledger.checkpoints`). Proofs are
computed from stored complete-subtree hashes: every node a proof needs is read in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from dataip.evidence import merkle

LOCK_KEY = 0x64617461_6970  # "dataip": the advisory-lock key of the ledger writer
_DUMMY = b"\x00" * 32
_T = TypeVar("_T")
#: Above this many node coordinates a lookup is split into several queries.
_MAX_TERMS = 200


def lock() -> None:
    """Take the single-writer lock for the rest of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def size() -> int:
    """The number of entries in the log."""
    with connection.cursor() as cursor:  # plain SQL: every append asks this, under the lock
        cursor.execute('SELECT MAX("index") FROM ledger_logentry')
        row = cursor.fetchone()
    last = row[0] if row else None
    return 0 if last is None else int(last) + 1


def nodes(coordinates: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the complete subtrees at ``(level, index)``, in one query.

    Coordinates with no stored node are absent from the result.
    """
    wanted = sorted(set(coordinates))
    found: dict[tuple[int, int], bytes] = {}
    for start in range(0, len(wanted), _MAX_TERMS):
        chunk = wanted[start : start + _MAX_TERMS]
        # Only placeholders are interpolated: every value goes in as a parameter.
        where = " OR ".join(['("level" = %s AND "index" = %s)'] * len(chunk))
        sql = f'SELECT "level", "index", "hash" FROM ledger_lognode WHERE {where}'  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pair in chunk for value in pair])
            for level, index, h in cursor.fetchall():
                found[(int(level), int(index))] = bytes.fromhex(h)
    return found


def node(level: int, index: int) -> bytes:
    """The stored hash of the complete subtree at (level, index)."""
    found = nodes([(level, index)])
    if (level, index) not in found:
        raise LookupError(f"no stored node at level {level}, index {index}")
    return found[(level, index)]


def _with_nodes(compute: Callable[[merkle.NodeReader], _T]) -> _T:
    """Run a proof computation twice: once to learn which nodes it reads, once for real.

    Which nodes RFC 9162 proof generation reads depends only on the sizes and indices, never
    on hash values, so the first (dry) run's coordinates are exactly the ones needed.
    """
    needed: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        needed.append((level, index))
        return _DUMMY

    compute(record)
    stored = nodes(needed)

    def read(level: int, index: int) -> bytes:
        try:
            return stored[(level, index)]
        except KeyError:
            raise LookupError(f"no stored node at level {level}, index {index}") from None

    return compute(read)


def _insert(entries: list[tuple[int, str, str, Any]], created: list[tuple[int, int, str]]) -> None:
    """Insert entry and node rows with two ``executemany`` calls."""
    with connection.cursor() as cursor:
        cursor.executemany(
            'INSERT INTO ledger_logentry ("index", leaf_hash, body, created_at) '
            "VALUES (%s, %s, %s, %s)",
            entries,
        )
        cursor.executemany(
            'INSERT INTO ledger_lognode ("level", "index", "hash") VALUES (%s, %s, %s)', created
        )


def insert_many(bodies: Sequence[bytes]) -> list[int]:
    """Insert leaves (canonical JSON bytes) in order, with the tree's new nodes; return their
    indices. Must run inside a transaction: the entries commit or vanish with the caller's
    change. Append through :mod:`dataip.ledger.appending`, which also has a checkpoint signed
    once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger appends must run inside the caller's transaction")
    if not bodies:
        return []
    lock()
    start = size()
    frontier = nodes(merkle.frontier_coordinates(start))
    appender = merkle.MerkleAppender.from_nodes(start, lambda lv, ix: frontier[(lv, ix)])
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    leaf_hash, append = merkle.leaf_hash, appender.append
    entries: list[tuple[int, str, str, Any]] = []
    created: list[tuple[int, int, str]] = []
    for offset, body in enumerate(bodies):
        leaf = leaf_hash(body)
        entries.append((start + offset, leaf.hex(), body.decode(), now))
        created.extend([(level, index, h.hex()) for level, index, h in append(leaf)])
    _insert(entries, created)
    return list(range(start, start + len(bodies)))


def root(tree_size: int | None = None) -> bytes:
    """The Merkle tree hash of the first ``tree_size`` entries (default: all)."""
    n = size() if tree_size is None else tree_size
    return _with_nodes(lambda read: merkle.root(n, read))


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """The audit path of entry ``index`` in the tree of ``tree_size`` entries (one query)."""
    return _with_nodes(lambda read: merkle.inclusion_proof(index, tree_size, read))


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    """The consistency proof between two tree sizes (one query)."""
    return _with_nodes(lambda read: merkle.consistency_proof(size1, size2, read))
