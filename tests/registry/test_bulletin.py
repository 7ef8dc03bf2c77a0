"""The statistics bulletin: every figure and share of a registry built through the services,
with known licences, trades, revenue and pledges; the suppression rule; period and region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dataip.registry.queries.bulletin import (
    ENTERPRISE,
    INSTITUTION,
    NATURAL_PERSON,
    Amount,
    Scope,
    Share,
    Spread,
    bulletin,
    bulletin_from_rows,
    nearest_rank,
)
from dataip.registry.services import listings, trade_reports
from tests.support.bulletin import Registry, build_registry
from tests.support.exchanges import exchange_member
from tests.support.personas import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(personas: Personas) -> Registry:
    return build_registry(personas)


def test_nearest_rank() -> None:
    values = [Decimal(v) for v in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)]
    assert (nearest_rank(values, 50), nearest_rank(values, 90)) == (Decimal(5), Decimal(9))
    assert nearest_rank(values[:1], 90) == 1
    assert nearest_rank([], 50) is None


def test_every_figure_of_the_whole_registry(registry: Registry) -> None:
    public = bulletin(Scope())
    assert (public.applications, public.registrations) == (5, 4)
    assert (public.provinces, public.industries) == (3, 2)
    assert public.enterprise_applications == Share(ENTERPRISE, 3, Decimal("60.0"))
    # Licences: two products only, so the public sees the count, not the income.
    assert public.licences == Amount(None, 2, 2)
    assert public.licences.suppressed
    assert public.trades == Amount(Decimal("1000000.00"), 3, 3)
    assert public.revenue == Amount(None, 1, 1)
    assert public.pledges == Amount(None, 2, 2)
    assert public.economic_value is None, "a total that adds a suppressed amount is suppressed"
    assert public.pledging_enterprises == 2
    assert public.securitisation is None
    assert public.listed == Share("listed", 0, Decimal("0.0"))
    assert public.pledged == Share("pledged", 2, Decimal("50.0"))
    assert public.by_industry == [
        Share("65", 3, Decimal("75.0")),
        Share("73", 1, Decimal("25.0")),
    ]
    assert public.by_section == [Share("I", 3, Decimal("75.0")), Share("M", 1, Decimal("25.0"))]
    assert public.by_province == [
        Share("31", 2, Decimal("50.0")),
        Share("11", 1, Decimal("25.0")),
        Share("44", 1, Decimal("25.0")),
    ]
    assert public.by_holder_type == [
        Share(ENTERPRISE, 3, Decimal("75.0")),
        Share(INSTITUTION, 1, Decimal("25.0")),
    ]
    assert public.by_kind == [
        Share("data_collection", 3, Decimal("75.0")),
        Share("data_product", 1, Decimal("25.0")),
    ]
    assert public.top_three_industries == Decimal("100.0")
    # Submitted 2026-03-03, registered 2026-04-01 (29 days), and A4 31 days later.
    assert public.turnaround == Spread(4, Decimal(29), Decimal(29))
    assert set(public.stages) >= {"submitted", "formal_examination", "under_publicity"}
    assert public.stages["submitted"] == Spread(4, Decimal("1.0"), Decimal("1.0"))
    assert public.stages["under_publicity"] == Spread(4, Decimal("24.0"), Decimal("24.0"))
    assert public.objections == [Share("dismissed", 1, Decimal("100.0"))]
    assert public.months == [("2026-03", 3, 0), ("2026-04", 2, 3), ("2026-05", 0, 1)]


def test_staff_see_every_amount(registry: Registry) -> None:
    staff = bulletin(Scope(), confidential=True)
    assert staff.licences == Amount(Decimal("150000.00"), 2, 2)
    assert staff.revenue == Amount(Decimal("10000.00"), 1, 1)
    assert staff.pledges == Amount(Decimal("5000000.00"), 2, 2)
    assert staff.economic_value == Decimal("1160000.00")


def test_a_region_and_a_period(registry: Registry) -> None:
    shanghai = bulletin(Scope(province="31"))
    assert (shanghai.applications, shanghai.registrations, shanghai.provinces) == (3, 2, 1)
    assert shanghai.trades == Amount(None, 2, 2), "two products: suppressed"
    assert bulletin(Scope(province="31"), confidential=True).trades.total == Decimal("700000.00")
    assert shanghai.enterprise_applications == Share(ENTERPRISE, 2, Decimal("66.7"))
    april = bulletin(Scope(start=date(2026, 4, 2), end=date(2026, 5, 31)))
    assert (april.applications, april.registrations) == (2, 1)
    assert april.by_holder_type == [Share(INSTITUTION, 1, Decimal("100.0"))]
    assert april.enterprise_applications == Share(ENTERPRISE, 0, Decimal("0.0"))
    assert april.licences == Amount(None, 2, 2), "recorded 2026-05-11"
    june = bulletin(Scope(start=date(2026, 6, 1), end=date(2026, 6, 30)))
    assert june.registrations == 0
    assert june.trades == Amount(Decimal("1000000.00"), 3, 3)
    assert june.revenue == Amount(None, 1, 1)
    assert june.licences == Amount(Decimal("0.00"), 0, 0)
    assert not june.licences.suppressed
    assert bulletin(Scope(end=date(2026, 3, 31))).months == [("2026-03", 3, 0)]
    assert NATURAL_PERSON not in [s.code for s in april.by_holder_type]


def test_listings_and_exchanges_reports_count_as_they_stand(
    registry: Registry, personas: Personas
) -> None:
    """A live listing makes a registration "listed"; a delisted one does not. A trade an
    exchange reported counts until the holder disputes it or the exchange withdraws it."""
    exchange = exchange_member(index=71)
    before = bulletin(Scope(), confidential=True)
    for position, app in enumerate((registry.a1, registry.a2), start=1):
        listing = listings.list_product(
            actor=exchange.actor,
            registration_number=app.registration_number or "",
            listing_id=f"SDE-{position}",
            url=f"https://sde.example/{position}",
            listed_on=app.registered_on,
            price_model="fixed",
        )
    listings.end_listing(listing.pk, actor=exchange.actor)
    assert bulletin(Scope()).listed == Share("listed", 1, Decimal("25.0"))

    def report(reference: str, amount: str) -> int:
        return trade_reports.report_trade(
            registry.a1.registration_number or "",
            actor=exchange.actor,
            contract_reference=reference,
            traded_on=registry.a1.registered_on,
            amount=amount,
            kind="licence",
            buyer_name="丁公司",
            licence_kind="ordinary",
            starts=registry.a1.registered_on,
            ends=date(2099, 12, 31),
        ).pk

    report("SDE-A", "5000000")
    disputed = report("SDE-B", "7000000")
    withdrawn = report("SDE-C", "9000000")
    trade_reports.dispute_trade(disputed, actor=personas.applicant.actor, reason="金额不符")
    trade_reports.withdraw_trade_report(withdrawn, actor=exchange.actor, reason="更正")
    after = bulletin(Scope(), confidential=True)
    assert after.trades.records == before.trades.records + 1
    assert after.trades.total == (before.trades.total or 0) + Decimal("5000000")
    assert after == bulletin_from_rows(Scope(), confidential=True)
