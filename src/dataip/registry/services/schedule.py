"""Time-driven transitions (定时处理): the registry's part of ``dataip tick``.

Each due application is moved in its own transaction through the same workflow as a person's
action, by the system actor. Running tick twice changes nothing the second time. The rest of
``dataip tick`` (the ledger's checkpoints, the certificates that are due) is in
:mod:`dataip.upkeep.tick`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial

from dataip.errors import DomainError
from dataip.registry import clock
from dataip.registry.models import Application, Objection
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.services.publicity import close_publicity, register
from dataip.registry.services.reminders import send_renewal_reminders
from dataip.registry.services.transition import transition
from dataip.registry.workflow import SYSTEM, Action, Status


def tick(at: datetime | None = None) -> Counter[str]:
    """Apply every transition that is due at ``at`` (default: now) and send the renewal
    reminders that are due; return counts by action."""
    at = at or clock.now()
    today = clock.local_date(at)
    done: Counter[str] = Counter()

    overdue = Application.objects.filter(
        status=Status.CORRECTION_REQUESTED, correction_due__lt=today
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        if _attempt(partial(transition, pk, Action.DEEM_WITHDRAWN, actor=SYSTEM, at=at)):
            done[Action.DEEM_WITHDRAWN] += 1

    ended = Application.objects.filter(
        status=Status.UNDER_PUBLICITY, announcement_ends__lt=today
    ).values_list("pk", flat=True)
    for pk in list(ended):
        pending = Objection.objects.filter(
            application_id=pk, status=ObjectionStatus.PENDING
        ).exists()
        if pending:
            if _attempt(partial(close_publicity, pk, actor=SYSTEM, at=at)):
                done[Action.CLOSE_PUBLICITY] += 1
        elif _attempt(partial(register, pk, actor=SYSTEM, at=at)):
            done[Action.REGISTER] += 1

    lapsed = Application.objects.filter(
        status=Status.REGISTERED, valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(lapsed):
        if _attempt(partial(transition, pk, Action.EXPIRE, actor=SYSTEM, at=at, public=True)):
            done[Action.EXPIRE] += 1
    if reminded := send_renewal_reminders(at):
        done["renewal_reminder"] += reminded
    return done


def _attempt(step: Callable[[], object]) -> bool:
    """Run one step; a domain refusal (someone acted first) is skipped, not fatal."""
    try:
        step()
    except DomainError:
        return False
    return True
