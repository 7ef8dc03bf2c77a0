"""The job outbox and the worker: jobs queued in the transaction that makes them due, run by
django-tasks-db's own worker (or right after the commit), and tick's lease once a period."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from dataip import jobs
from dataip.certificates.models import Certificate
from dataip.ledger import checkpoints, log
from dataip.registry.models import ScheduleLease
from dataip.registry.services import publicity
from dataip.registry.workflow import SYSTEM, Status
from dataip.upkeep import schedule, tick
from tests.certificates._support import Capture
from tests.ledger._support import append_batches, committed
from tests.support.builders import at_stage, day
from tests.support.jobs import run_jobs, waiting
from tests.support.personas import Personas

RAN: list[int] = []


@task()
def note(n: int) -> int:
    """A trivial job: record that it ran."""
    RAN.append(n)
    return n


@pytest.fixture(autouse=True)
def fresh() -> None:
    RAN.clear()
    checkpoints._last_signed_after_commit = float("-inf")


@pytest.fixture(scope="module")
def pki_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry's CA and signing certificate, made once for this module."""
    return tmp_path_factory.mktemp("jobs-certificate-pki")


@pytest.fixture
def certificate_pki(settings: Any, pki_folder: Path) -> None:
    settings.DATAIP_CERT_DIR = pki_folder
    settings.DATAIP_CERT_PKCS12_FILE = ""
    settings.DATAIP_CERT_CA_FILE = ""
    settings.DATAIP_CERTIFICATES_AUTO = True


def certificate_jobs() -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path__endswith=".issue_certificate"))


# ── the outbox ──────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_a_rolled_back_transition_leaves_no_job(personas: Personas) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    queued = DBTaskResult.objects.count()
    inside: list[int] = []

    def register_then_fail() -> None:
        with transaction.atomic():
            publicity.register(app.pk, actor=SYSTEM, at=day(40))
            inside.append(len(certificate_jobs()))
            raise RuntimeError("the caller's transaction fails after the registration")

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert inside == [1], "queued inside the transaction"
    assert certificate_jobs() == []
    assert DBTaskResult.objects.count() == queued, "neither the certificate nor the checkpoint"


@pytest.mark.django_db
def test_a_job_is_queued_once_per_transaction_and_arguments() -> None:
    with transaction.atomic():
        first = jobs.enqueue(note, 1)
        assert jobs.enqueue(note, 1) is None
        assert jobs.enqueue(note, 2) is not None
    assert first is not None
    assert waiting(".note") == 2
    assert run_jobs() == 2
    assert sorted(RAN) == [1, 2]
    assert waiting() == 0


@pytest.mark.django_db
def test_after_the_commit_the_job_runs_here_once_and_the_worker_finds_it_done(
    personas: Personas, certificate_pki: None, django_capture_on_commit_callbacks: Capture
) -> None:
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with committed(django_capture_on_commit_callbacks):
        publicity.register(app.pk, actor=SYSTEM, at=day(40))
    certificate = Certificate.objects.get(application=app)
    assert certificate.pdf, "issued before the service returned, as in one process"
    (row,) = certificate_jobs()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == [jobs.AFTER_COMMIT_WORKER]
    assert row.return_value == f"{certificate.number} v1"
    run_jobs()
    assert Certificate.objects.filter(application=app).count() == 1


