"""Evidence bundles (证据包): one file that proves one registry event, offline.

A bundle is UTF-8 JSON tagged ``"format": "dataip.evidence-bundle/v1"``::

    {
      "format": "dataip.evidence-bundle/v1",
      "log": {"origin": "<log origin>", "vkey": "<C2SP vkey of the key that signed>"},
      "entry": {"index": <leaf index>, "leaf_hash": "<hex>", "body": "<RFC 8785 event JSON>"},
      "proof": "<C2SP tlog-proof@v1 text: index, audit path, signed checkpoint verbatim>",
      "timestamp": {"token": "<base64 DER RFC 3161 token>", "hash": "sha256",
                    "over": "checkpoint", "tsa_url": "<where it came from>"},     (optional)
      "openings": {"<field>": {"salt": "<hex>", "value": <value>}, ...}          (optional)
    }

``entry.body`` is the exact leaf text: its UTF-8 bytes hash to the leaf (``SHA-256(0x00 ||
body)``). The RFC 3161 token, when present, is over ``SHA-256`` of the signed checkpoint
note exactly as it appears at the end of ``proof``, so ``openssl ts -verify -data`` on that
note text checks it too. ``log.vkey`` is informative: :func:`verify_bundle` trusts only the
key(s) its caller gives. ``openings`` (for a ``dip.event/v2`` leaf, whose fields are salted
commitments: :mod:`.commitments`) are checked against the leaf; the fields they open are what
the bundle proves about the event, the others stay sealed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ._hashing import leaf_hash
from ._summary import summarize
from ._verify import verify_inclusion
from .checkpoint import Checkpoint
from .commitments import OpenedEvent, Opening, open_leaf, openings_from_json, openings_to_json
from .errors import MalformedInput, ProofError, UnexpectedOrigin, UnknownKey, VerificationError
from .note import Ed25519Verifier, open_note, parse_note
from .timestamp import TimestampInfo, verify_timestamp
from .tlog_proof import TlogProof, _parse_header, _parse_path

__all__ = ["FORMAT", "MAX_BUNDLE_BYTES", "VerifiedBundle", "make_bundle", "verify_bundle"]

FORMAT = "dataip.evidence-bundle/v1"
#: Bundles are small (an event, ~64 hashes, a note, a token); refuse anything huge.
MAX_BUNDLE_BYTES = 1 << 20

#: The verification steps, in order; a failure's ``step`` attribute names one of them.
STEPS = ("bundle", "key", "entry", "openings", "proof", "signature", "inclusion", "timestamp")


def make_bundle(
    *,
    body: bytes,
    proof: TlogProof,
    vkey: str,
    timestamp_token: bytes | None = None,
    tsa_url: str = "",
    openings: Mapping[str, Opening] | None = None,
) -> bytes:
    """Serialise a bundle for the leaf ``body`` (canonical JSON bytes) and its ``proof``.

    ``vkey`` names the key that signed the proof's checkpoint; ``timestamp_token`` is an RFC
    3161 token over SHA-256 of that signed checkpoint note; ``openings`` open some or all of
    a ``dip.event/v2`` leaf's commitments (for whoever is entitled to them).
    """
    checkpoint = proof.checkpoint()
    document: dict[str, Any] = {
        "format": FORMAT,
        "log": {"origin": checkpoint.origin, "vkey": vkey},
        "entry": {
            "index": proof.index,
            "leaf_hash": leaf_hash(body).hex(),
            "body": body.decode("utf-8"),
        },
        "proof": proof.to_text(),
    }
    if timestamp_token is not None:
        document["timestamp"] = {
            "token": base64.b64encode(timestamp_token).decode("ascii"),
            "hash": "sha256",
            "over": "checkpoint",
            "tsa_url": tsa_url,
        }
    if openings:
        document["openings"] = openings_to_json(openings)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class VerifiedBundle:
    """What a verified bundle proves. Build it with :func:`verify_bundle` only."""

    origin: str
    index: int
    leaf_hash: bytes
    event: Mapping[str, Any]
    checkpoint: Checkpoint
    checkpoint_note: str
    key: str
    timestamp: TimestampInfo | None
    opened: OpenedEvent

    @property
    def schema(self) -> str:
        """The leaf's schema (``dip.event/v1`` or ``dip.event/v2``)."""
        return self.opened.schema

    @property
    def sealed(self) -> tuple[str, ...]:
        """The fields of a v2 leaf that the bundle does not open."""
        return self.opened.sealed

    @property
    def event_type(self) -> str:
        """The event's type (e.g. ``register``); empty if it is sealed."""
        return str(self.opened.get("type") or "")

    @property
    def application(self) -> str | None:
        """The application number in the event, if any (and opened)."""
        value = self.opened.get("application")
        return None if value is None else str(value)

    @property
    def registration(self) -> str | None:
        """The registration number in the event, if any (and opened)."""
        value = self.opened.get("registration")
        return None if value is None else str(value)

    @property
    def event_time(self) -> str:
        """The event time as recorded by the registry (RFC 3339, UTC)."""
        return self.opened.time

    @property
    def tsa_time(self) -> datetime | None:
        """The TSA's time for the checkpoint, if the bundle carries a token."""
        return None if self.timestamp is None else self.timestamp.gen_time

    def summary(self, lang: str = "en") -> str:
        """What the bundle proves, in plain words: ``lang`` is ``"zh"`` or ``"en"``."""
        return summarize(self, lang)


