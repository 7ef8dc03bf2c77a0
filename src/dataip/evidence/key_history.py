"""The log's key history (日志密钥历史): every key, its validity period, signed by successors.

The registry publishes a JSON document (``dataip.log-keys/v1``, at
``/.well-known/dataip-log-keys.json``)::

    {"schema": "dataip.log-keys/v1", "origin": "<log origin>",
     "keys": [{"vkey": "<C2SP vkey>", "keyId": "<8 hex>",
               "validFrom": {"treeSize": 1, "leafIndex": 0, "time": "<RFC 3339>"},
               "validUntil": {"treeSize": 13, "leafIndex": 12, "time": "<RFC 3339>"},
               "rotationIndex": 12, "successor": "<vkey>",
               "successorSignature": "<base64, 64 bytes>"},
              ...,
              {"vkey": "<current>", ..., "validUntil": null, "rotationIndex": null,
               "successor": null, "successorSignature": null}]}

Keys are listed oldest first. A key may sign the checkpoints of ``validFrom.treeSize`` up to
``validUntil.treeSize`` entries (no upper bound for the current key); ``leafIndex`` is
``treeSize - 1``; ``time`` is when that entry was logged (from) or when that checkpoint was
signed (until). A retired key was replaced at the rotation entry ``rotationIndex`` (its last
checkpoint covers it; the successor may sign from ``rotationIndex + 1`` entries on).

Each retired key's record is signed by its successor, at the rotation, with Ed25519 over

    b"dataip.log-key-succession/v1\\n" + canonical_json(statement)

where ``statement`` is ``{"schema": "dataip.log-key-succession/v1", "origin", "vkey",
"validFrom", "validUntil", "rotationIndex", "successor"}`` (the record's own values). So whoever
trusts one key (obtained from a trusted channel) can authenticate every older key and its
period, backwards along the chain: :func:`verify_key_history`. :func:`check_bundle_period`
then checks that a verified bundle's checkpoint was signed by a key within its period.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._notekeys import Ed25519Signer, Ed25519Verifier
from .canonical import canonical_json
from .errors import VerificationError

__all__ = [
    "HISTORY_SCHEMA",
    "STATEMENT_SCHEMA",
    "KeyHistoryInvalid",
    "KeyOutsidePeriod",
    "KeyPeriod",
    "check_bundle_period",
    "sign_succession",
    "succession_message",
    "verify_key_history",
]

HISTORY_SCHEMA = "dataip.log-keys/v1"
STATEMENT_SCHEMA = "dataip.log-key-succession/v1"
MAX_DOCUMENT_BYTES = 1024 * 1024


class KeyHistoryInvalid(VerificationError):
    """The key history document is malformed, or a successor's signature does not verify."""

    code = "key_history_invalid"
    step = "key"
    plain = (
        "日志密钥历史文件无效：格式错误，或继任密钥的签名无法验证。",
        "The log's key history is invalid: it is malformed, or a successor's signature does "
        "not verify.",
    )


class KeyOutsidePeriod(VerificationError):
    """A checkpoint was signed by a key outside the period the key history gives it."""

    code = "key_outside_period"
    step = "key"
    plain = (
        "检查点的签名密钥不在其有效期内。",
        "The checkpoint was signed by a key outside its validity period.",
    )


@dataclass(frozen=True)
class KeyPeriod:
    """One authenticated key of the history and the tree sizes it may sign."""

    vkey: str
    key_id: str
    from_size: int
    until_size: int | None
    from_time: str | None
    until_time: str | None
    rotation_index: int | None
    successor: str | None

    def covers(self, tree_size: int) -> bool:
        """Whether this key may sign a checkpoint of ``tree_size`` entries."""
        return self.from_size <= tree_size and (
            self.until_size is None or tree_size <= self.until_size
        )


def _statement(origin: str, record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": STATEMENT_SCHEMA,
        "origin": origin,
        "vkey": record["vkey"],
        "validFrom": record["validFrom"],
        "validUntil": record["validUntil"],
        "rotationIndex": record["rotationIndex"],
        "successor": record["successor"],
    }


def succession_message(origin: str, record: Mapping[str, Any]) -> bytes:
    """The exact bytes a successor signs for the retired key ``record``."""
    return STATEMENT_SCHEMA.encode() + b"\n" + canonical_json(_statement(origin, record))


def sign_succession(origin: str, record: Mapping[str, Any], successor: Ed25519Signer) -> str:
    """The successor's signature (base64) over the retired key ``record``."""
    if successor.vkey != record["successor"]:
        raise ValueError("the record names another successor than the signing key")
    return base64.b64encode(successor.sign(succession_message(origin, record))).decode()


def _fail(message: str) -> KeyHistoryInvalid:
    return KeyHistoryInvalid(message)


