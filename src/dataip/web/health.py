"""Probes of an app server (健康检查): ``/healthz``, ``/readyz`` and ``/metrics``.

* ``/healthz`` — the process is alive and answers: 200, touching nothing else (a load balancer
  or an orchestrator restarts the server when it stops answering).
* ``/readyz`` — the server can do its work: the database, the cache, the file storage and the
  task queue answer. 200 with a JSON object of each check; 503 naming the checks that failed
  (their error class only: the message, which may name hosts, goes to the log with the
  request id). A load balancer sends no traffic to a server that is not ready.
* ``/metrics`` — Prometheus's scrape (:mod:`dataip.web.metrics`), for allowed clients only;
  anyone else gets 404, as for a page that does not exist.

:class:`ProbesMiddleware` answers these three paths near the start of the chain, before the
host name check, the redirect to https, sessions and languages: probes and scrapers address
each app server by its own address and over plain http, and need none of them.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponseNotFound, JsonResponse
from django.http.response import HttpResponseBase

from dataip.web import metrics

logger = logging.getLogger("dataip.health")


@dataclass
class Outcome:
    """What one readiness check found."""

    ok: bool
    ms: float
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The check as shown by ``/readyz``."""
        return {"ok": self.ok, "ms": round(self.ms, 1), **self.details}


def check_database() -> dict[str, Any]:
    """One round trip to the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    """Write, read back and delete a key in the cache (Redis when ``DATAIP_CACHE_URL``)."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ready", timeout=30)
    try:
        if cache.get(key) != "ready":
            raise LookupError("the cache did not return what was just written to it")
    finally:
        cache.delete(key)
    return {}


def check_storage() -> dict[str, Any]:
    """Write and delete a small file through the default storage (materials, certificates)."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.probe", ContentFile(b"ready"))
    default_storage.delete(name)
    return {}


def check_queue() -> dict[str, Any]:
    """Read the task queue's table: how many tasks wait, and for how long the oldest has."""
    state = metrics.queue_state()
    return {"waiting": state.waiting, "oldest_waiting_seconds": round(state.oldest_seconds, 1)}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "queue": check_queue,
}


def run_check(name: str, check: Callable[[], dict[str, Any]]) -> Outcome:
    """Run one check; any exception makes it fail, named by its class, logged in full."""
    started = time.perf_counter()
    try:
        details = check()
    except Exception as exc:  # a probe reports every failure, whatever its kind
        logger.warning("readyz: %s failed: %s: %s", name, type(exc).__name__, exc)
        elapsed = (time.perf_counter() - started) * 1000
        return Outcome(False, elapsed, {"error": type(exc).__name__})
    return Outcome(True, (time.perf_counter() - started) * 1000, details)


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every check; whether all passed, and the report ``/readyz`` shows."""
    outcomes = {name: run_check(name, check) for name, check in CHECKS.items()}
    failed = [name for name, outcome in outcomes.items() if not outcome.ok]
    report: dict[str, Any] = {
        "status": "ready" if not failed else "not ready",
        "checks": {name: outcome.as_json() for name, outcome in outcomes.items()},
    }
    if failed:
        report["failed"] = failed
    return not failed, report


def healthz(request: HttpRequest) -> HttpResponseBase:
    """Alive: 200 without touching the database."""
    return JsonResponse({"status": "alive"})


def readyz(request: HttpRequest) -> HttpResponseBase:
    """Ready: 200 when every check passed, 503 otherwise; the report either way."""
    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)


def metrics_view(request: HttpRequest) -> HttpResponseBase:
    """The metrics for an allowed scraper; 404 for anyone else."""
    if not metrics.allowed(request):
        return HttpResponseNotFound(b"Not Found", content_type="text/plain")
    return metrics.metrics_response()


PROBES: dict[str, tuple[str, Callable[[HttpRequest], HttpResponseBase]]] = {
    "/healthz": ("healthz", healthz),
    "/readyz": ("readyz", readyz),
    "/metrics": ("metrics", metrics_view),
}


class ProbesMiddleware:
    """Answer ``GET``/``HEAD`` of the probe paths before the rest of the chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        name, view = probe
        request.probe = name  # type: ignore[attr-defined]  # the metrics' view label
        response = view(request)
        response["Cache-Control"] = "no-store"
        return response
