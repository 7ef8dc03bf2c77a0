"""``dataip tick``: the registry's transitions, the ledger's catch-up, the certificates due."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dataip.ledger import checkpoints, keys
from dataip.ledger.tiles import tick_step as log_tiles
from dataip.registry.workflow import Status
from dataip.upkeep import tick
from dataip.upkeep.exports import nightly_snapshot
from tests.ledger._support import append_batches
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_it_runs_every_step_in_order_and_adds_up_what_they_did(monkeypatch: Any) -> None:
    calls: list[tuple[str, datetime | None]] = []

    def step(name: str, done: Counter[str]) -> tick.Step:
        def run(at: datetime | None) -> Counter[str]:
            calls.append((name, at))
            return done

        return run

    monkeypatch.setattr(
        tick,
        "STEPS",
        (
            step("registry", Counter({"register": 2})),
            step("ledger", Counter({"checkpoint_timestamped": 0})),
            step("witnesses", Counter({"register": 1, "cosigned": 1})),
        ),
    )
    assert tick.tick(day(3)) == Counter({"register": 3, "cosigned": 1})
    assert calls == [("registry", day(3)), ("ledger", day(3)), ("witnesses", day(3))]


def test_the_registry_goes_first_then_the_ledger_the_witnesses_then_the_certificates() -> None:
    steps = (tick.registry_transitions, tick.ledger_catch_up, tick.witness_round, log_tiles)
    notices = (tick.deadlines_approaching, tick.outbox, tick.webhook_outbox)
    last = (nightly_snapshot, tick.job_queue)
    assert (*steps, tick.due_certificates, *notices, *last) == tick.STEPS


def test_it_says_nothing_when_nothing_was_due() -> None:
    assert tick.tick() == Counter()


def test_it_registers_when_the_announcement_has_ended(personas: Personas, monkeypatch: Any) -> None:
    application = at_stage(personas, Status.UNDER_PUBLICITY)
    monkeypatch.setattr(tick, "STEPS", (tick.registry_transitions,))
    assert tick.tick(day(60)) == Counter({"register": 1})
    application.refresh_from_db()
    assert application.status == Status.REGISTERED


def test_it_signs_entries_left_unsigned_and_drops_a_rotation_that_never_logged(
    key_folder: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the process "stopped" at commit
        append_batches(3)
    old = keys.vkey()
    keys.stage_next_key()
    assert tick.ledger_catch_up(None) == Counter()
    latest = checkpoints.latest()
    assert latest is not None
    assert latest.size == 3
    assert keys.next_key() is None
    assert keys.vkey() == old
