"""Schemas of the public API: search, registration details, the display card for trading
platforms, announcements and statistics. Public fields only (``PUBLIC_FIELDS``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ninja import Schema
from pydantic import create_model

from dataip.api.schemas.common import Page
from dataip.api.schemas.products import output_fields
from dataip.registry.fields import PRODUCT_FIELDS


class Facet(Schema):
    """One value of a facet, its label in the request's language, and how many match."""

    value: str
    label: str
    count: int


class RegistrationSummary(Schema):
    """A search hit: a registration, or an application under public announcement."""

    applicationNumber: str
    registrationNumber: str | None
    name: str
    nameEn: str
    summary: str
    summaryEn: str
    holders: str
    holdersEn: str
    kind: str
    industryCode: str
    provinceCode: str
    status: str
    year: int
    publicSince: date
    url: str


class SearchResults(Page):
    """A page of search hits, the total, and the count of each facet value over all hits."""

    total: int
    items: list[RegistrationSummary]
    facets: dict[str, list[Facet]]


if TYPE_CHECKING:  # the fields are made at import time; to mypy this is a plain schema
    PublicProduct = Schema
else:
    PublicProduct = create_model(
        "PublicProduct",
        __base__=Schema,
        __doc__="The published fields of the data product (``PUBLIC_FIELDS``) and public details.",
        __module__=__name__,
        **output_fields(f for f in PRODUCT_FIELDS if f.public or f.name == "details"),
    )


class PublicHolder(Schema):
    """A holder of the right: its name and share in per cent (identifiers are not public)."""

    name: str
    share: str


class PublicPledge(Schema):
    """A pledge: the pledgee and term; the amount only where the regime publishes it."""

    pledgee: str
    starts: date
    ends: date
    inForce: bool
    amount: str | None
    currency: str


class PublicLicence(Schema):
    """That a licence exists, its kind and term (licensees and fees are not public)."""

    kind: str
    starts: date
    ends: date
    inForce: bool


class PublicEvent(Schema):
    """A public step of the registration's history."""

    action: str
    label: str
    at: datetime


class Registration(Schema):
    """Everything the public may know about a registration (公开信息)."""

    applicationNumber: str
    registrationNumber: str | None
    certificateNumber: str | None
    status: str
    statusLabel: str
    regime: str
    announcementStarts: date | None
    announcementEnds: date | None
    registeredOn: date | None
    validFrom: date | None
    validUntil: date | None
    underPledge: bool
    product: PublicProduct
    holders: list[PublicHolder]
    pledges: list[PublicPledge]
    licences: list[PublicLicence]
    history: list[PublicEvent]


class Display(Schema):
    """The compact card a trading platform shows next to a listing (登记信息展示)."""

    registrationNumber: str | None
    applicationNumber: str
    name: str
    nameEn: str
    kind: str
    holders: list[str]
    status: str
    statusLabel: str
    registeredOn: date | None
    validUntil: date | None
    underPledge: bool
    verifyUrl: str
    detailsUrl: str


class Announcement(Schema):
    """An application under public announcement: objections may be filed until it ends."""

    applicationNumber: str
    name: str
    nameEn: str
    kind: str
    summary: str
    summaryEn: str
    holders: list[str]
    industryCode: str
    provinceCode: str
    announcementStarts: date | None
    announcementEnds: date | None
    url: str


class Announcements(Page):
    """A page of current announcements, the soonest to end first."""

    items: list[Announcement]


class Statistics(Schema):
    """Headline figures and registrations (registered or expired) by kind, industry, province."""

    applications: int
    underPublicity: int
    registered: int
    provinces: int
    industries: int
    byKind: list[Facet]
    byIndustry: list[Facet]
    byProvince: list[Facet]
