"""Cursor pagination for every list of the API: opaque cursors over a stable, unique order.

A cursor is the sort key of the last item of a page (usually its id), as URL-safe base64 of a
small JSON array, so clients treat it as opaque. The next page holds the items strictly after
it in the same order: an item added or removed meanwhile never shifts a page, unlike offsets.
A cursor that does not decode is a 422 problem naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict
from ninja import P, QueryEx

from dataip.errors import FieldErrors, gettext_noop

T = TypeVar("T")
M = TypeVar("M", bound=Model)
Key = tuple[Any, ...]
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_PREFIX = "c1"
Limit = QueryEx[int, P(ge=1, le=MAX_LIMIT, description="Items per page")]
Cursor = QueryEx[
    str | None,
    P(max_length=200, pattern=r"^[A-Za-z0-9_-]*$", description="From the last page's nextCursor"),
]


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of items and the cursor of the next page (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode(key: Key) -> str:
    """The opaque cursor of a sort key."""
    raw = json.dumps([_PREFIX, *key], separators=(",", ":"), ensure_ascii=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, types: Sequence[type]) -> Key:
    """The sort key in ``cursor``; its parts must have ``types`` (int or str), else a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        value = None
    if (
        not isinstance(value, list)
        or len(value) != len(types) + 1
        or value[0] != _PREFIX
        or not all(type(part) is kind for part, kind in zip(value[1:], types, strict=True))
    ):
        FieldErrors.raise_one(
            "cursor", gettext_noop("This cursor is not valid; start again without it.")
        )
    return tuple(value[1:])


def by_id(
    queryset: QuerySet[M], cursor: str | None, limit: int, *, descending: bool = True
) -> Slice[M]:
    """A page of ``queryset`` ordered by id (newest first unless ``descending`` is False)."""
    if cursor:
        (last,) = decode(cursor, (int,))
        queryset = queryset.filter(pk__lt=last) if descending else queryset.filter(pk__gt=last)
    rows = list(queryset.order_by("-pk" if descending else "pk")[: limit + 1])
    return _cut(rows, limit, lambda row: (row.pk,))


def by_key(
    items: Sequence[T],
    key: Callable[[T], Key],
    cursor: str | None,
    limit: int,
    types: Sequence[type],
    *,
    descending: bool = False,
) -> Slice[T]:
    """A page of a list already read from the database, by a unique sort key of its items."""
    ordered = sorted(items, key=key, reverse=descending)
    if cursor:
        last = decode(cursor, types)
        ordered = [i for i in ordered if (key(i) < last if descending else key(i) > last)]
    return _cut(ordered[: limit + 1], limit, key)


def _cut(rows: list[T], limit: int, key: Callable[[T], Key]) -> Slice[T]:
    if len(rows) <= limit:
        return Slice(rows, None)
    page = rows[:limit]
    return Slice(page, encode(key(page[-1])))


def next_link(request: HttpRequest, cursor: str | None) -> str | None:
    """The absolute link to the next page: the same request with ``cursor`` replaced."""
    if cursor is None:
        return None
    query: QueryDict = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
