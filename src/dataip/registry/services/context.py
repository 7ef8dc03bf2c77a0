"""The snapshot the workflow decides on (流程上下文): one application, as the rules see it."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection, models

from dataip.registry import clock
from dataip.registry.actors import applicant_holder_ids
from dataip.registry.models import (
    Application,
    ApplicationHolder,
    ChangeRequest,
    Holder,
    Objection,
    PanelAssignment,
    Pledge,
    PledgeConsent,
    PledgeStatus,
    RecordStatus,
    Transfer,
    TransferConfirmation,
    Verification,
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
        applicants = frozenset({application.filed_by_id, *rights["holder_ids"]})
    else:
        applicants = applicant_holder_ids(application)
    unverified: tuple[str, ...] = ()
    if status == Status.DRAFT:
        unverified = tuple(
            Holder.objects.filter(pk__in=applicants)
            .exclude(verification=Verification.VERIFIED)
            .order_by("id")
            .values_list("name", flat=True)
        )
    return Context(
        status=status,
        today=clock.local_date(at),
        applicant_holder_ids=applicants,
        expert_review_required=regime.expert_review,
        min_panel_size=regime.expert_panel_min,
        panel=panel,
        missing=missing,
        unverified_holders=unverified,
        correction_due=application.correction_due,
        announcement_ends=application.announcement_ends,
        valid_until=application.valid_until,
        pending_objections=pending,
        **{**rights, **extra},
    )


def rights_context(application: Application, regime: Regime) -> dict[str, Any]:
    """What the rules look at after registration: holders, pledges, consents, pending requests.

    Read with one plain query (a UNION of small indexed lookups by application) rather than
    one ORM query per fact: this runs under the row lock of every post-registration action.
    """
    holders: set[int] = set()
    pledges: dict[int, int] = {}
    purposes: dict[int, set[str]] = {}
    pending_change = False
    transfers: dict[int, tuple[int, int | None, str]] = {}
    confirmed: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_rights_sql(), _rights_params(application.pk))
        for kind, a, b, c, text in cursor.fetchall():
            if kind == "h":
                holders.add(a)
            elif kind == "p":
                pledges[a] = b
            elif kind == "k":
                purposes.setdefault(text, set()).add(a)
            elif kind == "c":
                pending_change = True
            elif kind == "t":
                transfers[a] = (b, c, text)
            else:  # "f": a confirmation of a pending transfer
                confirmed.setdefault(a, set()).add(b)
    # Purposes every standing pledge's pledgee has consented to (none without a pledge).
    consents = frozenset(k for k, v in purposes.items() if len(v) == len(pledges))
    transfer: Transfer | None = None
    waiting: frozenset[int] = frozenset()
    if transfers:  # the first pending one, as ``.first()`` would have it
        pk = min(transfers)
        assignee, proposer, previous = transfers[pk]
        previous_holders = json.loads(previous)
        transfer = Transfer(
            pk=pk, assignee_id=assignee, proposer_id=proposer, previous_holders=previous_holders
        )
        waiting = transfer.parties() - confirmed.get(pk, set())
    return {
        "holder_ids": frozenset(holders),
        "pledgee_ids": frozenset(pledges.values()),
        "consents": consents,
        "renewal_opens": (
            regime.renewal_window(application.valid_until)[0] if application.valid_until else None
        ),
        "pending_change": pending_change,
        "transfer_assignee_ids": None if transfer is None else frozenset({transfer.assignee_id}),
        "transfer_proposer_ids": frozenset(
            {transfer.proposer_id} if transfer and transfer.proposer_id else ()
        ),
        "transfer_waiting_ids": waiting,
    }


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _rights_sql() -> str:
    """The query of :func:`rights_context` (built once, with this database's quoting)."""
    # Only table names (from the models) are interpolated; every value is a parameter.
    return f"""
SELECT 'h', holder_id, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS TEXT)
  FROM {_table(ApplicationHolder)} WHERE application_id = %s
UNION ALL
SELECT 'p', id, pledgee_id, NULL, NULL
  FROM {_table(Pledge)} WHERE application_id = %s AND status = %s
UNION ALL
SELECT 'k', c.pledge_id, NULL, NULL, c.purpose
  FROM {_table(PledgeConsent)} c JOIN {_table(Pledge)} p ON p.id = c.pledge_id
  WHERE p.application_id = %s AND p.status = %s AND c.used_at IS NULL
UNION ALL
SELECT 'c', id, NULL, NULL, NULL
  FROM {_table(ChangeRequest)} WHERE application_id = %s AND status = %s
UNION ALL
SELECT 't', id, assignee_id, proposer_id, CAST(previous_holders AS TEXT)
  FROM {_table(Transfer)} WHERE application_id = %s AND status = %s
UNION ALL
SELECT 'f', f.transfer_id, f.holder_id, NULL, NULL
  FROM {_table(TransferConfirmation)} f JOIN {_table(Transfer)} t ON t.id = f.transfer_id
  WHERE t.application_id = %s AND t.status = %s
"""  # noqa: S608


def _rights_params(application_id: int) -> list[int | str]:
    active, pending = PledgeStatus.ACTIVE.value, RecordStatus.PENDING.value
    return [
        application_id,
        *(application_id, active) * 2,
        *(application_id, pending) * 3,
    ]
