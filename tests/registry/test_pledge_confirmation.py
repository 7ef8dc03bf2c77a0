"""A pledge registered by the bank (pledgee) stands only once a holder confirms it."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from dataip.errors import GuardFailed, NotFound, PermissionDenied, ValidationFailed
from dataip.registry.models import Application, Event, Pledge, PledgeStatus
from dataip.registry.queries.public import public_record
from dataip.registry.queries.rights import encumbrances, pledges_waiting_for
from dataip.registry.services import changes, pledges
from dataip.registry.workflow import Status
from tests.registry.test_concurrency import run_together
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas, make_holder, make_person


@pytest.fixture
def bank(db: None) -> Person:
    return make_person("banker", make_holder(50, "丙银行 Bank C"))


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def propose(app: Application, bank: Person, **overrides: object) -> Pledge:
    values: dict[str, object] = {
        "amount": "3000000",
        "starts": "2026-05-01",
        "ends": "2027-05-01",
        "contract_reference": "ZY-2026-07",
        "valuation_reference": "PG-2026-001",
    }
    values.update(overrides)
    return pledges.propose_pledge(app.pk, actor=bank.actor, **values)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_proposed_pledge_waits_and_is_not_public_until_a_holder_confirms(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = propose(registered, bank)
    assert (pledge.status, pledge.pledgee_id) == (PledgeStatus.PROPOSED, bank.holder.pk)
    assert pledge.valuation_reference == "PG-2026-001"
    assert pledges_waiting_for(personas.applicant.actor.holder_ids) == [pledge]
    assert pledges_waiting_for(personas.other_applicant.actor.holder_ids) == []
    assert public_record(registered).pledges == []
    assert encumbrances(registration_number=registered.registration_number or "")[0].pledges == []
    confirmed = pledges.confirm_pledge(pledge.pk, actor=personas.applicant.actor)
    assert confirmed.status == PledgeStatus.ACTIVE
    assert confirmed.confirmed_at is not None
    assert [p.pledgee for p in public_record(registered).pledges] == ["丙银行 Bank C"]
    actions = list(registered.events.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["propose_pledge", "confirm_pledge"]
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        changes.propose_transfer(
            registered.pk,
            actor=personas.applicant.actor,
            assignee_id=personas.other_applicant.holder.pk,
            contract_date="2026-06-01",
            effective_date="2026-06-01",
        )


@pytest.mark.django_db
def test_a_holder_declines_with_a_reason_and_the_pledge_never_stands(
    personas: Personas, registered: Application, bank: Person
) -> None:
    pledge = propose(registered, bank)
    with pytest.raises(ValidationFailed) as refused:
        pledges.decline_pledge(pledge.pk, actor=personas.applicant.actor, reason=" ")
    assert "reason" in refused.value.errors
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PROPOSED, "nothing half-recorded"
    declined = pledges.decline_pledge(pledge.pk, actor=personas.applicant.actor, reason="未签合同")
    assert (declined.status, declined.decline_reason) == (PledgeStatus.DECLINED, "未签合同")
    assert public_record(registered).pledges == []
    with pytest.raises(NotFound):
        pledges.confirm_pledge(pledge.pk, actor=personas.applicant.actor)


@pytest.mark.django_db
def test_only_a_holder_confirms_and_only_an_outsider_proposes(
    personas: Personas, registered: Application, bank: Person
) -> None:
    with pytest.raises(PermissionDenied):
        propose(registered, personas.applicant)
    with pytest.raises(PermissionDenied):
        propose(registered, personas.examiner)
    pledge = propose(registered, bank)
    events = Event.objects.count()
    for who in (bank, personas.other_applicant, personas.objector):
        with pytest.raises(PermissionDenied):
            pledges.confirm_pledge(pledge.pk, actor=who.actor)
        with pytest.raises(PermissionDenied):
            pledges.decline_pledge(pledge.pk, actor=who.actor, reason="不")
    assert Event.objects.count() == events
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PROPOSED


@pytest.mark.django_db
def test_bad_pledges_name_each_field(registered: Application, bank: Person) -> None:
    with pytest.raises(ValidationFailed) as refused:
        propose(
            registered,
            bank,
            amount="-1",
            starts="2027-05-01",
            ends="2026-05-01",
            contract_reference="",
            valuation_reference="x" * 101,
        )
    assert set(refused.value.errors) >= {
        "amount",
        "contract_reference",
        "valuation_reference",
    }
    assert set(refused.value.errors) & {"starts", "ends"}
    assert not Pledge.objects.exists()


@pytest.mark.django_db
def test_no_pledge_on_a_registration_that_is_not_registered(
    personas: Personas, bank: Person
) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(Exception, match="not possible"):
        propose(announced, bank)
    assert not Pledge.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_confirming_and_declining_at_once_cannot_both_succeed(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    bank = make_person("banker", make_holder(50, "丙银行 Bank C"))
    pledge = propose(registered, bank)
    second_member = make_person("applicant2", personas.applicant.holder)
    original = Pledge.objects.filter

    def slow_filter(*args: object, **kwargs: object) -> object:
        time.sleep(0.1)  # widen the window between reading the status and writing it
        return original(*args, **kwargs)

    monkeypatch.setattr(Pledge.objects, "filter", slow_filter)
    results = run_together(
        lambda: pledges.confirm_pledge(pledge.pk, actor=personas.applicant.actor),
        lambda: pledges.decline_pledge(pledge.pk, actor=second_member.actor, reason="不同意"),
    )
    assert results == ["condition not met", "ok"]
    pledge.refresh_from_db()
    assert pledge.status in {PledgeStatus.ACTIVE, PledgeStatus.DECLINED}
    decided = registered.events.filter(action__in=["confirm_pledge", "decline_pledge"])
    assert decided.count() == 1