@pytest.mark.django_db
def test_with_a_separate_worker_the_request_returns_and_the_worker_issues_the_certificate(
    personas: Personas,
    settings: Any,
    certificate_pki: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.DATAIP_JOBS_AFTER_COMMIT = False
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    with committed(django_capture_on_commit_callbacks):
        publicity.register(app.pk, actor=SYSTEM, at=day(40))
    assert not Certificate.objects.filter(application=app).exists(), "not yet: the worker's"
    assert waiting(".issue_certificate") == 1
    run_jobs()
    certificate = Certificate.objects.get(application=app)
    assert certificate.pdf
    (row,) = certificate_jobs()
    assert (row.status, row.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["tests"])


@pytest.mark.django_db
def test_the_checkpoint_round_is_queued_with_the_appends_and_the_worker_signs_it(
    settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    settings.DATAIP_JOBS_AFTER_COMMIT = False
    with committed(django_capture_on_commit_callbacks):
        append_batches(3)
    assert checkpoints.latest() is None
    assert waiting(".checkpoint_round") == 1
    run_jobs()
    latest = checkpoints.latest()
    assert latest is not None
    assert latest.size == log.size() == 3


@pytest.mark.django_db
def test_a_failing_job_is_recorded_failed_and_logged(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Capture
) -> None:
    with committed(django_capture_on_commit_callbacks):
        result_id = jobs.enqueue(boom, 5, at_once=True)
    assert result_id is not None
    row = DBTaskResult.objects.get(pk=result_id)
    assert row.status == TaskResultStatus.FAILED
    assert "no ink" in row.traceback
    assert "job boom(5,) failed after the commit; dataip tick will retry" in caplog.text


@task()
def boom(n: int) -> None:
    """A job that fails."""
    raise OSError("no ink")


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_put_back_by_tick_and_run_again() -> None:
    result_id = note.enqueue(3).id
    claimed = timezone.now() - timedelta(hours=1)  # a worker took it an hour ago, then died
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING, started_at=claimed, worker_ids=["dead"]
    )
    assert run_jobs() == 0, "claimed: no other worker takes it while its lease holds"
    assert tick.job_queue(None) == Counter({"job_requeued": 1})
    assert run_jobs() == 1
    assert RAN == [3]
    row = DBTaskResult.objects.get(pk=result_id)
    assert (row.status, row.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["dead", "tests"])
    assert tick.job_queue(None) == Counter()


# ── tick's lease ────────────────────────────────────────────────────────────────────────


@pytest.mark.django_db
def test_the_lease_is_won_once_per_period() -> None:
    period = timedelta(minutes=1)
    assert schedule.take_lease("test", period, "a")
    assert not schedule.take_lease("test", period, "b"), "the same minute"
    lease = ScheduleLease.objects.get(name="test")
    assert lease.holder == "a"
    assert timedelta(0) < lease.due_at - timezone.now() <= period
    assert 0 < schedule.seconds_until_due("test") <= 60
    ScheduleLease.objects.filter(name="test").update(due_at=timezone.now() - timedelta(1))
    assert schedule.take_lease("test", period, "b"), "the next period"
    assert ScheduleLease.objects.get(name="test").holder == "b"


@pytest.mark.django_db
def test_tick_runs_when_its_lease_is_won(monkeypatch: Any) -> None:
    monkeypatch.setattr(tick, "STEPS", (lambda at: Counter({"step": 1}),))
    assert schedule.tick_if_due("a") == Counter({"step": 1})
    assert schedule.tick_if_due("b") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the in-memory SQLite test database (shared cache) refuses a "
    "second writer at once instead of waiting, unlike a file database; the conditional update "
    "itself is tested on both above",
)
def test_schedulers_racing_for_the_same_minute_run_tick_once(
    monkeypatch: Any, key_folder: Path
) -> None:
    ran: list[str] = []

    def step(at: Any) -> Counter[str]:
        ran.append("tick")
        return Counter()

    monkeypatch.setattr(tick, "STEPS", (step,))
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        try:
            start.wait()
            schedule.tick_if_due(name)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ran == ["tick"]
    assert ScheduleLease.objects.get(name=schedule.TICK).holder in {"s0", "s1", "s2", "s3"}


@pytest.mark.django_db
def test_schedule_forever_ticks_and_stops(monkeypatch: Any) -> None:
    stop = threading.Event()
    ran: list[str] = []

    def step(at: Any) -> Counter[str]:
        ran.append("tick")
        stop.set()
        return Counter()

    monkeypatch.setattr(tick, "STEPS", (step,))
    monkeypatch.setattr(schedule, "close_old_connections", lambda: None)  # the test's transaction
    schedule.schedule_forever(stop, poll=0)
    assert ran == ["tick"]
