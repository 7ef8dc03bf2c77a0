"""The leases of the deployment-wide schedule (定时租约): one row per scheduled job.

Every ``dataip serve`` and ``dataip worker`` competes for a job's lease when it falls due; a
conditional update (``... WHERE due_at <= now``, the database's clock) lets exactly one of them
win each period, on SQLite and PostgreSQL alike (:mod:`dataip.upkeep.schedule`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleLease(models.Model):
    """When a scheduled job (``tick``) next falls due, and who ran it last."""

    name = models.CharField(_("scheduled job"), max_length=64, primary_key=True)
    due_at = models.DateTimeField(_("next due at"))
    holder = models.CharField(_("last run by"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule lease")
        verbose_name_plural = _("schedule leases")

    def __str__(self) -> str:
        return f"{self.name} (due {self.due_at:%Y-%m-%d %H:%M:%S})"
