"""The holder's API after registration: licences, trades, service revenue, changes, renewal,
cancellation, valuations and the income split; the licensee's list. Bad input names each
field in the caller's language and records nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from dataip.registry import clock
from dataip.registry.models import (
    Application,
    ChangeRequest,
    Event,
    Licence,
    ServiceRevenue,
    Trade,
    Valuation,
)
from dataip.registry.services import applications as filing
from dataip.registry.services import licensing
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import at_stage, day, draft
from tests.support.personas import Personas
from tests.web._builders import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def holder(api: Api, tokens: Tokens) -> Api:
    return api.as_(tokens.own)


def path(app: Application, tail: str) -> str:
    return f"registrations/{app.registration_number}/{tail}"


def licence_body(personas: Personas, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "licensee": personas.other_applicant.holder.identifier,
        "kind": "ordinary",
        "scope": "商业分析",
        "territory": "nationwide",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
        "fee": "120000.50",
    }
    body.update(changes)
    return body


def count(app: Application, action: str) -> int:
    return Event.objects.filter(application=app, action=action).count()


# ── licences ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_holder_records_a_licence(
    holder: Api, personas: Personas, registered: Application, language: str
) -> None:
    holder.language = language
    response = holder.post(path(registered, "licences"), licence_body(personas))
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["licensee"] == {
        "holderId": personas.other_applicant.holder.pk,
        "name": personas.other_applicant.holder.name,
        "identifier": personas.other_applicant.holder.identifier,
    }
    assert (made["kind"], made["fee"], made["currency"]) == ("ordinary", "120000.50", "CNY")
    assert made["kindLabel"] == ("Ordinary (普通)" if language == "en" else "普通许可")
    assert made["registrationNumber"] == registered.registration_number
    assert Licence.objects.get().pk == made["id"]
    assert count(registered, "grant_licence") == 1
    public = holder.as_(None).get(f"registrations/{registered.registration_number}").json()
    assert [lic["ends"] for lic in public["licences"]] == ["2027-04-30"]
    listed = holder.get(path(registered, "licences")).json()["items"]
    assert [lic["id"] for lic in listed] == [made["id"]]


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "Give a valid unified social credit code or resident ID number."),
        ("zh", "请填写有效的统一社会信用代码或居民身份证号码。"),
    ],
)
def test_bad_licence_input_names_each_field_and_records_nothing(
    holder: Api, personas: Personas, registered: Application, language: str, reason: str
) -> None:
    holder.language = language
    before = Event.objects.count()
    body = licence_body(personas, licensee="X" * 18, ends="2026-01-01", fee="1.234", scope=" ")
    problem = assert_problem(holder.post(path(registered, "licences"), body), 422)
    assert sorted(field_names(problem)) == ["ends", "fee", "licensee", "licenseeName", "scope"]
    assert reason in [e["reason"] for e in problem["errors"]]
    assert Licence.objects.count() == 0
    assert Event.objects.count() == before


def test_a_registration_of_another_holder_is_not_found(
    api: Api, tokens: Tokens, personas: Personas, registered: Application
) -> None:
    for token in (tokens.other, tokens.bank):
        caller = api.as_(token)
        assert_problem(caller.post(path(registered, "licences"), licence_body(personas)), 404)
        assert_problem(caller.get(path(registered, "trades")), 404)
    assert_problem(api.post(path(registered, "licences"), licence_body(personas)), 401)
    assert Licence.objects.count() == 0


def test_the_licensee_lists_the_licences_granted_to_it(
    api: Api, tokens: Tokens, personas: Personas, registered: Application
) -> None:
    licensing.grant_licence(
        registered.pk,
        actor=personas.applicant.actor,
        licensee_id=personas.other_applicant.holder.pk,
        kind="sole",
        scope="内部研究",
        territory="上海",
        starts="2026-05-01",
        ends="2027-04-30",
    )
    mine = api.as_(tokens.other).get("licences").json()["items"]
    assert [(lic["kind"], lic["scope"]) for lic in mine] == [("sole", "内部研究")]
    assert api.as_(tokens.own).get("licences").json()["items"] == []
    assert api.as_(tokens.bank).get("licences").json()["items"] == []


def test_ending_a_licence(
    holder: Api, api: Api, tokens: Tokens, personas: Personas, registered: Application
) -> None:
    made = holder.post(path(registered, "licences"), licence_body(personas)).json()
    refused = api.as_(tokens.other).post(f"licences/{made['id']}/end", {"reason": "x"})
    assert_problem(refused, 404)  # the licensee cannot end it here
    bad = holder.post(f"licences/{made['id']}/end", {"reason": "解约", "on": "2020-01-01"})
    assert field_names(assert_problem(bad, 422)) == ["on"]
    ended = holder.post(f"licences/{made['id']}/end", {"reason": "解约", "on": "2026-06-01"})
    assert ended.status_code == 200, ended.content
    assert (ended.json()["endedOn"], ended.json()["endReason"]) == ("2026-06-01", "解约")
    assert ended.json()["inForce"] is False
    assert count(registered, "end_licence") == 1
    again = holder.post(f"licences/{made['id']}/end", {"reason": "再次"})
    assert_problem(again, 404)


# ── trades, revenue, income ────────────────────────────────────────────────────────────


def test_trades_and_revenue_and_the_income_split(
    holder: Api, api: Api, tokens: Tokens, personas: Personas
) -> None:
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "70", beta.pk: "30"}, at=day(0)
    )
    app = advance(personas, app, Status.REGISTERED)
    trade = {
        "exchange": "上海数据交易所",
        "contractReference": "SDE-1",
        "tradedOn": "2026-05-02",
        "amount": "1000",
    }
    made = holder.post(path(app, "trades"), trade)
    assert made.status_code == 201, made.content
    assert (made.json()["amount"], made.json()["contractReference"]) == ("1000.00", "SDE-1")
    revenue = {"periodStart": "2026-05-01", "periodEnd": "2026-05-31", "amount": 500}
    beta_api = api.as_(tokens.other)  # a joint holder acts too
    assert beta_api.post(path(app, "revenue"), revenue).status_code == 201
    assert [t["exchange"] for t in holder.get(path(app, "trades")).json()["items"]] == [
        "上海数据交易所"
    ]
    assert len(beta_api.get(path(app, "revenue")).json()["items"]) == 1
    split = holder.get(path(app, "income")).json()["holders"]
    assert [(h["share"], h["trades"], h["revenue"], h["total"], h["currency"]) for h in split] == [
        ("70.00", "700.00", "350.00", "1050.00", "CNY"),
        ("30.00", "300.00", "150.00", "450.00", "CNY"),
    ]
    assert count(app, "record_trade") == count(app, "record_revenue") == 1


@pytest.mark.parametrize(
    ("language", "reason"), [("en", "Must be more than zero."), ("zh", "必须大于零。")]
)
def test_bad_trade_and_revenue_are_refused(
    holder: Api, registered: Application, language: str, reason: str
) -> None:
    holder.language = language
    trade = {
        "exchange": "",
        "contractReference": "SDE-1",
        "tradedOn": "2026-05-02",
        "amount": "0",
        "currency": "USD",
    }
    problem = assert_problem(holder.post(path(registered, "trades"), trade), 422)
    assert sorted(field_names(problem)) == ["amount", "currency", "exchange"]
    assert reason in [e["reason"] for e in problem["errors"]]
    revenue = {"periodStart": "2026-05-31", "periodEnd": "2026-05-01", "amount": "-1"}
    problem = assert_problem(holder.post(path(registered, "revenue"), revenue), 422)
    assert sorted(field_names(problem)) == ["amount", "periodEnd"]
    malformed = holder.post(path(registered, "trades"), {**trade, "tradedOn": "May 2"})
    assert field_names(assert_problem(malformed, 422)) == ["tradedOn"]
    assert Trade.objects.count() == ServiceRevenue.objects.count() == 0


# ── changes, renewal, cancellation, valuations ─────────────────────────────────────────


def test_a_change_request(holder: Api, registered: Application) -> None:
    made = holder.post(path(registered, "changes"), {"recordCount": 2_000_000, "nameEn": "New"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "pending"  # Shanghai examines changes first
    assert body["changes"]["recordCount"] == {"old": 1_000_000, "new": 2_000_000}
    assert ChangeRequest.objects.count() == 1
    assert [c["id"] for c in holder.get(path(registered, "changes")).json()["items"]] == [
        body["id"]
    ]
    again = holder.post(path(registered, "changes"), {"summary": "再改"})
    assert_problem(again, 409)  # one change request at a time
    assert ChangeRequest.objects.count() == 1


def test_a_bad_change_request_records_nothing(holder: Api, registered: Application) -> None:
    assert field_names(assert_problem(holder.post(path(registered, "changes"), {}), 422)) == [
        "values"
    ]
    unknown = holder.post(path(registered, "changes"), {"processingDetails": "秘密"})
    assert field_names(assert_problem(unknown, 422)) == ["processingDetails"]
    wrong = holder.post(path(registered, "changes"), {"updateFrequency": "hourly"})
    assert field_names(assert_problem(wrong, 422)) == ["updateFrequency"]
    assert ChangeRequest.objects.count() == 0


def test_renewal_only_inside_the_window(
    holder: Api, registered: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = assert_problem(holder.post(path(registered, "renewal")), 409)
    assert "Renewal is possible from" in problem["detail"]
    valid_until = registered.valid_until
    assert valid_until is not None
    inside = datetime.combine(valid_until - timedelta(days=5), time(2), UTC)
    monkeypatch.setattr(clock, "now", lambda: inside)
    renewed = holder.post(path(registered, "renewal"))
    assert renewed.status_code == 200, renewed.content
    assert renewed.json()["validUntil"] > valid_until.isoformat()
    assert renewed.json()["certificateVersion"] == registered.certificate_version + 1
    assert count(registered, "renew") == 1


@pytest.mark.parametrize("language", ["en", "zh"])
def test_cancellation(holder: Api, registered: Application, language: str) -> None:
    holder.language = language
    missing = holder.post(path(registered, "cancellation"), {})
    assert field_names(assert_problem(missing, 422)) == ["reason"]
    done = holder.post(path(registered, "cancellation"), {"reason": "停止运营"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled"
    assert done.json()["statusLabel"] == ("Cancelled" if language == "en" else "已注销")
    after = holder.post(path(registered, "trades"), {"exchange": "x"})
    assert after.status_code == 422  # the body is checked first, then the state
    refused = holder.post(
        path(registered, "revenue"),
        {"periodStart": "2026-05-01", "periodEnd": "2026-05-31", "amount": 1},
    )
    assert_problem(refused, 409)


def test_valuations(holder: Api, personas: Personas, registered: Application) -> None:
    trade = licensing.record_trade(
        registered.pk,
        actor=personas.applicant.actor,
        exchange="上海数据交易所",
        contract_reference="SDE-9",
        traded_on="2026-05-02",
        amount="500",
    )
    body = {
        "method": "income",
        "evaluator": "某资产评估有限公司",
        "valuedOn": "2026-05-03",
        "value": "8000000",
        "inputs": {"discountRate": "8%"},
        "tradeId": trade.pk,
    }
    bad = holder.post(path(registered, "valuations"), {**body, "pledgeId": 999, "value": "0"})
    assert sorted(field_names(assert_problem(bad, 422))) == ["pledgeId", "value"]
    assert Valuation.objects.count() == 0
    made = holder.post(path(registered, "valuations"), body)
    assert made.status_code == 201, made.content
    assert (made.json()["methodLabel"], made.json()["tradeId"]) == ("Income approach", trade.pk)
    listed = holder.get(path(registered, "valuations")).json()["items"]
    assert [v["inputs"] for v in listed] == [{"discountRate": "8%"}]
    assert count(registered, "record_valuation") == 1
