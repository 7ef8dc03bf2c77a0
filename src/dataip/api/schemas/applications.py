"""Schemas of the applicant API: drafts, holders' shares, materials, submission, timeline.

Field names are the service's names in camelCase (``nameEn`` is ``name_en``); the keys of
``details`` are the kind-specific field names as declared (``personal_information``...).
Values are checked by the registry's services, which name every refused field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ninja import Field, Schema
from pydantic import create_model

from dataip.api.schemas.common import MAX_ID, Input, Page
from dataip.api.schemas.products import input_fields, output_fields
from dataip.registry.fields import PRODUCT_FIELDS
from dataip.registry.kinds import ProductKind

if TYPE_CHECKING:  # the fields are made at import time; to mypy these are plain schemas
    DraftFields = Input
    Product = Schema
else:
    DraftFields = create_model(
        "DraftFields",
        __base__=Input,
        __doc__="Fields of the data product; on update, only the fields sent are changed.",
        __module__=__name__,
        **input_fields(f for f in PRODUCT_FIELDS if f.name != "kind"),
    )
    Product = create_model(
        "Product",
        __base__=Schema,
        __doc__="Every field of the data product, confidential ones included.",
        __module__=__name__,
        **output_fields(PRODUCT_FIELDS),
    )


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


class SubmitIn(Input):
    """The declaration of truthfulness accepted, and the revision the client last read."""

    declaration: str | None = Field(
        None,
        max_length=40,
        description="The version of the declaration of truthfulness you accept (its text and "
        "current version: `GET /applications/{id}/missing`); submission is refused without it.",
    )
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


class DeclarationOut(Schema):
    """The declaration of truthfulness to accept on submission: its version and text."""

    version: str
    text: str
    sha256: str


class MissingOut(Schema):
    """What the application lacks before it can be submitted (empty: it is complete)."""

    complete: bool
    missing: list[MissingItem]
    declaration: DeclarationOut


class EventOut(Schema):
    """A step of the application's history, with its entry in the transparency log."""

    id: int
    action: str
    label: str
    fromStatus: str
    toStatus: str
    at: datetime
    actorRole: str
    actorRoleLabel: str
    logIndex: int | None


class EventList(Page):
    """A page of the application's timeline, the oldest first."""

    items: list[EventOut]
