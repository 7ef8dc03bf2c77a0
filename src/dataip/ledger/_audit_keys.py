"""The audit's view of the log's keys: which key was introduced by which logged rotation.

Which entries announce a rotation is for the application above the ledger to say (for the
registry: the ``ledger_key_rotation`` events); the ledger checks that they form one chain from
the first key to the current one, and that each key signs only after its announcement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dataip.evidence import Ed25519Verifier, VerificationError
from dataip.evidence.note import NoteSignature
from dataip.ledger import keys
from dataip.ledger._findings import Finding

_KeyName = tuple[str, bytes]


@dataclass(frozen=True)
class LoggedRotation:
    """A key rotation announced in the log: its entry, and the keys it names.

    ``faithful`` is False when the record above the ledger does not match the entry it claims
    (e.g. the event's payload does not hash to the digest in the leaf).
    """

    entry: int
    old_vkey: object
    new_vkey: object
    faithful: bool = True


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


def key_chain(rotations: Sequence[LoggedRotation] = ()) -> KeyChain:
    """Rebuild the chain of keys from the logged ``rotations`` (in log order) and the key files."""
    chain = KeyChain()
    current = keys.vkey()
    initial = rotations[0].old_vkey if rotations else current
    expected_old = initial
    first = _verifier(initial)
    if first is not None:
        chain.since[(first.name, first.key_id)] = -1
    for rotation in rotations:
        index, new = rotation.entry, _verifier(rotation.new_vkey)
        if not rotation.faithful:
            detail = "its payload does not match the logged digest"
            chain.findings.append(Finding("rotation", {"entry": index, "detail": detail}))
        if rotation.old_vkey != expected_old or new is None:
            detail = "does not continue from the key in use before it"
            chain.findings.append(Finding("rotation", {"entry": index, "detail": detail}))
        if new is not None:
            chain.since.setdefault((new.name, new.key_id), index)
            expected_old = new.vkey
    if rotations and expected_old != current:
        detail = "the current signing key was never introduced by a logged rotation"
        chain.findings.append(Finding("rotation", {"entry": rotations[-1].entry, "detail": detail}))
    candidates = [initial, *(r.new_vkey for r in rotations), *keys.all_vkeys()]
    seen: set[_KeyName] = set()
    for candidate in candidates:
        verifier = _verifier(candidate)
        if verifier is not None and (verifier.name, verifier.key_id) not in seen:
            seen.add((verifier.name, verifier.key_id))
            chain.verifiers.append(verifier)
    return chain
