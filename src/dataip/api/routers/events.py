"""The public event feed (no token): ``GET /events``, the same documents as ``/feed.atom``,
``/feed.json`` and the webhooks' bodies (:mod:`dataip.registry.queries.feed`)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import P, QueryEx, Router

from dataip.api.pagination import DEFAULT_LIMIT, Limit
from dataip.api.schemas.common import ValidationProblem
from dataip.api.schemas.feed import FeedEvent, FeedPage
from dataip.registry.queries import feed

router = Router(tags=["events"])
After = QueryEx[
    int | None,
    P(
        ge=-1,
        le=(1 << 62),
        description="The last event id you have (nextCursor); none: from the start",
    ),
]
Kind = QueryEx[
    Literal["all", "registrations"],
    P(description="``registrations``: only events that change a registration"),
]


@router.get("/events", response={200: FeedPage, 422: ValidationProblem}, summary="Public events")
def events(
    request: HttpRequest, after: After = None, limit: Limit = DEFAULT_LIMIT, kind: Kind = "all"
) -> FeedPage:
    """The public events (of applications from their announcement on) after the cursor, oldest
    first: type and names in both languages, time, numbers, product name, new status, link to
    the public page. Poll ``next``: it keeps the cursor when nothing is new."""
    page = feed.public_events(after, limit, kind)
    query = request.GET.copy()
    if page.next_after is not None:
        query["after"] = str(page.next_after)
    return FeedPage(
        items=[FeedEvent(**item) for item in page.items],
        next=request.build_absolute_uri(f"{request.path}?{query.urlencode()}"),
        nextCursor=None if page.next_after is None else str(page.next_after),
        more=page.more,
    )
