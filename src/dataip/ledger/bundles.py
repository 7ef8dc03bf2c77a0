"""Evidence bundles for registry events (事件证据包): the Django side of ``evidence.bundle``.

A bundle holds the event's leaf (canonical JSON), its C2SP tlog-proof against a stored signed
checkpoint, the checkpoint's RFC 3161 token when there is one, and the vkey that signed it.
Anyone can check it offline with ``dataip verify`` and the registry's public key. The ledger
knows no events: whoever asks for a bundle says which openings of the leaf's commitments go
into it (``dip.event/v2``; :mod:`dataip.evidence.commitments`) -- all of them for the holder
of the event, the public ones for anyone (:func:`dataip.registry.events.public_openings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from dataip.evidence import TlogProof
from dataip.evidence.bundle import make_bundle
from dataip.evidence.commitments import Opening, openings_from_json
from dataip.evidence.note import parse_note
from dataip.evidence.timestamp import TimestampError
from dataip.ledger import checkpoints, keys, log, timestamps
from dataip.ledger.errors import EntryNotFound
from dataip.ledger.models import Checkpoint, CheckpointTimestamp, LogEntry


class Logged(Protocol):
    """A record whose canonical JSON is a leaf of the log (a registry event, for one)."""

    @property
    def leaf_index(self) -> int | None:
        """The index of its entry (None if it was never appended)."""

    @property
    def openings(self) -> Any:
        """The JSON form of the openings of its leaf's commitments (None for a v1 leaf)."""


def _checkpoint_for(index: int) -> Checkpoint:
    """A published checkpoint covering entry ``index``; signed (and sent to the witnesses) now
    if the entry has none yet."""
    found = checkpoints.covering(index)
    if found is None:
        found = checkpoints.ensure_published(index + 1)
    return found


def _token(checkpoint: Checkpoint) -> CheckpointTimestamp | None:
    """The checkpoint's token; one is requested now if a TSA is configured and none exists."""
    stamp = CheckpointTimestamp.objects.filter(checkpoint=checkpoint).first()
    if stamp is None and timestamps.tsa_url():
        try:
            stamp = timestamps.timestamp_checkpoint(checkpoint)
        except TimestampError:
            stamp = None  # the bundle is still valid evidence, just without a TSA time
    return stamp


def _signing_vkey(note: str) -> str:
    """The vkey of the registry key that signed ``note``."""
    _, signatures = parse_note(note)
    for signature in signatures:
        found = keys.vkey_for(signature.key_id_hex)
        if found is not None:
            return found
    raise LookupError("the checkpoint is signed by none of the registry's known keys")


def bundle_for_entry(index: int, openings: Mapping[str, Opening] | None = None) -> bytes:
    """The evidence bundle (JSON bytes) for log entry ``index``, with ``openings`` of its
    leaf's commitments (none by default: the leaf alone reveals nothing of a v2 event).

    Raises :class:`~dataip.ledger.errors.EntryNotFound` if there is no such entry.
    """
    entry = LogEntry.objects.filter(index=index).first()
    if entry is None:
        raise EntryNotFound(index=index, size=log.size())
    checkpoint = _checkpoint_for(index)
    note = checkpoints.published_note(checkpoint)  # with the witnesses' cosignatures
    proof = TlogProof(index, tuple(log.inclusion_proof(index, checkpoint.size)), note)
    stamp = _token(checkpoint)
    return make_bundle(
        body=entry.body.encode("utf-8"),
        proof=proof,
        vkey=_signing_vkey(checkpoint.note),
        timestamp_token=None if stamp is None else bytes(stamp.token),
        tsa_url="" if stamp is None else stamp.tsa_url,
        openings=openings,
    )


def bundle_for_event(event: Logged) -> bytes:
    """The evidence bundle for a logged record, e.g. a registry event (and so for a
    registration's history), with every opening of its leaf: for the party entitled to the
    whole event (the holder's downloads, certificates, deposit receipts)."""
    if event.leaf_index is None:
        raise EntryNotFound(index=-1, size=log.size())
    return bundle_for_entry(event.leaf_index, openings_from_json(event.openings))
