"""RFC 9162 §2.1 Merkle tree: hashing, proof generation and proof verification.

Hashes are SHA-256 with RFC 6962/9162 domain separation (leaf ``0x00``,
interior node ``0x01``). Verification follows RFC 9162 §2.1.3.2 / §2.1.4.2
with the strict transparency-dev/merkle policy (consistency from size 0 is an
error). Generation works from stored complete-subtree hashes addressed as
``(level, index)``; see :func:`subtree_hash` and :class:`MerkleAppender`.
"""

from __future__ import annotations

from ._appender import MerkleAppender, frontier_coordinates, frontier_levels
from ._generate import (
    NodeReader,
    consistency_proof,
    inclusion_proof,
    root,
    root_from_leaf_hashes,
    subtree_hash,
)
from ._hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from ._verify import verify_consistency, verify_inclusion

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleAppender",
    "NodeReader",
    "consistency_proof",
    "frontier_coordinates",
    "frontier_levels",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaf_hashes",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]
