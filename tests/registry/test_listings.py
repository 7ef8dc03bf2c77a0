"""A data exchange's listings (挂牌) and fast-lane referrals (快速通道): the services."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation

from dataip.accounts.models import Notification
from dataip.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from dataip.registry.i18n import describe, render
from dataip.registry.models import Application, Event, Listing, Referral
from dataip.registry.queries import listings as found
from dataip.registry.queries.public import public_record
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.services import lifecycle
from dataip.registry.services import listings as listing
from dataip.registry.workflow import Status
from tests.support.builders import PDF, at_stage, complete_values, day
from tests.support.exchanges import exchange_member
from tests.support.personas import Person, Personas


@pytest.fixture
def exchange(db: None) -> Person:
    return exchange_member()


@pytest.fixture
def registered(personas: Personas) -> Application:
    return at_stage(personas, Status.REGISTERED)


def _list(who: Person, app: Application, **overrides: Any) -> Listing:
    values: dict[str, Any] = {
        "registration_number": app.registration_number or "",
        "listing_id": "SDE-2026-001",
        "url": "https://www.chinadep.com/products/1",
        "listed_on": "2026-04-10",
        "price_model": "subscription",
        "description": "按月订阅",
    }
    values.update(overrides)
    return listing.list_product(actor=who.actor, at=day(40), **values)


def _refusal(refused: ValidationFailed, field: str) -> tuple[str, str]:
    messages = refused.errors[field]
    with translation.override("zh-hans"):
        zh = "; ".join(render(m) for m in messages)
    with translation.override("en"):
        en = "; ".join(render(m) for m in messages)
    return zh, en


def test_an_exchange_lists_a_registered_product_and_the_public_sees_where(
    personas: Personas, registered: Application, exchange: Person
) -> None:
    made = _list(exchange, registered)
    assert made.exchange_id == exchange.holder.pk
    event = Event.objects.get(application=registered, action="list_product")
    assert event.public
    assert event.actor_role == "exchange"
    shown = found.public_listings(registered)
    assert [(s.exchange, s.listing_id, s.url) for s in shown] == [
        (exchange.holder.name, "SDE-2026-001", "https://www.chinadep.com/products/1")
    ]
    assert ("list_product", event.occurred_at) in public_record(registered).history
    # The holder is told.
    assert Notification.objects.filter(recipient=personas.applicant.user, kind="listed").exists()


def test_one_live_listing_per_exchange_product_and_listing_id(
    registered: Application, exchange: Person
) -> None:
    first = _list(exchange, registered)
    with pytest.raises(ValidationFailed) as caught:
        _list(exchange, registered)
    zh, en = _refusal(caught.value, "listing_id")
    assert "already lists" in en
    assert "已" in zh
    assert Listing.objects.count() == 1
    assert Event.objects.filter(action="list_product").count() == 1  # no partial state
    listing.end_listing(first.pk, actor=exchange.actor, reason="下架", at=day(50))
    again = _list(exchange, registered)  # a delisted listing may be listed again
    assert again.pk != first.pk
    assert found.public_listings(registered)[0].listing_id == "SDE-2026-001"


def test_every_bad_field_is_named_in_both_languages(
    registered: Application, exchange: Person
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _list(
            exchange,
            registered,
            listing_id="",
            url="javascript:alert(1)",
            listed_on="2026-13-01",
            price_model="barter",
        )
    assert set(caught.value.errors) == {"listing_id", "url", "listed_on", "price_model"}
    zh, en = _refusal(caught.value, "url")
    assert "http" in en
    assert zh != en
    zh, en = _refusal(caught.value, "price_model")
    assert zh != en
    with pytest.raises(ValidationFailed) as caught:
        _list(exchange, registered, url="ftp://example.com/x")
    assert set(caught.value.errors) == {"url"}
    assert not Listing.objects.exists()


def test_only_a_verified_exchange_may_list(personas: Personas, registered: Application) -> None:
    unverified = exchange_member("pending_exchange", index=71, verified=False)
    for who in (personas.applicant, personas.other_applicant, personas.registrar, unverified):
        with pytest.raises(PermissionDenied) as caught:
            _list(who, registered)
        with translation.override("zh-hans"):
            zh = describe(caught.value)
        with translation.override("en"):
            assert describe(caught.value) != zh
    assert not Listing.objects.exists()


def test_only_a_registration_in_force_can_be_listed(personas: Personas, exchange: Person) -> None:
    announced = at_stage(personas, Status.UNDER_PUBLICITY)
    with pytest.raises(ValidationFailed) as caught:
        _list(exchange, announced, registration_number=announced.number or "")
    assert "registration_number" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        _list(exchange, announced, registration_number="NOSUCH1")
    zh, en = _refusal(caught.value, "registration_number")
    assert "No registration" in en
    assert zh != en
    registered = at_stage(personas, Status.REGISTERED)
    lifecycle.revoke(
        registered.pk,
        actor=personas.registrar.actor,
        reason="法院判决",
        reference="(2026)1号",
        decision=[("判决书.pdf", io.BytesIO(PDF))],
        at=day(35),
    )
    with pytest.raises(ValidationFailed) as caught:
        _list(exchange, registered)
    zh, en = _refusal(caught.value, "registration_number")
    assert "in force" in en
    assert not Listing.objects.exists()


def test_the_exchange_updates_and_ends_only_its_own_listings(
    registered: Application, exchange: Person
) -> None:
    made = _list(exchange, registered)
    other = exchange_member("other_exchange", index=72)
    with pytest.raises(NotFound):
        listing.update_listing(
            made.pk, actor=other.actor, url="https://x.example/1", price_model="free"
        )
    with pytest.raises(NotFound):
        listing.end_listing(made.pk, actor=other.actor)
    updated = listing.update_listing(
        made.pk, actor=exchange.actor, url="https://x.example/2", price_model="per_call"
    )
    assert (updated.url, updated.price_model) == ("https://x.example/2", "per_call")
    with pytest.raises(ValidationFailed) as caught:
        listing.end_listing(made.pk, actor=exchange.actor, on="2026-01-01")
    assert set(caught.value.errors) == {"on"}
    ended = listing.end_listing(made.pk, actor=exchange.actor, at=day(45))
    assert ended.ended_on is not None
    assert found.public_listings(registered) == []
    with pytest.raises(Conflict):
        listing.end_listing(made.pk, actor=exchange.actor)
    actions = list(Event.objects.filter(application=registered).values_list("action", flat=True))
    assert actions[-3:] == ["list_product", "update_listing", "end_listing"]


# ── the fast lane ──────────────────────────────────────────────────────────────────────


def _refer(who: Person, holder_code: str, **overrides: Any) -> Referral:
    values = complete_values()
    values.pop("details")
    arguments: dict[str, Any] = {
        "holder_identifier": holder_code,
        "kind": "data_collection",
        "values": values,
        "listing_reference": "SDE-2026-009",
        "listing_url": "https://www.chinadep.com/products/9",
    }
    arguments.update(overrides)
    return listing.create_referral(actor=who.actor, at=day(5), **arguments)


def test_a_referral_becomes_a_draft_that_records_where_it_came_from(
    personas: Personas, exchange: Person
) -> None:
    referral = _refer(exchange, personas.applicant.holder.identifier)
    assert Notification.objects.filter(
        recipient=personas.applicant.user, kind="referral_received"
    ).exists()
    # Not an application, not in the log.
    assert not Application.objects.exists()
    assert not Event.objects.exists()
    assert [r.pk for r in found.referrals_for_holder(personas.applicant.actor.holder_ids)] == [
        referral.pk
    ]
    assert found.referrals_for_holder(personas.other_applicant.actor.holder_ids) == []
    draft = listing.start_draft(
        referral.pk, actor=personas.applicant.actor, user=personas.applicant.user, at=day(6)
    )
    assert draft.status == Status.DRAFT
    assert draft.source_referral_id == referral.pk
    assert draft.product.name == "城市交通出行数据集"
    source = found.source_of(draft)
    assert source is not None
    assert source.listing_reference == "SDE-2026-009"
    assert found.source_of(draft, public=True) is None  # a draft is never public
    seen = found.referral_of_exchange(referral.pk, exchange.holder.pk)
    assert seen is not None
    assert seen.used
    assert seen.public_number == ""
    with pytest.raises(Conflict):
        listing.withdraw_referral(referral.pk, actor=exchange.actor)
    with pytest.raises(Conflict):
        listing.start_draft(
            referral.pk, actor=personas.applicant.actor, user=personas.applicant.user
        )


def test_a_referral_is_invisible_to_others(personas: Personas, exchange: Person) -> None:
    referral = _refer(exchange, personas.applicant.holder.identifier)
    other = exchange_member("other_exchange", index=72)
    assert found.referral_of_exchange(referral.pk, other.holder.pk) is None
    assert found.referral_for_holder(referral.pk, personas.other_applicant.actor.holder_ids) is None
    with pytest.raises(NotFound):
        listing.start_draft(
            referral.pk, actor=personas.other_applicant.actor, user=personas.other_applicant.user
        )
    with pytest.raises(NotFound):
        listing.decline_referral(referral.pk, actor=personas.other_applicant.actor)
    with pytest.raises(NotFound):
        listing.withdraw_referral(referral.pk, actor=other.actor)
    with pytest.raises(PermissionDenied):
        listing.withdraw_referral(referral.pk, actor=personas.applicant.actor)
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_the_holder_declines_and_the_exchange_withdraws(
    personas: Personas, exchange: Person
) -> None:
    first = _refer(exchange, personas.applicant.holder.identifier)
    declined = listing.decline_referral(first.pk, actor=personas.applicant.actor, reason="不需要")
    assert declined.status == "declined"
    second = _refer(exchange, personas.applicant.holder.identifier)
    withdrawn = listing.withdraw_referral(second.pk, actor=exchange.actor)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(Conflict):
        listing.decline_referral(second.pk, actor=personas.applicant.actor)
    assert found.referrals_for_holder(personas.applicant.actor.holder_ids) == []


def test_a_referral_names_every_bad_field_and_leaves_nothing(
    personas: Personas, exchange: Person
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _refer(
            exchange,
            "123",
            kind="spaceship",
            listing_reference="",
            listing_url="file:///etc/passwd",
            values={"name": "", "formation_date": "someday"},
        )
    assert {"holder_identifier", "kind", "listing_reference", "listing_url", "name"} <= set(
        caught.value.errors
    )
    zh, en = _refusal(caught.value, "holder_identifier")
    assert "credit code" in en
    assert "统一社会信用代码" in zh
    with pytest.raises(ValidationFailed) as caught:
        _refer(
            exchange,
            personas.applicant.holder.identifier,
            values={"name": "x", "formation_date": "someday"},
        )
    assert set(caught.value.errors) == {"formation_date"}
    with pytest.raises(PermissionDenied):
        _refer(personas.other_applicant, personas.applicant.holder.identifier)
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_once_public_the_application_shows_its_listing(
    personas: Personas, exchange: Person
) -> None:
    referral = _refer(exchange, personas.applicant.holder.identifier, values=complete_values())
    draft = listing.start_draft(
        referral.pk, actor=personas.applicant.actor, user=personas.applicant.user, at=day(0)
    )
    regime = load_regime(draft.regime_code)
    for material in sorted(regime.required_materials(filed_by_agent=False)):
        filing.add_material(
            draft.pk,
            actor=personas.applicant.actor,
            user=personas.applicant.user,
            kind=material,
            name=f"{material}.pdf",
            content=io.BytesIO(PDF + material.encode()),
            at=day(0),
        )
    seen = found.referral_of_exchange(referral.pk, exchange.holder.pk)
    assert seen is not None
    assert seen.used
    assert seen.public_number == ""
    app = at_stage(personas, Status.UNDER_PUBLICITY, draft)
    source = found.source_of(app, public=True)
    assert source is not None
    assert source.exchange == exchange.holder.name
    seen = found.referral_of_exchange(referral.pk, exchange.holder.pk)
    assert seen is not None
    assert seen.public_number == app.number
