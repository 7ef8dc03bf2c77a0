"""The holder's pages after registration (and the licensee's): licences, trades, service
revenue, changes, renewal, cancellation, valuations and the income split, as every persona,
in Chinese and English; bad input names each field and records nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dataip.accounts.models import User
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
from dataip.registry.services import licensing, pledges
from dataip.registry.workflow import Status
from tests.support.builders import day, draft
from tests.support.personas import Person, Personas, make_holder, make_person
from tests.web._builders import advance, freeze
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
NOW = day(40)
"""Ten days after the registration (day 30)."""
LOGIN = 302


@dataclass
class World:
    personas: Personas
    licensee: Person
    bank: Person
    registered: Application

    def user(self, persona: str) -> User | None:
        p = self.personas
        return {
            "anonymous": None,
            "holder": p.applicant.user,
            "other_holder": p.other_applicant.user,
            "licensee": self.licensee.user,
            "bank": self.bank.user,
            "examiner": p.examiner.user,
        }[persona]

    def client(self, persona: str, language: str = "en") -> Client:
        return client_for(self.user(persona), language=language)

    def url(self, tail: str = "") -> str:
        return f"/applications/{self.registered.pk}/rights/{tail}"


@pytest.fixture
def world(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> World:
    freeze(monkeypatch, NOW)
    licensee = make_person("licensee", make_holder(40, "丁数据服务有限公司 Delta Services"))
    bank = make_person("bank", make_holder(41, "丙银行 Bank C"))
    registered = advance(personas, draft(personas), Status.REGISTERED)
    return World(personas, licensee, bank, registered)


def licence_form(world: World, **changes: str) -> dict[str, str]:
    values = {
        "licensee": world.licensee.holder.identifier,
        "kind": "ordinary",
        "scope": "商业分析",
        "territory": "nationwide",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
        "fee": "120000.50",
        "currency": "CNY",
    }
    values.update(changes)
    return values


def grant(world: World, **changes: Any) -> Licence:
    values: dict[str, Any] = {
        "licensee_id": world.licensee.holder.pk,
        "kind": "ordinary",
        "scope": "分析",
        "territory": "nationwide",
        "starts": "2026-04-01",
        "ends": "2027-03-31",
        "fee": "100",
        **changes,
    }
    return licensing.grant_licence(
        world.registered.pk, actor=world.personas.applicant.actor, **values
    )


def events(world: World, action: str) -> int:
    return Event.objects.filter(application=world.registered, action=action).count()


# ── who may see and do what ────────────────────────────────────────────────────────────

PERSONAS = ("anonymous", "holder", "other_holder", "licensee", "bank", "examiner")


def holder_only(ok: int = 200) -> dict[str, int]:
    return {**dict.fromkeys(PERSONAS, 404), "anonymous": LOGIN, "holder": ok}


MATRIX: dict[str, tuple[str, str, dict[str, str], dict[str, int]]] = {
    "manage": ("get", "", {}, holder_only()),
    "licence form": ("get", "licence", {}, holder_only()),
    "trade form": ("get", "trade", {}, holder_only()),
    "revenue form": ("get", "revenue", {}, holder_only()),
    "change form": ("get", "change", {}, holder_only()),
    "renewal": ("get", "renewal", {}, holder_only()),
    "cancel form": ("get", "cancel", {}, holder_only()),
    "valuation form": ("get", "valuation", {}, holder_only()),
    "end licence form": ("get", "licences/{licence}/end", {}, holder_only()),
    "report a trade": (
        "post",
        "trade",
        {
            "exchange": "上海数据交易所",
            "contract_reference": "SDE-1",
            "traded_on": "2026-04-05",
            "amount": "10",
            "currency": "CNY",
        },
        holder_only(302),
    ),
}
CASES = [(key, persona) for key in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("key", "persona"), CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_access(world: World, key: str, persona: str) -> None:
    licence = grant(world)
    method, tail, data, expected = MATRIX[key]
    client = world.client(persona)
    url = world.url(tail.format(licence=licence.pk))
    trades = Trade.objects.count()
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == expected[persona], (key, persona)
    if persona == "anonymous":
        assert response["Location"].startswith("/account/login")
    if method == "post":
        assert Trade.objects.count() == trades + (1 if persona == "holder" else 0)


@pytest.mark.parametrize(
    ("persona", "expected", "count"),
    [
        ("anonymous", LOGIN, 0),
        ("holder", 200, 0),
        ("other_holder", 200, 0),
        ("licensee", 200, 1),
        ("bank", 200, 0),
        ("examiner", 404, 0),
    ],
)
def test_the_licensee_sees_the_licences_granted_to_it(
    world: World, persona: str, expected: int, count: int
) -> None:
    grant(world, scope="独家的分析用途")
    response = world.client(persona).get("/licences/")
    assert response.status_code == expected
    if expected == 200:
        assert response.content.decode().count("独家的分析用途") == count


def test_the_application_page_links_the_management_page(world: World) -> None:
    text = world.client("holder").get(f"/applications/{world.registered.pk}").content.decode()
    assert world.url() in text


# ── licences ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("language", "done"), [("en", "The licence was recorded."), ("zh-hans", "许可已备案。")]
)
def test_a_holder_records_a_licence(world: World, language: str, done: str) -> None:
    client = world.client("holder", language)
    response = client.post(world.url("licence"), licence_form(world), follow=True)
    assert response.status_code == 200
    assert done in response.content.decode()
    licence = Licence.objects.get()
    assert (licence.licensee_id, licence.kind, str(licence.amount)) == (
        world.licensee.holder.pk,
        "ordinary",
        "120000.50",
    )
    assert events(world, "grant_licence") == 1
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/registry/{world.registered.number}")
    text = public.content.decode()
    assert "Licences" in text
    assert "2027-04-30" in text
    assert "120000" not in text  # the fee is the holder's business
    manage = client.get(world.url()).content.decode()
    assert "丁数据服务有限公司" in manage


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        (
            "en",
            [
                "Give a valid unified social credit code or resident ID number.",
                "Must not be before the start.",
                "Must be a number.",
            ],
        ),
        (
            "zh-hans",
            [
                "请填写有效的统一社会信用代码或居民身份证号码。",
                "不得早于开始日期。",
                "必须为数字。",
            ],
        ),
    ],
)
def test_bad_licence_input_names_each_field_and_records_nothing(
    world: World, language: str, reasons: list[str]
) -> None:
    before = Event.objects.count()
    form = licence_form(world, licensee="X" * 18, ends="2026-01-01", fee="abc", territory="")
    response = world.client("holder", language).post(world.url("licence"), form)
    assert response.status_code == 422
    text = response.content.decode()
    for reason in reasons:
        assert reason in text, reason
    assert 'value="XXXXXXXXXXXXXXXXXX"' in text  # what was typed is kept
    assert "商业分析" in text
    assert Licence.objects.count() == 0
    assert Event.objects.count() == before


def test_an_overlapping_exclusive_licence_is_refused_on_the_form(world: World) -> None:
    grant(world, kind="exclusive", starts="2026-05-01", ends="2027-04-30")
    form = licence_form(world, kind="sole")
    response = world.client("holder").post(world.url("licence"), form)
    assert response.status_code == 422
    assert "An exclusive or sole licence cannot overlap another licence in force." in (
        response.content.decode()
    )
    assert Licence.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_ending_a_licence_asks_for_confirmation_first(world: World, language: str) -> None:
    licence = grant(world)
    client = world.client("holder", language)
    url = world.url(f"licences/{licence.pk}/end")
    form = {"on": "2026-04-20", "reason": "合同解除"}
    first = client.post(url, form)
    assert first.status_code == 200
    assert 'name="confirmed"' in first.content.decode()
    licence.refresh_from_db()
    assert licence.ended_on is None
    second = client.post(url, {**form, "confirmed": "True"})
    assert second.status_code == 302
    licence.refresh_from_db()
    assert (f"{licence.ended_on:%Y-%m-%d}", licence.end_reason) == ("2026-04-20", "合同解除")
    assert events(world, "end_licence") == 1


def test_ending_a_licence_before_it_starts_is_refused(world: World) -> None:
    licence = grant(world)
    url = world.url(f"licences/{licence.pk}/end")
    response = world.client("holder").post(
        url, {"on": "2020-01-01", "reason": "x", "confirmed": "True"}
    )
    assert response.status_code == 422
    assert "Must not be before the licence starts." in response.content.decode()
    licence.refresh_from_db()
    assert licence.ended_on is None


# ── trades and service revenue ─────────────────────────────────────────────────────────


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_holder_reports_a_trade(world: World, language: str) -> None:
    form = {
        "exchange": "上海数据交易所",
        "contract_reference": "SDE-2026-7",
        "traded_on": "2026-04-05",
        "amount": "350000",
        "currency": "CNY",
    }
    response = world.client("holder", language).post(world.url("trade"), form)
    assert response.status_code == 302
    trade = Trade.objects.get()
    assert (trade.exchange, trade.contract_reference, str(trade.amount)) == (
        "上海数据交易所",
        "SDE-2026-7",
        "350000.00",
    )
    assert events(world, "record_trade") == 1
    assert "SDE-2026-7" in world.client("holder").get(world.url()).content.decode()


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        ("en", ["Must be more than zero.", "Must be a date (YYYY-MM-DD).", "Amounts must be in"]),
        ("zh-hans", ["必须大于零。", "必须为日期（YYYY-MM-DD）。", "金额"]),
    ],
)
def test_bad_trade_input_names_each_field(world: World, language: str, reasons: list[str]) -> None:
    before = Event.objects.count()
    form = {
        "exchange": "上海数据交易所",
        "contract_reference": "SDE-1",
        "traded_on": "5 April",
        "amount": "0",
        "currency": "USD",
    }
    response = world.client("holder", language).post(world.url("trade"), form)
    assert response.status_code == 422
    text = response.content.decode()
    for reason in reasons:
        assert reason in text, reason
    assert 'value="5 April"' in text
    assert Trade.objects.count() == 0
    assert Event.objects.count() == before


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_holder_records_service_revenue(world: World, language: str) -> None:
    form = {
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "amount": "88000.10",
        "currency": "CNY",
        "description": "数据 API 服务",
    }
    assert world.client("holder", language).post(world.url("revenue"), form).status_code == 302
    revenue = ServiceRevenue.objects.get()
    assert (str(revenue.amount), revenue.description) == ("88000.10", "数据 API 服务")
    assert events(world, "record_revenue") == 1


def test_bad_revenue_period_is_refused(world: World) -> None:
    form = {"period_start": "2026-06-30", "period_end": "2026-04-01", "amount": "1.234"}
    response = world.client("holder").post(world.url("revenue"), {**form, "currency": "CNY"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "Must not be before the start." in text
    assert "Must be a number with at most two decimals." in text
    assert ServiceRevenue.objects.count() == 0


# ── changes, renewal, cancellation ─────────────────────────────────────────────────────


def test_the_change_form_is_prefilled_and_asks_for_a_change(world: World) -> None:
    client = world.client("holder")
    page = client.get(world.url("change")).content.decode()
    assert "经清洗与融合的出行数据。" in page  # the registered summary
    assert 'name="processing_details"' not in page  # not a changeable particular
    form: dict[str, Any] = {
        name: getattr(world.registered.product, name) or ""
        for name in ("name", "name_en", "summary", "summary_en", "structure_description")
    }
    form.update(
        {
            "record_count": 2_000_000,
            "size_bytes": 5_000_000_000,
            "update_frequency": "monthly",
            "processing_summary": "去重、脱敏",
            "application_scenarios": "交通规划",
            "samples_description": "",
        }
    )
    response = client.post(world.url("change"), form)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.changes == {"record_count": {"old": 1_000_000, "new": 2_000_000}}
    assert change.status == "pending"  # Shanghai examines changes first
    assert events(world, "request_change") == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_change_of_nothing_is_refused(world: World, language: str) -> None:
    client = world.client("holder", language)
    page = client.get(world.url("change"))
    form = {name: page.context["form"][name].value() or "" for name in page.context["form"].fields}
    response = client.post(world.url("change"), form)
    assert response.status_code == 422
    assert ("Nothing to change." if language == "en" else "没有") in response.content.decode()
    assert ChangeRequest.objects.count() == 0


def test_renewal_is_offered_only_inside_the_window(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = world.client("holder")
    outside = client.get(world.url("renewal"))
    assert "Renewal is possible from" in outside.content.decode()
    assert 'name="confirmed"' not in outside.content.decode()
    assert client.post(world.url("renewal"), {"confirmed": "True"}).status_code == 409
    valid_until = world.registered.valid_until
    assert valid_until is not None
    freeze(monkeypatch, datetime.combine(valid_until - timedelta(days=10), time(2), UTC))
    first = client.post(world.url("renewal"), {})
    assert first.status_code == 200
    assert "Confirm" in first.content.decode()
    assert client.post(world.url("renewal"), {"confirmed": "True"}).status_code == 302
    world.registered.refresh_from_db()
    assert world.registered.valid_until is not None
    assert world.registered.valid_until > valid_until
    assert events(world, "renew") == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_voluntary_cancellation_needs_a_reason_and_confirmation(
    world: World, language: str
) -> None:
    client = world.client("holder", language)
    empty = client.post(world.url("cancel"), {"reason": ""})
    assert empty.status_code == 422
    assert client.post(world.url("cancel"), {"reason": "不再运营"}).status_code == 200
    world.registered.refresh_from_db()
    assert world.registered.status == Status.REGISTERED
    done = client.post(world.url("cancel"), {"reason": "不再运营", "confirmed": "True"})
    assert done.status_code == 302
    world.registered.refresh_from_db()
    assert world.registered.status == Status.CANCELLED
    public = Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/registry/{world.registered.number}")
    assert ("Cancelled" if language == "en" else "已注销") in public.content.decode()


# ── valuations and the income split ────────────────────────────────────────────────────


def test_a_holder_attaches_a_valuation_to_a_trade(world: World) -> None:
    trade = licensing.record_trade(
        world.registered.pk,
        actor=world.personas.applicant.actor,
        exchange="上海数据交易所",
        contract_reference="SDE-9",
        traded_on="2026-04-02",
        amount="500",
    )
    form = {
        "method": "income",
        "evaluator": "某资产评估有限公司",
        "valued_on": "2026-04-03",
        "value": "8000000",
        "currency": "CNY",
        "inputs": "discount rate: 8%\nyears: 5",
        "trade": str(trade.pk),
        "pledge": "",
    }
    assert world.client("holder").post(world.url("valuation"), form).status_code == 302
    valuation = Valuation.objects.get()
    assert valuation.inputs == {"discount rate": "8%", "years": "5"}
    assert valuation.trade_id == trade.pk
    assert events(world, "record_valuation") == 1


@pytest.mark.parametrize(
    ("language", "reason"),
    [("en", "Write one input per line, as name: value."), ("zh-hans", "名称: 值")],
)
def test_bad_valuation_inputs_are_refused(world: World, language: str, reason: str) -> None:
    form = {
        "method": "cost",
        "evaluator": "评估师",
        "valued_on": "2026-04-03",
        "value": "1",
        "currency": "CNY",
        "inputs": "no colon here",
    }
    response = world.client("holder", language).post(world.url("valuation"), form)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert Valuation.objects.count() == 0


def test_the_income_split_between_joint_holders(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, NOW)
    app = draft(personas)
    alpha, beta = personas.applicant.holder, personas.other_applicant.holder
    filing.set_holders(
        app.pk, actor=personas.applicant.actor, shares={alpha.pk: "60", beta.pk: "40"}, at=day(0)
    )
    app = advance(personas, app, Status.REGISTERED)
    licensing.record_revenue(
        app.pk,
        actor=personas.other_applicant.actor,
        period_start="2026-04-01",
        period_end="2026-04-30",
        amount="1000.00",
    )
    # Revenue in US dollars (the Shanghai regime admits only yuan today; an older record or a
    # regime admitting more may hold another currency): never added to the yuan.
    ServiceRevenue.objects.create(
        application=app,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        amount=Decimal("10.00"),
        currency="USD",
        recorded_at=day(40),
    )
    for person in (personas.applicant, personas.other_applicant):  # each joint holder
        page = client_for(person.user).get(f"/applications/{app.pk}/rights/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "600.00" in text
        assert "400.00" in text
        assert "6.00" in text, "each currency on its own row"
        assert "1010" not in text, "never a sum across currencies"
        assert '<td data-label="Currency">USD</td>' in text


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "The registration is pledged: the pledgee must consent first."),
        ("zh-hans", "此登记已出质，须先取得质权人同意。"),
    ],
)
def test_a_pledged_registration_cannot_be_cancelled_without_consent(
    world: World, language: str, reason: str
) -> None:
    pledges.pledge(
        world.registered.pk,
        actor=world.personas.applicant.actor,
        pledgee_id=world.bank.holder.pk,
        amount="3000000",
        starts="2026-04-01",
        ends="2027-03-31",
        contract_reference="ZY-1",
    )
    expected = reason
    client = world.client("holder", language)
    assert expected in client.get(world.url()).content.decode()
    form = client.get(world.url("cancel"))
    assert expected in form.content.decode()
    assert 'name="reason"' not in form.content.decode()
    refused = client.post(world.url("cancel"), {"reason": "停止运营", "confirmed": "True"})
    assert refused.status_code == 409
    world.registered.refresh_from_db()
    assert world.registered.status == Status.REGISTERED
    assert events(world, "cancel") == 0
