"""The witness's memory: the latest checkpoint it cosigned, per log origin (SQLite, stdlib).

Updates are compare-and-swap: a new checkpoint replaces the stored one only if the stored one
is still the one the request was checked against (same size and root), so two concurrent
requests can never both advance the same log. Each thread of the (multi-threaded) server keeps
its own connection: opening and closing one per request would fold the write-ahead log back into
the file every time. A commit is durable (``synchronous=FULL``) before the cosignature is sent.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS latest (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    root BLOB NOT NULL,
    note TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Latest:
    """The latest cosigned checkpoint of one log: size, root hash, the cosigned note."""

    size: int
    root: bytes
    note: str


class Store:
    """The SQLite file holding one row per witnessed log."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the store at ``path``."""
        self.path = path
        self._local = threading.local()
        connection = self._connect()
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode: transactions are explicit)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA synchronous=FULL")
            self._local.connection = connection
        return connection

    def latest(self, origin: str) -> Latest | None:
        """The latest cosigned checkpoint of ``origin``, if any."""
        row = (
            self._connect()
            .execute("SELECT size, root, note FROM latest WHERE origin = ?", (origin,))
            .fetchone()
        )
        return None if row is None else Latest(int(row[0]), bytes(row[1]), str(row[2]))

    def advance(self, origin: str, expected: Latest | None, new: Latest) -> bool:
        """Replace ``expected`` by ``new`` atomically; False if the row changed meanwhile."""
        connection = self._connect()
        connection.execute("BEGIN IMMEDIATE")
        try:
            if expected is None:
                cursor = connection.execute(
                    "INSERT OR IGNORE INTO latest (origin, size, root, note) VALUES (?, ?, ?, ?)",
                    (origin, new.size, new.root, new.note),
                )
            else:
                cursor = connection.execute(
                    "UPDATE latest SET size = ?, root = ?, note = ? "
                    "WHERE origin = ? AND size = ? AND root = ?",
                    (new.size, new.root, new.note, origin, expected.size, expected.root),
                )
            swapped = cursor.rowcount == 1
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT" if swapped else "ROLLBACK")
        return swapped
