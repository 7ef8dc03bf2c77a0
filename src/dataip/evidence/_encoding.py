"""Strict text encodings shared by the note, checkpoint and proof parsers."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import MalformedInput

_B64_RE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SPACE_RE = re.compile(r"\s")
#: The canonical base64 text of exactly 32 bytes: 43 symbols, the last with its two unused
#: low bits zero (A E I M Q U Y c g k o s w 0 4 8), then one '='.
_HASH_B64_RE = re.compile(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=")

UINT64_MAX = (1 << 64) - 1


def b64encode(data: bytes) -> str:
    """Standard base64 (RFC 4648 §4) with padding."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 §4); raise :class:`MalformedInput`.

    Only the canonical encoding is accepted (padding required, no whitespace,
    unused trailing bits zero), so each byte string has exactly one text form.
    """
    if not _B64_RE.fullmatch(text):
        raise MalformedInput(f"{what}: not standard padded base64: {text[:80]!r}")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - regex guards this
        raise MalformedInput(f"{what}: invalid base64 ({exc})") from None
    if b64encode(data) != text:
        raise MalformedInput(f"{what}: non-canonical base64 encoding: {text[:80]!r}")
    return data


def b64decode_hash(text: str, what: str) -> bytes:
    """Decode a base64 SHA-256 hash; it must be exactly 32 bytes."""
    if isinstance(text, str) and _HASH_B64_RE.fullmatch(text):  # fast path: canonical by form
        return binascii.a2b_base64(text)
    data = b64decode_strict(text, what)
    if len(data) != 32:
        raise MalformedInput(f"{what}: expected a 32-byte hash, got {len(data)} bytes")
    return data


def parse_decimal(text: str, what: str, maximum: int = UINT64_MAX) -> int:
    """Parse ASCII decimal without leading zeros (``"0"`` allowed), at most ``maximum``."""
    if not _DECIMAL_RE.fullmatch(text):
        raise MalformedInput(f"{what}: not a decimal without leading zeros: {text[:40]!r}")
    if len(text) > len(str(maximum)) or int(text) > maximum:
        raise MalformedInput(f"{what}: {text[:40]} exceeds the maximum {maximum}")
    return int(text)


def has_space(text: str) -> bool:
    """True if ``text`` holds a Unicode space (``str.isspace``; regex ``\\s`` is the same set)."""
    return _SPACE_RE.search(text) is not None


def has_control_chars(text: str) -> bool:
    """True if ``text`` holds an ASCII control character other than newline."""
    return _CONTROL_RE.search(text) is not None
