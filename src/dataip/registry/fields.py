"""The data product's fields, declared once (数据产品登记事项).

Each field says its label, type, maximum length or choices, whether the public sees it, whether
it is required before submission and whether a registered product may change it. The services
clean input with :func:`clean_product`; the pages build their forms and the declared-fields
view from :data:`PRODUCT_FIELDS`, and the API its schemas. The model
(:class:`~dataip.registry.models.DataProduct`) holds the columns; a test checks it against this
declaration. Kind-specific details are declared the same way in :mod:`dataip.registry.details`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dataip.errors import FieldErrors, gettext_noop
from dataip.registry import details, reference
from dataip.registry.details import FieldType
from dataip.registry.identifiers import DataSourceCode
from dataip.registry.kinds import ProductKind
from dataip.registry.models.products import UpdateFrequency
from dataip.registry.regimes import load_regime

__all__ = [
    "AGREEMENT_SOURCES",
    "CHANGEABLE",
    "EDITABLE",
    "FIELDS_BY_NAME",
    "PRODUCT_FIELDS",
    "PUBLIC_FIELDS",
    "REQUIRED_FOR_SUBMISSION",
    "ProductField",
    "clean_product",
]


@dataclass(frozen=True)
class ProductField:
    """One field of a data product."""

    name: str
    label: str
    type: FieldType
    public: bool = False
    required: bool = False  # before submission
    changeable: bool = False  # by a change request once registered
    max_length: int = 0  # texts only
    choices: tuple[str, ...] = ()
    invalid: str = gettext_noop("Choose a valid value.")  # a value outside the choices
    description: str = ""  # what the API documents beside the field


def _text(
    name: str,
    label: str,
    max_length: int,
    *,
    public: bool = False,
    required: bool = False,
    changeable: bool = False,
) -> ProductField:
    """A text field of at most ``max_length`` characters."""
    return ProductField(
        name,
        label,
        FieldType.TEXT,
        public=public,
        required=required,
        changeable=changeable,
        max_length=max_length,
    )


PRODUCT_FIELDS: tuple[ProductField, ...] = (
    ProductField(
        "kind",
        gettext_noop("kind"),
        FieldType.CHOICE,
        public=True,
        choices=tuple(k.value for k in ProductKind),
        invalid=gettext_noop("Choose a valid kind of product."),
    ),
    _text("name", gettext_noop("product name"), 200, public=True, required=True, changeable=True),
    _text("name_en", gettext_noop("English name"), 200, public=True, changeable=True),
    _text("summary", gettext_noop("summary"), 5000, public=True, required=True, changeable=True),
    _text("summary_en", gettext_noop("English summary"), 5000, public=True, changeable=True),
    ProductField(
        "industry_code",
        gettext_noop("industry (GB/T 4754 division)"),
        FieldType.CHOICE,
        public=True,
        required=True,
        invalid=gettext_noop("Choose a GB/T 4754-2017 division."),
        description="GB/T 4754-2017 division, two digits",
    ),
    ProductField(
        "province_code",
        gettext_noop("province (GB/T 2260)"),
        FieldType.CHOICE,
        public=True,
        required=True,
        invalid=gettext_noop("Choose a valid province."),
        description="GB/T 2260 province, two digits",
    ),
    ProductField(
        "data_source_type",
        gettext_noop("data source"),
        FieldType.CHOICE,
        public=True,
        required=True,
        choices=tuple(c.value for c in DataSourceCode),
        invalid=gettext_noop("Choose a valid data source."),
        description="01 self-collected, 02 licensed, ...",
    ),
    _text(
        "data_source_description",
        gettext_noop("data source description"),
        5000,
        public=True,
        required=True,
    ),
    _text("lawful_basis", gettext_noop("how the data was lawfully obtained"), 5000, required=True),
    ProductField("source_agreement_end", gettext_noop("source agreement ends"), FieldType.DATE),
    ProductField(
        "formation_date", gettext_noop("formation date"), FieldType.DATE, public=True, required=True
    ),
    ProductField(
        "record_count", gettext_noop("records"), FieldType.INTEGER, public=True, changeable=True
    ),
    ProductField(
        "size_bytes", gettext_noop("size in bytes"), FieldType.INTEGER, public=True, changeable=True
    ),
    _text(
        "structure_description",
        gettext_noop("data structure"),
        5000,
        public=True,
        required=True,
        changeable=True,
    ),
    ProductField(
        "update_frequency",
        gettext_noop("update frequency"),
        FieldType.CHOICE,
        public=True,
        required=True,
        changeable=True,
        choices=tuple(UpdateFrequency.values),
        invalid=gettext_noop("Choose a valid update frequency."),
    ),
    _text(
        "processing_summary",
        gettext_noop("processing rules (summary)"),
        5000,
        public=True,
        required=True,
        changeable=True,
    ),
    _text("processing_details", gettext_noop("processing rules / algorithm (details)"), 20000),
    _text(
        "application_scenarios",
        gettext_noop("application scenarios"),
        5000,
        public=True,
        required=True,
        changeable=True,
    ),
    _text(
        "innovation_explanation",
        gettext_noop("substantive processing and innovation"),
        20000,
        required=True,
    ),
    _text(
        "samples_description",
        gettext_noop("description of samples"),
        5000,
        public=True,
        changeable=True,
    ),
    ProductField("details", gettext_noop("kind-specific details"), FieldType.OBJECT),
)
FIELDS_BY_NAME: Mapping[str, ProductField] = {f.name: f for f in PRODUCT_FIELDS}

EDITABLE = frozenset(FIELDS_BY_NAME)
"""Every field an applicant fills in (and the submission digest covers)."""
PUBLIC_FIELDS = tuple(f.name for f in PRODUCT_FIELDS if f.public)
"""Fields published in the announcement and on the registration page. Every other field of a
data product (lawful basis, agreement, processing details, innovation explanation, kind-specific
details marked confidential) is seen only by the applicant's side, examiners and its panel."""
REQUIRED_FOR_SUBMISSION = tuple(f.name for f in PRODUCT_FIELDS if f.required)
CHANGEABLE = frozenset(f.name for f in PRODUCT_FIELDS if f.changeable)
"""The product's particulars a change request (变更) may change after registration."""
AGREEMENT_SOURCES = frozenset(
    {DataSourceCode.LICENSED, DataSourceCode.PURCHASED, DataSourceCode.PUBLIC_AUTHORISED_OPERATION}
)
"""Data sources that rest on an agreement, whose end date is then required."""


