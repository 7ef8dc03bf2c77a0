"""RFC 9162 Merkle tree against transparency-dev/merkle vectors."""

from __future__ import annotations

from typing import Any

import pytest

from dataip.evidence.errors import ProofError
from dataip.evidence.merkle import (
    EMPTY_ROOT,
    MerkleAppender,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

from ._vectors import NodeStore, b64, hx, load

TREE = load("merkle-tree-8leaves.json")
PROOFS = load("merkle-proofs.json")
LEAVES = [leaf_hash(hx(x)) for x in TREE["leaf_inputs_hex"]]


def _tree8() -> NodeStore:
    store = NodeStore()
    appender = MerkleAppender()
    for leaf in LEAVES:
        store.store(appender.append(leaf))
    return store


@pytest.mark.parametrize("case", TREE["hasher"], ids=lambda c: c["desc"])
def test_it_matches_the_hasher_vectors(case: dict[str, Any]) -> None:
    if case["op"] == "empty_root":
        got = EMPTY_ROOT
    elif case["op"] == "leaf":
        got = leaf_hash(hx(case["input_hex"]))
    else:
        got = node_hash(hx(case["left_hex"]), hx(case["right_hex"]))
    assert got.hex() == case["want"]


def test_it_stores_every_complete_subtree_of_the_reference_tree() -> None:
    store = _tree8()
    want = {
        (level, i): hx(h)
        for level, row in enumerate(TREE["node_hashes_by_level"])
        for i, h in enumerate(row)
    }
    assert store.nodes == want


@pytest.mark.parametrize("size", range(9))
def test_it_computes_the_root_for_every_size(size: int) -> None:
    want = hx(TREE["root_by_tree_size"][str(size)])
    store = _tree8()
    appender = MerkleAppender()
    appender.extend(LEAVES[:size])
    assert appender.root() == want
    assert root(size, store) == want
    assert root_from_leaf_hashes(LEAVES[:size]) == want
    assert MerkleAppender.from_nodes(size, store).root() == want


@pytest.mark.parametrize("case", TREE["inclusion_proofs"], ids=str)
def test_it_reproduces_the_reference_inclusion_proofs(case: dict[str, Any]) -> None:
    index, size = case["leaf_index"], case["tree_size"]
    want = [hx(h) for h in case["proof"]]
    assert inclusion_proof(index, size, _tree8()) == want
    verify_inclusion(index, size, LEAVES[index], want, hx(TREE["root_by_tree_size"][str(size)]))


@pytest.mark.parametrize("case", TREE["consistency_proofs"], ids=str)
def test_it_reproduces_the_reference_consistency_proofs(case: dict[str, Any]) -> None:
    size1, size2 = case["size1"], case["size2"]
    want = [hx(h) for h in case["proof"]]
    roots = TREE["root_by_tree_size"]
    assert consistency_proof(size1, size2, _tree8()) == want
    verify_consistency(size1, size2, hx(roots[str(size1)]), hx(roots[str(size2)]), want)


def test_it_generates_and_verifies_every_proof_of_the_reference_tree() -> None:
    store = _tree8()
    roots = {int(n): hx(h) for n, h in TREE["root_by_tree_size"].items()}
    for size in range(1, 9):
        for index in range(size):
            path = inclusion_proof(index, size, store)
            verify_inclusion(index, size, LEAVES[index], path, roots[size])
        for size1 in range(1, size + 1):
            proof = consistency_proof(size1, size, store)
            verify_consistency(size1, size, roots[size1], roots[size], proof)


@pytest.mark.parametrize("case", PROOFS["inclusion"], ids=lambda c: c["file"])
def test_it_judges_every_inclusion_probe(case: dict[str, Any]) -> None:
    proof = [b64(p) for p in case["proof"] or []]
    args = (case["leafIdx"], case["treeSize"], b64(case["leafHash"]), proof, b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("case", PROOFS["consistency"], ids=lambda c: c["file"])
def test_it_judges_every_consistency_probe(case: dict[str, Any]) -> None:
    proof = [b64(p) for p in case["proof"] or []]
    args = (case["size1"], case["size2"], b64(case["root1"]), b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_it_has_all_196_probes() -> None:
    assert len(PROOFS["inclusion"]) == 98
    assert len(PROOFS["consistency"]) == 98
