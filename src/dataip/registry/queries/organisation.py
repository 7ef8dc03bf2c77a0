"""An organisation's audit trail (组织操作记录), read for its administrators.

Two sources, newest first: the registry's events of the applications the organisation filed or
holds (``registry/models/events.py``), and the changes to its members and API tokens
(``accounts.OrganisationActivity``). A page ends with a cursor (the sort key of its last item:
time, source, id) from which the next page starts; both the page and the API use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q

from dataip.accounts.activity import action_label
from dataip.accounts.models import OrganisationActivity, OrgRole, User
from dataip.errors import FieldErrors, PermissionDenied, gettext_noop
from dataip.registry import labels
from dataip.registry.models import Application, Event

EVENT = "event"
ORGANISATION = "organisation"
_CURSOR = re.compile(r"^(\d{1,20})-(event|organisation)-(\d{1,20})$")


@dataclass(frozen=True)
class ActivityItem:
    """One line of the audit trail."""

    at: datetime
    source: str
    """``event`` (a registry event of one of its applications) or ``organisation``."""
    id: int
    action: str
    label: str
    by: str
    """Who acted (user name), empty for the registry's clock."""
    subject: str
    """The application (its number, or its product's name) or what changed (a member, a token)."""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int]:
        """The sort key: microseconds since the epoch, the source, the id."""
        return (_micros(self.at), self.source, self.id)


@dataclass(frozen=True)
class ActivityPage:
    """A page of the audit trail and the cursor of the next one (None: the last page)."""

    items: list[ActivityItem]
    next_cursor: str | None


def _micros(at: datetime) -> int:
    return int(at.astimezone(UTC).timestamp() * 1_000_000)


def _parse(cursor: str) -> tuple[int, str, int]:
    match = _CURSOR.match(cursor)
    if match is None:
        FieldErrors.raise_one(
            "cursor", gettext_noop("This cursor is not valid; start again without it.")
        )
    assert match is not None  # noqa: S101 - raise_one raised
    return (int(match[1]), match[2], int(match[3]))


def _applications_of(holder_id: int) -> Any:
    return Application.objects.filter(
        Q(filed_by_id=holder_id) | Q(holders__holder_id=holder_id)
    ).values("pk")


def _events(holder_id: int, until: datetime | None, limit: int) -> list[ActivityItem]:
    found = Event.objects.filter(application__in=_applications_of(holder_id)).select_related(
        "actor", "application__product"
    )
    if until is not None:
        found = found.filter(occurred_at__lte=until)
    return [
        ActivityItem(
            at=e.occurred_at,
            source=EVENT,
            id=e.pk,
            action=e.action,
            label=labels.event(e.action),
            by=e.actor.username if e.actor else "",
            subject=(e.application.number or e.application.product.name) if e.application else "",
        )
        for e in found.order_by("-occurred_at", "-id")[:limit]
    ]


def _changes(holder_id: int, until: datetime | None, limit: int) -> list[ActivityItem]:
    found = OrganisationActivity.objects.filter(holder_id=holder_id).select_related("user")
    if until is not None:
        found = found.filter(at__lte=until)
    return [
        ActivityItem(
            at=a.at,
            source=ORGANISATION,
            id=a.pk,
            action=a.action,
            label=action_label(a.action),
            by=a.user.username if a.user else "",
            subject=str(a.detail.get("username") or a.detail.get("email") or a.detail.get("name")),
            detail=dict(a.detail),
        )
        for a in found.order_by("-at", "-id")[:limit]
    ]


def activity_of(user: User, cursor: str | None = None, limit: int = 50) -> ActivityPage:
    """The audit trail of the organisation ``user`` administers, newest first, from
    ``cursor`` on; refused for anyone but its administrators."""
    if not user.is_active or user.holder_id is None or user.org_role != OrgRole.ADMINISTRATOR:
        raise PermissionDenied(
            gettext_noop("Only an administrator of the organisation can do this.")
        )
    last = _parse(cursor) if cursor else None
    until = datetime.fromtimestamp(last[0] / 1_000_000, tz=UTC) if last else None
    # Rows at the cursor's very instant are read again and dropped by the key below; reading
    # a few more than a page covers them.
    wanted = limit + 1 + (20 if last else 0)
    merged = sorted(
        _events(user.holder_id, until, wanted) + _changes(user.holder_id, until, wanted),
        key=lambda item: item.key,
        reverse=True,
    )
    if last is not None:
        merged = [item for item in merged if item.key < last]
    page = merged[:limit]
    more = len(merged) > limit
    return ActivityPage(page, "-".join(map(str, page[-1].key)) if more and page else None)
