"""Webhook subscriptions (推送订阅) through the API: a token with the ``webhooks`` scope, made by
an administrator of a verified organisation (the same services as the portal page,
``registry/services/webhooks.py``). The secret is in the answers of creation and rotation
only."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, Router
from ninja import Status as Answer
from ninja.params import PathEx

from dataip.accounts import scopes
from dataip.api import pagination
from dataip.api.auth import TokenAuth, caller
from dataip.api.pagination import Cursor, Limit
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.feed import (
    DeliveryList,
    DeliveryOut,
    NewSecretOut,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    SubscriptionPatch,
)
from dataip.api.schemas.log import Problem
from dataip.errors import NotFound, gettext_noop
from dataip.registry.models import DeliveryStatus, WebhookDelivery, WebhookTopic
from dataip.registry.queries.webhooks import SubscriptionView, subscription_of, subscriptions_of
from dataip.registry.services import webhooks as service

router = Router(tags=["webhooks"], auth=TokenAuth(scopes.WEBHOOKS, read_suffices=False))
ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: ValidationProblem}
ACTING: dict[int, type[Problem]] = {**ERRORS, 404: Problem}
SubscriptionId = PathEx[int, P(ge=1, le=MAX_ID, description="The subscription's id")]


def _view(view: SubscriptionView) -> SubscriptionOut:
    return SubscriptionOut(
        id=view.id,
        url=view.url,
        topic=view.topic,
        topicLabel=str(WebhookTopic(view.topic).label),
        active=view.active,
        createdAt=view.created_at,
        rotatedAt=view.rotated_at,
        pending=view.pending,
        delivered=view.delivered,
        failed=view.failed,
    )


def _one(holder_id: int, subscription_id: int) -> SubscriptionOut:
    view = subscription_of(holder_id, subscription_id)
    if view is None:
        raise NotFound(gettext_noop("No such webhook subscription."))
    return _view(view)


def _delivery(row: WebhookDelivery) -> DeliveryOut:
    pending = row.status == DeliveryStatus.PENDING
    return DeliveryOut(
        id=row.pk,
        messageId=row.message_id,
        type=row.event_type,
        eventId=None if row.event is None else row.event.leaf_index,
        status=row.status,
        statusLabel=str(DeliveryStatus(row.status).label),
        attempts=row.attempts,
        createdAt=row.created_at,
        nextAttemptAt=row.next_attempt_at if pending else None,
        deliveredAt=row.delivered_at,
        lastStatusCode=row.last_status_code,
        lastError=row.last_error,
    )


@router.get("/webhooks", response={200: SubscriptionList, **ERRORS}, summary="Subscriptions")
def list_subscriptions(request: HttpRequest) -> SubscriptionList:
    """Your organisation's webhook subscriptions (never their secrets), oldest first."""
    holder_id = service.administrator_of(caller(request).filer())
    return SubscriptionList(items=[_view(v) for v in subscriptions_of(holder_id)])


@router.post("/webhooks", response={201: NewSecretOut, **ERRORS}, summary="Create a subscription")
def create_subscription(request: HttpRequest, body: SubscriptionIn) -> Answer[NewSecretOut]:
    """Subscribe a URL (``http`` or ``https``) to ``registrations`` or ``all`` public events;
    the secret that signs the deliveries is in this answer only."""
    user = caller(request).filer()
    made, secret = service.create_subscription(
        user, url=body.url, topic=body.topic, active=body.active
    )
    return Answer(201, NewSecretOut(**_one(made.holder_id, made.pk).model_dump(), secret=secret))


@router.get(
    "/webhooks/{subscription_id}", response={200: SubscriptionOut, **ACTING}, summary="Subscription"
)
def get_subscription(request: HttpRequest, subscription_id: SubscriptionId) -> SubscriptionOut:
    """One subscription of your organisation."""
    return _one(service.administrator_of(caller(request).filer()), subscription_id)


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: SubscriptionOut, **ACTING},
    summary="Change a subscription",
)
def change_subscription(
    request: HttpRequest, subscription_id: SubscriptionId, body: SubscriptionPatch
) -> SubscriptionOut:
    """Change the URL, what it receives, or pause (``active: false``) and resume it."""
    made = service.update_subscription(
        caller(request).filer(),
        subscription_id,
        url=body.url,
        topic=body.topic,
        active=body.active,
    )
    return _one(made.holder_id, made.pk)


@router.delete(
    "/webhooks/{subscription_id}", response={204: None, **ACTING}, summary="Delete a subscription"
)
def delete_subscription(request: HttpRequest, subscription_id: SubscriptionId) -> Answer[None]:
    """Delete a subscription and its deliveries."""
    service.delete_subscription(caller(request).filer(), subscription_id)
    return Answer(204, None)


@router.post(
    "/webhooks/{subscription_id}/rotate",
    response={200: NewSecretOut, **ACTING},
    summary="Rotate the secret",
)
def rotate_secret(request: HttpRequest, subscription_id: SubscriptionId) -> NewSecretOut:
    """A new secret; the old one stops signing at once. In this answer only."""
    made, secret = service.rotate_secret(caller(request).filer(), subscription_id)
    return NewSecretOut(**_one(made.holder_id, made.pk).model_dump(), secret=secret)


@router.post(
    "/webhooks/{subscription_id}/ping",
    response={202: DeliveryOut, **ACTING},
    summary="Send a test ping",
)
def ping(request: HttpRequest, subscription_id: SubscriptionId) -> Answer[DeliveryOut]:
    """Queue a signed test delivery (type ``ping``); follow it in the deliveries."""
    return Answer(202, _delivery(service.send_ping(caller(request).filer(), subscription_id)))


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: DeliveryList, **ACTING},
    summary="Deliveries",
)
def deliveries(
    request: HttpRequest,
    subscription_id: SubscriptionId,
    cursor: Cursor = None,
    limit: Limit = pagination.DEFAULT_LIMIT,
) -> DeliveryList:
    """A subscription's deliveries, newest first: status, attempts, next attempt, last answer."""
    subscription = service.own_subscription(caller(request).filer(), subscription_id)
    rows = (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("event")
        .defer("body")
    )
    page = pagination.by_id(rows, cursor, limit)
    return DeliveryList(
        items=[_delivery(r) for r in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )
