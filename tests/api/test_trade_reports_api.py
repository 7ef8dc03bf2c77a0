"""The trade-report API: a verified exchange's token reports, lists, reads and withdraws; a
holder's token lists the reports on its registration and disputes one; a reported transfer
proposes the transfer. Bad input names each field as sent, in the caller's language, and
records nothing; a token of another organisation, or of an unverified exchange, is refused."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.accounts.tokens import create_token
from dataip.registry.models import Application, Holder, Trade, Transfer
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc

pytestmark = pytest.mark.django_db


def member_of_exchange(index: int, username: str, verification: str = "verified") -> Person:
    holder = make_holder(index, f"上海数据交易所 {index}")
    Holder.objects.filter(pk=holder.pk).update(org_type="exchange", verification=verification)
    return make_person(username, Holder.objects.get(pk=holder.pk))


@pytest.fixture
def exchange(personas: Personas) -> Person:
    return member_of_exchange(60, "exchanger")


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def body(app: Application, **changes: Any) -> dict[str, Any]:
    return {
        "registrationNumber": app.registration_number,
        "contractReference": "SDE-2026-0001",
        "tradedOn": "2026-04-10",
        "amount": "880000",
        "kind": "licence",
        "buyerName": "丁科技有限公司",
        "buyerIdentifier": valid_uscc(70),
        "licenceKind": "ordinary",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
        **changes,
    }


def test_an_exchange_reports_and_the_holder_disputes(
    api: Api, tokens: Tokens, personas: Personas, registered: Application, exchange: Person
) -> None:
    sde = api.as_(create_token(exchange.user, "sde", ["trades"])[1])
    made = sde.post("trade-reports", body(registered))
    assert made.status_code == 201, made.content
    report = made.json()
    assert (report["status"], report["amount"], report["kind"]) == (
        "reported",
        "880000.00",
        "licence",
    )
    assert report["exchange"] == exchange.holder.name
    assert report["sellers"][0]["name"] == personas.applicant.holder.name
    assert report["buyer"] == {
        "holderId": None,
        "name": "丁科技有限公司",
        "identifier": valid_uscc(70),
    }
    assert report["transfer"] is None
    assert [r["id"] for r in sde.get("trade-reports").json()["items"]] == [report["id"]]
    assert sde.get(f"trade-reports/{report['id']}").json() == report

    own, other = api.as_(tokens.own), api.as_(tokens.other)
    number = registered.registration_number
    listed = own.get(f"registrations/{number}/trade-reports").json()["items"]
    assert [r["id"] for r in listed] == [report["id"]]
    assert_problem(other.get(f"registrations/{number}/trade-reports"), 404)
    assert_problem(other.get(f"trade-reports/{report['id']}"), 404)  # not its exchange's
    dispute = f"registrations/{number}/trade-reports/{report['id']}/dispute"
    assert field_names(assert_problem(own.post(dispute, {"reason": ""}), 422)) == ["reason"]
    disputed = own.post(dispute, {"reason": "金额不符"})
    assert disputed.status_code == 200, disputed.content
    assert (disputed.json()["status"], disputed.json()["disputeReason"]) == ("disputed", "金额不符")
    # The holder's list of trades marks it too.
    trades = own.get(f"registrations/{number}/trades").json()["items"]
    assert [(t["status"], t["statusLabel"]) for t in trades] == [
        ("disputed", "Disputed by the holder")
    ]
    assert sde.get(f"trade-reports/{report['id']}").json()["status"] == "disputed"
    # The exchange corrects it: withdraws, reports again.
    withdrawn = sde.post(f"trade-reports/{report['id']}/withdraw", {"reason": "金额有误"})
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "withdrawn"
    assert_problem(sde.post(f"trade-reports/{report['id']}/withdraw", {}), 409)
    again = sde.post("trade-reports", body(registered, amount="870000"))
    assert again.status_code == 201, again.content


def test_a_reported_transfer_waits_for_every_party(
    api: Api, tokens: Tokens, personas: Personas, registered: Application, exchange: Person
) -> None:
    sde = api.as_(create_token(exchange.user, "sde", ["trades"])[1])
    beta = personas.other_applicant.holder
    made = sde.post(
        "trade-reports",
        body(registered, kind="transfer", buyerIdentifier=beta.identifier, licenceKind=None),
    )
    assert made.status_code == 201, made.content
    transfer = made.json()["transfer"]
    assert transfer["status"] == "pending"
    assert made.json()["buyer"]["holderId"] == beta.pk
    other = api.as_(tokens.other)
    waiting = other.get("transfers/waiting").json()["items"]
    assert [t["id"] for t in waiting] == [transfer["id"]]
    assert waiting[0]["proposer"] == exchange.holder.name
    own = api.as_(tokens.own)
    assert own.post(f"transfers/{transfer['id']}/confirm").status_code == 200
    assert other.post(f"transfers/{transfer['id']}/confirm").json()["status"] == "confirmed"
    assert sde.get(f"trade-reports/{made.json()['id']}").json()["transfer"]["status"] == "confirmed"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "the buyer must sign up first"), ("zh-hans", "请买方先注册")],
)
def test_bad_input_names_each_field_as_sent_and_records_nothing(
    api: Api, registered: Application, exchange: Person, language: str, text: str
) -> None:
    sde = api.as_(create_token(exchange.user, "sde", ["trades"])[1])
    sde.language = language
    refused = assert_problem(
        sde.post(
            "trade-reports",
            body(
                registered,
                registrationNumber="NOPE1",
                contractReference=" ",
                buyerIdentifier="123",
                starts="2027-01-01",
                ends="2026-01-01",
            ),
        ),
        422,
    )
    assert sorted(field_names(refused)) == [
        "buyerIdentifier",
        "contractReference",
        "ends",
        "registrationNumber",
    ]
    refused = assert_problem(
        sde.post("trade-reports", body(registered, kind="transfer", licenceKind=None)), 422
    )
    assert field_names(refused) == ["buyerIdentifier"]
    assert text in refused["errors"][0]["reason"]
    assert not Trade.objects.exists()
    assert not Transfer.objects.exists()


def test_only_a_verified_exchange_with_the_trades_scope_reports(
    api: Api, tokens: Tokens, registered: Application, exchange: Person
) -> None:
    pending = member_of_exchange(61, "pending_sde", verification="pending")
    unverified = api.as_(create_token(pending.user, "sde", ["trades"])[1])
    assert_problem(unverified.post("trade-reports", body(registered)), 403)
    assert_problem(api.as_(tokens.other).post("trade-reports", body(registered)), 403)
    no_scope = api.as_(create_token(exchange.user, "reader", ["read"])[1])
    assert_problem(no_scope.post("trade-reports", body(registered)), 403, "scope_missing")
    assert not Trade.objects.exists()
