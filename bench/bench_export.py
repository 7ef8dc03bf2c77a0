"""Bulk export of the public registrations (JSON Lines, CSV), vs a bare SELECT of the same rows.

Loads about 100,000 registrations in bulk (``DATAIP_BENCH_SCALE`` scales it; the rows of
``bench_web``), then streams the whole export as JSON Lines and as CSV, as the web view and
the API do, and compares rows per second with a bare SQL ``SELECT`` of the same columns
iterated in the same run. The peak memory of the export is measured with ``tracemalloc`` in a
separate pass (tracing slows it down), and the process's peak RSS is reported beside it.
"""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
from collections.abc import Iterable

MIB = 1024 * 1024


def _timed(lines: Iterable[bytes]) -> tuple[float, int, int]:
    """Seconds, lines and bytes of consuming ``lines``."""
    started = time.perf_counter()
    count = size = 0
    for line in lines:
        count += 1
        size += len(line)
    return time.perf_counter() - started, count, size


def _bare_select() -> tuple[float, int]:
    """A plain cursor over the same rows and columns (no formatting, no labels)."""
    from django.db import connection

    from dataip.registry.queries.exports import registrations

    sql, params = registrations().query.sql_with_params()
    started = time.perf_counter()
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            count += len(rows)
    return time.perf_counter() - started, count


def run() -> list[str]:
    """Load the rows, then measure the baseline and the exports; return the figures."""
    from bench._db import fresh_database

    fresh_database()
    from bench.bench_web import _load
    from dataip.registry.queries import exports

    wanted = max(1000, int(100_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    _load(wanted * 10 // 9 + 1)  # one in ten of bench_web's rows is an announcement
    bare_seconds, bare_rows = _bare_select()
    bare_rate = bare_rows / bare_seconds
    lines = [f"{bare_rows:,} public registrations; bare SELECT: {bare_rate:,.0f} rows/s"]
    for name in ("JSON Lines", "CSV"):
        made = exports.csv_lines(bom=True) if name == "CSV" else exports.jsonl_lines()
        seconds, count, size = _timed(made)
        rate = (count - (1 if name == "CSV" else 0)) / seconds
        lines.append(
            f"export {name}: {rate:,.0f} rows/s vs bare SELECT {bare_rate:,.0f} rows/s"
            f" = {rate / bare_rate:.2f} ({size / MIB:,.1f} MiB)"
        )
    tracemalloc.start()
    _timed(exports.jsonl_lines())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(
        f"export peak memory (tracemalloc, JSON Lines): {peak / MIB:.1f} MiB"
        f" (aim: < 100 MiB); process peak RSS {rss:,.0f} MiB, loading included"
    )
    return lines
