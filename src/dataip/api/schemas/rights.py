"""Schemas of the holder's API after registration: licences, trades, service revenue, changes,
renewal, cancellation, valuations and the income split; and the licensee's list.

Field names are the services' names in camelCase (``contractReference`` is
``contract_reference``), so a refused field is named as it was sent. Amounts are decimals with
at most two places (as text or number), dates ``YYYY-MM-DD``; the services check the rest.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import create_model

from dataip.api.schemas.common import MAX_ID, Input, Page
from dataip.api.schemas.products import input_fields
from dataip.registry.fields import PRODUCT_FIELDS
from dataip.registry.models import LicenceKind, ValuationMethod

if TYPE_CHECKING:  # the fields are made at import time; to mypy this is a plain input
    ChangeIn = Input
else:
    ChangeIn = create_model(
        "ChangeIn",
        __base__=Input,
        __doc__="The registered particulars to change (only those sent are changed).",
        __module__=__name__,
        **input_fields(f for f in PRODUCT_FIELDS if f.changeable),
    )

Amount = Decimal
RegionCode = Annotated[str, Field(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$", examples=["310000"])]
Territory = Literal["nationwide"] | Annotated[list[RegionCode], Field(min_length=1, max_length=100)]
"""``"nationwide"`` (全国), or GB/T 2260 codes of provinces and prefectures (2, 4 or 6 digits;
a province includes its prefectures)."""
Currency = Field("CNY", min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class LicenceIn(Input):
    """A licence granted to a registered holder, named by its credit code or ID number, or to
    a party outside the registry: its credit code (or resident ID number) and its name."""

    licensee: str = Field(max_length=18, pattern=r"^[0-9A-Za-z]+$")
    licenseeName: str = Field(
        "", max_length=200, description="Needed only when the licensee is not registered"
    )
    kind: LicenceKind
    scope: str = Field(max_length=2000)
    territory: Territory = Field(
        description='"nationwide", or a list of GB/T 2260 province or prefecture codes',
        examples=["nationwide", ["310000", "320500"]],
    )
    starts: date
    ends: date
    fee: Amount = Field(Decimal(0), description="At most two decimals; 0 for a free licence")
    currency: str = Currency


class EndLicenceIn(Input):
    """Why and when a licence ended early (today when ``on`` is not given)."""

    reason: str = Field(min_length=1, max_length=2000)
    on: date | None = None


class LicenseeOut(Schema):
    """The licensee of a licence: a registered holder (``holderId``), or a party outside the
    registry (``holderId`` null) with its identity code."""

    holderId: int | None
    name: str
    identifier: str


class LicenceOut(Schema):
    """A licence (许可) recorded on a registration."""

    id: int
    registrationNumber: str
    licensee: LicenseeOut
    kind: str
    kindLabel: str
    scope: str
    territory: Literal["nationwide"] | list[str] = Field(
        description='"nationwide", or the 6-digit GB/T 2260 codes of the territory'
    )
    territoryLabel: str = Field(description="The territory named in the caller's language")
    territoryText: str = Field(
        description="The free text of a licence recorded before territories were structured "
        "(compared as nationwide); empty otherwise"
    )
    starts: date
    ends: date
    fee: str
    currency: str
    endedOn: date | None
    endReason: str
    inForce: bool
    recordedAt: datetime


class LicenceList(Page):
    """A page of licences."""

    items: list[LicenceOut]


class TradeIn(Input):
    """A trade of the product on a data exchange (场内交易)."""

    exchange: str = Field(max_length=200)
    contractReference: str = Field(max_length=100)
    tradedOn: date
    amount: Amount
    currency: str = Currency


class TradeOut(Schema):
    """A trade recorded on a registration."""

    id: int
    exchange: str
    contractReference: str
    tradedOn: date
    amount: str
    currency: str
    recordedAt: datetime
    status: str = Field(description="recorded (by the holder), reported, disputed, withdrawn")
    statusLabel: str


class TradeList(Page):
    """A page of trades."""

    items: list[TradeOut]


class RevenueIn(Input):
    """Revenue earned by data services on the product in a period."""

    periodStart: date
    periodEnd: date
    amount: Amount
    currency: str = Currency
    description: str = Field("", max_length=200)


class RevenueOut(Schema):
    """Service revenue recorded on a registration."""

    id: int
    periodStart: date
    periodEnd: date
    amount: str
    currency: str
    description: str
    recordedAt: datetime


class RevenueList(Page):
    """A page of service revenue."""

    items: list[RevenueOut]


class ValuationIn(Input):
    """A valuation, with its inputs; optionally backing one pledge or one trade."""

    method: ValuationMethod
    evaluator: str = Field(max_length=200, description="The valuer")
    valuedOn: date
    value: Amount
    currency: str = Currency
    inputs: dict[str, str] = Field(default_factory=dict, max_length=50)
    pledgeId: int | None = Field(None, ge=1, le=MAX_ID)
    tradeId: int | None = Field(None, ge=1, le=MAX_ID)


class ValuationOut(Schema):
    """A valuation recorded on a registration."""

    id: int
    method: str
    methodLabel: str
    evaluator: str
    valuedOn: date
    value: str
    currency: str
    inputs: dict[str, Any]
    pledgeId: int | None
    tradeId: int | None
    recordedAt: datetime


class ValuationList(Page):
    """A page of valuations."""

    items: list[ValuationOut]


class ChangeOut(Schema):
    """A change request: the old and new value of each particular, and where it stands."""

    id: int
    status: str
    statusLabel: str
    changes: dict[str, Any]
    requestedAt: datetime
    decidedAt: datetime | None
    reason: str


class ChangeList(Page):
    """A page of change requests."""

    items: list[ChangeOut]


class CancelIn(Input):
    """Why the holder cancels the registration (注销)."""

    reason: str = Field(min_length=1, max_length=2000)


class RegistrationState(Schema):
    """Where a registration stands after a renewal or a cancellation."""

    registrationNumber: str
    status: str
    statusLabel: str
    validUntil: date | None
    certificateVersion: int


class HolderIncome(Schema):
    """One joint holder's share of what the registration earned (收益分配)."""

    holder: str
    share: str
    licenceFees: str
    trades: str
    revenue: str
    total: str
    currency: str
    """ISO 4217: a holder has one row per currency the registration earned in."""


class IncomeSplit(Schema):
    """How licence fees, trades and service revenue split between the joint holders."""

    registrationNumber: str
    holders: list[HolderIncome]


class DecisionFileOut(Schema):
    """The document of a decision on a registration, by its SHA-256."""

    id: int
    name: str
    sha256: str
    size: int
    url: str


class DecisionOut(Schema):
    """The registry's decision that revoked a registration you hold (撤销), with its document."""

    registrationNumber: str
    status: str
    statusLabel: str
    decisionReference: str
    reason: str
    decidedAt: datetime | None
    files: list[DecisionFileOut]
