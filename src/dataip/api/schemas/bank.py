"""Schemas of the API for banks and other creditors: pledges held, encumbrance search."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

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
    valuationReference: str
    status: str
    statusLabel: str
    recordedAt: datetime
    confirmedAt: datetime | None
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
    licensee: str = Field(description="The licensee's name")
    regions: list[str] = Field(description="GB/T 2260 codes of the territory; empty: nationwide")
    territory: str = Field(description="The territory in words, in the caller's language")
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


class PledgeIn(Schema):
    """A pledge your organisation (the pledgee) registers; it stands once a holder of the
    right confirms it."""

    registrationNumber: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,20}$")]
    amount: Annotated[str, Field(min_length=1, max_length=24, description="e.g. 3000000.00")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    starts: date
    ends: date
    contractReference: Annotated[str, Field(min_length=1, max_length=100)]
    valuationReference: Annotated[str, Field(max_length=100)] = ""


class PledgeWaiting(Schema):
    """A pledge registered by a pledgee on a right your organisation holds, waiting for your
    confirmation (出质人确认)."""

    id: int
    registrationNumber: str | None
    productName: str
    pledgee: str
    amount: str
    currency: str
    contractReference: str
    valuationReference: str
    starts: date
    ends: date
    recordedAt: datetime


class PledgesWaiting(Schema):
    """Pledges waiting for your organisation's confirmation, oldest first."""

    items: list[PledgeWaiting]


class ReasonIn(Schema):
    """Why (declining or releasing a pledge)."""

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ConsentIn(Schema):
    """What the pledgee consents to, once: a transfer, an exclusive or sole licence, or the
    voluntary cancellation of the registration."""

    purpose: Annotated[str, Field(pattern=r"^(transfer|exclusive_licence|cancellation)$")]


class ConsentOut(Schema):
    """A consent given by the pledgee, used by the next action of its purpose."""

    id: int
    pledge: int
    purpose: str
    givenAt: datetime


class ConsentRequestIn(Schema):
    """A holder asks the pledgee's consent, once, to a transfer, an exclusive or sole licence
    or the voluntary cancellation; ``note`` is read by the pledgee."""

    purpose: Annotated[str, Field(pattern=r"^(transfer|exclusive_licence|cancellation)$")]
    note: Annotated[str, Field(max_length=2000)] = ""


class ConsentRequestOut(Schema):
    """A request for the pledgee's consent: ``status`` is ``pending``, ``given`` (then
    ``consent`` is the consent's id, used by the holder's next such action) or ``refused``
    (with ``refusalReason``)."""

    id: int
    pledge: int
    registrationNumber: str | None
    productName: str
    purpose: str
    purposeLabel: str
    note: str
    status: str
    statusLabel: str
    requestedAt: datetime
    decidedAt: datetime | None
    refusalReason: str
    consent: int | None


class ConsentRequests(Schema):
    """Requests for consent: waiting ones first, oldest first; then answered ones."""

    items: list[ConsentRequestOut]
