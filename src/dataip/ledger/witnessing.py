"""Witness cosignatures (见证联署): the registry's client of C2SP tlog-witness.

Each new checkpoint is sent to the witnesses in ``DATAIP_WITNESSES`` (``add-checkpoint``) with
the RFC 9162 consistency proof from the size that witness last cosigned -- right after it is
signed (:func:`dataip.ledger.checkpoints.after_commit`) and again by ``dataip tick`` for those
that did not answer. A verified cosignature is stored (:class:`WitnessCosignature`); the
registry publishes only checkpoints cosigned by at least ``DATAIP_WITNESS_QUORUM`` of them.

When a witness answers 409 with a size, the registry asks again from that size. If the witness
has cosigned a larger tree than the registry's log, or refuses the proof (422), the registry's
log is behind or not consistent with what the witness saw: the log may have forked (an old
backup restored and carried on). The refusal is recorded (:class:`WitnessRefusal`) and logged,
and from then on the registry signs no checkpoint (:func:`check_not_refused`), saying why.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from dataip.errors import Conflict, gettext_noop
from dataip.evidence import CosignatureVerifier, VerificationError
from dataip.evidence.note import parse_note
from dataip.evidence.tlog_witness import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    parse_cosignature_lines,
    parse_size_response,
)
from dataip.ledger import log
from dataip.ledger.models import Checkpoint, WitnessCosignature, WitnessRefusal

logger = logging.getLogger("dataip.ledger")
MAX_REPLY_BYTES = 64 * 1024


class LogRefusedByWitness(Conflict):
    """A witness refused the log's checkpoints: the registry signs nothing more."""

    code = "log_refused_by_witness"
    http_status = 503

    def __init__(self, refusal: WitnessRefusal) -> None:
        """Name the witness, the sizes and its reason."""
        super().__init__(
            gettext_noop(
                "The registry refuses to sign checkpoints: witness %(witness)s refused the log "
                "at size %(size)s (the witness has cosigned size %(witness_size)s): "
                "%(reason)s. The log may have forked, for instance after an old backup was "
                "restored; restore the database the witnesses cosigned."
            ),
            witness=refusal.witness.split("+", 1)[0],
            size=refusal.checkpoint_size,
            witness_size="?" if refusal.witness_size is None else refusal.witness_size,
            reason=refusal.reason,
        )


@dataclass(frozen=True)
class Witness:
    """One configured witness: its cosignature key and the URL prefix of its API."""

    verifier: CosignatureVerifier
    url: str

    @property
    def vkey(self) -> str:
        """The witness's cosignature vkey (how its rows are keyed)."""
        return self.verifier.vkey

    @property
    def name(self) -> str:
        """The witness's key name."""
        return self.verifier.name


def configured() -> list[Witness]:
    """The witnesses of ``DATAIP_WITNESSES``; a bad entry is a configuration error."""
    found: list[Witness] = []
    for entry in settings.DATAIP_WITNESSES:
        if len(entry) != 2 or not entry[1].startswith(("http://", "https://")):
            raise ImproperlyConfigured(
                f"DATAIP_WITNESSES: expected '<cosignature vkey> <http(s) URL>', got {entry!r}"
            )
        try:
            verifier = CosignatureVerifier.from_vkey(entry[0])
        except VerificationError as exc:
            raise ImproperlyConfigured(f"DATAIP_WITNESSES: {exc.message}") from None
        found.append(Witness(verifier, entry[1].rstrip("/")))
    return found


def quorum() -> int:
    """How many configured witnesses must cosign a checkpoint before it is published."""
    k = int(settings.DATAIP_WITNESS_QUORUM)
    if not 0 <= k <= len(settings.DATAIP_WITNESSES):
        raise ImproperlyConfigured(
            f"DATAIP_WITNESS_QUORUM={k} must be between 0 and the number of DATAIP_WITNESSES "
            f"({len(settings.DATAIP_WITNESSES)})"
        )
    return k


def refusal() -> WitnessRefusal | None:
    """The first refusal on record from a configured witness, if any."""
    vkeys = [entry[0] for entry in settings.DATAIP_WITNESSES]
    if not vkeys:
        return None
    return WitnessRefusal.objects.filter(witness__in=vkeys).order_by("id").first()


def check_not_refused() -> None:
    """Raise :class:`LogRefusedByWitness` if a configured witness refused the log."""
    found = refusal()
    if found is not None:
        raise LogRefusedByWitness(found)


def last_cosigned_size(witness: Witness) -> int:
    """The largest checkpoint size ``witness`` cosigned, as far as this database knows."""
    row = (
        WitnessCosignature.objects.filter(witness=witness.vkey)
        .order_by("-checkpoint__size")
        .values_list("checkpoint__size", flat=True)
        .first()
    )
    return 0 if row is None else int(row)


def cosignature_lines(checkpoint: Checkpoint) -> list[str]:
    """The stored cosignature lines of the configured witnesses, in configuration order."""
    order = {entry[0]: i for i, entry in enumerate(settings.DATAIP_WITNESSES)}
    rows = WitnessCosignature.objects.filter(checkpoint=checkpoint, witness__in=list(order))
    return [row.line for row in sorted(rows, key=lambda r: order[r.witness])]


