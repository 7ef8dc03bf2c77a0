"""The registry's database compiles no query (PostgreSQL's JIT off).

PostgreSQL compiles (JIT) any query whose estimated cost passes ``jit_above_cost``, which the
counts of common words at a million did: compiling took 50 ms, longer than running the query.
The registry's queries are short, so its database turns JIT off for every connection to it,
set once here, so that no operator needs to tune the server. It is the database's own
setting (``ALTER DATABASE``), not a connection option, so it holds through a connection
pooler (PgBouncer refuses connection options it does not know); when the migrating role does
not own the database, it is set for that role in this database instead.
"""

from django.db import migrations



def _jit(change: str) -> str:
    """SQL that makes ``change`` (``SET jit = off``, ``RESET jit``) to the database's own
    settings, or, when the migrating role does not own it, to that role's in it; and to this
    session's."""
    return f"""
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I {change}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I {change}', current_database());
END $$;
{change};
"""


OFF, ON = _jit("SET jit = off"), _jit("RESET jit")


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)  # no placeholders: %I is format()'s

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0025_search_word_keys"),
    ]

    operations = [
        migrations.RunPython(_run(OFF), _run(ON), elidable=False),
    ]
