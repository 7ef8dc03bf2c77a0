"""Prometheus metrics (监控指标) of an app server, with prometheus-client.

Counted per request by :class:`RequestMetricsMiddleware`:

* ``dataip_http_requests_total{view, method, status}`` and
* ``dataip_http_request_duration_seconds{view, method}`` (a histogram), where ``view`` is the
  URL pattern's name (``web:home``...), ``<static>`` for a static file, ``<unmatched>`` for a
  path no pattern matches, or the probe's name.

Read from the database at each scrape (:class:`DatabaseCollector`), the same on every app
server: the task queue (depth, age of the oldest waiting task), the log (entries, those not yet
under a checkpoint), the newest checkpoint (size, age), each configured witness's lag (entries
and seconds behind the newest checkpoint) and whether a witness refused the log.

Under gunicorn each worker process counts into files of ``PROMETHEUS_MULTIPROC_DIR``
(prometheus-client's multiprocess mode, set up by ``dataip.config.gunicorn``), and a scrape of
any worker sums them all; without it (``dataip serve``) the process's own counts are served.
``/metrics`` answers only the addresses of ``DATAIP_METRICS_ALLOW`` or a request bearing
``DATAIP_METRICS_TOKEN`` (:func:`allowed`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dataip.ledger import log
from dataip.ledger.models import Checkpoint, WitnessCosignature
from dataip.ledger.witnessing import refusal
from dataip.web.security import client_address

access_log = logging.getLogger("dataip.access")

REQUESTS = Counter(
    "dataip_http_requests",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "dataip_http_request_duration_seconds",
    "Time from the request reaching the middleware to its response, by view and method.",
    ["view", "method"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"
STATIC = "<static>"


def view_label(request: HttpRequest) -> str:
    """The view's name: a bounded set of labels, never the path (ids would multiply them)."""
    probe = getattr(request, "probe", None)
    if isinstance(probe, str):
        return probe
    match = request.resolver_match
    if match is not None and match.view_name:
        return match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return STATIC  # served by WhiteNoise, before any URL pattern
    return UNMATCHED


