"""The full audit's replay of derived rows, vs the ledger-and-events audit of the same log.

Registrations with post-registration records (trades, revenue, licences, pledges, valuations)
are made through the services; the replay (:mod:`dataip.upkeep.replay`) is timed against the
audit of the log and its events (:mod:`dataip.ledger.audit` with the registry's
``EventChecker``) over the same rows in the same run, at two sizes, so linearity shows as a
steady per-event time.
"""

from __future__ import annotations

import os
import time


def run() -> list[str]:
    """Build the rows, audit them at two sizes, return the figures."""
    from bench._db import fresh_database

    fresh_database()
    from bench.bench_rights import _event, _registrations
    from dataip.registry.models import Event

    count = max(100, int(20_000 * float(os.environ.get("DATAIP_BENCH_SCALE", "1"))))
    registrations, holder, bank = _registrations(max(10, count // 200))
    lines = []
    done = 0
    for size in (count // 2, count):
        for n in range(done, size):
            _event(n, registrations[n % len(registrations)], holder, bank)
        done = size
        events = Event.objects.count()
        replay, found = _time_replay()
        ledger = _time_ledger()
        lines += [
            f"{events:,} events: replay {events / replay:,.0f} events/s vs ledger-and-events "
            f"audit {events / ledger:,.0f} events/s; replay time / audit time = "
            f"{replay / ledger:.2f} ({found} findings)",
        ]
    return lines


def _time_replay() -> tuple[float, int]:
    from dataip.upkeep.replay import Replay

    started = time.perf_counter()
    found = sum(1 for _ in Replay().run())
    return time.perf_counter() - started, found


def _time_ledger() -> float:
    from dataip.ledger.audit import run_audit
    from dataip.upkeep.audit import EventChecker

    started = time.perf_counter()
    for _ in run_audit(records=EventChecker()):
        pass
    return time.perf_counter() - started
