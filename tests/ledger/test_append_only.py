"""No runtime session can switch the append-only triggers off (issue 15)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

import dataip
from dataip.ledger.models import LogEntry
from tests.ledger._support import append_batches
from tests.support.purge import behind_the_triggers

pytestmark = pytest.mark.django_db

TABLES = (
    "ledger_logentry",
    "ledger_lognode",
    "ledger_checkpoint",
    "ledger_checkpointtimestamp",
    "registry_event",
    "deposits_deposit",
    "deposits_depositband",
)


def _refused(sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL session settings")
def test_the_old_purge_setting_no_longer_opens_the_triggers_on_postgresql() -> None:
    append_batches(3)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('dataip.allow_purge', 'on', false)")
        cursor.execute("SELECT current_setting('dataip.allow_purge')")
        assert cursor.fetchone() == ("on",)
    _refused("UPDATE ledger_logentry SET body = '{}' WHERE index = 1")
    _refused("DELETE FROM ledger_logentry WHERE index = 1")
    for table in TABLES:
        _refused(f"TRUNCATE {table} CASCADE")
    assert LogEntry.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'dataip_append_only'")
        (source,) = cursor.fetchone()
    assert "allow_purge" not in source
    assert "RAISE EXCEPTION" in source


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
def test_a_runtime_role_as_documented_cannot_silence_or_drop_the_triggers() -> None:
    """docs/evidence.md: the application connects as a role that neither owns nor is superuser."""
    append_batches(1)
    role = "dataip_e_hardening_runtime_probe"  # CREATE ROLE is rolled back with the test
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOSUPERUSER NOLOGIN")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {', '.join(TABLES)} TO {role}"
        )
        cursor.execute(f"SET LOCAL ROLE {role}")
    for sql in (
        "SET session_replication_role = replica",
        "ALTER TABLE ledger_logentry DISABLE TRIGGER ALL",
        "DROP TRIGGER ledger_logentry_append_only ON ledger_logentry",
    ):
        with (
            pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    _refused("DELETE FROM ledger_logentry")
    _refused("TRUNCATE ledger_checkpointtimestamp")
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert LogEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite connection functions")
def test_the_old_purge_function_no_longer_opens_the_triggers_on_sqlite() -> None:
    append_batches(3)
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    # The function the old triggers consulted, registered as "open" by a hostile session.
    raw.create_function("dataip_allow_purge", 0, lambda: 1)
    _refused("UPDATE ledger_logentry SET body = '{}' WHERE \"index\" = 1")
    _refused('DELETE FROM ledger_logentry WHERE "index" = 1')
    assert LogEntry.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
    for table in TABLES:
        ours = [sql for name, sql in triggers if name == table]
        assert len(ours) == 2, table
        assert all("dataip_allow_purge" not in sql for sql in ours)


def test_the_test_suite_alone_gets_past_the_triggers() -> None:
    append_batches(3)
    with behind_the_triggers(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_lognode")
        cursor.execute("DELETE FROM ledger_logentry")
    assert LogEntry.objects.count() == 0
    append_batches(1)
    _refused("DELETE FROM ledger_logentry")  # the triggers are back
    assert LogEntry.objects.count() == 1


def _code_mentions(path: Path, words: tuple[str, ...]) -> list[str]:
    """Calls and SQL strings (not docstrings or comments) in ``path`` that mention ``words``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in words:
            found.append(node.attr)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            found += [word for word in words if word in node.value]
    return found


def test_nothing_in_src_can_open_a_purge_switch() -> None:
    root = Path(dataip.__file__).parent
    words = ("create_function", "set_config", "session_replication_role", "allow_purge")
    offenders = {
        str(path.relative_to(root)): _code_mentions(path, words)
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: found for path, found in offenders.items() if found} == {}
