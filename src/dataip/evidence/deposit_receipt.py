"""Deposit receipts (存证回执): check one offline, with no registry software but this module.

A receipt is UTF-8 JSON tagged ``"format": "dataip.deposit-receipt/v1"``::

    {
      "format": "dataip.deposit-receipt/v1",
      "deposit": {"number": "CZ202600000001", "registered_at": "<RFC 3339 UTC>",
                  "root": "<hex>", "files": N, "bytes": B, "formats": {...}, "names": "plain"},
      "statement": "<the deposit statement: RFC 8785 canonical JSON text>",
      "statement_sha256": "<hex>",
      "timestamp": {"token": "<base64 DER RFC 3161 token>", "hash": "sha256",
                    "over": "statement", "tsa": "internal", ...},
      "ledger": {"index": I, "event": {<the deposit event's payload>},
                 "bundle": {<a dataip.evidence-bundle/v1 for log entry I>}}
    }

:func:`verify_receipt` checks, in order (each failure names its step, see :data:`STEPS`):

1. ``receipt`` -- the document's format and fields;
2. ``statement`` -- the statement is canonical ``dip.deposit/v1`` JSON and states the
   receipt's root, file count and byte count;
3. ``manifest`` (when one is given) -- the manifest is consistent (records hash to its root)
   and the statement is exactly :func:`~.fingerprint.statement` of it;
4. ``timestamp`` -- the RFC 3161 token is over ``SHA-256(statement)`` and is signed by a
   time-stamping certificate (chained to the trusted TSA CA when one is given);
5. ``ledger`` (when the registry's key is given) -- the evidence bundle proves log entry
   ``I``, a ``deposit`` event whose payload digest is that of the receipt's ``event``, which
   names this deposit and the SHA-256 of this statement and this token.

No Django, no network, no database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .bundle import VerifiedBundle, verify_bundle
from .canonical import canonical_json
from .errors import MalformedInput, ProofError, VerificationError
from .fingerprint import DEPOSIT_SCHEMA, RootMismatch, check_manifest
from .fingerprint import statement as make_statement
from .timestamp import TimestampInfo, verify_timestamp

__all__ = [
    "EVENT_SCHEMA",
    "EVENT_TYPE",
    "FORMAT",
    "MAX_RECEIPT_BYTES",
    "STEPS",
    "ReceiptMismatch",
    "VerifiedReceipt",
    "failure_text",
    "verify_receipt",
]

FORMAT = "dataip.deposit-receipt/v1"
#: Schema of the deposit event's payload (whose SHA-256 is in the ledger leaf).
EVENT_SCHEMA = "dip.deposit-event/v1"
#: The ledger event type of a deposit.
EVENT_TYPE = "deposit"
#: A receipt holds a statement, a token and a bundle (at most 1 MiB): refuse anything huge.
MAX_RECEIPT_BYTES = 4 << 20
#: A manifest given to check against may be as large as an uploaded one.
MAX_MANIFEST_BYTES = 256 << 20

STEPS = ("receipt", "statement", "manifest", "timestamp", "ledger")
_STEP_NAMES = {
    "receipt": ("回执格式", "the receipt"),
    "statement": ("存证声明", "the deposit statement"),
    "manifest": ("清单", "the manifest"),
    "timestamp": ("可信时间戳", "the time-stamp"),
    "ledger": ("证据账本", "the evidence ledger"),
}
_STATEMENT_KEYS = frozenset({"schema", "hash", "root", "files", "bytes", "holder", "created"})


class ReceiptMismatch(VerificationError):
    """Two parts of a receipt (or the receipt and the manifest) disagree."""

    code = "receipt_mismatch"


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a verified receipt proves. Build it with :func:`verify_receipt` only."""

    number: str
    root: str
    files: int
    byte_count: int
    holder_commitment: str
    manifest_created: str
    registered_at: str
    statement: bytes
    timestamp: TimestampInfo
    manifest_checked: bool
    ledger: VerifiedBundle | None

    def summary(self, lang: str = "en") -> str:
        """What the receipt proves, in plain words: ``lang`` is ``"zh"`` or ``"en"``."""
        return _summary_zh(self) if lang == "zh" else _summary_en(self)


