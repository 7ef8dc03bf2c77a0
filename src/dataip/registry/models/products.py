"""Data products (数据产品): the object a registration protects, with every field the rules name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dataip.registry.identifiers import DataSourceCode
from dataip.registry.kinds import KIND_NAMES, ProductKind


class UpdateFrequency(models.TextChoices):
    """How often the data is updated (更新频率)."""

    REAL_TIME = "real_time", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    ONE_OFF = "one_off", _("Not updated (one-off)")
    PER_CONTRACT = "per_contract", _("As the source contract provides")


KIND_CHOICES = [(kind.value, _(KIND_NAMES[kind][1])) for kind in ProductKind]
SOURCE_CHOICES = [
    (DataSourceCode.SELF_COLLECTED.value, _("Self-collected")),
    (DataSourceCode.LICENSED.value, _("Licensed")),
    (DataSourceCode.PURCHASED.value, _("Purchased")),
    (DataSourceCode.PUBLIC_AUTHORISED_OPERATION.value, _("Public data under authorised operation")),
    (DataSourceCode.OTHER.value, _("Other")),
]


class DataProduct(models.Model):
    """What is registered: a data collection, a data product, or a data algorithm / AI model.

    The columns store the fields declared in :mod:`dataip.registry.fields` (labels, lengths,
    which are public); ``tests/registry/test_fields.py`` checks that the two agree."""

    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES)
    name = models.CharField(_("product name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    industry_code = models.CharField(_("industry (GB/T 4754 division)"), max_length=2, blank=True)
    province_code = models.CharField(_("province (GB/T 2260)"), max_length=2, blank=True)
    data_source_type = models.CharField(
        _("data source"), max_length=2, choices=SOURCE_CHOICES, blank=True
    )
    data_source_description = models.TextField(_("data source description"), blank=True)
    lawful_basis = models.TextField(_("how the data was lawfully obtained"), blank=True)
    source_agreement_end = models.DateField(_("source agreement ends"), null=True, blank=True)
    formation_date = models.DateField(_("formation date"), null=True, blank=True)
    record_count = models.BigIntegerField(_("records"), null=True, blank=True)
    size_bytes = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    structure_description = models.TextField(_("data structure"), blank=True)
    update_frequency = models.CharField(
        _("update frequency"), max_length=20, choices=UpdateFrequency.choices, blank=True
    )
    processing_summary = models.TextField(_("processing rules (summary)"), blank=True)
    processing_details = models.TextField(_("processing rules / algorithm (details)"), blank=True)
    application_scenarios = models.TextField(_("application scenarios"), blank=True)
    innovation_explanation = models.TextField(
        _("substantive processing and innovation"), blank=True
    )
    samples_description = models.TextField(_("description of samples"), blank=True)
    details = models.JSONField(_("kind-specific details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("data product")
        verbose_name_plural = _("data products")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"
