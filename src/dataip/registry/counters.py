"""Counter cells (计数单元): rows that hold running sums, kept in step by the transaction that
changes what they count (the statistics cells, the search's facet cells)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F


def add(
    model: type[models.Model], key: Mapping[str, Any], change: Mapping[str, int | Decimal]
) -> None:
    """Add ``change`` (field → amount) to the row of ``model`` with ``key``, making the row when
    there is none. Safe against a concurrent first addition: the row is made in a savepoint,
    and if another transaction made it first, added to. Callers that touch several rows in one
    transaction add to them in one order (sorted keys), so two never wait on each other."""
    found = model._default_manager.filter(**key)
    if found.update(**{name: F(name) + amount for name, amount in change.items()}):
        return
    try:
        with transaction.atomic():  # a savepoint: another transaction may make it first
            model._default_manager.create(**key, **change)
    except IntegrityError:
        found.update(**{name: F(name) + amount for name, amount in change.items()})