def _load(document: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(document, Mapping):
        return document
    if len(document) > MAX_DOCUMENT_BYTES:
        raise _fail("the document is larger than 1 MiB")
    try:
        loaded = json.loads(document)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(f"the document is not JSON ({exc})") from None
    if not isinstance(loaded, dict):
        raise _fail("the document is not a JSON object")
    return loaded


def _int(value: Any, what: str, *, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _fail(f"{what} must be an integer of at least {minimum}")
    return value


def _bound(value: Any, what: str) -> tuple[int, str | None]:
    if not isinstance(value, dict):
        raise _fail(f"{what} must be an object")
    size = _int(value.get("treeSize"), f"{what}.treeSize", minimum=1)
    if value.get("leafIndex") != size - 1:
        raise _fail(f"{what}.leafIndex must be treeSize - 1")
    time = value.get("time")
    if time is not None and not isinstance(time, str):
        raise _fail(f"{what}.time must be a string or null")
    return size, time


def _verifier(vkey: Any, what: str, origin: str) -> Ed25519Verifier:
    if not isinstance(vkey, str):
        raise _fail(f"{what} must be a vkey string")
    try:
        verifier = Ed25519Verifier.from_vkey(vkey)
    except VerificationError as exc:
        raise _fail(f"{what} is not a vkey: {exc.message}") from None
    if verifier.name != origin:
        raise _fail(f"{what} is a key of log {verifier.name!r}, not {origin!r}")
    return verifier


def _period(record: Any, position: int, origin: str, last: bool) -> KeyPeriod:
    what = f"keys[{position}]"
    if not isinstance(record, dict):
        raise _fail(f"{what} must be an object")
    verifier = _verifier(record.get("vkey"), f"{what}.vkey", origin)
    if record.get("keyId") != verifier.key_id.hex():
        raise _fail(f"{what}.keyId does not match its vkey")
    from_size, from_time = _bound(record.get("validFrom"), f"{what}.validFrom")
    retired = ("validUntil", "rotationIndex", "successor", "successorSignature")
    if last:
        if any(record.get(name) is not None for name in retired):
            raise _fail(f"{what} is the newest key: it has no end, successor or signature")
        return KeyPeriod(
            verifier.vkey, verifier.key_id.hex(), from_size, None, from_time, None, None, None
        )
    until_size, until_time = _bound(record.get("validUntil"), f"{what}.validUntil")
    rotation = _int(record.get("rotationIndex"), f"{what}.rotationIndex", minimum=0)
    if not from_size <= rotation + 1 <= until_size:
        raise _fail(f"{what}: the rotation entry must lie within the key's period")
    successor = record.get("successor")
    _verifier(successor, f"{what}.successor", origin)
    return KeyPeriod(
        verifier.vkey, verifier.key_id.hex(), from_size, until_size, from_time, until_time,
        rotation, str(successor),
    )  # fmt: skip


def _check_signature(origin: str, record: Mapping[str, Any], position: int) -> None:
    what = f"keys[{position}].successorSignature"
    try:
        signature = base64.b64decode(str(record.get("successorSignature")), validate=True)
    except (binascii.Error, ValueError):
        raise _fail(f"{what} is not base64") from None
    successor = Ed25519Verifier.from_vkey(str(record["successor"]))
    try:
        successor.verify(succession_message(origin, record), signature)
    except VerificationError:
        raise _fail(f"{what} does not verify with the successor's key") from None


def verify_key_history(
    document: bytes | str | Mapping[str, Any], trusted_vkey: str
) -> list[KeyPeriod]:
    """Authenticate the key history backwards from ``trusted_vkey``; return its periods.

    ``trusted_vkey`` is a key you obtained from a trusted channel; it must be listed in the
    document. Every successor signature in the document must verify; every key older than the
    trusted one is thereby authenticated, back to the log's first key. Keys newer than it are
    not returned (follow the logged rotations, or trust a newer key); the trusted key's own end
    (if it was retired) is as its successor states it. Raises :class:`KeyHistoryInvalid`
    naming the first problem.
    """
    loaded = _load(document)
    if loaded.get("schema") != HISTORY_SCHEMA:
        raise _fail(f"the document is not {HISTORY_SCHEMA}")
    origin = loaded.get("origin")
    if not isinstance(origin, str) or not origin:
        raise _fail("origin must be a non-empty string")
    records = loaded.get("keys")
    if not isinstance(records, list) or not records:
        raise _fail("keys must be a non-empty list")
    periods = [
        _period(record, i, origin, i == len(records) - 1) for i, record in enumerate(records)
    ]
    if periods[0].from_size != 1:
        raise _fail("keys[0] must be valid from the log's first entry")
    for i in range(len(periods) - 1):
        older, newer = periods[i], periods[i + 1]
        if older.successor != newer.vkey:
            raise _fail(f"keys[{i}].successor is not the next key listed")
        if newer.from_size != (older.rotation_index or 0) + 1:
            raise _fail(f"keys[{i + 1}].validFrom does not follow its predecessor's rotation")
    vkeys = [period.vkey for period in periods]
    if len(set(vkeys)) != len(vkeys):
        raise _fail("a key is listed twice")
    try:
        anchor = vkeys.index(Ed25519Verifier.from_vkey(trusted_vkey).vkey)
    except (VerificationError, ValueError):
        raise _fail("the key you trust is not in the key history") from None
    for i in range(len(records) - 1):
        _check_signature(origin, records[i], i)
    return periods[: anchor + 1]


def check_bundle_period(key: str, tree_size: int, history: Sequence[KeyPeriod]) -> KeyPeriod:
    """The period of ``key`` (the vkey that signed a checkpoint of ``tree_size`` entries, as
    :attr:`dataip.evidence.bundle.VerifiedBundle.key` names it); raise
    :class:`KeyOutsidePeriod` if the history does not give that key that size."""
    for period in history:
        if period.vkey == key:
            if not period.covers(tree_size):
                until = "now" if period.until_size is None else str(period.until_size)
                raise KeyOutsidePeriod(
                    f"key {period.key_id} signs tree sizes {period.from_size} to {until}, "
                    f"not {tree_size}"
                )
            return period
    raise KeyOutsidePeriod("the checkpoint's key is not in the authenticated key history")
