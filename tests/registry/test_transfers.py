"""Transfers (转让) that every party confirms, and licences to parties outside the registry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dataip.errors import GuardFailed, NotFound, PermissionDenied, ValidationFailed
from dataip.registry.models import (
    Application,
    Event,
    Licence,
    PledgeConsent,
    RecordStatus,
    Transfer,
    TransferConfirmation,
)
from dataip.registry.queries.rights import (
    encumbrances,
    transfers_of,
    transfers_waiting_for,
)
from dataip.registry.services import applications as filing
from dataip.registry.services import changes, licensing, pledges
from dataip.registry.workflow import Status
from tests.support.builders import at_stage, day, draft
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc
from tests.web._builders import advance

pytestmark = pytest.mark.django_db
RESIDENT_ID = "11010519491231002X"


@pytest.fixture
def gamma(personas: Personas) -> Person:
    return make_person("gamma", make_holder(3, "丁数据有限公司 Gamma Data"))


@pytest.fixture
def bank(personas: Personas) -> Person:
    return make_person("banker", make_holder(50, "丙银行 Bank C"))


@pytest.fixture
def joint(personas: Personas) -> Application:
    """A registration held by Alpha (60 %) and Beta (40 %)."""
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "60", beta.pk: "40"}, at=day(0)
    )
    return advance(personas, app, Status.REGISTERED)


def propose(app: Application, person: Person, assignee: Person, **extra: Any) -> Transfer:
    return changes.propose_transfer(
        app.pk,
        actor=person.actor,
        assignee_id=assignee.holder.pk,
        contract_date="2026-05-01",
        effective_date="2026-05-10",
        **extra,
    )


def holders_of(app: Application) -> list[tuple[int, Decimal]]:
    return list(app.holders.order_by("id").values_list("holder_id", "share"))


def test_the_assignee_and_every_other_joint_holder_confirm(
    personas: Personas, joint: Application, gamma: Person
) -> None:
    alpha, beta = personas.applicant, personas.other_applicant
    before = holders_of(joint)
    transfer = propose(joint, alpha, gamma, price="500000")
    assert transfer.proposer_id == alpha.holder.pk
    assert transfer.parties() == {beta.holder.pk, gamma.holder.pk}
    assert [v.transfer for v in transfers_waiting_for(gamma.actor.holder_ids)] == [transfer]
    assert [v.transfer for v in transfers_waiting_for(beta.actor.holder_ids)] == [transfer]
    assert transfers_waiting_for(alpha.actor.holder_ids) == []
    with pytest.raises(PermissionDenied):  # the proposer does not confirm its own proposal
        changes.confirm_transfer(transfer.pk, actor=alpha.actor)
    with pytest.raises(PermissionDenied):
        changes.confirm_transfer(transfer.pk, actor=personas.objector.actor)

    changes.confirm_transfer(transfer.pk, actor=gamma.actor, at=day(41))
    joint.refresh_from_db()
    assert holders_of(joint) == before, "not in effect before every party confirmed"
    assert joint.certificate_version == 0
    assert transfers_waiting_for(gamma.actor.holder_ids) == []
    view = transfers_of(joint)[0]
    assert (view.confirmed, view.waiting) == ([gamma.holder.name], [beta.holder.name])
    with pytest.raises(PermissionDenied):  # Gamma has confirmed already
        changes.confirm_transfer(transfer.pk, actor=gamma.actor)

    app = changes.confirm_transfer(transfer.pk, actor=beta.actor, at=day(42))
    assert holders_of(app) == [(gamma.holder.pk, Decimal(100))]
    assert app.certificate_version == 1
    transfer.refresh_from_db()
    assert (transfer.status, transfer.confirmed_by_id) == (RecordStatus.CONFIRMED, beta.user.pk)
    confirmations = TransferConfirmation.objects.filter(transfer=transfer).order_by("id")
    assert [(c.holder_id, c.confirmed_by_id, c.confirmed_at) for c in confirmations] == [
        (gamma.holder.pk, gamma.user.pk, day(41)),
        (beta.holder.pk, beta.user.pk, day(42)),
    ]
    logged = list(joint.events.order_by("id").values_list("action", "payload"))[-3:]
    assert [action for action, _ in logged] == [
        "propose_transfer",
        "agree_to_transfer",
        "confirm_transfer",
    ]
    assert logged[0][1]["parties"] == sorted([beta.holder.pk, gamma.holder.pk])
    assert logged[1][1]["party"] == gamma.holder.pk
    assert logged[2][1] == {
        "transfer": transfer.pk,
        "party": beta.holder.pk,
        "assignee": gamma.holder.pk,
    }


def test_a_joint_holder_declines_with_a_reason_and_the_transfer_is_cancelled(
    personas: Personas, joint: Application, gamma: Person
) -> None:
    transfer = propose(joint, personas.applicant, gamma)
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        changes.decline_transfer(transfer.pk, actor=personas.other_applicant.actor, reason=" ")
    assert "reason" in refused.value.errors
    assert Event.objects.count() == events
    with pytest.raises(PermissionDenied):  # the proposer withdraws, it does not decline
        changes.decline_transfer(transfer.pk, actor=personas.applicant.actor, reason="不")
    changes.decline_transfer(transfer.pk, actor=personas.other_applicant.actor, reason="价格过低")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason, transfer.declined_by_id) == (
        RecordStatus.CANCELLED,
        "价格过低",
        personas.other_applicant.holder.pk,
    )
    assert joint.events.order_by("-id").values_list("action", flat=True)[0] == "decline_transfer"
    with pytest.raises(NotFound):
        changes.confirm_transfer(transfer.pk, actor=gamma.actor)
    assert transfers_waiting_for(gamma.actor.holder_ids) == []
    found = encumbrances(registration_number=joint.registration_number or "")[0]
    assert found.pending_transfers == []


def test_only_the_proposer_withdraws(personas: Personas, joint: Application, gamma: Person) -> None:
    transfer = propose(joint, personas.applicant, gamma)
    for party in (personas.other_applicant, gamma, personas.objector):
        with pytest.raises(PermissionDenied):
            changes.cancel_transfer(transfer.pk, actor=party.actor)
    changes.cancel_transfer(transfer.pk, actor=personas.applicant.actor, reason="另行协商")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason, transfer.declined_by_id) == (
        RecordStatus.CANCELLED,
        "另行协商",
        None,
    )
    assert joint.events.order_by("-id").values_list("action", flat=True)[0] == "cancel_transfer"
    with pytest.raises(NotFound):
        changes.cancel_transfer(transfer.pk, actor=personas.applicant.actor)


def test_the_assignee_cannot_be_the_proposer(personas: Personas, joint: Application) -> None:
    with pytest.raises(ValidationFailed) as refused:
        propose(joint, personas.applicant, personas.applicant)
    assert "assignee" in refused.value.errors
    assert not Transfer.objects.exists()


def test_a_transfer_to_a_joint_holder_needs_only_the_others(
    personas: Personas, joint: Application
) -> None:
    beta = personas.other_applicant
    transfer = propose(joint, personas.applicant, beta)
    assert transfer.parties() == {beta.holder.pk}
    app = changes.confirm_transfer(transfer.pk, actor=beta.actor)
    assert holders_of(app) == [(beta.holder.pk, Decimal(100))]


def test_a_pledge_made_meanwhile_blocks_the_last_confirmation_and_nothing_is_half_recorded(
    personas: Personas, gamma: Person, bank: Person
) -> None:
    app = at_stage(personas, Status.REGISTERED)
    transfer = propose(app, personas.applicant, gamma)
    pledge = pledges.pledge(
        app.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="1000000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-T1",
    )
    events = Event.objects.count()
    with pytest.raises(GuardFailed, match="pledgee must consent"):
        changes.confirm_transfer(transfer.pk, actor=gamma.actor)
    assert Event.objects.count() == events
    assert not TransferConfirmation.objects.exists()
    assert holders_of(app) == [(personas.applicant.holder.pk, Decimal(100))]
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.PENDING
    given = pledges.consent(pledge.pk, actor=bank.actor, purpose="transfer")
    changes.confirm_transfer(transfer.pk, actor=gamma.actor)
    given.refresh_from_db()
    assert given.used_at is not None, "one consent serves one transfer"
    assert holders_of(app) == [(gamma.holder.pk, Decimal(100))]
    assert PledgeConsent.objects.filter(used_at=None).count() == 0


def test_the_encumbrance_search_shows_a_pending_transfer(personas: Personas, gamma: Person) -> None:
    app = at_stage(personas, Status.REGISTERED)
    transfer = propose(app, personas.applicant, gamma)
    found = encumbrances(registration_number=app.registration_number or "")[0]
    assert found.transfer_pending
    assert [(t.contract_date, t.effective_date) for t in found.pending_transfers] == [
        (transfer.contract_date, transfer.effective_date)
    ]
    changes.confirm_transfer(transfer.pk, actor=gamma.actor)
    assert not encumbrances(registration_number=app.registration_number or "")[0].transfer_pending


def test_a_stale_confirmation_is_refused(personas: Personas, gamma: Person) -> None:
    app = at_stage(personas, Status.REGISTERED)
    transfer = propose(app, personas.applicant, gamma)
    Transfer.objects.filter(pk=transfer.pk).update(status=RecordStatus.CANCELLED)
    with pytest.raises(NotFound):
        changes.confirm_transfer(transfer.pk, actor=gamma.actor)
    with pytest.raises(NotFound):
        changes.decline_transfer(transfer.pk, actor=gamma.actor, reason="x")


# ── licences to parties outside the registry ───────────────────────────────────────────


def grant(app: Application, person: Person, **licensee: Any) -> Licence:
    return licensing.grant_licence(
        app.pk,
        actor=person.actor,
        kind="ordinary",
        scope="商业分析",
        territory="全国",
        starts="2026-05-01",
        ends="2026-12-31",
        fee="100",
        **licensee,
    )


def test_a_licence_to_a_party_outside_the_registry(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    code = valid_uscc(77)
    licence = grant(
        app, personas.applicant, licensee_identifier=code.lower(), licensee_name=" 戊公司 "
    )
    assert (licence.licensee_id, licence.licensee_name, licence.licensee_identifier) == (
        None,
        "戊公司",
        code,
    )
    assert licence.licensee_display == "戊公司"
    payload = app.events.order_by("-id")[0].payload
    assert (payload["licensee"], payload["licensee_name"], payload["licensee_identifier"]) == (
        None,
        "戊公司",
        code,
    )
    person = grant(app, personas.applicant, licensee_identifier=RESIDENT_ID, licensee_name="张三")
    assert (person.licensee_id, person.licensee_identifier) == (None, RESIDENT_ID)


def test_an_identity_code_of_a_registered_holder_names_that_holder(personas: Personas) -> None:
    app = at_stage(personas, Status.REGISTERED)
    beta = personas.other_applicant.holder
    licence = grant(app, personas.applicant, licensee_identifier=beta.identifier)
    assert (licence.licensee_id, licence.licensee_name, licence.licensee_display) == (
        beta.pk,
        "",
        beta.name,
    )


@pytest.mark.parametrize(
    ("licensee", "fields"),
    [
        ({}, {"licensee"}),
        ({"licensee_identifier": "91310000000000001X", "licensee_name": "戊"}, {"licensee"}),
        ({"licensee_identifier": valid_uscc(78)}, {"licensee_name"}),
        ({"licensee_id": 999999}, {"licensee"}),
    ],
)
def test_a_bad_licensee_is_named(
    personas: Personas, licensee: dict[str, Any], fields: set[str]
) -> None:
    app = at_stage(personas, Status.REGISTERED)
    with pytest.raises(ValidationFailed) as refused:
        grant(app, personas.applicant, **licensee)
    assert set(refused.value.errors) == fields
    assert not Licence.objects.exists()


def test_a_holder_of_the_right_cannot_be_its_licensee(
    personas: Personas, joint: Application
) -> None:
    events = Event.objects.count()
    for licensee in (
        {"licensee_id": personas.applicant.holder.pk},
        {"licensee_identifier": personas.other_applicant.holder.identifier},
    ):
        with pytest.raises(ValidationFailed) as refused:
            grant(joint, personas.applicant, **licensee)
        assert "cannot be its licensee" in str(refused.value.errors["licensee"][0])
    assert Event.objects.count() == events
    assert not Licence.objects.exists()
