"""Proof generation from stored nodes, the appender, and verifier error paths."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataip.evidence.errors import ProofError, VerificationError
from dataip.evidence.merkle import (
    EMPTY_ROOT,
    MerkleAppender,
    consistency_proof,
    frontier_coordinates,
    frontier_levels,
    inclusion_proof,
    leaf_hash,
    root,
    root_from_leaf_hashes,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

from ._vectors import NodeStore


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _build(n: int) -> tuple[NodeStore, MerkleAppender, list[bytes]]:
    store, appender, leaves = NodeStore(), MerkleAppender(), _leaves(n)
    for leaf in leaves:
        store.store(appender.append(leaf))
    return store, appender, leaves


def _reference_mth(hashes: list[bytes]) -> bytes:
    """Independent MTH, written from RFC 9162 §2.1.1 without shared helpers."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    left, right = _reference_mth(hashes[:k]), _reference_mth(hashes[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=300), data=st.data())
def test_it_generates_proofs_that_verify_for_random_sizes(size: int, data: st.DataObject) -> None:
    store, appender, leaves = _build(size)
    assert appender.root() == root_from_leaf_hashes(leaves) == _reference_mth(leaves)
    assert root(size, store) == appender.root()
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    verify_inclusion(
        index, size, leaves[index], inclusion_proof(index, size, store), root(size, store)
    )
    size1 = data.draw(st.integers(min_value=1, max_value=size))
    old_root = _reference_mth(leaves[:size1])
    proof = consistency_proof(size1, size, store)
    verify_consistency(size1, size, old_root, appender.root(), proof)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(min_value=0, max_value=300))
def test_it_reloads_the_appender_from_stored_nodes(size: int) -> None:
    store, appender, _ = _build(size)
    reloaded = MerkleAppender.from_nodes(size, store)
    assert reloaded.frontier == appender.frontier
    assert [level for level, _ in reloaded.frontier] == frontier_levels(size)
    extra = leaf_hash(b"next")
    assert reloaded.append(extra) == appender.append(extra)
    assert reloaded.root() == appender.root()


def test_it_returns_every_new_complete_node_on_append() -> None:
    appender = MerkleAppender()
    created = [appender.append(leaf) for leaf in _leaves(8)]
    assert [[(lv, i) for lv, i, _ in c] for c in created] == [
        [(0, 0)],
        [(0, 1), (1, 0)],
        [(0, 2)],
        [(0, 3), (1, 1), (2, 0)],
        [(0, 4)],
        [(0, 5), (1, 2)],
        [(0, 6)],
        [(0, 7), (1, 3), (2, 1), (3, 0)],
    ]


def test_it_uses_about_one_node_hash_per_leaf() -> None:
    store, _, _ = _build(1024)
    assert len(store.nodes) == 2047  # 1024 leaves + 1023 interior nodes


def test_it_needs_only_logarithmic_node_lookups() -> None:
    size = 1_000_003
    calls = 0

    def node(level: int, index: int) -> bytes:
        nonlocal calls
        calls += 1
        assert (index + 1) << level <= size, "only complete subtrees exist"
        return hashlib.sha256(b"%d/%d" % (level, index)).digest()

    for index in (0, 1, 524_287, 999_999, size - 1):
        calls = 0
        assert len(inclusion_proof(index, size, node)) <= 21
        assert calls <= 2 * 21
    calls = 0
    consistency_proof(777_777, size, node)
    assert calls <= 2 * 21


def test_it_gives_the_empty_root_for_an_empty_tree() -> None:
    assert MerkleAppender().root() == EMPTY_ROOT
    assert root(0, NodeStore()) == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


def test_it_refuses_unaligned_subtree_ranges() -> None:
    store, _, _ = _build(8)
    with pytest.raises(ValueError, match="not aligned"):
        subtree_hash(1, 3, store)
    with pytest.raises(ValueError, match="invalid leaf range"):
        subtree_hash(4, 3, store)


