"""Schemas of the transfer API (转让): a proposal, a transfer as its parties see it, and the
reasons of a decline or a withdrawal. Names are the services' in camelCase."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from dataip.api.schemas.common import Input


class TransferIn(Input):
    """A transfer to a registered holder, named by its credit code or ID number; it takes
    effect once the assignee and every other joint holder have confirmed it."""

    assignee: str = Field(max_length=18, pattern=r"^[0-9A-Za-z]+$")
    contractDate: date
    effectiveDate: date
    price: Decimal | None = Field(None, description="At most two decimals; optional")
    currency: str = Field("CNY", min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class TransferDeclineIn(Input):
    """Why the party declines the transfer."""

    reason: str = Field(min_length=1, max_length=2000)


class TransferWithdrawIn(Input):
    """Why the proposer withdraws the transfer (optional)."""

    reason: str = Field("", max_length=2000)


class TransferOut(Schema):
    """A transfer (转让) of a registration, with who has confirmed it and who has yet to."""

    id: int
    registrationNumber: str
    productName: str
    proposer: str
    assignee: str
    contractDate: date
    effectiveDate: date
    price: str | None
    currency: str
    status: str
    statusLabel: str
    proposedAt: datetime
    decidedAt: datetime | None
    confirmedBy: list[str]
    waitingFor: list[str]
    declinedBy: str | None
    reason: str


class TransferList(Schema):
    """Transfers, the oldest or the newest first as the route says."""

    items: list[TransferOut]
