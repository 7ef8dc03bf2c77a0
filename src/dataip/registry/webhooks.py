"""Delivering the public events to webhook subscribers (变更推送): the outbox and its sender.

**Written with the event.** :func:`queue_event` runs in the transaction of a transition
(:func:`dataip.registry.services.transition.transition`, beside the notices): for a public event
of an application that is public (:mod:`dataip.registry.queries.feed`) it writes one
:class:`~dataip.registry.models.WebhookDelivery` per active subscription that wants it, with
the event's public document as the body. A rollback writes none; once committed, none is lost.

**Sent like the notices' mail** (:mod:`dataip.registry.mail`): :func:`hand_over` queues the
django-tasks task :func:`deliver_webhooks` in the same transaction (:mod:`dataip.jobs`); after
the commit the worker (``dataip
worker``, or the thread of ``dataip serve``) runs it, and ``dataip tick`` runs
:func:`deliver_due` too, so a crash between the commit and the enqueue only delays a delivery.
:func:`deliver_due` claims due rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite a conditional update sets a claim token and a lease), POSTs each body and marks it
delivered on a 2xx answer. Anything else (another status, a refused connection, a timeout)
records the status or error and waits, doubling, before the next attempt; after
``DATAIP_WEBHOOK_MAX_ATTEMPTS`` the delivery is failed. A claim whose worker died lapses with
its lease and another worker sends the delivery again.

**Standard Webhooks.** Each request carries ``webhook-id`` (the delivery's message id, the same
on every attempt: the receiver's idempotency key, since a delivery may arrive more than once),
``webhook-timestamp`` (seconds, the time of this attempt) and ``webhook-signature`` (``v1,`` and
the base64 HMAC-SHA256 of ``id.timestamp.body`` under the subscription's ``whsec_`` secret),
signed with the ``standardwebhooks`` library.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django_tasks import task
from standardwebhooks import Webhook

from dataip import jobs
from dataip.registry import clock
from dataip.registry.models import (
    Application,
    DeliveryStatus,
    Event,
    WebhookDelivery,
    WebhookSubscription,
    WebhookTopic,
)
from dataip.registry.queries import feed

logger = logging.getLogger("dataip.webhooks")

BATCH = 50
"""The most deliveries one pass claims."""
MAX_BACKOFF = timedelta(hours=6)
USER_AGENT = "dataip-webhooks/1"


def new_secret() -> str:
    """A fresh subscription secret in Standard Webhooks form: ``whsec_`` + base64 of 32 bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """A fresh ``webhook-id``."""
    return "msg_" + secrets.token_hex(16)


def encode(document: dict[str, Any]) -> str:
    """A body as sent: compact JSON, keys in a fixed order, UTF-8 kept."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# ── the outbox, written in the event's transaction ──────────────────────────────────────


def queue_event(application: Application, event: Event) -> int:
    """Write a delivery of ``event`` to every active subscription that wants it, in the
    caller's transaction (the event's); return how many. Nothing for an event that is not in
    the public feed (not public, or of an application that is not public)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_event must run inside the transaction of the event")
    event.application = application
    if not feed.is_public(event):
        return 0
    topics = [WebhookTopic.ALL.value]
    if event.action in feed.REGISTRATION_ACTIONS:
        topics.append(WebhookTopic.REGISTRATIONS.value)
    wanted = list(
        WebhookSubscription.objects.filter(active=True, topic__in=topics).values_list(
            "pk", flat=True
        )
    )
    if not wanted:
        return 0
    body = encode({"type": f"event.{event.action}", "data": feed.document(event)})
    at = clock.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription_id=pk,
            event=event,
            message_id=new_message_id(),
            event_type=event.action,
            body=body,
            created_at=at,
            next_attempt_at=at,
        )
        for pk in wanted
    )
    hand_over()
    return len(wanted)


def queue_ping(subscription: WebhookSubscription) -> WebhookDelivery:
    """Write a test delivery (type ``ping``) to one subscription and hand it to the worker."""
    at = clock.now()
    body = encode(
        {"type": "ping", "data": {"subscription": subscription.pk, "sentAt": at.isoformat()}}
    )
    with transaction.atomic():
        row = WebhookDelivery.objects.create(
            subscription=subscription,
            message_id=new_message_id(),
            event_type="ping",
            body=body,
            created_at=at,
            next_attempt_at=at,
        )
        hand_over()
    return row


# ── the sender ──────────────────────────────────────────────────────────────────────────


@task()
def deliver_webhooks() -> dict[str, int]:
    """The worker's task: send every webhook delivery that is due."""
    return dict(deliver_due())


