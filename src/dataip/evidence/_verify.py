"""Merkle proof verification, RFC 9162 §2.1.3.2 and §2.1.4.2.

Follows the restated pseudocode of design note §1.2/§1.3 exactly, including
the strict transparency-dev/merkle policy that ``size1 == 0`` is an error.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._hashing import HASH_SIZE, node_hash
from .errors import ProofError


def _check_hash(value: object, what: str) -> None:
    """Raise :class:`ProofError` unless ``value`` is a 32-byte ``bytes``."""
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        size = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash (got {size})")


def _check_proof(proof: Sequence[bytes], what: str) -> None:
    """Every element of ``proof`` must be a 32-byte hash."""
    for i, item in enumerate(proof):
        _check_hash(item, f"{what}[{i}]")


def _skip_right_edge(fn: int, sn: int) -> tuple[int, int]:
    """Move up while ``fn`` is a left child on the right edge (RFC 9162 §2.1.3.2 step)."""
    while fn != 0 and fn & 1 == 0:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify an RFC 9162 §2.1.3.2 inclusion proof; raise :class:`ProofError` on failure.

    ``proof`` is the audit path, leaf side first. Returns ``None`` on success.
    """
    if index < 0 or size < 0:
        raise ProofError(f"negative index {index} or size {size}")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root hash")
    _check_proof(proof, "inclusion proof")
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof too long ({len(proof)} hashes) for size {size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if fn & 1 == 0:
                fn, sn = _skip_right_edge(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof too short ({len(proof)} hashes) for size {size}")
    if r != root:
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the tree-{size} root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Verify an RFC 9162 §2.1.4.2 consistency proof; raise :class:`ProofError` on failure.

    Strict policy (transparency-dev/merkle): ``size1 == 0`` is an error even
    with an empty proof; the caller handles "no previous checkpoint".
    """
    if size1 <= 0 or size1 > size2:
        raise ProofError(f"consistency needs 0 < size1 <= size2 (got {size1}, {size2})")
    if size1 == size2:
        # As in transparency-dev/merkle: only equality matters here, not hash length.
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if root1 != root2:
            raise ProofError(f"roots differ for the same tree size {size1}")
        return
    _check_hash(root1, "root1")
    _check_hash(root2, "root2")
    _check_proof(proof, "consistency proof")
    if not proof:
        raise ProofError(f"empty consistency proof from size {size1} to {size2}")
    _walk_consistency(size1, size2, root1, root2, list(proof))


def _walk_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> None:
    """The iterative part of RFC 9162 §2.1.4.2 for ``0 < size1 < size2``."""
    if size1 & (size1 - 1) == 0:
        proof = [bytes(root1), *proof]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof too long for sizes {size1} -> {size2}")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn & 1 == 0:
                fn, sn = _skip_right_edge(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof too short for sizes {size1} -> {size2}")
    if fr != root1:
        raise ProofError(f"consistency proof does not reproduce the size-{size1} root")
    if sr != root2:
        raise ProofError(f"consistency proof does not reproduce the size-{size2} root")
