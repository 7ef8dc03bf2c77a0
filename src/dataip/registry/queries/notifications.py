"""The notification centre's read side (通知中心): a person's notices, newest first, with
their text in the reader's language, and the unread count the page header shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet

from dataip.accounts.models import Notification, NotificationPreference
from dataip.errors import NotFound, gettext_noop
from dataip.registry.notices import GROUP_LABELS, NOTICES, Group, render

PAGE_SIZE = 20


@dataclass(frozen=True)
class NoticeView:
    """One notice as the reader sees it."""

    id: int
    kind: str
    subject: str
    text: str
    created_at: datetime
    read_at: datetime | None
    application_id: int | None
    number: str
    registered: bool


def as_view(notice: Notification) -> NoticeView:
    """A notice rendered in the active language."""
    subject, text = render(notice.kind, notice.params)
    application = notice.application
    return NoticeView(
        id=notice.pk,
        kind=notice.kind,
        subject=subject,
        text=text,
        created_at=notice.created_at,
        read_at=notice.read_at,
        application_id=notice.application_id,
        number=str(notice.params.get("number") or ""),
        registered=bool(application and application.registration_number),
    )


def notices_of(user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's notices (only theirs), newest first."""
    found = Notification.objects.filter(recipient_id=user_id).select_related("application")
    if unread_only:
        found = found.filter(read_at=None)
    return found.order_by("-id")


def get_notice_for(user_id: int, notice_id: int) -> NoticeView:
    """One of the person's notices; another person's is not found."""
    notice = notices_of(user_id).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(gettext_noop("No such notification."))
    return as_view(notice)


def notifications_for(
    user_id: int, page: int | str = 1, unread_only: bool = False
) -> tuple[list[NoticeView], int, int]:
    """A page of the person's notices, newest first, rendered in the active language; the
    page's number and the number of pages."""
    paged = Paginator(notices_of(user_id, unread_only), PAGE_SIZE).get_page(page)
    return [as_view(n) for n in paged.object_list], paged.number, paged.paginator.num_pages


def unread_count(user_id: int) -> int:
    """How many of the person's notices are unread (one indexed count)."""
    return Notification.objects.filter(recipient_id=user_id, read_at=None).count()


@dataclass(frozen=True)
class GroupChoice:
    """A group of notices and whether the person wants it by e-mail."""

    group: Group
    label: str
    email: bool
    kinds: tuple[str, ...]


def preferences_of(user_id: int) -> list[GroupChoice]:
    """For each group of notices, whether the person wants it by e-mail (default: yes)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user_id).values_list("group", "email")
    )
    return [
        GroupChoice(
            group=group,
            label=label,
            email=chosen.get(group.value, True),
            kinds=tuple(kind.value for kind, text in NOTICES.items() if text.group is group),
        )
        for group, label in GROUP_LABELS.items()
    ]
