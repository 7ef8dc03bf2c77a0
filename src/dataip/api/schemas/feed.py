"""Schemas of the public event feed (``/events``) and of the webhook subscriptions."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from dataip.api.schemas.common import Input


class FeedEvent(Schema):
    """A public event: what the public registration page shows of it, nothing more. ``id`` is
    its ledger entry (the cursor, and the entry the public log serves)."""

    id: int
    type: str
    typeLabel: dict[str, str]
    occurredAt: datetime
    applicationNumber: str
    registrationNumber: str | None
    productName: str
    productNameEn: str | None
    status: str
    statusLabel: dict[str, str]
    url: str


class FeedPage(Schema):
    """Public events after the cursor, oldest first. Poll ``next`` (its cursor ``nextCursor``
    is the last event's id, or the same cursor when nothing is new); ``more`` says whether
    more events wait already."""

    items: list[FeedEvent]
    next: str
    nextCursor: str | None
    more: bool


class SubscriptionIn(Input):
    """A new subscription: where to (``http`` or ``https``), what (``registrations`` or
    ``all``), whether active."""

    url: str = Field(max_length=500)
    topic: str = Field("registrations", max_length=20)
    active: bool = True


class SubscriptionPatch(Input):
    """What to change of a subscription (leave out what stays)."""

    url: str | None = Field(None, max_length=500)
    topic: str | None = Field(None, max_length=20)
    active: bool | None = None


class SubscriptionOut(Schema):
    """A subscription (never its secret) and its deliveries' counts."""

    id: int
    url: str
    topic: str
    topicLabel: str
    active: bool
    createdAt: datetime
    rotatedAt: datetime | None
    pending: int
    delivered: int
    failed: int


class NewSecretOut(SubscriptionOut):
    """A subscription with its secret (``whsec_`` + base64): in this answer only."""

    secret: str


class SubscriptionList(Schema):
    """The organisation's subscriptions, oldest first."""

    items: list[SubscriptionOut]


class DeliveryOut(Schema):
    """One delivery: its ``webhook-id``, the event's type and ledger entry, where it stands."""

    id: int
    messageId: str
    type: str
    eventId: int | None
    status: str
    statusLabel: str
    attempts: int
    createdAt: datetime
    nextAttemptAt: datetime | None
    deliveredAt: datetime | None
    lastStatusCode: int | None
    lastError: str


class DeliveryList(Schema):
    """A subscription's deliveries, newest first; ``next`` pages on."""

    items: list[DeliveryOut]
    next: str | None
    nextCursor: str | None