def _fail(error: VerificationError, step: str) -> VerificationError:
    """Tag ``error`` with the verification step that failed (for bilingual reports)."""
    error.step = step
    return error


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON object hook: a repeated key makes a document ambiguous, so refuse it."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate JSON key {key!r}")
        result[key] = value
    return result


def _load_json(text: str | bytes, what: str) -> Any:
    """Parse strict JSON (no duplicate keys, no NaN), raising :class:`MalformedInput`."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise MalformedInput(f"{what} is not valid JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


def _get(obj: Any, path: str, kind: type | tuple[type, ...]) -> Any:
    """The value at dotted ``path`` in ``obj``; it must exist and be of ``kind``."""
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise MalformedInput(f"bundle field {path!r} is missing")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise MalformedInput(f"bundle field {path!r} has the wrong type")
    return value


@lru_cache(maxsize=64)
def _trusted(vkey: str) -> Ed25519Verifier:
    """Parse a trusted vkey once (a verifier checks many bundles with one key)."""
    try:
        return Ed25519Verifier.from_vkey(vkey.strip())
    except VerificationError as exc:
        raise MalformedInput(f"trusted key is not a valid Ed25519 vkey: {exc.message}") from None


def _parse(data: bytes) -> dict[str, Any]:
    """The bundle's JSON document, with its format tag checked."""
    if not isinstance(data, bytes | bytearray):
        raise MalformedInput("bundle must be bytes")
    if len(data) > MAX_BUNDLE_BYTES:
        raise MalformedInput(f"bundle is larger than {MAX_BUNDLE_BYTES} bytes")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput("bundle is not UTF-8 text") from None
    document = _load_json(text, "bundle")
    if not isinstance(document, dict):
        raise MalformedInput("bundle is not a JSON object")
    found = document.get("format")
    if found != FORMAT:
        raise MalformedInput(f"bundle format is {found!r}, expected {FORMAT!r}")
    return document


def _entry(document: dict[str, Any]) -> tuple[int, bytes, dict[str, Any]]:
    """Index, leaf body bytes and parsed event of the bundle's entry."""
    index = _get(document, "entry.index", int)
    try:
        body = _get(document, "entry.body", str).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput("entry body is not valid Unicode") from None
    event = _load_json(body, "entry body")
    if not isinstance(event, dict):
        raise MalformedInput("entry body is not a JSON object")
    stated = document["entry"].get("leaf_hash")
    if stated is not None and stated != leaf_hash(body).hex():
        raise ProofError("entry body does not hash to the bundle's stated leaf hash")
    return index, body, event


def _opened(document: dict[str, Any], event: dict[str, Any]) -> OpenedEvent:
    """Check the bundle's openings (if any) against the event leaf."""
    return open_leaf(event, openings_from_json(document.get("openings")))


def _proof(text: str) -> TlogProof:
    """Parse the tlog-proof text; its checkpoint is parsed and verified in the next step."""
    _, index, rest = _parse_header(text)
    path, note = _parse_path(rest)
    return TlogProof(index, tuple(path), note)


