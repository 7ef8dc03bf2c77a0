"""RFC 9162 §2.1 hashing primitives (SHA-256 with 0x00/0x01 domain separation)."""

from __future__ import annotations

import hashlib

HASH_SIZE = 32

#: MTH of the empty list: SHA-256 of the empty string (RFC 9162 §2.1.1).
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 §2.1.1 leaf hash ``SHA-256(0x00 || data)``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 §2.1.1 interior node hash ``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (``n > 1``), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)
