"""The API's product schemas are derived from the one declaration of the product's fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dataip.api.errors import api_name
from dataip.api.schemas.applications import DraftIn, DraftUpdate, Product
from dataip.registry.fields import EDITABLE, PRODUCT_FIELDS


def test_every_declared_field_is_in_the_schemas_under_its_api_name() -> None:
    names = {api_name(name) for name in EDITABLE}
    assert set(DraftIn.model_fields) == names
    assert set(DraftUpdate.model_fields) == names | {"revision"}
    assert list(Product.model_fields) == [api_name(f.name) for f in PRODUCT_FIELDS]


def test_a_draft_takes_only_what_is_sent_and_refuses_a_negative_count() -> None:
    sent = {"kind": "data_collection", "nameEn": "Port data"}
    assert DraftIn.model_validate(sent).model_dump(exclude_unset=True) == sent
    with pytest.raises(ValidationError):
        DraftIn.model_validate({"kind": "data_collection", "recordCount": -1})
    with pytest.raises(ValidationError):
        DraftIn.model_validate({"kind": "data_collection", "colour": "red"})
