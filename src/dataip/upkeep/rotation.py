"""Rotating the ledger's signing key as a logged event (更换日志签名密钥).

A rotation is itself an event of the registry (``ledger_key_rotation``, payload ``{old_vkey,
new_vkey}``, no application), covered by a checkpoint signed with the *old* key before the new
key signs anything. So anyone holding the old key can follow the log to the new one. Before the
switch, the new key signs the old key's record (its period, ending with that checkpoint) for
the published key history (:mod:`dataip.ledger.key_history`), so anyone holding the new key can
follow the history back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from dataip.evidence import Ed25519Signer
from dataip.ledger import checkpoints, key_history, keys
from dataip.registry import clock
from dataip.registry.events import record_event
from dataip.registry.models import Event
from dataip.registry.workflow import SYSTEM

ROTATION_EVENT = "ledger_key_rotation"


@dataclass(frozen=True)
class Rotation:
    """The outcome of :func:`rotate_key`."""

    old_vkey: str
    new_vkey: str
    leaf_index: int


def rotate_key(at: datetime | None = None) -> Rotation:
    """Replace the ledger's signing key; the change is logged and signed by the old key first.

    1. the new key is staged in ``log.key.next``;
    2. the event ``ledger_key_rotation`` is recorded in its own (durable) transaction;
    3. a checkpoint covering that event is signed with the old key, and the new key signs the
       old key's record in ``log.history``;
    4. the new key replaces ``log.key`` (atomic rename) and joins ``log.vkeys``.
    An interruption after 2 is completed by :func:`finish_interrupted_rotation` (run by
    ``dataip tick``); an interruption before 2 leaves the old key in place.
    """
    with keys.rotation_lock(wait=True):
        old = keys.signer()
        new = keys.stage_next_key()
        with transaction.atomic(durable=True):
            event = record_event(
                None,
                ROTATION_EVENT,
                actor=SYSTEM,
                at=at or clock.now(),
                from_status=None,
                to_status=None,
                payload={"old_vkey": old.vkey, "new_vkey": new.vkey},
            )
        index = int(event.leaf_index or 0)
        _complete(old, index)
        return Rotation(old.vkey, new.vkey, index)


def _complete(old: Ed25519Signer, leaf_index: int) -> None:
    """Steps 3 and 4 of a rotation: old-key checkpoint over the event, the successor's
    signature over the old key's period, then the switch."""
    checkpoints.ensure_signed(leaf_index + 1, old)
    new = keys.next_key()
    if new is not None:
        key_history.record_retirement(old.vkey, new, leaf_index)
    keys.promote_next_key()


def finish_interrupted_rotation() -> bool:
    """Complete or undo a rotation that stopped half-way; True if one was found.

    If its event was committed, the rotation is completed; if not, the staged key is dropped
    and the old key stays.
    """
    if keys.next_key() is None:
        return False
    with keys.rotation_lock(wait=False) as locked:
        new = keys.next_key() if locked else None
        if new is None:
            return False  # a rotation is running right now, or has just finished
        event = (
            Event.objects.filter(action=ROTATION_EVENT, payload__new_vkey=new.vkey)
            .exclude(leaf_index=None)
            .first()
        )
        if event is None or event.leaf_index is None:
            keys.drop_next_key()  # the event never committed: keep the old key
        else:
            _complete(keys.signer(), event.leaf_index)
    return True
