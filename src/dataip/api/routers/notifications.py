"""The notification centre over the API (通知): notices belong to people, tokens to
organisations (or staff), so a token reads and marks the notices addressed to the person who
created it. The same read side and services as the pages (``registry.queries.notifications``,
``registry.notices``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, QueryEx, Router
from ninja.params import PathEx

from dataip.api import pagination
from dataip.api.auth import caller, staff_token_auth
from dataip.api.schemas.common import MAX_ID, ValidationProblem
from dataip.api.schemas.log import Problem
from dataip.api.schemas.notifications import MarkedRead, NotificationList, NotificationOut
from dataip.registry import notices
from dataip.registry.queries import notifications as found
from dataip.registry.queries.notifications import NoticeView

router = Router(tags=["notifications"], auth=staff_token_auth)
ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: ValidationProblem}
NoticeId = PathEx[int, P(ge=1, le=MAX_ID, description="The notice's id")]
Unread = QueryEx[bool, P(description="Only the unread notices")]


def _out(notice: NoticeView) -> NotificationOut:
    return NotificationOut(
        id=notice.id,
        kind=notice.kind,
        subject=notice.subject,
        text=notice.text,
        createdAt=notice.created_at,
        readAt=notice.read_at,
        number=notice.number,
    )


@router.get(
    "/notifications", response={200: NotificationList, **ERRORS}, summary="Your notifications"
)
def my_notifications(
    request: HttpRequest,
    unread: Unread = False,
    cursor: pagination.Cursor = None,
    limit: pagination.Limit = pagination.DEFAULT_LIMIT,
) -> NotificationList:
    """The notices addressed to the person who created this token, the newest first, in the
    language of the request (Accept-Language)."""
    user_id = caller(request).token.created_by_id
    page = pagination.by_id(found.notices_of(user_id, unread), cursor, limit)
    return NotificationList(
        items=[_out(found.as_view(n)) for n in page.items],
        next=pagination.next_link(request, page.next_cursor),
        nextCursor=page.next_cursor,
    )


@router.post(
    "/notifications/{notice_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark a notification read",
)
def mark_read(request: HttpRequest, notice_id: NoticeId) -> NotificationOut:
    """Mark one notice read (a notice of someone else is not found)."""
    user_id = caller(request).token.created_by_id
    found.get_notice_for(user_id, notice_id)
    notices.mark_read(user_id, [notice_id])
    return _out(found.get_notice_for(user_id, notice_id))


@router.post("/notifications/read", response={200: MarkedRead, **ERRORS}, summary="Mark all read")
def mark_all_read(request: HttpRequest) -> MarkedRead:
    """Mark every notice of the token's creator read."""
    return MarkedRead(marked=notices.mark_read(caller(request).token.created_by_id))
