"""The full audit replays a data exchange's listings (挂牌): listed, updated and delisted
through the services, they audit clean; a listing row edited behind the services' back, or
made without an event, is named."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.ledger.audit import Finding
from dataip.registry.models import Application, Listing
from dataip.registry.services import listings
from dataip.registry.workflow import Status
from dataip.upkeep.audit import FullAuditReport, run_audit
from dataip.upkeep.replay import ReplayFinding
from tests.support.builders import at_stage, day
from tests.support.exchanges import exchange_member
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_certificates(settings: Any) -> None:
    settings.DATAIP_CERTIFICATES_AUTO = False


def _named() -> tuple[set[tuple[str, object, object]], FullAuditReport]:
    results = list(run_audit())
    report = results.pop()
    assert isinstance(report, FullAuditReport)
    named = {
        (str(f.params["table"]), f.params["row"], f.params.get("field"))
        for f in results
        if isinstance(f, Finding) and isinstance(f, ReplayFinding)
    }
    return named, report


@pytest.fixture
def listed(personas: Personas) -> tuple[Application, Listing, Listing]:
    app = at_stage(personas, Status.REGISTERED)
    exchange = exchange_member()
    first, second = (
        listings.list_product(
            actor=exchange.actor,
            registration_number=app.registration_number or "",
            listing_id=reference,
            url=f"https://sde.example/{reference}",
            listed_on="2026-04-01",
            price_model="fixed",
            at=day(40),
        )
        for reference in ("A", "B")
    )
    listings.update_listing(
        first.pk, actor=exchange.actor, url="https://sde.example/a2", price_model="free", at=day(41)
    )
    listings.end_listing(second.pk, actor=exchange.actor, on="2026-04-20", at=day(42))
    return app, first, second


def test_listings_made_through_the_services_audit_clean(
    listed: tuple[Application, Listing, Listing],
) -> None:
    named, report = _named()
    assert named == set()
    assert report.ok


def test_a_listing_changed_or_made_without_an_event_is_named(
    listed: tuple[Application, Listing, Listing],
) -> None:
    app, first, second = listed
    Listing.objects.filter(pk=first.pk).update(url="https://evil.example/")
    Listing.objects.filter(pk=second.pk).update(ended_on=None)
    made = Listing.objects.create(
        application=app,
        exchange_id=first.exchange_id,
        listing_id="C",
        url="https://sde.example/c",
        listed_on=day(43).date(),
        price_model="fixed",
        recorded_at=day(43),
    )
    named, report = _named()
    assert ("registry_listing", first.pk, "url") in named
    assert ("registry_listing", second.pk, "ended_on") in named
    assert any(table == "registry_listing" and row == made.pk for table, row, _ in named)
    assert not report.ok
