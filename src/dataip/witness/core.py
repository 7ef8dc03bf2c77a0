"""The witness's side of C2SP tlog-witness ``add-checkpoint``, checks in the order the spec
states them:

1. the body parses (else 400); 2. the origin is a log it witnesses (else 404); 3. a trusted log
key signed the checkpoint, and no signature naming a trusted key fails (else 403); 4. ``old``
is not above the checkpoint's size (else 400); 5. ``old`` is the size it last cosigned for the
origin, 0 if none (else 409 ``text/x.tlog.size`` with its size); 6. the consistency proof from
its stored root to the new root verifies -- for equal sizes the roots must be equal, a size-0
checkpoint must carry the empty-tree root (else 422); 7. it cosigns, stores the checkpoint by
compare-and-swap (a concurrent request that won first makes this one a 409), and answers 200
with its cosignature line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dataip.evidence import (
    EMPTY_ROOT,
    Checkpoint,
    Cosigner,
    Ed25519Verifier,
    VerificationError,
    open_note,
    verify_consistency,
)
from dataip.evidence.note import signature_line
from dataip.evidence.tlog_witness import SIZE_CONTENT_TYPE, AddCheckpoint, size_response
from dataip.witness.store import Latest, Store

logger = logging.getLogger("dataip.witness")
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, content type, body."""

    status: int
    content_type: str
    body: bytes


def _refuse(status: int, message: str) -> Answer:
    return Answer(status, TEXT, (message + "\n").encode())


class Witness:
    """A witness: its cosigner, the logs it trusts (origin → keys), its store."""

    def __init__(
        self, cosigner: Cosigner, logs: Mapping[str, Sequence[Ed25519Verifier]], store: Store
    ) -> None:
        """Witness the ``logs`` with ``cosigner``, remembering in ``store``."""
        self.cosigner = cosigner
        self.logs = logs
        self.store = store

    def add_checkpoint(self, body: bytes) -> Answer:
        """Answer one ``add-checkpoint`` request body."""
        try:
            request = AddCheckpoint.parse(body)
            text = request.checkpoint_note.rpartition("\n\n")[0] + "\n"
            checkpoint = Checkpoint.from_text(text)
        except VerificationError as exc:
            return _refuse(400, f"malformed request: {exc.message}")
        keys = self.logs.get(checkpoint.origin)
        if keys is None:
            return _refuse(404, f"unknown log origin {checkpoint.origin!r}")
        try:
            open_note(request.checkpoint_note, keys)
        except VerificationError as exc:
            return _refuse(403, f"the checkpoint is not signed by the log: {exc.message}")
        if request.old_size > checkpoint.size:
            return _refuse(400, f"old size {request.old_size} is above size {checkpoint.size}")
        latest = self.store.latest(checkpoint.origin)
        known = 0 if latest is None else latest.size
        if request.old_size != known:
            return Answer(409, SIZE_CONTENT_TYPE, size_response(known))
        problem = self._inconsistency(request, checkpoint, latest)
        if problem:
            logger.warning("refused %s at size %s: %s", checkpoint.origin, checkpoint.size, problem)
            return _refuse(422, problem)
        line = signature_line(checkpoint.to_text(), self.cosigner)
        note = request.checkpoint_note + line
        if not self.store.advance(
            checkpoint.origin, latest, Latest(checkpoint.size, checkpoint.root_hash, note)
        ):
            now = self.store.latest(checkpoint.origin)
            return Answer(409, SIZE_CONTENT_TYPE, size_response(0 if now is None else now.size))
        return Answer(200, TEXT, line.encode())

    @staticmethod
    def _inconsistency(
        request: AddCheckpoint, checkpoint: Checkpoint, latest: Latest | None
    ) -> str:
        """Why the checkpoint is not consistent with the stored one ('' if it is)."""
        if checkpoint.size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            return "a checkpoint of size 0 must carry the empty tree's root"
        if latest is None or request.old_size == 0:
            return "" if not request.proof else "a proof from size 0 must be empty"
        try:
            verify_consistency(
                latest.size, checkpoint.size, latest.root, checkpoint.root_hash, request.proof
            )
        except VerificationError as exc:
            return (
                f"the checkpoint of size {checkpoint.size} is not consistent with the one of "
                f"size {latest.size} this witness cosigned: {exc.message}"
            )
        return ""
