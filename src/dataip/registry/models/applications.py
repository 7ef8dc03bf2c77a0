"""Applications (登记申请), their holders, materials and expert panel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dataip.registry.kinds import MaterialKind
from dataip.registry.workflow import Status

STATUS_CHOICES = [
    (Status.DRAFT.value, _("Draft")),
    (Status.SUBMITTED.value, _("Submitted")),
    (Status.FORMAL_EXAMINATION.value, _("Formal examination")),
    (Status.CORRECTION_REQUESTED.value, _("Correction requested")),
    (Status.EXPERT_REVIEW.value, _("Expert review")),
    (Status.APPROVED.value, _("Approved")),
    (Status.UNDER_PUBLICITY.value, _("Under public announcement")),
    (Status.OBJECTION_REVIEW.value, _("Objection review")),
    (Status.REGISTERED.value, _("Registered")),
    (Status.EXPIRED.value, _("Expired")),
    (Status.REJECTED.value, _("Rejected")),
    (Status.WITHDRAWN.value, _("Withdrawn")),
    (Status.CANCELLED.value, _("Cancelled")),
    (Status.REVOKED.value, _("Revoked")),
]

MATERIAL_CHOICES = [
    (MaterialKind.APPLICATION_FORM.value, _("Application form")),
    (MaterialKind.PRODUCT_SUMMARY.value, _("Summary of the data product")),
    (MaterialKind.INNOVATION_EXPLANATION.value, _("Explanation of processing and innovation")),
    (MaterialKind.SCENARIO_DESCRIPTION.value, _("Description of application scenarios")),
    (MaterialKind.DATA_SOURCE_PROOF.value, _("Proof of lawful data source")),
    (MaterialKind.POWER_OF_ATTORNEY.value, _("Power of attorney")),
    (MaterialKind.COMMITMENT_LETTER.value, _("Commitment letter")),
    (MaterialKind.DEPOSIT_CERTIFICATE.value, _("Deposit certificate")),
    (MaterialKind.SAMPLES.value, _("Data samples")),
]


class Application(models.Model):
    """One application to register one data product, from draft to registration and beyond.

    ``status`` changes only through ``registry.services`` (the workflow); ``revision`` counts
    every change, so a stale form is refused instead of overwriting someone else's work.
    """

    # NULL until issued: several drafts without a number must not collide on uniqueness.
    number = models.CharField(  # noqa: DJ001
        _("application number"), max_length=20, unique=True, null=True
    )
    regime_code = models.CharField(_("regime"), max_length=20)
    status = models.CharField(
        _("status"), max_length=24, choices=STATUS_CHOICES, default=Status.DRAFT.value
    )
    revision = models.PositiveIntegerField(default=1)
    product = models.OneToOneField(
        "registry.DataProduct", on_delete=models.PROTECT, related_name="application"
    )
    filed_by = models.ForeignKey(
        "registry.Holder",
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="filed_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examiner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    correction_due = models.DateField(_("correction due"), null=True, blank=True)
    correction_request = models.TextField(_("correction requested"), blank=True)
    announcement_starts = models.DateField(_("announcement starts"), null=True, blank=True)
    announcement_ends = models.DateField(_("announcement ends"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=16, unique=True, null=True, blank=True
    )
    certificate_number = models.CharField(
        _("certificate number"), max_length=17, unique=True, null=True, blank=True
    )
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    certificate_version = models.PositiveIntegerField(_("certificate version"), default=0)
    last_leaf_hash = models.CharField(max_length=64, blank=True, editable=False)
    """The ledger leaf of this application's latest event: the next event's ``prev``."""
    decision_reference = models.CharField(
        _("decision reference (court or registry)"), max_length=200, blank=True
    )
    source_referral = models.OneToOneField(
        "registry.Referral",
        verbose_name=_("fast-lane referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )
    """The exchange's referral this application was started from (快速通道), if any."""

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["status", "announcement_ends"]),
            models.Index(fields=["status", "correction_due"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return self.registration_number or self.number or f"draft #{self.pk}"


class ApplicationHolder(models.Model):
    """A holder of the right applied for, with its share (共有人及份额); shares sum to 100."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="holders")
    holder = models.ForeignKey("registry.Holder", on_delete=models.PROTECT, related_name="+")
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name_plural = _("holder shares")
        verbose_name = _("holder share")
        constraints = [
            models.UniqueConstraint(fields=["application", "holder"], name="uniq_holder_per_app"),
        ]


def material_path(instance: Material, filename: str) -> str:
    """Store materials by content hash, never by the user's file name."""
    return f"materials/{instance.sha256[:2]}/{instance.sha256}"


class Material(models.Model):
    """A document filed with an application (申请材料), hashed (SHA-256) at upload."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField(_("kind"), max_length=32, choices=MATERIAL_CHOICES)
    file = models.FileField(_("file"), upload_to=material_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("replaced or removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["id"]


class PanelAssignment(models.Model):
    """An expert on an application's review panel and the opinion given (专家意见)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    approves = models.BooleanField(_("recommends registration"), null=True)
    opinion = models.TextField(_("opinion"), blank=True)
    opinion_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("panel assignments")
        verbose_name = _("panel assignment")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="uniq_expert_per_app"),
        ]