def test_it_lists_frontier_coordinates() -> None:
    assert frontier_coordinates(0) == []
    assert frontier_coordinates(13) == [(3, 0), (2, 2), (0, 12)]


def test_it_rejects_a_frontier_that_does_not_match_the_size() -> None:
    with pytest.raises(ValueError, match="frontier levels"):
        MerkleAppender(3, [(1, b"\x00" * 32)])
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleAppender(1, [(0, b"\x00" * 31)])
    with pytest.raises(ValueError, match="32 bytes"):
        MerkleAppender().append(b"short")


@pytest.mark.parametrize(("index", "size"), [(-1, 4), (4, 4), (0, 0)])
def test_it_refuses_to_generate_inclusion_proofs_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(index, size, NodeStore())


@pytest.mark.parametrize(("size1", "size2"), [(0, 4), (5, 4), (-1, 4)])
def test_it_refuses_to_generate_impossible_consistency_proofs(size1: int, size2: int) -> None:
    with pytest.raises(ValueError, match="0 < size1 <= size2"):
        consistency_proof(size1, size2, NodeStore())


def test_it_returns_an_empty_consistency_proof_for_equal_sizes() -> None:
    store, _, _ = _build(5)
    assert consistency_proof(5, 5, store) == []


class TestInclusionErrors:
    store, appender, leaves = _build(10)
    good = inclusion_proof(3, 10, store)

    def _verify(self, **kw: object) -> None:
        args: dict[str, object] = {
            "index": 3,
            "size": 10,
            "leaf_hash": self.leaves[3],
            "proof": self.good,
            "root": self.appender.root(),
        }
        args.update(kw)
        verify_inclusion(**args)  # type: ignore[arg-type]

    def test_it_accepts_the_good_proof(self) -> None:
        self._verify()

    @pytest.mark.parametrize(
        ("kw", "match"),
        [
            ({"proof": good[:-1]}, "too short"),
            ({"proof": [*good, good[0]]}, "too long"),
            ({"proof": [good[0][:31], *good[1:]]}, r"inclusion proof\[0\] is not a 32-byte"),
            ({"leaf_hash": b"\x01" * 33}, "leaf hash is not a 32-byte"),
            ({"root": b"odd"}, "root hash is not a 32-byte"),
            ({"index": 10}, "not below tree size"),
            ({"index": -1}, "negative"),
            ({"size": 20}, "too short"),
            ({"size": 4}, "too long"),
            ({"leaf_hash": leaves[4]}, "does not lead"),
            ({"proof": ["not bytes"] * 4}, "not a 32-byte"),
        ],
    )
    def test_it_rejects_a_bad_inclusion_proof(self, kw: dict[str, object], match: str) -> None:
        with pytest.raises(ProofError, match=match) as info:
            self._verify(**kw)
        assert info.value.code == "proof_error"
        assert isinstance(info.value, VerificationError)


def test_it_rejects_bad_consistency_proofs_with_named_reasons() -> None:
    store, appender, leaves = _build(10)
    old = root_from_leaf_hashes(leaves[:6])
    proof = consistency_proof(6, 10, store)
    verify_consistency(6, 10, old, appender.root(), proof)
    with pytest.raises(ProofError, match="too short"):
        verify_consistency(6, 10, old, appender.root(), proof[:-1])
    with pytest.raises(ProofError, match="too long"):
        verify_consistency(6, 10, old, appender.root(), [*proof, proof[0]])
    with pytest.raises(ProofError, match="size-6 root"):
        verify_consistency(6, 10, appender.root(), appender.root(), proof)
    with pytest.raises(ProofError, match="size-10 root"):
        verify_consistency(6, 10, old, old, proof)
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(6, 10, old, appender.root(), [])
    with pytest.raises(ProofError, match=r"consistency proof\[1\] is not a 32-byte"):
        verify_consistency(6, 10, old, appender.root(), [proof[0], b"x" * 7])
    with pytest.raises(ProofError, match="0 < size1 <= size2"):
        verify_consistency(0, 10, EMPTY_ROOT, appender.root(), [])
