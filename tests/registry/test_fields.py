"""The data product's fields are declared once; the model, forms and API follow it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import models
from django.utils import translation

from dataip.errors import ValidationFailed
from dataip.registry.fields import (
    CHANGEABLE,
    EDITABLE,
    FIELDS_BY_NAME,
    PUBLIC_FIELDS,
    REQUIRED_FOR_SUBMISSION,
    clean_product,
)
from dataip.registry.models import DataProduct

TODAY = date(2026, 5, 1)
COLUMNS = [f for f in DataProduct._meta.get_fields() if f.concrete and not f.primary_key]


def _errors(values: dict[str, Any], kind: str = "data_collection") -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        clean_product("shanghai", values, TODAY, kind)
    return {name: [m.msgid for m in found] for name, found in caught.value.errors.items()}


def test_the_model_stores_exactly_the_declared_fields() -> None:
    assert [f.name for f in COLUMNS] == list(FIELDS_BY_NAME)


@pytest.mark.parametrize("column", COLUMNS, ids=lambda f: f.name)
def test_each_column_agrees_with_the_declaration(column: models.Field[Any, Any]) -> None:
    spec = FIELDS_BY_NAME[column.name]
    with translation.override("en"):
        assert str(column.verbose_name) == spec.label
    if isinstance(column, models.CharField) and column.choices:
        assert tuple(value for value, _ in column.choices) == spec.choices
    if isinstance(column, models.CharField) and spec.max_length:
        assert column.max_length == spec.max_length


def test_what_the_public_sees_and_what_may_change_stay_as_the_rules_say() -> None:
    assert set(PUBLIC_FIELDS) == {
        "name", "name_en", "kind", "summary", "summary_en", "industry_code", "province_code",
        "data_source_type", "data_source_description", "formation_date", "record_count",
        "size_bytes", "structure_description", "update_frequency", "processing_summary",
        "application_scenarios", "samples_description",
    }  # fmt: skip
    assert set(CHANGEABLE) == {
        "name", "name_en", "summary", "summary_en", "application_scenarios",
        "structure_description", "update_frequency", "processing_summary",
        "record_count", "size_bytes", "samples_description",
    }  # fmt: skip
    assert set(PUBLIC_FIELDS) >= CHANGEABLE, "a confidential field is never changed in public"
    assert set(REQUIRED_FOR_SUBMISSION) <= EDITABLE
    assert "lawful_basis" in REQUIRED_FOR_SUBMISSION
    assert "lawful_basis" not in PUBLIC_FIELDS


def test_it_cleans_every_type_of_field() -> None:
    cleaned = clean_product(
        "shanghai",
        {
            "name": "  港口数据  ",
            "record_count": "12",
            "size_bytes": None,
            "formation_date": "2026-01-02",
            "source_agreement_end": "",
            "industry_code": "63",
            "province_code": "310000",
            "data_source_type": "",
            "update_frequency": "daily",
            "details": {"format": "CSV"},
        },
        TODAY,
        "data_collection",
    )
    assert cleaned == {
        "name": "港口数据",
        "record_count": 12,
        "size_bytes": None,
        "formation_date": date(2026, 1, 2),
        "source_agreement_end": None,
        "industry_code": "63",
        "province_code": "31",
        "data_source_type": "",
        "update_frequency": "daily",
        "details": {"format": "CSV"},
    }


def test_it_refuses_each_bad_value_with_the_fields_own_reason() -> None:
    assert _errors(
        {
            "colour": "red",
            "name": "x" * 201,
            "summary": 5,
            "size_bytes": True,
            "formation_date": "yesterday",
            "province_code": "99",
            "data_source_type": "77",
            "update_frequency": "hourly",
            "details": ["not", "an", "object"],
        }
    ) == {
        "colour": ["Unknown field."],
        "name": ["At most %(max)s characters."],
        "summary": ["Must be text."],
        "size_bytes": ["Must be a whole number, not negative."],
        "formation_date": ["Must be a date (YYYY-MM-DD)."],
        "province_code": ["Choose a valid province."],
        "data_source_type": ["Choose a valid data source."],
        "update_frequency": ["Choose a valid update frequency."],
        "details": ["Must be an object of fields."],
    }


def test_details_follow_a_valid_kind_only() -> None:
    assert _errors({"kind": "statue", "details": {"task": "x"}}, kind="statue") == {
        "kind": ["Choose a valid kind of product."]
    }
    assert _errors({"details": {"task": "x"}}) == {
        "details.task": ["Not a field of this kind of product."]
    }
