"""Database triggers that make tables append-only, on SQLite and PostgreSQL alike.

UPDATE and DELETE (and TRUNCATE on PostgreSQL) are refused by the database itself, whatever
code runs, and there is no switch that turns the refusal off: no session setting, no
connection function. (Until migration ``ledger.0003_append_only_unconditional`` a session
setting ``dataip.allow_purge`` let any PostgreSQL session through; it is ignored now.)

Removing rows therefore needs rights the application's runtime role must not have: on
PostgreSQL, dropping or disabling a trigger needs the owner of the table, and
``session_replication_role`` (which silences triggers) needs a superuser — the test suite
uses it to wipe its own databases, see ``tests/support/purge.py``. On SQLite, which has no
roles, only a process that can write the database file at all can drop a trigger.
"""

from __future__ import annotations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION dataip_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$ LANGUAGE plpgsql;
"""

SQLITE_OPERATIONS = ("UPDATE", "DELETE")


def sqlite_trigger_name(table: str, op: str) -> str:
    return f"{table}_no_{op.lower()}"


def _sqlite_trigger(table: str, op: str) -> str:
    return (
        f"CREATE TRIGGER {sqlite_trigger_name(table, op)} BEFORE {op} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END;"
    )


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
        return [_sqlite_trigger(table, op) for op in SQLITE_OPERATIONS]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def unconditional_sql(vendor: str, table: str) -> list[str]:
    """The statements that replace an older, switchable protection of ``table``.

    PostgreSQL: the shared trigger function is replaced (the triggers stay). SQLite: the
    triggers that consulted the ``dataip_allow_purge()`` connection function are recreated
    without it.
    """
    if vendor == "postgresql":
        return [PG_FUNCTION]
    if vendor == "sqlite":
        statements: list[str] = []
        for op in SQLITE_OPERATIONS:
            statements.append(f"DROP TRIGGER IF EXISTS {sqlite_trigger_name(table, op)};")
            statements.append(_sqlite_trigger(table, op))
        return statements
    raise NotImplementedError(f"append-only triggers for {vendor}")
