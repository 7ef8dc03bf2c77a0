"""The statistics bulletin's pre-aggregated cells (docs/statistics.md): kept in step by
``transition()`` (:mod:`dataip.registry.rollup`), rebuilt by ``dataip manage
rebuild_statistics``, checked by ``dataip audit``."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

NO_PRIOR = date(1, 1, 1)
"""``prior`` of a record that is its product's first of the kind (or not in CNY)."""


class StatisticsCell(models.Model):
    """How many (``records``), how many in CNY (``cny``) and their CNY sum (``total``) of one
    measure, on one day (``monthly`` false) or in one month (``monthly``: ``period`` is the
    month's first day), for one product province and one code (industry, kind, holder type,
    days to registration...). For a record, ``prior`` is the day of the product's previous
    CNY record of the same kind: a period from ``start`` counts the distinct products as the
    CNY records in it whose ``prior`` falls before ``start`` (exact at any day)."""

    measure = models.CharField(max_length=16)
    monthly = models.BooleanField()
    period = models.DateField()
    province = models.CharField(max_length=2, blank=True)
    code = models.CharField(max_length=32, blank=True)
    prior = models.DateField(default=NO_PRIOR)
    records = models.BigIntegerField(default=0)
    cny = models.BigIntegerField(default=0)
    total = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("statistics cell")
        verbose_name_plural = _("statistics cells")
        constraints = [
            models.UniqueConstraint(
                fields=["monthly", "period", "measure", "province", "code", "prior"],
                name="statistics_cell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.period} {self.province} {self.code}"
