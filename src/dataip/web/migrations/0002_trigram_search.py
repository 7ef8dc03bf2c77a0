"""Trigram search over the index: SQLite FTS5 (``trigram`` tokenizer) or PostgreSQL pg_trgm.

SQLite: an external-content FTS5 table over ``web_searchentry.document``, kept in step by
three triggers. (A later migration that rebuilds ``web_searchentry`` on SQLite drops the
triggers with the table: it must create them again.) PostgreSQL: the pg_trgm extension and a
GIN index on ``document``, which serves ``LIKE '%...%'``. Then the index is filled from the
registry's public applications.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE web_search_fts USING fts5("
    "document, content='web_searchentry', content_rowid='application_id', tokenize='trigram')",
    "CREATE TRIGGER web_search_fts_insert AFTER INSERT ON web_searchentry BEGIN "
    "INSERT INTO web_search_fts(rowid, document) VALUES (new.application_id, new.document); END",
    "CREATE TRIGGER web_search_fts_delete AFTER DELETE ON web_searchentry BEGIN "
    "INSERT INTO web_search_fts(web_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); END",
    "CREATE TRIGGER web_search_fts_update AFTER UPDATE ON web_searchentry BEGIN "
    "INSERT INTO web_search_fts(web_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); "
    "INSERT INTO web_search_fts(rowid, document) VALUES (new.application_id, new.document); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS web_search_fts_update",
    "DROP TRIGGER IF EXISTS web_search_fts_delete",
    "DROP TRIGGER IF EXISTS web_search_fts_insert",
    "DROP TABLE IF EXISTS web_search_fts",
]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS web_search_document_trgm ON web_searchentry "
    "USING gin (document gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS web_search_document_trgm"]

PUBLIC = [
    "under_publicity",
    "objection_review",
    "registered",
    "expired",
    "cancelled",
    "revoked",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_UP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)
    from dataip.registry.search_index import entry_values

    Application = apps.get_model("registry", "Application")
    SearchEntry = apps.get_model("web", "SearchEntry")
    public = Application.objects.filter(status__in=PUBLIC).select_related("product")
    for application in public.iterator(chunk_size=500):
        holders = application.holders.values_list("holder__name", "holder__name_en").order_by("id")
        SearchEntry.objects.update_or_create(
            application_id=application.pk, defaults=entry_values(application, holders)
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
