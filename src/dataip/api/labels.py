"""Names of codes (kinds, statuses, actions, industries, provinces, fields) in the request's
language, for API answers that show them next to the code."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext

from dataip.registry import details, reference
from dataip.registry.i18n import STATUS_LABELS, event_label
from dataip.registry.models import DataProduct
from dataip.registry.models.applications import MATERIAL_CHOICES
from dataip.registry.models.products import KIND_CHOICES

KIND_LABELS = dict(KIND_CHOICES)
MATERIAL_LABELS = dict(MATERIAL_CHOICES)


def english() -> bool:
    """Whether the request's language is English (otherwise Chinese)."""
    return (get_language() or "").startswith("en")


def kind(code: str) -> str:
    """The name of a kind of product."""
    return str(KIND_LABELS.get(code, code))


def status(code: str) -> str:
    """The name of a status."""
    return str(STATUS_LABELS.get(code, code))


def action(code: str) -> str:
    """The name of an action (an event of the history)."""
    return event_label(code)


def industry(code: str) -> str:
    """The name of a GB/T 4754-2017 division."""
    try:
        found = reference.industry(code)
    except KeyError:
        return code
    return found.division_name_en if english() else found.division_name_zh


def province(code: str) -> str:
    """The name of a province (GB/T 2260)."""
    try:
        found = reference.province(code)
    except KeyError:
        return code
    return found.name_en if english() else found.name_zh


def facet(name: str, value: str) -> str:
    """The label of a facet value."""
    labeller = {"kind": kind, "status": status, "industry": industry, "province": province}
    return labeller.get(name, str)(value)


def field(name: str) -> str:
    """The label of a field a service names: product fields, details, materials, holders."""
    if name.startswith("materials."):
        code = name.split(".", 1)[1]
        return str(MATERIAL_LABELS.get(code, code))
    if name.startswith("details."):
        spec = details.FIELDS_BY_NAME.get(name.split(".", 1)[1])
        return gettext(spec.label) if spec else name
    if name == "holders":
        return gettext("Holders and shares")
    try:
        found = DataProduct._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return capfirst(str(getattr(found, "verbose_name", name))) or name
