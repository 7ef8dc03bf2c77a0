"""Kind-specific details of a data product, declared once (数据产品分类信息).

Datasets (collections and products) describe format, schema, coverage and personal-information
handling, in the spirit of Croissant; algorithms and AI models describe task, architecture,
parameters, training data and evaluation, in the spirit of model cards. Each field says which
kinds it applies to, whether it is public, and whether it is required before submission.
Pure Python: validation returns (field, message id, params) triples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from dataip.errors import gettext_noop
from dataip.registry.kinds import ProductKind

DATASET_KINDS = frozenset({ProductKind.DATA_COLLECTION, ProductKind.DATA_PRODUCT})
MODEL_KINDS = frozenset({ProductKind.DATA_ALGORITHM})


class FieldType(StrEnum):
    """How a detail is stored and validated."""

    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"
    TEXT_LIST = "text_list"
    OBJECT = "object"  # the kind-specific details of a product, as a whole


@dataclass(frozen=True)
class DetailField:
    """One kind-specific field."""

    name: str
    label: str
    type: FieldType
    kinds: frozenset[ProductKind]
    public: bool = True
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 2000


PERSONAL_INFORMATION = ("none", "de_identified", "anonymised", "consented", "other_lawful_basis")

DETAIL_FIELDS: tuple[DetailField, ...] = (
    # Datasets
    DetailField(
        "format",
        gettext_noop("Data format (e.g. CSV, Parquet, MySQL, JSON)"),
        FieldType.TEXT,
        DATASET_KINDS,
        required=True,
        max_length=200,
    ),
    DetailField("schema_summary", gettext_noop("Schema summary"), FieldType.TEXT, DATASET_KINDS),
    DetailField(
        "temporal_coverage_start",
        gettext_noop("Temporal coverage from"),
        FieldType.DATE,
        DATASET_KINDS,
    ),
    DetailField(
        "temporal_coverage_end", gettext_noop("Temporal coverage to"), FieldType.DATE, DATASET_KINDS
    ),
    DetailField(
        "spatial_coverage",
        gettext_noop("Spatial coverage"),
        FieldType.TEXT,
        DATASET_KINDS,
        max_length=500,
    ),
    DetailField(
        "personal_information",
        gettext_noop("Personal information handling"),
        FieldType.CHOICE,
        DATASET_KINDS,
        required=True,
        choices=PERSONAL_INFORMATION,
    ),
    DetailField(
        "de_identification_method",
        gettext_noop("De-identification method"),
        FieldType.TEXT,
        DATASET_KINDS,
        public=False,
    ),
    DetailField(
        "consent_basis",
        gettext_noop("Consent or other lawful basis for personal data"),
        FieldType.TEXT,
        DATASET_KINDS,
        public=False,
    ),
    # Algorithms and AI models
    DetailField(
        "task",
        gettext_noop("Task (e.g. text classification)"),
        FieldType.TEXT,
        MODEL_KINDS,
        required=True,
        max_length=300,
    ),
    DetailField(
        "architecture",
        gettext_noop("Architecture"),
        FieldType.TEXT,
        MODEL_KINDS,
        required=True,
        max_length=300,
    ),
    DetailField(
        "parameter_count", gettext_noop("Number of parameters"), FieldType.INTEGER, MODEL_KINDS
    ),
    DetailField(
        "framework", gettext_noop("Framework"), FieldType.TEXT, MODEL_KINDS, max_length=200
    ),
    DetailField(
        "training_data",
        gettext_noop("Training data (registration numbers where registered here, or descriptions)"),
        FieldType.TEXT_LIST,
        MODEL_KINDS,
        required=True,
    ),
    DetailField(
        "evaluation_results", gettext_noop("Evaluation results"), FieldType.TEXT_LIST, MODEL_KINDS
    ),
    DetailField("intended_uses", gettext_noop("Intended uses"), FieldType.TEXT, MODEL_KINDS),
    DetailField(
        "out_of_scope_uses", gettext_noop("Out-of-scope uses"), FieldType.TEXT, MODEL_KINDS
    ),
)
FIELDS_BY_NAME: Mapping[str, DetailField] = {f.name: f for f in DETAIL_FIELDS}


def fields_for(kind: ProductKind) -> tuple[DetailField, ...]:
    """The detail fields that apply to a kind of product."""
    return tuple(f for f in DETAIL_FIELDS if kind in f.kinds)


Problem = tuple[str, str, dict[str, object]]


def _coerce(spec: DetailField, value: Any) -> tuple[Any, Problem | None]:
    key = f"details.{spec.name}"
    if spec.type in {FieldType.TEXT, FieldType.CHOICE}:
        if not isinstance(value, str):
            return None, (key, gettext_noop("Must be text."), {})
        value = value.strip()
        if len(value) > spec.max_length:
            return None, (
                key,
                gettext_noop("At most %(max)s characters."),
                {"max": spec.max_length},
            )
        if spec.type == FieldType.CHOICE and value and value not in spec.choices:
            return None, (
                key,
                gettext_noop("Choose one of: %(choices)s."),
                {"choices": ", ".join(spec.choices)},
            )
        return value, None
    if spec.type == FieldType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int | str):
            return None, (key, gettext_noop("Must be a whole number."), {})
        try:
            number = int(value)
        except ValueError:
            return None, (key, gettext_noop("Must be a whole number."), {})
        if number < 0:
            return None, (key, gettext_noop("Must not be negative."), {})
        return number, None
    if spec.type == FieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return None, (key, gettext_noop("Must be a date (YYYY-MM-DD)."), {})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, (key, gettext_noop("Must be a list of texts."), {})
    return [v.strip() for v in value if v.strip()], None


def clean_details(
    kind: ProductKind, raw: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate and normalise kind-specific details; unknown or foreign fields are refused."""
    cleaned: dict[str, Any] = {}
    problems: list[Problem] = []
    applicable = {f.name for f in fields_for(kind)}
    for name, value in raw.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None or name not in applicable:
            problems.append(
                (f"details.{name}", gettext_noop("Not a field of this kind of product."), {})
            )
            continue
        if value in (None, "", []):
            continue
        normalised, problem = _coerce(spec, value)
        if problem:
            problems.append(problem)
        else:
            cleaned[name] = normalised
    start, end = cleaned.get("temporal_coverage_start"), cleaned.get("temporal_coverage_end")
    if start and end and start > end:
        problems.append(
            (
                "details.temporal_coverage_end",
                gettext_noop("Must not be before the start of coverage."),
                {},
            )
        )
    return cleaned, problems


