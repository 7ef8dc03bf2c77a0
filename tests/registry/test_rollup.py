"""The statistics cells: kept in step by the transitions (same transaction), equal to their
recomputation from the source rows, rebuilt by ``dataip rebuild-statistics``, checked by the
audit; and the bulletin summed from them equals the bulletin scanned from the rows, for whole
and partial months, open ends and provinces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from typer.testing import CliRunner

from dataip.accounts.models import User
from dataip.cli import app as cli
from dataip.errors import DomainError
from dataip.registry import rollup
from dataip.registry.actors import actor_for
from dataip.registry.models import ApplicationHolder, Pledge, StatisticsCell
from dataip.registry.models.statistics import NO_PRIOR
from dataip.registry.queries.bulletin import Amount, Scope, bulletin, bulletin_from_rows
from dataip.registry.services import licensing, pledges
from dataip.registry.workflow import Actor
from dataip.upkeep.audit import statistics_findings
from tests.support.builders import day
from tests.support.bulletin import Registry, build_registry
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas: Personas) -> Registry:
    built = build_registry(personas)
    holder = personas.applicant.actor
    # More records of one product: later the same month, the same day, the next month.
    for app, traded_on, amount, at in (
        (built.a1, "2026-06-15", "40000", 106),
        (built.a2, "2026-06-01", "60000", 107),
        (built.a1, "2026-07-03", "70000", 125),
    ):
        licensing.record_trade(
            app.pk,
            actor=holder,
            exchange="上海数据交易所",
            contract_reference=f"T-{app.pk}-{traded_on}",
            traded_on=traded_on,
            amount=amount,
            at=day(at),
        )
    # The pledge proposed by the bank, confirmed by the holder: it now stands.
    proposed = Pledge.objects.get(application=built.a2, status="proposed")
    pledges.confirm_pledge(proposed.pk, actor=holder, at=day(126))
    return built


SCOPES = [
    Scope(),
    Scope(date(2026, 6, 1), date(2026, 6, 30)),
    Scope(date(2026, 6, 2), date(2026, 6, 30)),
    Scope(date(2026, 6, 1), date(2026, 6, 1)),
    Scope(date(2026, 6, 10), date(2026, 7, 5)),
    Scope(date(2026, 6, 15), date(2026, 7, 31)),
    Scope(date(2026, 5, 31), None),
    Scope(None, date(2026, 6, 14)),
    Scope(date(2026, 4, 2), date(2026, 5, 31)),
    Scope(date(2026, 3, 1), date(2026, 3, 31)),
    Scope(date(2026, 3, 3), date(2026, 4, 1)),
    Scope(date(2025, 12, 15), date(2027, 2, 10)),
]


@pytest.mark.parametrize("province", ["", "31", "11", "44", "65"])
def test_the_cells_give_the_figures_of_the_rows(registry: Registry, province: str) -> None:
    for scope in SCOPES:
        scope = Scope(scope.start, scope.end, province)
        for confidential in (False, True):
            assert bulletin(scope, confidential=confidential) == bulletin_from_rows(
                scope, confidential=confidential
            ), scope


def test_repeated_records_count_their_product_once(registry: Registry) -> None:
    june = bulletin(Scope(date(2026, 6, 1), date(2026, 7, 31)), confidential=True)
    assert june.trades == Amount(Decimal("1170000.00"), 6, 3)
    later = bulletin(Scope(date(2026, 6, 2), date(2026, 7, 31)), confidential=True)
    assert later.trades == Amount(Decimal("610000.00"), 3, 2)
    assert bulletin(Scope()).pledges == Amount(Decimal("14000000.00"), 3, 3)


def test_incremental_cells_equal_their_rebuild(registry: Registry) -> None:
    assert StatisticsCell.objects.exists()
    assert rollup.differences() == []
    incremental = rollup.stored()
    assert rollup.rebuild() == len(incremental)
    assert rollup.stored() == incremental


def test_a_rolled_back_action_leaves_the_cells_alone(registry: Registry) -> None:
    before = rollup.stored()

    def trade_then_fail() -> None:
        with transaction.atomic():
            licensing.record_trade(
                registry.a4.pk,
                actor=registry_actor(registry),
                exchange="上海数据交易所",
                contract_reference="T-rolled-back",
                traded_on="2026-06-20",
                amount="90000",
                at=day(110),
            )
            assert rollup.stored() != before
            raise RuntimeError("after the trade, in its transaction")

    with pytest.raises(RuntimeError):
        trade_then_fail()
    assert rollup.stored() == before
    with pytest.raises(DomainError):  # refused: nothing written
        licensing.record_trade(
            registry.a5.pk,
            actor=registry_actor(registry),
            exchange="上海数据交易所",
            contract_reference="T-refused",
            traded_on="2026-06-20",
            amount="90000",
            at=day(110),
        )
    assert rollup.stored() == before


def registry_actor(registry: Registry) -> Actor:
    """The actor of a holder of A4 (the institute)."""
    holder = ApplicationHolder.objects.filter(application=registry.a4).first()
    assert holder is not None
    user = User.objects.filter(holder_id=holder.holder_id).first()
    assert user is not None
    return actor_for(user)


def test_the_audit_names_a_wrong_cell_and_the_rebuild_mends_it(registry: Registry) -> None:
    assert list(statistics_findings()) == []
    cell = StatisticsCell.objects.filter(measure=rollup.REG_KIND, monthly=True).first()
    assert cell is not None
    StatisticsCell.objects.filter(pk=cell.pk).update(records=cell.records + 1)
    found = list(statistics_findings())
    assert [f.code for f in found] == ["statistics_cell"]
    assert "reg.kind" in found[0].message("en")
    assert "统计单元" in found[0].message("zh")
    result = CliRunner().invoke(cli, ["rebuild-statistics"])
    assert result.exit_code == 0, result.output
    assert "Statistics cells rebuilt" in result.output
    assert list(statistics_findings()) == []


def test_contributions_of_other_currencies_and_same_day_records() -> None:
    facts = rollup.Facts(
        (1, None, date(2026, 6, 1), "31", "65", "dataset", "legal_person", "91X"),
        {
            "trade": [
                (date(2026, 6, 3), 7, "USD", Decimal(5)),
                (date(2026, 6, 1), 5, "CNY", Decimal(10)),
                (date(2026, 6, 1), 6, "CNY", Decimal(20)),
            ]
        },
    )
    cells = facts.contributions()
    june = date(2026, 6, 1)
    assert cells[("trade", june, "31", "", NO_PRIOR)] == [1, 1, Decimal(10)]
    assert cells[("trade", june, "31", "", june)] == [1, 1, Decimal(20)]
    assert cells[("trade", date(2026, 6, 3), "31", "", NO_PRIOR)] == [1, 0, Decimal(0)]
    assert cells[(rollup.REG_FILER, june, "31", rollup.ENTERPRISE, NO_PRIOR)] == [1, 0, 0]


def test_the_upgrade_builds_the_cells_once(registry: Registry) -> None:
    built = rollup.stored()
    StatisticsCell.objects.all().delete()  # a registry from before the cells
    assert rollup.rebuild_if_empty() == len(built)
    assert rollup.stored() == built
    assert rollup.rebuild_if_empty() is None
