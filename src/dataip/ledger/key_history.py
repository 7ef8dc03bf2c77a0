"""The log's key history, as published (``dataip.log-keys/v1``, see
:mod:`dataip.evidence.key_history`): every key with its period, retired keys signed by their
successors.

A retired key's record is made once, at its rotation (:func:`record_retirement`, called by
:mod:`dataip.upkeep.rotation` before the successor starts signing), and kept in
``log.history``; :func:`document` assembles the published document from those records, the
key files and the stored log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dataip.evidence import Ed25519Signer, Ed25519Verifier
from dataip.evidence.key_history import HISTORY_SCHEMA, sign_succession
from dataip.ledger import checkpoints, keys
from dataip.ledger.models import LogEntry


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from(rotation_index: int | None) -> dict[str, Any]:
    """The start of a key's period: the log's first entry, or the rotation that introduced it."""
    index = 0 if rotation_index is None else rotation_index
    moment = LogEntry.objects.filter(index=index).values_list("created_at", flat=True).first()
    start = 1 if rotation_index is None else rotation_index + 1
    return {"treeSize": start, "leafIndex": start - 1, "time": _time(moment)}


def _introduced_at(vkey: str) -> int | None:
    """The rotation entry that introduced ``vkey`` (None for the log's first key)."""
    for record in keys.successions():
        if record.get("successor") == vkey:
            return int(record["rotationIndex"])
    return None


def record_retirement(old_vkey: str, successor: Ed25519Signer, rotation_index: int) -> None:
    """Sign and keep the record of ``old_vkey``, retired at entry ``rotation_index``.

    Call it after the old key signed a checkpoint covering that entry and before the successor
    signs anything: the old key's period ends with the latest stored checkpoint.
    """
    latest = checkpoints.latest()
    if latest is None or latest.size <= rotation_index:
        raise LookupError(f"no checkpoint covers the rotation entry {rotation_index}")
    record: dict[str, Any] = {
        "vkey": old_vkey,
        "keyId": Ed25519Verifier.from_vkey(old_vkey).key_id.hex(),
        "validFrom": _from(_introduced_at(old_vkey)),
        "validUntil": {
            "treeSize": latest.size,
            "leafIndex": latest.size - 1,
            "time": _time(latest.created_at),
        },
        "rotationIndex": rotation_index,
        "successor": successor.vkey,
    }
    record["successorSignature"] = sign_succession(keys.origin(), record, successor)
    keys.record_succession(record)


def document() -> dict[str, Any]:
    """The published key history: every key the log has used, oldest first."""
    records = {str(record.get("vkey")): record for record in keys.successions()}
    vkeys = keys.all_vkeys()
    listed: list[dict[str, Any]] = []
    for position, vkey in enumerate(vkeys):
        record = records.get(vkey)
        if record is not None and position < len(vkeys) - 1:
            listed.append(dict(record))
            continue
        listed.append(
            {
                "vkey": vkey,
                "keyId": Ed25519Verifier.from_vkey(vkey).key_id.hex(),
                "validFrom": _from(_introduced_at(vkey)),
                "validUntil": None,
                "rotationIndex": None,
                "successor": None,
                "successorSignature": None,
            }
        )
    return {"schema": HISTORY_SCHEMA, "origin": keys.origin(), "keys": listed}