def _clean_one(
    spec: ProductField, value: Any, errors: FieldErrors, *, regime_code: str, today: date
) -> tuple[bool, Any]:
    """``(True, cleaned value)``, or ``(False, None)`` after adding the field's error."""
    name = spec.name
    if spec.type == FieldType.TEXT:
        if not isinstance(value, str):
            errors.add(name, gettext_noop("Must be text."))
        elif len(value.strip()) > spec.max_length:
            errors.add(name, gettext_noop("At most %(max)s characters."), max=spec.max_length)
        else:
            return True, value.strip()
        return False, None
    if spec.type == FieldType.INTEGER:
        if value in (None, ""):
            return True, None
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            errors.add(name, gettext_noop("Must be a whole number, not negative."))
            return False, None
        return True, int(value)
    if spec.type == FieldType.DATE:
        if value in (None, ""):
            return True, None
        try:
            parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            errors.add(name, gettext_noop("Must be a date (YYYY-MM-DD)."))
            return False, None
        if name == "formation_date" and parsed > today:
            errors.add(name, gettext_noop("Must not be in the future."))
        return True, parsed
    return _clean_code(spec, value, errors, regime_code=regime_code)


def _clean_code(
    spec: ProductField, value: Any, errors: FieldErrors, *, regime_code: str
) -> tuple[bool, Any]:
    """A choice: a kind the regime registers, a reference code, or one of the field's choices."""
    name = spec.name
    if name == "kind":
        if value not in spec.choices:
            errors.add(name, spec.invalid)
        elif ProductKind(value) not in load_regime(regime_code).allowed_kinds:
            errors.add(name, gettext_noop("This registry does not register this kind of product."))
        else:
            return True, value
        return False, None
    try:
        if name == "industry_code":
            return True, reference.industry(str(value)).division_code if value else ""
        if name == "province_code":
            return True, reference.province(str(value)).code2 if value else ""
    except KeyError:
        errors.add(name, spec.invalid)
        return False, None
    if value and value not in spec.choices:
        errors.add(name, spec.invalid)
        return False, None
    return True, value or ""


