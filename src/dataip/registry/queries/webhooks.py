"""Webhook subscriptions and their deliveries, as their organisation's administrators see them
(the portal page and the API read here). The secret is never read here: it is shown once, by
the service that makes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from dataip.registry.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


@dataclass(frozen=True)
class SubscriptionView:
    """One subscription, without its secret, and its deliveries' counts."""

    id: int
    url: str
    topic: str
    active: bool
    created_at: datetime
    rotated_at: datetime | None
    pending: int
    delivered: int
    failed: int


def subscriptions_of(holder_id: int) -> list[SubscriptionView]:
    """The organisation's subscriptions, oldest first."""
    rows = (
        WebhookSubscription.objects.filter(holder_id=holder_id)
        .annotate(
            n_pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            n_delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
            n_failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("id")
    )
    return [
        SubscriptionView(
            id=s.pk,
            url=s.url,
            topic=s.topic,
            active=s.active,
            created_at=s.created_at,
            rotated_at=s.rotated_at,
            pending=s.n_pending,
            delivered=s.n_delivered,
            failed=s.n_failed,
        )
        for s in rows
    ]


def subscription_of(holder_id: int, subscription_id: int) -> SubscriptionView | None:
    """One of the organisation's subscriptions, or None."""
    for view in subscriptions_of(holder_id):
        if view.id == subscription_id:
            return view
    return None


def deliveries_of(
    holder_id: int, subscription_id: int, *, before: int | None = None, limit: int = 50
) -> list[WebhookDelivery]:
    """A subscription's deliveries, newest first (``before``: a delivery id, for paging)."""
    rows = WebhookDelivery.objects.filter(
        subscription_id=subscription_id, subscription__holder_id=holder_id
    ).defer("body")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return list(rows.order_by("-id")[:limit])
