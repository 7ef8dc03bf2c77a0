"""Run the job queue in a test with the real worker code."""

from __future__ import annotations

from contextlib import nullcontext
from unittest import mock

from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dataip import jobs

_WORKER = "django_tasks_db.management.commands.db_worker"


def run_jobs(*queues: str) -> int:
    """Drain the queue (``queues``, default every one) with django-tasks-db's own worker (batch
    mode: every job that is ready, then return); return how many jobs finished in this call.

    Inside a test's transaction (``django_db`` without ``transaction=True``) the worker's
    recycling of old connections is left out: it would close the connection the test's
    transaction lives on (on PostgreSQL), where a real worker runs outside any transaction.
    """
    before = set(_finished())
    keep = (
        mock.patch(f"{_WORKER}.close_old_connections", return_value=None)
        if connection.in_atomic_block
        else nullcontext()
    )
    with keep:
        jobs.drain("tests", queues or ("*",))
    return len(set(_finished()) - before)


def _finished() -> list[str]:
    done = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    rows = DBTaskResult.objects.filter(status__in=done)
    return [str(pk) for pk in rows.values_list("pk", flat=True)]


def waiting(name: str = "") -> int:
    """How many jobs wait in the queue (those whose task path ends with ``name``, if given)."""
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return rows.filter(task_path__endswith=name).count() if name else rows.count()