def clean_product(
    regime_code: str, values: Mapping[str, Any], today: date, kind: str
) -> dict[str, Any]:
    """Validate and normalise product fields (of a product of ``kind``, unless ``values``
    changes it); raise ValidationFailed naming every bad field."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            errors.add(name, gettext_noop("Unknown field."))
        elif spec.type == FieldType.OBJECT:
            if not isinstance(value, Mapping):
                errors.add(name, gettext_noop("Must be an object of fields."))
                continue
            chosen = cleaned.get("kind", kind)
            if chosen not in {k.value for k in ProductKind}:
                continue  # the kind itself is refused; details follow once it is valid
            cleaned[name], problems = details.clean_details(ProductKind(chosen), value)
            for field_name, msgid, params in problems:
                errors.add(field_name, msgid, **params)
        else:
            ok, clean = _clean_one(spec, value, errors, regime_code=regime_code, today=today)
            if ok:
                cleaned[name] = clean
    errors.raise_if_any()
    return cleaned


HELP: Mapping[str, str] = {
    "kind": gettext_noop(
        "A data collection, a data product or a data algorithm / AI model; only the kinds this "
        "registry registers are accepted."
    ),
    "name": gettext_noop("The name the product is announced and registered under."),
    "name_en": gettext_noop("Optional: the name on English pages and certificates."),
    "summary": gettext_noop(
        "What the data is and what it is for, in a few sentences anyone can understand."
    ),
    "summary_en": gettext_noop("Optional: the summary in English."),
    "industry_code": gettext_noop("The industry the data serves, as a GB/T 4754-2017 division."),
    "province_code": gettext_noop("The province where the holder formed the data (GB/T 2260)."),
    "data_source_type": gettext_noop(
        "Where the data comes from: collected yourself, licensed, purchased, public data "
        "operated with authorisation, or other."
    ),
    "data_source_description": gettext_noop(
        "The sources in plain words: who provided the data, when and how."
    ),
    "lawful_basis": gettext_noop(
        "Why you may use the data: contracts, consent, authorisations; attach the proof as a "
        "material."
    ),
    "source_agreement_end": gettext_noop(
        "When the agreement your data rests on ends; required for licensed or purchased data."
    ),
    "formation_date": gettext_noop(
        "The day the data collection was first complete; not later than today."
    ),
    "record_count": gettext_noop("How many records (rows, items) the data holds."),
    "size_bytes": gettext_noop("The total size of the data files in bytes."),
    "structure_description": gettext_noop(
        "The tables or files, their fields and formats, as a reader would need them."
    ),
    "update_frequency": gettext_noop("How often the data is updated."),
    "processing_summary": gettext_noop(
        "What was done to the raw data (cleaning, joining, labelling, modelling), in short; "
        "this is published."
    ),
    "processing_details": gettext_noop(
        "The processing rules or the algorithm in full, for the examiners and experts."
    ),
    "application_scenarios": gettext_noop("Who uses the data, for what, and with what result."),
    "innovation_explanation": gettext_noop(
        "Why the result is new and the effort substantial: what your processing adds to the "
        "sources."
    ),
    "samples_description": gettext_noop("What the uploaded samples show and how they were chosen."),
}
"""Help shown under each product field on the forms (the active language's translation)."""
