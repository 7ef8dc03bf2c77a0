"""``/metrics``: request counts and latencies, and gauges read from the database at scrape time
(task queue, log, checkpoint, witness lag), for allowed addresses or the bearer token only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from dataip.ledger import appending, checkpoints, log
from dataip.ledger.models import WitnessCosignature
from dataip.registry.mail import deliver_mail
from dataip.witness.config import create_key
from tests.ledger._support import body, tamper, use_fresh_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    use_fresh_keys(settings, tmp_path)


Samples = dict[tuple[str, tuple[Any, ...]], float]


def scrape(client: Client | None = None, **headers: Any) -> Samples:
    """Every sample of ``/metrics``, by name and labels."""
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = float(sample.value)
    return samples


def _append(count: int, start: int) -> None:
    with transaction.atomic():
        appending.append_many([body(i) for i in range(start, start + count)])


def test_the_gauges_are_what_the_database_holds(settings: Any, tmp_path: Path) -> None:
    witness = create_key(tmp_path / "w", "notary.example/w1").vkey
    settings.DATAIP_WITNESSES = [(witness, "http://127.0.0.1:9")]
    _append(3, 0)
    first = checkpoints.sign_latest()
    _append(4, 3)
    newest = checkpoints.sign_latest()
    _append(2, 7)  # not yet under a checkpoint
    assert first is not None
    assert newest is not None
    WitnessCosignature.objects.create(
        checkpoint=first,
        witness=witness,
        line="— notary.example/w1 test",
        cosigned_at=timezone.now(),
        created_at=timezone.now(),
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    tamper(  # the ledger's rows are append-only: make the checkpoint old behind the triggers
        "UPDATE ledger_checkpoint SET created_at = %s WHERE id = %s",
        [connection.ops.adapt_datetimefield_value(an_hour_ago), newest.pk],
    )
    queued = DBTaskResult.objects.ready().count()  # the appends queued their checkpoint round
    deliver_mail.enqueue()
    deliver_mail.enqueue()
    DBTaskResult.objects.update(enqueued_at=an_hour_ago)

    samples = scrape()

    assert samples[("dataip_database_up", ())] == 1
    assert samples[("dataip_log_entries", ())] == log.size() == 9
    assert samples[("dataip_log_unsigned_entries", ())] == 2
    assert samples[("dataip_checkpoint_size", ())] == 7
    assert 3600 <= samples[("dataip_checkpoint_age_seconds", ())] < 3700
    assert (
        samples[("dataip_task_queue_depth", ())]
        == DBTaskResult.objects.ready().count()
        == queued + 2
    )
    assert 3600 <= samples[("dataip_task_oldest_waiting_seconds", ())] < 3700
    label = (("witness", "notary.example/w1"),)
    assert samples[("dataip_witness_lag_entries", label)] == 7 - 3
    assert 3600 <= samples[("dataip_witness_lag_seconds", label)] < 3700
    assert samples[("dataip_log_refused", ())] == 0


def test_an_empty_registry_has_nothing_behind() -> None:
    samples = scrape()
    assert samples[("dataip_log_entries", ())] == 0
    assert samples[("dataip_checkpoint_age_seconds", ())] == 0
    assert samples[("dataip_task_queue_depth", ())] == 0
    assert not [key for key in samples if key[0].startswith("dataip_witness_lag")]


def test_each_request_is_counted_by_view_method_and_status() -> None:
    labels = {"view": "web:login", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("dataip_http_requests_total", labels) or 0
    timed = {"view": "web:login", "method": "GET"}
    observed = REGISTRY.get_sample_value("dataip_http_request_duration_seconds_count", timed) or 0
    assert Client().get("/account/login").status_code == 200
    assert Client().get("/no/such/page/").status_code == 404
    samples = scrape()
    login = tuple(sorted(labels.items()))
    assert samples[("dataip_http_requests_total", login)] == before + 1
    assert samples[
        ("dataip_http_request_duration_seconds_count", tuple(sorted(timed.items())))
    ] == (observed + 1)
    unmatched = (("method", "GET"), ("status", "404"), ("view", "<unmatched>"))
    assert samples[("dataip_http_requests_total", unmatched)] >= 1


def test_others_are_refused_as_if_there_were_no_such_page(settings: Any) -> None:
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.get("/metrics").status_code == 404
    settings.DATAIP_METRICS_TOKEN = "s3cret-scraper-token"
    assert elsewhere.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert elsewhere.get("/metrics", HTTP_AUTHORIZATION="s3cret-scraper-token").status_code == 404
    scrape(elsewhere, HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")


def test_allowed_networks_may_scrape(settings: Any) -> None:
    settings.DATAIP_METRICS_ALLOW = ["10.0.0.0/8", "2001:db8::/32"]
    scrape(Client(REMOTE_ADDR="10.20.30.40"))
    scrape(Client(REMOTE_ADDR="2001:db8::5"))
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="11.0.0.1").get("/metrics").status_code == 404


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = Client(REMOTE_ADDR="127.0.0.1")
    assert proxied.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    scrape(proxied, HTTP_X_FORWARDED_FOR="127.0.0.1")
