"""C2SP tlog-checkpoint: the signed head of a transparency log.

Note text (c2sp.org/tlog-checkpoint §Note text)::

    <origin>\\n
    <tree size, ASCII decimal, no leading zeros>\\n
    <standard base64 of the 32-byte RFC 9162 root hash>\\n
    [<non-empty extension line>\\n ...]

Parsing is strict: this module additionally requires the origin to contain no
whitespace and no '+', so that it can equal the log's key name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ._encoding import (
    UINT64_MAX,
    b64decode_hash,
    b64encode,
    has_control_chars,
    has_space,
    parse_decimal,
)
from .errors import MalformedInput, UnexpectedOrigin, UnknownKey
from .note import NoteSigner, NoteVerifier, open_note, sign_note

__all__ = ["Checkpoint", "sign_checkpoint", "verify_checkpoint"]


def _check_origin(origin: object) -> None:
    """Origin: non-empty string, no whitespace, no '+', no control characters."""
    if not isinstance(origin, str) or not origin:
        raise MalformedInput("checkpoint origin must be a non-empty string")
    if "+" in origin or has_space(origin) or has_control_chars(origin):
        raise MalformedInput(f"checkpoint origin {origin[:80]!r} contains a space, '+' or control")


def _check_extension(line: object) -> None:
    """Extension lines are non-empty single lines without control characters."""
    if not isinstance(line, str) or not line or "\n" in line or has_control_chars(line):
        raise MalformedInput(f"invalid checkpoint extension line {line!r}")


@dataclass(frozen=True)
class Checkpoint:
    """A log checkpoint body (C2SP tlog-checkpoint); validated on construction."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        """Validate all fields, raising :class:`MalformedInput`."""
        _check_origin(self.origin)
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedInput("checkpoint size must be an integer")
        if not 0 <= self.size <= UINT64_MAX:
            raise MalformedInput(f"checkpoint size {self.size} out of range")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != 32:
            raise MalformedInput("checkpoint root hash must be 32 bytes")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in self.extensions:
            _check_extension(line)

    def to_text(self) -> str:
        """Return the note text (every line newline-terminated)."""
        lines = [self.origin, str(self.size), b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse note text strictly; raise :class:`MalformedInput` naming the bad line."""
        if not isinstance(text, str) or not text.endswith("\n"):
            raise MalformedInput("checkpoint text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedInput(f"checkpoint needs at least 3 lines, got {len(lines)}")
        size = parse_decimal(lines[1], "checkpoint tree size")
        root_hash = b64decode_hash(lines[2], "checkpoint root hash")
        return cls(lines[0], size, root_hash, tuple(lines[3:]))


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner, *more: NoteSigner) -> str:
    """Return ``cp`` as a C2SP signed note, signed by ``signer`` (and ``more``)."""
    return sign_note(cp.to_text(), [signer, *more])


def verify_checkpoint(
    note: str | bytes,
    verifier: NoteVerifier,
    *,
    origin: str | None = None,
    witnesses: Sequence[NoteVerifier] = (),
    min_witnesses: int = 0,
) -> Checkpoint:
    """Verify a signed checkpoint and return its parsed body.

    The log's ``verifier`` must have signed it. If ``origin`` is given, the
    origin line must equal it. At least ``min_witnesses`` of ``witnesses``
    (e.g. :class:`~dataip.evidence.note.CosignatureVerifier`) must have
    cosigned (C2SP tlog-cosignature); any known signature that fails raises
    :class:`BadSignature`.
    """
    opened = open_note(note, [verifier, *witnesses])
    if opened.signed_by(verifier) is None:
        raise UnknownKey(
            f"checkpoint is not signed by log key {verifier.name}+{verifier.key_id.hex()}"
        )
    cp = Checkpoint.from_text(opened.text)
    if origin is not None and cp.origin != origin:
        raise UnexpectedOrigin(f"checkpoint origin {cp.origin!r} is not the expected {origin!r}")
    log_key = (verifier.name, verifier.key_id)
    count = len(
        {(w.name, w.key_id) for w in witnesses if opened.signed_by(w) is not None} - {log_key}
    )
    if count < min_witnesses:
        raise UnknownKey(f"checkpoint has {count} witness cosignatures, {min_witnesses} required")
    return cp
