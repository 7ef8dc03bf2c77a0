"""Number sequences for application, registration and certificate numbers (编号)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last serial used for one kind of number in one scope (e.g. a year and a registry).

    Incremented with a single ``UPDATE ... SET last = last + 1`` inside the caller's
    transaction, so two concurrent transactions can never draw the same serial.
    """

    scope = models.CharField(max_length=40, unique=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"
