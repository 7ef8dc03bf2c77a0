"""Safe decisions on registered rights: confirming or declining a transfer, a bank releasing a
pledge and giving or refusing consent, a holder confirming or declining a pledge, an examiner
deciding a change request. Each page's confirmation names the consequence, an unticked post
changes nothing, and the message afterwards says what happened and what comes next."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from dataip.registry.models import (
    Application,
    ChangeRequest,
    ConsentRequest,
    Event,
    Pledge,
    PledgeStatus,
    RecordStatus,
)
from dataip.registry.services import changes, pledges
from dataip.registry.workflow import Status
from tests.api._support import bank, registered_with_rights
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas
from tests.web.conftest import client_for
from tests.web.test_transfers import World, world

pytestmark = pytest.mark.django_db
__all__ = ["bank", "world"]


def _text(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"\s+", " ", content.decode()))


# ── transfers ──────────────────────────────────────────────────────────────────────────


def test_confirming_a_transfer_names_who_is_left_then_the_last_one_makes_the_assignee_holder(
    world: World,
) -> None:
    transfer = world.propose()
    number = world.registered.registration_number
    url = f"/transfers/{transfer.pk}/confirm"
    assignee = world.client("assignee")
    first = _text(assignee.get(url))
    assert (
        f"I confirm: This records your consent to transfer {number} to 戊数据有限公司 Gamma Data; "
        "it takes effect once 乙数据科技有限公司"
    ) in first
    assert 'class="btn btn-primary">Confirm the transfer' in first
    events = Event.objects.count()
    unticked = assignee.post(url, {})
    assert unticked.status_code == 422
    assert (transfer.confirmations.count(), Event.objects.count()) == (0, events)
    said = _text(assignee.post(url, {"confirm": "on"}, follow=True))
    assert f"Your confirmation is recorded. The transfer of {number} takes effect once" in said

    joint = world.client("joint_holder")
    last = _text(joint.get(url))
    assert (
        f"I confirm: This makes 戊数据有限公司 Gamma Data the sole holder of {number} and "
        "re-issues the certificate. This cannot be undone."
    ) in last
    done = _text(joint.post(url, {"confirm": "on"}, follow=True))
    assert (
        f"The transfer took effect: 戊数据有限公司 Gamma Data is now the holder of {number}"
    ) in done
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.CONFIRMED


def test_the_last_confirmation_in_chinese_says_the_assignee_becomes_the_sole_holder(
    world: World,
) -> None:
    transfer = world.propose()
    number = world.registered.registration_number
    changes.confirm_transfer(transfer.pk, actor=world.gamma.actor)
    joint = world.client("joint_holder", "zh-hans")
    page = _text(joint.get(f"/transfers/{transfer.pk}/confirm"))
    assert f"确认后，戊数据有限公司 Gamma Data 成为 {number} 的唯一权利人，并重新签发证书。" in page
    done = _text(joint.post(f"/transfers/{transfer.pk}/confirm", {"confirm": "on"}, follow=True))
    assert f"转让已生效：戊数据有限公司 Gamma Data 现为 {number} 的权利人" in done


def test_declining_a_transfer_is_a_danger_with_its_own_reason_and_says_it_is_cancelled(
    world: World,
) -> None:
    transfer = world.propose()
    number = world.registered.registration_number
    url = f"/transfers/{transfer.pk}/decline"
    client = world.client("joint_holder")
    page = _text(client.get(url))
    assert f"This declines the transfer of {number} to 戊数据有限公司 Gamma Data" in page
    assert "Reason for: decline the transfer" in page
    assert 'class="btn btn-danger">Decline the transfer' in page
    assert client.post(url, {"reason": "价格过低"}).status_code == 422
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.PENDING
    done = _text(client.post(url, {"reason": "价格过低", "confirm": "on"}, follow=True))
    assert f"The transfer of {number} was declined and cancelled" in done


# ── pledges and consents ───────────────────────────────────────────────────────────────


@pytest.fixture
def pledged(personas: Personas, bank: Person) -> tuple[Application, Pledge]:
    return registered_with_rights(personas, bank)


@pytest.mark.parametrize(
    ("language", "consequence", "outcome"),
    [
        (
            "en",
            "I confirm: This releases the pledge on {n}; the registration is no longer "
            "encumbered by it. This cannot be undone.",
            "The pledge on {n} was released; the encumbrance search and the public record no "
            "longer show it.",
        ),
        (
            "zh-hans",
            "确认后，解除 {n} 上的质押；该登记不再受此质押的权利负担。",
            "{n} 上的质押已解除；权利负担查询和公开记录不再显示该质押。",
        ),
    ],
)
def test_releasing_a_pledge_names_the_consequence_and_the_result(
    pledged: tuple[Application, Pledge],
    bank: Person,
    language: str,
    consequence: str,
    outcome: str,
) -> None:
    application, pledge = pledged
    n = application.registration_number
    banker = client_for(bank.user, language=language)
    url = f"/bank/pledges/{pledge.pk}/release"
    page = _text(banker.get(url))
    assert consequence.format(n=n) in page
    assert 'class="btn btn-danger"' in page
    assert banker.post(url, {"reason": "已清偿"}).status_code == 422
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ACTIVE
    done = _text(banker.post(url, {"reason": "已清偿", "confirm": "on"}, follow=True))
    assert outcome.format(n=n) in done
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.RELEASED


def _asked(personas: Personas, pledge: Pledge) -> ConsentRequest:
    return pledges.request_consent(pledge.pk, actor=personas.applicant.actor, purpose="transfer")


def test_giving_consent_names_what_the_holder_may_then_do(
    pledged: tuple[Application, Pledge], personas: Personas, bank: Person
) -> None:
    application, pledge = pledged
    n = application.registration_number
    asked = _asked(personas, pledge)
    banker = client_for(bank.user)
    url = f"/bank/consents/{asked.pk}/give"
    page = _text(banker.get(url))
    assert f"This consents, as pledgee of {n}, to the holder's next transfer" in page
    assert 'class="btn btn-primary">Give consent' in page
    assert banker.post(url, {}).status_code == 422
    asked.refresh_from_db()
    assert asked.status == "pending"
    done = _text(banker.post(url, {"confirm": "on"}, follow=True))
    assert f"Consent given for {n}; the holder's next transfer uses it." in done


def test_refusing_consent_in_chinese_names_the_consequence_and_the_reason_field(
    pledged: tuple[Application, Pledge], personas: Personas, bank: Person
) -> None:
    application, pledge = pledged
    n = application.registration_number
    asked = _asked(personas, pledge)
    banker = client_for(bank.user, language="zh-hans")
    url = f"/bank/consents/{asked.pk}/refuse"
    page = _text(banker.get(url))
    assert f"确认后，不同意 {n} 的“转让”" in page
    assert "理由（不同意）" in page
    assert 'class="btn btn-danger"' in page
    done = _text(banker.post(url, {"reason": "贷款未清偿", "confirm": "on"}, follow=True))
    assert f"已不同意 {n} 的请求；已将您的理由告知权利人。" in done


@pytest.fixture
def proposed(personas: Personas, bank: Person) -> Pledge:
    application = at_stage(personas, Status.REGISTERED)
    return pledges.propose_pledge(
        application.pk,
        actor=bank.actor,
        amount="3000000",
        starts="2026-05-01",
        ends="2027-05-01",
        contract_reference="ZY-2026-09",
    )


def test_the_holder_confirming_a_pledge_is_told_it_encumbers_the_registration(
    proposed: Pledge, personas: Personas
) -> None:
    n = proposed.application.registration_number
    holder = client_for(personas.applicant.user)
    url = f"/pledges/{proposed.pk}/confirm"
    page = _text(holder.get(url))
    assert f"This confirms the pledge of {n} to 丙银行 Bank C; it stands and the public" in page
    assert holder.post(url, {}).status_code == 422
    proposed.refresh_from_db()
    assert proposed.status == PledgeStatus.PROPOSED
    done = _text(holder.post(url, {"confirm": "on"}, follow=True))
    assert f"The pledge of {n} to 丙银行 Bank C was confirmed and now stands" in done


def test_the_holder_declining_a_pledge_gives_the_reason_for_it(
    proposed: Pledge, personas: Personas
) -> None:
    n = proposed.application.registration_number
    holder = client_for(personas.applicant.user, language="zh-hans")
    url = f"/pledges/{proposed.pk}/decline"
    page = _text(holder.get(url))
    assert f"确认后，拒绝 {n} 向 丙银行 Bank C 的质押；该质押不成立。" in page
    assert 'class="btn btn-danger"' in page
    done = _text(holder.post(url, {"reason": "未签合同", "confirm": "on"}, follow=True))
    assert f"{n} 的质押已被拒绝；已将您的理由告知质权人。" in done


# ── change requests ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("language", "decision", "outcome"),
    [
        ("en", "approve", "The change to {n} was approved and applied; the certificate is"),
        ("zh-hans", "refuse", "{n} 的变更已驳回；登记保持不变，并已将理由告知权利人。"),
    ],
)
def test_deciding_a_change_names_both_consequences_and_says_what_was_decided(
    personas: Personas, language: str, decision: str, outcome: str
) -> None:
    registered = at_stage(personas, Status.REGISTERED)
    n = registered.registration_number
    change: ChangeRequest = changes.request_change(
        registered.pk, actor=personas.applicant.actor, values={"name": "新名称数据集"}
    )
    client: Client = client_for(personas.examiner.user, language=language)
    url = f"/examine/changes/{change.pk}"
    page = _text(client.get(url))
    if language == "en":
        assert f"Approving applies these changes to {n} and re-issues its certificate" in page
    else:
        assert f"批准将把上述变更记入 {n} 并重新签发证书" in page
    data = {"decision": decision, "reason": "与事实不符"}
    assert client.post(url, data).status_code == 422
    change.refresh_from_db()
    assert change.status == "pending"
    done = _text(client.post(url, {**data, "confirm": "on"}, follow=True))
    assert outcome.format(n=n) in done
