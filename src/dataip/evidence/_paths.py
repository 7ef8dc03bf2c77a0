"""Deposit path rules of design note §4.2 step 1 and 2: validation, NFC, order, hidden names."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

__all__ = [
    "HIDDEN_NAME",
    "display_name",
    "hide_name",
    "nfc",
    "path_problem",
    "segment_problem",
    "sort_key",
]

#: A hidden name: lowercase hex HMAC-SHA256 (64 hex digits).
HIDDEN_NAME = re.compile(r"[0-9a-f]{64}")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


def segment_problem(segment: str) -> str | None:
    """Why ``segment`` cannot be one component of a deposit path, or ``None`` if it can.

    Refused (§4.2 step 1): empty, ``.``, ``..``, ``/``, backslash, control
    characters (Unicode category Cc, which includes newline, TAB, DEL and the
    C1 range), and names that are not valid UTF-8 (lone surrogates, which is
    how Python decodes such bytes from the file system).
    """
    if segment == "":
        return "empty path segment"
    if segment in {".", ".."}:
        return f"path segment {segment!r} is not allowed"
    if "/" in segment:
        return "slash inside a name"
    if "\\" in segment:
        return "backslash in name"
    for char in segment:
        if unicodedata.category(char) == "Cc":
            return f"control character U+{ord(char):04X} in name"
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "name is not valid UTF-8"
    return None


def path_problem(path: object) -> str | None:
    """Why ``path`` is not a valid deposit path (relative, ``/``-separated, NFC), or ``None``."""
    if not isinstance(path, str):
        return "path is not a string"
    if path.startswith("/"):
        return "absolute path"
    for segment in path.split("/"):
        problem = segment_problem(segment)
        if problem is not None:
            return problem
    if nfc(path) != path:
        return "path is not in Unicode NFC"
    return None


def sort_key(path: str) -> bytes:
    """Deposit order (§4.2 step 2): the UTF-8 bytes of the path, compared bytewise."""
    return path.encode("utf-8")


def hide_name(salt: bytes, path: str) -> str:
    """The confidential form of ``path``: hex HMAC-SHA256 keyed by ``salt`` over its UTF-8."""
    return hmac.new(salt, path.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()


def display_name(path: str) -> str:
    """``path`` made safe to print on one line: control characters and bad bytes escaped."""
    out: list[str] = []
    for char in path:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or unicodedata.category(char) == "Cc":
            out.append(f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}")
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(char)
    return "".join(out)
