"""The data product's fields as the API spells them, derived from their one declaration
(:mod:`dataip.registry.fields`): camelCase names (``nameEn`` is ``name_en``), texts as strings,
dates and counts as nullable values, the kind-specific ``details`` as an object."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ninja import Field

from dataip.api.errors import api_name
from dataip.api.schemas.common import MAX_ID
from dataip.registry.details import FieldType
from dataip.registry.fields import ProductField


def input_fields(specs: Iterable[ProductField]) -> dict[str, Any]:
    """``create_model`` definitions of product fields a client sends: each optional."""
    defined: dict[str, Any] = {}
    for spec in specs:
        if spec.type == FieldType.DATE:
            defined[api_name(spec.name)] = (date | None, None)
        elif spec.type == FieldType.INTEGER:
            defined[api_name(spec.name)] = (int | None, Field(None, ge=0, le=MAX_ID))
        elif spec.type == FieldType.OBJECT:
            defined[api_name(spec.name)] = (dict[str, Any], Field(default_factory=dict))
        elif spec.description:
            defined[api_name(spec.name)] = (str, Field("", description=spec.description))
        else:
            defined[api_name(spec.name)] = (str, "")
    return defined


def output_fields(specs: Iterable[ProductField]) -> dict[str, Any]:
    """``create_model`` definitions of product fields the registry answers with: each required."""
    defined: dict[str, Any] = {}
    for spec in specs:
        if spec.type == FieldType.DATE:
            defined[api_name(spec.name)] = (date | None, ...)
        elif spec.type == FieldType.INTEGER:
            defined[api_name(spec.name)] = (int | None, ...)
        elif spec.type == FieldType.OBJECT:
            defined[api_name(spec.name)] = (dict[str, Any], ...)
        else:
            defined[api_name(spec.name)] = (str, ...)
    return defined