def missing_details(kind: ProductKind, details: Mapping[str, Any]) -> list[str]:
    """Required detail fields that are still empty."""
    return [f"details.{f.name}" for f in fields_for(kind) if f.required and not details.get(f.name)]


def public_details(kind: ProductKind, details: Mapping[str, Any]) -> dict[str, Any]:
    """Only the details the public may see."""
    return {f.name: details[f.name] for f in fields_for(kind) if f.public and f.name in details}


HELP: dict[str, str] = {
    "format": gettext_noop("The file formats the data comes in, e.g. CSV, Parquet, JSON."),
    "schema_summary": gettext_noop("The main tables or fields and what they hold."),
    "temporal_coverage_start": gettext_noop("The earliest date the data covers, YYYY-MM-DD."),
    "temporal_coverage_end": gettext_noop("The latest date the data covers, YYYY-MM-DD."),
    "spatial_coverage": gettext_noop("The places the data covers, e.g. a city or province."),
    "personal_information": gettext_noop(
        "Whether the data holds personal information, and how it is protected."
    ),
    "de_identification_method": gettext_noop(
        "How personal information was de-identified or anonymised."
    ),
    "consent_basis": gettext_noop(
        "The consent or other lawful basis for the personal information."
    ),
    "task": gettext_noop("What the algorithm or model does, e.g. classification, forecasting."),
    "architecture": gettext_noop("The model's architecture, e.g. gradient boosting, transformer."),
    "parameter_count": gettext_noop("The number of trained parameters, a whole number."),
    "framework": gettext_noop("The software the model was built with, e.g. PyTorch."),
    "training_data": gettext_noop("The data the model was trained on, and where it came from."),
    "evaluation_results": gettext_noop("Each result: the measure, the data and the score."),
    "intended_uses": gettext_noop("What the model should be used for."),
    "out_of_scope_uses": gettext_noop("Uses the model is not fit for."),
}
"""Help shown under each kind-specific field on the forms (the active language's translation)."""
