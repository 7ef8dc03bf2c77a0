"""A fresh, migrated database for a benchmark (SQLite file under the bench data folder)."""

from __future__ import annotations

import os
from pathlib import Path

_READY = False


def fresh_database() -> None:
    """Point Django at an empty SQLite file (unless DATAIP_DATABASE_URL is set) and migrate it.

    Once per process: the benchmarks of one run share the database, each adding its own rows.
    """
    global _READY
    if _READY:
        return
    _READY = True
    data_dir = Path(os.environ.setdefault("DATAIP_DATA_DIR", "var/bench")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if "DATAIP_DATABASE_URL" not in os.environ:
        path = data_dir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATAIP_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dataip.config.settings")
    # Benchmarks measure one thing each: no certificate is rendered after every registration
    # they commit (bench_certificates issues its own).
    os.environ.setdefault("DATAIP_CERTIFICATES_AUTO", "0")
    # They file many applications for one organisation in a day, and call the API in a loop.
    for limit in ("DRAFTS_PER_DAY", "API_TOKEN_PER_MINUTE", "API_ANONYMOUS_PER_MINUTE"):
        os.environ.setdefault(f"DATAIP_LIMIT_{limit}", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
