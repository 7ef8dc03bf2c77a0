"""Trade reports by a data exchange: reporting, the transfer it proposes, disputes,
withdrawal, and what the public log keeps of them."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from dataip.accounts.models import Notification
from dataip.errors import (
    Conflict,
    GuardFailed,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from dataip.ledger.models import LogEntry
from dataip.registry.events import digest
from dataip.registry.i18n import render
from dataip.registry.models import (
    Application,
    Event,
    Holder,
    Trade,
    TradeStatus,
    Transfer,
)
from dataip.registry.queries import trade_reports
from dataip.registry.queries.rights import income_statement
from dataip.registry.services import changes, licensing
from dataip.registry.services import trade_reports as reports
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc


def exchange_member(index: int, username: str, *, verified: bool = True) -> Person:
    holder = make_holder(index, f"上海数据交易所 {index}")
    Holder.objects.filter(pk=holder.pk).update(
        org_type="exchange", verification="verified" if verified else "pending"
    )
    return make_person(username, Holder.objects.get(pk=holder.pk))


@pytest.fixture
def exchange(personas: Personas) -> Person:
    return exchange_member(60, "exchanger")


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def licence_report(app: Application, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "contract_reference": "SDE-2026-0001",
        "traded_on": "2026-04-10",
        "amount": "880000.00",
        "currency": "CNY",
        "kind": "licence",
        "buyer_name": "丁科技有限公司",
        "buyer_identifier": valid_uscc(70),
        "licence_kind": "ordinary",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
    }
    values.update(overrides)
    return values


def transfer_report(personas: Personas, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "contract_reference": "SDE-2026-0002",
        "traded_on": "2026-04-11",
        "amount": "5000000",
        "kind": "transfer",
        "buyer_name": "乙数据科技有限公司",
        "buyer_identifier": personas.other_applicant.holder.identifier,
    }
    values.update(overrides)
    return values


def events(app: Application, action: str) -> int:
    return Event.objects.filter(application=app, action=action).count()


def test_an_exchange_reports_a_licence_and_the_holder_is_told(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    number = registered.registration_number or ""
    trade = reports.report_trade(
        number, actor=exchange.actor, at=day(40), **licence_report(registered)
    )
    assert trade.status == TradeStatus.REPORTED
    assert trade.reported_by_id == exchange.holder.pk
    assert trade.exchange == exchange.holder.name
    assert trade.sellers == [personas.applicant.holder.pk]
    assert trade.buyer is None
    assert trade.buyer_name == "丁科技有限公司"
    assert trade.licence_kind == "ordinary"
    assert trade.amount == Decimal("880000.00")
    assert trade.transfer is None
    event = Event.objects.get(application=registered, action="report_trade")
    assert event.actor_role == "exchange"
    assert event.payload["amount"] == "880000.00"
    assert event.payload["reference"] == "SDE-2026-0001"
    told = Notification.objects.filter(recipient=personas.applicant.user, kind="trade_reported")
    assert told.count() == 1
    assert trade_reports.reports_on(registered.pk) == [trade]
    assert trade_reports.reports_by_exchange(exchange.actor) == [trade]
    # The holder's own records keep working beside the reports.
    own = licensing.record_trade(
        registered.pk,
        actor=personas.applicant.actor,
        exchange="北京国际大数据交易所",
        contract_reference="BJ-1",
        traded_on="2026-04-12",
        amount="100",
        at=day(41),
    )
    assert own.status == TradeStatus.RECORDED
    assert own.reported_by is None
    assert trade_reports.reports_on(registered.pk) == [trade]


def test_a_registered_buyer_is_linked_by_its_credit_code(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    trade = reports.report_trade(
        registered.registration_number or "",
        actor=exchange.actor,
        **licence_report(
            registered,
            buyer_name="whatever",
            buyer_identifier=personas.other_applicant.holder.identifier.lower(),
        ),
    )
    assert trade.buyer == personas.other_applicant.holder
    assert trade.buyer_display == personas.other_applicant.holder.name


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_bad_field_is_named_and_nothing_is_left(
    personas: Personas, registered: Application, exchange: Person, language: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        reports.report_trade(
            "NO-SUCH-NUMBER",
            actor=exchange.actor,
            contract_reference="",
            traded_on="yesterday",
            amount="-1",
            kind="barter",
            buyer_name="",
            buyer_identifier="123",
        )
    names = set(caught.value.errors)
    assert names == {
        "registration_number",
        "contract_reference",
        "traded_on",
        "kind",
        "buyer_name",
        "buyer_identifier",
    }
    with pytest.raises(ValidationFailed) as caught:
        reports.report_trade(
            registered.registration_number or "",
            actor=exchange.actor,
            **licence_report(registered, amount="0", licence_kind="x", ends="2026-01-01"),
        )
    assert set(caught.value.errors) == {"amount", "licence_kind", "ends"}
    with translation.override(language):
        text = render(caught.value.errors["licence_kind"][0])
    expected = {
        "zh-hans": "请选择独占、排他或普通许可。",
        "en": "Choose exclusive, sole or ordinary.",
    }
    assert text == expected[language]
    assert not Trade.objects.exists()
    assert not events(registered, "report_trade")


def test_only_a_member_of_a_verified_exchange_may_report(
    personas: Personas, registered: Application
) -> None:
    unverified = exchange_member(61, "pending_exchange", verified=False)
    number = registered.registration_number or ""
    for who in (unverified, personas.applicant, personas.other_applicant, personas.registrar):
        with pytest.raises(PermissionDenied):
            reports.report_trade(number, actor=who.actor, **licence_report(registered))
    assert not Trade.objects.exists()


def test_one_report_per_contract_of_an_exchange_until_withdrawn(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    number = registered.registration_number or ""
    first = reports.report_trade(number, actor=exchange.actor, **licence_report(registered))
    with pytest.raises(ValidationFailed) as caught:
        reports.report_trade(number, actor=exchange.actor, **licence_report(registered))
    assert set(caught.value.errors) == {"contract_reference"}
    # Another exchange may use the same reference.
    other = exchange_member(62, "other_exchange")
    reports.report_trade(number, actor=other.actor, **licence_report(registered))
    # Withdrawn, the contract may be reported again (corrected).
    with pytest.raises(NotFound):
        reports.withdraw_trade_report(first.pk, actor=other.actor)
    withdrawn = reports.withdraw_trade_report(first.pk, actor=exchange.actor, reason="wrong amount")
    assert withdrawn.status == TradeStatus.WITHDRAWN
    assert withdrawn.withdraw_reason == "wrong amount"
    with pytest.raises(Conflict):
        reports.withdraw_trade_report(first.pk, actor=exchange.actor)
    again = reports.report_trade(
        number, actor=exchange.actor, **licence_report(registered, amount="870000")
    )
    assert again.status == TradeStatus.REPORTED
    assert Notification.objects.filter(
        recipient=personas.applicant.user, kind="trade_report_withdrawn"
    ).exists()
    # A withdrawn report counts for nothing in the income statement.
    totals = {row.currency: row.trades for row in income_statement(registered)}
    assert totals == {"CNY": Decimal("1750000.00")}


def test_a_reported_transfer_starts_the_transfer_procedure(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    number = registered.registration_number or ""
    trade = reports.report_trade(
        number, actor=exchange.actor, at=day(40), **transfer_report(personas)
    )
    transfer = trade.transfer
    assert transfer is not None
    assert transfer.status == "pending"
    assert transfer.assignee == personas.other_applicant.holder
    assert transfer.proposer is None
    # Every holder and the buyer must confirm: the right has not moved.
    assert transfer.parties() == {personas.applicant.holder.pk, personas.other_applicant.holder.pk}
    registered.refresh_from_db()
    assert list(registered.holders.values_list("holder_id", flat=True)) == [
        personas.applicant.holder.pk
    ]
    assert Notification.objects.filter(
        recipient=personas.other_applicant.user, kind="transfer_to_confirm"
    ).exists()
    # A second transfer cannot be reported while this one waits.
    with pytest.raises(GuardFailed):
        reports.report_trade(
            number, actor=exchange.actor, **transfer_report(personas, contract_reference="X-2")
        )
    changes.confirm_transfer(transfer.pk, actor=personas.applicant.actor, at=day(41))
    assert Transfer.objects.get(pk=transfer.pk).status == "pending"
    changes.confirm_transfer(transfer.pk, actor=personas.other_applicant.actor, at=day(42))
    registered.refresh_from_db()
    assert list(registered.holders.values_list("holder_id", flat=True)) == [
        personas.other_applicant.holder.pk
    ]
    assert Transfer.objects.get(pk=transfer.pk).status == "confirmed"


def test_withdrawing_a_reported_transfer_cancels_the_pending_transfer(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    trade = reports.report_trade(
        registered.registration_number or "", actor=exchange.actor, **transfer_report(personas)
    )
    reports.withdraw_trade_report(trade.pk, actor=exchange.actor)
    assert trade.transfer is not None
    assert Transfer.objects.get(pk=trade.transfer.pk).status == "cancelled"


def test_a_transfer_to_a_buyer_not_registered_is_refused(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    for identifier in ("", valid_uscc(71)):
        with pytest.raises(ValidationFailed) as caught:
            reports.report_trade(
                registered.registration_number or "",
                actor=exchange.actor,
                **transfer_report(personas, buyer_identifier=identifier),
            )
        assert set(caught.value.errors) == {"buyer_identifier"}
        with translation.override("zh-hans"):
            assert "注册" in render(caught.value.errors["buyer_identifier"][0])
    with pytest.raises(ValidationFailed) as caught:
        reports.report_trade(
            registered.registration_number or "",
            actor=exchange.actor,
            **transfer_report(personas, buyer_identifier=personas.applicant.holder.identifier),
        )
    assert set(caught.value.errors) == {"buyer_identifier"}
    assert not Trade.objects.exists()
    assert not Transfer.objects.exists()


def test_the_holder_disputes_a_report_and_the_exchange_is_told(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    trade = reports.report_trade(
        registered.registration_number or "", actor=exchange.actor, **licence_report(registered)
    )
    with pytest.raises(PermissionDenied):
        reports.dispute_trade(trade.pk, actor=exchange.actor, reason="x")
    with pytest.raises(PermissionDenied):
        reports.dispute_trade(trade.pk, actor=personas.other_applicant.actor, reason="x")
    with pytest.raises(ValidationFailed) as caught:
        reports.dispute_trade(trade.pk, actor=personas.applicant.actor, reason=" ")
    assert set(caught.value.errors) == {"reason"}
    disputed = reports.dispute_trade(
        trade.pk, actor=personas.applicant.actor, reason="合同金额不符", at=day(45)
    )
    assert disputed.status == TradeStatus.DISPUTED
    assert disputed.dispute_reason == "合同金额不符"
    assert Notification.objects.filter(recipient=exchange.user, kind="trade_disputed").exists()
    assert trade_reports.disputed_reports() == [disputed]
    with pytest.raises(Conflict):
        reports.dispute_trade(trade.pk, actor=personas.applicant.actor, reason="again")
    # The exchange corrects: withdraws it, reports again.
    reports.withdraw_trade_report(trade.pk, actor=exchange.actor)
    assert trade_reports.disputed_reports() == []
    own = licensing.record_trade(
        registered.pk,
        actor=personas.applicant.actor,
        exchange="x",
        contract_reference="own",
        traded_on="2026-04-12",
        amount="1",
    )
    with pytest.raises(NotFound):
        reports.dispute_trade(own.pk, actor=personas.applicant.actor, reason="x")


def test_the_leaf_keeps_amount_and_parties_as_salted_commitments(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    trade = reports.report_trade(
        registered.registration_number or "", actor=exchange.actor, **licence_report(registered)
    )
    event = Event.objects.get(application=registered, action="report_trade")
    assert event.leaf_index is not None
    leaf = LogEntry.objects.get(index=event.leaf_index).body
    for secret in (
        "880000",
        "SDE-2026-0001",
        "丁科技有限公司",
        valid_uscc(70),
        exchange.holder.name,
        "report_trade",
        digest(event.payload),  # not even the plain digest of the payload
    ):
        assert secret not in leaf
    assert event.payload["trade"] == trade.pk
    assert set(json.loads(leaf)) == {"schema", "time", "commitments"}


@pytest.mark.slow
def test_the_demo_has_reported_disputed_withdrawn_and_transfer_reports(db: None) -> None:
    from dataip.registry.demo import SDE_IDENTIFIER, build_demo

    build_demo(applications=120, seed=7, progress=lambda _: None)
    reported = Trade.objects.filter(reported_by__identifier=SDE_IDENTIFIER)
    states = set(reported.values_list("status", flat=True))
    assert {"reported", "disputed", "withdrawn"} <= states
    assert reported.exclude(transfer=None).exists()
