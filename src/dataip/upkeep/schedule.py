"""The deployment-wide schedule (全局定时): ``tick`` once a period, whoever runs it.

Every ``dataip serve`` (its ticker thread) and every ``dataip worker`` (its scheduler thread)
runs :func:`schedule_forever`. When a scheduled job falls due, each of them tries to take its
lease (:class:`~dataip.registry.models.ScheduleLease`) with one conditional update::

    UPDATE registry_schedulelease SET due_at = now + period, holder = ..., taken_at = now
     WHERE name = 'tick' AND due_at <= now

with ``now`` the database's own clock (so the machines' clocks need not agree). The update is
atomic on SQLite and PostgreSQL alike: exactly one process changes the row, and that process
runs the job; the others see no row changed and wait for the next period. So any number of
app servers and workers run ``tick`` at most once per period in total. ``tick`` is idempotent,
so a winner that dies half-way only leaves the rest to the next period. ``dataip tick`` (by
hand) runs at once, without the lease.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections
from django.db.models.functions import Now

from dataip.registry.models import ScheduleLease

logger = logging.getLogger("dataip.tick")

T = TypeVar("T")

TICK = "tick"
"""The lease of ``dataip tick``."""
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def holder_name() -> str:
    """This process, as the lease records it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def take_lease(name: str, period: timedelta, holder: str | None = None) -> bool:
    """Take the lease ``name`` if it is due (by the database's clock), moving it one
    ``period`` on; return whether this call won it. Of any number of concurrent callers, one
    wins per period."""
    ScheduleLease.objects.bulk_create(
        [ScheduleLease(name=name, due_at=_EPOCH)], ignore_conflicts=True
    )  # the first call ever creates it, due at once
    won = ScheduleLease.objects.filter(name=name, due_at__lte=Now()).update(
        due_at=Now() + period, holder=(holder or holder_name())[:200], taken_at=Now()
    )
    return bool(won)


def seconds_until_due(name: str) -> float:
    """How long until the lease ``name`` falls due (0 if it is due or does not exist yet)."""
    lease = ScheduleLease.objects.filter(name=name).values_list("due_at", flat=True).first()
    if lease is None:
        return 0.0
    from django.utils import timezone

    return max(0.0, (lease - timezone.now()).total_seconds())


def run_if_due(
    name: str, period: timedelta, job: Callable[[], T], holder: str | None = None
) -> T | None:
    """Run ``job`` if this process wins the lease ``name`` for the current period; return
    what it returned (None when another process has the period)."""
    if not take_lease(name, period, holder):
        return None
    return job()


def tick_period() -> timedelta:
    """How often ``tick`` runs across the deployment (``DATAIP_TICK_SECONDS``)."""
    return timedelta(seconds=settings.DATAIP_TICK_SECONDS)


def tick_if_due(holder: str | None = None) -> Counter[str] | None:
    """Run ``tick`` if it is due and this process wins its lease; return what it did (None
    when it was not this process's turn)."""
    from dataip.upkeep.tick import tick

    return run_if_due(TICK, tick_period(), tick, holder)


def schedule_forever(stop: threading.Event | None = None, *, poll: float | None = None) -> None:
    """Run ``tick`` whenever it is due and this process wins the lease, until ``stop`` is set
    (or the process ends). Between attempts it sleeps until the lease falls due (read, not
    written), at most ``poll`` seconds (default: the period), so a write happens once a period.
    """
    stop = stop or threading.Event()
    longest = poll if poll is not None else float(settings.DATAIP_TICK_SECONDS)
    while not stop.is_set():
        wait = longest
        try:
            done = tick_if_due()
            if done:
                logger.info("tick: %s", dict(done))
            wait = min(longest, seconds_until_due(TICK)) + _jitter()
        except Exception:  # the schedule must survive a bad run; the error is logged
            logger.exception("tick failed")
        finally:
            close_old_connections()
        stop.wait(wait)


def _jitter() -> float:
    """A little randomness, so processes started together do not all wake at once."""
    return (time.monotonic_ns() % 1000) / 1000.0
