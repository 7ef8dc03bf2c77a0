"""Search by words (分词): ``SearchEntry.words`` holds the public text cut by jieba.

On SQLite a second FTS5 table, ``registry_search_words`` (``unicode61`` tokenizer, columns
``name`` and ``rest``: the two lines of ``words``), kept in step by triggers, ranked by
``bm25()``. Adding the column remakes ``registry_searchentry`` on SQLite, which drops the
trigram table's triggers (see 0005): they are made again here, and both FTS tables rebuilt. On
PostgreSQL a stored generated column ``words_tsv`` (the ``simple`` ``tsvector`` of the words, the
names' weighing A), GIN-indexed. Existing rows get their words.
"""

from django.db import migrations, models

NAME = "substr({row}.words, 1, instr({row}.words || char(10), char(10)) - 1)"
REST = "substr({row}.words, instr({row}.words || char(10), char(10)) + 1)"


def _words_values(row):
    return f"{row}.application_id, {NAME.format(row=row)}, {REST.format(row=row)}"


SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS registry_search_fts_insert",
    "DROP TRIGGER IF EXISTS registry_search_fts_delete",
    "DROP TRIGGER IF EXISTS registry_search_fts_update",
    "CREATE TRIGGER registry_search_fts_insert AFTER INSERT ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(rowid, document) VALUES (new.application_id, new.document); "
    "INSERT INTO registry_search_words(rowid, name, rest) VALUES ("
    + _words_values("new")
    + "); END",
    "CREATE TRIGGER registry_search_fts_delete AFTER DELETE ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(registry_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); "
    "INSERT INTO registry_search_words(registry_search_words, rowid, name, rest) "
    "VALUES ('delete', " + _words_values("old") + "); END",
    "CREATE TRIGGER registry_search_fts_update AFTER UPDATE ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(registry_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); "
    "INSERT INTO registry_search_fts(rowid, document) VALUES (new.application_id, new.document); "
    "INSERT INTO registry_search_words(registry_search_words, rowid, name, rest) "
    "VALUES ('delete', " + _words_values("old") + "); "
    "INSERT INTO registry_search_words(rowid, name, rest) VALUES ("
    + _words_values("new")
    + "); END",
]
SQLITE_UP = [
    # Contentless: the words are in registry_searchentry; this table only indexes them.
    "CREATE VIRTUAL TABLE registry_search_words USING fts5("
    "name, rest, content='', tokenize='unicode61')",
    *SQLITE_TRIGGERS,
]
SQLITE_REBUILD = [
    "INSERT INTO registry_search_fts(registry_search_fts) VALUES ('rebuild')",
    "INSERT INTO registry_search_words(registry_search_words) VALUES ('delete-all')",
    "INSERT INTO registry_search_words(rowid, name, rest) SELECT "
    + _words_values("registry_searchentry")
    + " FROM registry_searchentry",
]
SQLITE_DOWN = [
    "DROP TABLE IF EXISTS registry_search_words",
    *SQLITE_TRIGGERS[:3],
    "CREATE TRIGGER registry_search_fts_insert AFTER INSERT ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(rowid, document) VALUES (new.application_id, new.document); "
    "END",
    "CREATE TRIGGER registry_search_fts_delete AFTER DELETE ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(registry_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); END",
    "CREATE TRIGGER registry_search_fts_update AFTER UPDATE ON registry_searchentry BEGIN "
    "INSERT INTO registry_search_fts(registry_search_fts, rowid, document) "
    "VALUES ('delete', old.application_id, old.document); "
    "INSERT INTO registry_search_fts(rowid, document) VALUES (new.application_id, new.document); "
    "END",
]
POSTGRES_UP = [
    # Stored, so neither the match's recheck nor the ranking cuts the words again per row;
    # the names' words (the first line) carry weight A. Not a model field: only SQL reads it.
    "ALTER TABLE registry_searchentry ADD COLUMN words_tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, split_part(words, E'\\n', 1)), 'A') || "
    "to_tsvector('simple'::regconfig, words)) STORED",
    "CREATE INDEX IF NOT EXISTS registry_search_words_tsv ON registry_searchentry "
    "USING gin (words_tsv)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS registry_search_words_tsv",
    "ALTER TABLE registry_searchentry DROP COLUMN IF EXISTS words_tsv",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    from dataip.registry.search_index import entry_words

    vendor = schema_editor.connection.vendor
    SearchEntry = apps.get_model("registry", "SearchEntry")
    batch = []
    for entry in SearchEntry.objects.order_by("pk").iterator(chunk_size=500):
        entry.words = entry_words(
            [entry.name, entry.name_en],
            [
                entry.number,
                entry.registration_number,
                entry.summary,
                entry.summary_en,
                entry.holders,
                entry.holders_en,
            ],
        )
        batch.append(entry)
        if len(batch) == 500:
            SearchEntry.objects.bulk_update(batch, ["words"])
            batch = []
    SearchEntry.objects.bulk_update(batch, ["words"])
    if vendor == "sqlite":  # the words are filled first: no trigger sees them change
        _run(schema_editor, [*SQLITE_UP, *SQLITE_REBUILD])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DOWN)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0021_schedule_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="words",
            field=models.TextField(blank=True, default="", verbose_name="words"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
