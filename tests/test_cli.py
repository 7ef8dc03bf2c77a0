"""The dataip command and the demo registry."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from typer.testing import CliRunner

from dataip.cli import app
from dataip.ledger.models import LogEntry
from dataip.registry.demo import build_demo, registry_is_empty
from dataip.registry.models import (
    Application,
    Event,
    Holder,
    Listing,
    OrganisationClaim,
    Referral,
)
from dataip.registry.services.schedule import tick

runner = CliRunner()


def test_it_explains_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dataip.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "migrate", "demo", "tick", "createadmin"):
        assert command in result.stdout


@pytest.mark.slow
def test_the_demo_builds_a_living_registry_through_the_workflow(db: None) -> None:
    assert registry_is_empty()
    summary = build_demo(applications=120, seed=7, progress=lambda _: None)
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == 120
    for status in (
        "draft",
        "submitted",
        "expert_review",
        "under_publicity",
        "registered",
        "rejected",
        "withdrawn",
    ):
        assert statuses[status] > 0, status
    assert "registered" in summary
    assert Event.objects.count() == LogEntry.objects.count() > 120 * 5
    assert tick() == {}, "the demo leaves nothing due"
    # The registrar's queue of organisations: one pending, one dispute (主体认证)
    assert Holder.objects.filter(verification="pending").count() == 1
    assert OrganisationClaim.objects.filter(status="pending").count() == 1
    # A verified data exchange: two listings and one fast-lane referral (挂牌与快速通道)
    assert Listing.objects.count() == 2
    assert Referral.objects.filter(status="pending").count() == 1
    assert not registry_is_empty()


def test_demo_runs_once(db: None) -> None:
    build_demo(applications=3, seed=1, progress=lambda _: None)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    assert "only once" in result.output
    assert Application.objects.count() == 3


@pytest.mark.django_db
def test_tick_says_when_nothing_was_due() -> None:
    result = runner.invoke(app, ["tick"])
    assert result.exit_code == 0
    assert "Nothing was due" in result.output
