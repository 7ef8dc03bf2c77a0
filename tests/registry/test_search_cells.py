"""The search's facet cells: kept in step with the index by every transition, read by the
facet counts without words and the public statistics, checked by the audit, rebuilt with
the statistics (``dataip rebuild-statistics``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from typer.testing import CliRunner

from dataip.cli import app as cli
from dataip.ledger.audit import AuditReport, Finding
from dataip.registry import clock, search_index
from dataip.registry.models import SearchEntry, SearchFacetCell
from dataip.registry.queries import search, statistics
from dataip.registry.services import publicity
from dataip.registry.workflow import Status
from dataip.upkeep.audit import StatisticsFinding, run_audit, search_cell_findings
from tests.ledger._support import committed
from tests.support.builders import at_stage, day
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _cell_of(application_id: int) -> tuple[Any, ...]:
    return tuple(
        SearchEntry.objects.filter(application_id=application_id).values_list(*search.FACETS).get()
    )


def test_the_cells_follow_announcement_registration_and_refusal(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not SearchFacetCell.objects.exists()
    registered = at_stage(personas, Status.REGISTERED)
    cell = _cell_of(registered.pk)
    assert cell[3] == Status.REGISTERED
    assert search_index.stored_cells() == {cell: 1}
    # An announced application: its own cell, until an upheld objection takes it out.
    monkeypatch.setattr(clock, "now", lambda: day(8))
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    announced_cell = _cell_of(announced.pk)
    assert announced_cell[3] == Status.UNDER_PUBLICITY
    assert search_index.stored_cells() == {cell: 1, announced_cell: 1}
    objection = publicity.file_objection(
        announced.pk,
        actor=personas.objector.actor,
        user=personas.objector.user,
        ground="ownership_dispute",
        statement="属于我方",
        at=day(8),
    )
    publicity.uphold_objection(
        objection.pk, actor=personas.examiner.actor, reason="成立", at=day(9)
    )
    assert search_index.stored_cells() == {cell: 1}
    assert SearchFacetCell.objects.get(status=Status.UNDER_PUBLICITY).entries == 0
    assert search_index.stored_cells() == search_index.counted_cells()


def test_counts_without_words_are_the_cells(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    kind, industry, province, status, _ = _cell_of(app.pk)
    results = search.search(search.Query())
    assert results.total == 1
    assert results.facets["province_code"] == [(province, 1)]
    assert statistics.public_counts_by("kind") == [(kind, 1)]
    # The counts come from the cell, not from the rows: a cell out of step shows (and the
    # audit names it, below).
    SearchFacetCell.objects.filter(entries__gt=0).update(entries=3)
    search_index.bump_generation()
    results = search.search(search.Query(filters={"industry_code": industry}))
    assert results.total == 3
    assert results.facets["status"] == [(status, 3)]
    assert statistics.public_counts_by("industry_code") == [(industry, 3)]
    other = "01" if industry != "01" else "02"
    assert search.search(search.Query(filters={"industry_code": other})).total == 0


def test_a_generation_lost_by_the_cache_is_never_used_again(personas: Personas) -> None:
    at_stage(personas, Status.REGISTERED)
    first = search.search(search.Query(text="数据"))
    used = search_index.generation()
    search_index.bump_generation()
    assert search_index.generation() == used + 1
    # The cache loses the generation but keeps the searches: the new generation is none of
    # the old ones, so those searches are not read again.
    cache.delete(search_index.GENERATION_KEY)
    assert search_index.generation() > used + 1
    assert search.search(search.Query(text="数据")).total == first.total


def test_words_counted_from_the_word_index_first(personas: Personas) -> None:
    first = at_stage(personas, Status.REGISTERED)
    second = at_stage(personas, Status.REGISTERED)
    assert first.pk != second.pk
    # Both hold the words of "交通出行": at a limit of one, one of them is counted.
    query = search.Query(text="交通 出行")
    assert sum(n for _, n in search.facet_counts(query, search.matching(query))["status"]) == 2
    capped = search.facet_counts(query, search.matching(query), limit=1)
    assert sum(n for _, n in capped["status"]) == 1
    # A part of a word is no word of the index: found by substring all the same.
    partial = search.Query(text="通出")
    assert search.search(partial).total == 2
    found = search.facet_counts(partial, search.matching(partial), limit=1)
    assert sum(n for _, n in found["status"]) == 1


def _findings() -> list[Finding]:
    results = list(run_audit())
    report = results.pop()
    assert isinstance(report, AuditReport)
    return [f for f in results if isinstance(f, Finding)]


def test_the_audit_names_a_cell_out_of_step_and_the_rebuild_mends_it(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    with committed(django_capture_on_commit_callbacks):
        app = at_stage(personas, Status.REGISTERED)
    assert _findings() == []
    SearchFacetCell.objects.filter(entries__gt=0).update(entries=7)
    [finding] = _findings()
    assert isinstance(finding, StatisticsFinding)
    assert finding.code == "search_cell"
    values = " ".join(str(v) for v in _cell_of(app.pk))
    assert finding.message("en").startswith(f"search facet cell {values}: stored 7 entries")
    assert "the index holds 1" in finding.message("en")
    assert "检索分面计数单元" in finding.message("zh")
    result = CliRunner().invoke(cli, ["rebuild-statistics"])
    assert result.exit_code == 0, result.output
    assert "Search facet cells rebuilt: 1 cells." in result.output
    assert list(search_cell_findings()) == []
    assert SearchFacetCell.objects.get().entries == 1


def test_the_rebuilt_index_counts_its_cells_once(personas: Personas) -> None:
    at_stage(personas, Status.REGISTERED)
    at_stage(personas, Status.REGISTERED)
    SearchFacetCell.objects.all().delete()
    assert search_index.rebuild_index() == 2
    assert search_index.stored_cells() == search_index.counted_cells()
    assert sum(search_index.stored_cells().values()) == 2


def test_the_migration_counts_the_entries_already_indexed(personas: Personas) -> None:
    at_stage(personas, Status.REGISTERED)
    at_stage(personas, Status.REGISTERED)
    SearchFacetCell.objects.all().delete()
    migration = importlib.import_module("dataip.registry.migrations.0024_search_facet_cells")
    migration.count_cells(apps, None)
    assert search_index.stored_cells() == search_index.counted_cells()
    assert sum(search_index.stored_cells().values()) == 2
