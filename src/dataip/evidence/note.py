"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 and cosignature/v1 keys.

A signed note is a UTF-8 text ending in a newline, a blank line, and one or
more signature lines ``— <key name> base64(key ID || signature)``. The text is
separated from the signatures by the *last* blank line. Verifiers ignore
signatures from unknown (name, key ID) pairs, must verify known ones, and
reject the note when no known signature is present.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._encoding import b64decode_strict, b64encode, has_control_chars
from ._notekeys import (
    COSIGNATURE_V1_TYPE,
    ED25519_TYPE,
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    NoteSigner,
    NoteVerifier,
    compute_key_id,
    cosignature_message,
    is_valid_key_name,
    verifier_from_vkey,
)
from .errors import MalformedInput, UnknownKey

__all__ = [
    "COSIGNATURE_V1_TYPE",
    "ED25519_TYPE",
    "MAX_SIGNATURES",
    "CosignatureVerifier",
    "Cosigner",
    "Ed25519Signer",
    "Ed25519Verifier",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "compute_key_id",
    "cosignature_message",
    "is_valid_key_name",
    "open_note",
    "parse_note",
    "sign_note",
    "signature_line",
    "verifier_from_vkey",
]

#: Upper bound on signature lines per note (golang.org/x/mod/sumdb/note uses 100;
#: C2SP requires accepting at least 16).
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, 4-byte key ID, signature bytes after the key ID.

    ``timestamp`` is set for verified timestamped signatures (cosignature/v1).
    """

    name: str
    key_id: bytes
    signature: bytes
    timestamp: int | None = None

    @property
    def key_id_hex(self) -> str:
        """Key ID as 8 lowercase hex digits."""
        return self.key_id.hex()

    def line(self) -> str:
        """The signature line, including the final newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked by :func:`open_note`.

    ``signatures`` verified with a known key; ``unverified`` are lines from
    unknown keys, which were ignored (and must not be trusted).
    """

    text: str
    signatures: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...] = ()

    def signed_by(self, verifier: NoteVerifier) -> NoteSignature | None:
        """The verified signature from ``verifier``'s (name, key ID), if present."""
        for sig in self.signatures:
            if sig.name == verifier.name and sig.key_id == verifier.key_id:
                return sig
        return None


def _check_text(text: str) -> bytes:
    """Validate note text (C2SP signed-note §Format) and return its UTF-8 bytes."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise MalformedInput("note text must be a string ending in a newline")
    if has_control_chars(text):
        raise MalformedInput("note text contains an ASCII control character other than newline")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput("note text is not valid Unicode (lone surrogate)") from None


def signature_line(text: str, signer: NoteSigner) -> str:
    """Sign ``text`` and return the signature line ``— <name> <base64>\\n``."""
    msg = _check_text(text)
    if not is_valid_key_name(signer.name):
        raise MalformedInput(f"invalid signer key name {signer.name!r}")
    return NoteSignature(signer.name, signer.key_id, signer.sign(msg)).line()


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """Return the signed note: ``text``, a blank line, one line per signer (C2SP signed-note)."""
    if not signers:
        raise ValueError("sign_note needs at least one signer")
    _check_text(text)
    return text + "\n" + "".join(signature_line(text, s) for s in signers)


def _decode_note(note: str | bytes) -> str:
    """Return ``note`` as text, rejecting invalid UTF-8 and control characters."""
    if isinstance(note, bytes | bytearray):
        try:
            note = bytes(note).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedInput("note is not valid UTF-8") from None
    if not isinstance(note, str):
        raise MalformedInput(f"note must be text, not {type(note).__name__}")
    if has_control_chars(note):
        raise MalformedInput("note contains an ASCII control character other than newline")
    return note


def _parse_line(line: str, number: int) -> NoteSignature:
    """Parse one signature line (without its newline)."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedInput(f"signature line {number} does not start with an em dash and space")
    name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not sep or not is_valid_key_name(name):
        raise MalformedInput(f"signature line {number}: invalid key name {name[:60]!r}")
    data = b64decode_strict(b64, f"signature line {number}")
    if len(data) < 5:
        raise MalformedInput(f"signature line {number}: needs a 4-byte key ID and a signature")
    return NoteSignature(name, data[:4], data[4:])


def parse_note(note: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into text and signature lines, checking syntax only.

    Nothing is verified: never trust the text returned here; use
    :func:`open_note`. Raises :class:`MalformedInput`.
    """
    note = _decode_note(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedInput("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedInput("note has no signature lines or does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedInput(f"note has {len(lines)} signature lines (limit {MAX_SIGNATURES})")
    return text, [_parse_line(line, i + 1) for i, line in enumerate(lines)]


def _index_verifiers(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    """Map (name, key ID) to verifier; two different keys on one pair is a config error."""
    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for v in verifiers:
        key = (v.name, bytes(v.key_id))
        if key in known and known[key] is not v:
            raise ValueError(f"two verifiers share name {v.name!r} and key ID {v.key_id.hex()}")
        known[key] = v
    return known


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Parse ``note`` and verify its signatures (C2SP signed-note §Signatures).

    Signatures from unknown (name, key ID) pairs are ignored; every known one
    must verify (else :class:`BadSignature`); at least one known signature
    must be present (else :class:`UnknownKey`). Every line from a known key is
    verified; repeated lines from one key are reported once. Syntax errors
    raise :class:`MalformedInput`.
    """
    known = _index_verifiers(verifiers)
    text, sigs = parse_note(note)
    msg = text.encode("utf-8")
    verified: dict[tuple[str, bytes], NoteSignature] = {}
    unverified: dict[str, NoteSignature] = {}
    for sig in sigs:
        key = (sig.name, sig.key_id)
        verifier = known.get(key)
        if verifier is None:
            unverified.setdefault(sig.line(), sig)
        else:
            ts = verifier.verify(msg, sig.signature)
            verified.setdefault(key, NoteSignature(sig.name, sig.key_id, sig.signature, ts))
    if not verified:
        seen = ", ".join(f"{s.name}+{s.key_id_hex}" for s in unverified.values())
        raise UnknownKey(f"note has no signature from a trusted key (found: {seen or 'none'})")
    return OpenedNote(text, tuple(verified.values()), tuple(unverified.values()))
