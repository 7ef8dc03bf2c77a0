"""Webhooks: the outbox written with the event, the sender against a real receiver on
127.0.0.1, Standard Webhooks signatures checked by the reference verifier, retries with a
doubling backoff, a worker killed mid-delivery, and nothing of an unpublished application."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from dataip.errors import NotFound, PermissionDenied, ValidationFailed
from dataip.registry import clock, webhooks
from dataip.registry.models import (
    DeliveryStatus,
    Holder,
    OrganisationType,
    Verification,
    WebhookDelivery,
)
from dataip.registry.services import lifecycle, publicity
from dataip.registry.services import webhooks as service
from dataip.registry.workflow import Status
from dataip.upkeep.tick import webhook_outbox
from tests.support.builders import at_stage, day
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.support.receiver import Receiver, receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receivers(settings: Any) -> None:
    """The test receivers listen on 127.0.0.1, which deployments refuse by default."""
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = True


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@pytest.fixture
def platform(db: None) -> Person:
    """The administrator of a verified platform."""
    holder = make_holder(40, "丙平台 Gamma Platform")
    Holder.objects.filter(pk=holder.pk).update(org_type=OrganisationType.PLATFORM)
    return make_person("platform_admin", holder)


def test_a_public_event_is_delivered_signed_and_the_reference_verifier_accepts_it(
    personas: Personas, platform: Person, hook: Receiver
) -> None:
    subscription, secret = service.create_subscription(platform.user, url=hook.url, topic="all")
    assert secret.startswith("whsec_")
    app = at_stage(personas, Status.REGISTERED)
    rows = list(WebhookDelivery.objects.order_by("id"))
    assert [r.event_type for r in rows] == ["announce", "register"]
    assert webhooks.deliver_due() == {"webhook_delivered": 2}
    assert len(hook.received) == 2
    for request in hook.received:
        document = Webhook(secret).verify(request.body, request.headers)
        assert request.headers["webhook-signature"].startswith("v1,")
        assert document["data"]["applicationNumber"] == app.number
    last = json.loads(hook.received[1].body)
    assert last["type"] == "event.register"
    assert last["data"]["registrationNumber"] == app.registration_number
    assert last["data"]["typeLabel"]["en"]
    assert last["data"]["typeLabel"]["zh-hans"]
    assert last["data"]["url"].endswith(f"/registry/{app.registration_number}")
    assert set(last["data"]) == {
        "id", "type", "typeLabel", "occurredAt", "applicationNumber", "registrationNumber",
        "productName", "productNameEn", "status", "statusLabel", "url",
    }  # fmt: skip
    assert all(r.status == DeliveryStatus.DELIVERED for r in WebhookDelivery.objects.all())
    assert subscription.deliveries.filter(last_status_code=200).count() == 2


def test_a_wrong_secret_or_a_changed_body_is_refused_by_the_reference_verifier(
    personas: Personas, platform: Person, hook: Receiver
) -> None:
    _subscription, secret = service.create_subscription(platform.user, url=hook.url, topic="all")
    at_stage(personas, Status.UNDER_PUBLICITY)
    webhooks.deliver_due()
    (request,) = hook.received
    other = webhooks.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request.body + b" ", request.headers)


def test_registrations_topic_receives_only_changes_to_registrations(
    personas: Personas, platform: Person, hook: Receiver
) -> None:
    service.create_subscription(platform.user, url=hook.url, topic="registrations")
    app = at_stage(personas, Status.REGISTERED)
    lifecycle.cancel(app.pk, actor=personas.applicant.actor, reason="不再使用", at=day(60))
    assert [r.event_type for r in WebhookDelivery.objects.order_by("id")] == [
        "register",
        "cancel",
    ]


def test_nothing_of_an_unpublished_application_is_ever_queued(
    personas: Personas, platform: Person
) -> None:
    service.create_subscription(platform.user, url="https://example.cn/hook", topic="all")
    at_stage(personas, Status.APPROVED)
    assert WebhookDelivery.objects.count() == 0


def test_a_rolled_back_event_writes_no_delivery(personas: Personas, platform: Person) -> None:
    service.create_subscription(platform.user, url="https://example.cn/hook", topic="all")
    app = at_stage(personas, Status.APPROVED)
    written = []

    def announce_then_fail() -> None:
        with transaction.atomic():
            publicity.announce(app.pk, actor=personas.examiner.actor, at=day(6))
            written.append(WebhookDelivery.objects.count())
            raise RuntimeError("the caller's transaction fails after the event")

    with pytest.raises(RuntimeError):
        announce_then_fail()
    assert written == [1], "written in the event's transaction"
    assert WebhookDelivery.objects.count() == 0
    app.refresh_from_db()
    assert app.status == Status.APPROVED


def test_a_failed_delivery_is_retried_with_a_doubling_backoff_and_the_same_webhook_id(
    personas: Personas, platform: Person, hook: Receiver, settings: Any
) -> None:
    settings.DATAIP_WEBHOOK_RETRY_SECONDS = 30
    _subscription, secret = service.create_subscription(platform.user, url=hook.url, topic="all")
    at_stage(personas, Status.UNDER_PUBLICITY)
    hook.answers = [500, 503]
    now = clock.now()
    assert webhooks.deliver_due(now) == {"webhook_retried": 1}
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.next_attempt_at == now + timedelta(seconds=30)
    assert webhooks.deliver_due(now + timedelta(seconds=29)) == {}, "not due yet"
    later = now + timedelta(seconds=30)
    assert webhooks.deliver_due(later) == {"webhook_retried": 1}
    row.refresh_from_db()
    assert row.next_attempt_at == later + timedelta(seconds=60), "the wait doubled"
    assert row.last_error == "HTTP 503"
    assert webhook_outbox(later + timedelta(seconds=60)) == {"webhook_delivered": 1}, "tick too"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 3, 200)
    assert len(set(hook.ids())) == 1
    assert len(hook.received) == 3
    for request in hook.received:
        Webhook(secret).verify(request.body, request.headers)


def test_a_refused_connection_is_retried_and_the_last_attempt_fails_the_delivery(
    personas: Personas, platform: Person, settings: Any
) -> None:
    settings.DATAIP_WEBHOOK_MAX_ATTEMPTS = 2
    with receiver() as gone:
        url = gone.url
    service.create_subscription(platform.user, url=url, topic="all")
    at_stage(personas, Status.UNDER_PUBLICITY)
    now = clock.now()
    assert webhooks.deliver_due(now) == {"webhook_retried": 1}
    row = WebhookDelivery.objects.get()
    assert row.last_status_code is None
    assert row.last_error
    assert webhooks.deliver_due(now + timedelta(hours=1)) == {"webhook_failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 2)
    assert webhooks.deliver_due(now + timedelta(days=1)) == {}


def test_a_paused_subscription_gets_no_new_deliveries_and_keeps_the_waiting_ones(
    personas: Personas, platform: Person, hook: Receiver
) -> None:
    subscription, _ = service.create_subscription(platform.user, url=hook.url, topic="all")
    app = at_stage(personas, Status.UNDER_PUBLICITY)
    service.update_subscription(platform.user, subscription.pk, active=False)
    publicity.register(app.pk, actor=personas.registrar.actor, at=day(30))
    assert WebhookDelivery.objects.count() == 1, "none for the paused subscription"
    assert webhooks.deliver_due() == {"webhook_paused": 1}
    assert hook.received == []
    service.update_subscription(platform.user, subscription.pk, active=True)
    assert webhooks.deliver_due(clock.now() + timedelta(hours=1)) == {"webhook_delivered": 1}


def test_a_ping_is_signed_and_a_rotated_secret_signs_the_next(
    platform: Person, hook: Receiver
) -> None:
    subscription, first = service.create_subscription(
        platform.user, url=hook.url, topic="registrations"
    )
    service.send_ping(platform.user, subscription.pk)
    webhooks.deliver_due()
    _, second = service.rotate_secret(platform.user, subscription.pk)
    assert second != first
    service.send_ping(platform.user, subscription.pk)
    webhooks.deliver_due()
    one, two = hook.received
    assert Webhook(first).verify(one.body, one.headers)["type"] == "ping"
    Webhook(second).verify(two.body, two.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(two.body, two.headers)


@pytest.mark.parametrize(
    "url", ["ftp://example.cn/x", "file:///etc/passwd", "javascript:alert(1)", "example.cn", ""]
)
def test_only_http_and_https_addresses_are_accepted(platform: Person, url: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        service.create_subscription(platform.user, url=url, topic="all")
    assert "url" in refused.value.errors


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/h", "http://10.0.0.7/h", "http://[::1]/h", "http://169.254.169.254/"],
)
def test_loopback_and_private_addresses_are_refused_by_default(
    platform: Person, settings: Any, url: str
) -> None:
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = False
    with pytest.raises(ValidationFailed) as refused:
        service.create_subscription(platform.user, url=url, topic="all")
    assert "url" in refused.value.errors


def test_a_name_that_resolves_to_loopback_is_not_called_and_redirects_are_not_followed(
    personas: Personas, platform: Person, hook: Receiver, settings: Any
) -> None:
    port = hook.url.split(":")[2].split("/")[0]
    service.create_subscription(platform.user, url=f"http://localhost:{port}/h", topic="all")
    at_stage(personas, Status.UNDER_PUBLICITY)
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = False
    assert webhooks.deliver_due() == {"webhook_retried": 1}
    assert hook.received == []
    assert "address not allowed" in WebhookDelivery.objects.get().last_error
    settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES = True
    hook.answers = [302]
    assert webhooks.deliver_due(clock.now() + timedelta(hours=1)) == {"webhook_retried": 1}
    assert len(hook.received) == 1
    assert WebhookDelivery.objects.get().last_status_code == 302


def test_only_administrators_of_verified_organisations_manage_webhooks(
    personas: Personas, platform: Person
) -> None:
    member = make_person("platform_member", platform.holder)
    member.user.org_role = "member"
    member.user.save()
    with pytest.raises(PermissionDenied):
        service.create_subscription(member.user, url="https://example.cn/h", topic="all")
    with pytest.raises(PermissionDenied):
        service.create_subscription(personas.objector.user, url="https://e.cn/h", topic="all")
    Holder.objects.filter(pk=platform.holder.pk).update(verification=Verification.PENDING)
    with pytest.raises(PermissionDenied):
        service.create_subscription(platform.user, url="https://example.cn/h", topic="all")
    Holder.objects.filter(pk=platform.holder.pk).update(verification=Verification.VERIFIED)
    theirs, _ = service.create_subscription(platform.user, url="https://e.cn/h", topic="all")
    with pytest.raises(NotFound):
        service.rotate_secret(personas.applicant.user, theirs.pk)
    with pytest.raises(NotFound):
        service.delete_subscription(personas.applicant.user, theirs.pk)


# ── the worker killed mid-delivery (a separate database file and real processes) ─────────

SETUP = """
from dataip.registry.models import Holder, WebhookSubscription
from dataip.registry import webhooks
holder = Holder.objects.create(kind="legal_person", name="P", identifier="91310000000000999X",
                               province_code="31", org_type="platform")
