"""C2SP tlog-proof@v1: an offline-verifiable proof that an entry is in a log.

Format (c2sp.org/tlog-proof §Format)::

    c2sp.org/tlog-proof@v1
    [extra <base64 opaque data>]        optional, NOT authenticated
    index <zero-based leaf index>
    <base64 hash>                       0..n lines, leaf's sibling first
    <empty line>
    <signed checkpoint, verbatim, with any cosignatures>

Files SHOULD use the extension ``.tlog-proof``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._encoding import b64decode_hash, b64decode_strict, b64encode, parse_decimal
from ._verify import verify_inclusion
from .checkpoint import Checkpoint, verify_checkpoint
from .errors import MalformedInput, ProofError
from .note import NoteVerifier, parse_note

__all__ = ["HEADER", "MAX_PATH_LENGTH", "TlogProof"]

HEADER = "c2sp.org/tlog-proof@v1"
#: A tree of at most 2^64 leaves has audit paths of at most 64 hashes.
MAX_PATH_LENGTH = 64


def _next_line(rest: str, what: str) -> tuple[str, str]:
    """Pop one newline-terminated line from ``rest``."""
    line, sep, tail = rest.partition("\n")
    if not sep:
        raise MalformedInput(f"tlog-proof truncated: missing {what}")
    return line, tail


def _parse_header(text: str) -> tuple[bytes | None, int, str]:
    """Parse header, optional extra and index lines; return the remaining text."""
    line, rest = _next_line(text, "header line")
    if line != HEADER:
        raise MalformedInput(f"tlog-proof must start with {HEADER!r}, got {line[:60]!r}")
    line, rest = _next_line(rest, "index line")
    extra = None
    if line.startswith("extra "):
        extra = b64decode_strict(line[len("extra ") :], "tlog-proof extra data")
        line, rest = _next_line(rest, "index line")
    if not line.startswith("index "):
        raise MalformedInput(f"tlog-proof: expected 'index <n>', got {line[:60]!r}")
    return extra, parse_decimal(line[len("index ") :], "tlog-proof index"), rest


def _parse_path(rest: str) -> tuple[list[bytes], str]:
    """Parse hash lines up to the empty line; return them and the checkpoint note."""
    path: list[bytes] = []
    while True:
        line, rest = _next_line(rest, "empty line before the checkpoint")
        if not line:
            return path, rest
        if len(path) >= MAX_PATH_LENGTH:
            raise MalformedInput(f"tlog-proof has more than {MAX_PATH_LENGTH} proof hashes")
        path.append(b64decode_hash(line, f"tlog-proof hash {len(path) + 1}"))


@dataclass(frozen=True)
class TlogProof:
    """An inclusion proof bundle (C2SP tlog-proof@v1).

    ``path`` is the RFC 9162 §2.1.3 audit path, leaf side first;
    ``checkpoint_note`` is the signed checkpoint verbatim; ``extra`` is
    optional unauthenticated application data.
    """

    index: int
    path: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None

    def __post_init__(self) -> None:
        """Validate field shapes, raising :class:`MalformedInput`."""
        object.__setattr__(self, "path", tuple(self.path))
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise MalformedInput(f"tlog-proof index must be a non-negative integer: {self.index}")
        if len(self.path) > MAX_PATH_LENGTH:
            raise MalformedInput(f"tlog-proof has more than {MAX_PATH_LENGTH} proof hashes")
        if any(not isinstance(h, bytes) or len(h) != 32 for h in self.path):
            raise MalformedInput("tlog-proof hashes must be 32 bytes each")
        if not isinstance(self.checkpoint_note, str):
            raise MalformedInput("tlog-proof checkpoint note must be text")
        if self.extra is not None and not isinstance(self.extra, bytes):
            raise MalformedInput("tlog-proof extra data must be bytes")

    @classmethod
    def create(
        cls, index: int, path: Sequence[bytes], checkpoint_note: str, extra: bytes | None = None
    ) -> TlogProof:
        """Build a proof, checking that ``checkpoint_note`` parses as a signed checkpoint."""
        proof = cls(index, tuple(path), checkpoint_note, extra)
        proof.checkpoint()
        return proof

    def to_text(self) -> str:
        """Serialise to the ``.tlog-proof`` text format."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64encode(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.path)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint_note

    @classmethod
    def from_text(cls, text: str | bytes) -> TlogProof:
        """Parse ``.tlog-proof`` text strictly; raise :class:`MalformedInput`.

        The embedded checkpoint is syntax-checked here and verified by :meth:`verify`.
        """
        if isinstance(text, bytes | bytearray):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedInput("tlog-proof is not valid UTF-8") from None
        if not isinstance(text, str):
            raise MalformedInput(f"tlog-proof must be text, not {type(text).__name__}")
        extra, index, rest = _parse_header(text)
        path, note = _parse_path(rest)
        return cls.create(index, path, note, extra)

    def checkpoint(self) -> Checkpoint:
        """Parse the embedded checkpoint WITHOUT verifying any signature."""
        text, _ = parse_note(self.checkpoint_note)
        return Checkpoint.from_text(text)

    def verify(
        self,
        leaf_hash: bytes,
        verifier: NoteVerifier,
        *,
        origin: str | None = None,
        witnesses: Sequence[NoteVerifier] = (),
        min_witnesses: int = 0,
    ) -> Checkpoint:
        """Verify the checkpoint signature(s), then the inclusion of ``leaf_hash``.

        ``leaf_hash`` is the RFC 9162 leaf hash of the entry. The keyword
        arguments are passed to :func:`~dataip.evidence.checkpoint.verify_checkpoint`.
        Returns the verified checkpoint; raises a :class:`VerificationError`.
        """
        cp = verify_checkpoint(
            self.checkpoint_note,
            verifier,
            origin=origin,
            witnesses=witnesses,
            min_witnesses=min_witnesses,
        )
        if self.index >= cp.size:
            raise ProofError(f"leaf index {self.index} is not below checkpoint size {cp.size}")
        verify_inclusion(self.index, cp.size, leaf_hash, self.path, cp.root_hash)
        return cp
