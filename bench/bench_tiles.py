"""The log as C2SP tlog-tiles: entries per second written as tiles, beside the database append.

(a) Steady state, as ``dataip tick`` runs it: batches of 1,000 leaves are appended (one
    transaction each, its checkpoint signed on commit: the baseline), and after each batch
    the tiles of the new checkpoint are written (new full tiles and bundles, the partial
    tiles of the new size, the checkpoint). Entries per second of each, taking turns on the
    same log. Aim: writing tiles costs no more than appending (ratio at least 1).
(b) Catch-up: every tile of the whole log written at once into an empty folder (a first run,
    or a new storage), in entries per second beside the same appends.

Tiles go to a folder under the bench data folder (``FileSystemStorage``), removed after.
``DATAIP_BENCH_SCALE=0.1`` shrinks the log (default 100,000 entries) for a quick run.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

BATCH = 1000
ENTRIES = 100_000
TEMPLATE = (
    '{{"commitments":{{"actor_role":"{h}","application":"{h}","from":"{h}",'
    '"payload_sha256":"{h}","prev":"{h}","reason_sha256":"{h}","registration":"{h}",'
    '"to":"{h}","type":"{h}"}},"schema":"dip.event/v2","time":"2026-03-31T02:00:{s:02d}Z"}}'
)


def _bodies(start: int, count: int) -> list[bytes]:
    """``dip.event/v2``-shaped leaves (about 800 bytes, like the registry's)."""
    return [
        TEMPLATE.format(h=os.urandom(32).hex(), s=n % 60).encode()
        for n in range(start, start + count)
    ]


def run() -> list[str]:
    """Append and write tiles batch by batch, then write all tiles again from scratch."""
    from bench._db import fresh_database

    os.environ.setdefault("DATAIP_LOG_TILES", "0")
    fresh_database()
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage
    from django.db import transaction

    from dataip.ledger import appending
    from dataip.ledger.tiles import write_tiles

    data_dir = Path(os.environ["DATAIP_DATA_DIR"]).resolve()
    keys, steady, scratch = (data_dir / name for name in ("bench-tiles-keys", "tiles-a", "tiles-b"))
    for path in (keys, steady, scratch):
        shutil.rmtree(path, ignore_errors=True)
    settings.DATAIP_LOG_KEY_DIR = keys
    settings.DATAIP_TSA_URL = ""
    settings.DATAIP_CHECKPOINT_INTERVAL = 0  # a checkpoint after every batch
    count = max(BATCH * 4, int(ENTRIES * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    appended = tiled = 0.0
    files = 0
    target = FileSystemStorage(location=steady)
    for start in range(0, count, BATCH):
        bodies = _bodies(start, BATCH)
        began = time.perf_counter()
        with transaction.atomic():
            appending.append_many(bodies)  # signed on commit, inside the timing
        middle = time.perf_counter()
        files += write_tiles(target).files
        tiled += time.perf_counter() - middle
        appended += middle - began
    began = time.perf_counter()
    again = write_tiles(FileSystemStorage(location=scratch))
    catch_up = time.perf_counter() - began
    for path in (keys, steady, scratch):
        shutil.rmtree(path, ignore_errors=True)
    append_rate = count / appended
    return [
        f"tiles after each batch of {BATCH:,}: {count / tiled:,.0f} entries/s "
        f"({files:,} files) vs database append {append_rate:,.0f} entries/s "
        f"= {appended / tiled:.1f}x (aim: at least 1x)",
        f"all tiles of {count:,} entries at once: {count / catch_up:,.0f} entries/s "
        f"({again.files:,} files) vs database append {append_rate:,.0f} entries/s "
        f"= {appended / catch_up:.1f}x",
    ]
