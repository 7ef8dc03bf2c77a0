"""The public event feed (公开事件流): what a public event is, as one small document, and the
pages of them after a cursor. The Atom and JSON feeds, ``GET /api/v1/events`` and the webhooks'
bodies are all this document.

A public event is an event marked public (the ones the public history of a registration shows)
of an application that is public *now* (announced, under objection review, registered, and
after: :data:`~dataip.registry.workflow.PUBLIC_STATUSES`). Nothing of an application that was
never announced, or that left the public statuses (rejected after an objection), is in the feed.

The document names only what the public registration page already shows: the event's type and
time, the application and registration numbers, the product's name, the status the event led
to and the link to the public page. No amounts, no parties, no reasons.

**The cursor is the event's ledger entry** (``Event.leaf_index``), not its row id. Entries are
appended under the ledger's single-writer lock, held until the appending transaction commits
(``pg_advisory_xact_lock`` on PostgreSQL; SQLite has one writer anyway), so entry ``n + 1`` is
numbered only after the transaction holding entry ``n`` has committed or rolled back: a reader
that sees entry ``n`` can never later see a smaller one appear. Row ids come from a sequence
taken before the commit, and a slow transaction could commit a smaller id after a reader moved
past it; paging by entry has no such hole. The entry is also the event's public identity: the
public log (``/api/v1/log``) serves its leaf and the openings of its public fields.

One caveat follows from "public now": an event marked public that happened before its
application was announced appears once the application is announced, at its old entry, behind
a cursor that may have moved past it already. The registry marks no event public before the
announcement, so in practice the feed only ever grows at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from dataip.registry import labels
from dataip.registry.models import Event
from dataip.registry.workflow import PUBLIC_STATUSES, Action

LANGUAGES = ("zh-hans", "en")
MAX_LIMIT = 100

REGISTRATION_ACTIONS = frozenset(
    {
        Action.REGISTER,
        Action.RENEW,
        Action.APPROVE_CHANGE,
        Action.CORRECT_PARTICULARS,
        Action.REISSUE_CERTIFICATE,
        Action.CONFIRM_TRANSFER,
        Action.GRANT_LICENCE,
        Action.END_LICENCE,
        Action.PLEDGE,
        Action.CONFIRM_PLEDGE,
        Action.RELEASE_PLEDGE,
        Action.EXPIRE,
        Action.CANCEL,
        Action.REVOKE,
    }
)
"""The actions that change a registration (``kind=registrations``): registered, renewed,
changed, transferred, licensed, pledged or released, expired, cancelled, revoked."""

KINDS = ("all", "registrations")


def in_languages(name: Any, code: str) -> dict[str, str]:
    """A code's name in both languages (``name`` is a function of :mod:`labels`)."""
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            found[language] = str(name(code))
    return found


def public_page(application_number: str, registration_number: str | None) -> str:
    """The absolute URL of the public page of a registration (or announced application)."""
    return f"{settings.DATAIP_PUBLIC_URL}/registry/{registration_number or application_number}"


def is_public(event: Event) -> bool:
    """Whether ``event`` is in the feed: public, with a ledger entry, of a public application."""
    application = event.application
    return (
        event.public
        and event.leaf_index is not None
        and application is not None
        and application.status in {s.value for s in PUBLIC_STATUSES}
    )


def document(event: Event) -> dict[str, Any]:
    """The public document of ``event`` (the caller has checked :func:`is_public`)."""
    application = event.application
    assert application is not None  # noqa: S101 - is_public
    product = application.product
    return {
        "id": int(event.leaf_index or 0),
        "type": event.action,
        "typeLabel": in_languages(labels.event, event.action),
        "occurredAt": event.occurred_at.isoformat(),
        "applicationNumber": application.number or "",
        "registrationNumber": application.registration_number or None,
        "productName": product.name,
        "productNameEn": product.name_en or None,
        "status": event.to_status,
        "statusLabel": in_languages(labels.status, event.to_status),
        "url": public_page(application.number or "", application.registration_number),
    }


@dataclass(frozen=True)
class FeedPage:
    """Public event documents after a cursor, oldest first, and the cursor to poll next
    (the last document's id, or the given cursor when nothing is new)."""

    items: list[dict[str, Any]]
    next_after: int | None
    more: bool


def public_events(after: int | None = None, limit: int = 50, kind: str = "all") -> FeedPage:
    """The public events with a ledger entry greater than ``after`` (all from the start when
    None), at most ``limit``, oldest first; ``kind="registrations"`` keeps only
    :data:`REGISTRATION_ACTIONS`."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = Event.objects.filter(
        public=True,
        leaf_index__isnull=False,
        application__status__in=[s.value for s in PUBLIC_STATUSES],
    )
    if kind == "registrations":
        rows = rows.filter(action__in=[a.value for a in REGISTRATION_ACTIONS])
    if after is not None:
        rows = rows.filter(leaf_index__gt=after)
    found = list(rows.select_related("application__product").order_by("leaf_index")[: limit + 1])
    items = [document(e) for e in found[:limit]]
    next_after = items[-1]["id"] if items else after
    return FeedPage(items, next_after, len(found) > limit)
