"""C2SP tlog-proof@v1 bundles: round trip, verification and every failure path."""

from __future__ import annotations

import pytest

from dataip.evidence import (
    BadSignature,
    Checkpoint,
    Cosigner,
    Ed25519Signer,
    MalformedInput,
    MerkleAppender,
    ProofError,
    TlogProof,
    UnexpectedOrigin,
    UnknownKey,
    canonical_json,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
)
from dataip.evidence.tlog_proof import HEADER, MAX_PATH_LENGTH

from ._vectors import NodeStore

ORIGIN = "registry.example.cn/log/v1"
LOG = Ed25519Signer(ORIGIN, b"\x09" * 32)
EVENTS = [{"schema": "dip.event/v1", "type": "filed", "seq": i} for i in range(13)]
LEAVES = [leaf_hash(canonical_json(e)) for e in EVENTS]


def _log(size: int = 13) -> tuple[NodeStore, MerkleAppender]:
    store, appender = NodeStore(), MerkleAppender()
    for leaf in LEAVES[:size]:
        store.store(appender.append(leaf))
    return store, appender


def _proof(index: int = 5, size: int = 13, extra: bytes | None = None) -> TlogProof:
    store, appender = _log(size)
    note = sign_checkpoint(Checkpoint(ORIGIN, size, appender.root()), LOG)
    return TlogProof.create(index, inclusion_proof(index, size, store), note, extra)


def test_it_verifies_a_proof_from_the_log() -> None:
    cp = _proof().verify(LEAVES[5], LOG.verifier(), origin=ORIGIN)
    assert (cp.origin, cp.size) == (ORIGIN, 13)


def test_it_round_trips_the_text_format_with_extra_data() -> None:
    proof = _proof(extra=b"vrf-proof")
    text = proof.to_text()
    assert text.startswith(f"{HEADER}\nextra dnJmLXByb29m\nindex 5\n")
    assert TlogProof.from_text(text) == proof
    assert TlogProof.from_text(text.encode()) == proof
    assert TlogProof.from_text(text).verify(LEAVES[5], LOG.verifier()).size == 13


def test_it_handles_a_one_leaf_log_with_an_empty_path() -> None:
    proof = _proof(0, 1)
    assert proof.path == ()
    assert "index 0\n\n" in proof.to_text()
    assert TlogProof.from_text(proof.to_text()).verify(LEAVES[0], LOG.verifier()).size == 1


def test_it_verifies_a_witnessed_proof() -> None:
    store, appender = _log()
    witness = Cosigner("notary.example/w1", b"\x0a" * 32, timestamp=1_700_000_000)
    note = sign_checkpoint(Checkpoint(ORIGIN, 13, appender.root()), LOG, witness)
    proof = TlogProof.create(2, inclusion_proof(2, 13, store), note)
    proof.verify(LEAVES[2], LOG.verifier(), witnesses=[witness.verifier()], min_witnesses=1)
    with pytest.raises(UnknownKey, match="witness"):
        _proof(2).verify(LEAVES[2], LOG.verifier(), witnesses=[witness.verifier()], min_witnesses=1)


def test_it_rejects_the_wrong_leaf() -> None:
    with pytest.raises(ProofError, match="does not lead"):
        _proof().verify(LEAVES[6], LOG.verifier())


def test_it_rejects_a_truncated_proof() -> None:
    proof = _proof()
    short = TlogProof(proof.index, proof.path[:-1], proof.checkpoint_note)
    with pytest.raises(ProofError, match="too short"):
        short.verify(LEAVES[5], LOG.verifier())


def test_it_rejects_the_wrong_key() -> None:
    with pytest.raises(UnknownKey, match="no signature from a trusted key"):
        _proof().verify(LEAVES[5], Ed25519Signer.generate(ORIGIN).verifier())


def test_it_rejects_the_wrong_origin() -> None:
    with pytest.raises(UnexpectedOrigin):
        _proof().verify(LEAVES[5], LOG.verifier(), origin="other.example/log")


def test_it_rejects_a_proof_for_a_bigger_tree_than_the_checkpoint() -> None:
    store, _ = _log(13)
    _, old = _log(8)
    note = sign_checkpoint(Checkpoint(ORIGIN, 8, old.root()), LOG)
    proof = TlogProof(5, tuple(inclusion_proof(5, 13, store)), note)
    with pytest.raises(ProofError):
        proof.verify(LEAVES[5], LOG.verifier())


def test_it_rejects_an_index_beyond_the_checkpoint() -> None:
    proof = _proof(5, 8)
    beyond = TlogProof(9, proof.path, proof.checkpoint_note)
    with pytest.raises(ProofError, match="not below checkpoint size 8"):
        beyond.verify(LEAVES[9], LOG.verifier())


def test_it_rejects_a_forged_checkpoint_signature() -> None:
    text = _proof().to_text().replace("\n13\n", "\n14\n")
    with pytest.raises(BadSignature):
        TlogProof.from_text(text).verify(LEAVES[5], LOG.verifier())


def test_it_rejects_a_malformed_leaf_hash() -> None:
    with pytest.raises(ProofError, match="leaf hash"):
        _proof().verify(b"\x00" * 31, LOG.verifier())


def _mutate(old: str, new: str) -> str:
    text = _proof().to_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: "", "missing header"),
        (lambda: _mutate(HEADER, "c2sp.org/tlog-proof@v2"), "must start with"),
        (lambda: _mutate("index 5\n", "index 05\n"), "leading zeros"),
        (lambda: _mutate("index 5\n", "index  5\n"), "leading zeros"),
        (lambda: _mutate("index 5\n", "idx 5\n"), "expected 'index"),
        (lambda: _mutate("index 5\n", "extra !!\nindex 5\n"), "extra data"),
        (lambda: _mutate("index 5\n", "index 5\nnot-base64\n"), "hash 1"),
        (lambda: _mutate("index 5\n", "index 5\nAAAA\n"), "32-byte"),
        (lambda: f"{HEADER}\nindex 5\n", "missing empty line"),
        (lambda: f"{HEADER}\n", "missing index line"),
        (lambda: f"{HEADER}\nindex 5\n\n", "signature"),
        (lambda: _proof().to_text().split("\n\n")[0] + "\n\nnot a note\n", "blank line"),
        (lambda: f"{HEADER}\nindex 1\n" + ("A" * 43 + "=\n") * 65 + "\n", "more than 64"),
        (lambda: b"\xff", "UTF-8"),
        (lambda: 3, "must be text"),
    ],
)
def test_it_rejects_malformed_proof_text(make: object, match: str) -> None:
    with pytest.raises(MalformedInput, match=match):
        TlogProof.from_text(make())  # type: ignore[operator]


def test_it_validates_fields_on_construction() -> None:
    note = _proof().checkpoint_note
    with pytest.raises(MalformedInput, match="non-negative"):
        TlogProof(-1, (), note)
    with pytest.raises(MalformedInput, match="32 bytes"):
        TlogProof(0, (b"x",), note)
    with pytest.raises(MalformedInput, match=f"more than {MAX_PATH_LENGTH}"):
        TlogProof(0, (b"\x00" * 32,) * 65, note)
    with pytest.raises(MalformedInput, match="extra"):
        TlogProof(0, (), note, "text")  # type: ignore[arg-type]


def test_it_exposes_the_unverified_checkpoint() -> None:
    cp = _proof().checkpoint()
    assert cp.size == 13
