"""Schemas of the statistics bulletin (``GET /statistics``'s ``bulletin``, and the staff's
``GET /staff/statistics``): the figures of ``registry/queries/bulletin.py`` with their labels in
the request's language. Amounts are decimal strings in CNY; ``null`` where the public may not
see them (``suppressed``) or where the registry records nothing (securitisation, listings)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ninja import Schema

from dataip.registry import labels
from dataip.registry.queries.bulletin import Amount, Bulletin, Share, Spread


class ShareOut(Schema):
    """A code, its name, how many, and the percentage of the whole (one decimal)."""

    code: str
    label: str
    count: int
    percent: Decimal


class AmountOut(Schema):
    """A sum in CNY over ``records`` records of ``products`` products; ``total`` is null when
    suppressed (the public bulletin shows amounts of at least 3 products)."""

    total: Decimal | None
    currency: str
    records: int
    products: int
    suppressed: bool
    otherCurrency: int


class SpreadOut(Schema):
    """Median and 90th percentile in days (nearest rank), over ``count`` values."""

    count: int
    median: Decimal | None
    p90: Decimal | None


class StageOut(SpreadOut):
    """Days spent in one status on the way to registration."""

    status: str
    label: str


class MonthOut(Schema):
    month: str
    applicationsAccepted: int
    registrations: int


class BulletinOut(Schema):
    """The statistics bulletin for a period (``from``..``to``, days included) and a province."""

    start: date | None
    end: date | None
    province: str
    confidential: bool
    applicationsAccepted: int
    registrations: int
    provinces: int
    industries: int
    enterpriseApplications: ShareOut
    licences: AmountOut
    trades: AmountOut
    serviceRevenue: AmountOut
    pledgeLoans: AmountOut
    economicValue: Decimal | None
    pledgingEnterprises: int
    securitisation: AmountOut | None
    listedOnExchange: ShareOut
    pledged: ShareOut
    byIndustry: list[ShareOut]
    bySection: list[ShareOut]
    byProvince: list[ShareOut]
    byHolderType: list[ShareOut]
    byKind: list[ShareOut]
    topThreeIndustries: Decimal
    turnaround: SpreadOut
    stages: list[StageOut]
    objections: list[ShareOut]
    months: list[MonthOut]


def _share(s: Share, name: Callable[[str], str]) -> ShareOut:
    return ShareOut(
        code=s.code, label=name(s.code) if s.code else "", count=s.count, percent=s.percent
    )


def _shares(items: list[Share], name: Callable[[str], str]) -> list[ShareOut]:
    return [_share(s, name) for s in items]


def _amount(a: Amount) -> AmountOut:
    return AmountOut(
        total=a.total,
        currency="CNY",
        records=a.records,
        products=a.products,
        suppressed=a.suppressed,
        otherCurrency=a.other_currency,
    )


def _spread(s: Spread) -> SpreadOut:
    return SpreadOut(count=s.count, median=s.median, p90=s.p90)


def bulletin_out(b: Bulletin) -> BulletinOut:
    """The bulletin as the API shows it."""
    same = str
    return BulletinOut(
        start=b.scope.start,
        end=b.scope.end,
        province=b.scope.province,
        confidential=b.confidential,
        applicationsAccepted=b.applications,
        registrations=b.registrations,
        provinces=b.provinces,
        industries=b.industries,
        enterpriseApplications=_share(b.enterprise_applications, labels.holder_type),
        licences=_amount(b.licences),
        trades=_amount(b.trades),
        serviceRevenue=_amount(b.revenue),
        pledgeLoans=_amount(b.pledges),
        economicValue=b.economic_value,
        pledgingEnterprises=b.pledging_enterprises,
        securitisation=None if b.securitisation is None else _amount(b.securitisation),
        listedOnExchange=_share(b.listed, same),
        pledged=_share(b.pledged, same),
        byIndustry=_shares(b.by_industry, labels.industry),
        bySection=_shares(b.by_section, labels.section),
        byProvince=_shares(b.by_province, labels.province),
        byHolderType=_shares(b.by_holder_type, labels.holder_type),
        byKind=_shares(b.by_kind, labels.kind),
        topThreeIndustries=b.top_three_industries,
        turnaround=_spread(b.turnaround),
        stages=[
            StageOut(status=k, label=labels.status(k), count=v.count, median=v.median, p90=v.p90)
            for k, v in b.stages.items()
        ],
        objections=_shares(b.objections, labels.objection_outcome),
        months=[MonthOut(month=m, applicationsAccepted=a, registrations=r) for m, a, r in b.months],
    )
