"""Schemas of the trade-report API (交易所交易报送): what an exchange reports and what it, and
the holder, read back. Field names are the services' names in camelCase, so a refused field
is named as it was sent (``buyerIdentifier`` is ``buyer_identifier``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from dataip.api.schemas.common import Input, Page


class TradeReportIn(Input):
    """A trade of a registered product on the exchange: the registration (by number), the
    contract, the buyer (a credit code of a registered organisation links it; a transfer needs
    one), the date, the amount, and what was traded (a licence with its kind and term, or a
    transfer, which proposes the transfer to the buyer)."""

    registrationNumber: str = Field(max_length=40)
    contractReference: str = Field(max_length=100)
    tradedOn: date
    amount: Decimal
    currency: str = Field("CNY", min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    kind: Literal["licence", "transfer"]
    buyerName: str = Field(max_length=200)
    buyerIdentifier: str = Field("", max_length=18)
    licenceKind: Literal["exclusive", "sole", "ordinary"] | None = None
    starts: date | None = None
    ends: date | None = None


class TradeReportReasonIn(Input):
    """Why (required to dispute; optional to withdraw)."""

    reason: str = Field("", max_length=2000)


class TradePartyOut(Schema):
    """A party to the trade: a registered organisation (``holderId``) or a named buyer."""

    holderId: int | None
    name: str
    identifier: str


class ReportedTransferOut(Schema):
    """The transfer a reported transfer proposed, and where it stands."""

    id: int
    status: str
    statusLabel: str


class TradeReportOut(Schema):
    """A trade reported by an exchange, and where it stands (reported, disputed, withdrawn)."""

    id: int
    registrationNumber: str
    exchange: str
    contractReference: str
    tradedOn: date
    amount: str
    currency: str
    kind: str
    kindLabel: str
    status: str
    statusLabel: str
    sellers: list[TradePartyOut]
    buyer: TradePartyOut
    licenceKind: str | None
    starts: date | None
    ends: date | None
    transfer: ReportedTransferOut | None
    reportedAt: datetime
    disputedAt: datetime | None
    disputeReason: str
    withdrawnAt: datetime | None


class TradeReportList(Page):
    """A page of trade reports."""

    items: list[TradeReportOut]