subscription = WebhookSubscription.objects.create(holder=holder, url="{url}", topic="all",
    secret="{secret}", created_at=__import__("django.utils.timezone").utils.timezone.now())
webhooks.queue_ping(subscription)
"""
KICK = "from dataip.registry import webhooks; webhooks.hand_over()"


def _dataip(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("dataip")), *args]
    return subprocess.run(  # noqa: S603 - our own command
        command, env=env, capture_output=True, text=True, check=True, timeout=300
    )


@pytest.mark.slow
def test_a_worker_killed_mid_delivery_loses_nothing_and_the_next_worker_delivers(
    tmp_path: Path, hook: Receiver
) -> None:
    env = {
        **os.environ,
        "DATAIP_DATA_DIR": str(tmp_path),
        "DATAIP_WEBHOOK_LEASE_SECONDS": "1",
        "DATAIP_WEBHOOK_TIMEOUT_SECONDS": "60",
        "DATAIP_WORKER_INTERVAL": "0.2",
        "DATAIP_WEBHOOK_PRIVATE_ADDRESSES": "1",
    }
    env.pop("DATAIP_DATABASE_URL", None)
    secret = webhooks.new_secret()
    _dataip(env, "manage", "migrate", "-v0")
    _dataip(env, "manage", "shell", "-c", SETUP.format(url=hook.url, secret=secret))
    held = hook.hold = threading.Event()
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).with_name("dataip")), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert hook.arrived.wait(120), "the worker sent the delivery"
        os.killpg(worker.pid, signal.SIGKILL)  # while the receiver holds the request open
        worker.wait(30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    hook.hold = None
    held.set()
    for _attempt in range(30):  # the dead worker's claim lapses after its one-second lease
        _dataip(env, "manage", "shell", "-c", KICK)
        _dataip(env, "worker", "--batch")
        if len(hook.received) >= 2:
            break
    assert len(hook.received) >= 2, "a new worker delivered it again"
    assert len(set(hook.ids())) == 1, "the same webhook-id on every attempt"
    for request in hook.received:
        Webhook(secret).verify(request.body, request.headers)
