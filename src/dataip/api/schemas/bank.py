"""Schemas of the API for banks and other creditors: pledges held, encumbrance search."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from dataip.api.schemas.common import Page


class PledgeHeld(Schema):
    """A pledge your organisation holds as pledgee (质权人)."""

    id: int
    registrationNumber: str | None
    productName: str
    amount: str
    currency: str
    contractReference: str
    starts: date
    ends: date
    status: str
    recordedAt: datetime
    releasedOn: date | None


class PledgesHeld(Page):
    """A page of the pledges you hold, the newest first."""

    items: list[PledgeHeld]


class StandingPledge(Schema):
    """A pledge that stands: the pledgee and term; the amount where the regime publishes it."""

    pledgee: str
    starts: date
    ends: date
    amount: str | None
    currency: str


class ExclusiveLicence(Schema):
    """An exclusive (独占) or sole (排他) licence in force today."""

    kind: str
    starts: date
    ends: date


class PendingTransfer(Schema):
    """A transfer proposed and not yet confirmed (the assignee and price are not shown)."""

    proposedOn: date
    contractDate: date
    effectiveDate: date


class Encumbrance(Schema):
    """What stands on a registration (权利负担): pledges, exclusive licences, a pending
    transfer."""

    registrationNumber: str
    certificateNumber: str | None
    productName: str
    status: str
    statusLabel: str
    validFrom: date | None
    validUntil: date | None
    holders: list[str]
    pledges: list[StandingPledge]
    exclusiveLicences: list[ExclusiveLicence]
    pendingTransfers: list[PendingTransfer]
    transferPending: bool
    encumbered: bool


class Encumbrances(Page):
    """A page of registrations found, in the order they were filed."""

    items: list[Encumbrance]
