"""Issued certificates (证书): one row per version, never deleted."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def certificate_path(instance: Certificate, filename: str) -> str:
    """Store each version under its number: ``certificates/<number>/<number>-v<version>.pdf``."""
    return f"certificates/{instance.number}/{instance.number}-v{instance.version}.pdf"


class Certificate(models.Model):
    """One version of the certificate of a registration.

    The row is written with the ``certificate_issued`` ledger event, in one transaction; the
    signed PDF follows after the commit (``pdf`` is empty until then, and
    ``issue_missing_certificates`` completes it if rendering failed). ``registry_version`` is
    the application's ``certificate_version`` the certificate was issued for; ``version``
    counts the certificates of the registration from 1. A newer version sets
    ``superseded_at`` on the older ones. Rows are never deleted.
    """

    application = models.ForeignKey(
        "registry.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    version = models.PositiveIntegerField(_("certificate version"))
    registry_version = models.PositiveIntegerField(_("registry's certificate version"))
    number = models.CharField(_("certificate number"), max_length=17)
    issued_at = models.DateTimeField(_("issued"))
    data = models.TextField(_("certificate data (canonical JSON)"))
    data_sha256 = models.CharField(_("SHA-256 of the certificate data"), max_length=64)
    event = models.OneToOneField(
        "registry.Event", on_delete=models.PROTECT, related_name="certificate"
    )
    pdf = models.FileField(_("signed PDF"), upload_to=certificate_path, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    qr_text = models.TextField(_("QR code text"), blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["application_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="uniq_cert_version"),
            models.UniqueConstraint(
                fields=["application", "registry_version"], name="uniq_cert_registry_version"
            ),
        ]
        indexes = [models.Index(fields=["number", "version"])]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Certificates are evidence: they are superseded, never deleted."""
        raise PermissionError("certificates are never deleted")

    @property
    def issued(self) -> bool:
        """True once the signed PDF is stored."""
        return bool(self.pdf)


class RecordKind(models.TextChoices):
    """The sealed records other than the certificate (:mod:`dataip.certificates.records`)."""

    ENCUMBRANCE_STATEMENT = "encumbrance_statement", _("Encumbrance statement")
    PLEDGE_CERTIFICATE = "pledge_certificate", _("Pledge registration certificate")


class IssuedRecord(models.Model):
    """One sealed record the registry issued: an encumbrance statement (查询证明) a lender asked
    for, or a pledge's registration certificate (质押登记证明). Written with its ledger event
    in one transaction; the signed PDF is kept, so a court can compare a copy with it. Rows
    are never deleted."""

    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)
    number = models.CharField(_("number"), max_length=32, unique=True)
    application = models.ForeignKey(
        "registry.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="issued_records",
    )
    pledge = models.OneToOneField(
        "registry.Pledge",
        verbose_name=_("pledge"),
        on_delete=models.PROTECT,
        related_name="certificate",
        null=True,
        blank=True,
    )
    requested_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    issued_at = models.DateTimeField(_("issued"))
    data = models.TextField(_("record data (canonical JSON)"), blank=True)
    data_sha256 = models.CharField(_("SHA-256 of the record data"), max_length=64, blank=True)
    event = models.OneToOneField(
        "registry.Event",
        on_delete=models.PROTECT,
        related_name="issued_record",
        null=True,
        blank=True,
    )
    pdf = models.BinaryField(_("signed PDF"), blank=True, default=b"")
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("issued record")
        verbose_name_plural = _("issued records")
        indexes = [models.Index(fields=["application", "kind"])]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Issued records are evidence: never deleted."""
        raise PermissionError("issued records are never deleted")