class RequestMetricsMiddleware:
    """Count and time every request; write the access line (``dataip.access``) when enabled."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        method = request.method if request.method in METHODS else "other"
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view = view_label(request)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view, method).observe(elapsed)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %.1f ms",
                method,
                request.path,
                response.status_code,
                elapsed * 1000,
                extra={
                    "method": method,
                    "path": request.path,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 3),
                },
            )
        return response


@dataclass(frozen=True)
class QueueState:
    """The background tasks waiting to run now (django-tasks' database backend)."""

    waiting: int
    oldest_seconds: float  # how long the oldest of them has been waiting (0: none waits)


def _age(since: datetime | None, now: datetime) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


def queue_state() -> QueueState:
    """Count the tasks ready to run and how long the oldest has been waiting: since it was
    enqueued, or since the time it was to run after (a task put off for later is not late)."""
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    waiting = ready.count()
    if not waiting:
        return QueueState(0, 0.0)
    unscheduled = ready.filter(run_after=get_date_max()).order_by("enqueued_at")
    scheduled = ready.exclude(run_after=get_date_max()).order_by("run_after")
    since = [
        unscheduled.values_list("enqueued_at", flat=True).first(),
        scheduled.values_list("run_after", flat=True).first(),
    ]
    return QueueState(waiting, max(_age(moment, now) for moment in since if moment is not None))


@dataclass(frozen=True)
class WitnessLag:
    """How far one configured witness is behind the newest checkpoint."""

    name: str
    entries: int  # newest checkpoint's size minus the largest size this witness cosigned
    seconds: float  # since the oldest checkpoint it has not cosigned was signed (0: none)


def witness_lags(newest: Checkpoint | None) -> list[WitnessLag]:
    """The lag of each witness of ``DATAIP_WITNESSES`` (as stored: one query or two each)."""
    lags: list[WitnessLag] = []
    now = timezone.now()
    for entry in settings.DATAIP_WITNESSES:
        vkey = entry[0]
        name = vkey.split("+", 1)[0]
        if newest is None:
            lags.append(WitnessLag(name, 0, 0.0))
            continue
        cosigned = (
            WitnessCosignature.objects.filter(witness=vkey)
            .order_by("-checkpoint__size")
            .values_list("checkpoint__size", flat=True)
            .first()
        ) or 0
        behind = max(0, newest.size - cosigned)
        first_missing = (
            Checkpoint.objects.filter(size__gt=cosigned)
            .order_by("size")
            .values_list("created_at", flat=True)
            .first()
        )
        lags.append(WitnessLag(name, behind, _age(first_missing, now) if behind else 0.0))
    return lags


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (the same whichever worker answers)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the gauges; if the database does not answer, only ``dataip_database_up 0``."""
        try:
            gauges = list(self._read())
        except DatabaseError:
            logging.getLogger("dataip.metrics").warning("metrics: database", exc_info=True)
            yield _gauge("dataip_database_up", "Whether the database answered the scrape.", 0)
            return
        yield _gauge("dataip_database_up", "Whether the database answered the scrape.", 1)
        yield from gauges

    def _read(self) -> Iterator[GaugeMetricFamily]:
        queue = queue_state()
        yield _gauge("dataip_task_queue_depth", "Background tasks ready to run now.", queue.waiting)
        yield _gauge(
            "dataip_task_oldest_waiting_seconds",
            "How long the oldest task ready to run has waited (0 when none waits).",
            queue.oldest_seconds,
        )
        entries = log.size()
        newest = Checkpoint.objects.order_by("-size").first()
        yield _gauge("dataip_log_entries", "Entries in the evidence log.", entries)
        signed = 0 if newest is None else newest.size
        yield _gauge(
            "dataip_log_unsigned_entries",
            "Log entries no checkpoint covers yet (tick signs them).",
            max(0, entries - signed),
        )
        yield _gauge("dataip_checkpoint_size", "Size of the newest checkpoint.", signed)
        age = 0.0 if newest is None else _age(newest.created_at, timezone.now())
        yield _gauge(
            "dataip_checkpoint_age_seconds",
            "Seconds since the newest checkpoint was signed (0 when there is none).",
            age,
        )
        lag_entries = GaugeMetricFamily(
            "dataip_witness_lag_entries",
            "Entries the newest checkpoint has beyond what the witness cosigned.",
            labels=["witness"],
        )
        lag_seconds = GaugeMetricFamily(
            "dataip_witness_lag_seconds",
            "Seconds since the oldest checkpoint the witness has not cosigned was signed.",
            labels=["witness"],
        )
        for lag in witness_lags(newest):
            lag_entries.add_metric([lag.name], lag.entries)
            lag_seconds.add_metric([lag.name], lag.seconds)
        yield lag_entries
        yield lag_seconds
        yield _gauge(
            "dataip_log_refused",
            "1 when a configured witness refused the log: no checkpoint is signed until then.",
            0 if refusal() is None else 1,
        )


def exposition() -> bytes:
    """The metrics in Prometheus's text format: the request counts (of every worker under
    gunicorn, of this process otherwise) followed by the database's gauges."""
    gauges = CollectorRegistry()
    gauges.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
    else:
        counted = REGISTRY
    return generate_latest(counted) + generate_latest(gauges)


@lru_cache(maxsize=8)
def _networks(
    allowed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in allowed)


def _address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a Unix socket has no address: only the token lets it in
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.DATAIP_METRICS_ALLOW)))


def allowed(request: HttpRequest) -> bool:
    """Whether the request may read the metrics: it bears ``DATAIP_METRICS_TOKEN`` as a bearer
    token, or comes from an address or network of ``DATAIP_METRICS_ALLOW``."""
    token = str(settings.DATAIP_METRICS_TOKEN)
    offered = request.headers.get("Authorization", "")
    bearer = offered.removeprefix("Bearer ") if offered.startswith("Bearer ") else ""
    if token and bearer and hmac.compare_digest(bearer.encode(), token.encode()):
        return True
    return _address_allowed(client_address(request))


def metrics_response() -> HttpResponse:
    """The scrape's answer."""
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
