"""Every declared field of a data product, labelled, with whether the public sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dataip.registry import details
from dataip.registry.kinds import ProductKind
from dataip.registry.models import DataProduct
from dataip.registry.models.products import PUBLIC_FIELDS
from dataip.web.forms import PERSONAL_INFORMATION_LABELS
from dataip.web.labels import (
    FREQUENCY_LABELS,
    KIND_LABELS,
    SOURCE_LABELS,
    industry_label,
    product_field_label,
    province_label,
)

SHOWN = (
    "kind",
    "name",
    "name_en",
    "summary",
    "summary_en",
    "industry_code",
    "province_code",
    "data_source_type",
    "data_source_description",
    "lawful_basis",
    "source_agreement_end",
    "formation_date",
    "record_count",
    "size_bytes",
    "structure_description",
    "update_frequency",
    "processing_summary",
    "processing_details",
    "application_scenarios",
    "innovation_explanation",
    "samples_description",
)


@dataclass(frozen=True)
class Declared:
    """One declared field: label, value as shown, and whether it is public."""

    label: str
    value: str
    public: bool


def show(name: str, value: Any) -> str:
    """A product field's value as a person reads it."""
    language = get_language()
    if value in (None, "", []):
        return ""
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "industry_code":
        return f"{value} {industry_label(value, language)}"
    if name == "province_code":
        return province_label(value, language)
    if name == "data_source_type":
        return str(SOURCE_LABELS.get(value, value))
    if name == "update_frequency":
        return str(FREQUENCY_LABELS.get(value, value))
    if name == "personal_information":
        return str(PERSONAL_INFORMATION_LABELS.get(value, value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def declared_fields(product: DataProduct, kind: ProductKind) -> list[Declared]:
    """Every field, confidential ones included: for the applicant's side, examiners, panel."""
    fields = [
        Declared(
            product_field_label(name),
            show(name, getattr(product, name)),
            name in PUBLIC_FIELDS,
        )
        for name in SHOWN
    ]
    for spec in details.fields_for(kind):
        fields.append(
            Declared(_(spec.label), show(spec.name, product.details.get(spec.name)), spec.public)
        )
    return fields


def public_fields(product: dict[str, Any], kind: ProductKind) -> list[Declared]:
    """The public fields of a public record (``queries.public_record``), labelled."""
    fields = [
        Declared(product_field_label(name), show(name, product[name]), True)
        for name in PUBLIC_FIELDS
        if name in product
    ]
    shown = product.get("details", {})
    for spec in details.fields_for(kind):
        if spec.public and spec.name in shown:
            fields.append(Declared(_(spec.label), show(spec.name, shown[spec.name]), True))
    return fields