def _open_checkpoint(
    note: str, trusted: Sequence[Ed25519Verifier]
) -> tuple[Ed25519Verifier, Checkpoint]:
    """Verify the checkpoint note's signature by a trusted key; return that key and the body."""
    try:
        opened = open_note(note, trusted)
    except UnknownKey:
        _, signatures = parse_note(note)
        found = ", ".join(f"{s.name}+{s.key_id_hex}" for s in signatures) or "none"
        wanted = ", ".join(f"{v.name}+{v.key_id.hex()}" for v in trusted)
        raise UnknownKey(
            f"checkpoint is not signed by the trusted key {wanted} (signed by: {found})"
        ) from None
    first = opened.signatures[0]
    key = next(v for v in trusted if (v.name, v.key_id) == (first.name, first.key_id))
    checkpoint = Checkpoint.from_text(opened.text)
    if checkpoint.origin != key.name:
        raise UnexpectedOrigin(
            f"checkpoint origin {checkpoint.origin!r} is not the key's log {key.name!r}"
        )
    return key, checkpoint


def _log_signed(note: str, key: Ed25519Verifier) -> str:
    """The note as the log signed it, without witness cosignatures (added after signing and
    timestamping): the RFC 3161 token is over exactly this."""
    text, signatures = parse_note(note)
    mine = [s.line() for s in signatures if (s.name, s.key_id) == (key.name, key.key_id)]
    return text + "\n" + "".join(mine)


def _timestamp(
    document: dict[str, Any], note: str, key: Ed25519Verifier, tsa_ca_pem: bytes | None
) -> TimestampInfo | None:
    """Verify the optional RFC 3161 token over the checkpoint ``note`` as ``key`` signed it."""
    if document.get("timestamp") is None:
        return None  # no token: the note need not be re-parsed for its log-signed form
    encoded = _get(document, "timestamp.token", str)
    try:
        token = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedInput("timestamp token is not base64") from None
    signed = _log_signed(note, key)
    return verify_timestamp(token, signed.encode("utf-8"), ca_pem=tsa_ca_pem)


def verify_bundle(
    data: bytes, trusted_vkey: str | Sequence[str], *, tsa_ca_pem: bytes | None = None
) -> VerifiedBundle:
    """Verify an evidence bundle with the registry's public key(s); no network, no database.

    Checks, in order: the format; the trusted key(s); the entry body (JSON object, its leaf
    hash); the openings against the leaf's commitments; the tlog-proof; the checkpoint
    signature by a trusted key and its origin; the inclusion of the leaf in the signed tree;
    the RFC 3161 token, if any (its certificate chain only when ``tsa_ca_pem`` is given).
    Raises a :class:`VerificationError` subclass whose ``step`` attribute names the failed
    step (one of :data:`STEPS`).
    """
    step = "bundle"
    try:
        document = _parse(data)
        step = "key"
        keys = [trusted_vkey] if isinstance(trusted_vkey, str) else list(trusted_vkey)
        if not keys:
            raise MalformedInput("no trusted key given")
        trusted = [_trusted(k) for k in keys]
        step = "entry"
        index, body, event = _entry(document)
        step = "openings"
        opened = _opened(document, event)
        step = "proof"
        proof = _proof(_get(document, "proof", str))
        if proof.index != index:
            raise ProofError(f"proof is for entry {proof.index}, the bundle for entry {index}")
        step = "signature"
        key, checkpoint = _open_checkpoint(proof.checkpoint_note, trusted)
        if _get(document, "log.origin", str) != checkpoint.origin:
            raise UnexpectedOrigin(f"bundle names another log than {checkpoint.origin!r}")
        step = "inclusion"
        if index >= checkpoint.size:
            raise ProofError(
                f"entry {index} is beyond the checkpoint's tree size {checkpoint.size}"
            )
        hashed = leaf_hash(body)
        verify_inclusion(index, checkpoint.size, hashed, proof.path, checkpoint.root_hash)
        step = "timestamp"
        stamp = _timestamp(document, proof.checkpoint_note, key, tsa_ca_pem)
    except VerificationError as exc:
        raise _fail(exc, exc.step or step) from None
    return VerifiedBundle(
        origin=checkpoint.origin,
        index=index,
        leaf_hash=hashed,
        event=event,
        checkpoint=checkpoint,
        checkpoint_note=proof.checkpoint_note,
        key=key.vkey,
        timestamp=stamp,
        opened=opened,
    )
