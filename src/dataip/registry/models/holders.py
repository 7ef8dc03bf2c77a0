"""Holders (登记主体): legal persons, unincorporated organisations and natural persons."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    """The three kinds of registrant the rules name (主体类型)."""

    LEGAL_PERSON = "legal_person", _("Legal person")
    UNINCORPORATED = "unincorporated", _("Unincorporated organisation")
    NATURAL_PERSON = "natural_person", _("Natural person")


class Holder(models.Model):
    """A party that can hold data IP, file applications, or act as an agent.

    The identifier is a Unified Social Credit Code (统一社会信用代码) for organisations and a
    resident identity number (居民身份证号) for natural persons; it is confidential, and so
    are the address and contacts. Only the name is public.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=HolderKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    identifier = models.CharField(_("identifier"), max_length=18, unique=True)
    province_code = models.CharField(_("province"), max_length=2)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    is_agency = models.BooleanField(_("filing agency"), default=False)
    is_lender = models.BooleanField(
        _("bank or other lender"),
        default=False,
        help_text=_("Its members land on the encumbrance search when they sign in."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("holder")
        verbose_name_plural = _("holders")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
