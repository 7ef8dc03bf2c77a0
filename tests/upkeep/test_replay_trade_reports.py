"""The full audit replays trade reports: a reported licence, a reported transfer confirmed by
every party, and one withdrawn (its transfer cancelled) audit clean; an edited amount is named."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.registry.models import Holder, Trade
from dataip.registry.services import changes
from dataip.registry.services import trade_reports as reports
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Personas, make_holder, make_person, valid_uscc
from tests.upkeep.test_replay import audit

pytestmark = pytest.mark.django_db


def test_trade_reports_audit_clean_and_edits_are_named(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    number = app.registration_number or ""
    holder = make_holder(60, "上海数据交易所")
    Holder.objects.filter(pk=holder.pk).update(org_type="exchange")
    exchange = make_person("exchanger", Holder.objects.get(pk=holder.pk))
    beta = personas.other_applicant
    common: dict[str, Any] = {"actor": exchange.actor, "traded_on": "2026-04-10", "currency": "CNY"}
    licence = reports.report_trade(
        number,
        contract_reference="L-1",
        amount="1000",
        kind="licence",
        buyer_name="丁公司",
        buyer_identifier=valid_uscc(70),
        licence_kind="ordinary",
        starts="2026-05-01",
        ends="2026-12-31",
        at=day(40),
        **common,
    )
    withdrawn = reports.report_trade(
        number,
        contract_reference="T-1",
        amount="2000",
        kind="transfer",
        buyer_name="乙",
        buyer_identifier=beta.holder.identifier,
        at=day(41),
        **common,
    )
    reports.withdraw_trade_report(withdrawn.pk, actor=exchange.actor, at=day(42))
    done = reports.report_trade(
        number,
        contract_reference="T-1",
        amount="2500",
        kind="transfer",
        buyer_name="乙",
        buyer_identifier=beta.holder.identifier,
        at=day(43),
        **common,
    )
    assert done.transfer is not None
    changes.confirm_transfer(done.transfer.pk, actor=personas.applicant.actor, at=day(44))
    changes.confirm_transfer(done.transfer.pk, actor=beta.actor, at=day(45))
    clean = audit()
    assert [f.message("en") for f in clean.findings] == []

    Trade.objects.filter(pk=licence.pk).update(amount="999")
    assert audit().named() == {("registry_trade", licence.pk, "amount")}
