"""Webhooks (变更推送): an organisation's subscriptions to the public events, and the durable
outbox of their deliveries.

A :class:`WebhookDelivery` row is written in the transaction of the event it announces
(:func:`dataip.registry.webhooks.queue_event`), so a rollback writes none and a crash after the
commit loses none; :mod:`dataip.registry.webhooks` sends it (Standard Webhooks, signed with the
subscription's secret) and retries it with a doubling backoff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookTopic(models.TextChoices):
    """What a subscription receives (推送范围)."""

    REGISTRATIONS = "registrations", _("Changes to registrations")
    ALL = "all", _("All public events")


class DeliveryStatus(models.TextChoices):
    """Where one delivery stands (推送状态)."""

    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed: no more attempts")


class WebhookSubscription(models.Model):
    """An organisation's endpoint for the public events (推送订阅).

    The secret (``whsec_`` + base64 of 32 random bytes) signs every delivery; the registry
    keeps it to sign, and shows it once, at creation and on rotation.
    """

    holder = models.ForeignKey(
        "registry.Holder",
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=500)
    topic = models.CharField(_("receives"), max_length=20, choices=WebhookTopic.choices)
    active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"))
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event (or test ping) to deliver to one subscription (推送记录): the outbox row.

    ``message_id`` is the ``webhook-id`` header, the same on every attempt (the receiver's
    idempotency key); ``body`` is the JSON document as first written, sent unchanged on every
    attempt.
    """

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "registry.Event", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    message_id = models.CharField(_("message id"), max_length=64, unique=True)
    event_type = models.CharField(_("type"), max_length=40)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last response"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["subscription", "id"]),
        ]

    def __str__(self) -> str:
        return self.message_id
