"""Nightly snapshots of the bulk export (导出快照): ``dataip export`` and one a day by
``dataip tick``, which queues the job :func:`export_snapshot` (run by a worker, or at once by
the process that ran tick when ``DATAIP_JOBS_AFTER_COMMIT`` is on).

A snapshot is a pair of gzip files, JSON Lines and CSV, named by the day and the cursor they
are complete up to (``registrations-2026-12-06-c1234.jsonl.gz``), in ``STORAGES["exports"]``
(the folder ``DATAIP_EXPORT_DIR``, default ``DATAIP_DATA_DIR/exports``, or ``exports/`` in the
object store's bucket). Each file is written whole before it gets its name, so a reader never
sees half a file: on local disk a temporary file beside it is renamed, in an object store the
upload appears when complete. One that exists is never written again (the same day and cursor
hold the same rows). After a snapshot is written, those older than the newest
``DATAIP_EXPORT_KEEP`` are deleted. The rows: :mod:`dataip.registry.queries.exports`.
"""

from __future__ import annotations

import gzip
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django_tasks import TaskResultStatus, task

from dataip import jobs
from dataip.registry import clock
from dataip.registry.queries import exports
from dataip.registry.storage import local_folder


class _Written(File):  # type: ignore[type-arg]
    """A finished temporary file: local storage moves it into place instead of copying it."""

    def __init__(self, handle: BinaryIO, name: str, path: Path) -> None:
        """``handle`` open on ``path``, to be stored as ``name``."""
        super().__init__(handle, name)
        self._path = path

    def temporary_file_path(self) -> str:
        """Its path (what ``FileSystemStorage`` renames)."""
        return str(self._path)


def _write(storage: Storage, name: str, lines: Iterator[bytes]) -> str:
    """Write ``lines`` gzipped as ``name``; return the name stored."""
    folder = local_folder(storage)  # beside the target on local disk: a rename moves it in
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=folder, prefix=".partial-", suffix=".gz", delete=False
    ) as made:
        temporary = Path(made.name)
    try:
        with temporary.open("wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as packed:
            for line in lines:
                packed.write(line)
        with temporary.open("rb") as done:
            return storage.save(name, _Written(done, name, temporary))
    finally:
        temporary.unlink(missing_ok=True)  # already moved away on local disk


def write_snapshots(day: date | None = None, *, once_a_day: bool = False) -> list[str]:
    """Write the JSON Lines and CSV snapshots of ``day`` (default: today) at the cursor now;
    return the names of the files written (none if they exist already; with ``once_a_day``,
    none if any snapshot of that day exists). Older snapshots past the kept number go."""
    day = day or clock.local_date(clock.now())
    if once_a_day and any(s.day == day for s in exports.snapshots()):
        return []
    storage = exports.snapshot_storage()
    cursor = exports.cursor_now()  # read before the rows: every change below it is in them
    written = []
    for fmt in ("jsonl", "csv"):
        name = f"registrations-{day.isoformat()}-c{cursor}.{fmt}.gz"
        if storage.exists(name):
            continue
        lines = exports.jsonl_lines() if fmt == "jsonl" else exports.csv_lines(bom=True)
        written.append(_write(storage, name, lines))
    if written:
        prune_snapshots()
    return written


def prune_snapshots(keep: int | None = None) -> list[str]:
    """Delete the snapshots older than the newest ``keep`` (default ``DATAIP_EXPORT_KEEP``, at
    least one; a snapshot is the pair written at one day and cursor); return the names
    deleted."""
    keep = max(1, settings.DATAIP_EXPORT_KEEP if keep is None else keep)
    kept: set[tuple[date, int]] = set()
    gone = []
    storage = exports.snapshot_storage()
    for snapshot in exports.snapshots():  # the newest first
        at = (snapshot.day, snapshot.cursor)
        if at in kept or len(kept) < keep:
            kept.add(at)
            continue
        storage.delete(snapshot.name)
        gone.append(snapshot.name)
    return gone


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
