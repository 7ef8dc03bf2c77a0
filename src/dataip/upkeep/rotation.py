"""Rotating the ledger's signing key as a logged event (更换日志签名密钥).

A rotation is itself an event of the registry (``ledger_key_rotation``, payload ``{old_vkey,
new_vkey}``, no application), covered by a checkpoint signed with the *old* key before the new
key signs anything. So anyone holding the old key can follow the log to the new one. Before the
switch, the new key signs the old key's record (its period, ending with that checkpoint) for
the published key history (:mod:`dataip.ledger.key_history`), so anyone holding the new key can
follow the history back.

After the key was *lost* (a restore without the key folder) there is no old key to sign with:
:func:`replace_lost_key` logs ``ledger_key_replaced`` (payload ``{old_vkey, new_vkey,
old_key: "lost"}``) and the first checkpoint covering it is signed by the *new* key. Nothing
links the two keys cryptographically; the event says so in the log, and the audit accepts the
new key from that entry on. The lost key's public half (``old_vkey``) must be given (from
``/.well-known/dataip-log-key``, a backup or a verifier's copy) and must verify the newest
stored checkpoint, so the event names the key that really signed before. Bundles and
certificates signed by the old key still verify with that old public key, which stays listed in
``log.vkeys`` and ``/.well-known/dataip-log-keys``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from dataip.evidence import Ed25519Signer, Ed25519Verifier, VerificationError, open_note
from dataip.ledger import checkpoints, key_history, keys
from dataip.ledger.models import Checkpoint
from dataip.registry import clock
from dataip.registry.events import record_event
from dataip.registry.models import Event
from dataip.registry.workflow import SYSTEM

ROTATION_EVENT = "ledger_key_rotation"
REPLACEMENT_EVENT = "ledger_key_replaced"
#: The events that introduce a new signing key (the audit follows the keys through them).
KEY_EVENTS = (ROTATION_EVENT, REPLACEMENT_EVENT)


class ReplacementRefused(Exception):
    """:func:`replace_lost_key` cannot run; ``text`` says why in Chinese and English."""

    def __init__(self, zh: str, en: str) -> None:
        """Why, in both languages."""
        self.text = {"zh": zh, "en": en}
        super().__init__(f"{zh}\n{en}")


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


def replace_lost_key(old_vkey: str | None = None, at: datetime | None = None) -> Rotation:
    """Replace a *lost* signing key: a new key, introduced by a logged event it signs itself.

    1. refuse unless ``log.key`` is missing while the log has checkpoints (else there is nothing
       to replace, or :func:`rotate_key` is the way), and unless the lost key is known: the
       key the log's latest key event introduced, or else ``old_vkey`` (default: the newest
       key in ``log.vkeys``, if that file survived), which must verify the newest checkpoint;
    2. ``log.vkeys`` lists the keys the log's own rotation events name, then the lost key, and
       the new key is staged in ``log.key.next``;
    3. the event ``ledger_key_replaced`` is recorded in its own (durable) transaction;
    4. the new key becomes ``log.key`` and signs a checkpoint covering the event.
    An interruption after 3 is completed by :func:`finish_interrupted_rotation`.
    """
    with keys.rotation_lock(wait=True):
        if keys.missing_key() is None:
            raise ReplacementRefused(
                "日志签名密钥并未丢失（或日志尚未签名）：请用 dataip rotate-key 正常更换。",
                "The log signing key is not lost (or the log has signed nothing yet): "
                "use dataip rotate-key for a normal rotation.",
            )
        lost = _lost_vkey(old_vkey)
        new = keys.stage_replacement_key([*_logged_vkeys(), lost])
        # the commit's own signing would find no key yet: step 4 signs instead
        checkpoints._last_signed_after_commit = time.monotonic()
        with transaction.atomic(durable=True):
            event = record_event(
                None,
                REPLACEMENT_EVENT,
                actor=SYSTEM,
                at=at or clock.now(),
                from_status=None,
                to_status=None,
                payload={"old_vkey": lost, "new_vkey": new.vkey, "old_key": "lost"},
            )
        index = int(event.leaf_index or 0)
        _complete_replacement(index, lost)
        return Rotation(lost, new.vkey, index)


def _lost_vkey(given: str | None) -> str:
    """The lost key's public key, checked against what the log says.

    If the log has key events, the lost key is the one the latest introduced (``given``, if
    any, must be it). Otherwise it is the key that signed the newest checkpoint: ``given``, or
    the newest key in ``log.vkeys`` if that file survived.
    """
    logged = _logged_vkeys(newest_only=True)
    if logged:
        if given is None or given.strip() == logged[-1]:
            return logged[-1]
        raise ReplacementRefused(
            f"给出的旧公钥 {given.strip()} 不是日志中最后一次更换引入的密钥 {logged[-1]}。",
            f"The old public key given, {given.strip()}, is not the key that the log's latest "
            f"key event introduced, {logged[-1]}.",
        )
    candidates = [given] if given else list(reversed(keys.known_vkeys()))
    newest = Checkpoint.objects.order_by("-size").first()
    for candidate in candidates:
        try:
            verifier = Ed25519Verifier.from_vkey(candidate.strip())
        except VerificationError:
            continue
        if newest is None:
            return verifier.vkey
        try:
            open_note(newest.note, [verifier])
        except VerificationError:
            continue
        return verifier.vkey
    where = f"（检查点 {newest.size}）" if newest else ""
    where_en = f" (checkpoint {newest.size})" if newest else ""
    if given:
        raise ReplacementRefused(
            f"给出的旧公钥 {given.strip()} 并未签署最新的检查点{where}，不是丢失的那把密钥。",
            f"The old public key given, {given.strip()}, did not sign the newest "
            f"checkpoint{where_en}: it is not the key that was lost.",
        )
    raise ReplacementRefused(
        "请用 --old-key 给出丢失密钥的公钥（来自 /.well-known/dataip-log-key、备份或验证方"
        f"保存的副本），它须能验证最新的检查点{where}。",
        "Give the lost key's public key with --old-key (from /.well-known/dataip-log-key, a "
        f"backup or a verifier's copy); it must verify the newest checkpoint{where_en}.",
    )


def _logged_vkeys(*, newest_only: bool = False) -> list[str]:
    """The keys named by the log's own key events, oldest first (``newest_only``: only the
    key the latest event introduced, or none)."""
    found: list[str] = []
    payloads = (
        Event.objects.filter(action__in=KEY_EVENTS)
        .exclude(leaf_index=None)
        .order_by("leaf_index")
        .values_list("payload", flat=True)
    )
    if newest_only:
        latest = payloads.last()
        value = (latest or {}).get("new_vkey")
        return [value] if isinstance(value, str) else []
    for payload in payloads:
        for name in ("old_vkey", "new_vkey"):
            value = (payload or {}).get(name)
            if isinstance(value, str) and value not in found:
                found.append(value)
    return found


def _complete_replacement(leaf_index: int, lost_vkey: str) -> None:
    """Step 4 of a replacement: the new key signs the lost key's record for the key history
    (its period ends with the last checkpoint the lost key signed, and the successor takes over
    from there), the switch, then a new-key checkpoint over the event."""
    new, latest = keys.next_key(), checkpoints.latest()
    if new is not None and latest is not None:
        key_history.record_retirement(lost_vkey, new, latest.size - 1)
    keys.promote_next_key()
    checkpoints.ensure_signed(leaf_index + 1)


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
            Event.objects.filter(action__in=KEY_EVENTS, payload__new_vkey=new.vkey)
            .exclude(leaf_index=None)
            .first()
        )
        if event is None or event.leaf_index is None:
            keys.drop_next_key()  # the event never committed: keep the old key
        elif event.action == REPLACEMENT_EVENT:
            _complete_replacement(event.leaf_index, str(event.payload["old_vkey"]))
        else:
            _complete(keys.signer(), event.leaf_index)
    return True
