"""The append-only triggers refuse unconditionally: the purge switch is gone.

PostgreSQL: the trigger function no longer consults the ``dataip.allow_purge`` setting.
SQLite: the triggers no longer consult the ``dataip_allow_purge()`` connection function.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from dataip.ledger.append_only import unconditional_sql

TABLES = ("ledger_logentry", "ledger_lognode", "ledger_checkpoint", "ledger_checkpointtimestamp")


def refuse_unconditionally(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        for statement in unconditional_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only")]
    operations = [migrations.RunPython(refuse_unconditionally, migrations.RunPython.noop)]
