"""``dataip audit`` compares the statistics cells with their recomputation from the registry
(once the events and rows check out) and names a cell that differs; ``dataip
rebuild-statistics`` mends it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from typer.testing import CliRunner

from dataip.cli import app as cli
from dataip.ledger.audit import AuditReport, Finding
from dataip.registry.models import StatisticsCell
from dataip.registry.workflow import Status
from dataip.upkeep.audit import StatisticsFinding, run_audit
from tests.ledger._support import committed
from tests.support.builders import at_stage
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def registered(personas: Personas, django_capture_on_commit_callbacks: Capture) -> None:
    with committed(django_capture_on_commit_callbacks):
        at_stage(personas, Status.REGISTERED)


def _findings() -> list[Finding]:
    results = list(run_audit())
    report = results.pop()
    assert isinstance(report, AuditReport)
    return [f for f in results if isinstance(f, Finding)]


def test_a_changed_cell_is_named_and_the_rebuild_mends_it(registered: None) -> None:
    assert _findings() == []
    StatisticsCell.objects.filter(measure="accepted", monthly=False).update(records=5)
    [finding] = _findings()
    assert isinstance(finding, StatisticsFinding)
    assert finding.message("en").startswith("statistics cell accepted 2026-03-")
    assert "stored 5/0/0" in finding.message("en")
    assert "recomputed 1/0/0" in finding.message("en")
    result = CliRunner().invoke(cli, ["audit", "--lang", "en"])
    assert result.exit_code == 1
    assert "rebuild-statistics" in result.output
    assert CliRunner().invoke(cli, ["rebuild-statistics"]).exit_code == 0
    assert _findings() == []
    assert CliRunner().invoke(cli, ["audit"]).exit_code == 0


def test_a_deleted_cell_is_named(registered: None) -> None:
    StatisticsCell.objects.filter(measure="reg.kind").delete()
    assert {f.code for f in _findings()} == {"statistics_cell"}
