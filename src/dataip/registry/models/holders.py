"""Holders (登记主体): legal persons, unincorporated organisations and natural persons."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    """The three kinds of registrant the rules name (主体类型)."""

    LEGAL_PERSON = "legal_person", _("Legal person")
    UNINCORPORATED = "unincorporated", _("Unincorporated organisation")
    NATURAL_PERSON = "natural_person", _("Natural person")


class OrganisationType(models.TextChoices):
    """What an organisation is to the registry (主体类别); a bank is also ``is_lender``."""

    HOLDER = "holder", _("Data holder")
    EXCHANGE = "exchange", _("Data exchange")
    PLATFORM = "platform", _("Trading or service platform")
    BANK = "bank", _("Bank or other lender")


class Verification(models.TextChoices):
    """Where the identity check of an organisation stands (主体认证状态)."""

    VERIFIED = "verified", _("Verified")
    PENDING = "pending", _("Pending verification")
    REFUSED = "refused", _("Verification refused")


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
    org_type = models.CharField(
        _("type of organisation"),
        max_length=20,
        choices=OrganisationType.choices,
        default=OrganisationType.HOLDER,
    )
    verification = models.CharField(
        _("identity verification"),
        max_length=20,
        choices=Verification.choices,
        default=Verification.VERIFIED,
        help_text=_("Only sign-up creates a pending organisation; it may draft, not submit."),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("holder")
        verbose_name_plural = _("holders")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ClaimStatus(models.TextChoices):
    """Where an identity claim dispute stands (主体认领争议)."""

    PENDING = "pending", _("Waiting for the registrar")
    GRANTED = "granted", _("Granted: the claimant joined the organisation")
    REFUSED = "refused", _("Refused")


class OrganisationClaim(models.Model):
    """A sign-up with an identifier that is already registered (主体认领争议).

    Sign-up never says that a code is taken: the claimant is told, as any new organisation is,
    that its organisation waits for verification, and the registrar decides the dispute —
    grant (the claimant joins the existing organisation) or refuse, with the reason. Until
    then the claimant acts for no organisation.
    """

    holder = models.ForeignKey(
        Holder, on_delete=models.PROTECT, related_name="claims", verbose_name=_("organisation")
    )
    claimant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organisation_claim",
        verbose_name=_("claimant"),
    )
    identifier = models.CharField(_("identifier"), max_length=18)
    kind = models.CharField(_("kind"), max_length=20, choices=HolderKind.choices)
    org_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    province_code = models.CharField(_("province"), max_length=2)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    verifier_verdict = models.CharField(_("verifier's verdict"), max_length=20, blank=True)
    verifier_reason = models.TextField(_("verifier's reason"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity claim dispute")
        verbose_name_plural = _("identity claim disputes")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"


class DocumentKind(models.TextChoices):
    """The documents that prove an organisation's identity (主体认证材料)."""

    BUSINESS_LICENCE = "business_licence", _("Business licence (营业执照)")
    AUTHORISATION = "authorisation", _("Legal representative's authorisation (授权书)")


def identity_document_path(instance: IdentityDocument, filename: str) -> str:
    """Store identity documents by content hash, beside the other evidence."""
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class IdentityDocument(models.Model):
    """A document uploaded to prove an organisation's identity, hashed at upload; seen by the
    organisation's members (or the claimant) and the registrar only. Uploading again adds a
    document: the latest of each kind is the one that counts."""

    holder = models.ForeignKey(
        Holder, on_delete=models.PROTECT, null=True, blank=True, related_name="identity_documents"
    )
    claim = models.ForeignKey(
        OrganisationClaim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(upload_to=identity_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holder__isnull=True, claim__isnull=False)
                | models.Q(holder__isnull=False, claim__isnull=True),
                name="identity_document_one_owner",
            )
        ]
