"""A data exchange's API: listings (挂牌) and fast-lane referrals (快速通道), and the holder's
side of a referral. Bad input names each field in the caller's language and records nothing;
only a verified exchange's token lists or refers; a referral is never public."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.accounts import scopes
from dataip.accounts.tokens import create_token
from dataip.registry.models import Application, Event, Listing, Referral
from dataip.registry.workflow import Status
from tests.api._support import Api, Tokens, assert_problem, field_names
from tests.support.builders import at_stage
from tests.support.exchanges import exchange_member
from tests.support.personas import Person, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


@pytest.fixture
def exchange(db: None) -> Person:
    return exchange_member()


@pytest.fixture
def sde(api: Api, exchange: Person) -> Api:
    """The exchange's token with the ``listings`` scope."""
    return api.as_(create_token(exchange.user, "sde", [scopes.LISTINGS])[1])


def listing_body(app: Application, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "registrationNumber": app.registration_number,
        "listingId": "SDE-2026-001",
        "url": "https://www.chinadep.com/products/1",
        "listedOn": "2026-04-10",
        "priceModel": "subscription",
        "description": "按月订阅",
    }
    body.update(changes)
    return body


def test_an_exchange_lists_updates_and_delists_and_the_public_sees_it(
    api: Api, sde: Api, registered: Application
) -> None:
    made = sde.post("exchange/listings", listing_body(registered))
    assert made.status_code == 201, made.content
    listing = made.json()
    assert listing["listingId"] == "SDE-2026-001"
    assert listing["priceModelLabel"] == "Subscription"
    public = api.get(f"registrations/{registered.registration_number}").json()
    assert public["listings"] == [
        {
            "exchange": "上海数据交易所 Shanghai Data Exchange",
            "listingId": "SDE-2026-001",
            "url": "https://www.chinadep.com/products/1",
            "since": "2026-04-10",
            "priceModel": "subscription",
            "priceModelLabel": "Subscription",
        }
    ]
    assert "list_product" in [e["action"] for e in public["history"]]
    again = sde.post("exchange/listings", listing_body(registered))
    assert field_names(assert_problem(again, 422)) == ["listingId"]
    changed = sde.patch(
        f"exchange/listings/{listing['id']}",
        {"url": "https://www.chinadep.com/p/1", "priceModel": "per_call"},
    )
    assert changed.json()["priceModel"] == "per_call"
    ended = sde.post(f"exchange/listings/{listing['id']}/end", {"reason": "下架"})
    assert ended.json()["endedOn"]
    assert api.get(f"registrations/{registered.registration_number}").json()["listings"] == []
    assert_problem(sde.post(f"exchange/listings/{listing['id']}/end", {}), 409)
    assert [x["id"] for x in sde.get("exchange/listings").json()["items"]] == [listing["id"]]


def test_bad_input_names_each_field_in_the_callers_language(
    sde: Api, registered: Application
) -> None:
    zh = Api(sde.client, sde.token, "zh-hans")
    refused = zh.post(
        "exchange/listings",
        listing_body(registered, url="javascript:alert(1)", listingId="  "),
    )
    problem = assert_problem(refused, 422)
    assert sorted(field_names(problem)) == ["listingId", "url"]
    assert any("网址" in e["reason"] for e in problem["errors"])
    refused = sde.post("exchange/listings", listing_body(registered, registrationNumber="NOSUCH1"))
    assert field_names(assert_problem(refused, 422)) == ["registrationNumber"]
    assert not Listing.objects.exists()


def test_tokens_that_are_not_a_verified_exchanges_are_refused(
    api: Api, tokens: Tokens, registered: Application
) -> None:
    unverified = exchange_member("pending", index=71, verified=False)
    token = create_token(unverified.user, "x", [scopes.LISTINGS])[1]
    for secret in (tokens.own, tokens.other, token):
        refused = api.as_(secret).post("exchange/listings", listing_body(registered))
        assert_problem(refused, 403)
    assert not Listing.objects.exists()


def test_a_token_without_the_scope_is_refused(
    api: Api, exchange: Person, registered: Application
) -> None:
    token = create_token(exchange.user, "apply-only", [scopes.APPLY])[1]
    refused = api.as_(token).post("exchange/listings", listing_body(registered))
    assert_problem(refused, 403, "scope_missing")


def referral_body(personas: Personas, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "holderIdentifier": personas.applicant.holder.identifier,
        "kind": "data_collection",
        "listingReference": "SDE-2026-009",
        "listingUrl": "https://www.chinadep.com/products/9",
        "product": {
            "name": "城市交通出行数据集",
            "nameEn": "Urban mobility",
            "formationDate": "2025-12-01",
        },
    }
    body.update(changes)
    return body


def test_the_fast_lane_from_the_exchange_to_the_holders_draft(
    api: Api, sde: Api, tokens: Tokens, personas: Personas
) -> None:
    made = sde.post("exchange/referrals", referral_body(personas))
    assert made.status_code == 201, made.content
    referral = made.json()
    assert referral["status"] == "pending"
    assert referral["used"] is False
    assert referral["publicNumber"] is None
    assert not Event.objects.exists()  # never in the log
    holder = api.as_(tokens.own)
    other = api.as_(tokens.other)
    assert [r["id"] for r in holder.get("referrals").json()["items"]] == [referral["id"]]
    assert other.get("referrals").json()["items"] == []
    assert_problem(other.get(f"referrals/{referral['id']}"), 404)
    assert_problem(other.post(f"referrals/{referral['id']}/draft"), 404)
    shown = holder.get(f"referrals/{referral['id']}").json()
    assert shown["product"]["nameEn"] == "Urban mobility"
    started = holder.post(f"referrals/{referral['id']}/draft")
    assert started.status_code == 201, started.content
    app_id = started.json()["applicationId"]
    assert started["Location"].endswith(f"/applications/{app_id}")
    draft = holder.get(f"applications/{app_id}").json()
    assert draft["status"] == "draft"
    assert draft["product"]["formationDate"] == "2025-12-01"
    assert Application.objects.get(pk=app_id).source_referral_id == referral["id"]
    seen = sde.get(f"exchange/referrals/{referral['id']}").json()
    assert seen["used"] is True
    assert seen["publicNumber"] is None  # a draft: nothing else of it
    assert "product" not in seen
    assert_problem(sde.post(f"exchange/referrals/{referral['id']}/withdraw"), 409)
    # Anonymous and the public API see nothing of it.
    assert_problem(api.get(f"referrals/{referral['id']}"), 401)


def test_referrals_are_declined_or_withdrawn_and_bad_ones_refused(
    api: Api, sde: Api, tokens: Tokens, personas: Personas
) -> None:
    holder = api.as_(tokens.own)
    first = sde.post("exchange/referrals", referral_body(personas)).json()
    declined = holder.post(f"referrals/{first['id']}/decline", {"reason": "不需要"})
    assert declined.json()["status"] == "declined"
    second = sde.post("exchange/referrals", referral_body(personas)).json()
    withdrawn = sde.post(f"exchange/referrals/{second['id']}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    assert holder.get("referrals").json()["items"] == []
    refused = sde.post(
        "exchange/referrals",
        referral_body(
            personas,
            holderIdentifier="123",
            listingReference="",
            product={"name": "", "formationDate": None},
        ),
    )
    assert sorted(field_names(assert_problem(refused, 422))) == [
        "holderIdentifier",
        "listingReference",
        "name",
    ]
    assert Referral.objects.count() == 2
    assert_problem(holder.post("exchange/referrals", referral_body(personas)), 403)
