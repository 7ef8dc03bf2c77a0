"""LSH bands of MinHash signatures (局部敏感哈希分桶), to find overlapping deposits fast.

A ``dip.minhash/v1`` signature has 128 values. They are cut into :data:`BANDS` bands of
:data:`ROWS` consecutive values; two signatures share a band when all its values are equal,
which happens with probability ``J**ROWS`` for datasets of Jaccard similarity ``J``. A deposit
is a candidate when it shares at least one band, i.e. with probability
``1 - (1 - J**ROWS)**BANDS``. With 64 bands of 2 rows:

====================  =====  =====  =====  =====  =====
Jaccard similarity J  0.05   0.1    0.2    0.33   0.5
P(candidate)          0.15   0.47   0.93   0.999  1.000
====================  =====  =====  =====  =====  =====

so a pair at the default warning level (0.5, or a containment of 0.5 between datasets of
similar size, J ≈ 0.33) is practically never missed, while unrelated datasets (no common
chunk, so no equal minimum) never collide. A small dataset wholly contained in one ten times
larger (J ≈ 0.1) is found about half the time. Candidates are then compared on the full
signatures (:func:`~dataip.evidence.fingerprint.estimate_similarity`, ``_containment``).

Pure Python: no Django.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from dataip.evidence._minhash import NUM_PERM, SCHEME

__all__ = ["BANDS", "ROWS", "SignatureError", "band_hashes", "check_signature"]

ROWS = 2
BANDS = NUM_PERM // ROWS
_HEX16 = re.compile(r"[0-9a-f]{16}")
_PARAMS = ("chunker", "avg_size", "min_size", "max_size", "num_perm")


class SignatureError(ValueError):
    """A manifest's ``minhash`` is not a usable ``dip.minhash/v1`` signature."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_signature(signature: object) -> dict[str, Any]:
    """Check a manifest's MinHash signature; return it. Raises :class:`SignatureError`."""
    if not isinstance(signature, dict):
        raise SignatureError("minhash is not an object")
    if signature.get("scheme") != SCHEME:
        raise SignatureError(f"minhash scheme must be {SCHEME!r}")
    if not isinstance(signature.get("chunker"), str) or len(signature["chunker"]) > 40:
        raise SignatureError("minhash chunker is not a short string")
    for key in ("avg_size", "min_size", "max_size", "chunks"):
        if not _is_int(signature.get(key)) or signature[key] < 0:
            raise SignatureError(f"minhash {key} is not a non-negative integer")
    if signature.get("num_perm") != NUM_PERM:
        raise SignatureError(f"minhash num_perm must be {NUM_PERM}")
    values = signature.get("values")
    if not isinstance(values, list) or len(values) != NUM_PERM:
        raise SignatureError(f"minhash values must be a list of {NUM_PERM}")
    if not all(isinstance(v, str) and _HEX16.fullmatch(v) for v in values):
        raise SignatureError("minhash values must be 16 lowercase hex digits each")
    known = {"scheme", "values", "chunks", *_PARAMS}
    if set(signature) - known:
        raise SignatureError(
            f"minhash has unknown fields: {', '.join(sorted(set(signature) - known))}"
        )
    return signature


def band_hashes(signature: dict[str, Any]) -> list[int]:
    """The signed 64-bit hash of each band (index = band number) of a checked signature.

    Hash = first 8 bytes of SHA-256 over ``dip.lsh/v1``, the signature's parameters, the band
    number and the band's values, so bands of incomparable signatures never collide.
    """
    params = "|".join(f"{key}={signature[key]}" for key in _PARAMS)
    values: list[str] = signature["values"]
    hashes = []
    for band in range(BANDS):
        rows = ",".join(values[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.sha256(f"dip.lsh/v1|{params}|{band}|{rows}".encode()).digest()
        hashes.append(int.from_bytes(digest[:8], "big", signed=True))
    return hashes
