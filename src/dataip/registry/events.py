"""record_event(): the event row and its ledger leaf, in the caller's transaction.

Every state change of the registry calls this exactly once per transition, inside the same
``transaction.atomic`` block as the change, so a state change can never commit without its
event and its leaf, and no leaf exists without its event.

Leaves are ``dip.event/v2`` (:mod:`dataip.evidence.commitments`): the schema tag and the time in
clear, every other field a salted commitment whose opening (salt and value) the event row keeps.
The holder receives the openings in the bundles of their events; the public log serves the
openings of :data:`~dataip.evidence.commitments.PUBLIC_FIELDS` for the public events of public
applications (:func:`public_openings`) and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Subquery

from dataip.evidence import merkle
from dataip.evidence.canonical import canonical_json
from dataip.evidence.commitments import (
    COMMITTED_FIELDS,
    EVENT_SCHEMA_V2,
    PUBLIC_FIELDS,
    Opening,
    openings_from_json,
    openings_to_json,
    seal_event,
)
from dataip.ledger import appending
from dataip.ledger.models import LogEntry
from dataip.registry.models import Application, Event
from dataip.registry.workflow import PUBLIC_STATUSES, Action, Actor, Role, Status

EVENT_SCHEMA = EVENT_SCHEMA_V2


EXCHANGE_ACTIONS = frozenset(
    {
        Action.LIST_PRODUCT,
        Action.UPDATE_LISTING,
        Action.END_LISTING,
        Action.REPORT_TRADE,
        Action.WITHDRAW_TRADE_REPORT,
    }
)
"""What a data exchange does: recorded as done in the role of the exchange."""


def actor_role(actor: Actor, action: Action | str) -> str:
    """The role in which the actor took the action, as recorded (no personal data)."""
    if actor.is_system:
        return Role.SYSTEM.value
    for role in (Role.REGISTRAR, Role.EXAMINER, Role.EXPERT):
        if role in actor.roles and action not in {Action.EDIT, Action.SUBMIT, Action.RESUBMIT}:
            return role.value
    if action in EXCHANGE_ACTIONS:
        return Role.EXCHANGE.value
    if action in {Action.FILE_OBJECTION}:
        return Role.PUBLIC.value
    return Role.APPLICANT.value


def digest(payload: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``payload``."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def previous_leaf_hash(application: Application | None) -> str | None:
    """The leaf hash of the previous event of the same application (or of the previous event
    outside any application): each leaf names its predecessor, so a verifier holding one
    certificate can walk that history, and no two leaves are ever the same."""
    if application is not None:
        return application.last_leaf_hash or None
    last_event = (
        Event.objects.filter(application=application)
        .exclude(leaf_index=None)
        .order_by("-id")
        .values("leaf_index")[:1]
    )
    return (
        LogEntry.objects.filter(index=Subquery(last_event))
        .values_list("leaf_hash", flat=True)
        .first()
    )


def record_event(
    application: Application | None,
    action: Action | str,
    *,
    actor: Actor,
    at: datetime,
    from_status: Status | None,
    to_status: Status | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    public: bool = False,
    caller_saves: bool = False,
) -> Event:
    """Write one immutable event and append its canonical JSON to the ledger.

    The application's ``last_leaf_hash`` moves on to the new leaf; ``caller_saves=True`` says
    the caller saves the application itself in the same transaction. ``action`` is a workflow
    :class:`Action`, or a plain event type for events outside the application workflow (e.g.
    ``"ledger_key_rotation"``, with ``application=None``). The leaf holds commitments, never
    documents or personal data: to the type, the numbers, the statuses, the actor's role, the
    digests of the reason and the payload, and the previous leaf of the same application, each
    under a fresh salt kept in the event row (``openings``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the state change")
    payload = payload or {}
    payload_digest = digest(payload)
    role = actor_role(actor, action)
    fields = {
        "type": str(action),
        "application": (application.number or None) if application else None,
        "registration": (application.registration_number or None) if application else None,
        "from": from_status.value if from_status else None,
        "to": to_status.value if to_status else None,
        "actor_role": role,
        "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
        "payload_sha256": payload_digest,
        "prev": previous_leaf_hash(application),
    }
    leaf, openings = seal_event(fields, at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    body = canonical_json(leaf)
    if application is not None:
        application.last_leaf_hash = merkle.leaf_hash(body).hex()
        if not caller_saves:
            Application.objects.filter(pk=application.pk).update(
                last_leaf_hash=application.last_leaf_hash
            )
    return Event.objects.create(
        application=application,
        action=str(action),
        from_status=from_status.value if from_status else "",
        to_status=to_status.value if to_status else "",
        actor_id=actor.user_id,
        actor_role=role,
        occurred_at=at,
        reason=reason,
        payload=payload,
        payload_digest=payload_digest,
        public=public,
        leaf_index=appending.append(body),
        openings=openings_to_json(openings),
    )


def event_openings(event: Event) -> dict[str, Opening]:
    """Every opening of ``event``'s leaf: for whoever is entitled to the whole event (the
    holder, and through the holder a court or a bank), in the leaf's field order (a JSONB
    column does not keep it). Empty for a ``dip.event/v1`` leaf."""
    stored = openings_from_json(event.openings)
    return {name: stored[name] for name in COMMITTED_FIELDS if name in stored}


def is_public_event(event: Event) -> bool:
    """Whether the public may link ``event`` to its application: a public event (one the
    public history shows) of an application that is public now."""
    application = event.application
    return (
        event.public and application is not None and Status(application.status) in PUBLIC_STATUSES
    )


def public_openings(event: Event) -> dict[str, Opening]:
    """The openings anyone may have: of :data:`PUBLIC_FIELDS` for a public event of a public
    application, none for any other event (and none for a ``dip.event/v1`` leaf)."""
    if not is_public_event(event):
        return {}
    return {k: v for k, v in event_openings(event).items() if k in PUBLIC_FIELDS}


def public_openings_of_entries(indices: Iterable[int]) -> dict[int, dict[str, Opening]]:
    """The openings anyone may have, by log entry, for the entries ``indices`` (one query);
    entries with none are left out."""
    events = Event.objects.filter(leaf_index__in=list(indices)).select_related("application")
    found = {int(e.leaf_index or 0): public_openings(e) for e in events}
    return {index: openings for index, openings in found.items() if openings}
