"""Webhook deliveries per second to a local receiver, beside bare HTTP POSTs of the same bodies.

The receiver is ``http.server`` on loopback in a thread of this process, answering 200. The
deliveries are outbox rows (one subscription, public-event bodies), sent by
``registry.webhooks.deliver_due``: claim, sign (Standard Webhooks), POST, record. The baseline
POSTs the same bodies with ``urllib`` and no database, signature or bookkeeping, in the same
run, taking turns with the deliveries. No aim: the ratio is the price of the outbox.

``DATAIP_BENCH_SCALE=0.1`` shrinks the number of deliveries for a quick run.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELIVERIES = 1000
ROUNDS = 3


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def _receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _body(index: int) -> str:
    from dataip.registry import webhooks

    document = {
        "id": index,
        "type": "register",
        "typeLabel": {"zh-hans": "予以登记", "en": "registered"},
        "occurredAt": "2026-05-30T02:00:00+00:00",
        "applicationNumber": f"SQ2026310{index:07d}",
        "registrationNumber": f"20260110{index:08d}",
        "productName": "城市交通出行数据集",
        "productNameEn": "Urban mobility data",
        "status": "registered",
        "statusLabel": {"zh-hans": "已登记", "en": "Registered"},
        "url": f"https://registry.example.cn/registry/20260110{index:08d}",
    }
    return webhooks.encode({"type": "event.register", "data": document})


def _deliveries(url: str, bodies: list[str]) -> float:
    """Deliveries per second through the outbox (rows written first, not timed)."""
    from dataip.registry import clock, webhooks
    from dataip.registry.models import Holder, WebhookDelivery, WebhookSubscription

    holder, _ = Holder.objects.get_or_create(
        identifier="91310000BENCHHOOK1",
        defaults={"kind": "legal_person", "name": "Bench platform", "province_code": "31"},
    )
    subscription = WebhookSubscription.objects.create(
        holder=holder, url=url, topic="all", secret=webhooks.new_secret(), created_at=clock.now()
    )
    now = clock.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            message_id=webhooks.new_message_id(),
            event_type="register",
            body=body,
            created_at=now,
            next_attempt_at=now,
        )
        for body in bodies
    )
    started = time.perf_counter()
    sent = 0
    while sent < len(bodies):
        done = webhooks.deliver_due()
        if not done:
            break
        sent += done["webhook_delivered"]
    elapsed = time.perf_counter() - started
    assert sent == len(bodies), sent
    return sent / elapsed


def _bare(url: str, bodies: list[str]) -> float:
    """Plain POSTs of the same bodies per second."""
    started = time.perf_counter()
    for body in bodies:
        request = urllib.request.Request(  # noqa: S310 - loopback http
            url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            answer.read()
    return len(bodies) / (time.perf_counter() - started)


def run() -> list[str]:
    """Measure both in turns; return the best of each."""
    from bench._db import fresh_database

    os.environ.setdefault("DATAIP_WEBHOOK_PRIVATE_ADDRESSES", "1")  # the receiver is loopback
    fresh_database()
    scale = float(os.environ.get("DATAIP_BENCH_SCALE", "1"))
    count = max(50, int(DELIVERIES * scale))
    bodies = [_body(i) for i in range(count)]
    hooks: list[float] = []
    bare: list[float] = []
    with _receiver() as url:
        for _round in range(ROUNDS):
            bare.append(_bare(url, bodies))
            hooks.append(_deliveries(url, bodies))
    best_hooks, best_bare = max(hooks), max(bare)
    return [
        f"webhook deliveries/s ({count} a round, signed, outbox): {best_hooks:.0f} vs bare "
        f"POSTs/s {best_bare:.0f} = {best_hooks / best_bare:.2f}x (no aim: the outbox's price)"
    ]
