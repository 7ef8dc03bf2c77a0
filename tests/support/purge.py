"""Getting past the append-only triggers, for the test suite only.

The triggers refuse UPDATE, DELETE and TRUNCATE unconditionally (``dataip.ledger.append_only``);
nothing in ``src/`` can switch them off. Tests still need to wipe their database between
tests (Django's flush) and, in tampering tests, to change a row behind the triggers' back:

* PostgreSQL: ``SET session_replication_role = replica`` — ordinary triggers do not fire. Only
  a superuser may set it; the tests connect as ``postgres``, the application's runtime role
  must not be a superuser (docs/evidence.md, "Append-only").
* SQLite (no roles): the triggers are dropped and recreated around the operation, inside the
  caller's transaction when there is one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

from dataip.ledger.append_only import SQLITE_OPERATIONS

_SUFFIXES = tuple(f"_no_{op.lower()}" for op in SQLITE_OPERATIONS)


def _sqlite_triggers(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    return [(name, sql) for name, sql in rows if name.endswith(_SUFFIXES)]


@contextmanager
def behind_the_triggers(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let UPDATE, DELETE (and TRUNCATE) through the append-only triggers on ``connection``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        return
    if connection.vendor != "sqlite":
        yield
        return
    triggers = _sqlite_triggers(connection)
    with connection.cursor() as cursor:
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)
