"""Schemas of the public API: search, registration details, the display card for trading
platforms, announcements and statistics. Public fields only (``PUBLIC_FIELDS``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from ninja import Field, Schema
from pydantic import create_model

from dataip.api.schemas.common import Page
from dataip.api.schemas.products import output_fields
from dataip.api.schemas.statistics import BulletinOut
from dataip.registry import labels
from dataip.registry.fields import PRODUCT_FIELDS
from dataip.registry.queries import public as queries


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
    """A page of search hits, the total, and the count of each facet value over the hits."""

    total: int
    totalCapped: bool = Field(
        description="True when words found 1,000 hits or more: the total and the facets then "
        "count the first 1,000 hits only (the pages go on through every hit)"
    )
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
    """A public step of the registration's history: its type (``action``), its name in plain
    words in the request's language (``label``), its time and its day (Asia/Shanghai)."""

    action: str
    label: str
    at: datetime
    day: date


class StateLicence(Schema):
    """An exclusive or sole licence in force: the licensee, term and territory (GB/T 2260
    codes in ``regions``, empty for nationwide; ``territory`` names it). Scope and fee are not
    public."""

    kind: str
    kindLabel: str
    licensee: str
    starts: date
    ends: date
    regions: list[str]
    territory: str


class StateLine(Schema):
    """One plain sentence about the state, in the request's language; ``code`` is ``revoked``,
    ``cancelled``, ``expired``, ``pledge``, ``licence``, ``transfer`` or ``clear``."""

    code: str
    text: str


class PublicState(Schema):
    """The state of the right (权利状态), as the top of the public registration page shows it:
    pledges standing (pledgee and term; the amount only where the regime publishes it),
    exclusive or sole licences in force, a transfer waiting for confirmation (its date only),
    and the end of the right (``endedOn`` for a cancellation or revocation; for a revocation
    ``decisionReference`` where the regime publishes it). ``summary`` says it in plain words."""

    status: str
    statusLabel: str
    underPledge: bool
    licensedExclusively: bool
    beingTransferred: bool
    pledges: list[PublicPledge]
    exclusiveLicences: list[StateLicence]
    transferProposedOn: date | None
    endedOn: date | None
    decisionReference: str | None
    summary: list[StateLine]

    @classmethod
    def of(cls, state: queries.PublicState) -> PublicState:
        """The schema of a :class:`~dataip.registry.queries.public.PublicState`."""
        return cls(
            status=state.status,
            statusLabel=labels.status(state.status),
            underPledge=state.under_pledge,
            licensedExclusively=state.licensed_exclusively,
            beingTransferred=state.being_transferred,
            pledges=[
                PublicPledge(
                    pledgee=p.pledgee,
                    starts=p.starts,
                    ends=p.ends,
                    inForce=p.in_force,
                    amount=None if p.amount is None else str(p.amount),
                    currency=p.currency,
                )
                for p in state.pledges
            ],
            exclusiveLicences=[
                StateLicence(
                    kind=lic.kind,
                    kindLabel=labels.licence(lic.kind),
                    licensee=lic.licensee,
                    starts=lic.starts,
                    ends=lic.ends,
                    regions=list(lic.regions),
                    territory=labels.territory(lic.regions, lic.territory_text),
                )
                for lic in state.licences
            ],
            transferProposedOn=state.transfer_proposed_on,
            endedOn=state.ended_on,
            decisionReference=state.decision_reference or None,
            summary=[StateLine(code=x.code, text=x.text) for x in labels.state_lines(state)],
        )


class PublicListingOut(Schema):
    """Where the registration is listed (挂牌): a data exchange, its listing id and URL."""

    exchange: str
    listingId: str
    url: str
    since: date
    priceModel: str
    priceModelLabel: str


class CameFrom(Schema):
    """The exchange listing the application came from (快速通道)."""

    exchange: str
    listingReference: str
    listingUrl: str


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
    state: PublicState
    product: PublicProduct
    holders: list[PublicHolder]
    pledges: list[PublicPledge]
    licences: list[PublicLicence]
    history: list[PublicEvent]
    listings: list[PublicListingOut] = []
    cameFrom: CameFrom | None = None


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
    bulletin: BulletinOut
    """The statistics bulletin for the period and province asked for (the figures above count
    the whole registry)."""
