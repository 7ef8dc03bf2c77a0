"""The audit's view of the log's keys: which key was introduced by which logged rotation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dataip.evidence import Ed25519Verifier, VerificationError
from dataip.evidence.note import NoteSignature
from dataip.ledger import keys
from dataip.ledger._findings import Finding
from dataip.ledger.models import LogEntry

_KeyName = tuple[str, bytes]


@dataclass
class KeyChain:
    """Every key that may sign, and from which tree size on.

    ``since[(name, key ID)]`` is the index of the rotation entry that introduced the key
    (-1 for the log's first key): it may sign only checkpoints that include that entry.
    """

    verifiers: list[Ed25519Verifier] = field(default_factory=list)
    since: dict[_KeyName, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def check_signers(self, size: int, signatures: Iterable[NoteSignature]) -> Iterator[Finding]:
        """Each registry signature on checkpoint ``size`` is by a key valid at that size."""
        for signature in signatures:
            label = f"{signature.name}+{signature.key_id_hex}"
            since = self.since.get((signature.name, signature.key_id))
            if since is None:
                yield Finding("checkpoint_key_unlogged", {"checkpoint": size, "key": label})
            elif size <= since:
                yield Finding(
                    "checkpoint_key_early", {"checkpoint": size, "key": label, "since": since}
                )


def _verifier(vkey: object) -> Ed25519Verifier | None:
    """Parse a vkey, or None if it is not one."""
    if not isinstance(vkey, str):
        return None
    try:
        return Ed25519Verifier.from_vkey(vkey)
    except VerificationError:
        return None


def _rotations() -> list[tuple[int, dict[str, object], str]]:
    """``(entry index, event payload, leaf body)`` of every logged key rotation, in order."""
    from dataip.registry.models import Event

    rows = list(
        Event.objects.filter(action=keys.ROTATION_EVENT)
        .exclude(leaf_index=None)
        .order_by("leaf_index")
        .values_list("leaf_index", "payload")
    )
    indices = [int(i or 0) for i, _ in rows]
    bodies = dict(LogEntry.objects.filter(index__in=indices).values_list("index", "body"))
    return [(i, dict(p or {}), bodies.get(i, "")) for i, (_, p) in zip(indices, rows, strict=True)]


def _payload_matches(payload: dict[str, object], body: str) -> bool:
    """The leaf's payload digest is the digest of the event row's payload."""
    from dataip.registry.events import digest

    try:
        return bool(json.loads(body).get("payload_sha256") == digest(payload))
    except (ValueError, AttributeError):
        return False


def key_chain() -> KeyChain:
    """Rebuild the chain of keys from the logged rotations and the key files."""
    chain = KeyChain()
    rotations = _rotations()
    current = keys.vkey()
    initial = rotations[0][1].get("old_vkey") if rotations else current
    expected_old = initial
    first = _verifier(initial)
    if first is not None:
        chain.since[(first.name, first.key_id)] = -1
    for index, payload, body in rotations:
        old, new = payload.get("old_vkey"), _verifier(payload.get("new_vkey"))
        if not _payload_matches(payload, body):
            detail = "its payload does not match the logged digest"
            chain.findings.append(Finding("rotation", {"entry": index, "detail": detail}))
        if old != expected_old or new is None:
            detail = "does not continue from the key in use before it"
            chain.findings.append(Finding("rotation", {"entry": index, "detail": detail}))
        if new is not None:
            chain.since.setdefault((new.name, new.key_id), index)
            expected_old = new.vkey
    if rotations and expected_old != current:
        detail = "the current signing key was never introduced by a logged rotation"
        chain.findings.append(Finding("rotation", {"entry": rotations[-1][0], "detail": detail}))
    candidates = [initial, *(p.get("new_vkey") for _, p, _ in rotations), *keys.all_vkeys()]
    seen: set[_KeyName] = set()
    for candidate in candidates:
        verifier = _verifier(candidate)
        if verifier is not None and (verifier.name, verifier.key_id) not in seen:
            seen.add((verifier.name, verifier.key_id))
            chain.verifiers.append(verifier)
    return chain
