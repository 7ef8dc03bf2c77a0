"""Salted commitments (加盐承诺) for private ledger leaves: ``dip.event/v2``.

A ``dip.event/v1`` leaf named its application, status change and role in clear, and carried
unsalted digests of small values. A ``dip.event/v2`` leaf keeps only its schema tag and the
event time in clear; every other field is a commitment::

    {"schema": "dip.event/v2", "time": "2026-03-02T08:00:00Z",
     "commitments": {"type": "<hex>", "application": "<hex>", "registration": "<hex>",
                     "from": "<hex>", "to": "<hex>", "actor_role": "<hex>",
                     "reason_sha256": "<hex>", "payload_sha256": "<hex>", "prev": "<hex>"}}

    commitment = SHA-256("dip.commit/v1\\n" || salt || RFC 8785 canonical JSON of value)

with a fresh random 32-byte ``salt`` per value, kept by the registry. The **opening** of a
field is its ``(salt, value)``; whoever holds it can check it against the leaf, nobody else
can learn the value from the leaf, even by trying every possible value. Openings travel as
JSON: ``{"<field>": {"salt": "<64 hex>", "value": <JSON value>}}``.

:func:`open_leaf` checks openings against a leaf of either schema and returns the opened
event (for v1, the leaf's own fields: it has nothing to open). Pure Python: no Django.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .canonical import canonical_json
from .errors import MalformedInput, ProofError

__all__ = [
    "COMMITTED_FIELDS",
    "COMMIT_TAG",
    "EVENT_SCHEMA_V1",
    "EVENT_SCHEMA_V2",
    "PUBLIC_FIELDS",
    "SALT_BYTES",
    "OpenedEvent",
    "Opening",
    "commit",
    "new_salt",
    "open_leaf",
    "openings_from_json",
    "openings_to_json",
    "seal_event",
]

EVENT_SCHEMA_V1: Final = "dip.event/v1"
EVENT_SCHEMA_V2: Final = "dip.event/v2"
COMMIT_TAG: Final = b"dip.commit/v1\n"
SALT_BYTES: Final = 32

#: The fields of an event that a v2 leaf holds as commitments, in this order.
COMMITTED_FIELDS: Final = (
    "type",
    "application",
    "registration",
    "from",
    "to",
    "actor_role",
    "reason_sha256",
    "payload_sha256",
    "prev",
)
#: The fields the registry opens to everyone once an application is public: what its public
#: history shows anyway. Digests of reasons and payloads and the ``prev`` link stay with the
#: holder (a payload digest of a small value could be guessed; ``prev`` may name a leaf of a
#: step the public does not see).
PUBLIC_FIELDS: Final = ("type", "application", "registration", "from", "to", "actor_role")

_V2_KEYS: Final = frozenset({"schema", "time", "commitments"})


def new_salt() -> bytes:
    """A fresh random salt (32 bytes from the operating system's CSPRNG)."""
    return secrets.token_bytes(SALT_BYTES)


def commit(salt: bytes, value: Any) -> str:
    """The commitment (lowercase hex) to ``value`` under ``salt``.

    Raises ``ValueError`` if the salt is not 32 bytes or ``value`` has no canonical JSON.
    """
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a commitment salt is {SALT_BYTES} bytes, not {len(salt)}")
    return hashlib.sha256(COMMIT_TAG + salt + canonical_json(value)).hexdigest()


@dataclass(frozen=True)
class Opening:
    """The opening of one commitment: its salt and the committed value."""

    salt: bytes
    value: Any

    def commitment(self) -> str:
        """The commitment this opening opens."""
        return commit(self.salt, self.value)

    def to_json(self) -> dict[str, Any]:
        """``{"salt": "<hex>", "value": <value>}``."""
        return {"salt": self.salt.hex(), "value": self.value}

    @classmethod
    def from_json(cls, field: str, obj: Any) -> Opening:
        """Parse one opening, naming ``field`` in any error (:class:`MalformedInput`)."""
        if not isinstance(obj, Mapping) or set(obj) != {"salt", "value"}:
            raise MalformedInput(f"opening of {field!r} must be an object with salt and value")
        salt = obj["salt"]
        if not isinstance(salt, str) or len(salt) != 2 * SALT_BYTES:
            raise MalformedInput(f"opening of {field!r}: salt must be {SALT_BYTES} bytes of hex")
        try:
            raw = bytes.fromhex(salt)
        except ValueError:
            raise MalformedInput(f"opening of {field!r}: salt is not hex") from None
        return cls(raw, obj["value"])


def seal_event(
    fields: Mapping[str, Any], time: str, salts: Mapping[str, bytes] | None = None
) -> tuple[dict[str, Any], dict[str, Opening]]:
    """The v2 leaf of an event and the openings of its commitments.

    ``fields`` maps every name of :data:`COMMITTED_FIELDS` to its value (``None`` too is
    committed, so a leaf does not even say which fields are empty); each gets a fresh salt
    unless ``salts`` gives one (for recomputing a stored leaf).
    """
    missing = [name for name in COMMITTED_FIELDS if name not in fields]
    extra = sorted(set(fields) - set(COMMITTED_FIELDS))
    if missing or extra:
        raise ValueError(f"event fields: missing {missing}, unknown {extra}")
    openings = {
        name: Opening(salts[name] if salts else new_salt(), fields[name])
        for name in COMMITTED_FIELDS
    }
    leaf = {
        "schema": EVENT_SCHEMA_V2,
        "time": time,
        "commitments": {name: o.commitment() for name, o in openings.items()},
    }
    return leaf, openings


def openings_to_json(openings: Mapping[str, Opening]) -> dict[str, Any]:
    """The JSON form of ``openings`` (field -> ``{salt, value}``)."""
    return {name: opening.to_json() for name, opening in openings.items()}


def openings_from_json(obj: Any) -> dict[str, Opening]:
    """Parse the JSON form of openings (:class:`MalformedInput` on any fault)."""
    if obj is None:
        return {}
    if not isinstance(obj, Mapping):
        raise MalformedInput("openings must be a JSON object")
    return {str(name): Opening.from_json(str(name), value) for name, value in obj.items()}


@dataclass(frozen=True)
class OpenedEvent:
    """What a leaf says once its openings are checked.

    ``fields`` holds the event's fields that are known: every field of a v1 leaf, the opened
    ones of a v2 leaf; ``sealed`` names the v2 fields that stay committed (not opened).
    """

    schema: str
    time: str
    fields: Mapping[str, Any]
    sealed: tuple[str, ...]

    def get(self, name: str, default: Any = None) -> Any:
        """An opened field's value (``default`` if it is sealed or absent)."""
        return self.fields.get(name, default)


def open_leaf(leaf: Mapping[str, Any], openings: Mapping[str, Opening]) -> OpenedEvent:
    """Check ``openings`` against ``leaf`` and return the opened event.

    Raises :class:`MalformedInput` for a v2 leaf of the wrong shape or an opening of a field
    the leaf does not commit to, and :class:`ProofError` for an opening that does not open
    its commitment. Any other leaf (``dip.event/v1``) is in clear: its fields are returned as
    they are, and ``openings`` must be empty.
    """
    schema = leaf.get("schema")
    if schema != EVENT_SCHEMA_V2:
        if openings:
            raise MalformedInput(f"a {schema or 'schemaless'} leaf has nothing to open")
        clear = {k: v for k, v in leaf.items() if k not in {"schema", "time"}}
        return OpenedEvent(str(schema or ""), str(leaf.get("time") or ""), clear, ())
    time = leaf.get("time")
    if not isinstance(time, str):
        raise MalformedInput("event leaf has no time")
    commitments = leaf.get("commitments")
    if set(leaf) != _V2_KEYS or not isinstance(commitments, Mapping):
        raise MalformedInput(f"a {EVENT_SCHEMA_V2} leaf has exactly schema, time, commitments")
    if set(commitments) != set(COMMITTED_FIELDS):
        raise MalformedInput(f"a {EVENT_SCHEMA_V2} leaf commits to exactly {COMMITTED_FIELDS}")
    fields: dict[str, Any] = {}
    for name, opening in openings.items():
        if name not in commitments:
            raise MalformedInput(f"the leaf has no commitment named {name!r}")
        try:
            mine = opening.commitment()
        except ValueError as exc:
            raise MalformedInput(f"opening of {name!r}: {exc}") from None
        stated = commitments[name]
        if not isinstance(stated, str) or not hmac.compare_digest(mine, stated):
            raise ProofError(f"the opening of {name!r} does not match the leaf's commitment")
        fields[name] = opening.value
    sealed = tuple(name for name in COMMITTED_FIELDS if name not in fields)
    return OpenedEvent(EVENT_SCHEMA_V2, time, fields, sealed)
