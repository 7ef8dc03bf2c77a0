"""The one generic transition (状态转换): lock, snapshot, decide, apply, record; and the
rule's consequences, queued as jobs with the change.

Every state change of an application goes through :func:`transition`. The named services
(``submit``, ``register``, ``grant_licence``...) supply the effect: a function that changes
fields under the row lock and returns the event's payload, or :class:`Made` -- the record it
created (a licence, a pledge...) with the payload -- which the caller gets back in the
:class:`Outcome`.

The consequences a rule declares (``Rule.then`` in :mod:`dataip.registry.workflow`, e.g.
issuing a certificate) are done by the jobs bound to them at start-up from above the registry
(:mod:`dataip.subscribers`). Each job is queued in the transition's transaction
(:mod:`dataip.jobs`): a rollback queues none, a commit never loses one. It runs after the
commit, in this process (``DATAIP_JOBS_AFTER_COMMIT``) or a worker's; a failing job is logged
and does not undo the committed transition; ``dataip tick`` catches up what it left undone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import MappingProxyType
from typing import Any, Generic, TypeVar, overload

from django.db import connection, transaction
from django_tasks.base import Task

from dataip import jobs
from dataip.errors import Conflict, Message, NotFound, ValidationFailed, gettext_noop
from dataip.registry import clock, notices, rollup, search_index, webhooks
from dataip.registry.events import record_event
from dataip.registry.models import Application
from dataip.registry.services.context import context_for
from dataip.registry.workflow import Action, Actor, Consequence, Rule, Status, decide

T = TypeVar("T")
Payload = dict[str, Any]


@dataclass(frozen=True)
class Made(Generic[T]):
    """What an effect made (the licence, the pledge...) and the payload its event logs."""

    record: T
    payload: Payload


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A transition done: the application as it now stands, and what the effect made."""

    application: Application
    made: T


Effect = Callable[[Application, datetime], Payload | None]
"""Changes fields of the locked application; returns the event's payload (or None)."""
Making = Callable[[Application, datetime], Made[T]]
"""Like :data:`Effect`, and creates a record the caller gets back."""
ContextExtra = Payload | Callable[[Application], Payload] | None
Subscriber = Task[[int], Any]
"""The job (a django-tasks task) that does what a consequence asks for the application with
this id; queued in the transition's transaction, run after the commit."""

_subscribers: dict[Consequence, Subscriber] = {}


def bind_subscribers(table: Mapping[Consequence, Subscriber]) -> None:
    """Bind every consequence to its job (once, at start-up, from above the registry)."""
    unbound = set(Consequence) - set(table)
    if unbound:
        raise ValueError(f"no subscriber for {', '.join(sorted(unbound))}")
    _subscribers.clear()
    _subscribers.update(table)


def bound_subscribers() -> Mapping[Consequence, Subscriber]:
    """The job bound to each consequence (read-only)."""
    return MappingProxyType(_subscribers)


def queue_consequences(consequences: tuple[Consequence, ...], application_id: int) -> None:
    """Queue the job of each consequence in the transition's transaction (the outbox); with
    ``DATAIP_JOBS_AFTER_COMMIT`` this process also runs it right after the commit."""
    for consequence in consequences:
        jobs.enqueue(_subscribers[consequence], application_id, at_once=True)


