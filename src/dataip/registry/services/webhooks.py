"""Webhook subscriptions (推送订阅): an organisation's administrators create, pause, rotate,
test and delete them, from the portal or the API (the same functions).

Any verified organisation may subscribe (platforms foremost). The URL must be ``http`` or
``https``; the secret is generated here and returned once, at creation and on rotation (the
registry keeps it to sign). Deliveries: :mod:`dataip.registry.webhooks`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from dataip.accounts.models import OrgRole, User
from dataip.errors import FieldErrors, NotFound, PermissionDenied, gettext_noop
from dataip.registry import clock, webhooks
from dataip.registry.models import (
    Holder,
    Verification,
    WebhookDelivery,
    WebhookSubscription,
    WebhookTopic,
)

MAX_SUBSCRIPTIONS = 20
"""The most subscriptions one organisation may have."""


def administrator_of(by: User) -> int:
    """The organisation ``by`` administers, if it is verified; else PermissionDenied."""
    if by.holder_id is None or by.org_role != OrgRole.ADMINISTRATOR:
        raise PermissionDenied(
            gettext_noop("Only an administrator of the organisation may manage its webhooks.")
        )
    if not Holder.objects.filter(pk=by.holder_id, verification=Verification.VERIFIED).exists():
        raise PermissionDenied(
            gettext_noop("Webhooks are for verified organisations; wait for the verification.")
        )
    return by.holder_id


def _clean_url(errors: FieldErrors, url: str) -> str:
    url = url.strip()
    scheme = urlsplit(url).scheme.lower() if url else ""
    if scheme not in {"http", "https"}:
        errors.add("url", gettext_noop("Give an http:// or https:// address."))
        return url
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors.add("url", gettext_noop("This is not a valid web address."))
    host = urlsplit(url).hostname or ""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if (
        literal is not None
        and not literal.is_global
        and not settings.DATAIP_WEBHOOK_PRIVATE_ADDRESSES
    ):
        errors.add(
            "url",
            gettext_noop("Give a public address: loopback and private addresses are refused."),
        )
    if len(url) > 500:
        errors.add("url", gettext_noop("The address may have at most 500 characters."))
    return url


def _clean_topic(errors: FieldErrors, topic: str) -> str:
    if topic not in WebhookTopic.values:
        errors.add("topic", gettext_noop("Choose what to receive among the choices offered."))
    return topic


def own_subscription(by: User, subscription_id: int) -> WebhookSubscription:
    """A subscription of the organisation ``by`` administers; NotFound for any other."""
    holder_id = administrator_of(by)
    found = WebhookSubscription.objects.filter(pk=subscription_id, holder_id=holder_id).first()
    if found is None:
        raise NotFound(gettext_noop("No such webhook subscription."))
    return found


def create_subscription(
    by: User, *, url: str, topic: str, active: bool = True
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` to ``topic``; return the subscription and its secret (shown once)."""
    holder_id = administrator_of(by)
    errors = FieldErrors()
    url = _clean_url(errors, url)
    topic = _clean_topic(errors, topic)
    if WebhookSubscription.objects.filter(holder_id=holder_id).count() >= MAX_SUBSCRIPTIONS:
        errors.add("url", gettext_noop("An organisation may have at most 20 subscriptions."))
    errors.raise_if_any()
    secret = webhooks.new_secret()
    subscription = WebhookSubscription.objects.create(
        holder_id=holder_id,
        url=url,
        topic=topic,
        active=active,
        secret=secret,
        created_by=by,
        created_at=clock.now(),
    )
    return subscription, secret


def update_subscription(
    by: User,
    subscription_id: int,
    *,
    url: str | None = None,
    topic: str | None = None,
    active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription's URL, topic or active flag (pause / resume)."""
    with transaction.atomic():
        subscription = own_subscription(by, subscription_id)
        errors = FieldErrors()
        if url is not None:
            subscription.url = _clean_url(errors, url)
        if topic is not None:
            subscription.topic = _clean_topic(errors, topic)
        errors.raise_if_any()
        if active is not None:
            subscription.active = active
        subscription.save(update_fields=["url", "topic", "active"])
    return subscription


def rotate_secret(by: User, subscription_id: int) -> tuple[WebhookSubscription, str]:
    """Give a subscription a new secret (the old one stops at once); return it (shown once)."""
    with transaction.atomic():
        subscription = own_subscription(by, subscription_id)
        subscription.secret = webhooks.new_secret()
        subscription.rotated_at = clock.now()
        subscription.save(update_fields=["secret", "rotated_at"])
    return subscription, subscription.secret


def delete_subscription(by: User, subscription_id: int) -> None:
    """Delete a subscription and its deliveries (irreversible)."""
    with transaction.atomic():
        own_subscription(by, subscription_id).delete()


def send_ping(by: User, subscription_id: int) -> WebhookDelivery:
    """Queue a test delivery (type ``ping``) to a subscription, paused or not."""
    return webhooks.queue_ping(own_subscription(by, subscription_id))
