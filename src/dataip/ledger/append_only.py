"""Database triggers that make tables append-only, on SQLite and PostgreSQL alike.

UPDATE and DELETE (and TRUNCATE on PostgreSQL) are refused by the database itself, whatever
code runs. The one exception is a purge switch for wiping a whole *test* database between
tests (Django's flush): on PostgreSQL the session setting ``dataip.allow_purge = 'on'``, on
SQLite the connection function ``dataip_allow_purge()`` that this project registers. The
registry's code never sets it; ``dataip audit`` would expose any row changed through it.
"""

from __future__ import annotations

import threading

from django.db.backends.base.base import BaseDatabaseWrapper

_purge = threading.local()

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dataip_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('dataip.allow_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$ LANGUAGE plpgsql;
"""


def trigger_sql(vendor: str, table: str) -> list[str]:
    """The statements that protect ``table`` on this database vendor."""
    if vendor == "postgresql":
        return [
            PG_FUNCTION,
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION dataip_append_only();",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dataip_append_only();",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"WHEN dataip_allow_purge() = 0 BEGIN "
            f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"
            for op in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def register_sqlite_functions(connection: BaseDatabaseWrapper) -> None:
    """Give a new SQLite connection the function the triggers consult."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "dataip_allow_purge", 0, lambda: int(getattr(_purge, "on", False)), deterministic=False
        )


def set_purge(connection: BaseDatabaseWrapper, on: bool) -> None:
    """Open or close the purge switch on ``connection`` (test teardown only)."""
    _purge.on = on
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('dataip.allow_purge', %s, false)", ["on" if on else "off"]
            )
