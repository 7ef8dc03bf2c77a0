"""C2SP tlog-witness: the ``add-checkpoint`` request and the answers a witness gives.

Request body (c2sp.org/tlog-witness §add-checkpoint)::

    old <size of the checkpoint the client believes the witness last cosigned>\\n
    <base64 consistency-proof hash>\\n      0..63 lines, RFC 9162 §2.1.4
    \\n
    <signed checkpoint>

Answers: 200 with one or more cosignature lines (``— <name> <base64>``, C2SP signed-note);
409 ``text/x.tlog.size`` with the witness's size and a newline when ``old`` is not the size it
last cosigned; 404 unknown origin; 403 no trusted log signature; 422 bad proof; 400 malformed
or ``old`` above the checkpoint's size. Both the witness (:mod:`dataip.witness`) and the
registry's client use this module, so the two sides cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._encoding import b64decode_hash, b64encode, parse_decimal
from .errors import MalformedInput
from .note import NoteSignature, parse_note

__all__ = [
    "MAX_PROOF_LINES",
    "MAX_REQUEST_BYTES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "parse_cosignature_lines",
    "parse_size_response",
    "size_response",
]

#: At most this many proof lines (C2SP tlog-witness: 0 to 63).
MAX_PROOF_LINES = 63
#: Requests larger than this are refused (the reference Go witness uses 16 KiB too).
MAX_REQUEST_BYTES = 16 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class AddCheckpoint:
    """One ``add-checkpoint`` request: the old size, the consistency proof, the checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint_note: str

    def to_bytes(self) -> bytes:
        """The request body."""
        lines = [f"old {self.old_size}", *(b64encode(h) for h in self.proof)]
        return ("".join(line + "\n" for line in lines) + "\n" + self.checkpoint_note).encode()

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        """Parse a request body strictly; raise :class:`MalformedInput` naming the bad part."""
        if len(body) > MAX_REQUEST_BYTES:
            raise MalformedInput(f"request body is larger than {MAX_REQUEST_BYTES} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedInput("request body is not UTF-8") from None
        head, sep, note = text.partition("\n\n")
        if not sep:
            raise MalformedInput("request has no empty line before the checkpoint")
        lines = head.split("\n")
        if not lines[0].startswith("old "):
            raise MalformedInput(f"request must start with 'old <size>', got {lines[0][:40]!r}")
        old = parse_decimal(lines[0][len("old ") :], "old size")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise MalformedInput(f"consistency proof has more than {MAX_PROOF_LINES} hashes")
        proof = tuple(
            b64decode_hash(line, f"consistency proof hash {i}")
            for i, line in enumerate(lines[1:], 1)
        )
        if old == 0 and proof:
            raise MalformedInput("a consistency proof from size 0 must be empty")
        parse_note(note)  # syntax only: the witness verifies the signature
        return cls(old, proof, note)


def size_response(size: int) -> bytes:
    """The body of a 409 answer (``text/x.tlog.size``)."""
    return f"{size}\n".encode()


def parse_size_response(body: bytes) -> int:
    """The witness's size from a 409 body: one decimal line ending in a newline."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedInput("409 answer is not ASCII") from None
    if not text.endswith("\n") or "\n" in text[:-1]:
        raise MalformedInput(f"409 answer is not one line: {text[:40]!r}")
    return parse_decimal(text[:-1], "witness tree size")


def parse_cosignature_lines(body: bytes) -> Sequence[NoteSignature]:
    """The signature lines of a 200 answer (checked for syntax only; verify them)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedInput("cosignature answer is not UTF-8") from None
    if not text:
        raise MalformedInput("cosignature answer is empty")
    # Reuse the note parser: a dummy one-line text, a blank line, then the lines.
    _, signatures = parse_note("x\n\n" + text)
    return signatures
