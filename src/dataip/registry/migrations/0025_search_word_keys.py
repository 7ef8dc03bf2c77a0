"""The word index keys the facet values (PostgreSQL).

Since 0024 the word index held the facet columns (btree_gin), but PostgreSQL's planner would
rather AND it with a separate index of a filter (``year = 2025``: a third of a million
entries listed, a hundred milliseconds). Now the index is built on the words and the facet
values as keys of one ``tsvector`` (``dataip.registry.models.search.WORD_KEYS``, written out
here as it was made): a search asks for words and keys in one ``tsquery``, which no other index
answers, and the index reads only the entries holding all of them.

The industry and province indexes hold the page's order too (newest first), as those of kind,
status and year do: a search of many matches in one province walks that province's entries
only.
"""

from django.db import migrations, models

WORD_KEYS = (
    "(words_tsv || array_to_tsvector(ARRAY['kind:' || kind::text, "
    "'industry_code:' || industry_code::text, 'province_code:' || province_code::text, "
    "'status:' || status::text, 'year:' || year::text]))"
)
KEYED = [
    "CREATE INDEX IF NOT EXISTS registry_search_word_keys ON registry_searchentry "
    f"USING gin ({WORD_KEYS})",
    "DROP INDEX IF EXISTS registry_search_words_facets",
]
FACETED = [
    "CREATE INDEX IF NOT EXISTS registry_search_words_facets ON registry_searchentry "
    "USING gin (words_tsv, kind, industry_code, province_code, status, year)",
    "DROP INDEX IF EXISTS registry_search_word_keys",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0024_search_facet_cells"),
    ]

    operations = [
        migrations.RunPython(_run(KEYED), _run(FACETED), elidable=False),
        migrations.RemoveIndex(model_name="searchentry", name="registry_search_industry"),
        migrations.RemoveIndex(model_name="searchentry", name="registry_search_province"),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                fields=["industry_code", "-public_since", "-application"],
                name="registry_search_industry_new",
            ),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                fields=["province_code", "-public_since", "-application"],
                name="registry_search_province_new",
            ),
        ),
    ]
