"""Jobs per second through the queue (django-tasks-db and its worker), beside a bare queue.

Two figures, each beside a baseline measured in the same run on the same database:

* a trivial job (returns its argument): queued one per transaction with
  :func:`dataip.jobs.enqueue`, then run by django-tasks-db's own worker in batch mode (claim
  under an exclusive transaction, run, record the result) -- beside a bare queue on the same
  backend: a two-column table, one INSERT per item, then one transaction per item that selects
  the oldest and deletes it. The ratio is the price of the worker's bookkeeping.
* the certificate job (:func:`dataip.certificates.issue.issue_certificate`) for fresh
  registrations, queued and run by the worker -- beside the same work called directly
  (``issue_due_certificate``). The ratio is the queue's share of a real job.

``DATAIP_BENCH_SCALE=0.1`` shrinks the counts for a quick run.
"""

from __future__ import annotations

import logging
import os
import time

TRIVIAL = 2000
CERTIFICATES = 100
ROUNDS = 3


def _trivial_jobs(count: int) -> float:
    """Trivial jobs per second: queued (one transaction each), then drained by the worker."""
    from django.db import transaction

    from bench._jobs import echo
    from dataip import jobs

    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic():
            jobs.enqueue(echo, n)
    jobs.drain("bench")
    return count / (time.perf_counter() - started)


def _bare_queue(count: int) -> float:
    """Items per second through a bare table queue on the same database."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_queue (id INTEGER PRIMARY KEY, v TEXT)")
    started = time.perf_counter()
    for n in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_queue (id, v) VALUES (%s, %s)", [n, f"item {n}"])
    taken = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id, v FROM bench_queue ORDER BY id LIMIT 1")
            row = cursor.fetchone()
            if row is None:
                break
            cursor.execute("DELETE FROM bench_queue WHERE id = %s", [row[0]])
            taken += 1
    assert taken == count, taken
    return count / (time.perf_counter() - started)


def _certificates(count: int) -> tuple[float, float]:
    """Certificate jobs per second through the queue, and the same work called directly."""
    from django.conf import settings
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from bench.bench_workflow import _drive, _prepare
    from dataip import jobs
    from dataip.certificates import issue
    from dataip.certificates.models import Certificate

    people, drafts = _prepare(2 * count + 1, tag="worker")
    for pk in drafts:
        _drive(pk, people)
    issue.issue_due_certificate(drafts[-1])  # warm up: font, keys, CA made on first use
    DBTaskResult.objects.all().delete()  # the registrations' own (no-op) jobs
    settings.DATAIP_CERTIFICATES_AUTO = True
    queued, direct = drafts[:count], drafts[count : 2 * count]

    started = time.perf_counter()
    for pk in queued:
        with transaction.atomic():
            jobs.enqueue(issue.issue_certificate, pk)
    jobs.drain("bench")
    through_queue = count / (time.perf_counter() - started)

    started = time.perf_counter()
    for pk in direct:
        issue.issue_due_certificate(pk)
    called = count / (time.perf_counter() - started)
    assert Certificate.objects.exclude(pdf="").count() == 2 * count + 1
    return through_queue, called


def run() -> list[str]:
    """Measure the trivial job and the bare queue in turns, then the certificate job."""
    from bench._db import fresh_database

    os.environ.setdefault("DATAIP_JOBS_AFTER_COMMIT", "0")  # the worker runs every job here
    fresh_database()
    logging.getLogger("dataip.certificates").setLevel(logging.WARNING)  # one line per issue
    for name in ("django_tasks", "django_tasks_db"):  # a line per job otherwise
        logging.getLogger(name).setLevel(logging.WARNING)
    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    count = max(100, int(TRIVIAL * scale))
    queued: list[float] = []
    bare: list[float] = []
    for _round in range(ROUNDS):
        bare.append(_bare_queue(count))
        queued.append(_trivial_jobs(count))
    best_queued, best_bare = max(queued), max(bare)
    certificates = max(5, int(CERTIFICATES * scale))
    through_queue, called = _certificates(certificates)
    from django.db import connection

    engine = connection.vendor
    return [
        f"trivial jobs/s through the queue ({count} a round, {engine}; enqueue in a "
        f"transaction + worker run): {best_queued:,.0f} vs bare enqueue+dequeue/s "
        f"{best_bare:,.0f} = {best_queued / best_bare:.2f}x (no aim: the worker's bookkeeping)",
        f"certificate jobs/s through the queue ({certificates}): {through_queue:,.1f} vs the "
        f"same called directly {called:,.1f}/s = {through_queue / called:.2f}x (aim: near 1)",
    ]