@dataclass(frozen=True)
class _Reply:
    status: int
    content_type: str
    body: bytes


def _post(witness: Witness, body: bytes) -> _Reply:
    """POST an add-checkpoint body; an HTTP error status is a reply, not an exception."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in configured()
        witness.url + "/add-checkpoint",
        data=body,
        headers={"Content-Type": "text/plain; charset=utf-8"},
        method="POST",
    )
    timeout = float(settings.DATAIP_WITNESS_TIMEOUT)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            data = reply.read(MAX_REPLY_BYTES)
            return _Reply(reply.status, reply.headers.get("Content-Type", ""), data)
    except urllib.error.HTTPError as exc:
        with exc:  # it holds the connection; left open, it leaks the socket
            data = exc.read(MAX_REPLY_BYTES)
            return _Reply(exc.code, exc.headers.get("Content-Type", ""), data)


def _request(checkpoint: Checkpoint, old: int) -> bytes:
    proof = log.consistency_proof(old, checkpoint.size) if 0 < old < checkpoint.size else []
    return AddCheckpoint(old, tuple(proof), checkpoint.note).to_bytes()


def _store(witness: Witness, checkpoint: Checkpoint, body: bytes) -> WitnessCosignature:
    """Verify the witness's answer over the checkpoint text and store its cosignature."""
    text, _ = parse_note(checkpoint.note)
    lines = parse_cosignature_lines(body)
    mine = [s for s in lines if (s.name, s.key_id) == (witness.name, witness.verifier.key_id)]
    if not mine:
        raise VerificationError(f"the answer of witness {witness.name} has no cosignature by it")
    timestamp = witness.verifier.verify(text.encode(), mine[0].signature)
    cosigned_at = datetime.fromtimestamp(timestamp or 0, tz=UTC)
    try:
        with transaction.atomic():
            return WitnessCosignature.objects.create(
                checkpoint=checkpoint,
                witness=witness.vkey,
                line=mine[0].line(),
                cosigned_at=cosigned_at,
                created_at=timezone.now(),
            )
    except IntegrityError:  # another process stored this witness's cosignature first
        return WitnessCosignature.objects.get(checkpoint=checkpoint, witness=witness.vkey)


def _refuse(witness: Witness, checkpoint: Checkpoint, witness_size: int | None, why: str) -> str:
    WitnessRefusal.objects.create(
        witness=witness.vkey,
        checkpoint_size=checkpoint.size,
        witness_size=witness_size,
        reason=why,
        created_at=timezone.now(),
    )
    logger.error(
        "witness %s REFUSED the log at size %s (it cosigned size %s): %s -- the registry signs "
        "no checkpoint until this is resolved",
        witness.name,
        checkpoint.size,
        witness_size,
        why,
    )
    return "refused"


def submit_to(witness: Witness, checkpoint: Checkpoint) -> str:
    """Ask ``witness`` to cosign ``checkpoint``; return what happened: ``cosigned``,
    ``already`` (it had), ``older`` (it cosigned a later one), ``refused`` or ``failed``."""
    old = last_cosigned_size(witness)
    if old > checkpoint.size:
        return "older"
    if WitnessCosignature.objects.filter(checkpoint=checkpoint, witness=witness.vkey).exists():
        return "already"
    try:
        reply = _post(witness, _request(checkpoint, old))
        if reply.status == 409 and reply.content_type.split(";")[0] == SIZE_CONTENT_TYPE:
            old = parse_size_response(reply.body)
            if old > checkpoint.size:
                size = log.size()
                if old <= size:  # a later checkpoint got there first (it is checked in turn)
                    return "older"
                why = f"the witness has cosigned {old} entries, the log has only {size}"
                return _refuse(witness, checkpoint, old, why)
            reply = _post(witness, _request(checkpoint, old))
        if reply.status == 422:
            why = reply.body.decode("utf-8", "replace").strip()[:500] or "bad consistency proof"
            return _refuse(witness, checkpoint, old, why)
        if reply.status != 200:
            message = reply.body.decode("utf-8", "replace").strip()[:200]
            logger.warning("witness %s answered %s: %s", witness.name, reply.status, message)
            return "failed"
        _store(witness, checkpoint, reply.body)
    except (OSError, VerificationError, LookupError) as exc:
        logger.warning("witness %s did not cosign size %s: %s", witness.name, checkpoint.size, exc)
        return "failed"
    return "cosigned"


def submit(checkpoint: Checkpoint, witnesses: Sequence[Witness] | None = None) -> Counter[str]:
    """Ask every configured witness to cosign ``checkpoint``; count the outcomes."""
    done: Counter[str] = Counter()
    for witness in configured() if witnesses is None else witnesses:
        done[submit_to(witness, checkpoint)] += 1
    return done


def witness_round() -> Counter[str]:
    """Ask the configured witnesses to cosign the newest checkpoint (``dataip tick``)."""
    if not settings.DATAIP_WITNESSES or refusal() is not None:
        return Counter()
    newest = Checkpoint.objects.order_by("-size").first()
    return Counter() if newest is None else submit(newest)
