"""Overlap detection (§4.3): MinHash over content-defined chunks."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from dataip.evidence.canonical import canonical_json
from dataip.evidence.fingerprint import (
    chunk_ids,
    estimate_cardinality,
    estimate_containment,
    estimate_similarity,
    fingerprint,
    minhash_signature,
)

from ._deposit import make_tree

AVG = 4096  # small chunks keep the test data small
P = (1 << 61) - 1


def _files(rng: random.Random, prefix: str, count: int) -> dict[str, bytes]:
    return {
        f"{prefix}{i:02d}.bin": rng.randbytes(rng.randrange(20_000, 60_000)) for i in range(count)
    }


def _chunk_set(folder: Path) -> set[int]:
    ids: set[int] = set()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            ids.update(chunk_ids(path, avg_size=AVG))
    return ids


def test_it_estimates_the_jaccard_of_datasets_sharing_most_content(tmp_path: Path) -> None:
    rng = random.Random(2026)
    shared = _files(rng, "shared", 35)
    make_tree(tmp_path / "a" / "data", {**shared, **_files(rng, "only-a", 8)})
    make_tree(tmp_path / "b" / "data", {**shared, **_files(rng, "only-b", 7)})
    set_a, set_b = _chunk_set(tmp_path / "a"), _chunk_set(tmp_path / "b")
    true_jaccard = len(set_a & set_b) / len(set_a | set_b)
    assert 0.6 < true_jaccard < 0.8
    sig_a = fingerprint([tmp_path / "a" / "data"], minhash=True, chunk_size=AVG).manifest["minhash"]
    sig_b = fingerprint([tmp_path / "b" / "data"], minhash=True, chunk_size=AVG).manifest["minhash"]
    estimate = estimate_similarity(sig_a, sig_b)
    # Standard error at 128 permutations is about 0.04; allow three of them.
    assert abs(estimate - true_jaccard) < 0.12
    assert abs(estimate_cardinality(sig_a) - len(set_a)) < 0.3 * len(set_a)


def test_it_keeps_most_chunks_after_an_insertion_at_the_start(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(1 << 20)
    before = chunk_ids(data, avg_size=AVG)
    after = chunk_ids(b"a new header line\n" * 7 + data, avg_size=AVG)
    kept = len(set(before) & set(after)) / len(set(before))
    assert kept > 0.95
    # Fixed-size blocks would lose all of them: content-defined chunking avoids that.
    fixed = {hashlib.sha256(data[i : i + AVG]).digest() for i in range(0, len(data), AVG)}
    shifted = b"a new header line\n" * 7 + data
    moved = {hashlib.sha256(shifted[i : i + AVG]).digest() for i in range(0, len(shifted), AVG)}
    assert len(fixed & moved) == 0
    sig_before = minhash_signature(data, avg_size=AVG)
    sig_after = minhash_signature(shifted, avg_size=AVG)
    assert estimate_similarity(sig_before, sig_after) > 0.85


def test_it_computes_the_same_signature_while_fingerprinting_as_alone(tmp_path: Path) -> None:
    rng = random.Random(5)
    files = _files(rng, "f", 12)
    make_tree(tmp_path / "data", files)
    paths = sorted(p for p in (tmp_path / "data").iterdir())
    alone = minhash_signature(paths, avg_size=AVG)
    one = fingerprint([tmp_path / "data"], minhash=True, chunk_size=AVG, workers=1)
    two = fingerprint([tmp_path / "data"], minhash=True, chunk_size=AVG, workers=2)
    assert one.manifest["minhash"] == alone
    assert two.manifest["minhash"] == alone
    assert one.root == fingerprint([tmp_path / "data"], workers=1).root
    assert alone["num_perm"] == 128
    assert alone["chunks"] == sum(len(chunk_ids(p, avg_size=AVG)) for p in paths)
    canonical_json(alone)  # integers and strings only


def test_it_follows_the_documented_scheme_for_one_chunk() -> None:
    data = b"shorter than the minimum chunk"
    sig = minhash_signature(data, avg_size=AVG)
    x = int.from_bytes(hashlib.sha256(data).digest()[:8], "big")
    for i in (0, 1, 127):
        d = hashlib.sha256(b"dip.minhash/v1 " + i.to_bytes(4, "big")).digest()
        a = int.from_bytes(d[:8], "big") % (P - 1) + 1
        b = int.from_bytes(d[8:16], "big") % P
        assert int(sig["values"][i], 16) == (a * x + b) % P
    assert (sig["avg_size"], sig["min_size"], sig["max_size"]) == (AVG, AVG // 4, AVG * 4)


def test_it_estimates_containment_of_a_subset(tmp_path: Path) -> None:
    rng = random.Random(9)
    small = _files(rng, "s", 20)
    make_tree(tmp_path / "small" / "d", small)
    make_tree(tmp_path / "large" / "d", {**small, **_files(rng, "extra", 20)})
    sig_small = fingerprint([tmp_path / "small" / "d"], minhash=True, chunk_size=AVG)
    sig_large = fingerprint([tmp_path / "large" / "d"], minhash=True, chunk_size=AVG)
    a, b = sig_small.manifest["minhash"], sig_large.manifest["minhash"]
    assert estimate_containment(a, b) > 0.75
    assert 0.25 < estimate_containment(b, a) < 0.75


def test_it_tells_identical_unrelated_and_incomparable_signatures_apart() -> None:
    rng = random.Random(4)
    one, other = rng.randbytes(300_000), rng.randbytes(300_000)
    sig = minhash_signature(one, avg_size=AVG)
    assert estimate_similarity(sig, minhash_signature(one, avg_size=AVG)) == 1.0
    assert estimate_similarity(sig, minhash_signature(other, avg_size=AVG)) < 0.05
    with pytest.raises(ValueError, match="comparable"):
        estimate_similarity(sig, minhash_signature(one, avg_size=2 * AVG))
    with pytest.raises(ValueError, match=r"dip\.minhash"):
        estimate_similarity(sig, {"scheme": "other"})
    empty = minhash_signature([], avg_size=AVG)
    assert empty["chunks"] == 0
    assert estimate_cardinality(empty) == 0.0
    assert estimate_similarity(empty, sig) == 0.0
    assert estimate_containment(empty, sig) == 1.0
    with pytest.raises(ValueError, match="chunk size"):
        minhash_signature(one, avg_size=100)