def hand_over() -> None:
    """Ask the worker to send the new deliveries: queued once in the transaction that wrote
    them, run after its commit."""
    jobs.enqueue(deliver_webhooks)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: doubling, from the configured first
    wait, up to six hours."""
    first = timedelta(seconds=int(settings.DATAIP_WEBHOOK_RETRY_SECONDS))
    wait: timedelta = first * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_BACKOFF)


def _claim(now: datetime, limit: int) -> tuple[str, list[WebhookDelivery]]:
    """Claim up to ``limit`` due deliveries for this pass; return the claim token and rows."""
    token = secrets.token_hex(16)
    lease = now + timedelta(seconds=settings.DATAIP_WEBHOOK_LEASE_SECONDS)
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            picked = due.select_for_update(skip_locked=True).order_by("id")[:limit]
            ids = list(picked.values_list("pk", flat=True))
        else:
            ids = list(due.order_by("id").values_list("pk", flat=True)[:limit])
        # The conditions again: on SQLite another worker may have claimed a row since.
        due.filter(pk__in=ids).update(claim_token=token, claimed_until=lease)
    rows = WebhookDelivery.objects.filter(claim_token=token).select_related("subscription")
    return token, list(rows.order_by("id"))


def deliver_due(now: datetime | None = None, limit: int = BATCH) -> Counter[str]:
    """Send the webhook deliveries due at ``now``; return counts (delivered, retried, failed,
    skipped)."""
    now = now or clock.now()
    token, rows = _claim(now, limit)
    done: Counter[str] = Counter()
    for row in rows:
        done[_deliver(row, token, now)] += 1
    return done


def signed_headers(secret: str, message_id: str, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (timestamped now, by the wall clock, as
    receivers check it against theirs)."""
    sent = datetime.now(UTC).replace(microsecond=0)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent, body),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed (a 3xx is an answer like any other non-2xx): a receiver
    cannot send the registry's request on to another address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public one (not loopback, private, link-local, reserved)."""
    return ipaddress.ip_address(address.split("%", 1)[0]).is_global


def refused_address(url: str) -> str:
    """Why ``url`` may not be called ('' if it may): unless
    ``DATAIP_WEBHOOK_PRIVATE_ADDRESSES``, every address its host resolves to must be public.
    (The connection resolves the name again; a name that changes its answer in between is
    the one gap left, as with any sender that does not pin the address.)"""
    if settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES:
        return ""
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        return f"{type(error).__name__}: {error}"
    for *_rest, sockaddr in found:
        if not is_public_address(str(sockaddr[0])):
            return f"address not allowed: {sockaddr[0]}"
    return ""


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST once; return the HTTP status (None without an answer) and an error ('' if 2xx)."""
    refused = refused_address(url)
    if refused:
        return None, refused
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked on subscription
    try:
        with _opener.open(request, timeout=settings.DATAIP_WEBHOOK_TIMEOUT_SECONDS) as answer:
            answer.read(4096)
            code = int(answer.status)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection; left open, it leaks the socket
        return int(error.code), f"HTTP {error.code}"
    except Exception as error:  # refused, reset, timed out, bad address: try again later
        return None, f"{type(error).__name__}: {error}"[:2000]
    return code, "" if 200 <= code < 300 else f"HTTP {code}"


def _deliver(row: WebhookDelivery, token: str, now: datetime) -> str:
    mine = WebhookDelivery.objects.filter(pk=row.pk, claim_token=token)
    subscription = row.subscription
    if not subscription.active and row.event_type != "ping":
        # Paused: keep the delivery waiting, untried, until the subscription is active again.
        mine.update(next_attempt_at=now + backoff(1), claim_token="", claimed_until=None)
        return "webhook_paused"
    body = row.body.encode()
    code, error = post(
        subscription.url, body, signed_headers(subscription.secret, row.message_id, body)
    )
    attempts = row.attempts + 1
    if not error:
        mine.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=clock.now(),
            attempts=F("attempts") + 1,
            last_status_code=code,
            last_error="",
            claim_token="",
            claimed_until=None,
        )
        return "webhook_delivered"
    final = attempts >= settings.DATAIP_WEBHOOK_MAX_ATTEMPTS
    mine.update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        attempts=F("attempts") + 1,
        last_status_code=code,
        last_error=error,
        next_attempt_at=now + backoff(attempts),
        claim_token="",
        claimed_until=None,
    )
    logger.warning(
        "webhook %s to %s failed (attempt %s): %s",
        row.message_id,
        subscription.url,
        attempts,
        error,
    )
    return "webhook_failed" if final else "webhook_retried"
