"""Overlap detection (design note §4.3): MinHash over content-defined chunks.

Scheme ``dip.minhash/v1``, reproducible by anyone from this description:

* Each file is cut on its own by FastCDC 2020 (the ``fastcdc-rs`` v2020 cut
  points with the reference gear table, normalised chunking level 1; PyPI
  ``pyfastcdc``) with average size ``avg_size`` (default 64 KiB), minimum
  ``avg_size // 4`` and maximum ``avg_size * 4``. Cut points depend only on
  nearby content, so an insertion changes the chunks around it and no others.
* Chunk id = the first 8 bytes of SHA-256(chunk), big-endian (a 64-bit int).
* Permutation ``i`` (0 ≤ i < ``num_perm``): ``h_i(x) = (a_i·x + b_i) mod p``
  with ``p = 2^61 − 1``; ``d = SHA-256("dip.minhash/v1 " ‖ i as 4 bytes
  big-endian)``, ``a_i = (int(d[0:8]) mod (p − 1)) + 1``,
  ``b_i = int(d[8:16]) mod p``.
* Signature value ``i`` = min over the dataset's chunk ids of ``h_i``
  (``p`` for an empty dataset), written as 16 lowercase hex digits.

Privacy: a chunk id of guessable content lets anyone holding the signature
confirm that the content is in the dataset (a confirmation attack). Keep
signatures private, or share them only with the registry.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pyfastcdc import FastCDC

__all__ = [
    "DEFAULT_AVG_CHUNK",
    "NUM_PERM",
    "PRIME",
    "SCHEME",
    "MinHasher",
    "chunk_id",
    "chunk_ids",
    "chunker",
    "estimate_cardinality",
    "estimate_containment",
    "estimate_similarity",
    "minhash_signature",
]

SCHEME = "dip.minhash/v1"
NUM_PERM = 128
DEFAULT_AVG_CHUNK = 64 * 1024
PRIME = (1 << 61) - 1
_CHUNKER = "fastcdc-2020"


class Readable(Protocol):
    """Anything with ``readinto`` (the chunker reads through it)."""

    def readinto(self, buffer: memoryview) -> int:
        """Fill ``buffer``; return the byte count, 0 at the end."""
        ...


@lru_cache(maxsize=8)
def _coefficients(num_perm: int) -> tuple[tuple[int, int], ...]:
    """The ``(a_i, b_i)`` of every permutation (see the module docstring)."""
    pairs = []
    for i in range(num_perm):
        d = hashlib.sha256(f"{SCHEME} ".encode() + i.to_bytes(4, "big")).digest()
        a = int.from_bytes(d[0:8], "big") % (PRIME - 1) + 1
        b = int.from_bytes(d[8:16], "big") % PRIME
        pairs.append((a, b))
    return tuple(pairs)


def _check_avg(avg_size: int) -> None:
    if not isinstance(avg_size, int) or not 1024 <= avg_size <= 4 * 1024 * 1024:
        raise ValueError(f"average chunk size must be 1 KiB .. 4 MiB (got {avg_size!r})")


@lru_cache(maxsize=8)
def chunker(avg_size: int = DEFAULT_AVG_CHUNK) -> FastCDC:
    """A FastCDC 2020 chunker with the scheme's parameters for ``avg_size``."""
    _check_avg(avg_size)
    from pyfastcdc import FastCDC

    return FastCDC(avg_size, min_size=avg_size // 4, max_size=avg_size * 4)


def chunk_id(data: bytes | memoryview) -> int:
    """The 64-bit id of one chunk: first 8 bytes of its SHA-256, big-endian."""
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


class MinHasher:
    """Running MinHash: add chunk ids, merge with other runs, export a signature."""

    __slots__ = ("_pairs", "avg_size", "chunks", "mins")

    def __init__(self, avg_size: int = DEFAULT_AVG_CHUNK, num_perm: int = NUM_PERM) -> None:
        """Start an empty MinHash for chunks of average size ``avg_size``."""
        _check_avg(avg_size)
        if not isinstance(num_perm, int) or not 1 <= num_perm <= 1024:
            raise ValueError(f"num_perm must be 1 .. 1024 (got {num_perm!r})")
        self._pairs = _coefficients(num_perm)
        self.avg_size = avg_size
        self.mins = [PRIME] * num_perm
        self.chunks = 0

    def add(self, ident: int) -> None:
        """Add one chunk id."""
        self.chunks += 1
        values = [(a * ident + b) % PRIME for a, b in self._pairs]
        self.mins = list(map(min, self.mins, values))

    def add_stream(self, stream: Readable) -> None:
        """Cut ``stream`` into chunks and add each chunk's id."""
        for chunk in chunker(self.avg_size).cut_stream(stream):
            self.add(chunk_id(chunk.data))

    def merge(self, mins: Iterable[int], chunks: int) -> None:
        """Fold in another MinHash of the same parameters (union of the two sets)."""
        self.mins = list(map(min, self.mins, mins))
        self.chunks += chunks

    def signature(self) -> dict[str, Any]:
        """The JSON signature (integers and strings only, safe for canonical JSON)."""
        c = chunker(self.avg_size)
        return {
            "scheme": SCHEME,
            "chunker": _CHUNKER,
            "avg_size": c.avg_size,
            "min_size": c.min_size,
            "max_size": c.max_size,
            "num_perm": len(self.mins),
            "chunks": self.chunks,
            "values": [f"{v:016x}" for v in self.mins],
        }


class _BytesReader:
    """``readinto`` over a bytes object."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data).cast("B")
        self._pos = 0

    def readinto(self, buffer: memoryview) -> int:
        n = min(len(buffer), len(self._view) - self._pos)
        buffer[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n


Source = bytes | bytearray | memoryview | str | os.PathLike[str]


def _sources(sources: Source | Iterable[Source]) -> Iterator[Source]:
    if isinstance(sources, bytes | bytearray | memoryview | str | os.PathLike):
        yield sources
    else:
        yield from sources


def _chunks(source: Source, avg_size: int) -> Iterator[int]:
    if isinstance(source, bytes | bytearray | memoryview):
        for chunk in chunker(avg_size).cut_stream(_BytesReader(source)):
            yield chunk_id(chunk.data)
        return
    with open(source, "rb", buffering=0) as f:
        for chunk in chunker(avg_size).cut_stream(f):
            yield chunk_id(chunk.data)


def chunk_ids(source: Source, *, avg_size: int = DEFAULT_AVG_CHUNK) -> list[int]:
    """The ids of the content-defined chunks of ``source`` (bytes or a file path), in order."""
    _check_avg(avg_size)
    return list(_chunks(source, avg_size))


def minhash_signature(
    sources: Source | Iterable[Source],
    *,
    avg_size: int = DEFAULT_AVG_CHUNK,
    num_perm: int = NUM_PERM,
) -> dict[str, Any]:
    """MinHash signature of the set of chunk ids of ``sources`` (bytes or file paths).

    Each source is chunked on its own; the signature describes the union of
    their chunk sets. For a whole dataset use ``fingerprint(..., minhash=True)``,
    which computes the same thing while hashing the files.
    """
    hasher = MinHasher(avg_size, num_perm)
    for source in _sources(sources):
        for ident in _chunks(source, avg_size):
            hasher.add(ident)
    return hasher.signature()


def _values(sig: dict[str, Any]) -> list[int]:
    if not isinstance(sig, dict) or sig.get("scheme") != SCHEME:
        raise ValueError(f"not a {SCHEME} signature")
    values = sig.get("values")
    if not isinstance(values, list) or len(values) != sig.get("num_perm"):
        raise ValueError("signature values missing or not num_perm long")
    try:
        return [int(v, 16) for v in values]
    except (TypeError, ValueError):
        raise ValueError("signature values must be hex strings") from None


def _pair(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[int], list[int]]:
    va, vb = _values(a), _values(b)
    for key in ("chunker", "avg_size", "min_size", "max_size", "num_perm"):
        if a.get(key) != b.get(key):
            raise ValueError(f"signatures are not comparable: {key} {a.get(key)} != {b.get(key)}")
    return va, vb


def estimate_similarity(sig_a: dict[str, Any], sig_b: dict[str, Any]) -> float:
    """Estimated Jaccard similarity |A∩B| / |A∪B| of two datasets' chunk sets.

    Raises ``ValueError`` if the signatures were made with different parameters.
    Standard error is about ``sqrt(J(1-J)/num_perm)`` (≤ 0.045 at 128).
    """
    va, vb = _pair(sig_a, sig_b)
    return sum(x == y for x, y in zip(va, vb, strict=True)) / len(va)


def estimate_cardinality(sig: dict[str, Any]) -> float:
    """Estimated number of distinct chunks, from the signature's minima."""
    values = _values(sig)
    if all(v == PRIME for v in values):
        return 0.0
    return max(len(values) / sum(v / PRIME for v in values) - 1.0, 1.0)


def estimate_containment(sig_a: dict[str, Any], sig_b: dict[str, Any]) -> float:
    """Estimated share of A's distinct chunks that are also in B: |A∩B| / |A|.

    From the Jaccard estimate J and cardinality estimates:
    |A∩B| = J·(|A|+|B|)/(1+J). Rougher than :func:`estimate_similarity`.
    An empty A is contained in anything (1.0).
    """
    j = estimate_similarity(sig_a, sig_b)
    size_a, size_b = estimate_cardinality(sig_a), estimate_cardinality(sig_b)
    if size_a == 0:
        return 1.0
    return min(1.0, j * (size_a + size_b) / (1.0 + j) / size_a)
