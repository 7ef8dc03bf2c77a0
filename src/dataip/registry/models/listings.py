"""A data exchange's listings of registered products (挂牌) and its fast-lane referrals
(快速通道): an application pre-filled by the exchange for a holder, which the holder may start
a draft from. A listing is public; a referral never is."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PriceModel(models.TextChoices):
    """How a listed product is priced on the exchange (定价方式)."""

    FIXED = "fixed", _("Fixed price")
    NEGOTIATED = "negotiated", _("Negotiated price")
    SUBSCRIPTION = "subscription", _("Subscription")
    PER_CALL = "per_call", _("Per call")
    FREE = "free", _("Free of charge")


class Listing(models.Model):
    """A registered product listed on a data exchange (挂牌), recorded by that exchange."""

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="listings"
    )
    exchange = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("data exchange"),
        on_delete=models.PROTECT,
        related_name="listings",
    )
    listing_id = models.CharField(_("listing id"), max_length=100)
    url = models.URLField(_("listing URL"), max_length=500)
    listed_on = models.DateField(_("listing date"))
    price_model = models.CharField(_("price model"), max_length=20, choices=PriceModel.choices)
    description = models.TextField(_("description"), blank=True)
    ended_on = models.DateField(_("delisted on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for delisting"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name_plural = _("listings")
        verbose_name = _("listing")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "application", "listing_id"],
                condition=Q(ended_on=None),
                name="uniq_live_listing",
            )
        ]

    @property
    def live(self) -> bool:
        """Whether the product is still listed (not delisted)."""
        return self.ended_on is None


class ReferralStatus(models.TextChoices):
    """Where a fast-lane referral stands."""

    PENDING = "pending", _("Waiting for the holder")
    USED = "used", _("Draft started by the holder")
    DECLINED = "declined", _("Declined by the holder")
    WITHDRAWN = "withdrawn", _("Withdrawn by the exchange")


class Referral(models.Model):
    """An application pre-filled by a data exchange for a holder (快速通道): not an
    application and never public; the holder may start a draft from it or decline it."""

    exchange = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("data exchange"),
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    holder_identifier = models.CharField(_("holder's credit code"), max_length=18)
    kind = models.CharField(_("kind"), max_length=20)
    values = models.JSONField(_("product fields"), encoder=DjangoJSONEncoder, default=dict)
    listing_reference = models.CharField(_("listing id"), max_length=100)
    listing_url = models.URLField(_("listing URL"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("fast-lane referrals")
        verbose_name = _("fast-lane referral")
        ordering = ["-id"]
        indexes = [models.Index(fields=["holder_identifier", "status"])]
