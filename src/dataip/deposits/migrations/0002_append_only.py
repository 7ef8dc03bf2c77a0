"""Deposits and their LSH bands are never updated or deleted: the database refuses it."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from dataip.ledger.append_only import trigger_sql

TABLES = ("deposits_deposit", "deposits_depositband")


def protect(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in TABLES:
        for statement in trigger_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("deposits", "0001_initial")]
    operations = [migrations.RunPython(protect, migrations.RunPython.noop)]
