"""Deposits (存证), their LSH bands, and the applications that cite them.

``Deposit`` and ``DepositBand`` rows are append-only: database triggers refuse UPDATE and
DELETE (migration 0002), like the ledger. A citation (``ApplicationDeposit``) may be removed
while its application is still being edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def manifest_path(instance: Deposit, filename: str) -> str:
    """Store manifests by content hash, never by the uploader's file name."""
    digest = instance.manifest_sha256
    return f"deposits/manifests/{digest[:2]}/{digest}.json"


class Deposit(models.Model):
    """One deposit: a holder's manifest, its timestamped statement and its ledger entry.

    Confidential: the manifest (file names or hidden names, per-file digests), the MinHash
    signature and the holder salt. Public: that the deposit exists, its number, its time and
    its root (``DATAIP_DEPOSIT_PUBLISH_ROOT``).
    """

    number = models.CharField(_("deposit number"), max_length=20, unique=True)
    holder = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    root = models.CharField(_("deposit root"), max_length=64, db_index=True)
    file_count = models.PositiveBigIntegerField(_("files"))
    byte_count = models.PositiveBigIntegerField(_("bytes"))
    formats = models.JSONField(_("file formats"), default=dict)
    hidden_names = models.BooleanField(_("file names hidden"), default=False)
    manifest = models.FileField(_("manifest"), upload_to=manifest_path, max_length=200)
    manifest_sha256 = models.CharField(_("SHA-256 of the manifest"), max_length=64)
    manifest_size = models.PositiveBigIntegerField(_("manifest size"))
    statement = models.BinaryField(_("deposit statement"))
    token = models.BinaryField(_("time-stamp token"))
    tsa = models.CharField(_("time-stamp authority"), max_length=300)
    timestamped_at = models.DateTimeField(_("time-stamp time"))
    holder_salt = models.BinaryField(_("holder salt"))
    holder_commitment = models.CharField(_("holder commitment"), max_length=64)
    minhash = models.JSONField(_("MinHash signature"), null=True, blank=True)
    event = models.OneToOneField("registry.Event", on_delete=models.PROTECT, related_name="deposit")
    leaf_index = models.BigIntegerField(_("ledger entry"), unique=True)
    created_at = models.DateTimeField(_("deposited"))

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-id"]
        indexes = [models.Index(fields=["holder", "id"])]

    def __str__(self) -> str:
        return self.number


class DepositBand(models.Model):
    """One LSH band of a deposit's MinHash signature (see :mod:`dataip.deposits.lsh`).

    ``hash`` covers the band number and the signature's parameters, so equal hashes mean the
    same band of comparable signatures; the index on ``hash`` finds candidates at once.
    """

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    hash = models.BigIntegerField()

    class Meta:
        verbose_name = _("deposit similarity band")
        verbose_name_plural = _("deposit similarity bands")
        indexes = [models.Index(fields=["hash"])]
        constraints = [
            models.UniqueConstraint(fields=["deposit", "band"], name="uniq_band_per_deposit"),
        ]


class ApplicationDeposit(models.Model):
    """An application cites a deposit of its applicant side (申请引用的存证)."""

    application = models.ForeignKey(
        "registry.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="deposit_citations",
    )
    deposit = models.ForeignKey(
        Deposit, verbose_name=_("deposit"), on_delete=models.PROTECT, related_name="citations"
    )
    cited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cited_at = models.DateTimeField(_("cited"))

    class Meta:
        verbose_name = _("cited deposit")
        verbose_name_plural = _("cited deposits")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "deposit"], name="uniq_deposit_per_application"
            ),
        ]
