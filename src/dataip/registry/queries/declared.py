"""Every declared field of a data product, labelled, with whether the public sees it: for the
examiner's case, the public record, the applicant's review step and the applicant's PDF copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dataip.registry import details, labels
from dataip.registry.fields import FIELDS_BY_NAME, PRODUCT_FIELDS, PUBLIC_FIELDS
from dataip.registry.kinds import ProductKind
from dataip.registry.models import DataProduct

SHOWN = tuple(f.name for f in PRODUCT_FIELDS if f.name != "details")
"""Every product field, in the order declared (the details follow, labelled one by one)."""


@dataclass(frozen=True)
class Declared:
    """One declared field: label, value as shown, and whether it is public."""

    label: str
    value: str
    public: bool
    name: str = ""  # the service's name of the field (``details.<name>`` for a detail)
    required: bool = False  # before submission


def show(name: str, value: Any) -> str:
    """A product field's value as a person reads it."""
    if value in (None, "", []):
        return ""
    if name == "industry_code":
        return f"{value} {labels.industry(value)}"
    if name in labels.VALUES:
        return labels.value(name, value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def declared_fields(product: DataProduct, kind: ProductKind) -> list[Declared]:
    """Every field, confidential ones included: for the applicant's side, examiners, panel."""
    fields = [
        Declared(
            labels.field(name),
            show(name, getattr(product, name)),
            FIELDS_BY_NAME[name].public,
            name,
            FIELDS_BY_NAME[name].required,
        )
        for name in SHOWN
    ]
    for spec in details.fields_for(kind):
        value = show(spec.name, product.details.get(spec.name))
        fields.append(
            Declared(_(spec.label), value, spec.public, f"details.{spec.name}", spec.required)
        )
    return fields


def public_fields(product: dict[str, Any], kind: ProductKind) -> list[Declared]:
    """The public fields of a public record (``queries.public_record``), labelled."""
    fields = [
        Declared(labels.field(name), show(name, product[name]), True)
        for name in PUBLIC_FIELDS
        if name in product
    ]
    shown = product.get("details", {})
    for spec in details.fields_for(kind):
        if spec.public and spec.name in shown:
            fields.append(Declared(_(spec.label), show(spec.name, shown[spec.name]), True))
    return fields
