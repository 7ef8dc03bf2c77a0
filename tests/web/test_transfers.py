"""Transfers on the web: the holder proposes (confirmed first) and may withdraw; the assignee
and every other joint holder confirm or decline under "Transfers waiting for you". Licences to
parties outside the registry. In Chinese and English; bad input names each field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dataip.accounts.models import User
from dataip.registry.models import Application, Event, Licence, RecordStatus, Transfer
from dataip.registry.services import applications as filing
from dataip.registry.services import changes, pledges
from dataip.registry.workflow import Status
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc
from tests.web._builders import advance, freeze
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
NOW = day(40)
LOGIN = 302


@dataclass
class World:
    personas: Personas
    gamma: Person
    bank: Person
    registered: Application

    def user(self, persona: str) -> User | None:
        p = self.personas
        return {
            "anonymous": None,
            "holder": p.applicant.user,
            "joint_holder": p.other_applicant.user,
            "assignee": self.gamma.user,
            "bank": self.bank.user,
            "examiner": p.examiner.user,
        }[persona]

    def client(self, persona: str, language: str = "en") -> Client:
        return client_for(self.user(persona), language=language)

    def url(self, tail: str = "") -> str:
        return f"/applications/{self.registered.pk}/rights/{tail}"

    def propose(self) -> Transfer:
        return changes.propose_transfer(
            self.registered.pk,
            actor=self.personas.applicant.actor,
            assignee_id=self.gamma.holder.pk,
            contract_date="2026-04-01",
            effective_date="2026-04-15",
            price="800000",
        )


@pytest.fixture
def world(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> World:
    """A registration held by Alpha (60 %) and Beta (40 %); Gamma may become the assignee."""
    freeze(monkeypatch, NOW)
    gamma = make_person("gamma", make_holder(42, "戊数据有限公司 Gamma Data"))
    bank = make_person("bank", make_holder(41, "丙银行 Bank C"))
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "60", beta.pk: "40"}, at=day(0)
    )
    return World(personas, gamma, bank, advance(personas, app, Status.REGISTERED))


def transfer_form(world: World, **changes: str) -> dict[str, str]:
    values = {
        "assignee": world.gamma.holder.identifier,
        "contract_date": "2026-04-01",
        "effective_date": "2026-04-15",
        "price": "800000.00",
        "currency": "CNY",
    }
    values.update(changes)
    return values


# ── the holder proposes and withdraws ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("language", "done"),
    [
        ("en", "The transfer was proposed."),
        ("zh-hans", "转让已提出。"),
    ],
)
def test_the_holder_proposes_a_transfer_after_confirming(
    world: World, language: str, done: str
) -> None:
    client = world.client("holder", language)
    manage = client.get(world.url()).content.decode()
    assert world.url("transfer") in manage
    first = client.post(world.url("transfer"), transfer_form(world))
    assert first.status_code == 200
    assert 'name="confirmed"' in first.content.decode()
    assert not Transfer.objects.exists()
    second = client.post(
        world.url("transfer"), {**transfer_form(world), "confirmed": "True"}, follow=True
    )
    assert second.status_code == 200
    assert done in second.content.decode()
    transfer = Transfer.objects.get()
    assert (transfer.assignee_id, transfer.price, transfer.proposer_id) == (
        world.gamma.holder.pk,
        Decimal("800000.00"),
        world.personas.applicant.holder.pk,
    )
    page = client.get(world.url()).content.decode()
    assert "戊数据有限公司" in page
    assert "乙数据科技有限公司" in page  # Beta is still waiting to confirm
    assert f"transfers/{transfer.pk}/withdraw" in page


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        ("en", ["No such holder.", "Must be a date (YYYY-MM-DD)."]),
        ("zh-hans", ["该登记主体不存在。", "必须为日期（YYYY-MM-DD）。"]),
    ],
)
def test_bad_transfer_input_names_each_field_and_records_nothing(
    world: World, language: str, reasons: list[str]
) -> None:
    before = Event.objects.count()
    form = {**transfer_form(world, assignee="X" * 18, contract_date="昨天"), "confirmed": "True"}
    response = world.client("holder", language).post(world.url("transfer"), form)
    assert response.status_code == 422
    text = response.content.decode()
    for reason in reasons:
        assert reason in text, reason
    assert 'value="XXXXXXXXXXXXXXXXXX"' in text
    assert not Transfer.objects.exists()
    assert Event.objects.count() == before


def test_a_standing_pledge_refuses_the_transfer_with_the_reason(world: World) -> None:
    pledges.pledge(
        world.registered.pk,
        actor=world.personas.applicant.actor,
        pledgee_id=world.bank.holder.pk,
        amount="1000",
        starts="2026-04-01",
        ends="2027-03-31",
        contract_reference="ZY-1",
    )
    for language, reason in (
        ("en", "the pledgee must consent first"),
        ("zh-hans", "须先取得质权人同意"),
    ):
        client = world.client("holder", language)
        assert reason in client.get(world.url("transfer")).content.decode()
        form = {**transfer_form(world), "confirmed": "True"}
        assert client.post(world.url("transfer"), form).status_code == 409
    assert not Transfer.objects.exists()


def test_the_proposer_withdraws_after_confirming(world: World) -> None:
    transfer = world.propose()
    url = world.url(f"transfers/{transfer.pk}/withdraw")
    assert world.client("joint_holder").get(url).status_code == 404  # not the proposer
    joint_page = world.client("joint_holder").get(world.url()).content.decode()
    assert url not in joint_page
    assert f"/transfers/{transfer.pk}/confirm" in joint_page  # Beta is still to confirm
    client = world.client("holder", "zh-hans")
    first = client.post(url, {"reason": "另行协商"})
    assert first.status_code == 200
    assert 'name="confirmed"' in first.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.PENDING
    assert client.post(url, {"reason": "另行协商", "confirmed": "True"}).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason) == (RecordStatus.CANCELLED, "另行协商")
    assert "另行协商" in client.get(world.url()).content.decode()


# ── the parties confirm or decline ────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("persona", "expected", "shown"),
    [
        ("anonymous", LOGIN, False),
        ("holder", 200, False),  # the proposer does not confirm its own proposal
        ("joint_holder", 200, True),
        ("assignee", 200, True),
        ("bank", 200, False),
        ("examiner", 404, False),
    ],
)
def test_transfers_waiting_for_each_persona(
    world: World, persona: str, expected: int, shown: bool
) -> None:
    transfer = world.propose()
    response = world.client(persona).get("/transfers/waiting")
    assert response.status_code == expected
    if expected == 200:
        assert (f"/transfers/{transfer.pk}/confirm" in response.content.decode()) == shown
    confirm = world.client(persona).post(f"/transfers/{transfer.pk}/confirm", {"confirm": "on"})
    assert confirm.status_code == (302 if shown or persona == "anonymous" else 404)


def test_the_assignee_and_the_joint_holder_confirm_and_the_right_moves(world: World) -> None:
    transfer = world.propose()
    assignee = world.client("assignee", "zh-hans")
    page = assignee.get(f"/transfers/{transfer.pk}/confirm")
    assert page.status_code == 200
    assert "800000.00 CNY" in page.content.decode()
    unticked = assignee.post(f"/transfers/{transfer.pk}/confirm", {})
    assert unticked.status_code == 422
    assert transfer.confirmations.count() == 0
    done = assignee.post(f"/transfers/{transfer.pk}/confirm", {"confirm": "on"}, follow=True)
    assert "您的确认已记录" in done.content.decode()
    assert transfer.confirmations.count() == 1
    assert world.client("assignee").get(world.url()).status_code == 404  # not yet a holder
    joint = world.client("joint_holder")
    assert joint.post(f"/transfers/{transfer.pk}/confirm", {"confirm": "on"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == RecordStatus.CONFIRMED
    holders = list(world.registered.holders.values_list("holder_id", "share"))
    assert holders == [(world.gamma.holder.pk, Decimal(100))]
    assert world.client("assignee").get(world.url()).status_code == 200
    assert world.client("holder").get(world.url()).status_code == 404


@pytest.mark.parametrize(
    ("language", "required"), [("en", "This field is required."), ("zh-hans", "此字段为必填项。")]
)
def test_a_party_declines_with_a_reason(world: World, language: str, required: str) -> None:
    transfer = world.propose()
    client = world.client("joint_holder", language)
    url = f"/transfers/{transfer.pk}/decline"
    empty = client.post(url, {"confirm": "on", "reason": ""})
    assert empty.status_code == 422
    assert required in empty.content.decode()
    assert client.post(url, {"confirm": "on", "reason": "价格过低"}).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason, transfer.declined_by_id) == (
        RecordStatus.CANCELLED,
        "价格过低",
        world.personas.other_applicant.holder.pk,
    )
    page = world.client("holder").get(world.url()).content.decode()
    assert "价格过低" in page
    assert world.client("assignee").get(url).status_code == 404  # nothing waits any more


# ── licences to parties outside the registry ─────────────────────────────────────────


def licence_form(**changes: str) -> dict[str, str]:
    values = {
        "licensee": valid_uscc(88),
        "licensee_name": "己数据应用公司",
        "kind": "ordinary",
        "scope": "商业分析",
        "territory": "nationwide",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
        "fee": "1000",
        "currency": "CNY",
    }
    values.update(changes)
    return values


def test_a_licence_to_a_party_outside_the_registry(world: World) -> None:
    client = world.client("holder")
    assert client.post(world.url("licence"), licence_form()).status_code == 302
    licence = Licence.objects.get()
    assert (licence.licensee_id, licence.licensee_name) == (None, "己数据应用公司")
    page = client.get(world.url()).content.decode()
    assert "己数据应用公司" in page
    assert valid_uscc(88) in page
    public = Client().get(f"/registry/{world.registered.number}").content.decode()
    assert "己数据应用公司" not in public  # licensees are not published


@pytest.mark.parametrize(
    ("language", "form", "reason"),
    [
        ("en", licence_form(licensee_name=""), "This field is required."),
        ("zh-hans", licence_form(licensee="91310000000000001X"), "有效的统一社会信用代码"),
        ("en", {}, "A holder of the right cannot be its licensee."),
        ("zh-hans", {}, "权利人不能成为本登记的被许可方。"),
    ],
)
def test_a_bad_licensee_is_named_on_the_form(
    world: World, language: str, form: dict[str, Any], reason: str
) -> None:
    if not form:  # a joint holder of the registration itself
        form = licence_form(licensee=world.personas.other_applicant.holder.identifier)
    response = world.client("holder", language).post(world.url("licence"), form)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert not Licence.objects.exists()