def lock_application(application_id: int) -> Application:
    """Load the application for update (row lock on PostgreSQL), or raise NotFound.

    A plain ``SELECT ... FOR UPDATE`` read into the model (the ORM's converters still apply):
    every action on an application starts here."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_application must run inside the transaction of the change")
    found = list(Application.objects.raw(_lock_sql(), [application_id]))
    if not found:
        raise NotFound(gettext_noop("No such application."))
    return found[0]


@cache
def _lock_sql() -> str:
    table = connection.ops.quote_name(Application._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT * FROM {table} WHERE id = %s{lock}"  # noqa: S608 (the model's table name)


def _require_reason(rule: Rule, reason: str) -> None:
    """Refuse an action whose rule requires a reason when none is given."""
    if rule.reason_required and not reason.strip():
        raise ValidationFailed({"reason": [Message(gettext_noop("A reason is required."))]})


def _check_revision(application: Application, expected: int | None) -> None:
    """Refuse a change based on a stale view of the application (someone acted first)."""
    if expected is not None and expected != application.revision:
        raise Conflict(
            gettext_noop("The application was changed by someone else; reload and try again.")
        )


def _values(application: Application) -> dict[str, Any]:
    return {f.attname: getattr(application, f.attname) for f in _FIELDS}


def _changed(application: Application, before: dict[str, Any]) -> list[str]:
    """The fields of ``application`` that differ from ``before`` (its values under the lock)."""
    return [name for name, value in before.items() if getattr(application, name) != value]


_FIELDS = [f for f in Application._meta.concrete_fields if not f.primary_key]


@overload
def transition(
    application_id: int,
    action: Action,
    *,
    actor: Actor,
    effect: Making[T],
    reason: str = "",
    at: datetime | None = None,
    revision: int | None = None,
    context_extra: ContextExtra = None,
    public: bool = False,
) -> Outcome[T]: ...


@overload
def transition(
    application_id: int,
    action: Action,
    *,
    actor: Actor,
    effect: Effect | None = None,
    reason: str = "",
    at: datetime | None = None,
    revision: int | None = None,
    context_extra: ContextExtra = None,
    public: bool = False,
) -> Outcome[None]: ...


def transition(
    application_id: int,
    action: Action,
    *,
    actor: Actor,
    effect: Making[Any] | Effect | None = None,
    reason: str = "",
    at: datetime | None = None,
    revision: int | None = None,
    context_extra: ContextExtra = None,
    public: bool = False,
) -> Outcome[Any]:
    """Perform ``action`` on an application as ``actor``, atomically.

    Locks the row, checks the revision and the workflow (state, actor, guard), applies
    ``effect`` (which may change fields and returns the event payload, or :class:`Made`),
    moves the status, bumps the revision and records the event with its ledger leaf. Any
    error leaves nothing behind. ``context_extra`` adds facts about the proposed action to
    the snapshot; as a function it runs under the lock. The rule's consequences are queued as
    jobs in the same transaction and run once it has committed (:func:`queue_consequences`).
    """
    at = at or clock.now()
    with transaction.atomic():
        application = lock_application(application_id)
        before = _values(application)
        counted = rollup.facts(application.pk)
        _check_revision(application, revision)
        extra = context_extra(application) if callable(context_extra) else context_extra
        rule = decide(context_for(application, at, **(extra or {})), action, actor)
        _require_reason(rule, reason)
        result = effect(application, at) if effect else None
        made, payload = (
            (result.record, result.payload) if isinstance(result, Made) else (None, result)
        )
        from_status = Status(application.status)
        application.status = rule.to.value
        application.revision += 1
        if rule.logged:
            event = record_event(
                application,
                action,
                actor=actor,
                at=at,
                from_status=from_status,
                to_status=rule.to,
                reason=reason,
                payload=payload or {},
                public=public,
                caller_saves=True,
            )
            # Who is told (the rule's notices): written with the event, or not at all.
            if rule.notify:
                notices.notify_event(application, rule.notify, event, actor)
        # The application as it now stands is saved here: the fields that changed (the
        # status, the revision, the leaf hash and whatever the effect set).
        application.save(update_fields=_changed(application, before))
        # A public event of a public application goes to the webhook subscribers: their
        # deliveries are written here, with the event, or not at all (registry/webhooks.py).
        if rule.logged and public:
            webhooks.queue_event(application, event)
        # The public search index follows the saved status, product and holders (same
        # transaction), unless the action is one that leaves them all alone.
        search_index.follow(application, action, from_status)
        # The statistics cells follow what the application now contributes (same
        # transaction): the bulletin sums them (registry/rollup.py).
        rollup.follow(application.pk, counted)
        # What follows (the rule's consequences): jobs queued with the change, run after it.
        if rule.then:
            queue_consequences(rule.then, application.pk)
    return Outcome(application, made)
