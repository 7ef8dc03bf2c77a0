"""Objections (异议) filed during the public announcement, and their evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ObjectionGround(models.TextChoices):
    """Grounds for an objection: the grounds for refusing registration."""

    UNLAWFUL_SOURCE = "unlawful_source", _("The data was not lawfully obtained")
    OWNERSHIP_DISPUTE = "ownership_dispute", _("The ownership is disputed")
    UNTRUE_MATERIALS = "untrue_materials", _("The materials are untrue")
    PROHIBITED_DATA = "prohibited_data", _("Core or important data, or personal information")
    NOT_REGISTRABLE = "not_registrable", _("Not a registrable data product")
    OTHER = "other", _("Other")


class ObjectionStatus(models.TextChoices):
    """Where an objection stands."""

    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")
    MOOT = "moot", _("Closed without decision (application already refused)")


class Objection(models.Model):
    """An objection by a third party, with grounds and evidence, and its decision."""

    reference = models.CharField(  # noqa: DJ001 -- NULL until drawn; unique
        _("reference"), max_length=16, unique=True, null=True
    )
    """The objector's reference number (异议编号), drawn when it is filed."""
    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="objections"
    )
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="objections"
    )
    ground = models.CharField(_("ground"), max_length=24, choices=ObjectionGround.choices)
    statement = models.TextField(_("statement"))
    status = models.CharField(
        _("status"), max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    """The last day to decide it: the regime's ``objection_decision`` from the filing day."""
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["id"]


def evidence_path(instance: ObjectionEvidence | AnswerEvidence, filename: str) -> str:
    """Store evidence by content hash."""
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class ObjectionEvidence(models.Model):
    """A file supporting an objection, hashed at upload; seen by the examiners and by the
    holders of the application objected to (who answer it), never by the public."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("objection evidence file")
        verbose_name_plural = _("objection evidence files")


class ObjectionAnswer(models.Model):
    """The holder's written answer (答辩) to an objection, given before the decision; one per
    objection. Seen by the examiners and the holder's side."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="answer")
    statement = models.TextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("answer to an objection")
        verbose_name_plural = _("answers to objections")


class AnswerEvidence(models.Model):
    """A file supporting the holder's answer, hashed at upload."""

    answer = models.ForeignKey(ObjectionAnswer, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("answer evidence file")
        verbose_name_plural = _("answer evidence files")
