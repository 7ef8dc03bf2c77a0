"""``dataip tick`` (定时维护): everything that is due, run once a minute across the deployment
(:mod:`dataip.upkeep.schedule`: whichever ``dataip serve`` or ``dataip worker`` wins the
minute's lease runs it).

One step after another, each in its own transactions, each returning what it did by name:

1. the registry's time-driven transitions and renewal reminders
   (:func:`dataip.registry.services.schedule.tick`);
2. the ledger's catch-up: finish a key rotation that stopped half-way, sign a checkpoint for
   entries not yet covered, retry time-stamps that failed;
3. the certificates that are due but were not issued (a failed rendering is retried).

4. the witnesses (``DATAIP_WITNESSES``) are asked to cosign the newest checkpoint
   (:mod:`dataip.upkeep.witnessing`);
5. the notices' mail still due in the outbox (:mod:`dataip.registry.mail`): what a crash between
   a commit and the hand-over to the worker left, and the retries;
6. the webhook deliveries still due in their outbox (:mod:`dataip.registry.webhooks`), alike;
7. the bulk export's snapshot of the day, once a day (:mod:`dataip.upkeep.exports`);
8. the job queue: jobs claimed by a worker that died are put back (:mod:`dataip.jobs`).

A later step is one more function in :data:`STEPS`. Running tick twice changes nothing the
second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.core.management import call_command

from dataip import jobs
from dataip.certificates.issue import issue_missing_certificates
from dataip.ledger import checkpoints
from dataip.ledger.tiles import tick_step as log_tiles
from dataip.ledger.witnessing import LogRefusedByWitness
from dataip.registry.mail import deliver_due
from dataip.registry.notices import notify_deadlines
from dataip.registry.services import schedule
from dataip.registry.webhooks import deliver_due as deliver_webhooks_due
from dataip.upkeep import witnessing
from dataip.upkeep.exports import nightly_snapshot
from dataip.upkeep.rotation import finish_interrupted_rotation

Step = Callable[[datetime | None], Counter[str]]


def registry_transitions(at: datetime | None) -> Counter[str]:
    """Deadlines, announcement ends, expiry and renewal reminders that are due at ``at``."""
    return schedule.tick(at)


def ledger_catch_up(at: datetime | None) -> Counter[str]:
    """Finish a stopped key rotation, sign the newest entries, retry time-stamps."""
    finish_interrupted_rotation()
    try:
        pending = checkpoints.sign_pending()
    except LogRefusedByWitness:  # recorded and logged when the witness refused; sign nothing
        return Counter({"checkpoint_refused": 1})
    return Counter({"checkpoint_timestamped": pending.timestamped})


def witness_round(at: datetime | None) -> Counter[str]:
    """Ask the witnesses to cosign the newest checkpoint (before certificates need it)."""
    return witnessing.witness_round(at)


def due_certificates(at: datetime | None) -> Counter[str]:
    """Issue up to 100 certificates that are due but missing."""
    report = issue_missing_certificates(limit=100)
    return Counter({"certificate_issued": len(report.issued)})


def deadlines_approaching(at: datetime | None) -> Counter[str]:
    """Warn of deadlines that come close (corrections, objection decisions)."""
    return notify_deadlines(at)


def outbox(at: datetime | None) -> Counter[str]:
    """Send the notices' mail that is due (the worker normally has), and forget the worker's
    finished task results after 14 days (the outbox keeps what was sent)."""
    call_command("prune_db_task_results", min_age_days=14, verbosity=0)
    return deliver_due(at)


def webhook_outbox(at: datetime | None) -> Counter[str]:
    """Send the webhook deliveries that are due (the worker normally has): retries, and what
    a crash between a commit and the hand-over left."""
    return deliver_webhooks_due(at)


def job_queue(at: datetime | None) -> Counter[str]:
    """Put back in the queue the jobs whose worker died (claimed longer than
    ``DATAIP_JOB_LEASE_SECONDS`` ago): another worker runs them again."""
    return Counter({"job_requeued": jobs.requeue_lapsed()})


#: What ``dataip tick`` runs, in order.
STEPS: tuple[Step, ...] = (
    registry_transitions,
    ledger_catch_up,
    witness_round,
    log_tiles,
    due_certificates,
    deadlines_approaching,
    outbox,
    webhook_outbox,
    nightly_snapshot,
    job_queue,
)


def tick(at: datetime | None = None) -> Counter[str]:
    """Run every step at ``at`` (default: now); return what was done, counted by name.

    Names with a count of zero are left out, so an empty result means nothing was due.
    """
    done: Counter[str] = Counter()
    for step in STEPS:
        done += step(at)
    return done
