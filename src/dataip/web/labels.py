"""Human names for the registry's field, material, status and action names, in either language."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from dataip.registry import details, reference
from dataip.registry.i18n import STATUS_LABELS, event_label
from dataip.registry.models import DataProduct
from dataip.registry.models.applications import MATERIAL_CHOICES
from dataip.registry.models.objections import ObjectionGround
from dataip.registry.models.products import KIND_CHOICES, SOURCE_CHOICES, UpdateFrequency

MATERIAL_LABELS = dict(MATERIAL_CHOICES)
KIND_LABELS = dict(KIND_CHOICES)
SOURCE_LABELS = dict(SOURCE_CHOICES)
FREQUENCY_LABELS = dict(UpdateFrequency.choices)
GROUND_LABELS = dict(ObjectionGround.choices)


def is_english(language: str | None) -> bool:
    """Whether the active language is English (otherwise Chinese is shown)."""
    return (language or "").startswith("en")


def field_label(name: str) -> str:
    """The label of a field a service names: product fields, details, materials, holders."""
    if name.startswith("materials."):
        kind = name.split(".", 1)[1]
        return str(MATERIAL_LABELS.get(kind, kind))
    if name.startswith("details."):
        spec = details.FIELDS_BY_NAME.get(name.split(".", 1)[1])
        return _(spec.label) if spec else name
    if name == "holders" or name.startswith("shares"):
        return _("Holders and shares")
    if name == "file":
        return _("File")
    return product_field_label(name)


def product_field_label(name: str) -> str:
    """The label of a data product's field (its model verbose name)."""
    try:
        field = DataProduct._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def status_label(status: str) -> str:
    """The name of a status in the active language."""
    return str(STATUS_LABELS.get(status, status))


def action_label(action: str) -> str:
    """The name of an action in the active language."""
    return event_label(action)


def industry_label(code: str, language: str | None) -> str:
    """A GB/T 4754 division by its code, in the active language."""
    try:
        item = reference.industry(code)
    except KeyError:
        return code
    return item.division_name_en if is_english(language) else item.division_name_zh


def province_label(code: str, language: str | None) -> str:
    """A province by its code, in the active language."""
    try:
        item = reference.province(code)
    except KeyError:
        return code
    return item.name_en if is_english(language) else item.name_zh
