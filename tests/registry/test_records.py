"""The records after registration as created by their transition: stamped, logged, checked
under the row lock, and nothing left behind when refused."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.errors import GuardFailed, ValidationFailed
from dataip.registry.models import Application, Event, Pledge, PledgeConsent, Trade, Transfer
from dataip.registry.services import changes, licensing, pledges
from dataip.registry.services.applications import create_holder
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day
from tests.support.personas import Person, Personas, make_person, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def bank(db: None) -> Person:
    holder = create_holder(
        kind="legal_person", name="丁银行 Bank D", identifier=valid_uscc(70), province_code="31"
    )
    return make_person("bank_d", holder)


def _pledge(personas: Personas, registered: Application, bank: Person) -> Pledge:
    return pledges.pledge(
        registered.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="500000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-7",
        at=day(40),
    )


def test_a_record_is_stamped_with_the_action_and_logged(
    personas: Personas, registered: Application
) -> None:
    trade = licensing.record_trade(
        registered.pk,
        actor=personas.applicant.actor,
        exchange=" 上海数据交易所 ",
        contract_reference="SDE-9",
        traded_on="2026-06-01",
        amount="12.50",
        at=day(50),
    )
    assert trade == Trade.objects.get()
    assert (trade.exchange, trade.recorded_at, trade.application_id) == (
        "上海数据交易所",
        day(50),
        registered.pk,
    )
    event = Event.objects.filter(application=registered).latest("id")
    assert (event.action, event.occurred_at) == ("record_trade", day(50))
    assert event.payload == {"trade": trade.pk, "amount": "12.50", "currency": "CNY"}


def test_a_transfer_records_who_proposed_it_and_the_holders_before(
    personas: Personas, registered: Application
) -> None:
    shares = [[h, str(s)] for h, s in registered.holders.values_list("holder_id", "share")]
    transfer = changes.propose_transfer(
        registered.pk,
        actor=personas.applicant.actor,
        assignee_id=personas.other_applicant.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-10",
        at=day(45),
    )
    assert transfer.previous_holders == shares == [[personas.applicant.holder.pk, "100.00"]]
    assert (transfer.proposed_by_id, transfer.proposed_at) == (
        personas.applicant.user.pk,
        day(45),
    )
    assert transfer.price is None


def test_the_assignee_must_not_hold_the_right_already(
    personas: Personas, registered: Application
) -> None:
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        changes.propose_transfer(
            registered.pk,
            actor=personas.applicant.actor,
            assignee_id=personas.applicant.holder.pk,
            contract_date="2026-05-01",
            effective_date="2026-05-10",
        )
    assert set(caught.value.errors) == {"assignee"}
    assert not Transfer.objects.exists()
    assert Event.objects.count() == events


def test_a_holder_cannot_be_its_own_pledgee(personas: Personas, registered: Application) -> None:
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        pledges.pledge(
            registered.pk,
            actor=personas.applicant.actor,
            pledgee_id=personas.applicant.holder.pk,
            amount="1",
            starts="2026-05-01",
            ends="2026-06-01",
            contract_reference="ZY-0",
        )
    assert set(caught.value.errors) == {"pledgee"}
    assert not Pledge.objects.exists()
    assert Event.objects.count() == events


def test_a_consent_names_its_purpose_and_who_gave_it(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = _pledge(personas, registered, bank)
    with pytest.raises(ValidationFailed) as caught:
        pledges.consent(pledge.pk, actor=bank.actor, purpose="anything")
    assert set(caught.value.errors) == {"purpose"}
    given = pledges.consent(pledge.pk, actor=bank.actor, purpose="exclusive_licence", at=day(41))
    assert given == PledgeConsent.objects.get()
    assert (given.given_by_id, given.given_at, given.used_at) == (bank.user.pk, day(41), None)


def test_an_exclusive_licence_uses_up_the_pledgees_consent(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = _pledge(personas, registered, bank)
    licence: dict[str, Any] = {
        "actor": personas.applicant.actor,
        "licensee_id": personas.other_applicant.holder.pk,
        "kind": "exclusive",
        "scope": "模型训练",
        "territory": "中国大陆",
    }
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        licensing.grant_licence(registered.pk, starts="2026-06-01", ends="2026-12-31", **licence)
    pledges.consent(pledge.pk, actor=bank.actor, purpose="exclusive_licence")
    licensing.grant_licence(
        registered.pk, starts="2026-06-01", ends="2026-12-31", at=day(60), **licence
    )
    assert PledgeConsent.objects.get().used_at == day(60)
    with pytest.raises(GuardFailed, match="pledgee must consent"):  # one consent, one licence
        licensing.grant_licence(registered.pk, starts="2027-01-01", ends="2027-06-30", **licence)
    ordinary = {**licence, "kind": "ordinary"}
    licensing.grant_licence(registered.pk, starts="2027-01-01", ends="2027-06-30", **ordinary)
