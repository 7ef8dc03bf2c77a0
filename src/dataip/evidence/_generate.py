"""Proof generation from stored complete-subtree hashes (RFC 9162 §2.1.3.1, §2.1.4.1).

The registry stores the hash of every *complete* subtree, addressed as
``(level, index)``: level ``L`` node ``i`` covers leaves ``[i*2^L, (i+1)*2^L)``.
Such nodes never change once created, so a proof for any past tree size can
be assembled from them with O(log n) lookups and no rehashing of leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._hashing import EMPTY_ROOT, node_hash, split_point

#: Returns the stored hash of the complete subtree at ``(level, index)``.
NodeReader = Callable[[int, int], bytes]


def subtree_hash(start: int, end: int, node: NodeReader) -> bytes:
    """Return MTH(D[start:end]) (RFC 9162 §2.1.1) from complete-subtree nodes.

    ``start`` must be a multiple of the largest power of two not above
    ``end - start`` (true of every range used by RFC 9162 proofs); the range is
    then the right fold of its complete subtrees, one per set bit of its
    length, so at most ``log2(n) + 1`` lookups and hashes are needed.
    Raises ``ValueError`` for an empty-negative or unaligned range.
    """
    n = end - start
    if start < 0 or n < 0:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    if n == 0:
        return EMPTY_ROOT
    top = n.bit_length() - 1
    if start & ((1 << top) - 1):
        raise ValueError(f"leaf range [{start}, {end}) is not aligned to complete subtrees")
    if n == 1 << top:  # one complete subtree: a single lookup
        return node(top, start >> top)
    pieces: list[bytes] = []
    pos = start
    for level in range(top, -1, -1):
        if n >> level & 1:
            pieces.append(node(level, pos >> level))
            pos += 1 << level
    acc = pieces[-1]
    for left in reversed(pieces[:-1]):
        acc = node_hash(left, acc)
    return acc


def root(size: int, node: NodeReader) -> bytes:
    """Return the RFC 9162 §2.1.1 root of the first ``size`` leaves."""
    return subtree_hash(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    """Return PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first.

    Raises ``ValueError`` unless ``0 <= index < size``.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    top_down: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            top_down.append(subtree_hash(start + k, end, node))
            end = start + k
        else:
            top_down.append(subtree_hash(start, start + k, node))
            start += k
    top_down.reverse()
    return top_down


def consistency_proof(size1: int, size2: int, node: NodeReader) -> list[bytes]:
    """Return PROOF(size1, D[0:size2]) of RFC 9162 §2.1.4.1.

    Raises ``ValueError`` unless ``0 < size1 <= size2``; equal sizes give ``[]``.
    """
    if not 0 < size1 <= size2:
        raise ValueError(f"consistency proof needs 0 < size1 <= size2 (got {size1}, {size2})")
    top_down: list[bytes] = []
    start, end, m, complete = 0, size2, size1, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            top_down.append(subtree_hash(start + k, end, node))
            end = start + k
        else:
            top_down.append(subtree_hash(start, start + k, node))
            start += k
            m -= k
            complete = False
    if not complete:
        top_down.append(subtree_hash(start, end, node))
    top_down.reverse()
    return top_down


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH over already-hashed leaves by the recursive definition (RFC 9162 §2.1.1).

    O(n log n); meant for small lists, tests and audits, not for the live log.
    """
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return bytes(leaf_hashes[0])
    k = split_point(n)
    return node_hash(root_from_leaf_hashes(leaf_hashes[:k]), root_from_leaf_hashes(leaf_hashes[k:]))
