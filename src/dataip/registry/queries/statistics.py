"""Public statistics (统计): registrations counted by a field, for the page and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Sum

from dataip.registry.models import Application, SearchFacetCell
from dataip.registry.models.search import FACET_COLUMNS
from dataip.registry.workflow import PUBLIC_STATUSES, Status

REGISTERED = [Status.REGISTERED.value, Status.EXPIRED.value]
PUBLIC_COLUMNS = FACET_COLUMNS
"""The columns of the public index that ``public_counts_by`` may count by."""


def _most_first(rows: Iterable[tuple[Any, int]]) -> list[tuple[str, int]]:
    return sorted(((str(v), n) for v, n in rows), key=lambda kv: (-kv[1], kv[0]))


def registrations_by(column: str) -> list[tuple[str, int]]:
    """Registrations (registered or expired) counted by a field of their data product, the
    most frequent first."""
    rows = (
        Application.objects.filter(status__in=REGISTERED)
        .order_by()
        .values_list(f"product__{column}")
        .annotate(n=Count("id"))
        .values_list(f"product__{column}", "n")
    )
    return _most_first(rows)


def public_counts_by(column: str) -> list[tuple[str, int]]:
    """Public applications (announced, registered and after) counted by a column of the
    public index, the most frequent first."""
    if column not in PUBLIC_COLUMNS:
        raise ValueError(column)
    # The index's facet cells, not its million rows (both hold public applications only).
    cells = SearchFacetCell.objects.filter(status__in=[s.value for s in PUBLIC_STATUSES])
    rows = cells.order_by().values_list(column).annotate(n=Sum("entries")).filter(n__gt=0)
    return _most_first(rows.values_list(column, "n"))
