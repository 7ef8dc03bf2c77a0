"""Nightly snapshots of the bulk export (导出快照): ``dataip export`` and one a day by
``dataip tick``, which queues the job :func:`export_snapshot` (run by a worker, or at once by
the process that ran tick when ``DATAIP_JOBS_AFTER_COMMIT`` is on).

A snapshot is a pair of gzip files, JSON Lines and CSV, named by the day and the cursor they
are complete up to (``registrations-2026-12-06-c1234.jsonl.gz``), in ``DATAIP_EXPORT_DIR``
(default ``DATAIP_DATA_DIR/exports``). Each file is written under a temporary name and renamed
when complete, so a reader never sees half a file; one that exists is never written again
(the same day and cursor hold the same rows). The rows: :mod:`dataip.registry.queries.exports`.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django_tasks import TaskResultStatus, task

from dataip import jobs
from dataip.registry import clock
from dataip.registry.queries import exports


def _write(path: Path, lines: Iterator[bytes]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=".gz")
    try:
        with (
            os.fdopen(handle, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
        ):
            for line in lines:
                packed.write(line)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_snapshots(day: date | None = None, *, once_a_day: bool = False) -> list[Path]:
    """Write the JSON Lines and CSV snapshots of ``day`` (default: today) at the cursor now;
    return the files written (none if they exist already; with ``once_a_day``, none if any
    snapshot of that day exists)."""
    day = day or clock.local_date(clock.now())
    folder = exports.snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if once_a_day and any(s.day == day for s in exports.snapshots()):
        return []
    cursor = exports.cursor_now()  # read before the rows: every change below it is in them
    written = []
    for fmt in ("jsonl", "csv"):
        path = folder / f"registrations-{day.isoformat()}-c{cursor}.{fmt}.gz"
        if path.exists():
            continue
        _write(path, exports.jsonl_lines() if fmt == "jsonl" else exports.csv_lines(bom=True))
        written.append(path)
    return written


@task(queue_name="exports")
def export_snapshot(day: str) -> int:
    """The job (导出作业): write the snapshots of ``day`` (ISO date) unless that day has some;
    return how many files were written. Idempotent. On its own queue, ``exports``, so a
    deployment can keep the long ones apart (``dataip worker`` runs every queue)."""
    return len(write_snapshots(date.fromisoformat(day), once_a_day=True))


def _queued(day: str) -> bool:
    """Whether the snapshot job of ``day`` waits in the queue or runs."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=export_snapshot.module_path,
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
        args_kwargs__args__0=day,
    ).exists()


def nightly_snapshot(at: datetime | None) -> Counter[str]:
    """The tick's step: queue the snapshot job once a day (``DATAIP_EXPORT_SNAPSHOTS``), so a
    long export runs in a worker, not in the process that won tick's lease."""
    if not settings.DATAIP_EXPORT_SNAPSHOTS:
        return Counter()
    day = clock.local_date(at or clock.now())
    if any(s.day == day for s in exports.snapshots()) or _queued(day.isoformat()):
        return Counter()
    jobs.enqueue(export_snapshot, day.isoformat(), at_once=True)
    return Counter({"export_snapshot_queued": 1})
