"""Signed checkpoints (签名检查点): after every batch of appends, and on schedule as a catch-up.

* Each transaction that appends entries queues the job :func:`checkpoint_round` with them;
  after the commit it signs a C2SP checkpoint for the new size, timestamps it when a TSA is
  configured and asks the witnesses to cosign (:func:`after_commit`).
* :func:`sign_pending` -- called by ``dataip tick`` every minute -- signs a checkpoint if the
  newest entries have none (e.g. the process stopped right after a commit) and retries
  timestamps that failed.

Every checkpoint is stored (``ledger_checkpoint`` is append-only); there is at most one per
tree size. With witnesses configured (``DATAIP_WITNESSES``, :mod:`dataip.ledger.witnessing`),
each new checkpoint is sent to them after it is signed, and only checkpoints cosigned by
``DATAIP_WITNESS_QUORUM`` of them are published (:func:`published`, :func:`published_note`,
:func:`covering`). A witness's refusal stops all signing (:func:`sign_latest` raises).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from dataip.errors import DomainError, gettext_noop
from dataip.evidence import Checkpoint as CheckpointBody
from dataip.evidence import NoteSigner, sign_checkpoint
from dataip.evidence.timestamp import TimestampError
from dataip.ledger import keys, log, timestamps, witnessing
from dataip.ledger.models import Checkpoint

logger = logging.getLogger("dataip.ledger")
#: After a TSA failure, commits skip timestamping for this long; ``sign_pending`` retries.
TSA_BACKOFF_SECONDS = 60.0
_last_tsa_failure = -TSA_BACKOFF_SECONDS


def latest() -> Checkpoint | None:
    """The newest stored checkpoint, if any (published or not)."""
    return Checkpoint.objects.order_by("-size").first()


class NotWitnessed(DomainError):
    """No checkpoint covering the entries has the witness cosignatures the quorum requires."""

    code = "not_witnessed_yet"
    http_status = 503

    def __init__(self, *, size: int, quorum: int) -> None:
        """The first ``size`` entries have no checkpoint with ``quorum`` cosignatures yet."""
        super().__init__(
            gettext_noop(
                "No checkpoint covering the first %(size)s log entries has been cosigned by "
                "%(quorum)s witnesses yet; try again in a minute."
            ),
            size=size,
            quorum=quorum,
        )


def published_checkpoints() -> QuerySet[Checkpoint]:
    """Checkpoints cosigned by at least the quorum of configured witnesses."""
    k = witnessing.quorum()
    rows = Checkpoint.objects.all()
    if k == 0:
        return rows
    vkeys = [entry[0] for entry in settings.DATAIP_WITNESSES]
    counted = Count("cosignatures", filter=Q(cosignatures__witness__in=vkeys))
    return rows.annotate(cosigners=counted).filter(cosigners__gte=k)


def published() -> Checkpoint | None:
    """The newest checkpoint the registry publishes: cosigned by the quorum of witnesses."""
    return published_checkpoints().order_by("-size").first()


def published_note(checkpoint: Checkpoint) -> str:
    """The checkpoint as published: the log-signed note followed by the configured witnesses'
    cosignature lines (C2SP signed-note: one note, several signatures)."""
    if not settings.DATAIP_WITNESSES:
        return checkpoint.note
    return checkpoint.note + "".join(witnessing.cosignature_lines(checkpoint))


def sign_latest(signer: NoteSigner | None = None) -> Checkpoint | None:
    """Store a checkpoint for the log's current size unless there is one; return it.

    Signed with ``signer`` (default: the current key). Returns None for an empty log. Raises
    :class:`~dataip.ledger.witnessing.LogRefusedByWitness` if a witness refused the log.
    """
    witnessing.check_not_refused()
    with transaction.atomic():
        log.lock()
        n = log.size()
        if n == 0:
            return None
        existing = Checkpoint.objects.filter(size=n).first()
        if existing is not None:
            return existing
        root = log.root(n)
        key = signer or keys.signer()
        note = sign_checkpoint(CheckpointBody(keys.origin(), n, root), key)
        return Checkpoint.objects.create(
            size=n, root_hash=root.hex(), note=note, created_at=timezone.now()
        )


def ensure_signed(min_size: int, signer: NoteSigner | None = None) -> Checkpoint:
    """A stored checkpoint covering the first ``min_size`` entries (signing one if needed)."""
    with transaction.atomic():
        log.lock()
        found = Checkpoint.objects.filter(size__gte=min_size).order_by("size").first()
        if found is not None:
            return found
        signed = sign_latest(signer)
    if signed is None or signed.size < min_size:
        raise LookupError(f"the log has fewer than {min_size} entries")
    return signed


def _timestamp_quietly(checkpoint: Checkpoint) -> bool:
    """Timestamp ``checkpoint``; log and remember a failure instead of raising."""
    global _last_tsa_failure  # one process-wide back-off clock
    try:
        timestamps.timestamp_checkpoint(checkpoint)
    except (TimestampError, OSError) as exc:
        _last_tsa_failure = time.monotonic()
        logger.warning("checkpoint %s not timestamped (will retry): %s", checkpoint.size, exc)
        return False
    return True


_last_signed_after_commit = float("-inf")


@task()
def checkpoint_round() -> None:
    """The job queued with appends (检查点作业): sign, time-stamp, ask the witnesses (after the
    commit, outside any transaction). Idempotent: a checkpoint exists at most once per size."""
    after_commit()


def after_commit() -> None:
    """The checkpoint round after appends: sign, then timestamp (outside any transaction).

    A busy registry commits many small batches a second; one checkpoint per
    ``DATAIP_CHECKPOINT_INTERVAL`` seconds per process covers them all (the commits in between
    are covered by the next checkpoint, or by ``dataip tick`` within the minute).
    """
    global _last_signed_after_commit  # one process-wide clock, like the TSA back-off
    now = time.monotonic()
    if now - _last_signed_after_commit < settings.DATAIP_CHECKPOINT_INTERVAL:
        return
    _last_signed_after_commit = now
    try:
        checkpoint = sign_latest()
    except Exception:  # the commit stands; sign_pending signs later
        logger.exception("could not sign a checkpoint after commit; tick will retry")
        return
    backing_off = time.monotonic() - _last_tsa_failure < TSA_BACKOFF_SECONDS
    if checkpoint is not None and timestamps.tsa_url() and not backing_off:
        _timestamp_quietly(checkpoint)
    if checkpoint is not None and settings.DATAIP_WITNESSES:
        try:
            witnessing.submit(checkpoint)
        except Exception:  # the checkpoint stands; tick asks the witnesses again
            logger.exception("could not ask the witnesses to cosign; tick will retry")


@dataclass(frozen=True)
class Pending:
    """What :func:`sign_pending` did."""

    checkpoint_size: int | None
    timestamped: int
    failed: int


def sign_pending(limit: int = 100) -> Pending:
    """Catch up: sign the newest entries, retry timestamps.

    Called every minute by ``dataip tick`` (and so by ``dataip serve``). Timestamps up to
    ``limit`` checkpoints that have none, newest first, and stops at the first TSA failure.
    """
    checkpoint = sign_latest()
    stamped = failed = 0
    if timestamps.tsa_url():
        missing = Checkpoint.objects.filter(timestamp__isnull=True).order_by("-size")[:limit]
        for candidate in missing:
            if not _timestamp_quietly(candidate):
                failed += 1
                break
            stamped += 1
    return Pending(
        checkpoint_size=None if checkpoint is None else checkpoint.size,
        timestamped=stamped,
        failed=failed,
    )


def covering(index: int) -> Checkpoint | None:
    """The checkpoint a bundle for entry ``index`` should use.

    The earliest published checkpoint that includes the entry -- the closest in time, so its
    timestamp bounds the entry's time most tightly -- preferring one with a timestamp when
    a TSA is configured.
    """
    covering_entry = published_checkpoints().filter(size__gt=index).order_by("size")
    if timestamps.tsa_url():
        stamped = covering_entry.filter(timestamp__isnull=False).first()
        if stamped is not None:
            return stamped
    return covering_entry.first()


def ensure_published(min_size: int) -> Checkpoint:
    """A published checkpoint covering the first ``min_size`` entries: signed and sent to the
    witnesses now if there is none yet. Raises :class:`NotWitnessed` if the witnesses do not
    cosign it (enough of them did not answer, or one refused the log)."""
    found = published_checkpoints().filter(size__gte=min_size).order_by("size").first()
    if found is not None:
        return found
    signed = ensure_signed(min_size)
    if witnessing.quorum() > 0:
        witnessing.submit(signed)
    found = published_checkpoints().filter(size__gte=min_size).order_by("size").first()
    if found is None:
        raise NotWitnessed(size=min_size, quorum=witnessing.quorum())
    return found
