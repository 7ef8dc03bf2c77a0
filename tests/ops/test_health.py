"""``/healthz`` answers without the database; ``/readyz`` checks database, cache, storage and
the task queue, and names what failed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from dataip.registry.mail import deliver_mail
from tests.witness._support import free_port

pytestmark = pytest.mark.django_db


def test_healthz_is_alive_without_the_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert response["Cache-Control"] == "no-store"


def test_probes_answer_any_host_name_over_plain_http(settings: Any) -> None:
    """A load balancer asks each app server by its own address, over http."""
    settings.ALLOWED_HOSTS = ["registry.example.cn"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.0.0.7:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_each_check() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ready"
    assert "failed" not in report
    assert set(report["checks"]) == {"database", "cache", "storage", "queue"}
    assert all(check["ok"] for check in report["checks"].values())
    assert report["checks"]["queue"]["waiting"] == 0


def test_readyz_counts_the_waiting_tasks() -> None:
    deliver_mail.enqueue()
    response = Client().get("/readyz")
    queue = response.json()["checks"]["queue"]
    assert queue["waiting"] == DBTaskResult.objects.ready().count() == 1
    assert queue["oldest_waiting_seconds"] >= 0


def test_readyz_is_503_when_the_cache_does_not_answer(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }
    response = Client().get("/readyz", HTTP_X_REQUEST_ID="probe-1")
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "not ready"
    assert report["failed"] == ["cache"]
    assert report["checks"]["cache"] == {
        "ok": False,
        "ms": report["checks"]["cache"]["ms"],
        "error": "ConnectionError",
    }
    assert report["checks"]["database"]["ok"] is True
    assert any("cache failed" in record.getMessage() for record in caplog.records)


def test_readyz_is_503_when_files_cannot_be_stored(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


def test_readyz_leaves_no_probe_file_behind(settings: Any) -> None:
    assert Client().get("/readyz").status_code == 200
    folder = Path(settings.MEDIA_ROOT) / "readyz"
    assert list(folder.iterdir()) == []
