"""The snapshot the workflow decides on (流程上下文): one application, as the rules see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dataip.registry import clock
from dataip.registry.actors import applicant_holder_ids
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
from dataip.registry.queries.applicants import missing_for_submission
from dataip.registry.regimes import Regime, load_regime
from dataip.registry.workflow import Context, Status


def context_for(application: Application, at: datetime, **extra: Any) -> Context:
    """Snapshot what the workflow needs to know about ``application`` at ``at``; ``extra`` adds
    facts about the proposed action (the expert to assign, the licence's collisions)."""
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
    transfer = Transfer.objects.filter(application=application, status=RecordStatus.PENDING).first()
    waiting: frozenset[int] = frozenset()
    if transfer is not None:
        confirmed = transfer.confirmations.values_list("holder_id", flat=True)
        waiting = transfer.parties() - set(confirmed)
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
        "transfer_assignee_ids": None if transfer is None else frozenset({transfer.assignee_id}),
        "transfer_proposer_ids": frozenset(
            {transfer.proposer_id} if transfer and transfer.proposer_id else ()
        ),
        "transfer_waiting_ids": waiting,
    }
