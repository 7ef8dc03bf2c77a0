"""Trade reports on the portal, in both languages: an exchange's member reports a trade
(each bad field named), reads and withdraws it (ticked); the holder sees it on its rights page
and disputes it (ticked, with a reason), marked disputed wherever shown; the registrar sees the
disputed reports; an unverified exchange is told and refused."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.registry.models import Application, Holder, Trade, TradeStatus, Transfer
from dataip.registry.workflow import Status
from tests.support.builders import at_stage
from tests.support.personas import Person, Personas, make_holder, make_person, valid_uscc
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db
TEXTS = {
    "en": {
        "list": "Trade reports",
        "disputed": "Disputed by the holder",
        "reported": "Reported by the exchange",
        "sign_up": "the buyer must sign up first",
        "unverified": "not verified yet",
    },
    "zh-hans": {
        "list": "交易报送",
        "disputed": "持有人有异议",
        "reported": "交易所已报送",
        "sign_up": "请买方先注册",
        "unverified": "尚未通过认证",
    },
}


def member_of_exchange(index: int, username: str, verification: str = "verified") -> Person:
    holder = make_holder(index, f"上海数据交易所 {index}")
    Holder.objects.filter(pk=holder.pk).update(org_type="exchange", verification=verification)
    return make_person(username, Holder.objects.get(pk=holder.pk))


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def form(app: Application, **changes: str) -> dict[str, Any]:
    return {
        "registration_number": app.registration_number,
        "contract_reference": "SDE-2026-0001",
        "traded_on": "2026-04-10",
        "amount": "880000",
        "currency": "CNY",
        "kind": "licence",
        "buyer_name": "丁科技有限公司",
        "buyer_identifier": valid_uscc(70),
        "licence_kind": "ordinary",
        "starts": "2026-05-01",
        "ends": "2027-04-30",
        **changes,
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_exchange_reports_and_the_holder_disputes(
    personas: Personas, registered: Application, language: str
) -> None:
    words = TEXTS[language]
    exchange = member_of_exchange(60, "exchanger")
    sde = client_for(exchange.user, language=language)
    page = sde.get("/exchange/trades")
    assert page.status_code == 200
    assert words["list"] in page.content.decode()

    refused = sde.post("/exchange/trades/new", form(registered, kind="transfer", amount="-1"))
    assert refused.status_code == 422
    assert words["sign_up"] in refused.content.decode()
    assert not Trade.objects.exists()
    assert not Transfer.objects.exists()

    done = sde.post("/exchange/trades/new", form(registered))
    assert done.status_code == 302
    trade = Trade.objects.get()
    assert done["Location"] == f"/exchange/trades/{trade.pk}"
    detail = sde.get(done["Location"]).content.decode()
    assert words["reported"] in detail
    assert "丁科技有限公司" in detail
    assert personas.applicant.holder.name in detail  # the seller

    holder = client_for(personas.applicant.user, language=language)
    rights = holder.get(f"/applications/{registered.pk}/rights/").content.decode()
    dispute_url = f"/applications/{registered.pk}/rights/trade-reports/{trade.pk}/dispute"
    assert dispute_url in rights
    assert words["reported"] in rights
    # No tick, no reason: nothing happens.
    assert holder.post(dispute_url, {"reason": "金额不符"}).status_code == 422
    assert holder.post(dispute_url, {"confirm": "on"}).status_code == 422
    assert Trade.objects.get().status == TradeStatus.REPORTED
    assert holder.post(dispute_url, {"reason": "金额不符", "confirm": "on"}).status_code == 302
    rights = holder.get(f"/applications/{registered.pk}/rights/").content.decode()
    assert words["disputed"] in rights
    assert "金额不符" in rights
    assert dispute_url not in rights
    assert words["disputed"] in sde.get("/exchange/trades").content.decode()

    registrar = client_for(personas.registrar.user, language=language)
    listed = registrar.get("/examine/trade-reports").content.decode()
    assert "SDE-2026-0001" in listed
    assert words["disputed"] in listed

    # The exchange withdraws it (ticked) and reports again.
    url = f"/exchange/trades/{trade.pk}"
    assert sde.post(url, {"reason": "金额有误"}).status_code == 422
    assert sde.post(url, {"reason": "金额有误", "confirm": "on"}).status_code == 302
    assert Trade.objects.get().status == TradeStatus.WITHDRAWN
    assert sde.post("/exchange/trades/new", form(registered, amount="870000")).status_code == 302
    assert "SDE-2026-0001" not in registrar.get("/examine/trade-reports").content.decode()


def test_a_reported_transfer_shows_its_transfer_waiting(
    personas: Personas, registered: Application
) -> None:
    sde = client_for(member_of_exchange(60, "exchanger").user)
    beta = personas.other_applicant.holder
    done = sde.post(
        "/exchange/trades/new",
        form(registered, kind="transfer", buyer_identifier=beta.identifier, licence_kind=""),
    )
    assert done.status_code == 302, done.content.decode()
    detail = sde.get(done["Location"]).content.decode()
    assert "<dt>Transfer</dt><dd>Pending</dd>" in detail
    waiting = client_for(personas.other_applicant.user).get("/transfers/waiting")
    text = waiting.content.decode()
    assert (registered.registration_number or "?") in text
    assert "上海数据交易所 60 (trade report)" in text  # who proposed it


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_unverified_exchange_is_told_and_refused(registered: Application, language: str) -> None:
    pending = client_for(member_of_exchange(61, "pending", "pending").user, language=language)
    page = pending.get("/exchange/trades/new")
    assert TEXTS[language]["unverified"] in page.content.decode()
    refused = pending.post("/exchange/trades/new", form(registered))
    assert refused.status_code == 422
    assert not Trade.objects.exists()


def test_only_exchange_members_find_their_trade_reports(personas: Personas) -> None:
    exchange = member_of_exchange(60, "exchanger")
    assert 'href="/exchange/"' in client_for(exchange.user).get("/").content.decode()
    home = client_for(exchange.user).get("/exchange/").content.decode()
    assert 'href="/exchange/trades"' in home
    assert 'href="/exchange/"' not in client_for(personas.applicant.user).get("/").content.decode()
