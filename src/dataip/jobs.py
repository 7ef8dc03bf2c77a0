"""The transactional job outbox (作业发件箱): a job is queued in the transaction that makes it due.

Jobs are django-tasks tasks on the database backend (django-tasks-db): :func:`enqueue` inserts
the job's row into the task table of the registry's own database *inside the caller's
transaction*, so a rollback leaves no job and a commit never loses one -- the queue is the
outbox. The same job asked for twice in one transaction (with the same arguments) is queued
once.

A job enqueued with ``at_once=True`` (the certificate, the checkpoint round) keeps the
immediacy of a single process: when ``DATAIP_JOBS_AFTER_COMMIT`` is on (the default: ``make
run``, the tests), this process claims the job's row right after the commit (a conditional
update: exactly one of this process and any worker wins) and runs it with the worker's own
code, so the request returns with the work done, as before there was a worker. A deployment
with separate ``dataip worker`` processes turns it off: requests return at once and a worker
runs the row. Jobs are idempotent (each checks what is still due), so a job that runs again
after a crash is a cheap no-op.

This module sits on the lowest floor that uses Django (beside :mod:`dataip.keystore`): the
ledger, the registry and the parts above hand their jobs over through it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task

logger = logging.getLogger("dataip.jobs")

WORKER_CONNECTION_SECONDS = 60.0
"""How long a worker keeps one database connection (renewed after that, like a request's)."""

#: How this process names itself in a task row's ``worker_ids`` when it runs a job after the
#: commit (a worker names itself with its ``--worker-id``).
AFTER_COMMIT_WORKER = f"after-commit:{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass(frozen=True)
class _Queued:
    """The on-commit callback of a queued job: the marker that dedupes it within the
    transaction, and what runs it here after the commit (``at_once``)."""

    path: str
    args: tuple[Any, ...]
    result_id: str
    at_once: bool

    def __call__(self) -> None:
        if self.at_once and settings.DATAIP_JOBS_AFTER_COMMIT:
            run_here(self.result_id)


def _already_queued(path: str, args: tuple[Any, ...]) -> bool:
    """Whether the current transaction has queued this job with these arguments already."""
    pending = transaction.get_connection().run_on_commit
    return any(
        isinstance(entry[1], _Queued) and (entry[1].path, entry[1].args) == (path, args)
        for entry in pending
    )


def enqueue(job: Task[..., Any], *args: Any, at_once: bool = False) -> str | None:
    """Queue ``job(*args)`` in the caller's transaction; return the task row's id (None if this
    transaction has queued it already).

    With ``at_once`` the job also runs in this process right after the commit when
    ``DATAIP_JOBS_AFTER_COMMIT`` is on. Outside a transaction the row is committed at once
    (and an ``at_once`` job runs at once).
    """
    if _already_queued(job.module_path, args):
        return None
    result = job.enqueue(*args)
    transaction.on_commit(_Queued(job.module_path, args, str(result.id), at_once), robust=True)
    return str(result.id)


def run_here(result_id: str) -> bool:
    """Run the queued job ``result_id`` in this process, as a worker would, unless a worker
    has claimed it first; return whether it ran and succeeded.

    The claim is a conditional update (``READY`` to ``RUNNING``): of this process and the
    workers, exactly one runs the row. A failure is recorded on the row (``FAILED``, with its
    traceback) and logged; ``dataip tick`` does what is still due.
    """
    from django_tasks_db.models import DBTaskResult

    started = timezone.now()
    claimed = DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.READY).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[AFTER_COMMIT_WORKER]
    )
    if not claimed:  # a worker was quicker (or the row is gone): it runs the job
        return False
    row = DBTaskResult.objects.get(pk=result_id)
    _worker(AFTER_COMMIT_WORKER).run_task(row)
    if row.status == TaskResultStatus.FAILED:
        logger.error(
            "job %s%s failed after the commit; dataip tick will retry:\n%s",
            row.task_path.rsplit(".", 1)[-1],
            tuple(row.args_kwargs.get("args", ())),
            row.traceback,
        )
        return False
    return True


def _worker(worker_id: str, *, batch: bool = True, queues: tuple[str, ...] = ("*",)) -> Any:
    """django-tasks-db's own worker, for ``queues`` (default: every queue) of the default
    backend."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=list(queues),
        interval=settings.DATAIP_WORKER_INTERVAL,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@contextmanager
def connection_kept(seconds: float = WORKER_CONNECTION_SECONDS) -> Iterator[None]:
    """Let the worker keep its database connection between jobs (it closes connections older
    than ``CONN_MAX_AGE`` after each job; at 0, the default, that is a new connection per job,
    and on SQLite a WAL checkpoint each time)."""
    before = connection.settings_dict  # this thread's connection only (a copy is changed)
    if (before.get("CONN_MAX_AGE") or 0) < seconds:
        connection.settings_dict = {**before, "CONN_MAX_AGE": seconds}
        if connection.connection is not None and not connection.in_atomic_block:
            connection.close_at = time.monotonic() + seconds
    try:
        yield
    finally:
        connection.settings_dict = before


def drain(worker_id: str = "drain", queues: tuple[str, ...] = ("*",)) -> None:
    """Run every job that is ready (in ``queues``), with the real worker code (batch mode),
    then return."""
    with connection_kept():
        _worker(worker_id, queues=queues).run()


def run_worker_forever(worker_id: str) -> None:
    """Run the worker in this thread until the process ends (``dataip serve``'s thread)."""
    with connection_kept():
        _worker(worker_id, batch=False).run()


def requeue_lapsed(lease_seconds: float | None = None) -> int:
    """Put back in the queue the jobs a worker claimed and never finished (it died): those
    ``RUNNING`` for longer than ``DATAIP_JOB_LEASE_SECONDS``; return how many. A job still
    running that long runs twice, which an idempotent job allows."""
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    seconds = settings.DATAIP_JOB_LEASE_SECONDS if lease_seconds is None else lease_seconds
    lapsed = timezone.now() - timedelta(seconds=seconds)
    count: int = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=lapsed
    ).update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("%s job(s) claimed by a worker that stopped were put back", count)
    return count
