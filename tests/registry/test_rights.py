"""After registration: changes, transfers, licences, trades, pledges, renewal, cancellation."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from dataip.errors import (
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from dataip.registry.models import Application, Event, Licence, Pledge, Trade
from dataip.registry.queries.public import public_record
from dataip.registry.queries.rights import encumbrances, income_statement, pledges_held_by
from dataip.registry.services import changes, licensing, lifecycle, pledges
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, day
from tests.support.personas import Person, Personas, make_person, valid_uscc


@pytest.fixture
def bank(db: None) -> Person:
    holder = create_holder(
        kind="legal_person", name="丙银行 Bank C", identifier=valid_uscc(50), province_code="31"
    )
    return make_person("banker", holder)


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def test_a_change_waits_for_the_examiner_where_the_regime_says(
    personas: Personas, registered: Application
) -> None:
    change = changes.request_change(
        registered.pk,
        actor=personas.applicant.actor,
        values={"name": "新名称", "holder_address": "上海市浦东新区"},
        at=day(40),
    )
    assert change.status == "pending"
    assert change.changes["name"] == {"old": "城市交通出行数据集", "new": "新名称"}
    with pytest.raises(GuardFailed, match="Another change"):
        changes.request_change(registered.pk, actor=personas.applicant.actor, values={"name": "x"})
    with pytest.raises(PermissionDenied):
        changes.approve_change(change.pk, actor=personas.applicant.actor)
    app = changes.approve_change(change.pk, actor=personas.examiner.actor, at=day(41))
    assert app.product.name == "新名称"
    assert app.filed_by.address == "上海市浦东新区"
    assert app.certificate_version == 1


def test_a_refused_change_needs_a_reason_and_changes_nothing(
    personas: Personas, registered: Application
) -> None:
    change = changes.request_change(
        registered.pk, actor=personas.applicant.actor, values={"summary": "新的摘要"}
    )
    with pytest.raises(ValidationFailed):
        changes.refuse_change(change.pk, actor=personas.examiner.actor, reason="")
    changes.refuse_change(change.pk, actor=personas.examiner.actor, reason="与事实不符")
    registered.refresh_from_db()
    assert registered.product.summary != "新的摘要"
    with pytest.raises(ValidationFailed, match="cannot be changed"):
        changes.request_change(
            registered.pk, actor=personas.applicant.actor, values={"registration_number": "X"}
        )


def test_a_transfer_needs_the_assignees_confirmation(
    personas: Personas, registered: Application
) -> None:
    beta = personas.other_applicant
    transfer = changes.propose_transfer(
        registered.pk,
        actor=personas.applicant.actor,
        assignee_id=beta.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-10",
        price="1000000.00",
    )
    with pytest.raises(PermissionDenied):
        changes.confirm_transfer(transfer.pk, actor=personas.objector.actor)
    with pytest.raises(PermissionDenied):
        changes.confirm_transfer(transfer.pk, actor=personas.applicant.actor)
    app = changes.confirm_transfer(transfer.pk, actor=beta.actor)
    assert list(app.holders.values_list("holder_id", "share")) == [(beta.holder.pk, Decimal(100))]
    assert app.certificate_version == 1
    with pytest.raises(PermissionDenied):  # Alpha no longer holds the right
        licensing.record_trade(
            app.pk,
            actor=personas.applicant.actor,
            exchange="上海数据交易所",
            contract_reference="SDE-1",
            traded_on="2026-06-01",
            amount=1,
        )


def test_exclusive_licences_do_not_overlap(personas: Personas, registered: Application) -> None:
    actor, licensee = personas.applicant.actor, personas.other_applicant.holder.pk
    common: dict[str, Any] = {"scope": "模型训练", "territory": "中国大陆", "licensee_id": licensee}
    licensing.grant_licence(
        registered.pk,
        actor=actor,
        kind="exclusive",
        starts="2026-05-01",
        ends="2026-12-31",
        fee="50000",
        **common,
    )
    for kind, starts, ends in [
        ("ordinary", "2026-12-01", "2027-03-01"),
        ("sole", "2026-01-01", "2026-05-01"),
    ]:
        with pytest.raises(ValidationFailed, match="exclusive or sole") as refused:
            licensing.grant_licence(
                registered.pk, actor=actor, kind=kind, starts=starts, ends=ends, **common
            )
        assert list(refused.value.errors) == ["territory"]
    licensing.grant_licence(
        registered.pk,
        actor=actor,
        kind="ordinary",
        starts="2027-01-01",
        ends="2027-06-30",
        **common,
    )
    assert Licence.objects.count() == 2


def test_bad_amounts_are_refused_and_nothing_is_half_recorded(
    personas: Personas, registered: Application
) -> None:
    before = Event.objects.count()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"amount": "-5"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "100", "currency": "USD"}, "currency"),
        ({"amount": "abc"}, "amount"),
    ]
    for extra, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            licensing.record_trade(
                registered.pk,
                actor=personas.applicant.actor,
                exchange="上海数据交易所",
                contract_reference="SDE-1",
                traded_on="2026-06-01",
                **extra,
            )
        assert field in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        licensing.record_revenue(
            registered.pk,
            actor=personas.applicant.actor,
            period_start="2026-06-30",
            period_end="2026-06-01",
            amount=0,
        )
    assert set(caught.value.errors) == {"period_end", "amount"}
    assert Event.objects.count() == before
    assert not Trade.objects.exists()


def test_a_pledge_shows_publicly_and_blocks_transfer_without_consent(
    personas: Personas, registered: Application, bank: Person
) -> None:
    actor = personas.applicant.actor
    pledge = pledges.pledge(
        registered.pk,
        actor=actor,
        pledgee_id=bank.holder.pk,
        amount="3000000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-2026-01",
    )
    record = public_record(registered)
    assert record.under_pledge
    assert record.pledges[0].pledgee == "丙银行 Bank C"
    assert record.pledges[0].amount is None, "Shanghai does not publish pledge amounts"
    beta = personas.other_applicant.holder.pk
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        changes.propose_transfer(
            registered.pk,
            actor=actor,
            assignee_id=beta,
            contract_date="2026-06-01",
            effective_date="2026-06-01",
        )
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        lifecycle.cancel(registered.pk, actor=actor, reason="不再经营")
    with pytest.raises(PermissionDenied):
        pledges.consent(pledge.pk, actor=personas.objector.actor, purpose="transfer")
    pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer")
    transfer = changes.propose_transfer(
        registered.pk,
        actor=actor,
        assignee_id=beta,
        contract_date="2026-06-01",
        effective_date="2026-06-01",
    )
    changes.confirm_transfer(transfer.pk, actor=personas.other_applicant.actor)
    assert not public_record(registered).pledges[0].amount
    encumbrance = encumbrances(registration_number=registered.registration_number or "")
    assert [p.pk for p in encumbrance[0].pledges] == [pledge.pk]
    assert pledges_held_by(bank.holder.pk) == [pledge]


def test_the_pledgee_releases_the_pledge(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = pledges.pledge(
        registered.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="1",
        starts="2026-05-01",
        ends="2026-06-01",
        contract_reference="ZY-1",
    )
    with pytest.raises(PermissionDenied):
        pledges.release_pledge(pledge.pk, actor=personas.applicant.actor, reason="repaid")
    pledges.release_pledge(pledge.pk, actor=bank.actor, reason="贷款已清偿", on="2026-05-20")
    assert Pledge.objects.get().released_on == date(2026, 5, 20)
    assert not public_record(registered).under_pledge
    lifecycle.cancel(registered.pk, actor=personas.applicant.actor, reason="不再经营")
    registered.refresh_from_db()
    assert registered.status == Status.CANCELLED


def test_no_pledge_on_an_expired_registration(
    personas: Personas, registered: Application, bank: Person
) -> None:
    from dataip.registry.services.schedule import tick

    tick(at=day(30 + 3 * 366))
    with pytest.raises(TransitionNotAllowed):
        pledges.pledge(
            registered.pk,
            actor=personas.applicant.actor,
            pledgee_id=bank.holder.pk,
            amount="1",
            starts="2030-01-01",
            ends="2030-06-01",
            contract_reference="x",
        )


def test_renewal_only_inside_the_window(personas: Personas, registered: Application) -> None:
    assert registered.valid_until == date(2029, 3, 31)
    with pytest.raises(GuardFailed, match="Renewal is possible from 2028-12-31"):
        lifecycle.renew(registered.pk, actor=personas.applicant.actor, at=day(100))
    app = lifecycle.renew(registered.pk, actor=personas.applicant.actor, at=day(30 + 3 * 365 - 30))
    assert app.valid_until == date(2032, 3, 31)


def test_revocation_needs_a_decision_reference(personas: Personas, registered: Application) -> None:
    for documents in ([], [("a.pdf", io.BytesIO(PDF)), ("b.pdf", io.BytesIO(PDF))]):
        with pytest.raises(ValidationFailed) as refused:
            lifecycle.revoke(
                registered.pk,
                actor=personas.registrar.actor,
                reason="法院判决",
                reference="(2026)1号",
                decision=documents,
            )
        assert set(refused.value.errors) == {"decision"}
    with pytest.raises(ValidationFailed):
        lifecycle.revoke(
            registered.pk,
            actor=personas.registrar.actor,
            reason="法院判决",
            reference="",
            decision=[("判决书.pdf", io.BytesIO(PDF))],
        )
    with pytest.raises(PermissionDenied):
        lifecycle.revoke(
            registered.pk,
            actor=personas.examiner.actor,
            reason="x",
            reference="y",
            decision=[("判决书.pdf", io.BytesIO(PDF))],
        )
    app = lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)沪0115民初1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
    )
    assert app.status == Status.REVOKED
    assert app.decision_reference == "(2026)沪0115民初1号"
    assert public_record(app).history[-1][0] == "revoke"


def test_income_splits_between_joint_holders(personas: Personas, registered: Application) -> None:
    from dataip.registry.models import ApplicationHolder

    ApplicationHolder.objects.filter(application=registered).update(share=60)
    ApplicationHolder.objects.create(
        application=registered, holder=personas.other_applicant.holder, share=40
    )
    actor = personas.applicant.actor
    licensing.grant_licence(
        registered.pk,
        actor=actor,
        licensee_id=personas.experts[0].holder.pk,
        kind="ordinary",
        scope="分析",
        territory="上海",
        starts="2026-05-01",
        ends="2026-12-31",
        fee="1000.00",
    )
    licensing.record_trade(
        registered.pk,
        actor=actor,
        exchange="上海数据交易所",
        contract_reference="SDE-2",
        traded_on="2026-06-01",
        amount="333.33",
    )
    licensing.record_revenue(
        registered.pk, actor=actor, period_start="2026-01-01", period_end="2026-03-31", amount="100"
    )
    statement = {row.holder: row for row in income_statement(registered)}
    alpha = statement[personas.applicant.holder.name]
    assert (alpha.licence_fees, alpha.trades, alpha.revenue) == (
        Decimal("600.00"),
        Decimal("200.00"),
        Decimal("60.00"),
    )
    assert statement[personas.other_applicant.holder.name].total == Decimal("573.33")


def test_income_is_split_per_currency_never_summed_across_currencies(
    personas: Personas, registered: Application
) -> None:
    from dataip.registry.models import ApplicationHolder

    ApplicationHolder.objects.filter(application=registered).update(share=50)
    ApplicationHolder.objects.create(
        application=registered, holder=personas.other_applicant.holder, share=50
    )
    statement = income_statement(registered)  # nothing recorded: the regime's currency
    assert [(r.currency, r.total) for r in statement] == [("CNY", Decimal(0))] * 2
    licensing.record_trade(
        registered.pk,
        actor=personas.applicant.actor,
        exchange="上海数据交易所",
        contract_reference="SDE-3",
        traded_on="2026-06-01",
        amount="100.00",
    )
    # A trade settled in US dollars (the Shanghai regime admits only yuan today; an older
    # record, or a regime that admits more, may hold another currency).
    Trade.objects.create(
        application=registered,
        exchange="Data Exchange",
        contract_reference="USD-1",
        traded_on=date(2026, 6, 2),
        amount=Decimal("10.00"),
        currency="USD",
        recorded_at=day(40),
    )
    rows = [(r.holder, r.currency, r.trades, r.total) for r in income_statement(registered)]
    alpha, beta = personas.applicant.holder.name, personas.other_applicant.holder.name
    assert rows == [
        (alpha, "CNY", Decimal("50.00"), Decimal("50.00")),
        (beta, "CNY", Decimal("50.00"), Decimal("50.00")),
        (alpha, "USD", Decimal("5.00"), Decimal("5.00")),
        (beta, "USD", Decimal("5.00"), Decimal("5.00")),
    ]


def test_a_valuation_backs_a_pledge(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = pledges.pledge(
        registered.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="1",
        starts="2026-05-01",
        ends="2026-06-01",
        contract_reference="ZY-1",
    )
    valuation = pledges.record_valuation(
        registered.pk,
        actor=personas.applicant.actor,
        method="income",
        evaluator="某评估公司",
        valued_on="2026-04-20",
        value="12000000",
        inputs={"discount_rate": "0.12", "years": 5},
        pledge_id=pledge.pk,
    )
    assert valuation.pledge == pledge
    with pytest.raises(ValidationFailed) as caught:
        pledges.record_valuation(
            registered.pk,
            actor=personas.applicant.actor,
            method="guess",
            evaluator="",
            valued_on="x",
            value="-1",
            pledge_id=999,
        )
    assert set(caught.value.errors) == {"method", "evaluator", "valued_on", "value", "pledge"}


def test_unknown_records_are_not_found(personas: Personas) -> None:
    with pytest.raises(NotFound):
        changes.confirm_transfer(12345, actor=personas.applicant.actor)
    with pytest.raises(NotFound):
        pledges.release_pledge(12345, actor=personas.applicant.actor, reason="x")
