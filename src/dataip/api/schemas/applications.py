"""Schemas of the applicant API: drafts, holders' shares, materials, submission, timeline.

Field names are the service's names in camelCase (``nameEn`` is ``name_en``); the keys of
``details`` are the kind-specific field names as declared (``personal_information``...).
Values are checked by the registry's services, which name every refused field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from dataip.api.schemas.common import MAX_ID, Input, Page
from dataip.registry.kinds import ProductKind


class DraftFields(Input):
    """Fields of the data product; on update, only the fields sent are changed."""

    name: str = ""
    nameEn: str = ""
    summary: str = ""
    summaryEn: str = ""
    industryCode: str = Field("", description="GB/T 4754-2017 division, two digits")
    provinceCode: str = Field("", description="GB/T 2260 province, two digits")
    dataSourceType: str = Field("", description="01 self-collected, 02 licensed, ...")
    dataSourceDescription: str = ""
    lawfulBasis: str = ""
    sourceAgreementEnd: date | None = None
    formationDate: date | None = None
    recordCount: int | None = Field(None, ge=0, le=MAX_ID)
    sizeBytes: int | None = Field(None, ge=0, le=MAX_ID)
    structureDescription: str = ""
    updateFrequency: str = ""
    processingSummary: str = ""
    processingDetails: str = ""
    applicationScenarios: str = ""
    innovationExplanation: str = ""
    samplesDescription: str = ""
    details: dict[str, Any] = Field(default_factory=dict)


class DraftIn(DraftFields):
    """A new draft: the kind of product, and any fields already known."""

    kind: ProductKind


class DraftUpdate(DraftFields):
    """Changed fields of a draft (or of an application awaiting correction)."""

    kind: ProductKind | None = None
    revision: int | None = Field(
        None, ge=1, le=MAX_ID, description="The revision you read; 409 if it changed since"
    )


class RevisionIn(Input):
    """The revision the client last read (optional; ``If-Match`` works too)."""

    revision: int | None = Field(None, ge=1, le=MAX_ID)


class WithdrawIn(Input):
    """Why the applicant withdraws (optional)."""

    reason: str = Field("", max_length=5000)


class ShareIn(Input):
    """A holder and its share in per cent; name the holder by id or by its credit code."""

    holderId: int | None = Field(None, ge=1, le=MAX_ID)
    identifier: str | None = Field(None, max_length=18, pattern=r"^[0-9A-Za-z]+$")
    share: Decimal = Field(description="Per cent, at most two decimals; shares sum to 100")


class HoldersIn(Input):
    """Every holder of the right applied for, with its share."""

    shares: list[ShareIn] = Field(max_length=100)


class ShareHolder(Schema):
    """A holder of the right applied for."""

    holderId: int
    name: str
    share: str


class FiledBy(Schema):
    """The organisation that filed the application (the applicant or its agency)."""

    holderId: int
    name: str


class Product(Schema):
    """Every field of the data product, confidential ones included."""

    kind: str
    name: str
    nameEn: str
    summary: str
    summaryEn: str
    industryCode: str
    provinceCode: str
    dataSourceType: str
    dataSourceDescription: str
    lawfulBasis: str
    sourceAgreementEnd: date | None
    formationDate: date | None
    recordCount: int | None
    sizeBytes: int | None
    structureDescription: str
    updateFrequency: str
    processingSummary: str
    processingDetails: str
    applicationScenarios: str
    innovationExplanation: str
    samplesDescription: str
    details: dict[str, Any]


class ApplicationOut(Schema):
    """One of your applications, as the registry holds it now."""

    id: int
    number: str | None
    status: str
    statusLabel: str
    revision: int
    regime: str
    createdAt: datetime
    submittedAt: datetime | None
    correctionDue: date | None
    correctionRequest: str
    announcementStarts: date | None
    announcementEnds: date | None
    decidedAt: datetime | None
    decisionReason: str
    registrationNumber: str | None
    certificateNumber: str | None
    registeredOn: date | None
    validFrom: date | None
    validUntil: date | None
    filedBy: FiledBy
    holders: list[ShareHolder]
    product: Product


class ApplicationSummary(Schema):
    """An application in a list."""

    id: int
    number: str | None
    status: str
    statusLabel: str
    revision: int
    kind: str
    name: str
    createdAt: datetime
    submittedAt: datetime | None
    registrationNumber: str | None
    url: str


class ApplicationList(Page):
    """A page of your applications, the newest first."""

    items: list[ApplicationSummary]


class MaterialOut(Schema):
    """A material filed with an application; the SHA-256 was computed as it was stored."""

    id: int
    kind: str
    kindLabel: str
    name: str
    contentType: str
    size: int
    sha256: str
    uploadedAt: datetime


class MaterialList(Page):
    """A page of the materials in force, the oldest first."""

    items: list[MaterialOut]


class MissingItem(Schema):
    """A field or material still missing: its name (as in error messages) and label."""

    name: str
    label: str


class MissingOut(Schema):
    """What the application lacks before it can be submitted (empty: it is complete)."""

    complete: bool
    missing: list[MissingItem]


class EventOut(Schema):
    """A step of the application's history, with its entry in the transparency log."""

    id: int
    action: str
    label: str
    fromStatus: str
    toStatus: str
    at: datetime
    actorRole: str
    logIndex: int | None


class EventList(Page):
    """A page of the application's timeline, the oldest first."""

    items: list[EventOut]
