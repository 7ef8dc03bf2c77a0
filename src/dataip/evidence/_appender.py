"""Incremental Merkle tree builder over the right-edge frontier (RFC 9162 §2.1.1)."""

from __future__ import annotations

from collections.abc import Iterable

from ._generate import NodeReader
from ._hashing import EMPTY_ROOT, HASH_SIZE, node_hash


def frontier_levels(size: int) -> list[int]:
    """Levels of the maximal complete subtrees of a size-``size`` tree, left to right.

    These are the set bits of ``size``, highest first.
    """
    if size < 0:
        raise ValueError(f"negative tree size {size}")
    return [level for level in range(size.bit_length() - 1, -1, -1) if size >> level & 1]


def frontier_coordinates(size: int) -> list[tuple[int, int]]:
    """``(level, index)`` of each frontier node of a size-``size`` tree, left to right.

    Lets a caller load the whole frontier with a single database query.
    """
    coords: list[tuple[int, int]] = []
    pos = 0
    for level in frontier_levels(size):
        coords.append((level, pos >> level))
        pos += 1 << level
    return coords


class MerkleAppender:
    """Append-only RFC 9162 tree state: the size plus the right-edge frontier.

    The frontier is the list of ``(level, hash)`` of the maximal complete
    subtrees covering ``[0, size)``, left to right (levels = set bits of
    ``size``, highest first). Each :meth:`append` returns every complete node
    it creates as ``(level, index, hash)`` so the caller can store them; the
    amortised cost is one node hash per leaf.
    """

    __slots__ = ("_frontier", "_root", "_size")

    def __init__(self, size: int = 0, frontier: Iterable[tuple[int, bytes]] = ()) -> None:
        """Resume a tree of ``size`` leaves from its frontier (see :meth:`from_nodes`)."""
        items = [(int(level), bytes(h)) for level, h in frontier]
        expected = frontier_levels(size)
        if [level for level, _ in items] != expected:
            raise ValueError(f"frontier levels for size {size} must be {expected}")
        if any(len(h) != HASH_SIZE for _, h in items):
            raise ValueError(f"frontier hashes must be {HASH_SIZE} bytes")
        self._size = size
        self._frontier = items
        self._root: bytes | None = None

    @classmethod
    def from_nodes(cls, size: int, node: NodeReader) -> MerkleAppender:
        """Rebuild the appender for a tree of ``size`` leaves from stored nodes."""
        frontier = [(level, node(level, index)) for level, index in frontier_coordinates(size)]
        return cls(size, frontier)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def frontier(self) -> tuple[tuple[int, bytes], ...]:
        """The current frontier as ``(level, hash)`` pairs, left to right."""
        return tuple(self._frontier)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the new complete nodes ``(level, index, hash)``.

        The first element is the leaf itself at level 0; the rest are the
        interior nodes completed by it, bottom-up.
        """
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf_hash)}")
        index = self._size
        h = bytes(leaf_hash)
        created = [(0, index, h)]
        level = 0
        frontier = self._frontier
        while frontier and frontier[-1][0] == level:
            h = node_hash(frontier.pop()[1], h)
            level += 1
            index >>= 1
            created.append((level, index, h))
        frontier.append((level, h))
        self._size += 1
        self._root = None
        return created

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
        """Append several leaf hashes; return all created nodes in creation order."""
        created: list[tuple[int, int, bytes]] = []
        for leaf in leaf_hashes:
            created.extend(self.append(leaf))
        return created

    def root(self) -> bytes:
        """Current root hash (the empty-tree root ``SHA-256("")`` for size 0)."""
        if self._root is None:
            if not self._frontier:
                self._root = EMPTY_ROOT
            else:
                acc = self._frontier[-1][1]
                for _, left in reversed(self._frontier[:-1]):
                    acc = node_hash(left, acc)
                self._root = acc
        return self._root
