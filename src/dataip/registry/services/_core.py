"""The one generic transition: lock, snapshot, decide, apply, record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from dataip.accounts.models import User
from dataip.errors import (
    Conflict,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    gettext_noop,
)
from dataip.registry import clock
from dataip.registry.events import record_event
from dataip.registry.models import (
    Application,
    ChangeRequest,
    Objection,
    PanelAssignment,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    RecordStatus,
    Transfer,
)
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.regimes import Regime, load_regime
from dataip.registry.workflow import Action, Actor, Context, Role, Rule, Status, decide


def actor_for(user: User) -> Actor:
    """The workflow's view of a signed-in user: roles and the holder it acts for."""
    roles = {Role.PUBLIC}
    if user.is_examiner:
        roles.add(Role.EXAMINER)
    if user.is_registrar:
        roles.add(Role.REGISTRAR)
    if user.is_expert:
        roles.add(Role.EXPERT)
    holders = frozenset({user.holder_id}) if user.holder_id else frozenset()
    return Actor(user_id=user.pk, roles=frozenset(roles), holder_ids=holders, label=user.username)


def user_id_of(actor: Actor) -> int:
    """The user behind a person's action (the workflow has already refused the system clock)."""
    if actor.user_id is None:
        raise PermissionDenied(gettext_noop("This action needs a signed-in person."))
    return actor.user_id


def applicant_holder_ids(application: Application) -> frozenset[int]:
    """The holders on the applicant's side: the filer (or agent) and every holder."""
    ids = {application.filed_by_id}
    ids.update(application.holders.values_list("holder_id", flat=True))
    return frozenset(ids)


def context_for(application: Application, at: datetime, **extra: Any) -> Context:
    """Snapshot what the workflow needs to know about ``application``."""
    from dataip.registry.services.applications import missing_for_submission

    regime = load_regime(application.regime_code)
    status = Status(application.status)
    panel: dict[int, bool | None] = {}
    if status == Status.EXPERT_REVIEW:
        panel = dict(
            PanelAssignment.objects.filter(application=application).values_list(
                "expert_id", "approves"
            )
        )
    pending = 0
    if status in {Status.UNDER_PUBLICITY, Status.OBJECTION_REVIEW}:
        pending = Objection.objects.filter(
            application=application, status=ObjectionStatus.PENDING
        ).count()
    missing: tuple[str, ...] = ()
    if status in {Status.DRAFT, Status.CORRECTION_REQUESTED}:
        missing = tuple(missing_for_submission(application))
    rights: dict[str, Any] = {}
    if status == Status.REGISTERED:
        rights = rights_context(application, regime)
    return Context(
        status=status,
        today=clock.local_date(at),
        applicant_holder_ids=applicant_holder_ids(application),
        expert_review_required=regime.expert_review,
        min_panel_size=regime.expert_panel_min,
        panel=panel,
        missing=missing,
        correction_due=application.correction_due,
        announcement_ends=application.announcement_ends,
        valid_until=application.valid_until,
        pending_objections=pending,
        **{**rights, **extra},
    )


def rights_context(application: Application, regime: Regime) -> dict[str, Any]:
    """What the rules look at after registration: holders, pledges, consents, pending requests."""
    pledges = list(
        Pledge.objects.filter(application=application, status=PledgeStatus.ACTIVE).values_list(
            "pk", "pledgee_id"
        )
    )
    consents: frozenset[str] = frozenset()
    if pledges:
        by_purpose: dict[str, set[int]] = {}
        for pledge_id, purpose in PledgeConsent.objects.filter(
            pledge_id__in=[p for p, _ in pledges], used_at=None
        ).values_list("pledge_id", "purpose"):
            by_purpose.setdefault(purpose, set()).add(pledge_id)
        consents = frozenset(k for k, v in by_purpose.items() if len(v) == len(pledges))
    transfer = (
        Transfer.objects.filter(application=application, status=RecordStatus.PENDING)
        .values_list("assignee_id", flat=True)
        .first()
    )
    return {
        "holder_ids": frozenset(application.holders.values_list("holder_id", flat=True)),
        "pledgee_ids": frozenset(pledgee for _, pledgee in pledges),
        "consents": consents,
        "renewal_opens": (
            regime.renewal_window(application.valid_until)[0] if application.valid_until else None
        ),
        "pending_change": ChangeRequest.objects.filter(
            application=application, status=RecordStatus.PENDING
        ).exists(),
        "transfer_assignee_ids": None if transfer is None else frozenset({transfer}),
    }


def lock_application(application_id: int) -> Application:
    """Load the application for update (row lock on PostgreSQL), or raise NotFound."""
    try:
        return Application.objects.select_for_update().get(pk=application_id)
    except Application.DoesNotExist:
        raise NotFound(gettext_noop("No such application.")) from None


def require_reason(rule: Rule, reason: str) -> None:
    """Refuse an action whose rule requires a reason when none is given."""
    if rule.reason_required and not reason.strip():
        raise ValidationFailed({"reason": [Message(gettext_noop("A reason is required."))]})


def check_revision(application: Application, expected: int | None) -> None:
    """Refuse a change based on a stale view of the application (someone acted first)."""
    if expected is not None and expected != application.revision:
        raise Conflict(
            gettext_noop("The application was changed by someone else; reload and try again.")
        )


def transition(
    application_id: int,
    action: Action,
    *,
    actor: Actor,
    reason: str = "",
    at: datetime | None = None,
    revision: int | None = None,
    context_extra: dict[str, Any] | Callable[[Application], dict[str, Any]] | None = None,
    effect: Callable[[Application, datetime], dict[str, Any] | None] | None = None,
    public: bool = False,
) -> Application:
    """Perform ``action`` on an application as ``actor``, atomically.

    Locks the row, checks the workflow (state, actor, guard), applies ``effect`` (which may
    change fields and returns the event payload), moves the status, bumps the revision and
    records the event with its ledger leaf. Any error leaves nothing behind. ``context_extra``
    adds facts about the proposed action to the snapshot; as a function it runs under the lock.
    """
    at = at or clock.now()
    with transaction.atomic():
        application = lock_application(application_id)
        check_revision(application, revision)
        extra = context_extra(application) if callable(context_extra) else context_extra
        ctx = context_for(application, at, **(extra or {}))
        rule = decide(ctx, action, actor)
        require_reason(rule, reason)
        payload = effect(application, at) if effect else None
        from_status = Status(application.status)
        application.status = rule.to.value
        application.revision += 1
        if rule.logged:
            record_event(
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
        application.save()
        return application
