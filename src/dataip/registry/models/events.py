"""Events (事件记录): the immutable record of every transition, one ledger leaf each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something that happened to an application: who, when, from which status to which.

    Rows are never updated or deleted: database triggers refuse it (see the migration).
    ``leaf_index`` is the event's entry in the evidence ledger, written in the same
    transaction; ``payload_digest`` is the SHA-256 of the canonical JSON of ``payload``;
    ``openings`` are the salts and values of the leaf's commitments (see
    :mod:`dataip.evidence.commitments`), protected by the same triggers as the rest of the row.
    """

    application = models.ForeignKey(
        "registry.Application", on_delete=models.PROTECT, related_name="events", null=True
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(_("acting as"), max_length=20)
    occurred_at = models.DateTimeField(_("time"))
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    payload_digest = models.CharField(_("payload digest"), max_length=64)
    public = models.BooleanField(_("public"), default=False)
    leaf_index = models.BigIntegerField(_("ledger entry"), unique=True, null=True)
    #: The openings of the leaf's commitments (``dip.event/v2``): field -> ``{salt, value}``,
    #: salts kept by the registry only; None for events logged as ``dip.event/v1``.
    openings = models.JSONField(_("openings"), null=True, editable=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["id"]
        indexes = [models.Index(fields=["application", "id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}->{self.to_status}"