def _fail(error: VerificationError, step: str) -> VerificationError:
    error.step = step
    return error


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _load_json(data: bytes | str, what: str, limit: int) -> Any:
    """Strict JSON (UTF-8, no duplicate keys, no NaN); :class:`MalformedInput` otherwise."""
    if len(data) > limit:
        raise MalformedInput(f"{what} is larger than {limit} bytes")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise MalformedInput(f"{what} is not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"{what} is not valid JSON: {exc}") from None


def _get(obj: Any, path: str, kind: type | tuple[type, ...]) -> Any:
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise MalformedInput(f"receipt field {path!r} is missing")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise MalformedInput(f"receipt field {path!r} has the wrong type")
    return value


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_statement(document: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """The statement's bytes and fields; it must be canonical and agree with the receipt."""
    try:
        text = _get(document, "statement", str)
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput("the statement is not valid Unicode") from None
    fields = _load_json(data, "the statement", MAX_RECEIPT_BYTES)
    if not isinstance(fields, dict) or set(fields) != _STATEMENT_KEYS:
        raise MalformedInput(
            f"the statement must have exactly the fields {', '.join(sorted(_STATEMENT_KEYS))}"
        )
    if fields["schema"] != DEPOSIT_SCHEMA or fields["hash"] != "sha256":
        raise MalformedInput(f"the statement is not a {DEPOSIT_SCHEMA} statement with SHA-256")
    try:
        canonical = canonical_json(fields)
    except (ValueError, TypeError) as exc:
        raise MalformedInput(f"the statement cannot be canonical JSON: {exc}") from None
    if canonical != data:
        raise MalformedInput("the statement is not in RFC 8785 canonical form")
    for name, key in (("root", "root"), ("files", "files"), ("bytes", "bytes")):
        stated = document["deposit"].get(name)
        if stated != fields[key]:
            raise ReceiptMismatch(
                f"the receipt says {name} {stated!r}, the statement {fields[key]!r}"
            )
    digest = document.get("statement_sha256")
    if digest is not None and digest != _sha256(data):
        raise ReceiptMismatch("statement_sha256 is not the SHA-256 of the statement")
    return data, fields


def _check_manifest(manifest: bytes | Mapping[str, Any], data: bytes, holder: str) -> None:
    """The manifest is consistent and the statement is exactly the one made from it."""
    if isinstance(manifest, bytes | bytearray):
        loaded = _load_json(bytes(manifest), "the manifest", MAX_MANIFEST_BYTES)
    else:
        loaded = dict(manifest)
    check_manifest(loaded)
    expected = make_statement(loaded, holder)
    if expected == data:
        return
    mine = json.loads(expected)
    theirs = json.loads(data)
    differ = [key for key in ("root", "files", "bytes", "created") if mine[key] != theirs[key]]
    raise RootMismatch(
        "the receipt is not for this manifest: "
        + ", ".join(
            f"{k} is {theirs[k]!r} in the receipt, {mine[k]!r} in the manifest" for k in differ
        )
    )


def _token(document: dict[str, Any]) -> bytes:
    stamp = _get(document, "timestamp", dict)
    if stamp.get("hash", "sha256") != "sha256" or stamp.get("over", "statement") != "statement":
        raise MalformedInput("the time-stamp must be over SHA-256 of the statement")
    try:
        token = base64.b64decode(_get(document, "timestamp.token", str), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput("the time-stamp token is not base64") from None
    if not token:
        raise MalformedInput("the time-stamp token is empty")
    return token


def _check_ledger(
    document: dict[str, Any],
    number: str,
    data: bytes,
    token: bytes,
    keys: Sequence[str],
    tsa_ca_pem: bytes | None,
) -> VerifiedBundle:
    """The bundle proves the deposit event, and the event names this statement and token."""
    index = _get(document, "ledger.index", int)
    event = _get(document, "ledger.event", dict)
    bundle = _get(document, "ledger.bundle", dict)
    verified = verify_bundle(
        json.dumps(bundle, ensure_ascii=False).encode("utf-8"), list(keys), tsa_ca_pem=tsa_ca_pem
    )
    if verified.index != index:
        raise ReceiptMismatch(f"the bundle proves entry {verified.index}, not entry {index}")
    leaf = verified.opened  # a v2 leaf's fields as opened by the bundle (v1: in clear)
    if (
        leaf.get("type") != EVENT_TYPE
        or "application" in leaf.sealed
        or leaf.get("application") is not None
    ):
        raise ReceiptMismatch(f"log entry {index} is not a deposit event")
    try:
        payload_digest = _sha256(canonical_json(event))
    except (ValueError, TypeError) as exc:
        raise MalformedInput(f"the ledger event cannot be canonical JSON: {exc}") from None
    if leaf.get("payload_sha256") != payload_digest:
        raise ProofError(f"log entry {index} does not record this receipt's deposit event")
    expected = {
        "schema": EVENT_SCHEMA,
        "deposit": number,
        "statement_sha256": _sha256(data),
        "token_sha256": _sha256(token),
    }
    for key, value in expected.items():
        if event.get(key) != value:
            raise ReceiptMismatch(f"the logged deposit event's {key} is not this receipt's")
    return verified


def verify_receipt(
    data: bytes,
    *,
    manifest: bytes | Mapping[str, Any] | None = None,
    tsa_ca_pem: bytes | None = None,
    trusted_vkeys: str | Sequence[str] | None = None,
) -> VerifiedReceipt:
    """Verify a deposit receipt; return what it proves.

    ``manifest`` (JSON bytes or the parsed object) is checked against the statement when
    given. ``tsa_ca_pem`` holds the trusted CA certificate(s) of the TSA (and of the ledger's
    TSA, if its checkpoints are timestamped by another one); without it the token's chain is
    not checked (``timestamp.trusted`` is False). ``trusted_vkeys``: the registry's log
    key(s); without them the ledger entry is not checked (``ledger`` is None). Raises a
    :class:`VerificationError` subclass whose ``step`` attribute is one of :data:`STEPS`.
    """
    step = "receipt"
    try:
        if not isinstance(data, bytes | bytearray):
            raise MalformedInput("the receipt must be bytes")
        document = _load_json(bytes(data), "the receipt", MAX_RECEIPT_BYTES)
        if not isinstance(document, dict):
            raise MalformedInput("the receipt is not a JSON object")
        if document.get("format") != FORMAT:
            raise MalformedInput(
                f"the receipt format is {document.get('format')!r}, not {FORMAT!r}"
            )
        number = _get(document, "deposit.number", str)
        registered_at = _get(document, "deposit.registered_at", str)
        token = _token(document)
        step = "statement"
        statement, fields = _check_statement(document)
        if manifest is not None:
            step = "manifest"
            _check_manifest(manifest, statement, fields["holder"])
        step = "timestamp"
        stamp = verify_timestamp(token, statement, ca_pem=tsa_ca_pem)
        ledger = None
        keys = [trusted_vkeys] if isinstance(trusted_vkeys, str) else list(trusted_vkeys or [])
        if keys:
            step = "ledger"
            ledger = _check_ledger(document, number, statement, token, keys, tsa_ca_pem)
    except VerificationError as exc:
        raise _fail(exc, step) from None
    return VerifiedReceipt(
        number=number,
        root=fields["root"],
        files=fields["files"],
        byte_count=fields["bytes"],
        holder_commitment=fields["holder"],
        manifest_created=fields["created"],
        registered_at=registered_at,
        statement=statement,
        timestamp=stamp,
        manifest_checked=manifest is not None,
        ledger=ledger,
    )


# --- plain words ---------------------------------------------------------------------------------


def _time(info: TimestampInfo) -> str:
    return info.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary_en(r: VerifiedReceipt) -> str:
    stamp = r.timestamp
    lines = [
        f"Deposit {r.number}: verified.",
        f"  Deposit root {r.root} ({r.files} files, {r.byte_count} bytes).",
        f"  Time-stamp: {stamp.tsa_name or stamp.signer} certifies that this deposit statement "
        f"existed at {_time(stamp)} (serial {stamp.serial_number:x}, policy {stamp.policy}).",
        "  The TSA certificate chains to the trusted TSA CA."
        if stamp.trusted
        else "  WARNING: the TSA certificate was NOT checked against a trusted CA (give --tsa-ca).",
        "  Manifest: its records hash to this root and it gives this statement."
        if r.manifest_checked
        else "  Manifest: not given, so the files behind the root were not checked.",
    ]
    if r.ledger is not None:
        cp = r.ledger.checkpoint
        lines.append(
            f"  Ledger: entry {r.ledger.index} of log {r.ledger.origin} records this deposit "
            f"at {r.ledger.event_time}; checkpoint size {cp.size}, root "
            f"{cp.root_hash.hex()}, signed by {r.ledger.key}."
        )
    else:
        lines.append("  Ledger: NOT checked (give the registry's public key with --key).")
    lines.append(
        f"  The statement names the holder only by a salted commitment ({r.holder_commitment}); "
        f"the holder's manifest time is {r.manifest_created}."
    )
    return "\n".join(lines) + "\n"


def _summary_zh(r: VerifiedReceipt) -> str:
    stamp = r.timestamp
    lines = [
        f"存证 {r.number}：验证通过。",
        f"  存证根哈希 {r.root}（{r.files} 个文件，{r.byte_count} 字节）。",
        f"  可信时间戳：{stamp.tsa_name or stamp.signer} 证明该存证声明在 {_time(stamp)} "
        f"已经存在（序列号 {stamp.serial_number:x}，策略 {stamp.policy}）。",
        "  时间戳机构证书已链接到受信任的时间戳根证书。"
        if stamp.trusted
        else "  警告：未用受信任的根证书检查时间戳机构证书（请提供 --tsa-ca）。",
        "  清单：其文件记录的哈希得出该根哈希，并得出该存证声明。"
        if r.manifest_checked
        else "  清单：未提供，因此未检查根哈希背后的文件。",
    ]
    if r.ledger is not None:
        cp = r.ledger.checkpoint
        lines.append(
            f"  证据账本：日志 {r.ledger.origin} 的第 {r.ledger.index} 条记录了该存证，"
            f"时间 {r.ledger.event_time}；检查点大小 {cp.size}，根哈希 {cp.root_hash.hex()}，"
            f"签名公钥 {r.ledger.key}。"
        )
    else:
        lines.append("  证据账本：未检查（请用 --key 提供登记机构公钥）。")
    lines.append(
        f"  声明仅以加盐承诺值标识持有人（{r.holder_commitment}）；持有人清单时间为 "
        f"{r.manifest_created}。"
    )
    return "\n".join(lines) + "\n"


def failure_text(step: str, message: str, lang: str = "en") -> str:
    """A failed verification in plain words (``lang`` ``"zh"`` or ``"en"``)."""
    zh, en = _STEP_NAMES.get(step, _STEP_NAMES["receipt"])
    if lang == "zh":
        return f"验证失败：{zh}未通过检查。\n原因：{message}\n"
    return f"Verification FAILED at {en}.\nReason: {message}\n"
