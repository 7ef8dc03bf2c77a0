"""Schemas of a data exchange's API: listings (挂牌) and fast-lane referrals (快速通道), and
the holder's side of a referral. The product fields of a referral are the draft's fields
(:mod:`dataip.api.schemas.applications`), derived from their one declaration."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from dataip.api.schemas.applications import DraftFields
from dataip.api.schemas.common import Input, Page
from dataip.registry.kinds import ProductKind
from dataip.registry.models.listings import PriceModel


class ListingIn(Input):
    """A listing of a registered product on your exchange, checked by registration number."""

    registrationNumber: str = Field(max_length=20, pattern=r"^[0-9A-Za-z]{1,20}$")
    listingId: str = Field(max_length=100, description="Your exchange's own reference")
    url: str = Field(max_length=500, description="http or https only")
    listedOn: date
    priceModel: PriceModel
    description: str = Field("", max_length=2000)


class ListingUpdate(Input):
    """What may change in a live listing."""

    url: str = Field(max_length=500)
    priceModel: PriceModel
    description: str = Field("", max_length=2000)


class ListingEnd(Input):
    """Delisting (摘牌): the day (today if left out) and the reason (optional)."""

    on: date | None = None
    reason: str = Field("", max_length=2000)


class ListingOut(Schema):
    """One of your exchange's listings."""

    id: int
    registrationNumber: str
    productName: str
    listingId: str
    url: str
    listedOn: date
    priceModel: str
    priceModelLabel: str
    description: str
    endedOn: date | None
    recordedAt: datetime


class ListingList(Page):
    """A page of listings."""

    items: list[ListingOut]


class ReferralIn(Input):
    """An application pre-filled for a holder named by its credit code (快速通道)."""

    holderIdentifier: str = Field(max_length=18, description="统一社会信用代码")
    kind: ProductKind
    listingReference: str = Field(max_length=100)
    listingUrl: str = Field("", max_length=500)
    product: DraftFields = Field(description="The product's fields; name required")


class ReferralOut(Schema):
    """A referral as the exchange that made it sees it: whether it was used and, once the
    application is public, its number; nothing else of the draft."""

    id: int
    holderIdentifier: str
    kind: str
    productName: str
    listingReference: str
    listingUrl: str
    status: str
    statusLabel: str
    createdAt: datetime
    decidedAt: datetime | None
    used: bool
    publicNumber: str | None


class ReferralList(Page):
    """A page of referrals."""

    items: list[ReferralOut]


class ReceivedReferral(Schema):
    """A referral made to your organisation by a data exchange."""

    id: int
    exchange: str
    kind: str
    listingReference: str
    listingUrl: str
    product: dict[str, object]
    status: str
    statusLabel: str
    createdAt: datetime


class ReceivedReferralList(Page):
    """A page of referrals made to your organisation."""

    items: list[ReceivedReferral]


class DeclineIn(Input):
    """Why the holder declines (optional)."""

    reason: str = Field("", max_length=2000)


class DraftStarted(Schema):
    """The draft started from a referral (``Location``: the application)."""

    applicationId: int
