"""Applications for web tests, driven through the real services (tests/support/builders.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from dataip.registry import clock
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.models import Application
from dataip.registry.services import applications as filing
from dataip.registry.services import examination, publicity
from dataip.registry.workflow import SYSTEM, Status
from tests.support.builders import STAGES, _panel_approves, day, draft
from tests.support.personas import Personas

NOW = day(8)
"""The tests' "now": two days into the announcement of an application announced on day 6."""


def advance(p: Personas, app: Application, stage: Status) -> Application:
    """Drive a draft along the main path to ``stage`` (Shanghai regime)."""
    steps: dict[Status, Callable[[], object]] = {
        Status.SUBMITTED: lambda: filing.submit(
            app.pk, declaration=DECLARATION_VERSION, actor=p.applicant.actor, at=day(1)
        ),
        Status.FORMAL_EXAMINATION: lambda: examination.start_formal_examination(
            app.pk, actor=p.examiner.actor, at=day(2)
        ),
        Status.EXPERT_REVIEW: lambda: examination.pass_formal_examination(
            app.pk, actor=p.examiner.actor, at=day(3)
        ),
        Status.APPROVED: lambda: _panel_approves(p, app),
        Status.UNDER_PUBLICITY: lambda: publicity.announce(
            app.pk, actor=p.examiner.actor, at=day(6)
        ),
        Status.REGISTERED: lambda: publicity.register(app.pk, actor=SYSTEM, at=day(30)),
    }
    for status in STAGES[1 : STAGES.index(stage) + 1]:
        steps[status]()
    app.refresh_from_db()
    assert app.status == stage
    return app


def build(p: Personas, stage: Status, **values: Any) -> Application:
    """A complete application filed by ``p.applicant``, driven to ``stage``."""
    return advance(p, draft(p, **values), stage)


def freeze(monkeypatch: pytest.MonkeyPatch, at: datetime = NOW) -> None:
    """Make the registry's clock say ``at``."""
    monkeypatch.setattr(clock, "now", lambda: at)
