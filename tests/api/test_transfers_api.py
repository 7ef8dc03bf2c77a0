"""The transfer API: the holder proposes and withdraws; the assignee and every other joint
holder list what waits for them, and confirm or decline. Licences to parties outside the
registry. Bad input names each field in the caller's language and records nothing."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.accounts.tokens import create_token
from dataip.registry.models import Application, Event, Licence, RecordStatus, Transfer
from dataip.registry.services import applications as filing
from dataip.registry.services import pledges
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc
from tests.web._builders import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def gamma(personas: Personas) -> Person:
    return make_person("gamma", make_holder(3, "戊数据有限公司 Gamma Data"))


@pytest.fixture
def joint(personas: Personas) -> Application:
    """Held by Alpha ("own", 60 %) and Beta ("other", 40 %)."""
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "60", beta.pk: "40"}, at=day(0)
    )
    return advance(personas, app, Status.REGISTERED)


def body(assignee: Person, **changes: Any) -> dict[str, Any]:
    return {
        "assignee": assignee.holder.identifier,
        "contractDate": "2026-05-01",
        "effectiveDate": "2026-05-10",
        "price": "2000000.00",
        **changes,
    }


def url(app: Application) -> str:
    return f"registrations/{app.registration_number}/transfers"


def test_a_transfer_takes_effect_once_the_assignee_and_the_joint_holder_confirm(
    api: Api, tokens: Tokens, personas: Personas, joint: Application, gamma: Person
) -> None:
    own, beta = api.as_(tokens.own), api.as_(tokens.other)
    assignee = api.as_(create_token(gamma.user, "gamma")[1])
    made = own.post(url(joint), body(gamma))
    assert made.status_code == 201, made.content
    proposed = made.json()
    assert (proposed["status"], proposed["price"], proposed["assignee"]) == (
        "pending",
        "2000000.00",
        gamma.holder.name,
    )
    assert sorted(proposed["waitingFor"]) == sorted(
        [personas.other_applicant.holder.name, gamma.holder.name]
    )
    assert own.get("transfers/waiting").json()["items"] == []
    assert [t["id"] for t in assignee.get("transfers/waiting").json()["items"]] == [proposed["id"]]
    assert_problem(own.post(f"transfers/{proposed['id']}/confirm"), 404)

    first = assignee.post(f"transfers/{proposed['id']}/confirm")
    assert first.status_code == 200, first.content
    assert (first.json()["status"], first.json()["confirmedBy"]) == ("pending", [gamma.holder.name])
    assert first.json()["waitingFor"] == [personas.other_applicant.holder.name]
    last = beta.post(f"transfers/{proposed['id']}/confirm")
    assert last.status_code == 200, last.content
    assert last.json()["status"] == "confirmed"
    assert last.json()["waitingFor"] == []
    assert list(joint.holders.values_list("holder_id", flat=True)) == [gamma.holder.pk]
    listed = assignee.get(url(joint)).json()["items"]  # Gamma holds it now
    assert [t["status"] for t in listed] == ["confirmed"]
    assert_problem(own.get(url(joint)), 404)


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        (
            "en",
            {"assignee": "No such holder.", "price": "Must be a number with at most two decimals."},
        ),
        ("zh", {"assignee": "该登记主体不存在。", "price": "必须为数字，最多两位小数。"}),
    ],
)
def test_bad_transfer_input_names_each_field_and_records_nothing(
    api: Api, tokens: Tokens, joint: Application, gamma: Person, language: str, reasons: Any
) -> None:
    own = api.as_(tokens.own)
    own.language = language
    before = Event.objects.count()
    sent = {**body(gamma, price="1.234"), "assignee": "X" * 18}
    problem = assert_problem(own.post(url(joint), sent), 422)
    assert sorted(field_names(problem)) == ["assignee", "price"]
    got = {e["name"]: e["reason"] for e in problem["errors"]}
    assert got == reasons
    assert not Transfer.objects.exists()
    assert Event.objects.count() == before


def test_a_party_declines_and_the_proposer_withdraws(
    api: Api, tokens: Tokens, personas: Personas, joint: Application, gamma: Person
) -> None:
    own, beta = api.as_(tokens.own), api.as_(tokens.other)
    first = own.post(url(joint), body(gamma)).json()
    assert field_names(assert_problem(beta.post(f"transfers/{first['id']}/decline", {}), 422)) == [
        "reason"
    ]
    assert_problem(own.post(f"transfers/{first['id']}/decline", {"reason": "x"}), 404)
    declined = beta.post(f"transfers/{first['id']}/decline", {"reason": "价格过低"}).json()
    assert (declined["status"], declined["reason"], declined["declinedBy"]) == (
        "cancelled",
        "价格过低",
        personas.other_applicant.holder.name,
    )
    second = own.post(url(joint), body(gamma)).json()
    assert_problem(beta.post(f"transfers/{second['id']}/cancel", {}), 404)
    withdrawn = own.post(f"transfers/{second['id']}/cancel", {"reason": "另行协商"}).json()
    assert (withdrawn["status"], withdrawn["reason"], withdrawn["declinedBy"]) == (
        "cancelled",
        "另行协商",
        None,
    )
    assert Transfer.objects.filter(status=RecordStatus.PENDING).count() == 0


def test_a_pledge_without_consent_refuses_the_transfer(
    api: Api, tokens: Tokens, personas: Personas, joint: Application, gamma: Person, bank: Person
) -> None:
    pledges.pledge(
        joint.pk,
        actor=personas.applicant.actor,
        pledgee_id=bank.holder.pk,
        amount="1000",
        starts="2026-05-01",
        ends="2027-04-30",
        contract_reference="ZY-1",
    )
    own = api.as_(tokens.own)
    own.language = "zh"
    problem = assert_problem(own.post(url(joint), body(gamma)), 409)
    assert "质权人同意" in problem["detail"]
    assert not Transfer.objects.exists()


def test_a_licence_to_a_party_outside_the_registry(
    api: Api, tokens: Tokens, personas: Personas, joint: Application
) -> None:
    own = api.as_(tokens.own)
    code = valid_uscc(90)
    sent = {
        "licensee": code,
        "licenseeName": "己数据应用公司",
        "kind": "ordinary",
        "scope": "商业分析",
        "territory": "nationwide",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
    }
    made = own.post(f"registrations/{joint.registration_number}/licences", sent)
    assert made.status_code == 201, made.content
    licensee = made.json()["licensee"]
    assert licensee == {"holderId": None, "name": "己数据应用公司", "identifier": code}
    unnamed = own.post(
        f"registrations/{joint.registration_number}/licences",
        {**sent, "licensee": valid_uscc(91), "licenseeName": ""},
    )
    assert field_names(assert_problem(unnamed, 422)) == ["licenseeName"]
    to_holder = own.post(  # Beta holds the right with Alpha
        f"registrations/{joint.registration_number}/licences",
        {**sent, "licensee": personas.other_applicant.holder.identifier},
    )
    assert field_names(assert_problem(to_holder, 422)) == ["licensee"]
    assert Licence.objects.count() == 1
